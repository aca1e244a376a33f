"""A phone read harder where the text says one is there.

After a phone cue (``тел.``, ``звоните``, ``набирайте``, ``связь по номеру``, ``phone``,
``reach me at``, a messenger that carries phones) a client may disguise a number in ways
no ordinary text needs, so the few words around the cue are read more loosely than the
rest of a text: any sign or single letter between digit groups is a separator, up to
two words may stand between groups (``8 958 срочно 757``), letters that look like digits
are digits (``В 9б7 24Ɜ``), number words glued together are cut apart
(``vosemdevyat…``, ``EightNineNine``), radio-alphabet words are digits, and a number
whose digits all stand one apart is a landline (``3 1 3 2 2 3 1``). A number told to be
put together from the numbers before (``сложите всё подряд, это мой номер``) is read
over the whole sentence run. Whatever the reading, only a phone's shape counts: eleven
digits after 7 or 8, ten after 9, or seven single digits.

Pure; the cost is one pattern scan of the text when no cue is present.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

from srochno.contacts.fold import fold
from srochno.contacts.normalize import SPELLED_MARK, normalise, phone_copy
from srochno.contacts.words import NUMBER_WORDS, ROMAN_DIGITS, run_value

__all__ = ["find_cued_phone", "find_glued_phone", "may_have_cue"]

# The cue's words, lower-case; the pattern starts with the words themselves (no look-behind,
# no ignored case) so that the engine skips to their first letters; the word's start is
# checked after.
_CUE: Final = re.compile(
    r"(?:тел|телефон\w*|тлф|моб|мобильн\w*|сотов\w*|звон\w*|позвон\w*|"
    r"набир\w*|набер\w*|номер\w*|связь|связ[ыа]ться|смс|sms|phone\w*|tel|mob|mobile|"
    r"call\w*|ring|reach|text|contact\w*|number|whats\w*|ватс\w*|вотс\w*|вацап\w*|"
    r"вайбер\w*|viber\w*|tg|тг|телег\w*|telegram\w*)(?![^\W\d_])"
)
_JOIN_CUE: Final = re.compile(
    r"(?<![^\W\d_])(?:слож\w*|соедин\w*|склей\w*|склеи\w*|подряд|по[ \t]+порядку|"
    r"объедин\w*|together|combine\w*|concatenat\w*|in[ \t]+a[ \t]+row|"
    r"(?:перв|последн)\w*[ \t]+(?:цифр|числ)\w*[ \t]+(?:кажд|всех|из)\w*)(?![^\W\d_])",
    re.IGNORECASE,
)
_LETTER: Final = re.compile(r"[^\W\d_]")
# Words that name the number after them: a flat, an entrance, a floor, a house, a code.
_NAMING_WORD_LIST: Final = (
    "кв квартира подъезд под этаж эт дом д корп корпус стр строение офис каб кабинет "
    "код домофон ул улица flat apt floor entrance house "
    # a range's second end (``от 90 000 до 91 000``)
    "до to"
)
_NAMING_WORDS: Final = frozenset(
    form for word in _NAMING_WORD_LIST.split() for form in (word, fold(word))
)
_REACH: Final = 120
_JOIN_REACH: Final = 240
_MAX_WORD_GAP: Final = 2
_MAX_STATES: Final = 16
_MAX_TOKENS: Final = 24
_LANDLINE: Final = 7

# Letters (and a bar) that look like digits, case kept: ``В`` is an eight, ``б`` a six.
_LOOKALIKE: Final = {
    **dict.fromkeys("oOоОΟο", "0"),
    **dict.fromkeys("lIiіІӏ|!ǀ", "1"),
    **dict.fromkeys("zZ", "2"),
    **dict.fromkeys("зЗƷʒꝫƐɛƸɜЗЭ", "3"),
    **dict.fromkeys("чЧ", "4"),
    **dict.fromkeys("sSѕЅ", "5"),
    **dict.fromkeys("бБb", "6"),
    **dict.fromkeys("Т", "7"),
    **dict.fromkeys("ВB", "8"),
    **dict.fromkeys("gq", "9"),
}
# Radio-alphabet and spoken forms not taken as number words elsewhere (``too`` is a word).
_SPOKEN: Final = {"too": 2, "tree": 3, "fower": 4, "fife": 5, "niner": 9, "nought": 0, "oh": 0}
_PLUS_WORDS: Final = frozenset({"plus", "плюс", "+"})
_TOKEN: Final = re.compile(r"[\w|!ǀ+]+", re.UNICODE)
_NEWLINE_GAP: Final = re.compile(r"\n")
_LETTER_BETWEEN: Final = re.compile(r"(?<=\d)(?:[^\W\d_]|[|!ǀ]){1,3}(?=\d)")
_BARS: Final = "|!ǀ"
# A car's plate (``В000ВВ``): letters round digits, no number written in look-alikes.
_PLATE: Final = re.compile(r"[^\W\d_]\d{3}[^\W\d_]{2}")
# What an ordinary text's numbers are (a date, a time, an amount, a count with its unit):
# a barrier that no loosely read phone crosses.
_DAY: Final = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH: Final = r"(?:0?[1-9]|1[0-2])"
_ALONE_AFTER: Final = r"(?=[,.;:!?)]?(?:\s|$))"
_BARRIER: Final = re.compile(
    rf"(?<![^\s(])(?:{_DAY}(?P<sep>[./]){_MONTH}(?P=sep)(?:\d\d){{1,2}}|\d\d[./]\d\d)"
    rf"{_ALONE_AFTER}"
    rf"|(?<![^\s(])(?:[01]?\d|2[0-3]):[0-5]\d{_ALONE_AFTER}"
    r"|\d++[ \t]?(?:[₽$€£¥₴₸%](?=[,.;)!?]?(?:\s|$))"
    r"|(?:руб|р|rub|usd|eur|тыс|т|k|к|шт|pcs|кг|kg|г|гр|см|cm|"
    r"мм|mm|м|m|км|km|л|мл|ml|м2|м²|кв|час|часа|часов|ч|h|мин|min|дн|дня|дней|день|"
    r"недел\w*|мес\w*|лет|год\w*|раз\w*|этаж\w*|дюйм\w*|гб|gb|мб|mb|тб|tb|вт|квт|w|"
    r"ступен\w*|человек\w*|чел|грузчик\w*|шт\w*|штук\w*|коробк\w*|boxes|hours?|pm|am|"
    r"floor|rub\w*|рубл\w*|доллар\w*|евро)(?!\w))",
    re.IGNORECASE,
)
_SENTENCE_END: Final = re.compile(r"[.!?…;]\s")
_SEGMENT_MIN: Final = 6
_MAX_LETTER_GROUP: Final = 4  # a group of a number written in look-alike letters only
_MAX_NUMBER_WORD: Final = 14


@functools.cache
def _glue_words() -> dict[str, int]:
    """Number words that may be glued (folded, Latin or Cyrillic) → value 0–9."""
    words = {word: value for word, value in NUMBER_WORDS.items() if value < 1000}
    words.update(_SPOKEN)
    return words


def _segment(word: str) -> list[int] | None:
    """``eightninenine`` → ``[8, 9, 9]``: a word made only of number words, or ``None``."""
    table = _glue_words()
    size = len(word)
    best: list[list[int] | None] = [None] * (size + 1)
    best[0] = []
    for end in range(1, size + 1):
        for start in range(max(0, end - _MAX_NUMBER_WORD), end):
            head = best[start]
            if head is None:
                continue
            value = table.get(word[start:end])
            if value is not None and (best[end] is None or len(head) + 1 < len(best[end] or [])):
                best[end] = [*head, value]
    return best[size]


_GLUED_WORD: Final = re.compile(r"[^\W\d_]{18,}")
_MIN_GLUED_DIGITS: Final = 7


def find_glued_phone(text: str) -> tuple[int, int] | None:
    """A phone written as number words glued into one word with no cue at all
    (``восемьдевятьодиншесть…``): the whole word cuts into seven number words or more."""
    for match in _GLUED_WORD.finditer(text):
        values = _segment(fold(match.group().lower()))
        if values is not None and len(_digits_of(values)) >= _MIN_GLUED_DIGITS:
            return match.span()
    return None


def _word_value(token: str) -> int | None:
    folded = fold(token.lower())
    if folded in _SPOKEN:
        return _SPOKEN[folded]
    value = NUMBER_WORDS.get(folded)
    if value is None:
        value = run_value(folded)
    if value is None and folded in ROMAN_DIGITS and token.isupper():
        value = ROMAN_DIGITS[folded]
    return value


def _readings(token: str) -> list[str]:
    """The digit strings ``token`` may stand for; empty for an ordinary word."""
    if token.isdigit():
        return [token]
    if token.lower() in _PLUS_WORDS:
        return ["+"]
    readings: list[str] = []
    value = _word_value(token)
    if value is not None:
        readings.append(str(value))
    letters = sum(not char.isdigit() for char in token)
    if (
        all(char in _LOOKALIKE or char.isdigit() for char in token)
        and (letters < len(token) or len(token) <= _MAX_LETTER_GROUP)
        and not _PLATE.fullmatch(token)
    ):
        readings.append("".join(_LOOKALIKE.get(char, char) for char in token))
    if any(char.isdigit() for char in token):
        # Single letters between digit groups are separators: ``8а981б007``.
        pieces = _LETTER_BETWEEN.split(token)
        joined = "".join(pieces).strip(_BARS)
        if joined.isdigit() and joined not in readings:
            readings.append(joined)  # and a bar at its edge a sign: ``:|0000``
    if not readings and len(token) >= _SEGMENT_MIN and token.isalpha():
        values = _segment(fold(token.lower()))
        if values is not None and len(values) >= 2:
            readings.append(_digits_of(values))
    return readings


def _digits_of(values: list[int]) -> str:
    """Read values as said: ``900 5`` is ``905``, ``30 7`` is ``37``."""
    out: list[int] = []
    for value in values:
        hundreds = out and out[-1] % 100 == 0 and out[-1] >= 100 and value < 100
        tens = out and out[-1] % 10 == 0 and 20 <= out[-1] < 100 and value < 10
        if hundreds or tens:
            out[-1] += value
        else:
            out.append(value)
    return "".join(map(str, out))


def _is_phone(digits: str, singles: bool) -> bool:
    plus = digits.startswith("+")
    body = digits.lstrip("+")
    if "+" in body:
        return False
    if len(body) == 11 and body[0] in "78" and (plus or body[0] == "8" or body[1] == "9"):
        return True
    if len(body) == 10 and body[0] == "9" and not plus:
        return True
    return singles and len(body) == _LANDLINE and not plus and body[0] != "0"


def _read_run(window: str) -> tuple[int, int] | None:
    """The span of ``window`` holding a phone read loosely, or ``None``."""
    window = _BARRIER.sub(lambda match: "\n" * len(match.group()), window)
    tokens = [(match.start(), match.end(), match.group()) for match in _TOKEN.finditer(window)]
    tokens = tokens[: _MAX_TOKENS * 3]
    for first, (start, _, token) in enumerate(tokens):
        if not _readings(token):
            continue
        states: set[tuple[str, bool]] = {("", True)}
        gap = 0
        for index in range(first, min(len(tokens), first + _MAX_TOKENS)):
            token_start, token_end, token = tokens[index]
            if index > first and "\n" in window[tokens[index - 1][1] : token_start]:
                break
            if index > first and token.lower() in _NAMING_WORDS:
                break  # ``кв 1``, ``до 91 000``: the word names the number after it
            readings = _readings(token)
            between = window[tokens[index - 1][1] : token_start] if index > first else ""
            if _SENTENCE_END.search(between) and (gap or not readings):
                break  # after a word that ends a sentence, another sentence starts
            if not readings:
                gap += 1
                if gap > _MAX_WORD_GAP:
                    break
                continue
            gap = 0
            states = {
                (digits + reading, singles and len(reading) == 1)
                for digits, singles in states
                for reading in readings
                if len(digits.lstrip("+")) + len(reading) <= 13
            }
            if not states:
                break
            if len(states) > _MAX_STATES:
                states = set(sorted(states)[:_MAX_STATES])
            if any(_is_phone(digits, singles) for digits, singles in states):
                return start, token_end
        if first > 3:
            break
    return None


# The cue words' beginnings, folded like the words of a normalised text: a cheap test on
# its distinct words before the pattern runs.
_CUE_WORDS: Final = (
    "тел тлф моб сотов звон позвон набир набер номер связ смс sms phone tel mob call "
    "ring reach text contact number whats ватс вотс вацап вайбер viber tg тг"
)
_CUE_STARTS: Final = tuple(fold(word) for word in _CUE_WORDS.split())


def may_have_cue(words: frozenset[str]) -> bool:
    """Tell whether some word of a normalised text may be a phone cue."""
    return any(word.startswith(_CUE_STARTS) for word in words)


def find_cued_phone(text: str) -> tuple[int, int] | None:
    """The span of a phone read loosely next to a phone cue in ``text``, or ``None``."""
    lower = text.lower()
    cues = [
        cue
        for cue in _CUE.finditer(lower)
        if cue.start() == 0 or not _LETTER.match(lower, cue.start() - 1)
    ]
    if not cues:
        return None
    for cue in cues:
        found = _around(text, cue) or _told_code(text, cue)
        if found is not None:
            return found
    return _joined(text, cues)


# A mobile or free phone's code, alone: ``8 916``, ``+7 (900)``, ``8-800``.
_CODE: Final = re.compile(
    r"\.?[ \t]*+[:\-–—]?[ \t]*+(?:\+[ \t]?7|8)[ \t\-.]?\(?(?:9\d\d|800)\)?(?!\d)"
    r"(?![ \t\-.]?\d)(?![ \t]*+(?:[₽$€]|р\b|р\.|руб|rub|тыс|т\.р|k\b|к\b|шт|%))"
)
# Cues that ask for a call, and cues that name a phone (these only with a colon or a dash
# after them: «ремонт телефона 8 900» is a price).
_CALL_CUE: Final = re.compile(r"звон\w*|позвон\w*|набир\w*|набер\w*|call")
_PHONE_CUE: Final = re.compile(
    r"тел|телефон|тлф|моб|мобильн\w*|сотов\w*|номер|phone|tel|mob|mobile|whats\w*|"
    r"ватс\w*|вотс\w*|вацап\w*|вайбер\w*|viber\w*"
)


def _told_code(text: str, cue: re.Match[str]) -> tuple[int, int] | None:
    """A phone whose code is written right after the cue and the rest told some other way
    (``Телефон: 8 903, затем год …``, ``Вотсап: +7 900 и дальше семь раз семь``): no
    ordinary text writes an operator's code alone after «звоните»."""
    marked = text[cue.end() : cue.end() + 3].lstrip(". \t")[:1] in (":", "-", "—", "–")
    if not (_CALL_CUE.fullmatch(cue.group()) or (marked and _PHONE_CUE.fullmatch(cue.group()))):
        return None
    code = _CODE.match(text, cue.end())
    if code is None:
        return None
    return cue.start(), code.end()


