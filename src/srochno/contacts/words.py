"""The vocabularies of contact detection: number words, messengers, mail providers.

Word forms are generated (stems and endings, common misspellings, transliteration)
rather than listed one by one, so a form nobody wrote down is still recognised.
Every word is folded (Cyrillic look-alikes become Latin letters) as the text is.
"""

from __future__ import annotations

import functools
import itertools
from typing import Final

from srochno.contacts.fold import fold

__all__ = [
    "FILLER_WORDS",
    "MAIL_PROVIDERS",
    "MULTIPLIER_VALUES",
    "NUMBER_WORDS",
    "REPEATERS",
    "ROMAN_DIGITS",
    "RUN_WORDS",
    "SPOKEN_TLDS",
    "run_value",
]


def _words(text: str) -> list[str]:
    return text.split()


# Cardinal numbers in every case, collective numerals and the digit's own name
# (восьмёрка, пятёрочка) with its case endings.
_UNIT_FORMS: Final = {
    0: "ноль нуль ноля нуля нолю нулю нолём нулём нолем нулем нолик нолика нолики нулик zero",
    1: "один одна одно одного одной одному одним одном одну единица единицы единицу "
    "единицей единичка единички единичку единичкой раз one wun",
    2: "два две двух двум двумя двое двоих двойка двойки двойку двойкой двоечка двоечку "
    "двушка двушку two",
    3: "три трех трём трем тремя трое троих тройка тройки тройку тройкой троечка троечку "
    "трешка трешку трёшка трёшку three tree",
    4: "четыре четырех четырём четырем четырьмя четверо четверых четверка четверки "
    "четверку четверкой четвёрка четвёрку четверочка четверочку four fower",
    5: "пять пяти пятью пятеро пятерых пятерка пятерки пятерку пятеркой пятёрка пятёрку "
    "пятерочка пятерочку пятёрочка пятёрочку five fife",
    6: "шесть шести шестью шестеро шестерых шестерка шестерки шестерку шестёрка шестёрку "
    "шестерочка шестерочку six",
    7: "семь семи семью семеро семерых семерка семерки семерку семёрка семёрку семерочка "
    "семерочку seven",
    8: "восемь восьми восемью восьмью восьмеро восьмерка восьмерки восьмерку восьмёрка "
    "восьмёрку восьмерочка восьмерочку eight ait",
    9: "девять девяти девятью девятеро девятка девятки девятку девяткой девяточка "
    "девяточку nine niner",
}
_TEEN_FORMS: Final = {
    10: "десять десяти десятью десятка десятку ten",
    11: "одиннадцать одиннадцати одинадцать eleven",
    12: "двенадцать двенадцати twelve",
    13: "тринадцать тринадцати thirteen",
    14: "четырнадцать четырнадцати fourteen",
    15: "пятнадцать пятнадцати fifteen",
    16: "шестнадцать шестнадцати sixteen",
    17: "семнадцать семнадцати seventeen",
    18: "восемнадцать восемнадцати eighteen",
    19: "девятнадцать девятнадцати nineteen",
    20: "двадцать двадцати twenty",
    30: "тридцать тридцати thirty",
    40: "сорок сорока forty fourty",
    50: "пятьдесят пятидесяти fifty",
    60: "шестьдесят шестидесяти sixty",
    70: "семьдесят семидесяти seventy",
    80: "восемьдесят восьмидесяти eighty",
    90: "девяносто девяноста ninety",
    100: "сто ста hundred",
    200: "двести двухсот",
    300: "триста трехсот трёхсот",
    400: "четыреста четырехсот четырёхсот",
    500: "пятьсот пятисот",
    600: "шестьсот шестисот",
    700: "семьсот семисот",
    800: "восемьсот восьмисот",
    900: "девятьсот девятисот",
}

_TRANSLIT: Final = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
_TRANSLIT_VARIANTS: Final = (("ya", "ja"), ("ya", "ia"), ("ch", "4"), ("sh", "w"), ("yu", "ju"))
_MAX_SWAPS: Final = 4


def _misspellings(word: str) -> set[str]:
    """Forms written as heard: the soft sign dropped, о and а, е and и confused."""
    variants = {word, word.replace("ё", "е"), word.replace("ь", "")}
    for form in list(variants):
        vowels = [i for i, char in enumerate(form) if char in "оаеи"]
        if len(vowels) > _MAX_SWAPS:
            vowels = vowels[:_MAX_SWAPS]
        for choice in itertools.product((False, True), repeat=len(vowels)):
            chars = list(form)
            for index, swap in zip(vowels, choice, strict=True):
                if swap:
                    chars[index] = {"о": "а", "а": "о", "е": "и", "и": "е"}[chars[index]]
            variants.add("".join(chars))
    return variants


