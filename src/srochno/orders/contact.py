"""Detection of contact details in order descriptions.

A description is shown for free while the client's contact is sold to
executors, so a description must not carry a way to reach the client
directly. :func:`find_contact` names the kind of contact found,
:func:`contains_contact` only tells whether there is one. Both are pure and
linear in the length of the text: every pattern is precompiled, and none has
nested quantifiers that could backtrack over the same characters twice.

Normalisation
    The text is NFKC-normalised (fullwidth letters, digits and punctuation
    become ASCII; non-breaking and other Unicode spaces become a plain space),
    zero-width characters and soft hyphens are removed, every Unicode dash and
    minus sign becomes ``-``, a tab becomes a space, the ideographic full stop
    becomes ``.``, and every remaining Unicode decimal digit becomes its ASCII
    digit.

Kinds, checked in this order; the first kind found is reported
    ``email``
        ``local@domain.tld``: at least one character of ``[\\w.%+-]``, ``@``,
        dot-separated labels, and a final label of two or more letters.
    ``telegram_link``
        ``tg://`` or ``t.me``, ``telegram.me``, ``telegram.dog`` as a whole
        word, with or without scheme and path, case-insensitive, with up to
        three spaces on each side of the dot; Cyrillic т, м, е are accepted in
        ``t.me``.
    ``url``
        ``http://``, ``https://``, ``ftp://``, ``www.``, or a bare domain:
        labels joined by dots and ending in a top-level domain from
        :data:`LATIN_TLDS` (labels of ASCII letters, digits and ``-``) or
        :data:`CYRILLIC_TLDS` (labels of Cyrillic letters, digits and ``-``).
        The domain must not continue a word, a number or another domain on
        its left, nor continue with a letter, digit or ``-`` on its right.
        ``asp.net``, ``vb.net`` and ``ado.net`` are names of technologies and
        pass. Abbreviations such as ``т.е.``, ``и т.д.``, ``ул.Ленина``,
        ``г.Москва``, ``v.2``, ``10.5`` pass because their last part is not
        a top-level domain (``москва`` is left out of the list on purpose).
    ``username``
        ``@`` followed by a Telegram username: a Latin letter, then 4 to 31
        characters of ``[A-Za-z0-9_]``, not followed by another such
        character.
    ``phone``
        See below.

Phones
    1. Dates with a year (``12.05.2025``, ``12/05/25``, ``2025-05-12``) are
       blanked out first, and runs of spaces are collapsed to one space.
    2. A *run* is a maximal stretch of ASCII digits in which neighbouring
       digits are separated by at most three characters from ``space - . / ( )``,
       optionally preceded by ``+`` (and up to two spaces or opening
       brackets). Colons, commas, letters and line breaks end a run, so
       ``10:00``, ``2, 3``, ``80x200`` never join into one number.
    3. The run is split into digit groups. A *window* is a sequence of
       consecutive groups. A window may neither begin nor end at a thousands
       junction: a group of 1-3 digits followed, after a single space or dot,
       by a group of exactly 3 digits (``1 500 000``, ``15.000``). A phone is
       never cut in the middle of such a number.
    4. A window with *n* digits is phone-shaped when

       * the run starts with ``+``, the window starts at the first group and
         8 <= n <= 15 (any international number);
       * n = 11, the first digit is 7 or 8 and the second is 3-9
         (Russian or Kazakh number with country or trunk code);
       * n = 10 and the first digit is 3, 4, 8 or 9 (Russian area or mobile
         code without the trunk prefix);
       * n = 12 and it starts with 375, 380, 992, 994, 995, 996 or 998
         (CIS country code without ``+``);
       * n = 7 and the groups are exactly 3-2-2 (local ``123-45-67``).

    5. A phone-shaped window is still not a phone when it reads as an
       amount: one number (up to nine plain digits, or digits grouped by
       thousands with spaces or dots, optionally followed by ``.d`` or
       ``.dd``), or a range ``a-b`` or ``a/b`` of two such numbers with
       ``a <= b < 1000 * a``. This lets ``15000-20000``, ``30 000 - 40 000``
       and ``1.500.000`` pass while ``8 999 123-4567`` (``b < a``) does not.

    A run is a phone when any of its windows is. Everything shorter than seven
    digits, every amount, date, time, floor, size or address number passes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["CYRILLIC_TLDS", "LATIN_TLDS", "contains_contact", "find_contact"]

LATIN_TLDS: Final = (
    "com",
    "ru",
    "su",
    "net",
    "org",
    "info",
    "biz",
    "io",
    "me",
    "pro",
    "app",
    "dev",
    "site",
    "online",
    "store",
    "shop",
    "tech",
    "xyz",
    "top",
    "club",
    "space",
    "website",
    "link",
    "live",
    "blog",
    "page",
    "tv",
    "co",
    "cc",
    "ly",
    "gl",
    "gg",
    "us",
    "uk",
    "de",
    "eu",
    "by",
    "kz",
    "ua",
    "uz",
    "kg",
    "tj",
    "am",
    "az",
    "ge",
)
CYRILLIC_TLDS: Final = ("рф", "рус", "сайт", "онлайн")

_CIS_COUNTRY_CODES: Final = ("375", "380", "992", "994", "995", "996", "998")
_MAX_PHONE_DIGITS: Final = 15
_RANGE_RATIO: Final = 1000

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
_TRANSLATION: Final[dict[int, str | None]] = {
    **dict.fromkeys(map(ord, _DASHES), "-"),
    **dict.fromkeys(map(ord, _INVISIBLE), None),
    ord("\t"): " ",
    ord("\u3002"): ".",
    ord("\uff61"): ".",
}
_FOREIGN_DIGIT = re.compile(r"(?![0-9])\d")

_EMAIL = re.compile(r"[\w.%+\-]@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
_TELEGRAM = re.compile(
    r"(?<![\w.\-])(?:[tт]|telegram) {0,3}\. {0,3}(?:[mм][eе]|dog)(?![\w\-])|(?<!\w)tg://",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?<!\w)(?:https?|ftp)://"
    r"|(?<![\w.\-])www\.[\w\-]"
    r"|(?<![\w.@\-])(?!(?:asp|vb|ado)\.net(?![\w\-]))"
    rf"(?:[a-z0-9][a-z0-9\-]*\.)+(?:{'|'.join(LATIN_TLDS)})(?![\w\-])"
    r"|(?<![\w.@\-])"
    rf"(?:[а-яё0-9][а-яё0-9\-]*\.)+(?:{'|'.join(CYRILLIC_TLDS)})(?![\w\-])",
    re.IGNORECASE,
)
_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{4,31}(?![A-Za-z0-9_])")

_DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?:0?[1-9]|[12]\d|3[01])([./])(?:0?[1-9]|1[0-2])\1(?:\d{4}|\d{2})"
    r"|(?:19|20)\d\d([-./])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12]\d|3[01])"
    r")(?!\d)"
)
_SPACES = re.compile(r" {2,}")
_RUN = re.compile(r"(?:\+[ (]{0,2})?[0-9](?:[ ./()\-]{0,3}[0-9])*")
_DIGITS = re.compile(r"[0-9]+")
_NUMBER = r"(?:\d{1,3}(?:[ .]\d{3})+|\d{1,9})(?:\.\d{1,2})?"
_AMOUNT = re.compile(rf"(?P<low>{_NUMBER})(?: ?[-/] ?(?P<high>{_NUMBER}))?")
_NUMBER_PARTS = re.compile(r"(?P<whole>\d{1,3}(?:[ .]\d{3})+|\d{1,9})(?:\.(?P<fraction>\d{1,2}))?")


def find_contact(text: str) -> str | None:
    """Return the kind of contact found in ``text``, or ``None``.

    The kind is one of ``"email"``, ``"telegram_link"``, ``"url"``,
    ``"username"``, ``"phone"``; when several are present, the first in this
    order is returned.
    """
    normal = _normalise(text)
    if _EMAIL.search(normal):
        return "email"
    if _TELEGRAM.search(normal):
        return "telegram_link"
    if _URL.search(normal):
        return "url"
    if _USERNAME.search(normal):
        return "username"
    if _has_phone(normal):
        return "phone"
    return None


def contains_contact(text: str) -> bool:
    """Tell whether ``text`` carries any contact detail."""
    return find_contact(text) is not None


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    return _FOREIGN_DIGIT.sub(_ascii_digit, text)


def _ascii_digit(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match.group()))


def _has_phone(text: str) -> bool:
    text = _SPACES.sub(" ", _DATE.sub("#", text))
    return any(_run_is_phone(run.group()) for run in _RUN.finditer(text))


def _run_is_phone(run: str) -> bool:
    spans = [match.span() for match in _DIGITS.finditer(run)]
    sizes = [end - start for start, end in spans]
    if sum(sizes) < 7:
        return False
    digits = "".join(run[start:end] for start, end in spans)
    international = run.startswith("+")
    thousands = [
        run[spans[k][1] : spans[k + 1][0]] in (" ", ".") and sizes[k] <= 3 and sizes[k + 1] == 3
        for k in range(len(spans) - 1)
    ]
    last = len(spans) - 1
    offset = 0
    for first in range(len(spans)):
        if first > 0:
            offset += sizes[first - 1]
        if first > 0 and thousands[first - 1]:
            continue
        count = 0
        for end in range(first, len(spans)):
            count += sizes[end]
            if count > _MAX_PHONE_DIGITS:
                break
            if end < last and thousands[end]:
                continue
            window = digits[offset : offset + count]
            plus = international and first == 0
            if _phone_shaped(window, sizes[first : end + 1], plus) and not _is_amount(
                run[spans[first][0] : spans[end][1]]
            ):
                return True
    return False


def _phone_shaped(digits: str, sizes: list[int], international: bool) -> bool:
    count = len(digits)
    if international and 8 <= count <= _MAX_PHONE_DIGITS:
        return True
    if count == 11:
        return digits[0] in "78" and digits[1] in "3456789"
    if count == 10:
        return digits[0] in "3489"
    if count == 12:
        return digits.startswith(_CIS_COUNTRY_CODES)
    return count == 7 and sizes == [3, 2, 2]


def _is_amount(window: str) -> bool:
    match = _AMOUNT.fullmatch(window)
    if match is None:
        return False
    high = match.group("high")
    if high is None:
        return True
    low_value = _value(match.group("low"))
    return low_value <= _value(high) < max(low_value, 1) * _RANGE_RATIO


def _value(number: str) -> float:
    match = _NUMBER_PARTS.fullmatch(number)
    assert match is not None
    whole = int(match.group("whole").replace(" ", "").replace(".", ""))
    fraction = match.group("fraction")
    return whole + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)
