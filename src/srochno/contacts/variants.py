"""Other readings of a text: what a reader sees that the characters do not say directly.

A text may carry a contact in a form a reader decodes without effort but the detector's
classes do not: an escape a browser or a chat would render (``&#46;``, ``%2E``,
``\\u002e``), a right-to-left override that shows ``ur.otohpanna`` as ``annaphoto.ru``, a
flag standing for a country domain (``annaphoto.🇷🇺``), letters held long (``воооосемь``),
remarks in brackets between a number's groups, a dictation's dots, letters to be dialled
on a keypad (``8-800-REMONT1``), text turned upside down — *decoded* readings — and
words spaced, dotted or marked out letter by letter (``Т Е Л Е Г Р А М``, ``т.г.``,
``k🌸a🌸t🌸e``), digits standing in a messenger's name (``te1egram``), or a handle's
words to be joined by underscores when the text says so — *joined* readings. Both are
checked like any text; single digits are never joined (that would make numbers of
ordinary texts).

Each reading keeps, for each of its characters, where it came from, so a finding in it
names a span of the text the client wrote. Pure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

__all__ = ["Reading", "decoded", "joined", "readings"]


@dataclass(frozen=True, slots=True)
class Reading:
    """A rewritten text; ``starts[i]``/``ends[i]`` bound the original text of its ``i``-th
    character."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``text[start:end]`` came from."""
        if end <= start:
            return self.starts[start] if start < len(self.starts) else start, start
        return self.starts[start], self.ends[end - 1]


def _identity(text: str) -> Reading:
    return Reading(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))


def _rewrite(
    reading: Reading | str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> Reading | str:
    """``reading`` with each match of ``pattern`` replaced; the new characters come from
    the whole match. A text with nothing to replace is given back as it is (a reading is
    made, with its maps, only once something changes)."""
    text = reading if isinstance(reading, str) else reading.text
    edits = [
        (match.start(), match.end(), value)
        for match in pattern.finditer(text)
        if (value := replace(match)) != match.group()
    ]
    return _edited(reading, edits)


def _edited(reading: Reading | str, edits: list[tuple[int, int, str]]) -> Reading | str:
    """``reading`` with ``edits`` (start, end, new text; in order, apart) made."""
    text = reading if isinstance(reading, str) else reading.text
    if not edits:
        return reading
    if isinstance(reading, str):
        reading = _identity(reading)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for start, end, value in edits:
        parts.append(text[last:start])
        starts += reading.starts[last:start]
        ends += reading.ends[last:start]
        parts.append(value)
        starts += [reading.starts[start]] * len(value)
        ends += [reading.ends[end - 1]] * len(value)
        last = end
    parts.append(text[last:])
    starts += reading.starts[last:]
    ends += reading.ends[last:]
    return Reading("".join(parts), tuple(starts), tuple(ends))


# Decoded readings -------------------------------------------------------------------------

_ENTITY: Final = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,12});?")
_PERCENT: Final = re.compile(r"(?:%[0-9A-Fa-f]{2})++")
_ESCAPE: Final = re.compile(
    r"\\(?:u\{?[0-9A-Fa-f]{4}\}?|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|[0-7]{3}|u\{[0-9A-Fa-f]{1,6}\})"
)
# A right-to-left override shows what follows it (up to its pop or the line's end)
# reversed; an isolate of the same direction likewise.
_OVERRIDE: Final = re.compile("[\u202e\u2067]([^\u202c\u2069\n]*+)[\u202c\u2069]?")
_FLAG_AFTER_DOT: Final = re.compile(r"(?<=[.,])[ \t]?(?P<flag>[\U0001f1e6-\U0001f1ff]{2})")