def _transliterations(word: str) -> set[str]:
    latin = "".join(_TRANSLIT.get(char, char) for char in word)
    forms = {latin}
    for old, new in _TRANSLIT_VARIANTS:
        forms |= {form.replace(old, new) for form in forms}
    return forms


# Transliterated or misspelt forms that are ordinary words of their own.
_NOT_NUMBERS: Final = frozenset(
    _words(
        "seme semi st sta ta raz ras tree too ate oda "
        "ода сема семе сто ста раз дво дева деве пяте пяти тре тро сим нал пит"
    )
) - {"сто", "ста", "пяти"}


def _number_words() -> dict[str, int]:
    table: dict[str, int] = {}
    for value, forms in itertools.chain(_UNIT_FORMS.items(), _TEEN_FORMS.items()):
        for form in _words(forms):
            spellings = {form}
            if not form.isascii():
                spellings = _misspellings(form)
                for spelling in list(spellings):
                    spellings |= _transliterations(spelling)
            for spelling in spellings:
                if spelling and (spelling == form or spelling not in _NOT_NUMBERS):
                    table.setdefault(fold(spelling), value)
    table.pop(fold("раз"), None)  # «раз» is also «once»; only in a run of numbers
    return table


NUMBER_WORDS: Final = _number_words()
"""Folded word form → its value (0-900)."""

ROMAN_DIGITS: Final = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
}  # fmt: skip
"""Roman numerals that stand for one digit (X and above are two digits: never dictated)."""

FILLER_WORDS: Final = frozenset(
    fold(word)
    for word in _words(
        "и а да плюс потом затем дальше далее ещё еще тире дефис пробел точка запятая "
        "and plus then next also dash space dot comma or или млрд млн тыс тысяч тысячи тысяча "
        "миллион миллиона миллионов миллиард миллиарда миллиардов"
    )
)
"""Words that glue the groups of a dictated number without meaning anything themselves."""

MAIL_PROVIDERS: Final = frozenset(
    fold(word)
    for word in _words(
        "gmail googlemail yandex ya mail inbox list bk rambler outlook hotmail live yahoo "
        "icloud proton protonmail gmx ukr vk ok avito youtube instagram facebook tiktok "
        "яндекс яндэкс мейл мэйл маил майл джимейл гмейл гмайл гмаил джимайл рамблер "
        "вк аутлук хотмейл ютуб авито"
    )
)
"""Well-known domain names: ``gmail com`` (the dot left out) still names a host."""

SPOKEN_TLDS: Final = {
    fold(word): tld
    for word, tld in (
        ("ком", "com"),
        ("ру", "ru"),
        ("рф", "рф"),
        ("нет", "net"),
        ("орг", "org"),
        ("ми", "me"),
        ("com", "com"),
        ("ru", "ru"),
        ("net", "net"),
        ("org", "org"),
        ("me", "me"),
        ("su", "su"),
        ("io", "io"),
        ("by", "by"),
        ("ua", "ua"),
        ("kz", "kz"),
    )
}
"""Top-level domains as they are said or written after a well-known domain name."""


# Words read as digits only inside a dictated run (seven digits or more): ordinals,
# other languages' numbers, English numbers written in Cyrillic, multipliers. Alone they
# are ordinary words («первый этаж», «tres», «ту»), so one of them never makes a digit.
_ORDINAL_STEMS: Final = {
    0: "нулев",
    1: "перв",
    2: "втор",
    3: "трет",
    4: "четверт четвёрт",
    5: "пят",
    6: "шест",
    7: "седьм",
    8: "восьм",
    9: "девят",
}
_ORDINAL_ENDINGS: Final = "ой ый ий ая ое ого ому ую ым ом ей ья ье ьего ьей ьему ью ьим"
_FOREIGN_FORMS: Final = {
    0: "нуль нул null zero cero zéro zerro nol ноль зеро зиро нөл нол ling",
    1: "один одын адзін адзин eins ein uno un une jeden jedna bir бір бир уан ван yi bir bir",
    2: "два дві дви zwei zwo dos deux due dwa ikki екі еки ту тю er",
    3: "три тры tres trois tre trzy uch үш уш фри сри san drei",
    4: "чотири чатыры vier cuatro quatre quattro cztery to'rt tort төрт торт фо фор фоу si",
    5: "пять п'ять пяць fünf fuenf funf cinco cinq cinque pięć piec besh бес файв wu",
    6: "шість шисть шэсць seis sechs six sei sześć szesc olti алты сикс liu",
    7: "сім сим sieben siete sept sette siedem yetti жеті жети севен сэвэн сэвен севэн qi",
    8: "вісім висим восем acht ocho huit otto osiem sakkiz сегіз сегиз эйт эйг ба ba",
    9: "дев'ять девять дзевяць neun nueve neuf nove dziewięć dziewiec to'qqiz toqqiz "
    "тоғыз тогыз найн jiu",
}
_MULTIPLIERS: Final = {
    1000: "тысяча тысячи тысяч тысячу тыс thousand thousands",
    1_000_000: "миллион миллиона миллионов млн million millions",
    1_000_000_000: "миллиард миллиарда миллиардов млрд billion billions",
}
REPEATERS: Final = {
    fold(word): count
    for word, count in (
        ("double", 2), ("triple", 3), ("дабл", 2), ("трипл", 3), ("двойная", 2),
        ("тройная", 3), ("дважды", 2), ("трижды", 3),
    )
}  # fmt: skip
"""``triple five`` is ``555``: the count of the digit after it."""
MULTIPLIER_VALUES: Final = frozenset(_MULTIPLIERS)


