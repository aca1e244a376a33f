"""Normalising a text into the classes contact detection reads.

Every character is mapped to its class first (:func:`normalise`): a digit in any
script or form becomes an ASCII digit, a dot-like character ``.``, an ``@``-like
one ``@``, a dash ``-``, a space ``" "``, a line break ``"\\n"``; invisible
characters disappear; letters are lower-cased and look-alike letters folded to
Latin ones. Then words are mapped: ``dot``/``точка`` become ``.``,
``at``/``собака`` ``@`` (:func:`normalise`), and, in the copy the phone
detector reads (:func:`phone_copy`), number words, Roman numerals and letters
standing for digits become digits.

Each stage is a :class:`Text`: the string and, when asked for, where each of its
characters came from in the original, so a finding can name the span the client
wrote. Tracking costs a Python loop per character, so it is done only once
something was found.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from srochno.contacts.fold import fold
from srochno.contacts.words import (
    MULTIPLIER_VALUES,
    NUMBER_WORDS,
    REPEATERS,
    ROMAN_DIGITS,
    RUN_WORDS,
    run_value,
)

__all__ = ["Text", "lookalike_digits", "normalise", "phone_copy"]

_HANGUL_FILLERS: Final = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5")
_BLANKS: Final = frozenset("\u2800")
_NEWLINES: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_MINUSES: Final = frozenset("\u2212\u2796\ufe63\uff0d\u02d7")
_DOTS: Final = frozenset(
    "\u00b7\u0387\u2022\u2024\u2027\u2219\u22c5\u30fb\uff65\u3002\uff61\ufe52\ua78f\u2e31"
    "\u2981\u066b\u2e3c\u1427\u0701\u0702\u2e33\u25cf\u26ab\u2e30\u16eb\u318d\u00b0"
)
_COMMAS: Final = frozenset("\u060c\u066c\u201a\u3001\uff64\u2e34\ufe50\ufe51")
_AT_SIGNS: Final = frozenset("\U0001f436\U0001f415\U0001f429\U0001f9ae\U0001f300")
_CJK_DIGITS: Final = (
    {char: str(value) for value, char in enumerate("〇一二三四五六七八九")}
    | {char: str(value + 1) for value, char in enumerate("壹贰叁肆伍陆柒捌玖")}
    | {"零": "0", "两": "2", "貳": "2", "參": "3", "陸": "6"}
)
# Braille digits: the letters a–j of the upper cells (after the number sign ⠼, which is
# dropped) and the lower-cell digits of Nemeth and Antoine notation. Nobody writes an
# ordinary job text in Braille, so they are digits wherever they stand.
_BRAILLE_DIGITS: Final = {
    **{char: str((k + 1) % 10) for k, char in enumerate("⠁⠃⠉⠙⠑⠋⠛⠓⠊⠚")},
    **{char: str((k + 1) % 10) for k, char in enumerate("⠂⠆⠒⠲⠢⠖⠶⠦⠔⠴")},
    "⠼": "",
}
# Clock faces: the hour they show (``🕗🕘🕐🕕`` is 8916), the half-hours too.
_CLOCK_DIGITS: Final = {
    **{chr(0x1F550 + k): str(k + 1) for k in range(12)},
    **{chr(0x1F55C + k): str(k + 1) for k in range(12)},
}
_ROMAN_CHARS: Final = {
    **_CJK_DIGITS,
    **_BRAILLE_DIGITS,
    **_CLOCK_DIGITS,
    **{chr(0x2160 + k): str(k + 1) for k in range(12)},
    **{chr(0x2170 + k): str(k + 1) for k in range(12)},
}
_DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})
_CACHE_LIMIT: Final = 65536


def _map_one(char: str) -> str:
    if char in _NEWLINES:
        return "\n"
    if char == "\t" or char in _BLANKS:
        return " "
    if char in _HANGUL_FILLERS:
        return ""
    if char in _DOTS:
        return "."
    if char in _COMMAS:
        return ","
    category = unicodedata.category(char)
    if category in _DROPPED_CATEGORIES:
        return ""
    if category == "Zs":
        return " "
    if category == "Pd" or char in _MINUSES:
        return "-"
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if category == "No":
        digit = unicodedata.digit(char, None)
        if digit is not None:
            return str(digit)
    return char


# Latin letters in styles NFKC leaves alone: squared, negative circled and negative squared
# (``🅸🆅🅰🅽``, ``🅞🅛🅖🅐``), parenthesized (NFKC would make ``⒜`` «(a)»).
_LETTER_STYLES: Final = (0x1F130, 0x1F150, 0x1F170, 0x249C)
# Cherokee letters that are drawn like Latin ones (``ᏦᎪᎢᎬ`` reads «KATE»).
_CHEROKEE: Final = dict(
    zip("ᎪᏴᏟᎠᎬᏀᎻᎥᏗᏦᏞᎷᏁᎾᏢᏅᎡᏚᎢᎤᏙᏔᎳᎽᏃᏆᏒ", "abcdeghijklmnoprrstuvwwyzqd", strict=True)
)


def _styled_letter(char: str) -> str | None:
    code = ord(char)
    for base in _LETTER_STYLES:
        if base <= code < base + 26:
            return chr(ord("a") + code - base)
    return _CHEROKEE.get(char)


def _map_char(char: str) -> str:
    if char == "№":  # NFKC makes it «No», a word that would glue to the number after it
        return char
    styled = _styled_letter(char)
    if styled is not None:
        return styled
    if char in _ROMAN_CHARS:
        return _ROMAN_CHARS[char]
    if char in _AT_SIGNS:
        return "@"
    if char in _DOTS:  # before NFKC, which would make some of them letters or spaces
        return "."
    normal = unicodedata.normalize("NFKC", char).lower()
    return "".join(_map_one(part) for part in normal)


class _CharMap(dict[int, str]):
    """A ``str.translate`` table computed per character on first use."""

    def __init__(self, folded: bool) -> None:
        super().__init__()
        self.folded = folded
        # The common ranges up front: a translate hit costs less than a miss.
        for code in (*range(0x530), *range(0x2000, 0x2070)):
            self[code] = self.map(code)
        self.update({ord("\t"): " ", ord("\n"): "\n", ord("\r"): "\n"})

    def map(self, code: int) -> str:
        value = _map_char(chr(code))
        return fold(value) if self.folded else value

    def __missing__(self, key: int) -> str:
        value = self.map(key)
        if len(self) < _CACHE_LIMIT:
            self[key] = value
        return value


_FOLDED: Final = _CharMap(folded=True)


class _LengthMap(dict[int, str]):
    """``str.translate`` table: each character → the length of its class, as a character."""

    def __missing__(self, key: int) -> str:
        value = chr(len(_FOLDED[key]))
        if len(self) < _CACHE_LIMIT:
            self[key] = value
        return value


_LENGTHS: Final = _LengthMap()
_PLAIN: Final = _CharMap(folded=False)


_Edit = tuple[int, int, str]
_NON_WORD: Final = re.compile(r"[\W_]+")


@dataclass(slots=True)
class Text:
    """A stage of the normalised text: ``text`` has look-alike letters folded.

    ``plain`` (the same without folding, of the same length) is made only when asked
    for; ``starts``/``ends`` map each character back to the original when tracked.
    """

    text: str
    original: str
    edits: tuple[list[_Edit], ...] = ()
    starts: list[int] | None = None
    ends: list[int] | None = None
    _plain: str | None = None
    _words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        """The distinct words and numbers of ``text`` (split at everything else)."""
        if self._words is None:
            self._words = frozenset(_NON_WORD.split(self.text))
        return self._words

    @property
    def plain(self) -> str:
        if self._plain is None:
            plain = self.original.translate(_PLAIN)
            for edits in self.edits:
                plain = _apply(plain, edits)
            self._plain = plain
        return self._plain

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``text[start:end]`` came from."""
        if self.starts is None or self.ends is None or end <= start:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def sub(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> Text:
        """Replace matches of ``pattern``, keeping track of the origin when tracked."""
        edits = [(*match.span(), replace(match)) for match in pattern.finditer(self.text)]
        if not edits:
            return self
        text = _apply(self.text, edits)
        if self.starts is None or self.ends is None:
            return Text(text, self.original, (*self.edits, edits))
        starts: list[int] = []
        ends: list[int] = []
        last = 0
        for start, end, value in edits:
            starts += self.starts[last:start]
            ends += self.ends[last:start]
            starts += [self.starts[start]] * len(value)
            ends += [self.ends[end - 1]] * len(value)
            last = end
        starts += self.starts[last:]
        ends += self.ends[last:]
        return Text(text, self.original, (*self.edits, edits), starts, ends)


def _apply(text: str, edits: list[_Edit]) -> str:
    parts: list[str] = []
    last = 0
    for start, end, value in edits:
        parts += (text[last:start], value)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _classes(text: str, track: bool) -> Text:
    folded = text.translate(_FOLDED)
    if not track:
        return Text(folded, text)
    if text.translate(_LENGTHS).count("\x01") == len(text):  # one character for one
        return Text(folded, text, (), list(range(len(text))), list(range(1, len(text) + 1)))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        value = _FOLDED[ord(char)]
        parts.append(value)
        starts += [index] * len(value)
        ends += [index + 1] * len(value)
    return Text("".join(parts), text, (), starts, ends)


# «dot» in the languages a client may write in: Russian (every case and the diminutive),
# Ukrainian, English, German, Spanish, Italian, Portuguese, French, Polish, Czech,
# Turkish, Dutch, Hungarian, Finnish, Swedish, Kazakh, Uzbek. Words that are also
# ordinary words (``point``, ``punkt``, ``punto``) are a dot only before a top-level
# domain or a mail provider's name.
_DOT_NAMES: Final = (
    r"dot|dott|дот|точка|точку|точки|точкой|точко|точечка|точечку|тчк|крапка|крапку|"
    r"kropka|kropke|kropkę|tečka|tecka|nokta|noktasi|noktası|punt|pont|piste|nukte|"
    r"нукте|нүкте|nuqta|нукта"
)
_WEAK_DOT_NAMES: Final = r"point|punkt|punto|ponto|пункт|пойнт|поинт|пунто|понто"
_AFTER_WEAK_DOT: Final = (
    r"(?=(?:ru|рф|ру|ком|com|net|org|su|info|pro|ua|by|kz|uz|de|es|it|fr|pl|me|io|"
    r"gmail|mail|yandex|ya|rambler|outlook|hotmail|yahoo|icloud|proton|inbox|list|bk|"
    r"гмайл|гмейл|джимейл|яндекс|мейл|майл|маил)(?![^\W\d_]))"
)
_DOT_WORD: Final = re.compile(
    fold(
        rf"[ \t]*+[(\[{{<][ \t]*+(?:{_DOT_NAMES}|{_WEAK_DOT_NAMES}|\.|,)[ \t]*+[)\]}}>][ \t]*+"
        rf"|[ \t]++(?:{_DOT_NAMES})[ \t]++"
        rf"|[ \t]++(?:{_WEAK_DOT_NAMES})[ \t]++{_AFTER_WEAK_DOT}"
    )
)
# «at» as said in Russian (the dog, misspelt, every case), Ukrainian (the snail), English,
# Spanish and Portuguese (arroba), Italian (the snail), German (the monkey's tail),
# French, Polish and Hungarian (the monkey, the worm), Czech, Dutch, Swedish, Danish,
# Finnish, Greek, Hebrew, Turkish, Kazakh: none of them an ordinary word of a job text.
_AT_NAMES: Final = (
    r"at|собака|собачка|собаку|собачку|собаки|собакой|собачкой|сабака|сабаку|сабачка|"
    r"собакен|sobaka|sobachka|sabaka|эт|ат|равлик|равлика|равлику|slimak|ślimak|"
    r"arroba|aroba|арроба|chiocciola|kiocciola|chiocciolina|klammeraffe|affenschwanz|"
    r"affenohr|klammeraffen|arobase|arrobase|arobas|аробас|malpa|małpa|malpka|małpka|"
    r"мальпа|zavinac|zavináč|apenstaartje|apestaart|snabel|snabela|kukac|кукац|"
    r"miukumauku|papaki|παπάκι|παπακι|שטרודל|strudel|kuchuk|кучук|күшік|kuyruklu"
)
_AT_WORD: Final = re.compile(
    fold(
        rf"[ \t]*+[(\[{{<][ \t]*+(?:{_AT_NAMES}|a|@)[ \t]*+[)\]}}>][ \t]*+"
        rf"|(?<=[\w.]{{3}})[ \t]++(?:{_AT_NAMES})[ \t]++(?=[^\W\d_])"
    )
)
# An underscore said as words (a handle described: ``ivan нижнее подчёркивание master``).
_UNDERSCORE_WORD: Final = re.compile(
    fold(
        r"[ \t]++(?:(?:нижн\w*|низ\w*|знак[ \t]++)?[ \t]*+подч[её]рк\w*|underscore|"
        r"under[ \t]?score|андерскор\w*|андерскоп\w*|"
        r"нижн\w*[ \t]++(?:черт\w*|пробел\w*|дефис\w*)|"
        r"guion[ \t]++bajo|unterstrich|souligné|tiret[ \t]++bas|trattino[ \t]++basso|podkreślnik|"
        r"podkreslnik|подкресльник)[ \t]++"
    )
)


# An underscore with spaces around it between two Latin words or digits: ``anna _ mebel``.
_SPACED_UNDERSCORE: Final = re.compile(r"(?<=[a-z0-9])(?:[ \t]++_[ \t]*+|_[ \t]++)(?=[a-z0-9])")
# «at» said after a colon or a dash that follows a messenger's name: ``тг: собака olga``.
_AT_AFTER_MARK: Final = re.compile(fold(rf"(?<=[:\-—–])[ \t]*+(?:{_AT_NAMES})[ \t]++(?=[a-z])"))

_SLASH_WORD: Final = re.compile(fold(r"[ \t]++(?:slash|слэш|слеш|слш)[ \t]++"))


def _constant(value: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: value


_DOT: Final = _constant(".")
_AT: Final = _constant("@")
_SLASH: Final = _constant("/")
_UNDERSCORE: Final = _constant("_")


_GATE_SPLIT: Final = re.compile(r"[^\w]+")
_WORD_GATE: Final = frozenset(
    fold(word)
    for word in [
        *_GATE_SPLIT.split(f"{_DOT_NAMES}|{_WEAK_DOT_NAMES}|{_AT_NAMES}"),
        *("slash", "слэш", "слеш", "слш", "underscore", "андерскор", "unterstrich", "bajo"),
        *("подчеркивание", "подчёркивание", "подчеркивания", "подчёркивания", "подчерк"),
        *("подчеркиванием", "подчёркиванием", "podkreślnik", "podkreslnik", "souligné"),
        *("basso", "bas", "score"),
    ]
    if word
)
_BRACKETED: Final = re.compile(r"[(\[{<][ \t]*+(?:[.,@]|[^\W\d_]{1,7}[ \t]*+[)\]}>])")


def normalise(text: str, *, track: bool = False) -> Text:
    """The text as classes of characters, with ``dot``/``at`` words made ``.``/``@``."""
    classes = _classes(text, track)
    if "_" in classes.text and _SPACED_UNDERSCORE.search(classes.text):
        classes = classes.sub(_SPACED_UNDERSCORE, _UNDERSCORE)
    if _WORD_GATE.isdisjoint(classes.words) and not _BRACKETED.search(classes.text):
        return classes  # keeps its words for the detectors
    return (
        classes.sub(_DOT_WORD, _DOT)
        .sub(_AT_AFTER_MARK, _AT)
        .sub(_AT_WORD, _AT)
        .sub(_SLASH_WORD, _SLASH)
        .sub(_UNDERSCORE_WORD, _UNDERSCORE)
    )


# The phone copy ---------------------------------------------------------------

_WORD: Final = re.compile(r"[^\W\d_]++")
_CLOSED, _AFTER_TENS, _AFTER_HUNDREDS = 0, 1, 2
_HUNDRED: Final = NUMBER_WORDS.get("hundred", 100)
_NUMBER_GAP: Final = r"(?:[^\w\n]|_){1,4}+"
_ROMAN: Final = "|".join(sorted(ROMAN_DIGITS, key=len, reverse=True))
_ROMAN_RUN: Final = re.compile(
    rf"(?<![^\W\d_])(?:{_ROMAN})(?:{_NUMBER_GAP}(?:{_ROMAN}))++(?![^\W\d_])"
)
_ROMAN_WORD: Final = re.compile(rf"(?<![^\W\d_])(?:{_ROMAN})(?![^\W\d_])")
# A token of digits and letters that stand in for digits, holding at least one such letter.
_DIGITISH: Final = re.compile(r"(?<![^\W_])(?=[0-9]*+[oilз])[0-9oilз]++(?![^\W_])")
_DIGIT_LOOKALIKES: Final = str.maketrans("oilз", "0113")
_LOOKALIKE_NEAR_DIGIT: Final = re.compile(
    r"[\doilз](?:(?<=\d)(?:[oilз]|[^\w\n]{1,4}[oilз]++[^\w\n])|(?<=[oilз])\d)"
)
_NUMBER_WORD_SET: Final = frozenset(NUMBER_WORDS)
_LOOKALIKE_REACH: Final = 4


_SPELLED_PHONE: Final = 7
SPELLED_MARK: Final = "\x01"  # a control character: none survives normalisation
"""Put before a run of number words that spells seven digits or more: dictated, it is a
phone whatever its shape (``one two three four five six seven``)."""


def phone_copy(normal: Text) -> Text:
    """The copy the phone detector reads: digits for number words, Roman numerals in
    a run of them, and letters standing in for digits next to digits."""
    words = normal.words
    if not words.isdisjoint(_FRAGMENTS) or (
        any(mark in normal.text for mark in _APOSTROPHES) and _APOSTROPHE.search(normal.text)
    ):
        normal = normal.sub(_FRAGMENT_RUN, _join_fragments)
        words = normal.words
    spelled = words & _NUMBER_WORD_SET
    if spelled or not words.isdisjoint(_RUN_WORD_SET):
        spelled |= {word for word in words if run_value(word) is not None}
        spelled |= words & _REPEATER_SET
    if spelled:
        normal = normal.sub(_number_run(frozenset(spelled)), _spell_out)
    if _UPPER_ROMAN.search(normal.original):
        normal = normal.sub(_ROMAN_NUMERAL_RUN, _roman_numerals)
        words = normal.words
    if not words.isdisjoint(ROMAN_DIGITS):
        normal = normal.sub(_ROMAN_RUN, _roman_digits)
    if _LOOKALIKE_NEAR_DIGIT.search(normal.text):
        normal = normal.sub(_DIGITISH, _digits_for_lookalikes)
    return normal


_RUN_WORD_SET: Final = frozenset(RUN_WORDS) | frozenset(REPEATERS)
_REPEATER_SET: Final = frozenset(REPEATERS)


@functools.lru_cache(maxsize=4096)
def _number_run(words: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    word = rf"(?:{alternatives})(?![^\W\d_])"
    return re.compile(rf"(?<![^\W\d_]){word}(?:(?:[^\w]|_)*+{word})*+")


def _value(word: str) -> int:
    value = NUMBER_WORDS.get(word, REPEATERS.get(word))
    if value is None:
        value = run_value(word)
    return 0 if value is None else value


def _spell_out(match: re.Match[str]) -> str:
    words = _WORD.findall(match.group())
    values = [_value(word) for word in words]
    digits = _compose(_repeat(words, values))
    if len(values) > 1 and sum(char.isdigit() for char in digits) >= _SPELLED_PHONE:
        return SPELLED_MARK + digits
    if all(word in NUMBER_WORDS for word in words):
        return digits
    # A run-only word (an ordinal, another language's number) outside a dictated
    # number is an ordinary word: only the number words around it are read.
    return _WORD.sub(_exact_word, match.group())


def _exact_word(match: re.Match[str]) -> str:
    value = NUMBER_WORDS.get(match.group())
    return match.group() if value is None else str(value)


_PLURAL_NAMES: Final = (fold("ки"), fold("ок"), fold("ля"))  # шестёрки, пятёрок, нуля


def _repeat(words: list[str], values: list[int]) -> list[int | str]:
    """``triple five`` → ``555``, ``четыре шестёрки`` → ``6666``: repeated digits."""
    out: list[int | str] = []
    skip = False
    for index, (word, value) in enumerate(zip(words, values, strict=True)):
        if skip:
            skip = False
            continue
        following = values[index + 1] if index + 1 < len(values) else None
        count = REPEATERS.get(word)
        if (
            count is None
            and 2 <= value <= 9
            and index + 1 < len(words)
            and words[index + 1].endswith(_PLURAL_NAMES)
            and word[-2:] not in _PLURAL_NAMES
        ):
            count = value
        if count is not None and following is not None and 0 <= following <= 9:
            out.append(str(following) * count)
            skip = True
            continue
        out.append(value)
    return out


# A number word cut by a hyphen, an apostrophe or a space (``во-семь``, ``дев'ять``,
# ``вос емь``): pieces that no ordinary word is, joined when they make a number word.
_COMMON_SHORT: Final = "в с к у о и а я на до по не от за из со во то же ли бы он да но ни"


def _fragments() -> frozenset[str]:
    pieces: set[str] = set()
    for word in NUMBER_WORDS:
        if len(word) >= 4 and not word.isascii():
            pieces |= {word[:cut] for cut in range(1, len(word))}
            pieces |= {word[cut:] for cut in range(1, len(word))}
    pieces = {piece for piece in pieces if len(piece) >= 2}
    common = {fold(word) for word in _COMMON_SHORT.split()}
    return frozenset(pieces - common - set(NUMBER_WORDS))


_FRAGMENTS: Final = _fragments()
_FRAGMENT_RUN: Final = re.compile(
    r"(?<![^\W\d_])[^\W\d_]{1,6}(?:[-'’ʼ` ][^\W\d_]{1,6}){1,40}(?![^\W\d_])"
)
_APOSTROPHES: Final = ("'", "’", "ʼ", "`")
_APOSTROPHE: Final = re.compile(r"[^\W\d_]['’ʼ`][^\W\d_]")
_FRAGMENT_SEP: Final = re.compile(r"[-'’ʼ` ]")
_MAX_PIECES: Final = 4


def _join_fragments(match: re.Match[str]) -> str:
    pieces = _FRAGMENT_SEP.split(match.group())
    seps = _FRAGMENT_SEP.findall(match.group())
    out: list[str] = []
    index = 0
    while index < len(pieces):
        for last in range(min(len(pieces), index + _MAX_PIECES) - 1, index, -1):
            group = pieces[index : last + 1]
            joined = "".join(group)
            if joined in NUMBER_WORDS and not all(piece in NUMBER_WORDS for piece in group):
                out.append(joined)
                if last + 1 < len(pieces):
                    out.append(seps[last])
                index = last + 1
                break
        else:
            out.append(pieces[index])
            if index < len(seps):
                out.append(seps[index])
            index += 1
    return "".join(out)


# Roman numerals of any size (``CMXVI``), written in capitals, two or more in a run.
_UPPER_ROMAN: Final = re.compile(r"[MDCLXVIМСХ](?<![^\W\d_][MDCLXVIМСХ])[MDCLXVIМСХ]++(?![^\W\d_])")
_ROMAN_NUMERAL: Final = (
    r"(?=[mdclxvi])m{0,3}+(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})(?![^\W\d_])"
)
_ROMAN_NUMERAL_RUN: Final = re.compile(
    rf"(?<![^\W\d_]){_ROMAN_NUMERAL}(?:{_NUMBER_GAP}{_ROMAN_NUMERAL})++"
)
_ROMAN_TOKEN: Final = re.compile(r"[mdclxvi]+")
_ROMAN_VALUES: Final = {"m": 1000, "d": 500, "c": 100, "l": 50, "x": 10, "v": 5, "i": 1}
# Units and sizes that are also Roman numerals: never read alone.
_ROMAN_UNITS: Final = frozenset({"cm", "mm", "ml", "cl", "dl", "xl", "cd", "dc", "mc", "cv", "mi"})
_MIN_ROMAN_DIGITS: Final = 5
_MIN_ROMAN_RUN: Final = 3  # in a run this long a unit-like numeral (``XL``) is a number


def _roman_value(token: str) -> int:
    total = 0
    for index, char in enumerate(token):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[token[index + 1]] if index + 1 < len(token) else 0
        total += -value if value < following else value
    return total


_DIGIT_BEFORE: Final = re.compile(r"\d(?:[ \t]*+[-–—/.][ \t]*+|[ \t]++)$")


def _roman_numerals(match: re.Match[str]) -> str:
    tokens = _ROMAN_TOKEN.findall(match.group())
    units = sum(token in _ROMAN_UNITS for token in tokens)
    # ``8-CM-CM-XL-XL``: a digit glued by a dash before the run makes units numerals too.
    after_digit = _DIGIT_BEFORE.search(match.string, max(0, match.start() - 3), match.start())
    if after_digit and not after_digit.group().strip("0123456789 \t") and len(tokens) < 4:
        after_digit = None  # ``8 CM``: a size; four units in a run after it are no sizes
    if (
        (units and (len(tokens) < _MIN_ROMAN_RUN or (units == len(tokens) and not after_digit)))
        or max(map(len, tokens)) < 2  # one letter each: read as digits below
        or sum(len(str(_roman_value(token))) for token in tokens) < _MIN_ROMAN_DIGITS
    ):
        return match.group()
    return " ".join(str(_roman_value(token)) for token in tokens)


def _roman_digits(match: re.Match[str]) -> str:
    return " ".join(str(ROMAN_DIGITS[word]) for word in _ROMAN_WORD.findall(match.group()))


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


def _compose(values: list[int | str]) -> str:
    """Read number words the way they are said: ``900 90 9`` is ``999``; a multiplier
    (``тысяча``, ``million``) ends a group, and the group after it has three digits."""
    numbers: list[str] = []
    current: int | None = None
    stage = _CLOSED
    padded = False

    def close() -> None:
        nonlocal current, padded
        if current is not None:
            numbers.append(f"{current:03d}" if padded else str(current))
            current, padded = None, False

    for value in values:
        if isinstance(value, str):  # repeated digits, said as one
            close()
            numbers.append(value)
            stage = _CLOSED
            continue
        if value in MULTIPLIER_VALUES:
            if current is None:
                current = 1
            close()
            padded = True
            stage = _CLOSED
            continue
        if value == _HUNDRED and current is not None and 0 < current < 10:
            current, stage = current * 100, _AFTER_HUNDREDS
            continue
        if current is not None:
            if stage == _AFTER_HUNDREDS and 0 < value < 100:
                current += value
                stage = _AFTER_TENS if value >= 20 else _CLOSED
                continue
            if stage == _AFTER_TENS and 0 < value < 10:
                current += value
                stage = _CLOSED
                continue
            keep = padded
            close()
            padded = keep and False
        current = value
        stage = _AFTER_HUNDREDS if value >= 100 else _AFTER_TENS if value >= 20 else _CLOSED
    close()
    if padded:
        numbers.append("000")
    return " ".join(numbers)


# Letters read as digits only when many of them make a phone (``8 9lб l2З ЧS б7``,
# ``B-9I6-IZ3-AS-GT``): one such letter is a house letter (``5б``) or a unit (``8ч``).
_MORE_LOOKALIKES: Final = "oilзzчsбgtba"
_MORE_DIGITS: Final = str.maketrans(_MORE_LOOKALIKES, "011324566784")
# Patterns start with a character class (a fast scan), the token's start checked after.
_TOKEN_START: Final = rf"[\d{_MORE_LOOKALIKES}](?<![^\W_][\d{_MORE_LOOKALIKES}])"
_MIXED_TOKEN: Final = re.compile(
    rf"{_TOKEN_START}(?<=[{_MORE_LOOKALIKES}\d])"
    rf"(?=(?:(?<=\d)|[\d{_MORE_LOOKALIKES}]*?\d))"
    rf"(?=(?:(?<=[{_MORE_LOOKALIKES}])|[\d{_MORE_LOOKALIKES}]*?[{_MORE_LOOKALIKES}]))"
    rf"[\d{_MORE_LOOKALIKES}]*+(?![^\W_])"
)
# A token with two letters read as digits (``9lб``, ``iz3``): a house letter (``5б``) is one.
_TWO_LETTER_TOKEN: Final = re.compile(
    rf"{_TOKEN_START}(?=[\d{_MORE_LOOKALIKES}]*?\d|(?<=\d))"
    rf"(?:(?<=[{_MORE_LOOKALIKES}])[\d{_MORE_LOOKALIKES}]*?[{_MORE_LOOKALIKES}]"
    rf"|[\d{_MORE_LOOKALIKES}]*?[{_MORE_LOOKALIKES}][\d{_MORE_LOOKALIKES}]*?[{_MORE_LOOKALIKES}])"
    rf"[\d{_MORE_LOOKALIKES}]*+(?![^\W_])"
)
_LETTER_TOKEN: Final = re.compile(rf"(?<![^\W_])[{_MORE_LOOKALIKES}]{{1,3}}+(?![^\W_])")
_MIN_MIXED_TOKENS: Final = 2
_LETTER_PASSES: Final = 3
MIN_LOOKALIKE_LETTERS: Final = 3
"""How many letters read as digits (two of them different) a phone found only that way
must hold."""


def lookalike_digits(text: str) -> str | None:
    """``text`` (a phone copy) with letters that look like digits read as digits, in
    tokens mixed with digits and in short letter tokens next to them; ``None`` when
    fewer than two such tokens make it worth trying. One character for one."""
    if not _letters_glued_close(text) or (
        not _TWO_LETTER_TOKEN.search(text) and not _mixed_tokens_close(text)
    ):
        return None
    converted = _MIXED_TOKEN.sub(lambda match: match.group().translate(_MORE_DIGITS), text)
    for _ in range(_LETTER_PASSES):  # a letter token next to one just read
        converted = _LETTER_TOKEN.sub(_letters_between_digits, converted)
    changed = {before for before, after in zip(text, converted, strict=True) if before != after}
    return converted if len(changed) >= _MIN_MIXED_TOKENS else None


_MIXED_REACH: Final = 12
_DIGIT_RUN: Final = re.compile(r"\d++")
_LOOKALIKE_SET: Final = frozenset(_MORE_LOOKALIKES)
_LOOKALIKE_PAIRS: Final = frozenset(a + b for a in _MORE_LOOKALIKES for b in _MORE_LOOKALIKES)


def _letters_glued_close(text: str) -> bool:
    """A cheap test first: two digit groups with such a letter glued to them, close."""
    last = -_MIXED_REACH - 1
    for match in _DIGIT_RUN.finditer(text):
        start, end = match.span()
        before = text[max(0, start - 2) : start]
        after = text[end : end + 2]
        glued = [char in _LOOKALIKE_SET for char in (*before[-1:], *after[:1])]
        if any(glued):
            if (
                start - last <= _MIXED_REACH
                or before in _LOOKALIKE_PAIRS
                or after in _LOOKALIKE_PAIRS
            ):
                return True  # two such groups close, or two letters glued (``9бЧ``)
            last = end
    return False


def _mixed_tokens_close(text: str) -> bool:
    """Two tokens mixing digits and such letters close together (``9б 2З``), not a house
    letter repeated through a text (``45В … 45В``)."""
    ends = [(match.start(), match.end()) for match in _MIXED_TOKEN.finditer(text)]
    return any(later - end <= _MIXED_REACH for (_, end), (later, _) in itertools.pairwise(ends))


def _letters_between_digits(match: re.Match[str]) -> str:
    text = match.string
    if _digit_beside(text, match.start() - 1, -1) or _digit_beside(text, match.end(), 1):
        return match.group().translate(_MORE_DIGITS)
    return match.group()
