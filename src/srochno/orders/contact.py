"""Detection of contact details in public texts.

A description (and every other public text) is shown for free while the
client's contact is sold to executors, so it must not carry a way to reach
someone directly. :func:`find_contact` names the kind of contact found,
:func:`contains_contact` only tells whether there is one. Both are pure and
linear in the length of the text: every pattern is precompiled, anchored by a
look-behind so that it is tried once per word, and its repeated parts are
possessive or made of disjoint classes, so nothing backtracks over the same
characters twice.

Normalisation (:mod:`srochno.orders.contact_normalize`), then detection.

1. NFKC (fullwidth and mathematical letters, digits and punctuation become
   ASCII, ``①`` becomes ``1``), then lower case.
2. Dropped: every character of Unicode categories Cc (except line breaks and
   tabs), Cf (zero-width characters, LRM/RLM, bidi controls, word joiner, tag
   characters U+E0000-U+E007F, soft hyphen, ...), Mn and Me (combining marks,
   variation selectors, the keycap sign), Cs, Co and Cn, and the Hangul
   fillers U+115F, U+1160, U+3164, U+FFA0. Unicode spaces and the braille
   blank become a space, line and paragraph separators a line break, dashes
   and minus signs ``-``, middle dots, bullets and ideographic full stops
   ``.``, every other Unicode digit its ASCII digit.
3. ``dot``, ``точка``, ``тчк`` between spaces or in brackets become ``.``;
   ``at``, ``собака``, ``sobaka`` between spaces or in brackets become ``@``.
4. Letters that look like Latin letters (Cyrillic ``а в е к м н о р с т у х
   і ј ...``, Greek, Armenian, small capitals) are folded to those Latin
   letters in a second copy of the same length, so a detector can still see
   which characters were really Latin.
5. For phones only: number words become digits, read as they are said
   (``девятьсот девяносто девять`` is ``999``, ``nine hundred`` is ``900``),
   and in a token made only of digits and ``o``, ``i``, ``l``, ``з`` (after
   folding, so ``О``, ``I`` and ``З`` too) that holds a digit or stands between
   two digits, those letters become ``0``, ``1``, ``1``, ``3`` (``9OO`` is
   ``900``, ``123 ОО 67`` is ``123 00 67``; a word like ``UE55AU7100`` is left
   alone). ``|`` separates groups rather than standing for ``1``; ``б`` and
   ``ч`` are not read as ``6`` and ``4`` because ``5б`` and ``8ч`` are a house
   and a number of hours.

Kinds, checked in this order; the first kind found is reported
    ``email``
        ``local@domain``, with spaces around ``@`` and the dots allowed, where
        the domain ends in a real top-level domain or is a mail provider's
        name (``ivan@gmail``, ``ivan собака яндекс``).
    ``telegram_link``
        ``t.me``, ``telegram.me``, ``telegram.dog`` (spaces around the dot,
        look-alike letters, ``t·me`` and ``t me/name`` included) and ``tg://``.
    ``url``
        A scheme (``http://``, ``https://``, ``ftp://``), ``www.``, or a bare
        domain: labels joined by dots (or by a dot with spaces before it, or
        ``dot``/``точка``; a dot followed by spaces only counts when a ``/``
        follows the domain) whose last label is a top-level domain of the
        Public Suffix List bundled with ``tldextract`` (read offline, Latin
        and internationalised ones alike: ``.рф``, ``.москва``, ``.онлайн``),
        or ``.ру``. A last label written partly with Cyrillic look-alikes
        (``vk.соm``) or digits (``vk.c0m``) counts when the domain has a real
        Latin letter; an all-Cyrillic look-alike of ``.com`` or ``.me``
        (``вк.сом``) counts too.
        Allowed on purpose: a Russian abbreviation before a Cyrillic domain
        (``г.Москва``, ``ул.Москва``: ``москва`` is a real top-level domain);
        abbreviations whose last part is no top-level domain (``т.е.``,
        ``и т.д.``, ``ул.Ленина``, ``v.2``, ``10.5``, ``e.g.``); labels with
        ``_``, which no host name has (``my_script.py``); a file name, that
        is one name and an extension that is also a top-level domain (``.py
        .sh .md .rs .pl .zip .mov .java``) with no ``/`` after it
        (``main.py``, ``README.md``); and the technology names ``ASP.NET``,
        ``VB.NET``, ``ADO.NET``, ``Socket.IO``. Refused on purpose: any other
        word.word on a real top-level domain, even a typo such as
        ``help.Call`` (``.call`` is a top-level domain).
    ``username``
        ``@`` (optionally followed by one space) and a Latin letter, then 4 to
        31 characters of ``[a-z0-9_.]`` with at least one real Latin letter or
        digit, not preceded by a word character (so ``ivan@home`` and
        ``@сестра`` are not usernames, and ``@home`` is too short).
    ``messenger``
        A messenger's name (``telegram``, ``tg``, ``тг``, ``whatsapp``,
        ``вотсап``, ``viber``, ``vk``, ``вк``, ``instagram``, ``skype``,
        ``discord``, ...) followed by a handle of Latin letters, digits, ``_``
        and ``.``. After ``:``, ``-``, ``=``, ``@`` or ``id`` a handle of three
        or more characters (or five or more digits) counts; after a plain
        space it must have a digit, ``_`` or ``.``, or five or more letters
        and not be an ordinary word (``telegram bot``, ``whatsapp business``
        pass). Names that are also words or abbreviations (``vk``, ``wa``,
        ``ig``, ``fb``, ``inst``, ``signal``) need the stronger form. ``max``
        and ``ok`` are left out: they are far more often ordinary words.
    ``phone``
        See below; also any run of number words spelling seven or more digits.

Phones (:mod:`srochno.orders.contact_phone`)
    1. A *run* is a maximal stretch of digit groups separated by anything but
       letters and ``% ‰ ° № = < > × ₽ $ € £ ¥ ₸ ₴ ₼ ₾ ¢``: spaces, line
       breaks, ``- . , / _ * | : ; ( ) # +`` and emoji all join groups.
    2. Dates (``01.12.2026``, ``12/05/25``, ``2025-05-12``), times (``15:30``,
       ``9.00``) and day.month pairs (``31.05``) not glued by a dot, colon,
       slash or dash to a digit on their left (nor by a dot, colon or slash on
       their right) are barriers: no phone is read across them. One joined
       only by spaces to a plain number is part of that number, so
       ``8 999 1 23.12.05`` is still read whole.
    3. A *window* is a sequence of consecutive groups between barriers. It
       neither begins nor ends inside a number grouped by thousands
       (``1 500 000``: groups of three after a single space or dot), unless
       that number has more than nine digits, which no price has.
    4. A window with *n* digits is phone-shaped when: the run starts with
       ``+``, the window starts at its first group and 8 <= n <= 15; or
       n = 11 and it starts with 7 or 8 and then 3-9; or n = 10 and it starts
       with 3, 4, 8 or 9; or n = 12 and it starts with a CIS country code
       (375, 380, 992-998); or n = 7 written 3-2-2 with spaces, dashes or dots
       (``123-45-67``).
    5. A phone-shaped window is still no phone when it is a range of two round
       amounts (multiples of 100, low <= high <= 10 * low: ``30 000 - 40 000``,
       ``35000-45000``), or a list of three or more numbers of one length in
       increasing order (sizes ``42, 44, 46, 48, 50``).

    So prices, ranges, dates, times, sizes (``200x60x236``), floors,
    intercom codes, ИНН (10 digits starting 7) and model numbers pass, while
    a phone number passes only when shorter than seven digits.
"""

