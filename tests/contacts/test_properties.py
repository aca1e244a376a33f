"""Generated contacts are refused and generated ordinary texts pass.

Contacts are built from whole classes: digits in any script or form, number words in
several forms, separators drawn from Unicode categories, letters, emoji and word lists,
messenger words in several forms and orders, dot and ``@`` look-alikes, top-level
domains from the bundled list. Ordinary texts are built from their own generators
(prices, ranges, dates, times, durations, sizes, addresses, model and serial numbers,
VINs, plates, error codes, intercom codes). Under ``CI=true`` Hypothesis is
derandomised (the ``ci`` profile), so a run is repeatable.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srochno.contacts import find_contact
from srochno.contacts.detect import top_level_domains
from srochno.contacts.fold import fold

EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def kind(text: str) -> str | None:
    found = find_contact(text)
    return None if found is None else found.kind


# --- digits in every form ----------------------------------------------------------------

CHAR_FORMS = [
    lambda d: str(d),
    lambda d: chr(0xFF10 + d),  # fullwidth
    lambda d: chr(0x1D7CE + d),  # mathematical bold
    lambda d: chr(0x1D7D8 + d),  # double-struck
    lambda d: chr(0x1D7F6 + d),  # monospace
    lambda d: "⁰¹²³⁴⁵⁶⁷⁸⁹"[d],  # superscript
    lambda d: "₀₁₂₃₄₅₆₇₈₉"[d],  # subscript
    lambda d: "⓪①②③④⑤⑥⑦⑧⑨"[d],  # circled
    lambda d: "⓿➊➋➌➍➎➏➐➑➒"[d],  # negative circled
    lambda d: chr(0x0660 + d),  # Arabic-Indic
    lambda d: chr(0x06F0 + d),  # Extended Arabic-Indic
    lambda d: chr(0x0966 + d),  # Devanagari
    lambda d: chr(0x09E6 + d),  # Bengali
    lambda d: chr(0x0E50 + d),  # Thai
    lambda d: f"{d}\ufe0f\u20e3",  # keycap
]
WORD_FORMS = {
    0: ["ноль", "нуль", "нолик", "zero", "nol", "ноля"],
    1: ["один", "одна", "единица", "единичка", "адин", "odin", "one", "wun"],
    2: ["два", "две", "двойка", "двоечка", "dva", "two"],
    3: ["три", "тройка", "трёшка", "tri", "three", "tree"],
    4: ["четыре", "четвёрка", "читыре", "chetyre", "four", "fower"],
    5: ["пять", "пятёрка", "пятёрочка", "пят", "pyat", "five", "fife"],
    6: ["шесть", "шестёрка", "шест", "shest", "six"],
    7: ["семь", "семёрка", "семерочка", "sem", "seven"],
    8: ["восемь", "восьмёрка", "восьмерка", "восем", "vosem", "eight"],
    9: ["девять", "девятка", "девяточка", "девят", "devyat", "nine", "niner"],
}
SEPARATOR_CATEGORIES = ["Sm", "Sc", "So", "Pd", "Po", "Zs"]
EMOJI = ["🔥", "👉", "📞", "✅", "⭐", "💥", "🙂", "➡️", "❤️", "🚀"]
FILLER_WORDS = ["и", "and", "плюс", "plus", "потом", "then", "дальше", "ещё"]


def _plain_symbol(char: str) -> bool:
    normal = unicodedata.normalize("NFKC", char)
    return (
        bool(normal.strip())
        and not any(part.isalnum() for part in normal)
        and char not in "+@"
        and unicodedata.category(char) not in ("Mn", "Me", "Cf")
    )


def _plain_letter(char: str) -> bool:
    normal = unicodedata.normalize("NFKC", char).lower()
    return (
        len(normal) == 1
        and normal.isalpha()
        and fold(normal) not in "oilз"
        and unicodedata.category(char) in ("Ll", "Lu", "Lo")
    )


symbols = st.characters(categories=SEPARATOR_CATEGORIES).filter(_plain_symbol)
letters = st.characters(categories=["Ll", "Lu", "Lo"]).filter(_plain_letter)
spaces = st.sampled_from(["", " ", "  "])


@st.composite
def separators(draw: st.DrawFn) -> str:
    """One separator, used between every two groups of a number."""
    choice = draw(st.integers(0, 5))
    if choice == 0:
        core = draw(st.text(symbols, min_size=1, max_size=3))
    elif choice == 1:
        core = draw(letters)
    elif choice == 2:
        core = draw(st.sampled_from(EMOJI))
    elif choice == 3:
        return f" {draw(st.sampled_from(FILLER_WORDS))} "
    elif choice == 4:
        return draw(st.sampled_from(["\n", " \n", "\n\n"]))
    else:
        core = draw(st.sampled_from(["-", ".", " ", "/", "_", "*", "|", "~", "•", "·"]))
    pad = draw(spaces)
    return f"{pad}{core}{pad}"


@st.composite
def phone_digits(draw: st.DrawFn) -> tuple[str, list[int]]:
    """A number someone can be called on: (prefix, digits)."""
    kind_ = draw(st.sampled_from(["mobile", "landline", "international"]))
    rest = lambda n: draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))  # noqa: E731
    if kind_ == "mobile":
        return draw(st.sampled_from(["+", ""])), [draw(st.sampled_from([7, 8])), 9, *rest(9)]
    if kind_ == "landline":
        code = draw(st.sampled_from([[4, 9, 5], [8, 1, 2], [3, 4, 3], [8, 6, 2], [4, 9, 9]]))
        return "", [8, *code, *rest(7)]
    country = draw(st.sampled_from([[4, 4], [4, 9], [3, 8, 0], [3, 7, 5], [1], [3, 3], [9, 9, 8]]))
    return "+", [*country, *rest(10 - len(country) + draw(st.integers(0, 2)))]


def _groups(draw: st.DrawFn, digits: list[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    index = 0
    while index < len(digits):
        size = draw(st.integers(1, 4))
        groups.append(digits[index : index + size])
        index += size
    return groups


@st.composite
def phones_in_symbols(draw: st.DrawFn) -> str:
    prefix, digits = draw(phone_digits())
    form = draw(st.sampled_from(CHAR_FORMS))
    groups = _groups(draw, digits)
    separator = draw(separators())
    body = separator.join("".join(form(d) for d in group) for group in groups)
    return prefix + body


@st.composite
def phones_in_words(draw: st.DrawFn) -> str:
    _, digits = draw(phone_digits().filter(lambda phone: phone[1][0] in (7, 8)))
    gap = draw(st.sampled_from([" ", ", ", " - ", " и ", "  ", "\n", " 🔥 "]))
    parts = []
    for digit in digits:
        if draw(st.integers(0, 3)) == 0:
            parts.append(str(digit))
        else:
            parts.append(draw(st.sampled_from(WORD_FORMS[digit])))
    text = gap.join(parts)
    return text.upper() if draw(st.booleans()) else text


def _in_text(draw: st.DrawFn, contact: str) -> str:
    before = draw(st.sampled_from(["", "Срочно нужен мастер. ", "Звоните: ", "Пишите сюда "]))
    after = draw(st.sampled_from(["", " после 18:00", ", спасибо!", "\nЖду."]))
    return before + contact + after


@EXAMPLES
@given(st.data())
def test_generated_phones_are_refused(data: st.DataObject) -> None:
    phone = data.draw(phones_in_symbols())
    text = _in_text(data.draw, phone)
    assert kind(text) == "phone", text


@EXAMPLES
@given(st.data())
def test_dictated_phones_are_refused(data: st.DataObject) -> None:
    phone = data.draw(phones_in_words())
    text = _in_text(data.draw, phone)
    assert kind(text) == "phone", text


@EXAMPLES
@given(st.data())
def test_a_phone_cut_in_two_is_refused(data: st.DataObject) -> None:
    _, digits = data.draw(phone_digits().filter(lambda p: p[1][:2] in ([8, 9], [7, 9])))
    cut = data.draw(st.integers(4, 6))
    head = "".join(map(str, digits[:cut]))
    tail = "".join(map(str, digits[cut:]))
    words = data.draw(st.sampled_from([", последние ", ". Остальные цифры: ", " ... потом "]))
    assert kind(f"первые цифры {head}{words}{tail}") == "phone"


# --- handles ----------------------------------------------------------------------------

MESSENGERS = [
    "телега", "телеге", "телегу", "тележка", "тележке", "тг", "tg", "telegram", "Телеграм",
    "телеграмме", "вотсап", "ватсап", "вацап", "WhatsApp", "whatsapp", "вайбер", "viber",
    "вк", "VK", "вконтакте", "в контакте", "инста", "инсту", "insta", "instagram", "max",
    "макс", "skype", "скайп", "discord", "дискорд",
]  # fmt: skip
FORWARD = [": ", " → ", " - ", "\n", " 👉 ", ' "', " (", " = ", " — ", " >> ", ":\n", " ➡️ "]
BACKWARD = [" в ", " in ", " (", " — ", "\n", " - ", " 👈 ", " / "]
handles = st.from_regex(r"[a-z]{3,8}_[a-z0-9]{2,6}|[a-z]{3,8}[0-9]{2,4}", fullmatch=True)


@EXAMPLES
@given(st.sampled_from(MESSENGERS), st.sampled_from(FORWARD), handles)
def test_messenger_then_handle_is_refused(messenger: str, connector: str, handle: str) -> None:
    assert kind(f"Пишите {messenger}{connector}{handle} срочно") == "handle"


@EXAMPLES
@given(handles, st.sampled_from(BACKWARD), st.sampled_from(MESSENGERS))
def test_handle_then_messenger_is_refused(handle: str, connector: str, messenger: str) -> None:
    assert kind(f"Мой ник {handle}{connector}{messenger}, пишите") == "handle"


AT_LETTERS = [
    lambda c: c,
    lambda c: chr(0xFF41 + ord(c) - ord("a")),  # fullwidth
    lambda c: chr(0x24D0 + ord(c) - ord("a")),  # circled
    lambda c: chr(0x1D41A + ord(c) - ord("a")),  # mathematical bold
]
AT_SIGNS = ["@", "＠", "﹫"]


@EXAMPLES
@given(
    st.from_regex(r"[a-z]{5,12}", fullmatch=True),
    st.sampled_from(AT_LETTERS),
    st.sampled_from(AT_SIGNS),
    st.booleans(),
)
def test_at_handles_in_any_letters_are_refused(
    handle: str, form: object, at: str, spaced: bool
) -> None:
    assert callable(form)
    written = (" " if spaced else "").join(form(char) for char in handle)
    assert kind(f"Пишите {at}{written} сегодня") == "handle"


# --- links and e-mails --------------------------------------------------------------------

DOTS = [".", "[.]", "(.)", " . ", "٫", "⸼", "ᐧ", "·", "•", "․", "‧", "。", "．", " dot ", " точка "]
STRONG_TLDS = ["ru", "com", "net", "org", "рф", "su", "info", "pro", "online", "site", "shop"]
LEADS = ["", "https://", "http://", "hxxps://", "http:/", "/", "-", "'", "www."]


def _ascii_tlds() -> list[str]:
    skip = {"py", "sh", "md", "rs", "pl", "zip", "mov", "java"}
    return sorted(
        name
        for name in top_level_domains()
        if name.isascii() and name.isalpha() and name not in skip
    )


@EXAMPLES
@given(
    st.from_regex(r"[a-z]{3,10}", fullmatch=True),
    st.sampled_from(DOTS),
    st.sampled_from(_ascii_tlds()),
    st.sampled_from(LEADS),
    st.sampled_from(["", "/ivan", "/catalog/1"]),
)
def test_links_on_any_tld_are_refused(label: str, dot: str, tld: str, lead: str, path: str) -> None:
    assert kind(f"Смотрите {lead}{label}{dot}{tld}{path} там всё") == "link"


@EXAMPLES
@given(
    st.from_regex(r"[a-z]{3,10}", fullmatch=True),
    st.sampled_from([", ", ",", " ", "\n", ". ", "，"]),
    st.sampled_from(STRONG_TLDS),
)
def test_links_with_a_loose_dot_before_a_common_tld_are_refused(
    label: str, dot: str, tld: str
) -> None:
    assert kind(f"Смотрите {label}{dot}{tld}/works") == "link"


AT_FORMS = ["@", " собака ", " at ", "(at)", "[at]", "＠", "﹫", "🐶", " (собака) "]
MAILBOXES = ["gmail.com", "mail.ru", "yandex.ru", "mailru", "gmail", "yandex точка ru", "bk.ru"]


@EXAMPLES
@given(
    st.from_regex(r"[a-z][a-z0-9._]{2,10}[a-z0-9]", fullmatch=True),
    st.sampled_from(AT_FORMS),
    st.sampled_from(MAILBOXES),
)
def test_emails_are_refused(local: str, at: str, mailbox: str) -> None:
    assert kind(f"Пишите на {local}{at}{mailbox}") in ("email", "link", "handle")


# --- ordinary texts -------------------------------------------------------------------------

number = st.integers


@st.composite
def ordinary_fragments(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 14))
    n = draw(number(1, 9))
    if choice == 0:
        return f"{draw(number(3, 200)) * 100} руб"
    if choice == 1:
        low = draw(number(5, 500)) * 100
        return f"бюджет {low}-{low + draw(number(1, 9)) * 100 * (1 + low // 1000)} ₽"
    if choice == 2:
        low = draw(number(1, 90))
        return f"от {low} 000 до {low + draw(number(1, 9))} 000 рублей"
    if choice == 3:
        return f"{draw(number(1, 28)):02}.{draw(number(1, 12)):02}.{draw(number(2024, 2027))}"
    if choice == 4:
        start = draw(number(6, 16))
        return f"с {start}:{draw(st.sampled_from(['00', '30']))} до {start + n}:00"
    if choice == 5:
        return f"{n} {draw(st.sampled_from(['часа', 'дня', 'минут', 'смены', 'недели']))}"
    if choice == 6:
        sign = draw(st.sampled_from(["x", "х", "×", "*"]))
        return f"{draw(number(10, 300))}{sign}{draw(number(10, 300))} см"
    if choice == 7:
        return (
            f"ул. Ленина {draw(number(1, 200))} к{n}, кв {draw(number(1, 500))}, "
            f"подъезд {draw(number(1, 12))}, этаж {draw(number(1, 25))}"
        )
    if choice == 8:
        return draw(
            st.from_regex(r"[A-Z]{2,3}[0-9]{2,4}[A-Z]{1,3}[0-9]{2,4}[A-Z]{0,2}", fullmatch=True)
        )
    if choice == 9:
        return "VIN " + draw(vins())
    if choice == 10:
        plate = draw(st.from_regex(r"[АВЕКМНОРСТУХ][0-9]{3}[АВЕКМНОРСТУХ]{2}", fullmatch=True))
        return f"номер машины {plate} {draw(number(1, 799))}"
    if choice == 11:
        return f"ошибка {draw(st.sampled_from(['E', 'F', 'H', 'Е']))}{draw(number(1, 99)):02}"
    if choice == 12:
        return f"домофон {draw(number(1, 300))}#{draw(number(1000, 9999))}"
    if choice == 13:
        return f"{n} шт. по {draw(number(1, 50)) * 100} ₽"
    return f"вес {draw(number(5, 300))} кг, {n} этаж"


@st.composite
def vins(draw: st.DrawFn) -> str:
    wmi = draw(st.sampled_from(["XTA", "WVW", "Z94", "JTD", "WBA", "KMH", "XW8", "VF1"]))
    vds = draw(st.from_regex(r"[A-HJ-NPR-Z0-9]{5}", fullmatch=True))
    check = draw(st.from_regex(r"[0-9X]", fullmatch=True))
    year = draw(st.from_regex(r"[A-HJ-NPR-TV-Y]", fullmatch=True))
    plant = draw(st.from_regex(r"[A-HJ-NPR-Z]", fullmatch=True))
    serial = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    return wmi + vds + check + year + plant + serial


@EXAMPLES
@given(ordinary_fragments())
def test_generated_ordinary_fragments_pass(fragment: str) -> None:
    assert kind(f"Срочно нужен мастер: {fragment}.") is None


@EXAMPLES
@given(st.lists(ordinary_fragments(), min_size=2, max_size=6))
def test_generated_ordinary_texts_pass(fragments: list[str]) -> None:
    text = "Срочно нужен мастер. " + ". ".join(fragments) + "."
    assert kind(text) is None, text