def _phonetic(word: str) -> str:
    """A word as heard: vowels in three classes, consonants devoiced, doubled letters and
    the soft sign dropped, ``стн``/``тц`` simplified (``шиснацать`` = ``шестнадцать``)."""
    key = word.translate(_PHONETIC_TABLE)
    for old, new in (("стн", "сн"), ("тц", "ц"), ("тс", "ц"), ("сч", "щ")):
        key = key.replace(old, new)
    out: list[str] = []
    for char in key:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


_PHONETIC_TABLE: Final = str.maketrans(
    {
        **dict.fromkeys("оаё", "а"),
        **dict.fromkeys("еиэяыіїє", "и"),
        **dict.fromkeys("ую", "у"),
        "б": "п", "в": "ф", "г": "к", "д": "т", "ж": "ш", "з": "с", "щ": "ш", "ғ": "к",
        "ь": None, "ъ": None, "'": None, "’": None, "ʼ": None, "й": "и", "ў": "у",
    }
)  # fmt: skip
_MIN_PHONETIC: Final = 3


def _run_words() -> tuple[dict[str, int], dict[str, int]]:
    """Run-only words (folded form → value) and phonetic keys of every Cyrillic number
    word (key → value), the keys that two values share left out."""
    table: dict[str, int] = {}
    for value, stems in _ORDINAL_STEMS.items():
        for stem in stems.split():
            for ending in _ORDINAL_ENDINGS.split():
                if stem.endswith("т") or not ending.startswith("ь"):
                    form = stem + ending
                    for spelling in _misspellings(form) | {
                        t for s in _misspellings(form) for t in _transliterations(s)
                    }:
                        table.setdefault(fold(spelling), value)
    for value, forms in _FOREIGN_FORMS.items():
        for form in forms.split():
            table.setdefault(fold(form), value)
            table.setdefault(fold(form.replace("'", "")), value)
    for value, forms in _MULTIPLIERS.items():
        for form in forms.split():
            table[fold(form)] = value
    keys: dict[str, set[int]] = {}
    sources = [
        *((form, value) for value, forms in _UNIT_FORMS.items() for form in forms.split()),
        *((form, value) for value, forms in _TEEN_FORMS.items() for form in forms.split()),
        *((form, value) for value, forms in _FOREIGN_FORMS.items() for form in forms.split()),
    ]
    for form, value in sources:
        if form.isascii() or len(form) < _MIN_PHONETIC:
            continue
        key = _phonetic(form)
        variants = {key}
        if len(key) >= 4:  # a vowel or the last consonant swallowed: «чтыре», «шэсь»
            variants |= {key[:i] + key[i + 1 :] for i in range(1, len(key)) if key[i] in "аиу"}
            variants.add(key[:-1])
        for variant in variants:
            if len(variant) >= _MIN_PHONETIC:
                keys.setdefault(variant, set()).add(value)
    phonetic = {key: next(iter(values)) for key, values in keys.items() if len(values) == 1}
    return {k: v for k, v in table.items() if k not in NUMBER_WORDS}, phonetic


RUN_WORDS, _PHONETIC_KEYS = _run_words()
"""Folded word → value: words that stand for a number only in a dictated run."""


_UNFOLD: Final = str.maketrans("abekmhopctyxi", "авекмнорстухи")


@functools.lru_cache(maxsize=65536)
def run_value(word: str) -> int | None:
    """The value of a run-only word (folded): listed, or a Cyrillic word that sounds
    like a number word (``девить``, ``шиснацать``, ``чтыре``)."""
    value = RUN_WORDS.get(word)
    if value is not None:
        return value
    if len(word) < _MIN_PHONETIC:
        return None
    plain = word.translate(_UNFOLD)
    if not all("а" <= char <= "я" or char in "ёіїєўғүө" for char in plain):
        return None
    return _PHONETIC_KEYS.get(_phonetic(plain))