from __future__ import annotations

import functools
import re
from typing import Final

import tldextract

from srochno.orders.contact_normalize import NormalText, fold, normalise, phone_text
from srochno.orders.contact_phone import has_phone

__all__ = ["contains_contact", "find_contact"]

_MIN_SPELLED_DIGITS: Final = 7


def _words(text: str) -> list[str]:
    return text.split()


_ABBREVIATIONS: Final = frozenset(
    _words(
        "г гор ул д дом пр просп пер пл наб ш бул мкр мкрн р-н рн обл пос п с дер ст "
        "кв корп стр им т м тел тц жк пн вт ср чт пт сб вс см"
    )
)
_FILE_EXTENSIONS: Final = frozenset(_words("py sh md rs pl zip mov java"))
_TECH_NAMES: Final = frozenset({"asp.net", "vb.net", "ado.net", "socket.io"})
_TRANSLITERATED_TLDS: Final = frozenset({"ру"})
_LOOKALIKE_TLDS: Final = frozenset({"com", "me"})
_DIGITS_FOR_LETTERS: Final = (str.maketrans("013", "ole"), str.maketrans("013", "ile"))
_MAX_DOMAIN_LABELS: Final = 10
_MAIL_PROVIDERS: Final = frozenset(
    fold(name)
    for name in _words(
        "gmail googlemail yandex ya mail inbox list bk rambler outlook hotmail live yahoo "
        "icloud proton protonmail gmx ukr яндекс мейл маил джимейл гмейл рамблер"
    )
)

