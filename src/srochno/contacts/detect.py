"""Finding a way to reach someone in a public text: phones, handles, links, e-mails.

:func:`find_contact` returns the first :class:`Finding` (its kind and the span of
the text it covers) or ``None``; :func:`find_in_fields` checks the texts of one
thing (an order's city and description) one by one and together. Pure and
linear: precompiled patterns whose repeated parts are possessive or made of
disjoint classes. How the classes and shapes are defined: ``docs/contacts.md``.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from srochno.contacts.cued import find_cued_phone, find_glued_phone, may_have_cue
from srochno.contacts.fold import fold
from srochno.contacts.normalize import (
    MIN_LOOKALIKE_LETTERS,
    Text,
    lookalike_digits,
    normalise,
    phone_copy,
)
from srochno.contacts.phone import find_number
from srochno.contacts.variants import readings
from srochno.contacts.words import (
    MAIL_PROVIDERS,
    NUMBER_WORDS,
    SCRIPT_MESSENGERS,
    SPOKEN_TLDS,
    sounds_like_messenger,
)

__all__ = ["KINDS", "FieldFinding", "Finding", "find_contact", "find_in_fields"]

KINDS: Final = ("phone", "handle", "link", "email", "long_number")


@dataclass(frozen=True, slots=True)
class Finding:
    """A contact of ``kind`` at ``text[start:end]`` of the text that was checked."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FieldFinding:
    """A contact in one field of several; ``together_with`` names the field it continues."""

    field: str
    kind: str
    start: int
    end: int
    together_with: str | None = None


def _words(text: str) -> list[str]:
    return text.split()


# Links and e-mails ------------------------------------------------------------------------

_ABBREVIATIONS: Final = frozenset(
    _words(
        "г гор ул д дом пр просп пер пл наб ш бул мкр мкрн р-н рн обл пос п с дер ст "
        "кв корп стр им т м тел тц жк пн вт ср чт пт сб вс см"
    )
)
# File extensions that are also top-level domains: a file name, not a host, without a path.
_FILE_EXTENSIONS: Final = frozenset(_words("py sh md rs pl zip mov java"))
# Extensions that are also used for sites (``ivan.ai``): a file only when the text says so.
_FILE_WORD_EXTENSIONS: Final = frozenset(_words("ai so ps cc mk"))
_FILE_WORD: Final = re.compile(
    fold(r"(?<![^\W\d_])(?:файл\w*|file\w*|библиотек\w*|librar\w*|макет\w*)(?![^\W\d_])")
)
_FILE_WORD_REACH: Final = 40
_TECH_NAMES: Final = frozenset({"asp.net", "vb.net", "ado.net", "socket.io"})
# Cyrillic top-level domains written in Latin or half in Latin (``.rf``, ``.moskva``).
_TRANSLITERATED_TLDS: Final = frozenset(
    {"ру", "rf", "moskva", "moskow", "rus", "deti", "onlain", "sait"}
    # site builders' names standing for their domains (``flowersmsk.tilda``)
    | {"tilda", "taplink", "wixsite", "ucoz", "narod", "nethouse"}
)
# Top-level domains a spaced or comma dot may stand before: not ordinary words.
_STRONG_TLDS: Final = frozenset(
    _words(
        "ru рф ру рус su com net org info biz pro xyz online site shop store ua by kz uz "
        "io ly gg cc tv ws me"
    )
)
_LOOKALIKE_TLDS: Final = frozenset({"com", "me"})
_DIGITS_FOR_LETTERS: Final = (str.maketrans("013", "ole"), str.maketrans("013", "ile"))
_MAX_DOMAIN_LABELS: Final = 10

_LABEL: Final = r"[^\W_][\w\-]*+"
_DOT: Final = r"(?:\.|[ \t]*+,[ \t]*+(?=[^\W\d_])|[ \t]*+\n?[ \t]*+\.[ \t]*+\n?[ \t]*+)"
_SPACED_LETTERS: Final = r"[^\W\d_](?:[ \t][^\W\d_]){1,5}(?![\w])"
_DOMAIN: Final = re.compile(
    rf"(?<![\w.@])(?P<domain>{_LABEL}(?:{_DOT}(?:{_SPACED_LETTERS}|{_LABEL}))++)"
    r"(?P<path>[ \t]*+/)?"
)
_BARE_DOMAIN: Final = re.compile(
    rf"(?<![\w.@])(?P<domain>{_LABEL})[ \t]*+\n?[ \t]*+(?P<tld>[^\W\d_]++)[ \t]*+/"
)
_SCHEME: Final = re.compile(
    r"(?<![^\W\d_])(?:h[tx][tx]ps?|ftp|tg)[ \t]*+[:;]?[ \t]*+/[ \t]*+/?"
    r"|(?<![^\W\d_])h[ \t]++[tx][ \t]++[tx][ \t]++p(?:[ \t]++s)?[ \t]*+[:;][ \t]*+/[ \t]*+/"
    r"|(?<![\w.])(?:vk|tme|t[ \t]++me|ok|fb|wa|okru|vkru)(?:com|ru|me)?[ \t]*+/[ \t]*+[^\W_]"
    r"|(?<![\w.])(?:vk|t|ok|fb|wa|instagram|facebook|telegram|tiktok|youtube)"
    r"(?:com|me|ru)[ \t]*+/[ \t]*+[^\W_]"
    r"|(?<![\w:/])live:\.?[a-z0-9][a-z0-9_.\-]{2,}"
    r"|(?<![\w.\-])www[ \t]*+[.,][ \t]*+[^\W_]"
    r"|(?<![\w.])(?:inst|insta|ig|tt|yt|tg|u|taplink|linktree|linktr|tiktok|youtube)"
    r"[ \t]*+/[ \t]*+[a-z0-9_.\-]{4,}"
)
_PROVIDER_WORDS: Final = MAIL_PROVIDERS | {"t"}
_PROVIDER: Final = "|".join(sorted(map(re.escape, MAIL_PROVIDERS | {"t"}), key=len, reverse=True))
_SPOKEN_TLD: Final = "|".join(sorted(map(re.escape, SPOKEN_TLDS), key=len, reverse=True))
_WELL_KNOWN: Final = re.compile(
    rf"(?<![^\W\d_])(?P<provider>{_PROVIDER})(?:[ \t]++|[ \t]*+[.,][ \t]*+)"
    rf"(?P<tld>{_SPOKEN_TLD})(?![^\W\d_])(?P<path>[ \t]*+/)?"
)
_EMAIL: Final = re.compile(
    r"(?<![\w.%+\-])(?P<local>[\w.%+\-]++)[ \t]*+@[ \t]*+"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL})*+)"
)


PSL_PACKAGE: Final = "tldextract"
PSL_SNAPSHOT: Final = ".tld_set_snapshot"
_PSL_PRIVATE: Final = "// ===BEGIN PRIVATE DOMAINS==="
_PSL_RULE: Final = re.compile(r"^(?P<suffix>[.*!]*\w\S*)", re.MULTILINE)


