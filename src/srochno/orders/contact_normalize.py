"""The normalised copies of a text that contact detection reads.

:func:`normalise` gives two copies of the same length, position by position:
``plain`` (NFKC, lower case, invisible characters dropped, Unicode digits,
dashes, dots and spaces made ASCII, ``dot``/``at`` words made ``.``/``@``)
and ``folded`` (the same, with Cyrillic, Greek, Armenian and small-capital
letters that look like Latin ones replaced by those Latin letters). Because
both copies line up, a detector can match on ``folded`` and still ask whether
the matched characters were Latin in ``plain``.

:func:`phone_text` turns ``folded`` into the copy the phone detector reads:
number words become digits and letters that stand in for digits inside a run
of digits become those digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = ["NormalText", "fold", "normalise", "phone_text"]

_HANGUL_FILLERS: Final = frozenset("\u115f\u1160\u3164\uffa0")
_BLANKS: Final = frozenset("\u2800")
_NEWLINES: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_MINUSES: Final = frozenset("\u2212\u2796\ufe63\uff0d\u02d7")
_DOTS: Final = frozenset(
    "\u00b7\u0387\u2022\u2024\u2027\u2219\u22c5\u30fb\uff65\u3002\uff61\ufe52\ua78f\u2e31\u2981"
)
_DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})
_CACHE_LIMIT: Final = 65536


def _map_char(char: str) -> str:
    if char in _NEWLINES:
        return "\n"
    if char == "\t" or char in _BLANKS:
        return " "
    if char in _HANGUL_FILLERS:
        return ""
    category = unicodedata.category(char)
    if category in _DROPPED_CATEGORIES:
        return ""
    if category == "Zs":
        return " "
    if category == "Pd" or char in _MINUSES:
        return "-"
    if char in _DOTS:
        return "."
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if category == "No":
        digit = unicodedata.digit(char, None)
        if digit is not None:
            return str(digit)
    return char


class _CharMap(dict[int, str]):
    """A ``str.translate`` table computed per character on first use."""

    def __missing__(self, key: int) -> str:
        value = _map_char(chr(key))
        if len(self) < _CACHE_LIMIT:
            self[key] = value
        return value


_CHARS: Final = _CharMap({code: chr(code) for code in range(0x20, 0x7F)})
_CHARS.update({ord("\t"): " ", ord("\n"): "\n", ord("\r"): "\n"})

_LOOKALIKES: Final = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ԁ": "d",
    "һ": "h",
    "ӏ": "l",
    "ԛ": "q",
    "ԝ": "w",
    "ү": "y",
    # Greek
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "γ": "y",
    "ω": "w",
    # Armenian
    "օ": "o",
    "ս": "u",
    "հ": "h",
    "ո": "n",
    # Latin variants and small capitals
    "ı": "i",
    "ɡ": "g",
    "ɑ": "a",
    "ᴀ": "a",
    "ʙ": "b",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ʏ": "y",
    "ᴢ": "z",
}
_FOLD: Final = str.maketrans(_LOOKALIKES)


def fold(text: str) -> str:
    """Replace letters that look like Latin letters by those letters (1:1)."""
    return text.translate(_FOLD)


@dataclass(frozen=True, slots=True)
class NormalText:
    plain: str
    folded: str


_DOT_WORD: Final = re.compile(
    fold(
        r"[ \t]*[(\[{<][ \t]*(?:dot|точка|тчк|\.)[ \t]*[)\]}>][ \t]*"
        r"|[ \t]+(?:dot|точка|тчк)[ \t]+"
    )
)
_AT_WORD: Final = re.compile(
    fold(
        r"[ \t]*[(\[{<][ \t]*(?:at|собака|собачка|sobaka|@)[ \t]*[)\]}>][ \t]*"
        r"|[ \t]+(?:at|собака|собачка|sobaka)[ \t]+"
    )
)


def normalise(text: str) -> NormalText:
    """Return the plain and the folded copy of ``text`` (see the module doc)."""
    plain = unicodedata.normalize("NFKC", text).lower().translate(_CHARS)
    folded = fold(plain)
    for pattern, replacement in ((_DOT_WORD, "."), (_AT_WORD, "@")):
        plain, folded = _replace(pattern, replacement, plain, folded)
    return NormalText(plain, folded)


def _replace(
    pattern: re.Pattern[str], replacement: str, plain: str, folded: str
) -> tuple[str, str]:
    """Replace matches found in ``folded`` in both copies, keeping them aligned."""
    plain_parts: list[str] = []
    folded_parts: list[str] = []
    last = 0
    for match in pattern.finditer(folded):
        start, end = match.span()
        plain_parts += (plain[last:start], replacement)
        folded_parts += (folded[last:start], replacement)
        last = end
    if not plain_parts:
        return plain, folded
    plain_parts.append(plain[last:])
    folded_parts.append(folded[last:])
    return "".join(plain_parts), "".join(folded_parts)


# Number words -------------------------------------------------------------

_UNITS: Final = {
    **dict.fromkeys(("ноль", "нуль", "zero"), 0),
    **dict.fromkeys(("один", "одна", "одно", "one"), 1),
    **dict.fromkeys(("два", "две", "two"), 2),
    **dict.fromkeys(("три", "three"), 3),
    **dict.fromkeys(("четыре", "four"), 4),
    **dict.fromkeys(("пять", "five"), 5),
    **dict.fromkeys(("шесть", "six"), 6),
    **dict.fromkeys(("семь", "seven"), 7),
    **dict.fromkeys(("восемь", "eight"), 8),
    **dict.fromkeys(("девять", "nine"), 9),
}
_TEENS: Final = {
    **dict.fromkeys(("десять", "ten"), 10),
    **dict.fromkeys(("одиннадцать", "одинадцать", "eleven"), 11),
    **dict.fromkeys(("двенадцать", "twelve"), 12),
    **dict.fromkeys(("тринадцать", "thirteen"), 13),
    **dict.fromkeys(("четырнадцать", "fourteen"), 14),
    **dict.fromkeys(("пятнадцать", "fifteen"), 15),
    **dict.fromkeys(("шестнадцать", "sixteen"), 16),
    **dict.fromkeys(("семнадцать", "seventeen"), 17),
    **dict.fromkeys(("восемнадцать", "eighteen"), 18),
    **dict.fromkeys(("девятнадцать", "nineteen"), 19),
}
_TENS: Final = {
    **dict.fromkeys(("двадцать", "twenty"), 20),
    **dict.fromkeys(("тридцать", "thirty"), 30),
    **dict.fromkeys(("сорок", "forty", "fourty"), 40),
    **dict.fromkeys(("пятьдесят", "fifty"), 50),
    **dict.fromkeys(("шестьдесят", "sixty"), 60),
    **dict.fromkeys(("семьдесят", "seventy"), 70),
    **dict.fromkeys(("восемьдесят", "eighty"), 80),
    **dict.fromkeys(("девяносто", "ninety"), 90),
}
_HUNDREDS: Final = {
    "сто": 100,
    "двести": 200,
    "триста": 300,
    "четыреста": 400,
    "пятьсот": 500,
    "шестьсот": 600,
    "семьсот": 700,
    "восемьсот": 800,
    "девятьсот": 900,
}
_HUNDRED: Final = -1  # English "hundred", which multiplies the unit before it
_CLOSED, _AFTER_TENS, _AFTER_HUNDREDS = 0, 1, 2
_NUMBER_WORDS: Final = {
    fold(word): value
    for table in (_UNITS, _TEENS, _TENS, _HUNDREDS)
    for word, value in table.items()
} | {"hundred": _HUNDRED}
_WORD_RUN: Final = re.compile(r"(?<![^\W\d_])[^\W\d_]++(?:(?:[^\w]|_)*+[^\W\d_]++)*+")
_WORD: Final = re.compile(r"[^\W\d_]++")
# A run of digits and letters that stand in for digits, not part of a word.
_DIGITISH: Final = re.compile(r"(?<![^\W_])[0-9oilз]++(?![^\W_])")
_DIGIT_LOOKALIKES: Final = str.maketrans("oilз", "0113")
_LOOKALIKE_REACH: Final = 4


def phone_text(folded: str) -> tuple[str, int]:
    """Return the copy of ``folded`` with digits for number words and look-alikes.

    The second value is the largest number of digits spelled by one run of
    consecutive number words.
    """
    longest = 0
    parts: list[str] = []
    last = 0
    for run in _WORD_RUN.finditer(folded):
        for start, end, digits in _spelled_numbers(run):
            longest = max(longest, sum(len(number) for number in digits.split()))
            parts += (folded[last:start], digits)
            last = end
    parts.append(folded[last:])
    text = "".join(parts)
    return _DIGITISH.sub(_digits_for_lookalikes, text), longest


def _digits_for_lookalikes(match: re.Match[str]) -> str:
    """Digits for look-alike letters in a token with a digit or between digits."""
    token = match.group()
    if token.isalpha() and not (
        _digit_beside(match.string, match.start() - 1, -1)
        and _digit_beside(match.string, match.end(), 1)
    ):
        return token
    return token.translate(_DIGIT_LOOKALIKES)


def _digit_beside(text: str, index: int, step: int) -> bool:
    """Tell whether the first letter or digit from ``index`` on is a digit."""
    for _ in range(_LOOKALIKE_REACH):
        if not 0 <= index < len(text):
            return False
        if text[index].isalnum():
            return text[index].isdigit()
        index += step
    return False


def _spelled_numbers(run: re.Match[str]) -> list[tuple[int, int, str]]:
    """Return (start, end, digits) for each stretch of number words in ``run``."""
    stretches: list[tuple[int, int, str]] = []
    values: list[int] = []
    start = end = 0
    for word in _WORD.finditer(run.group()):
        value = _NUMBER_WORDS.get(word.group())
        if value is None:
            if values:
                stretches.append((start, end, _compose(values)))
                values = []
            continue
        if not values:
            start = run.start() + word.start()
        end = run.start() + word.end()
        values.append(value)
    if values:
        stretches.append((start, end, _compose(values)))
    return stretches


def _compose(values: list[int]) -> str:
    """Read number words the way they are said: ``900 90 9`` is ``999``."""
    numbers: list[int] = []
    current: int | None = None
    stage = _CLOSED
    for word_value in values:
        value = word_value
        if value == _HUNDRED:
            if current is not None and 0 < current < 10:
                current, stage = current * 100, _AFTER_HUNDREDS
                continue
            value = 100
        if current is not None:
            if stage == _AFTER_HUNDREDS and 0 < value < 100:
                current += value
                stage = _AFTER_TENS if value >= 20 else _CLOSED
                continue
            if stage == _AFTER_TENS and 0 < value < 10:
                current += value
                stage = _CLOSED
                continue
            numbers.append(current)
        current = value
        stage = _AFTER_HUNDREDS if value >= 100 else _AFTER_TENS if value >= 20 else _CLOSED
    if current is not None:
        numbers.append(current)
    return " ".join(str(number) for number in numbers)