_EMAIL: Final = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]++[ \t]*+@[ \t]*+"
    r"(?P<domain>[\w\-]++(?:[ \t]*+\.[ \t]*+[\w\-]++)*+)"
)
_TELEGRAM: Final = re.compile(
    r"(?<![\w.@\-'’])(?:t|telegram|tg)[ \t]*+\.[ \t]*+(?:me|dog)(?![\w\-])"
    r"|(?<![\w.@\-'’])t[ \t]*+\.?[ \t]*+me[ \t]*+/[ \t]*+\w"
    r"|(?<!\w)tg[ \t]*+:[ \t]*+/[ \t]*+/"
)
_SCHEME: Final = re.compile(
    r"(?<!\w)(?:https?|ftp)[ \t]*+:[ \t]*+/[ \t]*+/|(?<![\w.\-])www[ \t]*+\.[ \t]*+[^\W_]"
)
_LABEL: Final = r"[^\W_][\w\-]*+"
_DOMAIN: Final = re.compile(
    rf"(?<![\w.@/\-'’])(?P<domain>{_LABEL}(?:(?:\.|[ \t]++\.[ \t]*+){_LABEL})++)(?P<path>[ \t]*+/)?"
)
_SPACED_DOMAIN: Final = re.compile(
    rf"(?<![\w.@/\-'’])(?P<domain>{_LABEL}\.[ \t]++{_LABEL})[ \t]*+/"
)
_USERNAME: Final = re.compile(r"(?<![\w.@])@[ \t]?(?P<handle>[a-z][a-z0-9_.]{3,30}[a-z0-9_])(?!\w)")

_MESSENGERS: Final = _words(
    "telegram telega tg tlg whatsapp whatsap watsapp vatsap viber skype vkontakte instagram "
    "insta discord icq facebook tiktok snapchat wechat threema "
    "телеграм телеграмм телеграме телеграмме телега телеге тг тлг вотсап вотсапп вотсапе "
    "ватсап ватсапп ватсапе вацап вайбер вайбере вибер скайп скайпе вконтакте инстаграм "
    "инстаграмм инстаграме инста инсте дискорд дискорде аська фейсбук тикток одноклассники"
)
_AMBIGUOUS_MESSENGERS: Final = _words("vk вк wa ig fb inst инст signal сигнал")
_PREFIXES: Final = sorted(
    {fold(name) for name in _MESSENGERS + _AMBIGUOUS_MESSENGERS}, key=len, reverse=True
)
_MESSENGER: Final = re.compile(
    rf"(?<!\w)(?P<prefix>{'|'.join(map(re.escape, _PREFIXES))})(?![^\W\d_])"
    rf"(?P<id>[ \t]*+(?:id|{fold('ид')}|{fold('айди')})(?![^\W\d_]))?"
    r"(?P<sep>[ \t]*+[:=\-][ \t]*+|[ \t]++)?"
    r"(?P<at>@[ \t]?)?"
    r"(?P<handle>[a-z0-9][a-z0-9_.]*+)"
)
_AMBIGUOUS: Final = frozenset(fold(name) for name in _AMBIGUOUS_MESSENGERS)
_ORDINARY_WORDS: Final = frozenset(
    {fold(name) for name in _MESSENGERS + _AMBIGUOUS_MESSENGERS}
    | set(
        _words(
            "bot bots channel channels chat chats group groups premium business app apps web api "
            "ads stars mini desktop android ios iphone pay wallet story stories reels market video "
            "videos call calls voice sticker stickers emoji link links account accounts login "
            "online messenger server servers cloud play music pro plus post posts profile page "
            "shop store please only with from about after before today there where which other "
            "message messages write text contact send link and the for not now then when this "
            "that your mine here also or"
        )
    )
)
_MIN_STRONG_HANDLE: Final = 3
_MIN_WEAK_HANDLE: Final = 5
_MIN_NUMERIC_HANDLE: Final = 5


def find_contact(text: str) -> str | None:
    """Return the kind of contact found in ``text``, or ``None``.

    The kind is one of ``"email"``, ``"telegram_link"``, ``"url"``,
    ``"username"``, ``"messenger"``, ``"phone"``; when several are present,
    the first in this order is returned.
    """
    normal = normalise(text)
    if _has_email(normal):
        return "email"
    if _TELEGRAM.search(normal.folded):
        return "telegram_link"
    if _SCHEME.search(normal.folded) or _has_domain(normal):
        return "url"
    if _has_username(normal):
        return "username"
    if _has_messenger_handle(normal):
        return "messenger"
    digits, spelled = phone_text(normal.folded)
    if spelled >= _MIN_SPELLED_DIGITS or has_phone(digits):
        return "phone"
    return None