@functools.cache
def top_level_domains() -> frozenset[str]:
    """The top-level domains of the Public Suffix List snapshot ``tldextract`` ships (its
    ICANN section, read as ``tldextract`` reads it), from the file itself: importing
    ``tldextract`` would load ``requests`` (~14 MB) into every process for a list."""
    spec = importlib.util.find_spec(PSL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("tldextract, which ships the Public Suffix List, is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    text = (folder / PSL_SNAPSHOT).read_text(encoding="utf-8").partition(_PSL_PRIVATE)[0]
    names = {match["suffix"] for match in _PSL_RULE.finditer(text) if "." not in match["suffix"]}
    for name in list(names):
        if not name.isascii():
            try:
                names.add(name.encode("idna").decode("ascii"))
            except UnicodeError:
                continue
    return frozenset(names)


_SPLIT_DOT: Final = re.compile(_DOT)


def _labels(text: str) -> list[str]:
    return [label.strip(" \t\n") for label in _SPLIT_DOT.split(text)]


def _is_domain(plain: list[str], folded: list[str], *, loose_dot: bool, path: bool) -> bool:
    """Tell whether the labels make a host name on a real top-level domain."""
    if any(not label or "_" in label for label in plain):
        return False
    tld, folded_tld = plain[-1].replace(" ", ""), folded[-1].replace(" ", "")
    spaced = tld != plain[-1]
    if not tld[0].isalpha():
        return False
    strong = tld in _STRONG_TLDS or folded_tld in _STRONG_TLDS
    if (loose_dot or spaced) and not path and not strong:
        return False
    if loose_dot and not path and tld == "me":
        return False
    if len(plain) == 2 and plain[0] in _ABBREVIATIONS:
        return False
    if ".".join(folded) in _TECH_NAMES:
        return False
    if not path and len(plain) == 2 and tld in _FILE_EXTENSIONS:
        return False
    tlds = top_level_domains()
    if tld in tlds or tld in _TRANSLITERATED_TLDS or folded_tld in _folded_tlds():
        return True
    if any("a" <= char <= "z" for label in plain for char in label):
        spellings = {folded_tld} | {folded_tld.translate(table) for table in _DIGITS_FOR_LETTERS}
        return any(spelling in tlds for spelling in spellings)
    return (
        folded_tld in _LOOKALIKE_TLDS
        and len(folded[-2]) >= 2
        and all(label.isascii() for label in folded)
    )


@functools.cache
def _folded_tlds() -> frozenset[str]:
    """The top-level domains in other scripts, folded: ``PФ`` (a Latin P) is ``рф``."""
    return frozenset(fold(name) for name in top_level_domains() if not name.isascii())


@functools.cache
def _tld_triggers() -> frozenset[str]:
    """Words that may end a domain: each top-level domain, folded, and its spellings
    with digits for look-alike letters (``c0m``)."""
    names = {fold(name) for name in top_level_domains()} | _TRANSLITERATED_TLDS
    names |= {fold(name) for name in _TRANSLITERATED_TLDS}
    for name in list(names):
        if name.startswith("xn--"):
            names.add(name[4:])  # the words of a text are split at hyphens
        elif name.isascii():
            for table in (_LETTERS_FOR_DIGITS, _LETTERS_FOR_DIGITS_I):
                spelling = name.translate(table)
                if any(char.isalpha() for char in spelling):  # «000» is no domain
                    names.add(spelling)
    return frozenset(names)


_LETTERS_FOR_DIGITS: Final = str.maketrans("ole", "013")
_LETTERS_FOR_DIGITS_I: Final = str.maketrans("ie", "13")
_INNER_DOT: Final = r"(?:\.|,(?=[^\W\d_])|[ \t]*+\.[ \t]*+)"
_LABELS_BEFORE: Final = re.compile(rf"(?:{_LABEL}{_INNER_DOT})*+{_LABEL}[ \t]*+\n?[ \t]*+$")
# Patterns that start with the dot (or comma, or line break) itself, so that the regex
# engine skips quickly to the places worth trying.
_SPACED_TLD_STARTS: Final = frozenset(
    name[0] for name in _STRONG_TLDS if name.isascii()
)  # a spaced top-level domain starts with a word of one letter
_SPACED_TLD: Final = re.compile(rf"[.,\n][ \t]*+\n?[ \t]*+(?P<tld>{_SPACED_LETTERS})")


@functools.lru_cache(maxsize=4096)
def _tld_after_dot(tlds: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(
        sorted((rf"(?:xn--)?{re.escape(name)}" for name in tlds), key=len, reverse=True)
    )
    return re.compile(rf"[.,\n][ \t]*+\n?[ \t]*+(?P<tld>{names})(?![\w\-])(?P<path>[ \t]*+/)?")


_PATH: Final = re.compile(r"[ \t]*+/[^\s]*+")
_REST: Final = re.compile(r"[^\s]*+")


def _find_link(text: Text) -> Finding | None:
    """The first link, its span covering the path after the domain."""
    found = _find_bare_link(text)
    if found is None:
        return None
    pattern = _REST if text.text[found.end - 1] == "/" else _PATH
    path = pattern.match(text.text, found.end)
    return found if path is None else Finding("link", found.start, path.end())


# An IPv4 address, its dots written any way, a port after it or not.
_OCTET: Final = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP: Final = re.compile(
    rf"(?<![\w.,])(?P<first>{_OCTET})[ \t]*+\.[ \t]*+(?P<second>{_OCTET})"
    rf"(?:[ \t]*+\.[ \t]*+{_OCTET}){{2}}(?![\w])(?![ \t]*+[.,][ \t]*+\d)"
    r"(?P<port>[ \t]*+:[ \t]*+\d{2,5}|[ \t]*+/)?"
)
_IP_GATE: Final = re.compile(r"\d[ \t]*+\.[ \t]*+\d{1,3}[ \t]*+\.[ \t]*+\d{1,3}[ \t]*+\.")
_DOTTED_BEFORE: Final = re.compile(r"\d[ \t]*+[.,][ \t]*+$")
_PRIVATE_FIRST: Final = frozenset({"0", "10", "127", "255"})
# A Latin name and a top-level domain said in Cyrillic after it: ``ivanklimat ру``.
_SPOKEN_DOMAIN: Final = re.compile(
    r"(?<![\w.@])[a-z][a-z0-9\-]{2,}[ \t]++(?:ру|рф|ком|орг)(?![^\W\d_])"
)


def _find_bare_link(text: Text) -> Finding | None:
    found = _find_domain_link(text)
    if found is not None:
        return found
    folded = text.text
    if folded.count(".") >= 3 and _IP_GATE.search(folded):
        for ip in _IP.finditer(folded):
            if _DOTTED_BEFORE.search(folded, max(0, ip.start() - 12), ip.start()):
                continue  # the last four numbers of a longer dotted run: no address
            if _is_public_ip(ip):
                return Finding("link", *ip.span())
    if any(word in folded for word in _SPOKEN_TLD_WORDS):
        spoken = _SPOKEN_DOMAIN.search(text.plain)
        if spoken is not None:
            return Finding("link", *spoken.span())
    return None


_SPOKEN_TLD_WORDS: Final = tuple(f" {fold(word)}" for word in ("ру", "рф", "ком", "орг"))


def _is_public_ip(ip: re.Match[str]) -> bool:
    """A public address written to be reached: with a port or a path, or with its dots
    spaced out (a software version has none of those); private ranges are no contact."""
    first, second = ip.group("first"), int(ip.group("second"))
    if first in _PRIVATE_FIRST or (first, second) in (("192", 168), ("169", 254)):
        return False
    if first == "172" and 16 <= second <= 31:  # the private range
        return False
    return ip.group("port") is not None or " " in ip.group() or "\t" in ip.group()


def _find_domain_link(text: Text) -> Finding | None:
    folded = text.text
    words = text.words
    if any(part in folded for part in _SCHEME_PARTS):
        match = _SCHEME.search(folded)
        if match is not None:
            return Finding("link", *match.span())
    if not words.isdisjoint(_PROVIDER_WORDS) and not words.isdisjoint(SPOKEN_TLDS):
        for match in _WELL_KNOWN.finditer(folded):
            provider = match.group("provider")
            if provider == "t" and match.group("tld") != "me":
                continue
            if len(provider) < 2 and match.group("path") is None:
                continue
            if match.group("path") is None:
                site = f"{provider}.{match.group('tld')}"
                if site in _PUBLIC_SITES and _original_case(text, site) is not None:
                    continue  # «ящик на Mail.ru» (written so): the service, not an address
            return Finding("link", *match.span())
    candidates: list[tuple[int, int, bool]] = []
    hits = words & _tld_triggers()
    if hits:
        for match in _tld_after_dot(hits).finditer(folded):
            path = match.group("path") is not None
            if not path and _loose_at(folded, match.start()) and _weak_tld(match.group("tld")):
                continue  # «…, vin»: a comma before an ordinary word
            candidates.append((match.start(), match.end(), path))
    if not words.isdisjoint(_SPACED_TLD_STARTS):
        for match in _SPACED_TLD.finditer(folded):
            candidates.append((match.start(), match.end(), False))
    for dot, end, path in candidates:
        head = _LABELS_BEFORE.search(folded, max(0, dot - _DOMAIN_REACH), dot)
        if head is None or (head.start() > 0 and folded[head.start() - 1] in "@."):
            continue
        while end > dot and folded[end - 1] in " \t/":
            end -= 1
        if _VERSION_AFTER.match(folded, end):
            continue  # ``libssl.so.3``: a file name with a version
        found = _domain_at(text, head.start(), end, path)
        if found is not None:
            return found
    slash = folded.find("/")
    if slash >= 0 and hits:
        # Only the text before each slash can end in ``label tld /``.
        start = 0
        for _ in range(_MAX_SLASHES):
            if slash < 0:
                break
            window = max(start, slash - _DOMAIN_REACH)
            for match in _BARE_DOMAIN.finditer(folded, window, slash + 1):
                if _bare_domain(text, match):
                    return Finding("link", *match.span("domain"))
            start = slash + 1
            slash = folded.find("/", start)
        else:
            for match in _BARE_DOMAIN.finditer(folded, start):
                if _bare_domain(text, match):
                    return Finding("link", *match.span("domain"))
    return None


def _tld_named_alone(text: Text, start: int, end: int) -> bool:
    """``зоне .ru``: a dot after a space and none after it, a word of another script before."""
    plain = text.plain[start:end]
    head, dot, tld = plain.rpartition(".")
    last = head.split()[-1] if head.split() else ""
    return (
        bool(dot)
        and head.endswith((" ", "\t"))
        and not tld[:1].isspace()
        and not (head.strip().isascii())
        and not _cyrillic_compound(last)  # ``ремонтиван .рф`` is a site
    )


def _written_small(text: Text, start: int, end: int) -> bool:
    """Tell whether ``text[start:end]`` was written in small letters."""
    written = _original_case(text, text.plain[start:end])
    return written is None or written == written.lower()


def _bare_domain(text: Text, match: re.Match[str]) -> bool:
    """``vk com/ivan``: a Latin name and a top-level domain before a slash, both written in
    small letters (``POST /api``, ``Kia Rio / Hyundai``, ``Москва / Подмосковье`` are a
    method, a list, places)."""
    label, tld = match.group("domain"), match.group("tld")
    if tld not in _tld_triggers() or len(label) < 2:
        return False
    plain = text.plain[match.start("domain") : match.end("tld")]
    written = _original_case(text, plain)
    plain_label = text.plain[match.start("domain") : match.end("domain")]
    return (
        written is not None
        and written == written.lower()
        and plain_label.isascii()
        and _has_latin(plain_label)
    )


_SCHEME_PARTS: Final = ("/", "www", "live:")
_MAX_SLASHES: Final = 16


_DOMAIN_REACH: Final = 253
_STRONG_FOLDED: Final = _STRONG_TLDS | {fold(name) for name in _STRONG_TLDS}


def _loose_at(folded: str, dot: int) -> bool:
    """A comma, a line break or a dot with a space after it and none before."""
    sep = folded[dot]
    if sep in ",\n":
        return True
    after = folded[dot + 1 : dot + 2]
    return after in (" ", "\t", "\n") and (dot == 0 or folded[dot - 1] not in " \t")


def _weak_tld(tld: str) -> bool:
    return tld.isalpha() and tld not in _STRONG_FOLDED


_VERSION_AFTER: Final = re.compile(r"\.\d")


def _domain_at(text: Text, start: int, end: int, path: bool) -> Finding | None:
    folded, plain = text.text, text.plain
    plain_labels = _labels(plain[start:end])
    folded_labels = _labels(folded[start:end])
    if len(plain_labels) != len(folded_labels) or len(plain_labels) < 2:
        return None
    loose = any(not part.isalnum() for part in _loose_dots(folded[start:end]))
    plain_labels = plain_labels[-_MAX_DOMAIN_LABELS:]
    folded_labels = folded_labels[-_MAX_DOMAIN_LABELS:]
    if _tld_named_alone(text, start, end):
        return None  # «домен в зоне .ru»: a zone named, no host
    if loose and "," in text.text[start:end] and not _written_small(text, start, end):
        return None  # «бэкендер, POST /orders», «грузчик, Москва /»: a list, not a host
    if not path and (
        ".".join(folded_labels[-2:]) in _PUBLIC_SITES
        or _sentence_joined(text, start, end)
        or _method_call(text, folded_labels, start, end)
    ):
        return None
    for first in range(len(plain_labels) - 1):
        if _is_domain(plain_labels[first:], folded_labels[first:], loose_dot=loose, path=path):
            if (
                not path
                and len(plain_labels) - first == 2  # a name and an extension
                and plain_labels[-1] in _FILE_WORD_EXTENSIONS
                and _FILE_WORD.search(folded, max(0, start - _FILE_WORD_REACH), start)
            ):
                return None  # «файл logo.ai»
            return Finding("link", start, end)
    return None


# Sites of public services: named without a path, they reach nobody.
_PUBLIC_SITES: Final = frozenset(
    fold(name)
    for name in _words(
        "booking.com gosuslugi.ru mos.ru nalog.ru draw.io ozon.ru wildberries.ru "
        "yandex.ru google.com youtube.com github.com gitlab.com notion.so figma.com canva.com "
        "zoom.us hh.ru 2gis.ru aliexpress.ru aliexpress.com amazon.com ebay.com airbnb.com "
        "sberbank.ru tinkoff.ru tbank.ru pochta.ru cdek.ru kinopoisk.ru ya.ru vk.com ok.ru "
        "mail.ru t.me chatgpt.com openai.com microsoft.com apple.com kaspi.kz ozon.kz "
        "olx.kz wildberries.kz battle.net steampowered.com авто.ру дом.ру проза.ру "
        "auto.ru drom.ru cian.ru"
    )
)
# English words that are also top-level domains: after a dot with no space and a capital,
# a new sentence (``…is broken.It leaks``), not a domain.
_SENTENCE_WORDS: Final = frozenset(
    _words("it me by in is at to no us so do my am as be an go on or of if up we")
)


_PLACE_TLDS: Final = frozenset(_words("москва moscow рус tatar spb kiev"))


def _method_call(text: Text, labels: list[str], start: int, end: int) -> bool:
    """``app.run``, ``plt.show``, ``photos.save`` in a text about code (a code word outside
    the name itself): an object and its method, not a host (a strong top-level domain
    stays a host)."""
    return (
        len(labels) == 2
        and labels[-1] not in _STRONG_FOLDED
        and labels[0].isascii()
        and any(
            word.end() <= start or word.start() >= end for word in _CODE_CONTEXT.finditer(text.text)
        )
    )


def _sentence_joined(text: Text, start: int, end: int) -> bool:
    """Tell whether ``label.Tld`` is two sentences with the space after the dot left out
    (``няня.Дети``, ``sofa.Me``), or ``.NET`` after a word: the capital says so. A strong
    top-level domain (``.Ru``) stays a domain unless it is also an English word."""
    written = _original_case(text, text.plain[start:end])
    if written is None:
        return False
    head, dot, tld = written.rpartition(".")
    if dot and tld[:1] in " \t" and tld.strip().istitle() and tld.strip().isalpha():
        return True  # «…ноутбуков. Pro уровень»: a sentence after a full stop and a space
    if not dot or not head or len(tld) < 2 or not tld.isalpha():
        return False
    if head[-1] in " \t" and tld == "NET":
        return True  # «Обновить .NET»: the framework (``IVANREMONT .RU`` stays a site)
    if not head[-1].isalpha() or not (tld[0].isupper() and tld[1:].islower()):
        return False
    lower = tld.lower()
    if lower in _SENTENCE_WORDS:
        return True  # «ASAP.It is getting worse»
    if head[-1].isupper():
        return False
    if lower in _PLACE_TLDS:
        return False  # «ремонт.Москва»: a site of the city, as often as a sentence
    return lower in _SENTENCE_WORDS or (len(tld) >= 3 and fold(lower) not in _STRONG_FOLDED)


def _loose_dots(domain: str) -> list[str]:
    """The separators between labels that may be prose rather than a dot: a comma, a line
    break, or a dot with nothing but a space after it (a sentence's end). A bare dot and a
    dot with a space before it (``vk . com``) are dots."""
    return [
        sep
        for sep in re.findall(r"[^\w\-]+", domain)
        if sep != "." and not _SPACED_DOT.fullmatch(sep)
    ]


_SPACED_DOT: Final = re.compile(r"[ \t]+\.[ \t]*")


def _find_email(text: Text) -> Finding | None:
    folded = text.text
    if "@" not in folded:
        return None
    for match in _EMAIL.finditer(folded):
        start, end = match.span("domain")
        labels = _labels(folded[start:end])
        if len(labels) == 1:
            if _is_mailbox_name(labels[0]):
                return Finding("email", match.start(), end)
            if "-" in labels[0].strip("-") and len(labels[0]) >= _MIN_COMPANY_DOMAIN:
                return Finding("email", match.start(), end)  # ``ivan@remont-msk``: a company's
            rest = folded[end:]
            spoken = re.match(rf"[ \t]++(?:{_SPOKEN_TLD}|{_SPACED_EMAIL_TLD})(?![^\W\d_])", rest)
            if spoken is not None and (
                labels[0] in MAIL_PROVIDERS
                or (
                    len(labels[0]) >= _MIN_SPACED_LABEL
                    and spoken.group().strip() in _STRONG_FOLDED | _SPACED_EMAIL_TLDS
                )
            ):
                return Finding("email", match.start(), end + spoken.end())
        else:
            plain = _labels(text.plain[start:end])
            # ``ivan@gmail.de, спасибо``: a comma read as a dot took a word of the sentence;
            # the address is the longest run of labels that ends on a real domain.
            for count in range(len(labels), 1, -1):
                if _is_domain(plain[:count], labels[:count], loose_dot=False, path=True):
                    if count < len(labels):
                        end = start + _prefix_end(folded[start:end], count)
                    return Finding("email", match.start(), end)
    return None


_MIN_SPACED_LABEL: Final = 4
_MIN_COMPANY_DOMAIN: Final = 6
_SPACED_EMAIL_TLDS: Final = frozenset(fold(tld) for tld in _words("рф rf москва онлайн рус"))
_SPACED_EMAIL_TLD: Final = "|".join(sorted(_SPACED_EMAIL_TLDS, key=len, reverse=True))


def _prefix_end(domain: str, count: int) -> int:
    """Where the first ``count`` labels of ``domain`` end."""
    cuts = list(_SPLIT_DOT.finditer(domain))
    return cuts[count - 1].start() if count - 1 < len(cuts) else len(domain)


def _is_mailbox_name(label: str) -> bool:
    """``gmail``, ``mailru``, ``yandexru``: a provider, with its TLD glued on or not."""
    if label in MAIL_PROVIDERS:
        return True
    return any(
        label.endswith(tld) and label[: -len(tld)] in MAIL_PROVIDERS
        for tld in ("ru", "com", "net", "org", "ua", "by", "kz")
    )


# Handles ----------------------------------------------------------------------------------

_AT_HANDLE: Final = re.compile(
    r"(?<![\w.@])@[ \t]?(?P<handle>[a-z][a-z0-9_.]{3,30}[a-z0-9_]"
    r"|[a-z0-9_](?:[ \t][a-z0-9_]){4,31})(?![\w])"
)

_MESSENGER_WORDS: Final = (
    # Telegram
    r"tele?gr[ae]m+\w*|telega\w*|teleg|tg|tlg|тг|тгм|тлг|телег\w*|тележ\w*|тэлег\w*|"
    r"телеграм\w*|телеграмм\w*|"
    # WhatsApp
    r"w?h?ats?app?\w*|вотс?ап+\w*|ватс?ап+\w*|вацап+\w*|вотсап\w*|ватсап\w*|вотс|ватс|wa|"
    # Viber
    r"viber\w*|вайбер\w*|вибер\w*|"
    # VK
    r"vk|вк|вэка|vkontakte\w*|вконтакт\w*|в[ \t]++контакт\w*|вкашк\w*|вкашечк\w*|вконтач\w*|"
    # Instagram
    r"insta(?!ll)\w*|инста(?!лл)\w*|инсту|инсте|инст|ig|"
    r"нельзяграм\w*|нельзяграмм\w*|запрещенограм\w*|запрещенграм\w*|запрещёнграм\w*|"
    r"экстремистограм\w*|экстремистграм\w*|запретограм\w*|nelzyagram\w*|"
    # MAX and others
    r"max|макс|мах|skype\w*|скайп\w*|discord\w*|дискорд\w*|facebook\w*|фейсбук\w*|fb|"
    r"tik[ \t]?tok\w*|тик[ \t]?ток\w*|snapchat\w*|signal|сигнал\w*|icq|аськ\w*|ok|"
    r"одноклассник\w*|twitter\w*|твиттер\w*|threads|linkedin\w*|tamtam|тамтам\w*|twitch\w*|"
    # slang, indirect names, less-known channels, mailboxes named by their provider
    r"т[эе]г[эе]\w*|тешк\w*|макс[еуа]|максом|gram|грам|insta?gram\w*|дуров\w*|durov\w*|"
    r"цукерберг\w*|zuckerberg\w*|"
    r"самол[её]тик\w*|plane|ася|асю|асе|асей|jabber\w*|джаббер\w*|xmpp|"
    r"gmail\w*|джимейл\w*|гмейл\w*|гугл\w*|google\w*|яндекс\w*|yandex\w*|"
    r"mail|мейл\w*|почт\w*|ящик\w*|✈|"
    # other languages' slang, and messaging named in general
    r"wasa|wasap\w*|guasap\w*|zap|zapzap|zapp|uats\w*|whats|wats|вотс|уотс\w*|"
    r"telega|tele|телеги|мессенджер\w*|messenger\w*|месенджер\w*|соцсет\w*|личк\w*|лс|"
    r"директ\w*|дирек\w*|dm|пм|wechat|weixin|вичат|kakao\w*|какао\w*|line|лайн|zalo|"
    r"threema|signal\w*|element|matrix|session|slack|слак|teams|тимс|imo|имо|"
    # channels, portfolios and platforms with profiles one can write to
    r"тгк|tgk|тенчат\w*|tenchat\w*|беханс\w*|биханс\w*|behance\w*|гитхаб\w*|github\w*|"
    r"стим|стиме|стима|стиму|steam|кворк\w*|kwork\w*|snap|снап|снэп|снапчат\w*|твич\w*|"
    r"пинтерест\w*|pinterest\w*|лайки|лайке|likee|дзен|дзене|дзена|dzen|хабр|хабре|хабра|"
    r"habr|reddit\w*|реддит\w*|ютуб\w*|youtube\w*|рутуб\w*|rutube\w*|"
    # mailboxes in slang
    r"мыло|мыла|мылу|мылом|электронк\w*|мэйл\w*|рамблер\w*|rambler\w*|имейл\w*|емейл\w*|"
    r"имэйл\w*|email\w*|e-mail|протон\w*|proton\w*|айклауд\w*|icloud\w*|инбокс\w*|inbox|"
    # forums, blogs, dating, streaming, sport, freelance, lesser-known messengers, slang
    r"жж|livejournal\w*|drive2|драйв2|дром\w*|drom|фотостран\w*|fotostrana|soundcloud\w*|"
    r"саундклауд\w*|бусти|boosty|тредс\w*|kick|strava|страв[аеуы]|gitea|gitlab|гитлаб\w*|"
    r"воркзилл\w*|workzilla|yappy|япп?и|roblox|роблокс\w*|форумхаус\w*|forumhouse|4pda|qms|"
    r"дайри|diary|бэбиблог\w*|babyblog|клабхаус\w*|clubhouse|пикабу|pikabu|мастодон\w*|"
    r"mastodon|badoo|баду|тиндер\w*|tinder|bumble|бамбл\w*|занги|zangi|сферум\w*|sferum|wire|"
    r"kik|facetime|фейстайм\w*|imessage|аймесседж\w*|тгшк\w*|тгшечк\w*|вэкашк\w*|векашк\w*|"
    r"паблик\w*|одноклы|одноклах|однокл\w*|дс|дис|дискорд\w*|тт|фб|jitsi|телемост\w*|"
    r"meet|zoom|зум|зуме|зуму|мамба\w*|mamba|пульс\w*|мой[ \t]++мир\w*|друг[ \t]++вокруг|"
    r"the[ \t]++gram|bluesky|bsky|блюскай|иксе|твиттер\w*|"
    r"жмайл\w*|жмейл\w*|гмайл\w*|джимайл\w*|hotmail|хотмейл\w*|yahoo|яху|outlook|"
    r"укр[ \t]++нет|укрнет|ukr[ \t]++net|ukrnet|"
    r"💬|📲|📧|📩|📨|✉|🐦"
)
_AMBIGUOUS: Final = frozenset(
    fold(word)
    for word in _words(
        "vk вк wa ig fb инст max макс мах ok signal сигнал teleg tg максе максу макса максом "
        "gram грам plane ася асю асе асей google гугл гугле яндекс яндексе yandex mail почта "
        "почту почте почты ящик wasa zap zapp zapzap whats wats вотс tele "
        "мессенджер мессенджере мессенджеры мессенджерах messenger messengers соцсети "
        "соцсетях соцсетях соцсеть личку личка личке лс директ директе dm пм line лайн "
        "kakao какао element matrix session slack слак teams тимс imo имо signals "
        "стим стиме стима стиму steam snap снап снэп лайки лайке дзен дзене дзена dzen "
        "мыло мыла мылу мылом электронка электронку электронке электронки "
        "wire kick meet zoom зум пульс пульсе diary дайри дс дис тт фб strava element qms "
        "drom дром дроме паблик паблике иксе outlook"
    )
)
_MESSENGER: Final = fold(_MESSENGER_WORDS)
# One word that may be (part of) a messenger's name: a cheap test before the patterns run.
_MESSENGER_WORD: Final = re.compile(
    _MESSENGER.replace("[ \\t]++", "").replace("[ \\t]?", "")
    + "|"
    + fold(r"контакт\w*|tok|ток|укр|ukr")
)
_MESSENGER_PREFIXES: Final = frozenset(
    prefix
    for alternative in _MESSENGER_WORD.pattern.split("|")
    if (prefix := alternative[:2]).isalnum()
) | {"wh", "wa", "ha", "at"}
_CONNECTOR_WORDS: Final = fold(
    r"в|во|на|in|on|at|via|через|по|мой|моя|мое|my|ник|ником|nick|логин|login|id|ид|айди|"
    r"username|юзернейм|юзер|user|аккаунт|account|профиль|profile|это|is|как|as|под|найти|"
    r"find|ищите|пишите|write|me|нику|найд\w*|страниц\w*|page|хэштег\w*|хештег\w*|hashtag|"
    r"тег\w*|tag|the|номер|number|uin|адрес\w*|address|ссылк\w*|link|наоборот|задом|наперед|наперёд|reversed|backwards|"
    r"имя|имени|name|никнейм\w*|nickname|юз|юза|handle|я|там|тут|здесь|сижу|есть|am|i'm|im|"
    r"канал\w*|channel|мессенджер\w*|messenger|соцсет\w*|сет[иь]|network"
)
_PUNCT: Final = r"(?:[^\w]|_)"
_CONNECTOR: Final = (
    rf"(?P<sep>{_PUNCT}{{0,8}}+(?:(?:{_CONNECTOR_WORDS})(?![^\W\d_])[^\w]{{1,8}}+){{0,3}})"
)
_HANDLE: Final = r"(?P<handle>@?(?:live:)?[a-z0-9](?:[a-z0-9_.]|-(?=[a-z0-9]))*+)"
_FORWARD: Final = re.compile(
    rf"(?<![^\W\d_])(?P<messenger>{_MESSENGER})(?![^\W\d_]){_CONNECTOR}{_HANDLE}(?![\w])"
)
_BACKWARD: Final = re.compile(
    rf"(?<![\w@.])(?P<handle>[a-z0-9][a-z0-9_.]*+){_CONNECTOR}"
    rf"(?P<messenger>{_MESSENGER})(?![^\W\d_])"
)
_ORDINARY_WORDS: Final = frozenset(
    _words(
        "bot bots channel channels chat chats group groups premium business app apps web api "
        "ads stars mini desktop android ios iphone pay wallet story stories reels market video "
        "videos call calls voice sticker stickers emoji link links account accounts login "
        "online messenger server servers cloud play music pro plus post posts profile page "
        "shop store please only with from about after before today there where which other "
        "message messages write text contact send link and the for not now then when this "
        "that your mine here also or python java php django node react nginx docker linux "
        "windows excel word sql html css javascript golang rust ruby flutter kotlin swift "
        "telegram whatsapp viber instagram skype discord facebook tiktok business direct "
        "ads reklama target bitrix wordpress tilda aiogram telethon pyrogram telebot "
        "sendpulse unisender chatfuel salebot manychat botfather bothelp smartsender jivo "
        "bitrix24 amocrm outlook exchange office thunderbird 3ds actions shorts pages copilot "
        "studio music codespaces gist desktop deck shop teams live nitro wi-fi e-mail hi-fi "
        "shopping commerce gmail certbot chatbot robot dependabot renovatebot "
        "hi-tech x-ray t-shirt k-pop on-line off-line plug-and-play drag-and-drop e-commerce"
    )
)
# Words that say the next word is a handle: after them, a short handle counts.
_NAMING_WORD: Final = re.compile(
    fold(
        r"(?<![^\W\d_])(?:id|ид|айди|ник|нику|ником|nick|логин|login|username|юзернейм|user|юзер)"
        r"(?![^\W\d_])"
    )
)
# Messengers whose ids are numbers (ICQ's UIN): a number after their name is an id.
_NUMERIC_ID_MESSENGER: Final = re.compile(fold(r"icq|аськ\w*|ася|асю|асе|асей|uin"))
# A word after @ in Cyrillic with the marks of a username: an underscore, a digit, a capital
# inside (``@ремонт_иван77``, ``@ІванРемонт``); a plain word (``@сестра``) is a word.
_AT_CYRILLIC: Final = re.compile(r"(?<![\w.@])@[а-яёіїєґў][а-яёіїєґў0-9_]{2,31}(?![\w@])")
_INNER_CAPITAL: Final = re.compile(r"[^\W\d_][^\W\d_]*?[a-zа-яёіїєґў][A-ZА-ЯЁІЇЄҐЎ]")
_MAX_NUMERIC_ID: Final = 10
_MIN_STRONG_HANDLE: Final = 3
_MIN_WEAK_HANDLE: Final = 5
_MIN_NUMERIC_HANDLE: Final = 5


def _find_handle(text: Text) -> Finding | None:
    folded = text.text
    if "@" in folded:
        for match in _AT_HANDLE.finditer(folded):
            start, end = match.span("handle")
            if match.group("handle") in _CODE_AT_WORDS:
                continue  # ``@property``, ``@media``: code
            if folded[match.start() + 1 : match.start() + 2] in " \t":
                written = _original_case(text, text.plain[start:end]) or ""
                if written[:1].isupper() or written[:1].isdigit():
                    continue  # «Pick up @ Tverskaya 15», «meet @ 10am»: «at»
            if _has_latin(text.plain[start:end]):
                return Finding("handle", match.start(), end)
        # An @ glued to a word in Cyrillic (``@ремонт_иван``): no username is written so,
        # but a reader types it in Latin letters or finds it by search.
        for cyrillic in _AT_CYRILLIC.finditer(text.plain):
            word = cyrillic.group()[1:]
            written = _original_case(text, word) or word
            if any(char == "_" or char.isdigit() for char in word) or _INNER_CAPITAL.match(written):
                return Finding("handle", *cyrillic.span())
    found = _find_script_messenger(text)
    if found is not None:
        return found
    listed = False
    same: set[str] = set()
    near: set[str] = set()
    for word in text.words:
        if word[:2] in _MESSENGER_PREFIXES and _MESSENGER_WORD.fullmatch(word):
            listed = True
        elif (sounds := sounds_like_messenger(word)) is not None:
            (same if sounds == "same" else near).add(word)
    if not listed and not same and not near and not _has_messenger_symbol(folded):
        return None
    plain = text.plain
    forward_pattern, backward_pattern, alone = _messenger_patterns(frozenset(same), frozenset(near))
    if "_" in folded or "#" in folded or _LATIN_MARK.search(folded):
        found = _find_marked_handle(text, alone)
        if found is not None:
            return found
    ambiguous = _AMBIGUOUS | near
    for pattern, forward in ((forward_pattern, True), (backward_pattern, False)):
        # Matches may overlap: a word taken as the handle after one messenger's name may
        # be the next name (``dm me on telegram: ivan``); the search resumes after the name.
        found_at = pattern.search(folded)
        while found_at is not None:
            start, end = found_at.span("handle")
            written = _original_case(text, plain[start:end]) or ""
            if _is_handle(
                found_at,
                plain[start:end],
                forward=forward,
                ambiguous=ambiguous,
                written=written,
                plain=plain,
            ):
                return Finding("handle", min(found_at.start(), start), max(found_at.end(), end))
            resume = found_at.end("messenger") if forward else found_at.end("handle")
            found_at = pattern.search(folded, max(resume, found_at.start() + 1))
    return None


@functools.lru_cache(maxsize=512)
def _messenger_patterns(
    same: frozenset[str], near: frozenset[str]
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The handle patterns with the words that sound like a messenger's name added."""
    if not same and not near:
        return _FORWARD, _BACKWARD, _MESSENGER_ALONE
    extra = "|".join(map(re.escape, sorted(same | near, key=len, reverse=True)))
    messenger = f"{_MESSENGER}|{extra}"
    return (
        re.compile(
            rf"(?<![^\W\d_])(?P<messenger>{messenger})(?![^\W\d_]){_CONNECTOR}{_HANDLE}(?![\w])"
        ),
        re.compile(
            rf"(?<![\w@.])(?P<handle>[a-z0-9][a-z0-9_.]*+){_CONNECTOR}"
            rf"(?P<messenger>{messenger})(?![^\W\d_])"
        ),
        re.compile(rf"(?<![^\W\d_])(?:{messenger})(?![^\W\d_])"),
    )


# A handle-shaped Latin word beside a messenger's name written in another script.
_LATIN_HANDLE: Final = re.compile(
    r"(?<![a-z0-9_.@])@?[a-z0-9](?:[a-z0-9_.]|-(?=[a-z0-9])){2,31}(?![a-z0-9_])"
)
_SCRIPT_REACH: Final = 40
# Greek, Armenian, Hebrew, Arabic, Devanagari, Thai, Georgian, Hangul, kana, CJK: a text
# without any of them names no messenger in them (one scan of a character class).
_OTHER_SCRIPT: Final = re.compile(
    "[\u0370-\u03ff\u0530-\u058f\u0590-\u06ff\u0900-\u097f\u0e00-\u0e7f"
    "\u10a0-\u10ff\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
)


@functools.cache
def _script_names() -> tuple[str, ...]:
    """The names as the detector sees them (marks and joiners dropped like in any text)."""
    return tuple(normalise(name).text for name in SCRIPT_MESSENGERS)


def _find_script_messenger(text: Text) -> Finding | None:
    """A messenger named in Arabic, Hebrew, Chinese, Korean, … script with a handle-shaped
    Latin word within reach either side (those scripts need no space before it)."""
    folded = text.text
    if folded.isascii() or not _OTHER_SCRIPT.search(folded):
        return None
    for name in _script_names():
        at = folded.find(name)
        while at >= 0:
            start = max(0, at - _SCRIPT_REACH)
            end = min(len(folded), at + len(name) + _SCRIPT_REACH)
            for match in _LATIN_HANDLE.finditer(folded, start, end):
                handle = match.group().lstrip("@").rstrip(".")
                marked = any(char in handle for char in "_.0123456789")
                if (
                    _has_latin(text.plain[match.start() : match.end()])
                    and handle not in _ORDINARY_WORDS
                    and (marked or len(handle) >= _MIN_WEAK_HANDLE)
                    and not handle.replace(".", "").isdigit()
                ):
                    return Finding(
                        "handle", min(at, match.start()), max(at + len(name), match.end())
                    )
            at = folded.find(name, at + 1)
    return None


# Decorators, annotations and at-rules of code and style sheets.
_CODE_AT_WORDS: Final = frozenset(
    _words(
        "property staticmethod classmethod dataclass abstractmethod override deprecated "
        "media import keyframes font-face supports charset namespace layer container apply "
        "extend mixin include forward test before after component autowired entity table "
        "column getter setter inject injectable input output click submit model bind "
        "foreach section yield csrf auth param return returns throws author version since "
        "override functional interface transactional service controller repository "
        "springbootapplication requestmapping getmapping postmapping pytest fixture "
        "lru_cache cached_property contextmanager wraps router route validator"
    )
)
_MESSENGER_ALONE: Final = re.compile(rf"(?<![^\W\d_])(?:{_MESSENGER})(?![^\W\d_])")
# A handle that no ordinary word is: letters and digits joined by underscores
# (``ivan_remont77``), or a hashtag; near a messenger's name, whatever stands between.
_MARKED_HANDLE: Final = re.compile(
    r"(?<![\w@.#])[a-z0-9][a-z0-9]*+(?:_[a-z0-9]++)++_?(?!\w|\.\w)"  # not ``config_bot.py``
)
_HASHTAG: Final = re.compile(r"(?<![\w#])#[^\W_][\w]{2,}")
# «латиницей», «in Latin»: a handle written in Cyrillic letters is to be typed in Latin.
_LATIN_MARK: Final = re.compile(fold(r"латиниц\w*|латинск\w*|транслит\w*|in latin"))
_CYRILLIC_HANDLE: Final = re.compile(r"(?<![\w@.#])[^\W\d_][^\W_]*+(?:[_.][^\W_]++)++(?![\w])")
_MARKED_REACH: Final = 80
_MIN_MARKED: Final = 5


def _find_marked_handle(text: Text, alone: re.Pattern[str] = _MESSENGER_ALONE) -> Finding | None:
    """A messenger's name with a marked handle or a hashtag within reach, either side."""
    folded = text.text
    patterns = [_MARKED_HANDLE, _HASHTAG]
    if _LATIN_MARK.search(folded):
        patterns.append(_CYRILLIC_HANDLE)
    code = [word.span() for word in _CODE_CONTEXT.finditer(folded)]
    for messenger in alone.finditer(folded):
        start = max(0, messenger.start() - _MARKED_REACH)
        end = min(len(folded), messenger.end() + _MARKED_REACH)
        for pattern in patterns:
            for match in pattern.finditer(folded, start, end):
                handle = match.group().lstrip("#")
                written = _original_case(text, handle)
                if (
                    len(handle) >= _MIN_MARKED
                    and handle not in _ORDINARY_WORDS
                    and handle.upper() not in text.original  # ``ERR_CONNECTION_REFUSED``
                    and (written is None or written == written.lower())  # ``Brand_Moscow``
                    and not (
                        "_" in handle
                        and any(end <= match.start() or start >= match.end() for start, end in code)
                    )  # ``функция handle_start`` (the handle itself is no code word: ``тег_ааа``)
                ):
                    return Finding(
                        "handle",
                        min(messenger.start(), match.start()),
                        max(messenger.end(), match.end()),
                    )
    return None


def _is_handle(
    match: re.Match[str],
    plain_handle: str,
    *,
    forward: bool,
    ambiguous: frozenset[str] | set[str] = _AMBIGUOUS,
    written: str = "",
    plain: str = "",
) -> bool:
    handle = match.group("handle").lstrip("@").rstrip(".")
    if not handle or not _has_latin(plain_handle) or handle in _ORDINARY_WORDS:
        return False
    if handle in _PUBLIC_SITES:
        return False  # «ящик на Mail.ru»: the service
    if _VERSION.fullmatch(handle) or _SIZE.fullmatch(handle):
        return False  # «Telegram 10.5», «зумом 30x»: a version, a magnification
    separator = match.group("sep")
    at = match.group("handle").startswith("@")
    words = any(char.isalpha() for char in separator)
    strong = (
        at
        or (bool(separator.strip(" \t")) and not separator.strip(" \t").isalpha())
        or bool(_NAMING_WORD.search(separator))
    ) and separator != "-"  # ``max-width``: a glued hyphen makes one compound word
    if not separator and not at:
        return False  # glued: part of one word
    marked = any(char in handle for char in "_.-0123456789")
    # Read in the unfolded text: folded Cyrillic looks Latin (``там`` is ``tam``).
    prose = plain or match.string
    if not marked and (
        (forward and _PROSE_AFTER.match(prose, match.end("handle")))
        or (
            not forward
            and _PROSE_BEFORE.search(
                prose, max(0, match.start("handle") - 24), match.start("handle")
            )
            and _PROSE_AFTER.match(prose, match.end("messenger"))
        )
    ):
        return False  # «Telegram keeps crashing», «a photographer for Instagram»: a sentence
    if match.group("messenger") in _CURRENCY_NAMES and _AMOUNT_BEFORE.search(
        match.string, max(0, match.start("messenger") - 16), match.start("messenger")
    ):
        return False  # «15000 тг, Kaspi»: tenge after an amount
    if (
        forward
        and words
        and not marked
        and written[:1].isupper()
        and not _NAMING_WORD.search(separator)
    ):
        return False  # «Telegram на MacBook», «WhatsApp через Twilio»: a product, a service
    if forward and match.group("messenger") in _CART_WORDS and not marked and written[:1].isupper():
        return False  # «садовую телегу Grinda»: a cart of a brand
    if (
        written
        and written.isupper()
        and len(handle) <= _MAX_CODE
        and not _NAMING_WORD.search(separator)
    ):
        return False  # «✈️ SU1234», «RTX3060»: a flight or a model in capitals
    vague = match.group("messenger") in ambiguous
    if not forward and _MAIL_PROVIDER.fullmatch(match.group("messenger")):
        near = not words or _NEAR_PROVIDER.fullmatch(separator) is not None
        return len(handle) >= _MIN_WEAK_HANDLE and near  # «olgadesign жмайл», «… on gmail»
    if handle.replace("-", "").isdigit():
        if _NUMERIC_ID_MESSENGER.fullmatch(match.group("messenger")):
            return _MIN_NUMERIC_HANDLE <= len(handle.replace("-", "")) <= _MAX_NUMERIC_ID
        return strong and len(handle) >= _MIN_NUMERIC_HANDLE
    if not forward:
        bracketed = separator.rstrip(" \t").endswith(("(", "["))
        return (
            (marked and len(handle) >= _MIN_STRONG_HANDLE)
            or (words and not vague and len(handle) >= _MIN_WEAK_HANDLE)
            or (bracketed and not words and len(handle) >= _MIN_WEAK_HANDLE)
        )
    if strong and (not words or _NAMING_WORD.search(separator)):
        return len(handle) >= _MIN_STRONG_HANDLE
    if vague:
        return marked and len(handle) >= _MIN_STRONG_HANDLE
    return (marked and len(handle) >= _MIN_STRONG_HANDLE) or len(handle) >= _MIN_WEAK_HANDLE


# Word forms of «телега» that are as often a cart as the messenger.
# A Latin word after a word: the sentence goes on in English (or names a product).
_PROSE_AFTER: Final = re.compile(r"(?:['’]s)?,?[ \t]++[a-z]{2,}")
_PROSE_BEFORE: Final = re.compile(r"[a-z]++[ \t]++$")
_MAX_CODE: Final = 8
_VERSION: Final = re.compile(r"v?\d+(?:\.\d+)+")
_SIZE: Final = re.compile(r"\d{1,4}[xх×]|\d{1,2}(?::\d{2})?(?:am|pm)")
# Mail providers by name: a login right before one is an address.
_MAIL_PROVIDER: Final = re.compile(
    fold(
        r"gmail\w*|джимейл\w*|гмейл\w*|жмайл\w*|жмейл\w*|гмайл\w*|джимайл\w*|hotmail|"
        r"хотмейл\w*|yahoo|яху|outlook|icloud\w*|айклауд\w*|протон\w*|proton\w*|"
        r"укр[ \t]++нет|укрнет|ukr[ \t]++net|ukrnet|рамблер\w*|rambler\w*|мэйл\w*"
    )
)
_NEAR_PROVIDER: Final = re.compile(fold(r"[ \t,(]*+(?:on|via|at|на|в|и)?[ \t(]*+"))
# Messengers' short names that are also currencies after an amount (the tenge).
_CURRENCY_NAMES: Final = frozenset({fold("тг"), "tg"})
_AMOUNT_BEFORE: Final = re.compile(r"\d[ \t]*+$")
_CART_WORDS: Final = frozenset(
    fold(word)
    for word in _words(
        "телегу телега телеге телеги телегой тележка тележку тележке тележки тележкой "
        "самолетик самолетика самолетику самолетиком самолётик самолётика самолётику "
        "самолётиком ок ok вк max макс"
    )
)


_MESSENGER_SYMBOLS: Final = "✈💬📲📧📩📨✉🐦"


def _has_messenger_symbol(text: str) -> bool:
    """A plane, a speech balloon, an envelope, a bird: a messenger named by its sign."""
    return any(symbol in text for symbol in _MESSENGER_SYMBOLS)


def _has_latin(text: str) -> bool:
    """A Latin letter or digit (small capitals included): no handle is all Cyrillic."""
    return any(
        (char.isascii() and char.isalnum())
        or (char.isalpha() and "LATIN" in unicodedata.name(char, ""))
        for char in text
    )


# Handles and domains without a messenger's name or a dot ----------------------------------

# A handle-shaped word: Latin letters and digits joined by underscores or dots
# (``anna_photo_msk``, ``anna.petrova85``), or letters ending in digits (``anna85``).
_HANDLE_SHAPED: Final = re.compile(
    r"[a-z](?<![\w@.#\\\-][a-z])(?<![\w/]/[a-z])(?:[a-z0-9]*+(?:_[a-z0-9]++)++_?"
    r"|[a-z0-9]*+(?:\.[a-z0-9]++)++(?<=\d)"
    r"|[a-z]{2,}[0-9]{2,})(?![\w@\-]|\.\w|[ \t]*+\()"
)
# Words that point at a handle given bare: write to, find, add, my nick, my channel, here.
_HANDLE_CUE: Final = re.compile(
    fold(
        r"(?:пиш\w*|напиш\w*|пиши\w*|write|message|text|dm|ник\w*|nick\w*|"
        r"username|юз|юза|юзер\w*|user|логин\w*|login|акк|аккаунт\w*|account|канал\w*|"
        r"channel|поиск\w*|search|найд\w*|найт\w*|find|ищ\w*|добав\w*|add|связ\w*|свяж\w*|"
        r"contact\w*|контакт\w*|тут|там|здесь|сюда|here|there|стучит\w*|стукн\w*|"
        r"отвеч\w*|отвеч|reply|профил\w*|profile|страниц\w*|page|подпис\w*|follow|друз\w*|"
        r"friend\w*|handle|админ\w*|admin|мессенджер\w*|messenger|reach|join|тег\w*|"
        r"хештег\w*|хэштег\w*|hashtag\w*|tag)"
        r"(?![^\W\d_])"
    )
)
# Words that name the handle itself: after one of them, a word with digits is a handle too.
_HANDLE_NAMES: Final = (
    r"ник\w*|nick\w*|username|юз|юза|юзер\w*|логин\w*|login|акк|аккаунт\w*|account|"
    r"канал\w*|channel|id|ид|айди"
)
_NAMING_CUE: Final = re.compile(
    fold(
        rf"(?<![^\W\d_])(?:{_HANDLE_NAMES})(?![^\W\d_])"
        r"[^\w\n]{0,6}+(?:(?:мой|моя|my|в|на|у|меня)[^\w\n]{1,4}+){0,2}$"
    )
)
# A text about code, files, networks or spreadsheets names things in snake_case.
_CODE_CONTEXT: Final = re.compile(
    fold(
        r"(?<!\w)(?:python\w*|питон\w*|sql|api|json|yaml|xml|csv|html|css|js|php|"
        r"код\w*|скрипт\w*|script\w*|функци\w*|function\w*|переменн\w*|variable\w*|"
        r"метод\w*|method\w*|модул\w*|module\w*|класс\w*|class\w*|таблиц\w*|table\w*|"
        r"пол[еяю]|field\w*|столб\w*|column\w*|колонк\w*|ячейк\w*|формул\w*|excel|эксель\w*|"
        r"бот\w*|bot\w*|сервер\w*|server\w*|docker\w*|git|конфиг\w*|config\w*|"
        r"настро\w*|параметр\w*|param\w*|ошибк\w*|error\w*|exception|файл\w*|file\w*|"
        r"папк\w*|folder\w*|путь|path|сеть|сети|wifi|wi-fi|ssid|парол\w*|password|роутер\w*|"
        r"router|баз[аеуы]|database|программ\w*|программист\w*|developer|разработ\w*|"
        r"плагин\w*|plugin\w*|тег\w*|env|ключ\w*|key|"
        r"модел\w*|model|артикул\w*|sku|прошивк\w*|firmware|jupyter|colab|matplotlib|pandas|"
        r"numpy|flask|django|fastapi|react|vue|angular|laravel|kotlin|swift|java|golang|"
        r"typescript|javascript|npm|pip|notebook|ноутбук\w*)(?!\w)"
    )
)
_FILE_SUFFIX: Final = frozenset(
    _words(
        "py js ts html htm css json yaml yml md txt pdf doc docx xls xlsx csv jpg jpeg png "
        "gif zip rar exe sh log conf ini cfg sql xml php rb go java c h cpp mp3 mp4 avi mov"
    )
)
_ANY_DIGIT: Final = re.compile(r"\d")
_ANY_LATIN: Final = re.compile(r"[a-z]")
_MIN_BARE_HANDLE: Final = 5
_MAX_BARE_HANDLE: Final = 32


def _word_at(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> re.Match[str] | None:
    """The first match of ``pattern`` (words, with no look-behind so that the engine
    skips to their first letters) that starts a word."""
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        at = match.start()
        if at == 0 or not text[at - 1].isalpha():
            return match
    return None


def _original_case(text: Text, token: str) -> str | None:
    """``token`` as the client wrote it (case kept), when it stands in the text."""
    if token in text.original:
        return token
    match = re.search(re.escape(token), text.original, re.IGNORECASE)
    return None if match is None else match.group()


def _find_bare_handle(text: Text) -> Finding | None:
    """A handle given without a messenger's name or an ``@``: a handle-shaped word in a
    text that points at it (``пишите anna_photo_msk``, ``мой юз anna85``) and is not about
    code, files or networks, where words like that are names of things."""
    folded = text.text
    cues: bool | None = None
    code: list[tuple[int, int]] | None = None
    for start, end in _handle_places(folded):
        for match in _HANDLE_SHAPED.finditer(folded, start, end):
            token = match.group()
            letters = sum(char.isalpha() for char in token)
            if not _MIN_BARE_HANDLE <= len(token) <= _MAX_BARE_HANDLE or letters < 3:
                continue
            if token in _ORDINARY_WORDS or token.rsplit(".", 1)[-1] in _FILE_SUFFIX:
                continue
            written = _original_case(text, token)
            if written is None or written != written.lower():
                continue  # ``Brand_Moscow``, ``RTX3060``: names of things are written in capitals
            named = _NAMING_CUE.search(folded, max(0, match.start() - 40), match.start())
            if named is not None:
                return Finding("handle", named.start(), match.end())
            if "_" not in token and "." not in token:
                continue  # ``rtx3060``: letters and digits need a word that names a handle
            if code is None:
                code = [found.span() for found in _CODE_CONTEXT.finditer(folded)]
            if any(end <= match.start() or start >= match.end() for start, end in code):
                continue  # a text about code (the handle itself is no code word: ``bot_aaa``)
            if "_" in token:
                return Finding("handle", match.start(), match.end())
            if cues is None:
                cues = _word_at(_HANDLE_CUE, folded) is not None or bool(
                    _MESSENGER_ALONE.search(folded)
                )
            if cues:
                return Finding("handle", match.start(), match.end())
    return None


_NAMING_WORDS: Final = re.compile(fold(rf"(?:{_HANDLE_NAMES})(?![^\W\d_])"))
_BLANKS: Final = " \t\n"
_NAMED_REACH: Final = 48


def _handle_places(folded: str) -> list[tuple[int, int]]:
    """Where a bare handle may stand: the words holding an underscore, and those holding a
    dot and a digit, and the stretch after each word that names a handle. Looking there
    only (not over the whole text, whose folded Cyrillic is Latin letters) keeps it cheap."""
    places: list[tuple[int, int]] = []
    for char in "_.":
        at = folded.find(char)
        while at >= 0:
            start = max(folded.rfind(blank, 0, at) for blank in _BLANKS) + 1
            ends = [index for blank in _BLANKS if (index := folded.find(blank, at)) >= 0]
            end = min(ends, default=len(folded))
            if char == "_" or _ANY_DIGIT.search(folded, start, end) is not None:
                places.append((start, min(len(folded), end + 3)))
            at = folded.find(char, end)
    if _ANY_DIGIT.search(folded) is not None:
        for cue in _NAMING_WORDS.finditer(folded):
            if cue.start() == 0 or not folded[cue.start() - 1].isalpha():
                places.append((cue.end(), min(len(folded), cue.end() + _NAMED_REACH)))
    return places


# A Latin word as the client wrote it (case kept): a username is looked for among these.
_LATIN_TOKEN: Final = re.compile(
    r"[A-Za-z](?<![\w@.#/\-][A-Za-z])[A-Za-z0-9_]{2,31}(?:[.\-][A-Za-z0-9_]++){0,4}(?![\w@]|[.\-]\w)"
)
_HUMP: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# Given names and trades that usernames are made of (``KateSborka2024``, ``IvanSborkaMebeli``,
# ``SanyaSanteh77``, ``annaphoto``): a Latin word built of them is somebody's name.
_GIVEN_NAMES: Final = frozenset(
    _words(
        "ivan petr pyotr petya sergey sergei serega andrey andrei alexey aleksey alexei "
        "alex sasha sanya shura dmitry dmitriy dima nikolay kolya mikhail misha vladimir "
        "vova vlad oleg igor maksim maxim artem artyom denis roman roma pavel pasha yuri "
        "yura anton evgeny evgeniy zhenya kirill ilya nikita egor vadim viktor boris gleb "
        "stas ruslan timur arsen anna anya ann kate katya katia ekaterina olga olya elena "
        "lena natalia natalya natasha tatiana tatyana tanya irina ira maria masha svetlana "
        "sveta julia yulia yulya marina anastasia nastya daria dasha polina alina ksenia "
        "ksusha vera nadya nadezhda galina galya lyuba larisa oksana victoria viktoria vika "
        "sofia sonya kristina valentina valya ludmila luda nina zoya inna alla "
        "mike jess john lisa sarah emma lucy david james kevin steve jenny nancy molly"
    )
)
_TRADES: Final = frozenset(
    _words(
        "remont master santeh santehnik elektrik electrik gruz gruzchik gruzchiki sborka "
        "mebel mebeli klining cleaning uborka dostavka kurier kurer taxi taksi evakuator "
        "msk spb moskva mosc decor dekor foto photo nyanya repetitor posuda kreslo okna "
        "dveri plitka vyvoz pereezd stroy stroi manikur nails beauty massage massazh "
        "santeh elektro sadovnik povar tort torty"
    )
)
_NAME_PARTS: Final = _GIVEN_NAMES | _TRADES
_NAME_HEADS: Final = frozenset(name[:4] for name in _GIVEN_NAMES if len(name) >= 4)
_NAME_TAILS: Final = frozenset(name[-4:] for name in _GIVEN_NAMES if len(name) >= 4)
_TRADE_HEADS: Final = frozenset(trade[:3] for trade in _TRADES)
_NAME_ALTERNATIVES: Final = "|".join(
    sorted((part for part in _GIVEN_NAMES if len(part) >= 4), key=len, reverse=True)
)
_TRADE_ALTERNATIVES: Final = "|".join(sorted(_TRADES, key=len, reverse=True))
# A given name with something after or before it (``annaphoto``, ``remontivan``, ``olga1985``),
# or two trades (``remontmsk``); a trade and another word is an ordinary word
# (``photographer``).
_NAME_FIRST: Final = re.compile(
    rf"(?:{_NAME_ALTERNATIVES})(?P<rest>[a-z0-9]+)|(?:{_TRADE_ALTERNATIVES})(?P<trade>{_TRADE_ALTERNATIVES})"
)
_NAME_LAST: Final = re.compile(rf"(?P<rest>[a-z0-9]+?)(?:{_NAME_ALTERNATIVES})")
_BOT: Final = "bot"
_NOT_BOTS: Final = frozenset(_words("robot irobot chatbot telegrambot nanobot microbot"))
_MIN_PERSONAL: Final = 5


def _personal(token: str) -> bool:
    """Tell whether a Latin word is shaped like somebody's username: a Telegram bot's
    (``RemontVyvozBot``), letters ending in two digits or more with a small letter among
    them (``KateSborka2024``), or built of a given name or a trade and more
    (``IvanSborkaMebeli``, ``annaphoto``)."""
    lower = token.lower()
    if lower in _ORDINARY_WORDS or not any(char.islower() for char in token):
        return False  # ``RTX3060``, ``KB5034441``: capitals name things
    if lower.endswith(_BOT) and len(lower) >= 7 and lower not in _NOT_BOTS:
        return True
    humps = [hump.lower() for hump in _HUMP.findall(token)]
    if any(part in _NAME_PARTS for part in re.split(r"[-._]", lower) if part) and (
        "-" in token or "." in token or "_" in token
    ):
        return True  # ``ivan-remont``, ``anna.petrova.1987``
    words = [hump for hump in humps if hump.isalpha()]
    if len(words) >= 2 and lower[-2:].isdigit() and token[0].isalpha():
        return True  # ``KateSborka2024``; one word and a number is a product (``Insta360``)
    if len(humps) >= 2 and any(hump in _NAME_PARTS for hump in humps):
        return True
    if token[0].isupper() and token[1:].islower():
        return False  # ``Alexander``, ``Annapolis``: a name or a place written as one
    if (
        lower[:4] not in _NAME_HEADS
        and lower[-4:] not in _NAME_TAILS
        and lower[:3] not in _TRADE_HEADS
    ):
        return False  # no given name at either end, no trade first: no name built of them
    for pattern in (_NAME_FIRST, _NAME_LAST):
        built = pattern.fullmatch(lower)
        if built is not None:
            rest = built.group("rest")
            if rest is None or len(rest) >= 4 or rest in _NAME_PARTS or rest.isdigit():
                return True
    return False


def _find_personal_handle(text: Text) -> Finding | None:
    """A username given bare anywhere in a text that says where to write or find it (a
    messenger's name, ``пишите``, ``ник``, ``добавляйтесь``, ``подпись``), however far
    apart; a Telegram bot's username wherever it stands."""
    original = text.original
    if _ANY_LATIN.search(original.lower()) is None:
        return None
    if "#" in original:
        found = _find_hashtag_handle(text)
        if found is not None:
            return found
    tag = _GAME_TAG.search(original) if "#" in original else None
    if tag is not None and (_word_at(_HANDLE_CUE, text.text) or _MESSENGER_ALONE.search(text.text)):
        return (
            _span_in(text, tag.group())
            if len(text.text) != len(original)
            else Finding("handle", *tag.span())
        )
    meeting = _MEETING_CODE.search(original)
    if meeting is not None:
        return (
            Finding("handle", *meeting.span())
            if len(text.text) == len(original)
            else (_span_in(text, meeting.group()))
        )
    cue: bool | None = None
    for match in _LATIN_TOKEN.finditer(original):
        token = match.group()
        if len(token) < _MIN_PERSONAL or not _personal(token):
            continue
        bot = token.lower().endswith(_BOT)
        labelled = _LABEL_BEFORE.search(original, max(0, match.start() - 4), match.start())
        joined = sum(token.count(mark) for mark in "._-") >= 2 and token == token.lower()
        if not bot and labelled is None and not joined:  # ``kurier.ivan.msk`` needs no cue
            if cue is None:
                folded = text.text
                cue = (
                    _word_at(_HANDLE_CUE, folded) is not None
                    or _MESSENGER_ALONE.search(folded) is not None
                    or _has_messenger_symbol(folded)
                )
            if not cue:
                return None
        start, end = match.span()
        if text.starts is not None or len(text.text) != len(original):
            return _span_in(text, token)
        return Finding("handle", start, end)
    return None


_HASHTAG_BODY: Final = re.compile(r"(?<![\w#])#(?P<body>[^\W_][\w]{3,31})")


def _find_hashtag_handle(text: Text) -> Finding | None:
    """A hashtag that is somebody's username (``#ivanpetrov_uborka``, ``#ivanpetrov1985``,
    ``#АннаПетроваУборка``) in a text that says to look for it: a reader searches it."""
    folded = text.text
    if _word_at(_HANDLE_CUE, folded) is None and _MESSENGER_ALONE.search(folded) is None:
        return None
    for match in _HASHTAG_BODY.finditer(text.original):
        body = match.group("body")
        snake = "_" in body.strip("_") and body == body.lower()
        cyrillic_name = not body.isascii() and (
            "_" in body.strip("_") or sum(char.isupper() for char in body) >= 2
        )
        if snake or cyrillic_name or (body.isascii() and _personal(body)):
            if len(text.text) == len(text.original):
                return Finding("handle", *match.span())
            return _span_in(text, match.group())
    return None


# A game's tag (``Remontnik#2817``) and a video meeting's code (``abc-mnop-xyz``).
_GAME_TAG: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,15}#\d{4,5}(?!\d)")
_MEETING_CODE: Final = re.compile(r"(?<![\w\-])[a-z]{3}-[a-z]{4}-[a-z]{3}(?![\w\-])")
# «Kik: anna-msk», «ТТ — anna-dance»: a word and a colon or a dash, then the username.
_LABEL_BEFORE: Final = re.compile(r"[^\W\d_][ \t]*+[:—–][ \t]*+$")


def _span_in(text: Text, token: str) -> Finding | None:
    """The span of ``token`` in the normalised text (its letters lower-cased and folded)."""
    at = text.text.find(fold(token.lower()))
    return None if at < 0 else Finding("handle", at, at + len(token))


# A site's name and its top-level domain with a space or a line break for the dot:
# ``www musorvyvoz ru``, ``krovlyaivan ru``, ``ремонтиван рф`` (a name built of a trade or a
# given name: ``паспорт РФ``, ``USB com`` are no sites).
_WWW_SPACED: Final = re.compile(
    fold(
        r"(?<![\w.])(?:www|ввв)[ \t]++(?P<label>[^\W_][\w\-]{2,})[ \t]++"
        r"(?P<tld>ru|ру|рф|su|рус|com|ком|net|org|info|pro|io)(?![^\W\d_])"
    )
)
# Top-level domains a site's name may stand before with a space for the dot.
_SITE_ENDING_WORDS: Final = _words(
    "ru рф рус ком com net org su info pro io rf онлайн москва сайт дети бел укр су кз бай ру"
)
_SITE_ENDINGS: Final = frozenset(fold(tld) for tld in _SITE_ENDING_WORDS)
_SPACED_SITE: Final = re.compile(
    r"(?P<label>[^\W\d_](?<![\w.@#/\-][^\W\d_])[\w\-]{3,})[ \t]*+\n?[ \t]*+\(?"
    + f"(?P<tld>{'|'.join(sorted(_SITE_ENDINGS, key=len, reverse=True))})"
    + r"(?![\w\-.])"
)
_CYRILLIC_STEMS: Final = re.compile(
    fold(
        r"ремонт|мастер|вывоз|мебел|холод|кровл|кровел|сервис|клин|окна|окон|сантех|электр|"
        r"такси|груз|строй|уборк|достав|замк|замок|вскрыт|чист|дач|няня|муж|иван|ольг|анн|"
        r"петр|серг|мари|олег|дмитр|алекс|наташ|катя|кат[еи]"
    )
)
# A page on a site builder or a link page, its dots left out (``ivanphoto tilda ws``).
_BUILDER_SPACED: Final = re.compile(
    r"(?<![\w.])(?P<label>[a-z][a-z0-9\-]{2,})[ \t]++"
    r"(?:tilda|taplink|turbo|clients|ucoz|ukit|webflow|wordpress|wixsite|wix|blogspot|"
    r"narod|nethouse|jimdo|github|linktr)[ \t]++(?:ws|site|net|me|io|com|ee|ru|cc|su)(?![\w])"
    r"|(?<![\w.])linktr[ \t]++ee[ \t]*+/"
)


def _cyrillic_compound(label: str) -> bool:
    """A Cyrillic site's name: hyphenated words, or a trade or a given name and more."""
    if "-" in label.strip("-") and len(label) >= 7:
        return True
    stem = _CYRILLIC_STEMS.search(fold(label.lower()))
    return stem is not None and len(label) - (stem.end() - stem.start()) >= 3


# Without a dot, only these read as a site's end after a Latin word (``fishing net`` is a net).
_SITE_TLDS_LATIN: Final = frozenset(_words("ru com su rf"))


def _find_spaced_site(text: Text) -> Finding | None:
    folded = text.text
    if text.words.isdisjoint(_SITE_ENDINGS) and text.words.isdisjoint(_SPACED_SITE_WORDS):
        return None
    www = _WWW_SPACED.search(folded) or _BUILDER_SPACED.search(folded)
    if www is not None and _written_small(text, www.start(), www.end()):
        return Finding("link", www.start(), www.end())
    for match in _SPACED_SITE.finditer(folded):
        label, tld = match.group("label"), match.group("tld")
        if label in _ORDINARY_WORDS or match.group() == label + tld:
            continue
        written = _original_case(text, text.plain[match.start() : match.end()])
        if written is None or written != written.lower():
            continue  # «паспорт РФ», «USB com», «ASP NET»: capitals name things
        plain_label = text.plain[match.start("label") : match.end("label")]
        plain_tld = text.plain[match.start("tld") : match.end("tld")]
        if plain_label.isascii():  # a Latin name: a Latin ending that is no English word
            if (
                plain_tld in _SITE_TLDS_LATIN
                and plain_label.replace("-", "").isalpha()
                and len(plain_label) >= 5
            ):
                return Finding("link", match.start(), match.end())
        elif _cyrillic_compound(plain_label):  # ``вскрытие-замков``, ``ремонтиван``
            return Finding("link", match.start(), match.end())
    return None


_LABELLED_CYRILLIC: Final = re.compile(r"[:—–\-][ \t]*+(?P<word>[а-яё][а-яё\-]{6,})(?![\w])")
# A handle written in Cyrillic (or half in it) and marked as one: ``иван_петров88``,
# ``маша.нейлс_мск``, ``иванпетров88``.
_MARKED_CYRILLIC: Final = re.compile(
    r"[а-яёa-z](?<![\w@.#][а-яёa-z])[а-яёa-z0-9]*+(?:[_.][а-яёa-z0-9]++)++(?<=[а-яё\d])"
    r"|[а-яё](?<![\w@.#][а-яё])[а-яё]{2,}\d{2,}"
)
_MESSENGER_REACH: Final = 24


def _find_cyrillic_handle(text: Text) -> Finding | None:
    """A handle written in Cyrillic after a messenger's name and a colon (``телега:
    иванклин``, ``вк: ольгасадовод``): a word built of a given name or a trade and more,
    in small letters, is a username to be typed in Latin. The scan skips to the marks."""
    folded, plain = text.text, text.plain
    if "_" in plain or "." in plain or _ANY_DIGIT.search(plain):
        for marked in _MARKED_CYRILLIC.finditer(plain):
            word = marked.group()
            if not any("а" <= char <= "я" or char == "ё" for char in word):
                continue
            written = _original_case(text, word)
            if written is None or written != written.lower():
                continue  # «Сбер.Онлайн»: a product, written with capitals
            window = max(0, marked.start() - _MESSENGER_REACH)
            for messenger in _MESSENGER_ALONE.finditer(folded, window, marked.start()):
                return Finding("handle", messenger.start(), marked.end())
    for after in _LABELLED_CYRILLIC.finditer(plain):
        word = after.group("word")
        stem = _CYRILLIC_STEMS.search(fold(word))
        if stem is None or len(word) - (stem.end() - stem.start()) < 3:
            continue
        written = _original_case(text, word)
        if written is None or written != written.lower():
            continue
        window = max(0, after.start() - _MESSENGER_REACH)
        for messenger in _MESSENGER_ALONE.finditer(folded, window, after.start()):
            if not folded[messenger.end() : after.start()].strip(" \t"):
                return Finding("handle", messenger.start(), after.end())
    return None


_SPACED_SITE_WORDS: Final = frozenset({fold("ввв"), "ws", "ee", "site", "me", "cc"})


# A domain whose dot is written as another mark (``annaphoto:ru``, ``annaphoto_ru``,
# ``annaphoto..ru``), or an e-mail's (``anna@annaphoto;ru``).
_MARKED_DOMAIN: Final = re.compile(
    r"(?P<label>[a-z](?<![\w.#/\\\-][a-z])[a-z0-9\-]{3,})"
    r"(?:[:;*_/\\\-|~^+(\[]|\.{2,}|[ \t]*+[\u2190-\u2bff\U0001f000-\U0001faff][\ufe0f]?[ \t]*+)"
    + fold(r"(?P<tld>ru|su|com|net|org|info|online|site|pro|shop|store|рф|рус)(?![\w\-]|\.\w)")
)
# A domain told in words: ``annaphoto, домен ру``, ``annaphoto в зоне рф``, ``набирайте
# annaphoto и ру через точку``.
_TOLD_DOMAIN: Final = re.compile(
    r"(?<![\w@.#/])(?P<label>[^\W\d_][\w\-]{3,})(?![\w.@])(?P<gap>(?:[^\n]|\n(?!\n)){1,40}?)"
    + fold(
        r"(?<![^\W\d_])(?P<tld>ru|ру|рф|su|су|рус|com|ком|net|нет|org|орг|info|инфо|"
        r"эр[ \t]*+эф|эр[ \t]*+у)"
    )
    + r"(?![^\W\d_])(?P<after>[^\n]{0,24})"
)
_DOMAIN_WORD: Final = re.compile(
    fold(
        r"(?:домен\w*|зон[аеуы]\w*|точк\w*|dot|domain\w*|zone|окончани\w*|ending|"
        r"расширени\w*|extension)(?![^\W\d_])"
    )
)


_LETTER_NAMED_TLD: Final = re.compile(
    fold(
        r"(?P<label>[^\W\d_][\w\-]{3,})[ \t]*+[.,]?[ \t]*+(?:эр[ \t]*+эф|эр[ \t]*+у|эс[ \t]*+у)"
        r"(?![^\W\d_])"
    )
)


# A handle put together by instructions (``Телега: имя (ivan) + подчёркивание + plotnik``,
# ``Инста: первая часть — beauty, вторая — lena, между ними точка``): a messenger's name,
# then Latin words (and numbers) with words that say how to join them.
_ASSEMBLY: Final = re.compile(
    r"слитно|подч[её]рк\w*|между[ \t]++ними|(?:перв|втор|треть|последн)\w*[ \t]++част\w*|"
    r"склеи\w*|склей\w*|соедин\w*|underscore|(?P<plus>(?<=\s)\+(?=\s))"
)
_ASSEMBLY_START: Final = re.compile(
    fold(rf"(?<![^\W\d_])(?:{_MESSENGER_WORDS}|ник\w*|nick\w*|логин\w*|login)(?![^\W\d_])")
)
_LATIN_PIECE: Final = re.compile(r"(?<![\w@.])[a-z][a-z0-9]{2,}(?![\w@])|(?<![\w.])\d{2,}(?![\w.])")
# What the text must hold for the pattern to match (in the folded copy): a cheap test first.
_ASSEMBLY_WORDS: Final = tuple(
    fold(word) for word in ("слитн", "подч", "между", "част", "скле", "соедин", "underscore", " + ")
)
_ASSEMBLY_REACH: Final = 160
_MIN_PIECES: Final = 2


def _find_assembled_handle(text: Text) -> Finding | None:
    if not any(word in text.text for word in _ASSEMBLY_WORDS):
        return None
    plain = text.plain
    if _ASSEMBLY.search(plain) is None:
        return None
    for start in _ASSEMBLY_START.finditer(text.text):
        if start.group() in _AMBIGUOUS:
            continue
        end = plain.find("\n\n", start.end())
        window_end = min(len(plain), start.end() + _ASSEMBLY_REACH, len(plain) if end < 0 else end)
        told = [*_ASSEMBLY.finditer(plain, start.end(), window_end)]
        if not told:
            continue
        pieces = [
            piece
            for piece in _LATIN_PIECE.finditer(plain, start.end(), window_end)
            if piece.group() not in _ORDINARY_WORDS
        ]
        words = [piece for piece in pieces if piece.group()[0].isalpha()]
        needed = 1 if any(how.group("plus") is None for how in told) else _MIN_PIECES
        if len(pieces) >= _MIN_PIECES and len(words) >= needed:
            return Finding("handle", start.start(), pieces[-1].end())
    return None


def _find_told_domain(text: Text) -> Finding | None:
    folded = text.text
    if fold("эр") in folded or fold("эс") in folded:
        named = _LETTER_NAMED_TLD.search(folded)
        if named is not None:
            return Finding("link", named.start(), named.end())
    if _ANY_LATIN.search(folded) is None:
        return None
    code: bool | None = None
    for match in _MARKED_DOMAIN.finditer(folded):
        label = match.group("label")
        if label in _ORDINARY_WORDS:
            continue
        if code is None:
            code = _CODE_CONTEXT.search(folded) is not None
        if code and folded[match.end("label")] not in ":;*.":
            continue  # ``locale-ru``, ``page_ru`` in a text about code
        start = match.start()
        kind = "email" if start > 0 and folded[start - 1] == "@" else "link"
        if kind == "email":
            local = re.search(r"[\w.+\-]+$", folded[: start - 1])
            start = local.start() if local is not None else start - 1
        return Finding(kind, start, match.end())
    if _word_at(_DOMAIN_WORD, folded) is None:
        return None
    told = _TOLD_DOMAIN.search(folded)
    while told is not None:
        around = told.group("gap") + " " + told.group("after")
        plain_label = text.plain[told.start("label") : told.end("label")]
        if not plain_label.isascii() and not _cyrillic_compound(plain_label):
            # «Продлить домен в зоне .рф»: a verb, no site's name; a name may follow it
            told = _TOLD_DOMAIN.search(folded, told.end("label"))
            continue
        if (
            _word_at(_DOMAIN_WORD, around) is not None
            and told.group("label") not in _ORDINARY_WORDS
        ):
            return Finding("link", told.start(), told.end("tld"))
        told = _TOLD_DOMAIN.search(folded, told.end("label"))
    return None


# A local landline after a word that says it is a telephone: ``домашний 2-34-56``,
# ``код 48234, номер 2-15-67`` (five or six digits, written in pairs after the first).
_LANDLINE_CUE: Final = re.compile(
    fold(
        r"(?:домашн\w*|стационарн\w*|городск\w*|телефон\w*|тел|звон\w*|"
        r"позвон\w*|набир\w*|номер[ \t]++телефон\w*|landline|phone)(?![^\W\d_])"
    )
)
_LANDLINE: Final = re.compile(
    r"(?<![\d\-])\d{1,2}(?:[ \t]*+[\-–—][ \t]*+|[ \t]++)\d{2}"
    r"(?:[ \t]*+[\-–—][ \t]*+|[ \t]++)\d{2}(?![\d]|[ \t]*+[\-–—:.,]\d)"
)
_LANDLINE_REACH: Final = 48


def _find_landline(digits: Text) -> Finding | None:
    """``digits``: the phone copy of the text."""
    text = digits.text
    for cue in _LANDLINE_CUE.finditer(text):
        if cue.start() > 0 and text[cue.start() - 1].isalpha():
            continue  # inside a word
        window_end = min(len(text), cue.end() + _LANDLINE_REACH)
        number = _LANDLINE.search(text, cue.end(), window_end)
        if number is not None and "\n" not in text[cue.end() : number.start()]:
            return Finding("phone", number.start(), number.end())
    return None


# The detector -----------------------------------------------------------------------------


def _detect(text: Text) -> Finding | None:
    for finder in (
        _find_email,
        _find_link,
        _find_handle,
        _find_bare_handle,
        _find_personal_handle,
        _find_told_domain,
        _find_spaced_site,
        _find_cyrillic_handle,
        _find_assembled_handle,
    ):
        found = finder(text)
        if found is not None:
            return found
    digits = phone_copy(text)
    number = find_number(digits.text)
    if number is None:
        loose = lookalike_digits(digits.text)
        if loose is None:
            return _find_landline(digits)
        number = find_number(loose)
        if number is None or number.kind != "phone":
            return None
        span = slice(number.start, number.end)
        changes = [
            before
            for before, after in zip(digits.text[span], loose[span], strict=True)
            if before != after
        ]
        read = len(changes) if len(set(changes)) > 1 else 0
        if read < MIN_LOOKALIKE_LETTERS or loose[span].isalnum():
            return None  # one glued token is a model number (``AB00A0000A``)
    return Finding(number.kind, number.start, number.end)


def find_contact(text: str) -> Finding | None:
    """The first contact found in ``text`` with its span in ``text``, or ``None``."""
    found = _find_as_written(text)
    if found is not None:
        return found
    for _, reading in readings(text, _is_messenger_word):
        found = _find_as_written(reading.text)
        if found is not None:
            return Finding(found.kind, *reading.span(found.start, found.end))
    return None


def _find_as_written(text: str) -> Finding | None:
    normal = normalise(text)
    found = _detect(normal)
    if found is None:
        found = _find_reversed(text, normal)
        if found is None:
            cued = find_cued_phone(text) if may_have_cue(normal.words) else None
            if cued is None and any(len(word) >= _MIN_GLUED for word in normal.words):
                cued = find_glued_phone(text)
            if cued is not None:
                return Finding("phone", *cued)
        return found
    return _locate(text, found)


_MIN_GLUED: Final = 18


def _is_messenger_word(word: str) -> bool:
    return _MESSENGER_WORD.fullmatch(fold(word)) is not None


# «читать наоборот», «backwards»: the text says a handle or a number is written reversed.
_REVERSAL_MARK: Final = re.compile(
    fold(
        r"наоборот|задом[ \t]*+(?:на)?перед|справа[ \t]++налево|с[ \t]++конца|"
        r"в[ \t]++обратн\w*|обратн\w*[ \t]++порядк\w*|зеркальн\w*|перевернут\w*|"
        r"перевёрнут\w*|reverse\w*|backwards?|right[ \t]++to[ \t]++left|mirror\w*|"
        r"al[ \t]++rev[eé]s|r[uü]ckw[aä]rts|à[ \t]++l'envers|навпаки|задом"
    )
)
_TOKEN: Final = re.compile(r"[A-Za-z0-9_.]{3,}")


def _find_reversed(text: str, normal: Text) -> Finding | None:
    """A contact written backwards when the text says so: each Latin word and number
    reversed where it stands (a handle), then the whole text (a number's groups)."""
    if not _REVERSAL_MARK.search(normal.text):
        return None
    in_place = _TOKEN.sub(lambda match: match.group()[::-1], text)
    found = _detect(normalise(in_place))
    if found is not None:
        return _locate(in_place, found)
    backwards = text[::-1]
    found = _detect(normalise(backwards))
    if found is not None:
        located = _locate(backwards, found)
        return Finding(located.kind, len(text) - located.end, len(text) - located.start)
    return None


def _locate(text: str, found: Finding) -> Finding:
    """The finding again, on a tracked copy, so that its span is one of ``text``."""
    tracked = normalise(text, track=True)
    again = _detect(tracked)
    if again is None or again.kind != found.kind:  # pragma: no cover - the same function
        return Finding(found.kind, 0, len(text))
    stage = tracked if again.kind in ("email", "link", "handle") else phone_copy(tracked)
    start, end = stage.span(again.start, again.end)
    return Finding(again.kind, start, end)


def contains_contact(text: str) -> bool:
    """Tell whether ``text`` carries any contact."""
    return find_contact(text) is not None


def find_in_fields(fields: dict[str, str | None]) -> FieldFinding | None:
    """The first contact in the texts of one thing, checked alone and then together.

    Together means each text followed by the next one (in the given order) on a line of
    its own, so a number split between two fields is seen whole. A finding that spans
    two fields is reported in the later one, clipped to it.
    """
    present = [(name, value) for name, value in fields.items() if value]
    for name, value in present:
        found = find_contact(value)
        if found is not None:
            return FieldFinding(name, found.kind, found.start, found.end)
    # Each text followed by each other one, in both orders: the reader sees them side by
    # side whatever order the page shows them in.
    for (first, head), (second, tail) in itertools.permutations(present, 2):
        joined = f"{head}\n{tail}"
        found = find_contact(joined)
        if found is None:
            continue
        offset = len(head) + 1
        if (
            second == "city"
            and found.kind == "email"
            and found.start < offset
            and "@" not in head[found.start :]
            and tail[: found.end - offset].strip() == tail.strip()
        ):
            continue  # «… 40 минут. Собака добрая.» and «Москва»: a dog, and the city
        if found.end <= offset:  # pragma: no cover - already found alone
            return FieldFinding(first, found.kind, found.start, min(found.end, len(head)))
        tail_part = tail[: found.end - offset]
        if (
            found.start < offset
            and " " not in tail_part.strip()
            and len(head) - found.start > len(tail_part)
        ):
            # Only a word of the second text was read with it (``ivan@buhgalter-msk`` and the
            # city «Москва» as its domain): the first is the one to rephrase.
            return FieldFinding(first, found.kind, found.start, len(head), second)
        return FieldFinding(
            second, found.kind, max(0, found.start - offset), found.end - offset, first
        )
    city = fields.get("city")
    if city:
        others = " ".join(value for name, value in present if name != "city")
        odd = _odd_city(city, others)
        if odd is not None:
            return FieldFinding("city", *odd, together_with=_first_other(present))
    return None


def _first_other(present: list[tuple[str, str]]) -> str | None:
    """The first field that is not the city (the one a city's odd part continues)."""
    return next((name for name, _ in present if name != "city"), None)


# A city is a place name. Number words or Roman numerals in it are the start of a number
# (``Самара восьмёрка девятка``, ``Москва VIII IX``), and a Latin word after a Cyrillic
# name a handle (``Москва ivanremont``): a place is named in one script.
_CITY_WORD: Final = re.compile(r"[^\W\d_]+")
_CITY_ROMAN: Final = re.compile(
    r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
)
_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")
_LATIN_WORD: Final = re.compile(r"[A-Za-z]{3,}")
_DIGIT: Final = re.compile(r"\d")


def _odd_city(city: str, others: str) -> tuple[str, int, int] | None:
    """What in a city field no place name holds: (kind, start, end), or ``None``."""
    numbers: list[re.Match[str]] = []
    latin: list[re.Match[str]] = []
    for word in _CITY_WORD.finditer(city):
        token = word.group()
        if fold(token.lower()) in NUMBER_WORDS or _CITY_ROMAN.fullmatch(token):
            numbers.append(word)
        elif _LATIN_WORD.fullmatch(token):
            latin.append(word)
    if len(numbers) >= 2 or (numbers and _DIGIT.search(others)):
        return "phone", numbers[0].start(), numbers[-1].end()
    if latin and _CYRILLIC.search(city):
        return "handle", latin[0].start(), latin[-1].end()
    domain = _CITY_DOMAIN.search(city)
    if domain is not None:
        return "link", domain.start(), domain.end()
    return None


# A city written as a domain with its dot left out (``okna-master ru``).
_CITY_DOMAIN: Final = re.compile(
    r"[A-Za-z][A-Za-z0-9\-]{2,}[ \t.\-]+(?:ru|com|net|org|su|info|pro|рф|ру)(?![^\W\d_])",
    re.IGNORECASE,
)


_MAX_CUTS: Final = 8
_NAME_EDGES: Final = " \t\n-–—:;,.|/\\()[]{}<>\"'«»+*#=_~"


def public_name(name: str | None) -> str | None:
    """A name as it may be shown to everybody: the parts that carry a contact cut out.

    ``Иван +7 999 123-45-67 @ivan_petrov`` becomes ``Иван``; a name that is nothing but
    a contact becomes ``None``.
    """
    if not name:
        return name
    for _ in range(_MAX_CUTS):
        found = find_contact(name)
        if found is None:
            break
        name = f"{name[: found.start]} {name[found.end :]}"
    else:
        return None
    kept = " ".join(name.split()).strip(_NAME_EDGES)
    return kept or None
