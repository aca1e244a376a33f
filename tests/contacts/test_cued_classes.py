"""Generated contacts of the classes read since the third independent corpus, a corpus of
them by class, and the ordinary texts beside them that must still pass.

Classes: a phone after (or before) a phone cue with any sign, currency or maths sign,
single letter or a word or two between its groups; digit words glued together (Russian
transliterated, English, camel case); digits, number words and English mixed in one
number; radio-alphabet words with «plus»; enclosed digits with dots; letters that look
like digits; a landline dictated one digit apart; numbers told to be put together; a
handle before a messenger's name in brackets; «собака» for @ after a messenger's colon;
VK and Instagram slang; Skype ``live:`` ids and ICQ numbers; an underscore with spaces;
``vkcom/…`` and a spaced-out scheme; a messenger's name after another one's; a city that
carries number words, Roman numerals or a Latin handle.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srochno.contacts import find_contact, find_in_fields
from tests.contacts.test_properties import ordinary_fragments

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def kind(text: str) -> str | None:
    found = find_contact(text)
    return None if found is None else found.kind


mobile = st.lists(st.integers(0, 9), min_size=9, max_size=9).map(lambda rest: [8, 9, *rest])
CUES = [
    "Тел. ",
    "Телефон: ",
    "Звоните ",
    "Набирайте ",
    "Связь по номеру ",
    "Мой номер — ",
    "Phone: ",
    "Call me ",
    "Reach me at ",
    "Пишите в ватсап ",
    "Моб. ",
]
LEADS = ["", "Нужен электрик заменить розетки. ", "Help needed with a move. "]
TAILS = ["", ", спросить Ивана", ". Жду!", " (после 9 утра)", "\nСпасибо."]


def _after_cue(draw: st.DrawFn, body: str) -> str:
    return (
        draw(st.sampled_from(LEADS))
        + draw(st.sampled_from(CUES))
        + body
        + draw(st.sampled_from(TAILS))
    )


def _cut(draw: st.DrawFn, digits: list[int]) -> list[str]:
    groups: list[str] = []
    index = 0
    while index < len(digits):
        size = draw(st.integers(1, 4))
        groups.append("".join(map(str, digits[index : index + size])))
        index += size
    return groups


def _sign(char: str) -> bool:
    normal = unicodedata.normalize("NFKC", char)
    return bool(normal.strip()) and not any(part.isalnum() for part in normal) and char != "+"


# Not a colon: ``… срочно 10:00`` after a number is a time (dates and times are barriers).
signs = st.characters(categories=["Sm", "Sc", "So", "Po", "Ps", "Pe"]).filter(
    lambda char: _sign(char) and char != ":"
)
SINGLE_LETTERS = list("абвгдежзиклмнпрстуфхцшщэюяabcdefhkmnprtuvwxy")
GAP_WORDS = ["срочно", "очень", "надо", "пожалуйста", "please", "now", "ok", "вечером", "тут"]


@EXAMPLES
@given(st.data())
def test_a_phone_with_any_sign_or_letter_between_groups_after_a_cue_is_refused(
    data: st.DataObject,
) -> None:
    groups = _cut(data.draw, data.draw(mobile))
    gaps = data.draw(
        st.lists(
            st.one_of(
                st.text(signs, min_size=1, max_size=2),
                st.sampled_from(SINGLE_LETTERS),
                st.sampled_from(GAP_WORDS).map(lambda word: f" {word} "),
            ),
            min_size=len(groups) - 1,
            max_size=len(groups) - 1,
        )
    )
    body = groups[0] + "".join(gap + group for gap, group in zip(gaps, groups[1:], strict=True))
    text = _after_cue(data.draw, body)
    assert kind(text) is not None, text


EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TRANSLIT = ["nol", "odin", "dva", "tri", "chetyre", "pyat", "shest", "sem", "vosem", "devyat"]
RADIO = ["Zero", "Wun", "Too", "Tree", "Fower", "Fife", "Six", "Seven", "Ait", "Niner"]


@EXAMPLES
@given(st.data())
def test_glued_digit_words_after_a_cue_are_refused(data: st.DataObject) -> None:
    digits = data.draw(mobile)
    style = data.draw(st.sampled_from(["camel", "lower", "translit", "upper"]))
    if style == "camel":
        body = "".join(EN[d].capitalize() for d in digits)
    elif style == "lower":
        body = "".join(EN[d] for d in digits)
    elif style == "translit":
        body = "".join(TRANSLIT[d] for d in digits)
    else:
        body = "".join(TRANSLIT[d] for d in digits).upper()
    text = _after_cue(data.draw, body)
    assert kind(text) is not None, text


@EXAMPLES
@given(st.data())
def test_radio_words_with_plus_are_refused(data: st.DataObject) -> None:
    digits = data.draw(mobile)[1:]
    gap = data.draw(st.sampled_from([" ", ", ", " - "]))
    plus = data.draw(st.sampled_from(["Plus Seven", "plus seven", "+ Seven", "Плюс Seven"]))
    text = _after_cue(data.draw, plus + gap + gap.join(RADIO[d] for d in digits))
    assert kind(text) is not None, text


@EXAMPLES
@given(st.data())
def test_digits_words_and_english_mixed_in_one_number_are_refused(data: st.DataObject) -> None:
    digits = data.draw(mobile)
    ru = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
    parts = [data.draw(st.sampled_from([str(d), ru[d], EN[d], EN[d].capitalize()])) for d in digits]
    glue = data.draw(st.sampled_from(["-", " ", ""]))
    text = _after_cue(data.draw, glue.join(parts) if glue else " ".join(parts))
    assert kind(text) is not None, text


DOTTED = "🄀⒈⒉⒊⒋⒌⒍⒎⒏⒐"
LOOKALIKE = {0: "Оo", 1: "І|l", 3: "ЗƐ", 5: "Ѕ", 6: "бБ", 8: "В"}


@EXAMPLES
@given(st.data())
def test_enclosed_digits_with_dots_after_a_cue_are_refused(data: st.DataObject) -> None:
    groups = _cut(data.draw, data.draw(mobile))
    body = " ".join("".join(DOTTED[int(d)] for d in group) for group in groups)
    text = _after_cue(data.draw, body)
    assert kind(text) is not None, text


@EXAMPLES
@given(st.data())
def test_lookalike_letters_for_digits_after_a_cue_are_refused(data: st.DataObject) -> None:
    digits = data.draw(mobile)
    chars = [
        data.draw(st.sampled_from(LOOKALIKE[d]))
        if d in LOOKALIKE and data.draw(st.booleans())
        else str(d)
        for d in digits
    ]
    groups = [chars[:1], chars[1:4], chars[4:7], chars[7:9], chars[9:]]
    text = _after_cue(data.draw, " ".join("".join(group) for group in groups))
    assert kind(text) is not None, text


@EXAMPLES
@given(st.data())
def test_a_landline_one_digit_apart_after_a_cue_is_refused(data: st.DataObject) -> None:
    digits = [
        data.draw(st.integers(1, 9)),
        *data.draw(st.lists(st.integers(0, 9), min_size=6, max_size=6)),
    ]
    cue = data.draw(st.sampled_from(["Дом. тел. ", "Тел.: ", "Домашний телефон ", "Phone "]))
    gap = data.draw(st.sampled_from([" ", "  ", " - ", ", "]))
    text = f"Нужна швея. {cue}{gap.join(map(str, digits))}, спросить Галину"
    assert kind(text) is not None, text


@EXAMPLES
@given(st.data())
def test_a_phone_told_to_be_put_together_is_refused(data: st.DataObject) -> None:
    digits = "".join(map(str, data.draw(mobile)))
    parts = [digits[:4], digits[4:7], digits[7:9], digits[9:]]
    names = data.draw(st.permutations(["Код домофона", "квартира", "этаж", "подъезд"]))
    said = ", ".join(f"{name} {part}" for name, part in zip(names, parts, strict=True))
    end = data.draw(
        st.sampled_from(
            [
                " — сложите всё подряд, это мой номер.",
                ". Соедините по порядку — получится телефон.",
                ". Put them together: my phone number.",
            ]
        )
    )
    text = f"Нужна помощь с переездом. {said}{end}"
    assert kind(text) is not None, text


# --- handles and links ----------------------------------------------------------------------

handles = st.builds(
    lambda name, tail: name + tail,
    st.sampled_from(["ivan", "Master", "remont", "Elena", "sanych", "kraska", "OlgaMsk"]),
    st.sampled_from(["_master", "77", ".pro", "_2024", "Pro", "123", "Fix"]),
)


@EXAMPLES
@given(handles, st.sampled_from(["телега", "тг", "ватсап", "инста", "вк", "telegram"]))
def test_a_handle_before_a_bracketed_messenger_is_refused(handle: str, messenger: str) -> None:
    text = f"Стою у ТЦ, нужен прикурить. {handle} ({messenger})"
    assert kind(text) is not None, text


@EXAMPLES
@given(handles, st.sampled_from(["тг", "телега", "вайбер", "инста", "tg"]))
def test_sobaka_after_a_messenger_colon_is_refused(handle: str, messenger: str) -> None:
    at = "собака"
    text = f"Ищу мастера. {messenger}: {at} {handle}"
    assert kind(text) == "handle", text


@EXAMPLES
@given(
    handles,
    st.sampled_from(
        ["во вкашку:", "вкашечка —", "в нельзяграме", "нельзяграм:", "в запрещенограме"]
    ),
)
def test_vk_and_instagram_slang_with_a_handle_is_refused(handle: str, messenger: str) -> None:
    text = f"Нужна уборка. Напишите {messenger} {handle}"
    assert kind(text) is not None, text


@EXAMPLES
@given(handles)
def test_a_skype_live_id_is_refused(handle: str) -> None:
    assert kind(f"Нужен мастер по духовкам. live:{handle.lower()}") is not None


@EXAMPLES
@given(st.integers(10_000, 999_999_999), st.sampled_from(["аська", "ICQ", "в аське", "асю"]))
def test_an_icq_number_is_refused(uin: int, messenger: str) -> None:
    digits = str(uin)
    spaced = "-".join(digits[i : i + 3] for i in range(0, len(digits), 3))
    text = f"Компьютер не включается. {messenger} {spaced}"
    assert kind(text) == "handle", text


@EXAMPLES
@given(
    st.sampled_from(["anna", "ivan", "remont"]),
    st.sampled_from(["mebel", "msk", "77", "master"]),
    st.sampled_from([" _ ", " _", "_ ", "  _  "]),
)
def test_an_underscore_with_spaces_in_a_handle_is_refused(head: str, tail: str, gap: str) -> None:
    text = f"Нужна няня. в телеге {head}{gap}{tail}"
    assert kind(text) == "handle", text


@EXAMPLES
@given(
    st.sampled_from(["vkcom", "vk com", "tme", "t me", "okru", "instagramcom"]),
    st.sampled_from(["nastya_morozov", "id12345", "remont77"]),
)
def test_a_glued_domain_with_a_path_is_refused(domain: str, path: str) -> None:
    assert kind(f"Моя страница {domain}/{path}") == "link"


@EXAMPLES
@given(st.sampled_from(["https", "http", "hxxps"]), st.sampled_from(["t.me", "vk.com"]))
def test_a_spaced_out_scheme_is_refused(scheme: str, host: str) -> None:
    spaced = " ".join(f"{scheme}://{host}/remont_roman61")
    assert kind(f"Кота к ветеринару. {spaced}") == "link", spaced


# --- the city field ----------------------------------------------------------------------------

COLLECTIVE = ["нолик", "единичка", "двойка", "тройка", "четвёрка", "пятёрка", "шестёрка"]
COLLECTIVE += ["семёрка", "восьмёрка", "девятка"]
ROMAN = ["0", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
CITIES = ["Самара", "Москва", "Нижний Новгород", "Ростов-на-Дону", "Санкт-Петербург"]


@EXAMPLES
@given(st.data())
def test_a_city_carrying_the_start_of_a_number_is_refused(data: st.DataObject) -> None:
    digits = data.draw(mobile)
    cut = data.draw(st.integers(2, 4))
    words = COLLECTIVE if data.draw(st.booleans()) else ROMAN
    if words is ROMAN:
        digits = [8, *[d or 1 for d in digits[1:]]]
    city = data.draw(st.sampled_from(CITIES)) + " " + " ".join(words[d] for d in digits[:cut])
    rest = " ".join("".join(map(str, digits[i : i + 2])) for i in range(cut, 11, 2))
    found = find_in_fields(
        {"city": city, "description": f"Нужен мастер. Продолжение номера: {rest}."}
    )
    assert found is not None, city


@EXAMPLES
@given(st.sampled_from(CITIES), handles)
def test_a_city_with_a_latin_handle_is_refused(city: str, handle: str) -> None:
    found = find_in_fields(
        {"city": f"{city} {handle}", "description": "Ремонт смесителя, мой ник в поле города."}
    )
    assert found is not None


# --- ordinary texts beside the cues --------------------------------------------------------------

ORDINARY_AFTER_CUE = st.sampled_from(
    [
        "Звоните после {h}:00, дом {n}, кв. {m}, этаж {k}.",
        "Телефон Samsung A{n} не заряжается, экран {k}.{h} дюйма, цена до {m}00 руб.",
        "Номер заказа {m}, {n} шт. по {h}00 ₽.",
        "Связь в чате. Код домофона {m}, подъезд {k}, этаж {n}.",
        "Call me after {h} pm, flat {m}, floor {k}, {n} boxes.",
        "Набирайте код {m}# на домофоне, {k} этаж, {n} подъезд.",
        "Телевизор {n} дюймов, кронштейн {h}x{k} см, стена {m} мм.",
        "Пишите в чат: нужен {n} грузчик на {k} часа, с {h}:00, {m}00 ₽ в час.",
        "Связь по номеру в профиле. Сделать {k} ключа и вскрыть ящик №{m} в {n} подъезде.",
    ]
)


@EXAMPLES
@given(
    ORDINARY_AFTER_CUE,
    st.integers(1, 60),
    st.integers(1, 999),
    st.integers(1, 25),
    st.integers(6, 12),
)
def test_ordinary_numbers_after_a_cue_pass(template: str, n: int, m: int, k: int, h: int) -> None:
    text = template.format(n=n, m=m, k=k, h=h)
    assert kind(text) is None, text


@EXAMPLES
@given(
    st.sampled_from(
        [*CITIES, "Москва, Зеленоград", "пос. Октябрьский", "Семь Колодезей", "Moscow", "Пять Озёр"]
    ),
)
def test_ordinary_cities_pass(city: str) -> None:
    assert find_in_fields({"city": city, "description": "Нужен мастер, оплата сразу."}) is None


# --- the corpus by class ---------------------------------------------------------------------

REFUSED = [
    ("phone", "Контакт: тел. 8|912¦445‖67‖89"),
    ("phone", "Связь по номеру +7₽912₴445₸67¢89"),
    ("phone", "Набирайте 8∑912∆445≈67≠89"),
    ("phone", "Звоните: 8ж912з445к67л89 (буквы пропустить)"),
    ("phone", "Пишите в вайбер 8 912 скорее 445 прошу 67 ок 89"),
    ("phone", "vosemdevyatodindvachetyrechetyrepyatshestsemvosemdevyat — звоните, Ольга"),
    ("phone", "Phone: EightNineOneTwoFourFourFiveSixSevenEightNine"),
    ("phone", "Телефон 8-девятьсот двенадцать-445-sixseven-89"),
    ("phone", "Call me: Plus Seven Niner Wun Too Fower Fower Fife Six Seven Ait Niner"),
    ("phone", "Телефон ⒏ ⒐⒈⒉ ⒋⒋⒌ ⒍⒎ ⒏⒐"),
    ("phone", "Тел. В 9l2 44Ѕ б7 В9"),
    ("phone", "Домашний тел. 2 4 5 1 7 8 9, звать Петровича"),
    ("phone", "Подъезд 8912, кв 445, этаж 67, код 89 — соедините подряд, это телефон."),
    ("handle", "Стою у ТЦ. PetrMaster (тележка)"),
    ("handle", "вайбер: собака SanychFix"),
    ("handle", "Пиши во вкашку: ivan_remont77"),
    ("handle", "ВКонтакте (адрес страницы) ivan.petrov"),
    ("handle", "в нельзяграме kraska_pro"),
    ("link", "скайп live:ivanmaster77"),
    ("handle", "ICQ 445-678-912"),
    ("handle", "в телеге ivan _ remont"),
    ("link", "Моя страница vkcom/ivan_petrov"),
    ("link", "h t t p s : / / v k . c o m / ivan"),
    ("handle", "DM me on telegram: PetrFix2024"),
]


@pytest.mark.parametrize(("expected", "text"), REFUSED)
def test_corpus_of_cued_classes_is_refused(expected: str, text: str) -> None:
    assert kind(text) == expected, text


SPLIT = [
    {"city": "Казань девятка восьмёрка", "description": "Звоните, продолжение 912 445 67."},
    {"city": "Тула VIII IX I", "description": "Окончание номера: 24 45 67 (начало в городе)."},
    {"city": "Самара petrmaster", "description": "Мой ник в телеге — в поле города."},
]


@pytest.mark.parametrize("fields", SPLIT)
def test_corpus_of_odd_cities_is_refused(fields: dict[str, str | None]) -> None:
    assert find_in_fields(fields) is not None


PASSED = [
    "Сделать 3 ключа для почтового ящика и вскрыть ящик №148 в 2 подъезде, ключ утерян.",
    "Звоните после 18:00, домофон 45В, 3 подъезд, 7 этаж.",
    "Телефон завис на логотипе, Xiaomi Redmi Note 8 Pro, 2019 года, 64 ГБ.",
    "Тел. в профиле. Шкаф 200x60x236, 2 грузчика на 3 часа, 5000 руб.",
    "Номер квартиры 45, этаж 7, код домофона 1234#, подъезд 3 — сложите коробки в коридоре.",
]


@pytest.mark.parametrize("text", PASSED)
def test_ordinary_texts_beside_cues_pass(text: str) -> None:
    assert kind(text) is None, text


@EXAMPLES
@given(
    st.sampled_from(["Звоните, ", "Телефон: ", "Номер заказа ", "Call me: ", "Связь: "]),
    st.lists(ordinary_fragments(), min_size=1, max_size=4),
)
def test_generated_ordinary_texts_after_a_cue_pass(cue: str, fragments: list[str]) -> None:
    text = "Срочно нужен мастер. " + cue + ". ".join(fragments) + "."
    assert kind(text) is None, text
