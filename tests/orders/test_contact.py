import pytest
from hypothesis import given
from hypothesis import strategies as st

from srochno.orders.contact import contains_contact, find_contact

LABELS = {"phone", "username", "telegram_link", "url", "email"}

POSITIVE = [
    ("Звоните +7 999 123-45-67", "phone"),
    ("тел. 8 (999) 123 45 67", "phone"),
    ("89991234567", "phone"),
    ("+79991234567 после обеда", "phone"),
    ("7-999-123-45-67", "phone"),
    ("горячая линия 8-800-555-35-35", "phone"),
    ("+375 29 123 45 67", "phone"),
    ("+44 20 7946 0958", "phone"),
    ("(495) 123-45-67", "phone"),
    ("тел.: 123-45-67", "phone"),
    ("тел 123 45 67", "phone"),
    ("9 9 9 1 2 3 4 5 6 7", "phone"),
    ("тел.89991234567", "phone"),
    ("8\u00a0999\u00a0123\u201345\u201367", "phone"),
    ("+7 999 123\u201445\u201467", "phone"),
    ("８９９９１２３４５６７", "phone"),
    ("٨٩٩٩١٢٣٤٥٦٧", "phone"),
    ("8 999 123-4567", "phone"),
    ("звоните 8 999 123 45 67 2 раза", "phone"),
    ("до 15000 89991234567", "phone"),
    ("+7(999)1234567", "phone"),
    ("8 (8152) 12-34-56", "phone"),
    ("9991234567", "phone"),
    ("8.999.123.45.67", "phone"),
    ("8 - 999 - 123 - 45 - 67", "phone"),
    ("8    999   123 45 67", "phone"),
    ("8\u200b999\u200b123\u200b45\u200b67", "phone"),
    ("+380 67 123 45 67", "phone"),
    ("375291234567", "phone"),
    ("пишите @ivan_petrov", "username"),
    ("@Master_2024 ответит", "username"),
    ("ＴＧ： ＠ivan_petrov", "username"),
    ("ivan.petrov@mail.ru", "email"),
    ("почта: master-2024@yandex.ru", "email"),
    ("иван@почта.рф", "email"),
    ("t.me/ivan_petrov", "telegram_link"),
    ("https://t.me/ivan_petrov", "telegram_link"),
    ("T.ME/ivan", "telegram_link"),
    ("пишите в t . me/ivan", "telegram_link"),
    ("telegram.me/ivan", "telegram_link"),
    ("telegram.dog/ivan", "telegram_link"),
    ("tg://resolve?domain=ivan", "telegram_link"),
    ("т.me/ivan", "telegram_link"),
    ("http://example.org/page", "url"),
    ("https://master.ru", "url"),
    ("www.master-remont", "url"),
    ("example.com", "url"),
    ("мой профиль vk.com/id123", "url"),
    ("подробности на site.ru.", "url"),
    ("сайт.рф", "url"),
    ("wa.me/79991234567", "url"),
    ("instagram.com/master", "url"),
    ("Отзывы на Avito.ru", "url"),
    ("bit.ly/abc", "url"),
    ("ｖｋ．ｃｏｍ/id1", "url"),
    ("vk\u3002com/id1", "url"),
    ("(см. profi.ru)", "url"),
]