# A remark in brackets between two numbers (``8 (не путать с ценой) 903``): a reader skips
# it; one with a digit of its own is part of the numbers.
_ASIDE_START: Final = re.compile(r"\d[ \t]*+\(")
_ASIDE: Final = re.compile(
    r"(?<=\d)[ \t]*+\([^()\d\n]{1,40}\)[ \t]*+(?=(?:[^\W\d_]{1,8}[ \t]++)?\d)"
)
# Dots of a dictation (``восьмёрка… 926… 555…``): three ellipses or more in a text.
_ELLIPSIS: Final = re.compile(r"…|\.{2,}")
_MIN_ELLIPSES: Final = 3
# Letters after a free phone's code dialled on a keypad (``8-800-REMONT1``,
# ``8 800 CALL-FIX``): a word of seven capitals and digits, three capitals at least.
_KEYPAD_WORD: Final = re.compile(
    r"(?<!\d)(?:\+[ \t]?7|8)[ \t\-.]?\(?800\)?[ \t\-.]?"
    r"(?P<word>[A-Z](?:-?[A-Z0-9]){6})(?![\w-])"
)
_KEYPAD: Final = str.maketrans(
    {
        letter: str(digit)
        for digit, letters in (
            (2, "ABC"),
            (3, "DEF"),
            (4, "GHI"),
            (5, "JKL"),
            (6, "MNO"),
            (7, "PQRS"),
            (8, "TUV"),
            (9, "WXYZ"),
        )
        for letter in letters
    }
)
_MIN_KEYPAD_LETTERS: Final = 3


def _dialled(match: re.Match[str]) -> str:
    word = match.group("word")
    if sum(char.isalpha() for char in word) < _MIN_KEYPAD_LETTERS:
        return match.group()
    start = match.start("word") - match.start()
    return match.group()[:start] + word.replace("-", "").translate(_KEYPAD)


# Text turned upside down (``ʇuoɯǝɹ‾uɐʌı``, ``ㄥ9-ϛߤ-Ɛᘔ⇂``): read by turning the phone, so
# right to left with each character turned back. Characters only such text uses mark it.
_TURNED: Final = {
    **dict(zip("ɐqɔpǝɟƃɥıᴉɾʞʅɯuodbɹsʇnʌʍxʎz", "abcdefghiijklmnopqrstuvwxyz", strict=True)),
    **dict(zip("0⇂ƖᄅᘔՇƐㄣߤϛ9ㄥ86", "01122234456789", strict=True)),
    "‾": "_", "˙": ".", "'": ",", "¿": "?", "¡": "!", "@": "@", "-": "-", " ": " ",
}  # fmt: skip
_TURNED_ONLY: Final = frozenset("ɐɔǝɟƃɥıᴉɾʞʅɯɹʇʌʍʎ⇂ƖᄅᘔՇƐㄣߤϛㄥ‾˙")
_TURNED_RUN: Final = re.compile("[" + re.escape("".join(_TURNED)) + "lsxzoundbpq]{3,}")
_MIN_TURNED: Final = 2
_TURNED_CHAR: Final = re.compile("[" + re.escape("".join(sorted(_TURNED_ONLY))) + "]")


def _turned(match: re.Match[str]) -> str:
    run = match.group()
    if sum(char in _TURNED_ONLY for char in run) < _MIN_TURNED:
        return run
    core = run.strip(" ")
    left = run[: len(run) - len(run.lstrip(" "))]
    right = run[len(run.rstrip(" ")) :]
    return left + "".join(_TURNED.get(char, char) for char in reversed(core)) + right


# Letters held long (``воооосемь``, ``двааа``): three of one letter or more.
_HELD: Final = re.compile(r"([а-яёА-ЯЁ])\1{2,}")
_FLAG: Final = re.compile("[\U0001f1e6-\U0001f1ff]")


def _unescape(match: re.Match[str]) -> str:
    body = match.group()[1:].strip("{}")
    if body[0] in "uUx":
        body = body[1:].strip("{}")
        value = int(body, 16)
    else:
        value = int(body, 8)
    try:
        return chr(value)
    except (ValueError, OverflowError):
        return match.group()


