"""Generated contacts of the classes read since the first independent corpus, and the
ordinary texts next to them that must still pass.

Each test builds a whole class: a phone dictated in another language, by ordinals, by
ear, with multipliers or repeated digits, with words cut in pieces; Roman numerals of
any size; letters that look like digits; messengers named by slang, an emoji or
indirectly, next to a handle no ordinary word is; IP addresses, spoken slashes and
top-level domains; mailboxes named by their provider.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srochno.contacts import find_contact

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def kind(text: str) -> str | None:
    found = find_contact(text)
    return None if found is None else found.kind


def _in_text(draw: st.DrawFn, contact: str) -> str:
    before = draw(st.sampled_from(["", "Срочно нужен мастер. ", "Тел: ", "Need help today. "]))
    after = draw(st.sampled_from(["", " после 18:00", ", спасибо!", "\nЖду."]))
    return before + contact + after


mobile = st.lists(st.integers(0, 9), min_size=9, max_size=9).map(lambda rest: [8, 9, *rest])

# --- numbers in words of other languages, ordinals, by ear ----------------------------------

LANGUAGES: dict[str, list[str]] = {
    "uk": ["нуль", "один", "два", "три", "чотири", "п'ять", "шість", "сім", "вісім", "дев'ять"],
    "be": ["нуль", "адзін", "два", "тры", "чатыры", "пяць", "шэсць", "сем", "восем", "дзевяць"],
    "de": ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
    "kk": ["нөл", "бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз"],
    "en-cyr": ["зиро", "уан", "ту", "фри", "фор", "файв", "сикс", "севен", "эйт", "найн"],
    "ordinal": (
        [
            "нулевой",
            "первый",
            "второй",
            "третий",
            "четвёртый",
            "пятый",
            "шестой",
            "седьмой",
            "восьмой",
            "девятый",
        ]
    ),
    "by ear": ["ноль", "адин", "дфа", "тры", "чтыре", "пить", "шэсь", "сэмь", "васемь", "девить"],
    "zh": list("〇一二三四五六七八九"),
}


@st.composite
def dictated_in_any_language(draw: st.DrawFn) -> str:
    digits = draw(mobile)
    words = LANGUAGES[draw(st.sampled_from(sorted(LANGUAGES)))]
    if words[1] == "一":
        return "".join(words[digit] for digit in digits)
    gap = draw(st.sampled_from([" ", ", ", "-", " - ", "  "]))
    text = gap.join(words[digit] for digit in digits)
    return text.capitalize() if draw(st.booleans()) else text


@EXAMPLES
@given(st.data())
def test_numbers_in_other_languages_ordinals_and_by_ear_are_refused(data: st.DataObject) -> None:
    text = _in_text(data.draw, data.draw(dictated_in_any_language()))
    assert kind(text) == "phone", text


RUSSIAN = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]


@st.composite
def words_cut_in_pieces(draw: st.DrawFn) -> str:
    digits = draw(mobile)
    parts = []
    for digit in digits:
        word = RUSSIAN[digit]
        if len(word) >= 4 and draw(st.booleans()):
            cut = draw(st.integers(1, len(word) - 1))
            word = word[:cut] + draw(st.sampled_from(["-", " ", "'"])) + word[cut:]
        parts.append(word)
    return draw(st.sampled_from([" ", ", ", "  "])).join(parts)


@EXAMPLES
@given(st.data())
def test_number_words_cut_by_a_hyphen_or_a_space_are_refused(data: st.DataObject) -> None:
    text = _in_text(data.draw, data.draw(words_cut_in_pieces()))
    assert kind(text) == "phone", text


@st.composite
def repeated_digits(draw: st.DrawFn) -> str:
    """``triple five``, ``четыре шестёрки`` inside a dictated number."""
    english = draw(st.booleans())
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    plural = "нолика единички двойки тройки четвёрки пятёрки шестёрки семёрки восьмёрки девятки"
    parts = [names[8], names[9]] if english else [RUSSIAN[8], RUSSIAN[9]]
    digits = 2
    while digits < 11:
        digit = draw(st.integers(0, 9))
        count = draw(st.integers(1, min(3, 11 - digits)))
        if count == 1:
            parts.append(names[digit] if english else RUSSIAN[digit])
        elif english:
            parts.append(f"{'double' if count == 2 else 'triple'} {names[digit]}")
        else:
            parts.append(f"{RUSSIAN[count]} {plural.split()[digit]}")
        digits += count
    return ", ".join(parts)


@EXAMPLES
@given(st.data())
def test_repeated_digits_are_refused(data: st.DataObject) -> None:
    text = _in_text(data.draw, data.draw(repeated_digits()))
    assert kind(text) == "phone", text


@st.composite
def with_multipliers(draw: st.DrawFn) -> str:
    """``89 млрд 161 млн 234 тыс. 567``."""
    billions = draw(st.sampled_from([79, 89]))
    millions, thousands, units = (draw(st.integers(100, 999)) for _ in range(3))
    words = draw(
        st.sampled_from(
            [("млрд", "млн", "тыс."), ("миллиардов", "миллионов", "тысяч"), ("млрд", "млн", "тыс")]
        )
    )
    return f"{billions} {words[0]} {millions} {words[1]} {thousands} {words[2]} {units}"


@EXAMPLES
@given(st.data())
def test_numbers_said_with_multipliers_are_refused(data: st.DataObject) -> None:
    text = _in_text(data.draw, data.draw(with_multipliers()))
    assert kind(text) == "phone", text


def test_a_phone_said_as_one_big_number_is_refused() -> None:
    text = "Тел: семьдесят восемь миллиардов девятьсот двенадцать миллионов триста сорок тысяч сто"
    assert kind(text) == "phone"


# --- Roman numerals and letters that look like digits ---------------------------------------


def roman(number: int) -> str:
    table = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]  # fmt: skip
    out = ""
    for value, letters in table:
        while number >= value:
            out += letters
            number -= value
    return out


@st.composite
def roman_groups(draw: st.DrawFn) -> str:
    groups = [draw(st.integers(900, 999)), draw(st.integers(100, 999))]
    groups += [draw(st.integers(10, 99)), draw(st.integers(10, 99))]
    separator = draw(st.sampled_from(["-", " · ", " ", " / "]))
    lead = draw(st.sampled_from(["8" + separator, "VIII" + separator]))
    return lead + separator.join(roman(group) for group in groups)


@EXAMPLES
@given(st.data())
def test_roman_numeral_groups_are_refused(data: st.DataObject) -> None:
    text = _in_text(data.draw, data.draw(roman_groups()))
    assert kind(text) is not None, text  # «8 · CM» also reads as a host on .cm


LOOKALIKES = {  # those read only when several make a phone (o, l, З are read anywhere)
    2: "zZ",
    4: "ЧчA",
    5: "sS",
    6: "ббGg",
    7: "tT",
    8: "BВ",
}


@st.composite
def lookalike_phones(draw: st.DrawFn) -> str:
    rest = draw(st.lists(st.integers(1, 9), min_size=9, max_size=9))
    digits = [8, 9, *rest]
    swappable = [index for index, digit in enumerate(digits) if digit in LOOKALIKES]
    chosen = (
        draw(st.lists(st.sampled_from(swappable), min_size=3, unique=True))
        if len(swappable) >= 3
        else swappable
    )
    chars = [
        draw(st.sampled_from(LOOKALIKES[digit])) if index in chosen else str(digit)
        for index, digit in enumerate(digits)
    ]
    chars[2:4] = [draw(st.sampled_from("бGg")), draw(st.sampled_from("ЧSs"))]  # a mixed token
    sizes = [1, 3, 3, 2, 2]
    groups, index = [], 0
    for size in sizes:
        groups.append("".join(chars[index : index + size]))
        index += size
    return draw(st.sampled_from([" ", "-", " - "])).join(groups)


@EXAMPLES
@given(st.data())
def test_letters_standing_for_digits_are_refused(data: st.DataObject) -> None:
    text = _in_text(data.draw, data.draw(lookalike_phones()))
    assert kind(text) is not None, text  # «tG» may also read as Telegram


# --- messengers and handles ------------------------------------------------------------------

MESSENGER_NAMES = [
    "ТэГэ", "в максе", "on the gram", "мессенджер Дурова", "✈️", "📨✈️",
    "в приложении с бумажным самолётиком", "the paper plane app", "Ася", "Jabber",
    "джаббер", "Инстаграм-хэштег", "почта на гугле, логин", "ящик на яндексе:",
    "Gmail login is", "в тг", "Телеграм.",
]  # fmt: skip
BETWEEN = [
    ": ",
    " — ",
    " → ",
    "\n",
    " /  / ↓ / ",
    " (ник: ",
    " найдёте по нику ",
    " (читать наоборот): ",
]
name_part = st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8)


@st.composite
def marked_handles(draw: st.DrawFn) -> str:
    parts = draw(st.lists(name_part, min_size=2, max_size=3))
    handle = "_".join(parts)
    if draw(st.booleans()):
        handle += str(draw(st.integers(1, 99)))
    return handle


@EXAMPLES
@given(st.sampled_from(MESSENGER_NAMES), st.sampled_from(BETWEEN), marked_handles())
def test_any_messenger_name_then_a_marked_handle_is_refused(
    name: str, between: str, handle: str
) -> None:
    text = f"Нужен мастер. {name}{between}{handle}"
    assert kind(text) is not None, text  # a handle, or a link when a TLD-like word is near


@EXAMPLES
@given(marked_handles(), st.sampled_from(["в инсте", "в телеге", "in insta", "в тг"]))
def test_a_hashtag_next_to_a_messenger_is_refused(handle: str, messenger: str) -> None:
    assert kind(f"Ищите по хэштегу #{handle} {messenger}") == "handle"


CYRILLIC = st.text("абвгдеклмнопрстуфхя", min_size=3, max_size=8)


@EXAMPLES
@given(
    st.lists(CYRILLIC, min_size=2, max_size=3),
    st.sampled_from(["_", "."]),
    st.sampled_from(["(латиницей)", "(набирайте латиницей)", "— транслитом"]),
)
def test_a_cyrillic_handle_to_be_typed_in_latin_is_refused(
    parts: list[str], joint: str, note: str
) -> None:
    text = f"Телега: {joint.join(parts)} {note}"
    assert kind(text) is not None, text  # a handle, or a link when a part is a TLD


# --- links and e-mails -----------------------------------------------------------------------

public_octet = st.integers(1, 254)


@st.composite
def ip_addresses(draw: st.DrawFn) -> str:
    first = draw(
        (st.integers(11, 126) | st.integers(128, 191) | st.integers(193, 223)).filter(
            lambda octet: octet not in (169, 172)  # link-local and private ranges
        )
    )
    octets = [first, *(draw(public_octet) for _ in range(3))]
    dot = draw(st.sampled_from([".", " . ", ". "]))
    address = dot.join(map(str, octets))
    tail = draw(st.sampled_from([f":{draw(st.integers(80, 65535))}", " : 8080", "/form", ""]))
    if not tail and dot == ".":
        tail = ":8080"
    return address + tail


@EXAMPLES
@given(st.data())
def test_public_ip_addresses_with_a_port_or_spaced_dots_are_refused(data: st.DataObject) -> None:
    text = _in_text(data.draw, data.draw(ip_addresses()))
    assert kind(text) == "link", text


@EXAMPLES
@given(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=12),
    st.sampled_from(["ру", "рф", "ком"]),
)
def test_a_latin_name_with_a_tld_said_in_cyrillic_is_refused(label: str, tld: str) -> None:
    assert kind(f"Сайт {label} {tld} — там всё") == "link"


@EXAMPLES
@given(
    st.sampled_from(["tinyurl", "bitly", "clck", "vk"]),
    st.sampled_from(["com", "ru", "ly"]),
    st.sampled_from(["slash", "слэш", "слеш"]),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=3, max_size=10),
)
def test_a_slash_said_as_a_word_is_refused(domain: str, tld: str, slash: str, path: str) -> None:
    assert kind(f"Подробности: {domain} {tld} {slash} {path}") == "link"


# --- ordinary texts next to those classes ----------------------------------------------------


@st.composite
def ordinary_technical(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 5))
    if choice == 0:  # private addresses and masks
        return draw(
            st.sampled_from(
                [
                    f"вход по 192.168.{draw(st.integers(0, 255))}.{draw(st.integers(1, 254))}",
                    f"DHCP 10.0.0.{draw(st.integers(2, 99))}–10.0.0.{draw(st.integers(100, 254))}",
                    "маска 255.255.255.0",
                    f"шлюз 172.{draw(st.integers(16, 31))}.0.1",
                ]
            )
        )
    if choice == 1:  # versions
        parts = [draw(st.integers(0, 30)) for _ in range(draw(st.integers(2, 4)))]
        return f"версия {'.'.join(map(str, parts))}, релиз {draw(st.integers(1, 9))}.0"
    if choice == 2:  # file names, also with a TLD as extension
        name = draw(st.sampled_from(["logo", "main", "README", "schema", "libssl", "setup"]))
        ext = draw(st.sampled_from(["md", "py", "sh", "zip"]))
        return f"поправить файл {name}.{ext}"
    if choice == 3:
        lib = draw(st.sampled_from(["libssl", "libcrypto", "libz", "libpq"]))
        return f"{lib}.so.{draw(st.integers(1, 9))} not found"
    if choice == 4:  # labelled short numbers side by side
        order = draw(st.integers(100000, 999999))
        return f"заказ {order}, код {draw(st.integers(1000, 9999))}, 2 коробки"
    return draw(
        st.sampled_from(
            [
                "на первом этаже, второй подъезд, третий раз",
                "Людовик XIV, глава IV, размеры S M L XL",
                "дом 5б, кв. 12а, корпус 3в",
                "первый, второй и третий этаж, пятая квартира",
                "две пятёрки по математике",
                "бюджет 50 тыс, срок 2 млн секунд",
            ]
        )
    )


@EXAMPLES
@given(st.lists(ordinary_technical(), min_size=1, max_size=4))
def test_ordinary_texts_next_to_the_new_classes_pass(fragments: list[str]) -> None:
    text = "Срочно нужен мастер. " + ". ".join(fragments) + "."
    assert kind(text) is None, text