def contains_contact(text: str) -> bool:
    """Tell whether ``text`` carries any contact detail."""
    return find_contact(text) is not None


@functools.cache
def _top_level_domains() -> frozenset[str]:
    """The top-level domains of the bundled Public Suffix List snapshot.

    No list URL and no cache directory: ``tldextract`` reads the snapshot
    shipped inside the package and never touches the network or the disk.
    """
    extractor = tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
    )
    names = {suffix for suffix in extractor.tlds if "." not in suffix}
    for name in list(names):
        if not name.isascii():
            try:
                names.add(name.encode("idna").decode("ascii"))
            except UnicodeError:
                continue
    return frozenset(names)


def _labels(text: str) -> list[str]:
    return [label.strip(" \t") for label in text.split(".")]


def _has_email(normal: NormalText) -> bool:
    for match in _EMAIL.finditer(normal.folded):
        start, end = match.span("domain")
        folded = _labels(normal.folded[start:end])
        if len(folded) == 1:
            if folded[0] in _MAIL_PROVIDERS:
                return True
        elif _is_domain(_labels(normal.plain[start:end]), folded, file_name_allowed=False):
            return True
    return False


def _has_domain(normal: NormalText) -> bool:
    for pattern in (_DOMAIN, _SPACED_DOMAIN):
        for match in pattern.finditer(normal.folded):
            start, end = match.span("domain")
            plain = _labels(normal.plain[start:end])
            folded = _labels(normal.folded[start:end])
            path = pattern is _SPACED_DOMAIN or match.group("path") is not None
            for size in range(2, min(len(plain), _MAX_DOMAIN_LABELS) + 1):
                whole = size == len(plain)
                if _is_domain(plain[:size], folded[:size], file_name_allowed=not (whole and path)):
                    return True
    return False


def _is_domain(plain: list[str], folded: list[str], *, file_name_allowed: bool) -> bool:
    """Tell whether the labels make a host name on a real top-level domain."""
    if any(not label or "_" in label for label in plain):
        return False
    tld, folded_tld = plain[-1], folded[-1]
    if not tld[0].isalpha():
        return False
    if len(plain) == 2 and plain[0] in _ABBREVIATIONS:
        return False
    if ".".join(folded) in _TECH_NAMES:
        return False
    if file_name_allowed and len(plain) == 2 and tld in _FILE_EXTENSIONS:
        return False
    tlds = _top_level_domains()
    if tld in tlds or tld in _TRANSLITERATED_TLDS:
        return True
    if any("a" <= char <= "z" for label in plain for char in label):
        spellings = {folded_tld} | {folded_tld.translate(table) for table in _DIGITS_FOR_LETTERS}
        return any(spelling in tlds for spelling in spellings)
    return (
        folded_tld in _LOOKALIKE_TLDS
        and len(folded[-2]) >= 2
        and all(label.isascii() for label in folded)
    )


def _has_username(normal: NormalText) -> bool:
    for match in _USERNAME.finditer(normal.folded):
        start, end = match.span("handle")
        if _has_latin(normal.plain[start:end]):
            return True
    return False


def _has_messenger_handle(normal: NormalText) -> bool:
    for match in _MESSENGER.finditer(normal.folded):
        start, end = match.span("handle")
        handle = match.group("handle").rstrip(".")
        separator = match.group("sep")
        if separator is None and match.group("at") is None and match.group("id") is None:
            continue
        if not _has_latin(normal.plain[start:end]) or handle in _ORDINARY_WORDS:
            continue
        strong = bool(match.group("id") or match.group("at") or (separator and separator.strip()))
        marked = any(char in handle for char in "_.0123456789")
        if handle.isdigit():
            found = strong and len(handle) >= _MIN_NUMERIC_HANDLE
        elif strong:
            found = len(handle) >= _MIN_STRONG_HANDLE
        elif match.group("prefix") in _AMBIGUOUS:
            found = marked and len(handle) >= _MIN_STRONG_HANDLE
        else:
            found = (marked and len(handle) >= _MIN_STRONG_HANDLE) or len(
                handle
            ) >= _MIN_WEAK_HANDLE
        if found:
            return True
    return False


def _has_latin(text: str) -> bool:
    return any(char.isascii() and char.isalnum() for char in text)