def _flag(match: re.Match[str]) -> str:
    return "".join(chr(ord("a") + ord(char) - 0x1F1E6) for char in match.group("flag"))


_DECODERS: Final[tuple[tuple[Callable[[str], bool], re.Pattern[str], Callable[..., str]], ...]] = (
    (lambda text: "&" in text, _ENTITY, lambda match: html.unescape(match.group())),
    (lambda text: "%" in text, _PERCENT, lambda match: unquote(match.group(), errors="strict")),
    (lambda text: "\\" in text, _ESCAPE, _unescape),
    (
        lambda text: "\u202e" in text or "\u2067" in text,
        _OVERRIDE,
        lambda match: match.group(1)[::-1],
    ),
    (lambda text: _FLAG.search(text) is not None, _FLAG_AFTER_DOT, _flag),
    (lambda text: _TURNED_CHAR.search(text) is not None, _TURNED_RUN, _turned),
    (lambda text: _HELD.search(text) is not None, _HELD, lambda match: match.group(1)),
    (lambda text: _ASIDE_START.search(text) is not None, _ASIDE, lambda match: " "),
    (
        lambda text: text.count("…") + text.count("..") >= _MIN_ELLIPSES,
        _ELLIPSIS,
        lambda match: " ",
    ),
    (lambda text: "800" in text, _KEYPAD_WORD, _dialled),
)


def decoded(text: str) -> Reading | None:
    """The text as a browser or a chat would show it, or ``None`` when that is the text."""
    if not text:
        return None
    reading: Reading | str = text
    for applies, pattern, replace in _DECODERS:
        if applies(reading if isinstance(reading, str) else reading.text):
            try:
                reading = _rewrite(reading, pattern, replace)
            except (UnicodeDecodeError, ValueError):
                continue
    return None if isinstance(reading, str) or reading.text == text else reading


# Joined readings --------------------------------------------------------------------------

# Single letters or digits (or underscores) each followed by one space or dot: a word
# spelt out (``Т Е Л Е Г Р А М``, ``т.г.``, ``a n n a _ p h o t o``).
_SPELT: Final = re.compile(
    r"(?<![\w])\w(?:[ ./]\w(?![\w]))++|(?<![\w])\w(?:[^\w\s][^\w\s]?\w(?![\w])){3,}"
)
_SPELT_SEPARATOR: Final = re.compile(r"[^\w]")
# Regional indicators standing one by one for letters (``🇳 🇴 🇺 🇹``); a pair is a flag.
_INDICATOR: Final = re.compile("[\U0001f1e6-\U0001f1ff]")
# A word mixing letters and digits that stand for letters (``te1egram``, ``v1ber``).
# A digit beside a letter: where a word mixing them may stand (the scan skips to digits).
_MIXED_DIGIT: Final = re.compile(r"\d(?:(?<=[^\W\d_]\d)|(?=[^\W\d_]))")
_MIN_MIXED: Final = 4


def _mixed_words(text: str) -> list[tuple[int, int]]:
    """The words of at least four letters and digits, starting with a letter, that hold a
    digit beside a letter (``te1egram``)."""
    spans: list[tuple[int, int]] = []
    last = -1
    size = len(text)
    for match in _MIXED_DIGIT.finditer(text):
        at = match.start()
        if at < last:
            continue
        start, end = at, at + 1
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < size and text[end].isalnum():
            end += 1
        last = end
        glued = (start > 0 and text[start - 1] == "_") or (end < size and text[end] == "_")
        if end - start >= _MIN_MIXED and text[start].isalpha() and not glued:
            spans.append((start, end))
    return spans


_LETTERS_FOR_DIGITS: Final = (str.maketrans("10345", "loeas"), str.maketrans("10345", "ioeas"))
# «слова через нижнее подчёркивание», «join with underscores»: the Latin words that follow
# a messenger's name are one handle.
_UNDERSCORE_HINT: Final = re.compile(
    r"подч[её]рк\w*|нижн\w*[ \t]++(?:черт\w*|подч\w*)|underscore\w*|андерскор\w*",
    re.IGNORECASE,
)
_UNDERSCORE_WORDS: Final = ("подч", "underscore", "андерскор", "нижн")
_LATIN_WORDS: Final = re.compile(r"(?<![\w@.])[A-Za-z0-9]++(?:[ \t]++[A-Za-z0-9]++){1,4}(?![\w])")