NEGATIVE = [
    "2 крана, 3 этаж, до 1500 ₽",
    "нужно 2 человека на 3 часа",
    "ул. Ленина 15, кв 204",
    "д.15 кв.204, подъезд 3, код 1234",
    "с 10:00 до 18:00",
    "с 9.00 до 21.00",
    "график 5/2, 9.00-18.00",
    "бюджет 15000-20000 руб",
    "бюджет 15 000 – 20 000 руб",
    "оплата 30 000 - 40 000 руб",
    "зарплата 85 000 - 120 000 ₽",
    "80000-100000 в месяц",
    "от 1 500 000 - 2 000 000 ₽",
    "3 000 000 - 4 000 000 2 раза",
    "1.500.000 руб",
    "площадь 45.5 м2",
    "площадь 45,5 м²",
    "2024 год",
    "сезон 2024-2025",
    "дверь 80x200 см",
    "шкаф 200х60х45",
    "зарплата 3\u00a0500 ₽",
    "12.05.2025",
    "с 12.05.2025 по 15.05.2025",
    "12.05.2025-15.05.2025",
    "до 31.05.2025 15.00",
    "2025-05-12 10.30",
    "с 12.05 по 15.05, 12.05-15.05",
    "1/2 ставки",
    "1 500 - 2 000 ₽ за смену",
    "этаж 3/9, лифт есть",
    "индекс 119034, Москва",
    "т.е. нужно срочно",
    "и т.д. и т.п.",
    "ул.Ленина, г.Москва",
    "версия v.2, шаг 10.5",
    "ИНН 7701234567",
    "опыт с ASP.NET и Node.js",
    "собрать 2 шкафа и 1 кровать за 3 часа",
    "температура -5, влажность 80%",
    "размер 42-44, рост 170-176",
    "2 комнаты по 18 и 12 кв.м.",
    "№ 15/2, корп. 3, стр. 1",
    "заказ 12345678",
    "нужна помощь @home",
    "доставка 1-2 дня, 3 км",
    "1) помыть окна 2) вынести мусор 3) 4 часа",
    "Работа 2/2 по 12 ч, 2 500 ₽ смена",
    "10.00-19.00, обед 13.00-14.00",
    "смена 8 ч., 250 ₽/час",
]


@pytest.mark.parametrize(("text", "label"), POSITIVE)
def test_finds_contact(text: str, label: str) -> None:
    assert find_contact(text) == label
    assert contains_contact(text)


@pytest.mark.parametrize("text", NEGATIVE)
def test_ordinary_text_passes(text: str) -> None:
    assert find_contact(text) is None
    assert not contains_contact(text)


def test_empty_text() -> None:
    assert find_contact("") is None


def test_email_wins_over_url_and_username() -> None:
    assert find_contact("ivan_petrov@gmail.com @ivan_petrov") == "email"


def test_telegram_link_wins_over_url() -> None:
    assert find_contact("https://t.me/ivan и site.ru") == "telegram_link"


def test_short_or_long_usernames_are_not_usernames() -> None:
    assert find_contact("@ivan") is None
    assert find_contact("@" + "a" * 33) is None
    assert find_contact("@" + "a" * 32) == "username"


def test_phone_in_long_description() -> None:
    text = "Нужно собрать шкаф 200х60х45, 2 человека, с 10:00 до 18:00. " * 30
    assert find_contact(text + " 8 999 123 45 67") == "phone"
    assert find_contact(text) is None


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("1 " * 1000, None),
        ("1." * 1000, None),
        ("0 " * 1000, None),
        ("1 000 " * 333, None),
        ("12.05." * 333, None),
        ("a." * 1000, None),
        ("a" * 2000, None),
        ("@" * 2000, None),
        ("a@" * 1000, None),
        ("x@a." * 500, None),
        ("а." * 1000, None),
        ("a1-" * 666 + ".", None),
        ("t . " * 500, None),
        ("w" * 2000, None),
        ("9-" * 1000, "phone"),
        ("123-45-" * 285, "phone"),
    ],
)
def test_long_adversarial_text(text: str, label: str | None) -> None:
    assert find_contact(text) == label


@given(st.text())
def test_never_raises(text: str) -> None:
    label = find_contact(text)
    assert label is None or label in LABELS
    assert contains_contact(text) is (label is not None)


@given(st.text(alphabet="0123456789 .-()/+:,x@at", max_size=200))
def test_never_raises_on_digit_soup(text: str) -> None:
    label = find_contact(text)
    assert label is None or label in LABELS