def _around(text: str, cue: re.Match[str]) -> tuple[int, int] | None:
    """A phone read loosely after the cue, or before it (``… — Ольга, звоните``); the
    window is read as written (case tells ``В`` from ``б``) and as the phone copy
    (number words said in parts composed: ``девятьсот пять``)."""
    for start, end in (
        (cue.end(), cue.end() + _REACH),
        (max(0, cue.start() - _REACH), cue.start()),
    ):
        part = text[start:end]
        copy = phone_copy(normalise(part)).text.replace(SPELLED_MARK, " ")
        for window in (unicodedata.normalize("NFKC", part), copy):
            found = _read_run(window)
            if found is not None:
                if len(window) == len(part):
                    return start + found[0], start + found[1]
                return min(start, cue.start()), max(end, cue.end())
    return None


def _joined(text: str, cues: list[re.Match[str]]) -> tuple[int, int] | None:
    """Numbers told to be put together into a phone (``код 8916, квартира 238, этаж 47 —
    сложите всё подряд, это мой номер``): the last numbers before the words that say so,
    or the first ones after them, read through the phone copy and joined."""
    for join in _JOIN_CUE.finditer(text):
        if not any(abs(cue.start() - join.start()) <= _REACH for cue in cues):
            continue
        start = max(0, join.start() - _JOIN_REACH)
        before = _groups(text[start : join.start()])
        for count in range(2, len(before) + 1):
            if _is_phone("".join(before[-count:]), singles=False):
                return start, join.end()
        after = _groups(text[join.end() : join.end() + _JOIN_REACH])
        for count in range(2, len(after) + 1):
            if _is_phone("".join(after[:count]), singles=False):
                return join.start(), min(len(text), join.end() + _JOIN_REACH)
    return None


def _groups(part: str) -> list[str]:
    copy = phone_copy(normalise(part)).text.replace(SPELLED_MARK, " ")
    return _DIGIT_GROUP.findall(copy)


_DIGIT_GROUP: Final = re.compile(r"\d+")