def _may_be_spelt(text: str) -> bool:
    """A cheap test before the pattern (two scans that skip to the spaces): two letters
    standing alone in a row, or a word whose letters each stand between marks (``т.г.``,
    ``k🌸a🌸t🌸e``) that is no abbreviation (``т.д.``)."""
    padded = f" {text} "
    if _LONE_LETTERS.search(padded):
        return True
    return any(
        match.group(1).lower() not in _ABBREVIATIONS for match in _MARKED_LETTERS.finditer(padded)
    )


_LONE_LETTERS: Final = re.compile(r"\s[^\W\d_][\s/][^\W\d_](?=[\s:])")
_MARKED_LETTERS: Final = re.compile(r"\s(\w[^\w\s]{1,2}\w(?:[^\w\s]{1,2}\w)*[^\w\s]?)(?=\s)")


# Abbreviations written with a dot after each letter: no word spelt out.
_ABBREVIATIONS: Final = frozenset(
    [
        "т.д.",
        "т.е.",
        "т.к.",
        "т.п.",
        "т.ч.",
        "т.н.",
        "и.о.",
        "н.э.",
        "до",
        "н.э.",
        "p.s.",
        "a.m.",
        "p.m.",
        "e.g.",
        "i.e.",
        "г.г.",
        "т.д",
        "т.е",
    ]
)


def _join_spelt(match: re.Match[str]) -> str:
    """A word spelt out, joined; numbers (``1 в 1``, ``2 x 3``) are left as they are."""
    word = _SPELT_SEPARATOR.sub("", match.group())
    letters = sum(char.isalpha() for char in word)
    digits = sum(char.isdigit() for char in word)
    return word if letters >= 2 and digits <= letters else match.group()


def joined(text: str, is_messenger: Callable[[str], bool]) -> Reading | None:
    """The text with spelt-out words joined, digits in a messenger's name read as letters
    and, when the text says so, Latin words joined by underscores; ``None`` when nothing
    changed."""
    reading: Reading | str = text
    if _FLAG.search(text):
        reading = _rewrite(
            reading, _INDICATOR, lambda match: chr(ord("a") + ord(match.group()) - 0x1F1E6)
        )
    current = reading if isinstance(reading, str) else reading.text
    if _may_be_spelt(current) and _SPELT.search(current):
        reading = _rewrite(reading, _SPELT, _join_spelt)
    if any(char.isdigit() for char in text):

        def letters(word: str) -> str:
            for table in _LETTERS_FOR_DIGITS:
                spelling = word.lower().translate(table)
                if is_messenger(spelling):
                    return spelling
            return word

        current = reading if isinstance(reading, str) else reading.text
        edits = [
            (start, end, value)
            for start, end in _mixed_words(current)
            if (value := letters(current[start:end])) != current[start:end]
        ]
        reading = _edited(reading, edits)
    lower = text.lower()
    if any(word in lower for word in _UNDERSCORE_WORDS) and _UNDERSCORE_HINT.search(text):
        reading = _rewrite(reading, _LATIN_WORDS, lambda match: "_".join(match.group().split()))
    return None if isinstance(reading, str) or reading.text == text else reading


def readings(text: str, is_messenger: Callable[[str], bool]) -> Iterator[tuple[str, Reading]]:
    """The decoded reading (``"decoded"``) and the joined one (``"joined"``) that differ
    from the text."""
    decoded_reading = decoded(text)
    if decoded_reading is not None:
        yield "decoded", decoded_reading
    joined_reading = joined(text, is_messenger)
    if joined_reading is not None:
        yield "joined", joined_reading
