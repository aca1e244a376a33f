"""Phone numbers in the phone copy of a text (:func:`contact_normalize.phone_text`).

The rules are described in the docstring of :mod:`srochno.orders.contact`.
"""

from __future__ import annotations

import itertools
import re
from typing import Final

__all__ = ["has_phone"]

_MIN_DIGITS: Final = 7
_MAX_DIGITS: Final = 15
_MAX_AMOUNT_DIGITS: Final = 9
_MAX_RANGE_RATIO: Final = 10
_CIS_COUNTRY_CODES: Final = ("375", "380", "992", "993", "994", "995", "996", "998")

# Characters that give a number a meaning of its own and so end a run.
_BREAKS: Final = "%‰°№$€£¥₽₸₴₼₾¢×=<>"
_SEPARATOR: Final = rf"(?:[^\w{re.escape(_BREAKS)}]|_)"
_RUN: Final = re.compile(rf"(?:\+[^\S\n]{{0,2}}[(\[]?[^\S\n]{{0,2}})?\d(?:{_SEPARATOR}*+\d)*+")
_DIGITS: Final = re.compile(r"\d+")

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


def has_phone(text: str) -> bool:
    """Tell whether ``text`` holds a phone-shaped run of digits."""
    return any(_run_is_phone(run.group()) for run in _RUN.finditer(text))


def _run_is_phone(run: str) -> bool:
    spans = [match.span() for match in _DIGITS.finditer(run)]
    if sum(end - start for start, end in spans) < _MIN_DIGITS:
        return False
    barrier = _barriers(run, spans)
    segments: list[list[tuple[int, int]]] = [[]]
    for index, span in enumerate(spans):
        if barrier[index]:
            segments.append([])
        else:
            segments[-1].append(span)
    # Only a segment that starts the run can follow its "+".
    international = run.startswith("+") and bool(segments[0])
    return any(
        _segment_is_phone(run, segment, international and number == 0)
        for number, segment in enumerate(segments)
        if segment
    )


def _barriers(run: str, spans: list[tuple[int, int]]) -> list[bool]:
    """Mark the digit groups that belong to a date or time.

    A date or time joined by nothing but spaces to a plain number is taken as
    part of that number (``8 999 1 23.12.05``), so it is no barrier.
    """
    atoms = [match.span() for match in _ATOM.finditer(run)]
    if not atoms:
        return [False] * len(spans)
    # Items in order: (start, end, is_atom, group indices).
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
        joined = position > 0 and not run[items[position - 1][1] : item[0]].strip()
        if not joined:
            _mark(component, barrier)
            component = []
        component.append(item)
    _mark(component, barrier)
    return barrier


def _mark(component: list[tuple[int, int, bool, list[int]]], barrier: list[bool]) -> None:
    if not all(is_atom for _, _, is_atom, _ in component):
        return
    for _, _, _, indices in component:
        for index in indices:
            barrier[index] = True


def _segment_is_phone(run: str, spans: list[tuple[int, int]], international: bool) -> bool:
    groups = [run[start:end] for start, end in spans]
    separators = [run[spans[k][1] : spans[k + 1][0]] for k in range(len(spans) - 1)]
    sizes = [len(group) for group in groups]
    if sum(sizes) < _MIN_DIGITS:
        return False
    junction = _thousands_junctions(sizes, separators)
    last = len(groups) - 1
    for first in range(len(groups)):
        if first > 0 and junction[first - 1]:
            continue
        count = 0
        for end in range(first, len(groups)):
            count += sizes[end]
            if count > _MAX_DIGITS:
                break
            if end < last and junction[end]:
                continue
            window = groups[first : end + 1]
            window_separators = separators[first:end]
            if _phone_shaped(window, window_separators, international and first == 0) and not (
                _is_round_range(window, window_separators) or _is_increasing_list(window)
            ):
                return True
    return False


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
    if count == 11:
        return digits[0] in "78" and digits[1] in "3456789"
    if count == 10:
        return digits[0] in "3489"
    if count == 12:
        return digits.startswith(_CIS_COUNTRY_CODES)
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


def _is_increasing_list(groups: list[str]) -> bool:
    """``42, 44, 46, 48, 50``: a sorted list of numbers of one length."""
    return (
        len(groups) >= 3
        and len({len(group) for group in groups}) == 1
        and all(int(a) < int(b) for a, b in itertools.pairwise(groups))
    )
