"""Phone numbers (and over-long numbers) in the phone copy of a text.

The rules are described in ``docs/contacts.md``. In short: digit groups are
joined into *chains* across bounded gaps, windows of consecutive groups are
tried against the shapes of phone numbers, and the structures of ordinary texts
(dates, times, amounts grouped by thousands, round ranges, increasing lists) are
not read as phones.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from srochno.contacts.fold import fold
from srochno.contacts.normalize import SPELLED_MARK
from srochno.contacts.words import FILLER_WORDS

__all__ = ["NumberFinding", "find_number"]

_MIN_DIGITS: Final = 7
_MAX_DIGITS: Final = 15
_LONG_NUMBER: Final = 10
_MAX_AMOUNT_DIGITS: Final = 9
_MAX_RANGE_RATIO: Final = 10
_SPLIT_TOTAL: Final = 11
_SPLIT_REACH: Final = 120
_CIS_COUNTRY_CODES: Final = ("375", "380", "992", "993", "994", "995", "996", "998")
_MAX_GLUED_GROUP: Final = 4
_MAX_REPEATED_GAP: Final = 24
_REPEATS: Final = 3

# Gaps that join two digit groups whatever else: up to eight symbols, punctuation marks,
# spaces, line breaks or emoji; one letter; one short word (up to three letters: «и»,
# «до», «abc»); filler words such as «and», «плюс», «потом».
_NW: Final = r"(?:[^\w]|_)"
_FILLER: Final = "|".join(sorted(map(re.escape, FILLER_WORDS), key=len, reverse=True))
_JOINING_GAP: Final = re.compile(
    rf"{_NW}{{1,8}}"
    rf"|{_NW}{{0,3}}[^\W\d_]{_NW}{{0,3}}"
    rf"|{_NW}{{1,3}}[^\W\d_]{{2,3}}{_NW}{{1,3}}"
    rf"|(?:{_NW}{{1,4}}(?:{_FILLER}))+{_NW}{{1,4}}"
)
# Short words that name the number after them (a code, a flat, a floor, a house).
_NAMING_GAP: Final = re.compile(
    fold(
        r"(?<![^\W\d_])(?:код|кв|дом|эт|под|подъезд|корп|стр|каб|офис|пин|pin|code|apt|"
        r"заказ\w*|order|договор\w*|сч[её]т\w*|артикул\w*|арт|накладн\w*|трек\w*|"
        r"пн|вт|ср|чт|пт|сб|вс|mon|tue|wed|thu|fri|sat|sun)(?![^\W\d_])"
    )
)
_MEANINGFUL: Final = frozenset("%‰°№×=<>")
_TIMES: Final = frozenset("xх")
# Units and currencies written as words after a number (the short ones would join).
_UNIT_GAP: Final = re.compile(
    fold(
        r"(?<![^\W\d_])(?:руб|р|грн|тг|сум|usd|eur|rub|шт|кг|гр|г|мм|см|м|км|мл|л|"
        r"мин|ч|час|сек|дн|мес|лет|год|кв|м2|pcs|kg|mm|cm|km|ml|min|sec|hrs?|"
        r"час[аоу]\w*|минут\w*|секунд\w*|суток|сутки|дней|дня|день|недел\w*|месяц\w*|"
        r"года|годов|штук\w*|литр\w*|метр\w*|килограм\w*|грамм\w*|рубл\w*|копе\w*|"
        r"процент\w*|hours?|minutes?|days?|weeks?|months?|years?)(?![^\W\d_])"
    )
)
_SENTENCE_END: Final = re.compile(r"(?<!\s)[.!?…]\s")
# A sentence's end and a word after it: repeated sentences (``ошибка E01. ошибка E01.``).
_SENTENCES: Final = re.compile(r"(?<!\s)[.!?…]\s+[^\W\d_]{4}")
# A plus that starts a number, not one glued to a word (``C++ 2015``).
_PLUS: Final = re.compile(r"(?<![^\W\d_])(?<!\+)\+[^\S\n]{0,2}[(\[]?[^\S\n]{0,2}$")
_GROUP: Final = re.compile(r"\d+")

_DAY: Final = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH: Final = r"(?:0?[1-9]|1[0-2])"
# Dates, times and day.month pairs; never glued by . : / - to a digit on the left
# or by . : / to a digit on the right.
_ATOM: Final = re.compile(
    r"(?<!\d)(?<!\d[.:/\-])(?:"
    rf"{_DAY}(?P<s1>[./\-]){_MONTH}(?P=s1)(?:(?:19|20)\d\d|\d\d)"
    rf"|(?:19|20)\d\d(?P<s2>[./\-]){_MONTH}(?P=s2){_DAY}"
    r"|(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
    r"|(?:[012]?\d|3[01])\.[0-5]\d"
    r")(?!\d)(?![.:/]\d)"
)
_RANGE_MARKS: Final = ("-", "/", "…", "..")
_GLUED_LETTER: Final = re.compile(r"\d[^\W\d_]|[^\W\d_]\d")
_PHONE_START: Final = re.compile(r"[78]9\d{2,8}")
# Words that say what a long number is (an account, a contract, a serial number).
_LABEL: Final = re.compile(
    fold(
        r"(?:инн|огрн|огрнип|кпп|бик|снилс|окпо|оквэд|сч[её]т\w*|р/с|к/с|л/с|договор\w*|"
        r"заказ\w*|no|nr|артикул\w*|арт|art|vin|imei\d?|s/n|sn|серийн\w*|"
        r"штрих\W?код\w*|ean|upc|isbn|трек\w*|track\w*|ордер\w*|накладн\w*|полис\w*|"
        r"паспорт\w*|оригинал\w*|oem|каталожн\w*|part|осаго|каско|мтпл|ккт|рнм|фн)"
        r"(?:[ \t\-]*+(?:номер\w*|no|№))?\W{0,4}(?:[^\W\d_]{1,3}\W{1,3})?$"
    )
)
_LABEL_REACH: Final = 24


@dataclass(frozen=True, slots=True)
class NumberFinding:
    kind: str  # "phone" | "long_number"
    start: int
    end: int


def find_number(text: str, folded_labels: str | None = None) -> NumberFinding | None:
    """The first phone (or, failing that, over-long number) in the phone copy ``text``.

    ``folded_labels`` is the text in which labels of long numbers are looked for (the
    phone copy itself when not given).
    """
    labels = text if folded_labels is None else folded_labels
    spelled = text.find(SPELLED_MARK)
    if spelled >= 0:
        end = spelled + 1
        while end < len(text) and (text[end].isdigit() or text[end] == " "):
            end += 1
        return NumberFinding("phone", spelled, end)
    groups = [match.span() for match in _GROUP.finditer(text)]
    if sum(end - start for start, end in groups) < _MIN_DIGITS:
        return None
    chains = _chains(text, groups)
    for start, chain, digits in chains:
        if digits < _MIN_DIGITS:
            continue
        found = _chain_phone(chain)
        if found is not None:
            return NumberFinding("phone", start + found[0], start + found[1])
    split = _split_phone(text, chains)
    if split is not None:
        return NumberFinding("phone", *split)
    for start, end in groups:
        if end - start < _LONG_NUMBER or _glued_to_letter(text, start, end):
            continue
        if not _LABEL.search(labels[max(0, start - _LABEL_REACH) : start]):
            return NumberFinding("long_number", start, end)
    return None


@functools.lru_cache(maxsize=8192)
def _joins(gap: str) -> bool:
    """Whether ``gap`` joins the digit groups around it (on its own, not repeated).

    A currency sign or a unit-like sign (``% ° № × =``) gives the number before it a
    meaning of its own (``30000 ₽. 10×100``), and a sentence's end separates two
    sentences' numbers: such gaps join only when repeated.
    """
    if any(char in _MEANINGFUL or unicodedata.category(char) == "Sc" for char in gap):
        return False
    if _SENTENCE_END.search(gap):
        return False  # «… 3#1001. 10000 руб.»: numbers of two sentences
    if _NAMING_GAP.search(gap):
        return False  # «заказ 907452, код 3318»: the word names the number after it
    if _UNIT_GAP.search(gap):
        return False  # «850 руб 1250 руб»: a unit gives the number before it a meaning
    return _JOINING_GAP.fullmatch(gap) is not None


def _chains(text: str, groups: list[tuple[int, int]]) -> list[tuple[int, str, int]]:
    """Digit groups joined across the gaps that join them: (start, text, digits) of each.

    A gap also joins when the same gap, whatever it is, stands between four or more
    groups in a row (``8 руб 999 руб 123 руб 45``): that is a separator.
    """
    ends = [end for _, end in groups]
    starts = [start for start, _ in groups]
    gaps = [text[end:start] for end, start in zip(ends, starts[1:], strict=False)]
    cache = _JOIN_CACHE
    alone = [cache[gap] if gap in cache else _joins_cached(gap) for gap in gaps]
    joined = alone.copy()
    count = len(gaps)
    for k in range(count - _REPEATS + 1):
        gap = gaps[k]
        if (
            not alone[k]
            and gap == gaps[k + 1]
            and gap == gaps[k + 2]
            and len(gap) <= _MAX_REPEATED_GAP
            and "\n" not in gap
            and (not _SENTENCES.search(gap) or _fillers_only(gap))
            and not _unit_after_each(text, gaps, ends, k)
        ):
            joined[k] = joined[k + 1] = joined[k + 2] = True
    for k in range(count - 1):
        gap = gaps[k]
        if (
            not alone[k]
            and gap == gaps[k + 1]
            and len(gap) <= _MAX_REPEATED_GAP
            and (
                (
                    "+" in text[max(0, starts[k] - 3) : starts[k]]
                    and _PLUS.search(text, max(0, starts[k] - 6), starts[k]) is not None
                )
                or _glued_signs(gap)
                or _separator_between(gap, text[ends[k + 2] :])
            )
        ):
            # ``+38<0000<0000``: after a plus, twice is enough; so is a currency sign
            # glued between numbers (``849₽5000₽0000``), which no price list writes, or one
            # that does not follow the last number too (``849 ₽ 5000 ₽ 0000``): a unit
            # follows every number it belongs to, a separator stands only between.
            joined[k] = joined[k + 1] = True
    if "," in text:
        _part_numbers_apart(text, gaps, starts, ends, joined)
    chains: list[tuple[int, str, int]] = []
    first = 0
    digits = 0
    for k in range(len(groups)):
        digits += ends[k] - starts[k]
        if k < count and joined[k]:
            continue
        start, end = starts[first], ends[k]
        if "+" in text[max(0, start - 6) : start]:
            plus = _PLUS.search(text, max(0, start - 6), start)
            if plus is not None:
                start = plus.start()
        chains.append((start, text[start:end], digits))
        first = k + 1
        digits = 0
    return chains


_WORD: Final = re.compile(r"[^\W\d_]+")


def _fillers_only(gap: str) -> bool:
    """``. Далее ``: a sentence's end whose words only say «and then» (a number dictated
    one sentence per group), not another sentence (``ошибка E01. ошибка E01.``)."""
    words = _WORD.findall(gap)
    return bool(words) and all(word in FILLER_WORDS for word in words)


_DOTTED: Final = re.compile(r"\d++(?:\.\d++){2,}")
_LIST_GAP: Final = re.compile(r"[ \t]*+[,;][ \t]*+")


def _part_numbers_apart(
    text: str, gaps: list[str], starts: list[int], ends: list[int], joined: list[bool]
) -> None:
    """``артикулы 893.619.80, 302.056.31``: numbers of one dotted shape in a list by commas
    are each a number of its own (a catalogue's article, not a phone's groups)."""
    for k, gap in enumerate(gaps):
        if not joined[k] or not _LIST_GAP.fullmatch(gap):
            continue
        start = ends[k]
        while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            start -= 1
        before = _DOTTED.fullmatch(text, start, ends[k])
        after = _DOTTED.match(text, starts[k + 1])
        if (
            before is not None
            and after is not None
            and _shape(before.group()) == _shape(after.group())
        ):
            joined[k] = False


def _shape(number: str) -> list[int]:
    return [len(part) for part in number.split(".")]


def _unit_after_each(text: str, gaps: list[str], ends: list[int], k: int) -> bool:
    """``30 руб, 10 руб, 10 руб, 10 руб``: the repeated gap holds a unit or a currency
    that follows the last number of the run too, so it belongs to each number."""
    gap = gaps[k]
    core = gap.strip(" \t,.;")
    if not core or not (_UNIT_GAP.search(gap) or any(_is_sign(char) for char in core)):
        return False
    last = k + 2
    while last + 1 < len(gaps) and gaps[last + 1] == gap:
        last += 1
    after = text[ends[last + 1] :]
    if _DIMENSION_AFTER.match(after):
        return True  # ``300 см, 2 см, 10x10``: the last number is a size of its own
    return after.lstrip(" \t").startswith(core) or _priced(text, ends[last + 1])


_DIMENSION_AFTER: Final = re.compile(r"[ \t]*+[xх×*][ \t]*+\d")


def _is_sign(char: str) -> bool:
    return char in _MEANINGFUL or unicodedata.category(char) == "Sc"


def _separator_between(gap: str, after: str) -> bool:
    """A sign (not a letter glued to the digits, not a unit) between numbers that does
    not follow the last of them: ``849 ₽ 5000 ₽ 0000``."""
    core = gap.strip(" \t,.;")
    if not core or "\n" in gap or any(char.isalnum() for char in core):
        return False
    if after.lstrip().startswith(core):
        return False
    # ``2 ₽, 10000 ₽, 10 руб.``: a currency after the last number too, written otherwise.
    return not (any(_is_sign(char) for char in core) and _UNIT_GAP.match(after.lstrip(" \t")))


def _glued_signs(gap: str) -> bool:
    """No space, no letter, no maths sign: only signs and punctuation glued between."""
    return not any(char.isspace() or char.isalnum() or char in "×=<>" for char in gap)


_JOIN_CACHE: Final[dict[str, bool]] = {}
_JOIN_CACHE_LIMIT: Final = 16384


def _joins_cached(gap: str) -> bool:
    value = _joins(gap)
    if len(_JOIN_CACHE) < _JOIN_CACHE_LIMIT:
        _JOIN_CACHE[gap] = value
    return value


def _glued_to_letter(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha())


def _split_phone(text: str, chains: list[tuple[int, str, int]]) -> tuple[int, int] | None:
    """A number cut in two (or three): ``8999 …, последние 1234567``; the pieces may be
    given with their counts (``первые 6 цифр 892612, последние 5 34567``), and the end
    before the start when the text says which is the end (``кончается на 45-67, а
    начинается на 8916123``)."""
    if _COUNT_ANYWHERE.search(text) is not None:  # «первые 6 цифр …»
        chains = [piece for chain in chains if (piece := _without_count(text, chain)) is not None]
    landline = _split_landline(text, chains)
    if landline is not None:
        return landline
    for index, (start, chain, size) in enumerate(chains):
        if not 4 <= size <= 10 or not _PHONE_START.fullmatch("".join(_GROUP.findall(chain))):
            continue
        if (
            _ATOM.search(chain)
            or _GLUED_LETTER.search(chain)
            or _is_amount(chain)
            or _glued_to_letter(text, start, start + len(chain))
            or _priced(text, start + len(chain))
        ):
            continue  # a date, a time, a model number (``AA79A00``), an amount (``79 000``)
        if _NAMING_GAP.search(text, max(0, start - _LABEL_REACH), start):
            continue  # «код 8926 …»: the number has a name of its own
        total = size
        before = start + len(chain)
        for later_start, later, later_size in chains[index + 1 : index + 3]:
            if (
                later_start - start > _SPLIT_REACH
                or _ATOM.search(later)
                or _NAMING_GAP.search(text, before, later_start)
            ):
                break  # «заказ 790000, код 1000»: each number has its own name
            before = later_start + len(later)
            total += later_size
            if total == _SPLIT_TOTAL:
                return start, later_start + len(later)
            if total > _SPLIT_TOTAL:
                break
        told_end = _told_end(text, chains[index + 1 :], _SPLIT_TOTAL - size)
        if told_end is not None:
            return start, told_end
        if index > 0:
            earlier_start, earlier, earlier_size = chains[index - 1]
            if (
                size + earlier_size == _SPLIT_TOTAL
                and start - earlier_start <= _SPLIT_REACH
                and _END_WORD.search(text, max(0, earlier_start - _LABEL_REACH), start)
                and not _ATOM.search(earlier)
                and not _NAMING_GAP.search(text, earlier_start + len(earlier), start)
                and not _priced(text, earlier_start + len(earlier))
            ):
                return earlier_start, start + len(chain)
    return None


_AREA_CODE: Final = re.compile(r"[348]\d\d")
_LANDLINE_REACH: Final = 60


def _split_landline(text: str, chains: list[tuple[int, str, int]]) -> tuple[int, int] | None:
    """A city's code and its seven digits apart (``Офис: 495, дальше 7 цифр:
    2-3-3-4-5-6-7``): a three-digit code alone, then within 60 characters the next number,
    seven digits written in groups as a phone is."""
    for (start, chain, size), (later_start, later, later_size) in itertools.pairwise(chains):
        if (
            size == 3
            and later_size == _MIN_DIGITS
            and _AREA_CODE.fullmatch(chain)
            and len(_GROUP.findall(later)) >= 2
            and later_start - start <= _LANDLINE_REACH
            and not _glued_to_letter(text, start, start + 3)
            and not _priced(text, start + 3)
            and not _priced(text, later_start + len(later))
            and not _ATOM.search(later)
            and not _NAMING_GAP.search(text, start + 3, later_start)
        ):
            return start, later_start + len(later)
    return None


def _told_end(text: str, later: list[tuple[int, str, int]], size: int) -> int | None:
    """The end of a later number of ``size`` digits that the text says is a number's end
    (``… Начало номера 8-926-555. … Конец номера 71-03.``), however far: its end."""
    for start, chain, digits in later:
        if (
            digits == size
            and _END_WORD.search(text, max(0, start - _LABEL_REACH), start)
            and not _ATOM.search(chain)
            and not _priced(text, start + len(chain))
        ):
            return start + len(chain)
    return None


# Words that say a piece is a number's end (``кончается на 45-67``).
_END_WORD: Final = re.compile(
    fold(
        r"(?<![^\W\d_])(?:(?:за|о)?канчива\w*|конча\w*|последн\w*|в[ \t]++конце|конец|"
        r"хвост\w*|ends?)"
        r"(?![^\W\d_])"
    )
)
# A count of the digits that follow (``последние 5 34567``, ``первые 6 цифр 892612``).
_COUNT_WORD: Final = fold(r"(?:цифр\w*|знак\w*|digits?)")
_COUNTED: Final = re.compile(rf"(\d{{1,2}})(?:[ \t]++|[ \t]*+{_COUNT_WORD}\W{{0,3}})(?=\d)")
_COUNT_ALONE: Final = re.compile(rf"[ \t]*+{_COUNT_WORD}")
_COUNT_ANYWHERE: Final = re.compile(_COUNT_WORD)


def _without_count(text: str, chain: tuple[int, str, int]) -> tuple[int, str, int] | None:
    """The chain without a count of its digits before them; ``None`` for a chain that is a
    count alone (``6`` of ``первые 6 цифр``)."""
    start, body, size = chain
    after = text[start + len(body) : start + len(body) + 12]
    if _COUNT_ALONE.match(after):
        if size <= 2:
            return None
        groups = [*_GROUP.finditer(body)]
        last = groups[-1]
        if len(groups) >= 2 and len(last.group()) <= 2:  # ``495, дальше 7`` (цифр)
            body = body[: groups[-2].end()]
            size -= len(last.group())
            chain = (start, body, size)
    counted = _COUNTED.match(body)
    if counted is not None:
        rest = body[counted.end() :]
        if int(counted.group(1)) == sum(map(len, _GROUP.findall(rest))):
            return start + counted.end(), rest, size - len(counted.group(1))
    return chain


def _priced(text: str, end: int) -> bool:
    """A currency or a unit right after a number (``8900 руб.``, ``7900 ₽``): an amount."""
    after = text[end : end + 8].lstrip(" \t")
    if after[:1] and (unicodedata.category(after[0]) == "Sc" or after[0] in _MEANINGFUL):
        return True
    return _UNIT_GAP.match(after) is not None


def _is_amount(chain: str) -> bool:
    """``7900-8700``, ``79 000``: round amounts, or thousands written apart."""
    groups = _GROUP.findall(chain)
    return _has_round_amounts(groups) or "000" in groups[1:]


def _chain_phone(chain: str) -> tuple[int, int] | None:
    spans = [match.span() for match in _GROUP.finditer(chain)]
    sizes = [end - start for start, end in spans]
    total = sum(sizes)
    if total < _MIN_DIGITS:
        return None
    if (
        total < _LONG_NUMBER
        and not chain.startswith("+")
        and not _has_local_shape(sizes)
        and not (total == 9 and len(sizes) >= 3)
    ):
        return None  # too short for any shape but a local 3-2-2 number
    if not chain.startswith("+") and not _may_be_phone(chain, spans, sizes):
        return None  # no run of consecutive groups has a phone's length and first digits
    gaps = {chain[a:b] for (_, a), (b, _) in itertools.pairwise(spans)}
    if chain.startswith("+") and len(gaps) == 1:
        barrier = [False] * len(spans)  # ``+10:11:20:21:30``: one separator after a plus
    else:
        barrier = _barriers(chain, spans)
    _break_glued_letters(chain, spans, barrier)
    segments: list[list[tuple[int, int]]] = [[]]
    for index, span in enumerate(spans):
        if barrier[index]:
            segments.append([])
        else:
            segments[-1].append(span)
    international = chain.startswith("+") and bool(segments[0])
    for number, segment in enumerate(segments):
        if segment:
            found = _segment_phone(chain, segment, international and number == 0)
            if found is not None:
                start, end = found
                if international and number == 0 and start == segment[0][0]:
                    start = 0
                return start, end
    return None


def _may_be_phone(chain: str, spans: list[tuple[int, int]], sizes: list[int]) -> bool:
    """A cheap necessary test: some consecutive groups hold 7, 10, 11 or 12 digits whose
    first digits fit a phone (the windows tried later are runs of consecutive groups)."""
    count = len(spans)
    for first in range(count):
        start = spans[first][0]
        lead = chain[start : start + 3] if sizes[first] >= 3 else ""
        digits = 0
        for end in range(first, count):
            digits += sizes[end]
            if digits > 12:
                break
            if digits >= 7 and not lead:
                lead = "".join(chain[a:b] for a, b in spans[first : end + 1])[:3]
            if (
                (digits == 11 and lead[0] in "78" and lead[1] in "3456789")
                or (digits == 10 and lead[0] in "3489")
                or (digits == 12 and lead in _CIS_COUNTRY_CODES)
                or (digits == 7 and sizes[first : end + 1] == [3, 2, 2])
                or (
                    digits in (9, 10)
                    and lead[0] == "0"
                    and lead[1] in "3456789"
                    and 3 <= sizes[first] <= 4
                    and end > first
                )
                or (digits == 9 and sizes[first : end + 1] == [2, 3, 2, 2] and lead[0] == "9")
            ):
                return True
    return False


def _has_local_shape(sizes: list[int]) -> bool:
    return any(sizes[k : k + 3] == [3, 2, 2] for k in range(len(sizes) - 2))


def _break_glued_letters(chain: str, spans: list[tuple[int, int]], barrier: list[bool]) -> None:
    """A letter glued between digits (``89633A004352``) is part of a model or serial
    number, unless the token is cut by two or more letters into short groups or by one
    and the same letter (``8x999x123x45x67``)."""
    glued = [
        spans[k + 1][0] - spans[k][1] == 1 and chain[spans[k][1]].isalpha()
        for k in range(len(spans) - 1)
    ]
    k = 0
    while k < len(glued):
        if not glued[k]:
            k += 1
            continue
        end = k
        while end < len(glued) and glued[end]:
            end += 1
        letters = {chain[spans[j][1]] for j in range(k, end)}
        sizes = [spans[j][1] - spans[j][0] for j in range(k, end + 1)]
        separator = end - k >= 2 and (len(letters) == 1 or max(sizes) <= _MAX_GLUED_GROUP)
        if letters <= _TIMES and end - k < _REPEATS and max(sizes) <= _MAX_GLUED_GROUP:
            separator = False  # ``100x100x100``: three sizes, not a phone
        if not separator:
            for j in range(k, end):
                barrier[j + 1] = True
        k = end


def _barriers(run: str, spans: list[tuple[int, int]]) -> list[bool]:
    """Mark the digit groups that begin a new segment: those of a date or time.

    A date or time joined by nothing but spaces to a plain number is taken as
    part of that number (``8 999 1 23.12.05``), so it is no barrier.
    """
    atoms = [match.span() for match in _ATOM.finditer(run) if not _dash_run(run, match)]
    if not atoms:
        return [False] * len(spans)
    items: list[tuple[int, int, bool, list[int]]] = []
    atom_index = 0
    for index, (start, end) in enumerate(spans):
        while atom_index < len(atoms) and atoms[atom_index][1] <= start:
            atom_index += 1
        if atom_index < len(atoms) and atoms[atom_index][0] <= start:
            atom_start, atom_end = atoms[atom_index]
            if items and items[-1][2] and items[-1][0] == atom_start:
                items[-1][3].append(index)
            else:
                items.append((atom_start, atom_end, True, [index]))
        else:
            items.append((start, end, False, [index]))
    barrier = [False] * len(spans)
    component: list[tuple[int, int, bool, list[int]]] = []
    for position, item in enumerate(items):
        gap = run[items[position - 1][1] : item[0]] if position > 0 else "\n"
        joined = not gap.strip() and "\n" not in gap  # a line break ends a date's line
        if not joined:
            _mark(component, barrier)
            component = []
        component.append(item)
    _mark(component, barrier)
    return barrier


def _dash_run(run: str, atom: re.Match[str]) -> bool:
    """``8-4-95-0-0-0-0000``: a «date» of one-digit day and month inside a run of numbers
    joined by dashes is a piece of that run."""
    end = atom.end()
    return (
        atom.group().count("-") == 2
        and len(atom.group()) <= 6
        and run[end : end + 1] == "-"
        and run[end + 1 : end + 2].isdigit()
    )


def _mark(component: list[tuple[int, int, bool, list[int]]], barrier: list[bool]) -> None:
    if not all(is_atom for _, _, is_atom, _ in component):
        return
    for _, _, _, indices in component:
        for index in indices:
            barrier[index] = True


def _segment_phone(
    run: str, spans: list[tuple[int, int]], international: bool
) -> tuple[int, int] | None:
    groups = [run[start:end] for start, end in spans]
    separators = [run[spans[k][1] : spans[k + 1][0]] for k in range(len(spans) - 1)]
    sizes = [len(group) for group in groups]
    if sum(sizes) < _MIN_DIGITS:
        return None
    junction = _thousands_junctions(sizes, separators)
    last = len(groups) - 1
    for first in range(len(groups)):
        if first > 0 and junction[first - 1]:
            continue
        count = 0
        longest: int | None = None
        for end in range(first, len(groups)):
            count += sizes[end]
            if count > _MAX_DIGITS:
                break
            if end < last and junction[end]:
                continue
            window = groups[first : end + 1]
            window_separators = separators[first:end]
            if _phone_shaped(window, window_separators, international and first == 0) and not (
                _is_round_range(window, window_separators)
                or (_is_increasing_list(window) and not (international and first == 0))
                or (
                    _has_round_amounts(window)
                    and not (international and first == 0)
                    and not _one_separator(window_separators)
                )
            ):
                longest = end
        if longest is not None:
            return spans[first][0], spans[longest][1]
    return None


def _thousands_junctions(sizes: list[int], separators: list[str]) -> list[bool]:
    """Mark the places where a number is grouped by thousands (``1 500 000``).

    A window neither begins nor ends there, so an amount is never cut in the
    middle. A chain of such groups longer than nine digits is no amount (it is
    how a phone number is disguised), so its places are not marked.
    """
    base = [
        separators[k] in (" ", ".") and sizes[k] <= 3 and sizes[k + 1] == 3
        for k in range(len(separators))
    ]
    junction = [False] * len(separators)
    k = 0
    while k < len(base):
        if not base[k]:
            k += 1
            continue
        end = k
        while end < len(base) and base[end]:
            end += 1
        if sum(sizes[k : end + 1]) <= _MAX_AMOUNT_DIGITS:
            junction[k:end] = [True] * (end - k)
        k = end
    return junction


def _phone_shaped(groups: list[str], separators: list[str], international: bool) -> bool:
    digits = "".join(groups)
    count = len(digits)
    if international and 8 <= count <= _MAX_DIGITS:
        return True
    if digits[0] == "0" and len(groups) >= 2 and count in (9, 10) and 3 <= len(groups[0]) <= 4:
        # a national number of a CIS country, with its trunk 0 (``050 312 45 67``,
        # ``0555 123 456``, ``069 123 456``)
        return digits[1] in "3456789" and (count == 10 or len(groups) >= 3)
    if count == 11:
        return digits[0] in "78" and digits[1] in "3456789"
    if count == 10:
        return digits[0] in "3489"
    if count == 12:
        return digits.startswith(_CIS_COUNTRY_CODES)
    if count == 9:  # ``90 123 45 67``: a mobile number of Uzbekistan as written there
        return digits[0] == "9" and [len(group) for group in groups] == [2, 3, 2, 2]
    if count == 7:
        return [len(group) for group in groups] == [3, 2, 2] and all(
            separator.strip() in ("", "-", ".") for separator in separators
        )
    return False


def _is_round_range(groups: list[str], separators: list[str]) -> bool:
    """``15000-20000``, ``30 000 - 40 000``: two round amounts, low to high."""
    marks = [k for k, separator in enumerate(separators) if _is_range_mark(separator)]
    if len(marks) != 1:
        return False
    cut = marks[0] + 1
    low = _amount(groups[:cut], separators[: cut - 1])
    high = _amount(groups[cut:], separators[cut:])
    if low is None or high is None:
        return False
    return low % 100 == 0 and high % 100 == 0 and 0 < low <= high <= low * _MAX_RANGE_RATIO


def _is_range_mark(separator: str) -> bool:
    return any(mark in separator for mark in _RANGE_MARKS)


def _amount(groups: list[str], separators: list[str]) -> int | None:
    """The value of one number written plainly or grouped by thousands."""
    if len(groups) > 1 and (
        any(separator not in (" ", ".") for separator in separators)
        or len(groups[0]) > 3
        or any(len(group) != 3 for group in groups[1:])
    ):
        return None
    digits = "".join(groups)
    return int(digits) if len(digits) <= _MAX_AMOUNT_DIGITS else None


def _one_separator(separators: list[str]) -> bool:
    """``8A4A9A5A000A1000``: one and the same separator between five groups or more, one
    that no list of amounts uses (a letter, an emoji, a word), makes round groups a phone's."""
    if len(separators) < _REPEATS + 1 or len(set(separators)) != 1:
        return False
    separator = separators[0]
    return separator.strip() not in _AMOUNT_SEPARATORS and not any(
        char in _MEANINGFUL or unicodedata.category(char) == "Sc" for char in separator
    )


_AMOUNT_SEPARATORS: Final = frozenset({"", "-", "/", ",", ".", ";", "+", "и", "and", "или", "or"})


def _has_round_amounts(groups: list[str]) -> bool:
    """``15600-30000. 10000``, ``от 30 000 до 31 000``: two or more round amounts, each a
    group of four digits or more ending in 00, or a group followed by thousands ``000``,
    never starting with 0."""
    amounts = 0
    for index, group in enumerate(groups):
        if group[0] == "0" or group == "000":
            continue
        thousands = index + 1 < len(groups) and groups[index + 1] == "000"
        if thousands or (len(group) >= 4 and group.endswith("00")):
            amounts += 1
    return amounts >= 2


def _is_increasing_list(groups: list[str]) -> bool:
    """``42, 44, 46, 48, 50``: a sorted list of numbers of one length."""
    return (
        len(groups) >= 3
        and len({len(group) for group in groups}) == 1
        and all(int(a) < int(b) for a, b in itertools.pairwise(groups))
    )
