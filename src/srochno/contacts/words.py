"""The vocabularies of contact detection: number words, messengers, mail providers.

Word forms are generated (stems and endings, common misspellings, transliteration)
rather than listed one by one, so a form nobody wrote down is still recognised.
Every word is folded (Cyrillic look-alikes become Latin letters) as the text is.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
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
        "и а да плюс потом затем дальше далее ещё еще тире дефис пробел точка запятая пауза "
        "and plus then next also dash space dot comma pause or или "
        "млрд млн тыс тысяч тысячи тысяча "
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
# Digits in the languages of Central Asia, the Caucasus, Moldova, the Balkans, Israel and
# Vietnam (in Latin and Cyrillic letters), read like the ones above: in a run of numbers.
_MORE_FOREIGN_FORMS: Final = {
    0: "sıfır sifir сифр sifr efes эфес эфэс không khong nula нула",
    1: "бер як mek erti unu уну jedan ahat ахат một mot",
    2: "икки iki ике ду yerku ori doi дой shtaim штаим hai",
    3: "уч üç өч се yerek sami trei трей shalosh шалош",
    4: "тўрт dört dort dörd дүрт чор chors otkhi patru патру četiri cetiri arba арба bốn",
    5: "беш beş биш панҷ панч hing khuti cinci чинч hamesh хамеш năm",
    6: "олти altı alti шаш vets ekvsi șase sase шасе šest sest shesh шеш sáu",
    7: "етти yedi yeddi җиде жиде ҳафт хафт yot shvidi șapte sapte шапте sedam sheva шева bảy",
    8: "саккиз sekiz səkkiz сигез ҳашт хашт ut rva opt опт osam shmone шмоне tám",
    9: "тўққиз dokuz doqquz тугыз нӯҳ нух inny tskhra nouă noua ноуэ devet tesha тэша chín",
}
for _value, _forms in _MORE_FOREIGN_FORMS.items():
    _FOREIGN_FORMS[_value] += " " + _forms
# Slang for round numbers (a note's, a coin's name), a domino's blank, English «oh» for
# zero, digits' names cut short with a dot (``вос. дев. од.``), tens in Uzbek and Kazakh:
# numbers in a dictated run, ordinary words elsewhere.
# English digits written as they sound, and their homophones (``eigt nien zerro``, ``ate
# won to for``): in a run only, where «to» and «for» are no prepositions.
_SOUNDED_FORMS: Final = {
    0: "zerro ziro zirou zeero",
    1: "wan won wonn",
    2: "tu to tow tuu",
    3: "tri free thre",
    4: "for fore fuor foor fo",
    5: "fiev faiv fayv fiv",
    6: "siks sics sixx",
    7: "sevn sevan sevin seven",
    8: "ate eigt eit eigth eiht",
    9: "nien nain nyne nein",
}
_SLANG_FORMS: Final = {
    0: "пусто пустышка пустышку нол oh",
    1: "од",
    2: "дв",
    3: "тр",
    4: "чет",
    6: "шес",
    7: "сем",
    8: "вос",
    9: "дев",
    10: "червонец червонца червонцем червончик",
    25: "четвертак четвертака",
    50: "полтос полтоса полтинник полтинника полтишок полташ ellik эллик елу",
    100: "сотка сотку сотки соткой соточка соточку",
    500: "пятихатка пятихатку пятихатки пятисотка пятисотку",
    # tens in Uzbek (Latin and Cyrillic) and Kazakh
    20: "yigirma йигирма жиырма",
    30: "o'ttiz ottiz ўттиз отыз",
    40: "qirq қирқ қырық кырык",
    60: "oltmish олтмиш алпыс",
    70: "yetmish етмиш жетпіс жетпис",
    80: "sakson саксон сексен",
    90: "to'qson toqson тўқсон тоқсан токсан",
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
        ("тройная", 3), ("дважды", 2), ("трижды", 3), ("дубль", 2),
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
    for value, forms in (
        *_FOREIGN_FORMS.items(),
        *_SLANG_FORMS.items(),
        *_SOUNDED_FORMS.items(),
    ):
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


# Messengers by ear -----------------------------------------------------------------------
#
# A messenger's name is written in many languages and misspelt in many ways (``guasap``,
# ``уотсап``, ``вайбир``, ``tlgrm``, ``телеграфф``). Each word is reduced to a *sound key*
# (transliterated to Latin, spelling variants of one sound merged, vowels one class,
# repeated letters one) and compared with the keys of the messengers' names: equal keys,
# or, for names of four consonants or more, consonant skeletons one edit apart.

_CYRILLIC_LATIN: Final = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        _words("a b v g d e e zh z i i k l m n o p r s t u f h ts ch sh sh _ i _ e u a i i e g u"),
        strict=True,
    )
)
_FOLDED_BACK: Final = dict(zip("abekmhopctyx", "авекмнорстух", strict=True))
_SOUNDS: Final = (
    ("ph", "f"),
    ("wh", "w"),
    ("ck", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("ce", "se"),
    ("ci", "si"),
    ("c", "k"),
    ("tz", "s"),
    ("ts", "s"),
    ("dz", "s"),
    ("z", "s"),
    ("gua", "wa"),
    ("gue", "we"),
    ("gui", "wi"),
    ("guo", "wo"),
    ("j", "i"),
    ("h", ""),
    ("w", "v"),
)
_VOWELS: Final = frozenset("aeiouy")
_VOWEL_START: Final = re.compile(r"^u(?=[aeio])")


def _latin(word: str) -> str:
    """``word`` (folded) in Latin letters: a word that still holds a Cyrillic letter was
    Cyrillic, so its folded look-alikes are read back as the Cyrillic letters they were."""
    cyrillic = any("а" <= char <= "я" or char in "ёіїєґў" for char in word)
    letters = []
    for char in word:
        if cyrillic:
            char = _FOLDED_BACK.get(char, char)
        letters.append(_CYRILLIC_LATIN.get(char, char))
    plain = unicodedata.normalize("NFD", "".join(letters).replace("_", ""))
    return "".join(char for char in plain if char.isascii() and char.isalpha())


@functools.lru_cache(maxsize=16384)
def sound_key(word: str) -> str:
    """The sound key of a folded word: ``whatsapp``, ``уотсап``, ``guasap`` → ``vVsVp``."""
    latin = _VOWEL_START.sub("w", _latin(word))
    for before, after in _SOUNDS:
        latin = latin.replace(before, after)
    key: list[str] = []
    for char in latin:
        sound = "V" if char in _VOWELS else char
        if not key or key[-1] != sound:
            key.append(sound)
    return "".join(key)


def _skeleton(key: str) -> str:
    return key.replace("V", "")


_MESSENGER_NAMES: Final = _words(
    "telegram telegramm telegrama whatsapp watsap whatsap viber vaiber instagram skype skaip "
    "discord facebook snapchat tiktok wechat kakaotalk threema"
)
_MESSENGER_KEYS: Final = frozenset(sound_key(name) for name in _MESSENGER_NAMES)
_MESSENGER_SKELETONS: Final = frozenset(
    skeleton for key in _MESSENGER_KEYS if len(skeleton := _skeleton(key)) >= 4
)
_SHORT_SKELETONS: Final = frozenset(_skeleton(key) for key in _MESSENGER_KEYS)
_MIN_SOUNDALIKE: Final = 4


def _one_edit(first: str, second: str) -> bool:
    """Whether two strings are at most one insertion, deletion or substitution apart."""
    if abs(len(first) - len(second)) > 1:
        return False
    if len(first) > len(second):
        first, second = second, first
    for index, (a, b) in enumerate(zip(first, second, strict=False)):
        if a != b:
            if len(first) == len(second):
                return first[index + 1 :] == second[index + 1 :]
            return first[index:] == second[index + 1 :]
    return True


# Ordinary words that sound like a messenger's name (``вычет`` like WeChat), folded.
_SOUND_EXCEPTIONS: Final = frozenset(
    fold(word) for word in _words("вычет вычета вычеты вычетом вычете вычетов вычету вечер")
)


@functools.lru_cache(maxsize=16384)
def sounds_like_messenger(word: str) -> str | None:
    """``"same"`` when the folded ``word`` sounds like a messenger's name, ``"near"`` when
    its consonants are one edit from one (weaker evidence), ``None`` otherwise."""
    if len(word) < _MIN_SOUNDALIKE - 1 or len(word) > 20 or not word.isalpha():
        return None
    if word in _SOUND_EXCEPTIONS:
        return None
    key = sound_key(word)
    skeleton = _skeleton(key)
    if key in _MESSENGER_KEYS and len(key) >= _MIN_SOUNDALIKE:
        return "same"
    if "V" not in key and skeleton in _SHORT_SKELETONS and len(word) >= 3:
        return "same"  # written without vowels: ``tlgrm``, ``wtsp``, ``vbr``
    if len(skeleton) >= _MIN_SOUNDALIKE:
        if skeleton in _MESSENGER_SKELETONS:
            return "same"  # ``telegramie``, ``instagrama``
        if any(_one_edit(skeleton, known) for known in _MESSENGER_SKELETONS):
            return "near"
    return None


SCRIPT_MESSENGERS: Final = tuple(
    name.lower()
    for name in _words(
        # Arabic, Persian, Urdu
        "واتساب واتس واتس‌اپ واتساپ وتساب واتسب تلغرام تليغرام تلجرام تليجرام تيليجرام "
        "تلگرام فايبر وایبر فیبر انستغرام انستقرام انستجرام اینستاگرام انستا "
        # Hebrew
        "וואטסאפ ווטסאפ וואצאפ ווצאפ וואטס טלגרם טלגראם ויבר אינסטגרם אינסטה "
        # Greek
        "βάιμπερ βαιμπερ τελεγκραμ τέλεγκραμ γουατσαπ "
        # Chinese, Japanese, Korean
        "电报 電報 纸飞机 紙飛機 飞机号 微信 威信 薇信 V信 瓦次艾普 脸书 "
        "テレグラム ワッツアップ ワッツアプ バイバー インスタ "
        "텔레그램 텔레그람 왓츠앱 왓츠업 카톡 카카오톡 바이버 인스타 "
        # Indic, Thai, Georgian, Armenian
        "व्हाट्सएप व्हाट्सऐप टेलीग्राम वाइबर เทเลแกรม วอทส์แอพ "
        "ტელეგრამი ტელეგრამ ვაცაპი ვოტსაპი ვაიბერი տելեգրամ վացափ վայբեր"
    )
)
"""Messengers' names in scripts without spaces between words, or rarely typed (normalised
like any text before use): found as substrings, a handle-shaped Latin word beside them is
a handle."""
