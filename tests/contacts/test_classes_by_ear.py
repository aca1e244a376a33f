"""Generated contacts of the classes read since the second independent corpus, a corpus of
them by class, and the ordinary texts full of numbers that must still pass.

Classes: Braille digits; phones dictated in round groups (hundreds and tens, Russian and
English); «at» and «dot» said in other languages, an underscore said in words; a
messenger's name misspelt or written as heard in another language (a sound key), or in
another script; a handle or a number written backwards when the text says so; the texts
of one order read side by side in both orders.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srochno.contacts import find_contact, find_in_fields
from srochno.contacts.words import SCRIPT_MESSENGERS

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def kind(text: str) -> str | None:
    found = find_contact(text)
    return None if found is None else found.kind


def _in_text(draw: st.DrawFn, contact: str) -> str:
    before = draw(st.sampled_from(["", "Срочно нужен мастер. ", "Пишите: ", "Need help today. "]))
    after = draw(st.sampled_from(["", " после 18:00", ", спасибо!", "\nЖду."]))
    return before + contact + after


mobile = st.lists(st.integers(0, 9), min_size=9, max_size=9).map(lambda rest: [8, 9, *rest])
handles = st.builds(
    lambda name, tail: name + tail,
    st.sampled_from(["ivan", "master", "remont", "elena", "sanych", "kraska", "dom"]),
    st.sampled_from(["_master", "77", ".pro", "_2024", "_msk", "123", "_fix"]),
)

# --- Braille ----------------------------------------------------------------------------

BRAILLE = "⠚⠁⠃⠉⠙⠑⠋⠛⠓⠊"  # 0 1 2 … 9: the letters a–j
BRAILLE_LOW = "⠴⠂⠆⠒⠲⠢⠖⠶⠦⠔"  # the lower-cell digits


@EXAMPLES
@given(st.data())
def test_a_phone_in_braille_is_refused(data: st.DataObject) -> None:
    digits = data.draw(mobile)
    cells = data.draw(st.sampled_from([BRAILLE, BRAILLE_LOW]))
    sign = data.draw(st.sampled_from(["", "⠼"]))
    gap = data.draw(st.sampled_from(["", " ", "⠀", "-"]))
    groups = [digits[:1], digits[1:4], digits[4:7], digits[7:9], digits[9:]]
    body = gap.join(sign + "".join(cells[d] for d in group) for group in groups)
    assert kind(_in_text(data.draw, body)) == "phone", body


# --- numbers dictated in round groups ---------------------------------------------------

RU_UNITS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
RU_TEENS = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
]
RU_TENS = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
]
RU_HUNDREDS = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
]
EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
EN_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _ru(group: list[int]) -> str:
    """A group of digits said as one number, as it is dictated (``123`` → сто двадцать три);
    leading zeros said as «ноль»."""
    words = []
    while len(group) > 1 and group[0] == 0:
        words.append("ноль")
        group = group[1:]
    value = int("".join(map(str, group)))
    if len(group) == 3:
        words.append(RU_HUNDREDS[value // 100])
        value %= 100
        if value == 0:
            return " ".join(words)
        if value < 10:
            words.append(RU_UNITS[value])
            return " ".join(words)
    if len(group) == 1:
        return " ".join([*words, RU_UNITS[value]])
    if value < 10:
        return " ".join([*words, "ноль", RU_UNITS[value]])
    if value < 20:
        return " ".join([*words, RU_TEENS[value - 10]])
    words.append(RU_TENS[value // 10])
    if value % 10:
        words.append(RU_UNITS[value % 10])
    return " ".join(words)


def _en(group: list[int]) -> str:
    """A group said the English way: each pair as a number (``99`` → ninety-nine)."""
    words = []
    if len(group) == 3:
        words.append(EN_UNITS[group[0]])
        group = group[1:]
    if len(group) == 1:
        return " ".join([*words, EN_UNITS[group[0]]])
    value = group[0] * 10 + group[1]
    if group[0] == 0:
        return " ".join([*words, "zero", EN_UNITS[group[1]]])
    if value < 20:
        return " ".join([*words, EN_TEENS[value - 10]])
    tens = EN_TENS[value // 10]
    return " ".join([*words, f"{tens}-{EN_UNITS[value % 10]}" if value % 10 else tens])


@EXAMPLES
@given(st.data())
def test_a_phone_dictated_in_round_groups_is_refused(data: st.DataObject) -> None:
    digits = data.draw(mobile)
    say = data.draw(st.sampled_from([_ru, _en]))
    groups = [digits[:1], digits[1:4], digits[4:7], digits[7:9], digits[9:]]
    gap = data.draw(st.sampled_from([" ", ", ", " - ", " — ", "\n"]))
    spoken = gap.join(say(group) for group in groups)
    if data.draw(st.booleans()):
        spoken = spoken.upper()
    assert kind(_in_text(data.draw, spoken)) == "phone", spoken


# --- «at», «dot» and «underscore» in other languages -------------------------------------

AT_WORDS = [
    "arroba",
    "chiocciola",
    "klammeraffe",
    "arobase",
    "malpa",
    "małpa",
    "zavináč",
    "apenstaartje",
    "kukac",
    "равлик",
    "сабака",
    "собачкой",
    "(at)",
    "[arroba]",
]
DOT_WORDS = ["punto", "punkt", "point", "ponto", "kropka", "nokta", "крапка", "точкой", "dot"]
TLDS = ["com", "ru", "net", "org", "de", "es"]
PROVIDERS = ["gmail", "mail", "yandex", "outlook", "hotmail", "proton"]


@EXAMPLES
@given(st.data())
def test_an_email_said_in_another_language_is_refused(data: st.DataObject) -> None:
    local = data.draw(st.sampled_from(["ivan", "ivan.petrov", "master77", "elena_k"]))
    at = data.draw(st.sampled_from(AT_WORDS))
    dot = data.draw(st.sampled_from(DOT_WORDS))
    domain = data.draw(st.sampled_from(PROVIDERS))
    tld = data.draw(st.sampled_from(TLDS))
    email = f"{local} {at} {domain} {dot} {tld}"
    assert kind(_in_text(data.draw, email)) in ("email", "link"), email


UNDERSCORES = ["нижнее подчёркивание", "подчеркивание", "underscore", "андерскор", "unterstrich"]


@EXAMPLES
@given(st.data())
def test_a_handle_with_an_underscore_said_in_words_is_refused(data: st.DataObject) -> None:
    first = data.draw(st.sampled_from(["ivan", "master", "elena", "remont"]))
    second = data.draw(st.sampled_from(["petrov", "msk", "pro", "fix"]))
    underscore = data.draw(st.sampled_from(UNDERSCORES))
    messenger = data.draw(st.sampled_from(["телега", "тг", "инста", "вайбер", "telegram"]))
    text = f"{messenger}: {first} {underscore} {second}"
    assert kind(_in_text(data.draw, text)) == "handle", text


# --- messengers by ear and in other scripts ---------------------------------------------

SOUNDALIKE_PARTS = {
    # (beginnings, middles, ends) in Latin and in Cyrillic letters: each messenger as
    # people hear and spell it
    ("whatsapp", "latin"): (
        ["w", "wh", "v", "gu", "u"],
        ["a", "o"],
        ["tsap", "tsapp", "sap", "ssap", "zap"],
    ),
    ("whatsapp", "cyrillic"): (["в", "у", "гу"], ["а", "о"], ["тсап", "тсапп", "цап", "сап"]),
    ("viber", "latin"): (["v", "w"], ["i", "ai", "ay", "ie"], ["ber", "bir", "bur"]),
    ("viber", "cyrillic"): (["в"], ["и", "ай", "ей"], ["бер", "бир", "бэр"]),
    ("telegram", "latin"): (["t", "th"], ["ele", "eli", "ela"], ["gram", "gramm", "grem"]),
    ("telegram", "cyrillic"): (["т"], ["еле", "эле", "ели"], ["грам", "грамм", "грем"]),
}


@st.composite
def soundalike_messengers(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(SOUNDALIKE_PARTS)))
    begin, middle, end = SOUNDALIKE_PARTS[name]
    return draw(st.sampled_from(begin)) + draw(st.sampled_from(middle)) + draw(st.sampled_from(end))


@EXAMPLES
@given(st.data())
def test_a_messenger_spelt_by_ear_then_a_handle_is_refused(data: st.DataObject) -> None:
    messenger = data.draw(soundalike_messengers())
    handle = data.draw(handles)
    separator = data.draw(st.sampled_from([": ", " - ", " → ", " ", "\n", " 👉 "]))
    text = (
        f"{messenger}{separator}{handle}" if data.draw(st.booleans()) else f"{handle} в {messenger}"
    )
    assert kind(_in_text(data.draw, text)) in ("handle", "link"), text


@EXAMPLES
@given(st.data())
def test_a_messenger_in_another_script_then_a_handle_is_refused(data: st.DataObject) -> None:
    messenger = data.draw(st.sampled_from(SCRIPT_MESSENGERS))
    handle = data.draw(handles)
    separator = data.draw(st.sampled_from(["", " ", ": ", "：", " - "]))
    text = (
        f"{messenger}{separator}{handle}" if data.draw(st.booleans()) else f"{handle} {messenger}"
    )
    assert kind(text) in ("handle", "link"), text


# --- written backwards ------------------------------------------------------------------

REVERSAL_MARKS = ["(читать наоборот)", "задом наперёд", "справа налево", "reversed", "backwards"]


@EXAMPLES
@given(st.data())
def test_a_handle_written_backwards_is_refused(data: st.DataObject) -> None:
    handle = data.draw(handles)
    messenger = data.draw(st.sampled_from(["телега", "тг", "инста", "whatsapp", "вайбер"]))
    mark = data.draw(st.sampled_from(REVERSAL_MARKS))
    text = f"{messenger}: {handle[::-1]} {mark}"
    assert kind(text) in ("handle", "link"), text


@EXAMPLES
@given(mobile, st.sampled_from(REVERSAL_MARKS))
def test_a_phone_written_backwards_is_refused(digits: list[int], mark: str) -> None:
    number = "".join(map(str, digits))[::-1]
    text = f"Номер {mark}: {number[:2]} {number[2:4]} {number[4:7]} {number[7:10]} {number[10:]}"
    assert kind(text) == "phone", text


# --- the texts of one order, side by side in both orders --------------------------------


@EXAMPLES
@given(st.data())
def test_a_contact_split_between_city_and_description_is_refused(data: st.DataObject) -> None:
    digits = data.draw(mobile)
    head = _ru(digits[:1]) + " " + _ru(digits[1:4])
    tail = " ".join(str(d) for d in digits[4:])
    city, description = data.draw(
        st.sampled_from(
            [
                (f"Москва {head}", f"Нужен мастер, {tail}"),
                ("Телеграм", f"ищите {data.draw(handles)}, там всё"),
                (
                    data.draw(handles).replace("_", "").replace(".", ""),
                    "нужен мастер, пишите в телегу",
                ),
            ]
        )
    )
    found = find_in_fields({"city": city, "description": description})
    assert found is not None, (city, description)


# --- the corpus, by class ---------------------------------------------------------------

CONTACTS = {
    "braille": ["⠼⠓⠼⠊⠼⠊⠼⠊ ⠼⠁⠼⠃⠼⠉ ⠼⠙⠼⠑ ⠼⠋⠼⠛", "⠦⠔⠔⠔⠂⠆⠒⠲⠢⠖⠶"],
    "round groups": [
        "восемь девятьсот девяносто девять сто двадцать три сорок пять шестьдесят семь",
        "восемь, девятьсот шестнадцать, пятьсот сорок два, тридцать один, ноль семь",
        "eight nine ninety-nine one twenty-three forty-five sixty-seven",
        "8 девятьсот 99 сто 23 сорок 5 шестьдесят 7",
    ],
    "at and dot in other languages": [
        "ivan arroba gmail punto com",
        "ivan chiocciola libero punto it",
        "ivan klammeraffe gmx punkt de",
        "ivan arobase orange point fr",
        "ivan małpa wp kropka pl",
        "ivan равлик ukr крапка net",
        "ivan сабака яндекс точкой ру",
    ],
    "messengers by ear": [
        "guasap ivanpetrov77",
        "wasap: ivan_master",
        "vatsap ivanmaster77",
        "уотсап ivanmaster77",
        "вайбир ivanmaster99",
        "tlgrm ivan_master",
        "телеграфф: ivan_master",
        "инстаграмм ivan.master.msk",
        "скайп: ivan_master",
    ],
    "messengers in other scripts": [
        "Пишите в واتساب ivan_master77",
        "加我微信ivanmaster88谢谢",
        "व्हाट्सएप: ivanmaster99",
        "텔레그램 ivan_master",
        "テレグラムはivanmaster77です",
        "טלגרם: ivan_master",
    ],
    "backwards": [
        "ник телеги наоборот: retsamnavi",
        "тг: 77retsam_navi (читать справа налево)",
        "номер задом наперёд: 76 54 321 999 8",
    ],
    "underscore in words": [
        "телега: ivan нижнее подчёркивание master",
        "инста ivan underscore petrov",
    ],
}
ORDINARY = [
    "Стрижка 850 руб 1250 руб 3900 руб.",
    "Цены: 850 руб, 1250 руб, 3900 руб",
    "Срочно нужен мастер. 8900 руб. 300 руб. 1000 руб.",
    "Домофон 1#3000. ошибка E01. ошибка E01. ошибка E01.",
    "VIN XTA3AA000AA000000, артикул AB00A0000A",
    "Нужен телемастер: телевизор Samsung UE55, не включается, 2500 ₽",
    "Отправить телеграмму бабушке, ваза 30 см, скупка не нужна, дисконт 10%",
    "Meeting point 5, at the station at 10:30, bring 2 boxes",
    "Рост 8 CM XL, размер 48-50, 3 шт по 900 руб",
    "Онлайн-консультация オンライン 2 часа, 3000 ₽",
    "Перевезти 15 коробок, 2 дивана, этаж 9, с 9 до 18, 8 человек, 4 часа",
]


def test_the_corpus_of_each_class_is_refused() -> None:
    passed = [text for texts in CONTACTS.values() for text in texts if find_contact(text) is None]
    assert passed == []


def test_the_ordinary_corpus_passes() -> None:
    refused = [text for text in ORDINARY if find_contact(text) is not None]
    assert refused == []


# --- ordinary texts full of numbers -----------------------------------------------------

UNITS = ["руб", "руб.", "₽", "р", "шт", "кг", "м", "см", "мм", "л", "мин", "часа", "дней"]


@st.composite
def number_heavy_texts(draw: st.DrawFn) -> str:
    """Many numbers, each with a unit or a meaning: prices with currency, quantities,
    sizes, dates, times, house and flat numbers, error codes."""
    parts = []
    for _ in range(draw(st.integers(3, 8))):
        choice = draw(st.integers(0, 6))
        if choice == 0:
            amount = draw(st.integers(1, 99)) * draw(st.sampled_from([10, 50, 100, 1000]))
            parts.append(f"{amount} {draw(st.sampled_from(UNITS))}")
        elif choice == 1:
            day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
            parts.append(f"{day:02d}.{month:02d}.2026")
        elif choice == 2:
            parts.append(f"с {draw(st.integers(7, 20))}:00 до {draw(st.integers(8, 23))}:30")
        elif choice == 3:
            house, flat = draw(st.integers(1, 200)), draw(st.integers(1, 400))
            parts.append(f"ул. Мира {house}, кв. {flat}")
        elif choice == 4:
            parts.append(
                "x".join(str(draw(st.integers(10, 300))) for _ in range(draw(st.integers(2, 3))))
            )
        elif choice == 5:
            parts.append(f"ошибка E{draw(st.integers(1, 99)):02d}")
        else:
            parts.append(f"{draw(st.integers(2, 40))} {draw(st.sampled_from(UNITS))}")
    separator = draw(st.sampled_from([", ", ". ", "; ", "\n"]))
    return "Нужен мастер. " + separator.join(parts) + "."


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number_heavy_texts())
def test_ordinary_texts_full_of_numbers_pass(text: str) -> None:
    assert kind(text) is None, text
