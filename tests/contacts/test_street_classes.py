"""Generated contacts of the classes read since the fourth independent corpus, that corpus
by class, and the ordinary texts beside them that must still pass.

Classes: a handle given bare (snake_case anywhere outside a text about code; letters with
digits after a word that names a handle); a messenger's or a handle's letters spelt out
with spaces or dots, digits standing in a messenger's name, a handle's words to be joined
by underscores; networks with profiles (channels, portfolios, game and developer sites);
a domain whose dot is another mark, or told in words (``домен ру``, ``через точку``); a
text as a browser or a chat shows it (HTML entities, percent-encoding, ``\\u`` escapes, a
right-to-left override, a flag for the country domain); mailboxes in slang; a local
landline after a word that says it is a telephone. Ordinary: two sentences joined at a
dot with no space, public sites named without a path, decorators and at-rules of code,
``C++ 2015``, CSS ``max-width``, product names after a messenger's name, a garden cart.
"""

from __future__ import annotations

import html
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srochno.contacts import find_contact, find_in_fields, public_name
from srochno.contacts.detect import _CODE_CONTEXT as CODE_WORDS
from srochno.contacts.detect import _ORDINARY_WORDS as ORDINARY_WORDS

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def kind(text: str) -> str | None:
    found = find_contact(text)
    return None if found is None else found.kind


LEADS = [
    "Срочно нужен сантехник, течёт кран. ",
    "Нужна няня на вечер. ",
    "Need a courier today. ",
    "",
]
word = st.text(string.ascii_lowercase, min_size=3, max_size=8)
snake = st.lists(word, min_size=2, max_size=3).map("_".join)
# A site's name: not an ordinary English word (``send:ru`` in a sentence may be prose).
label = st.text(string.ascii_lowercase, min_size=4, max_size=12).filter(
    lambda name: name not in ORDINARY_WORDS and CODE_WORDS.search(name) is None
)
digits_tail = st.integers(10, 9999).map(str)
STRONG_TLDS = ["ru", "com", "net", "org", "su", "info", "online", "site", "pro", "рф"]


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    snake,
    st.sampled_from(
        [
            "пишите {h}",
            "Анна ({h})",
            "я тут тоже есть: {h}",
            "мой канал: {h}",
            "\n{h}",
            "{h} — это я",
        ]
    ),
)
def test_a_bare_snake_case_handle_is_refused(lead: str, handle: str, template: str) -> None:
    text = lead + template.format(h=handle)
    assert kind(text) == "handle", text


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    word,
    digits_tail,
    st.sampled_from(["мой ник {h}", "юз {h}", "username {h}", "логин: {h}", "никнейм {h}"]),
)
def test_letters_with_digits_after_a_naming_word_are_refused(
    lead: str, name: str, tail: str, template: str
) -> None:
    text = lead + template.format(h=name + tail)
    assert kind(text) == "handle", text


SPELT_MESSENGERS = ["телеграм", "telegram", "тг", "вк", "ig", "vk", "whatsapp"]


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    st.sampled_from(SPELT_MESSENGERS),
    st.sampled_from([" ", "."]),
    st.booleans(),
    snake,
)
def test_a_messenger_spelt_out_letter_by_letter_is_refused(
    lead: str, messenger: str, separator: str, upper: bool, handle: str
) -> None:
    spelt = separator.join(messenger.upper() if upper else messenger)
    text = f"{lead}{spelt} {handle}"
    assert kind(text) is not None, text


@EXAMPLES
@given(st.sampled_from(LEADS), st.sampled_from(["тг", "телеграм", "вотсап"]), snake)
def test_a_handle_spelt_out_after_a_messenger_is_refused(
    lead: str, messenger: str, handle: str
) -> None:
    text = f"{lead}{messenger}: {' '.join(handle)}"
    assert kind(text) is not None, text


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    st.sampled_from(["te1egram", "v1ber", "wh4tsapp", "te1eg4"]),
    snake,
)
def test_digits_in_a_messenger_name_are_read_as_letters(
    lead: str, messenger: str, handle: str
) -> None:
    text = f"{lead}{messenger} {handle}"
    assert kind(text) == "handle", text


NETWORKS = [
    "тенчат",
    "беханс",
    "гитхаб",
    "стим",
    "кворк",
    "твич",
    "пинтересте",
    "дзен",
    "хабр",
    "reddit",
    "ютуб",
    "рутубе",
    "тгк",
]


@EXAMPLES
@given(st.sampled_from(LEADS), st.sampled_from(NETWORKS), word, digits_tail)
def test_networks_with_profiles_are_messengers(
    lead: str, network: str, name: str, tail: str
) -> None:
    text = f"{lead}мой {network} {name}_{tail}"
    assert kind(text) == "handle", text


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    label,
    st.sampled_from([":", ";", "*", "_", "/", "-", "..", "|", "~", "\\"]),
    st.sampled_from(STRONG_TLDS),
)
def test_a_domain_whose_dot_is_another_mark_is_refused(
    lead: str, label: str, mark: str, tld: str
) -> None:
    text = f"{lead}сайт {label}{mark}{tld}, там всё"
    assert kind(text) in ("link", "handle"), text


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    label,
    st.sampled_from(["ру", "рф", "ком", "ru", "com", "орг"]),
    st.sampled_from(
        ["{l}, домен {t}", "{l} в зоне {t}", "набирайте {l} и {t} через точку", "{l} точка {t}"]
    ),
)
def test_a_domain_told_in_words_is_refused(lead: str, label: str, tld: str, template: str) -> None:
    text = lead + "мой сайт " + template.format(l=label, t=tld)
    assert kind(text) == "link", text


def _entity(char: str) -> str:
    return f"&#{ord(char)};"


ENCODINGS = [
    _entity,
    lambda char: f"&#x{ord(char):x};",
    lambda char: html.escape(char) if char in "&<>" else f"%{ord(char):02X}",
    lambda char: f"\\u{ord(char):04x}",
]


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    st.text(string.ascii_lowercase, min_size=4, max_size=10),
    st.sampled_from(["ru", "com", "net"]),
    st.sampled_from(ENCODINGS),
    st.booleans(),
)
def test_an_escaped_dot_or_at_is_read_as_shown(
    lead: str, label: str, tld: str, encode: object, email: bool
) -> None:
    assert callable(encode)
    domain = f"{label}{encode('.')}{tld}"
    text = lead + (f"почта ivan{encode('@')}{domain}" if email else f"сайт {domain}")
    assert kind(text) is not None, text


@EXAMPLES
@given(st.sampled_from(LEADS), st.text(string.ascii_lowercase, min_size=4, max_size=10))
def test_a_domain_behind_a_right_to_left_override_is_refused(lead: str, label: str) -> None:
    shown = f"{label}.ru"
    text = f"{lead}портфолио: \u202e{shown[::-1]}\u202c смотрите"
    found = find_contact(text)
    assert found is not None, text
    assert found.kind == "link"
    written = text.index(shown[::-1])
    assert found.start <= written, "the span covers what is shown"
    assert found.end >= written + len(shown), "the span covers what is shown"


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    st.text(string.ascii_lowercase, min_size=4, max_size=10),
    st.sampled_from(["🇷🇺", "🇧🇾", "🇰🇿"]),
)
def test_a_flag_for_the_country_domain_is_refused(lead: str, label: str, flag: str) -> None:
    assert kind(f"{lead}сайт {label}.{flag}") == "link"


@EXAMPLES
@given(
    st.sampled_from(["домашний", "стационарный", "городской телефон", "звоните на домашний"]),
    st.integers(1, 99),
    st.integers(10, 99),
    st.integers(10, 99),
    st.sampled_from(["-", " "]),
)
def test_a_local_landline_after_a_telephone_word_is_refused(
    cue: str, first: int, second: int, third: int, separator: str
) -> None:
    text = f"Нужен сантехник в посёлке, {cue} {first}{separator}{second}{separator}{third}"
    assert kind(text) == "phone", text


# Ordinary texts ---------------------------------------------------------------------------

SENTENCE_ENDS = ["починить кран", "няня", "документы", "the tap is broken", "help me move a sofa"]
NEXT_SENTENCES = [
    "Дети 3 и 5 лет",
    "Онлайн или дома",
    "It leaks a lot",
    "Me and my wife",
    "By 5 pm",
]


@EXAMPLES
@given(st.sampled_from(SENTENCE_ENDS), st.sampled_from(NEXT_SENTENCES))
def test_two_sentences_joined_at_a_dot_pass(first: str, second: str) -> None:
    text = f"Срочно нужно {first}.{second}, спасибо"
    assert kind(text) is None, text


@pytest.mark.parametrize(
    "text",
    [
        "Не могу оплатить бронь, Booking.com не открывается",
        "Помочь бабушке записаться к врачу через gosuslugi.ru, сама не справляется",
        "Нарисовать схему в Draw.io и поправить чат на Socket.io",
        "Срочно настроить сервер в Yandex.Cloud, упал сайт",
        "Обновить .NET Framework 4.8 и Microsoft Visual C++ 2015-2022 на ноутбуке",
        "Помочь с Python: декоратор @property в классе не работает",
        "Поправить вёрстку: правило @media (max-width: 768px) не срабатывает",
        "Java: аннотация @Override ругается на метод, нужна помощь",
        "Срочно: бот в Telegram на aiogram 3 упал после обновления",
        "Настроить рассылку в Viber через SendPulse до вечера",
        "Починить садовую телегу Grinda, отвалилось колесо",
        "Срочно настроить рабочую почту, логин Outlook не принимает пароль",
        "Поправить рекламу в Яндекс Директ, кампания Brand_Moscow не крутится",
        "Нужен визуализатор в 3ds Max и Corona на завтра",
        "Нужен мастер. 300 часа, 100 часа, 10 часа, 10 руб.",
        "Срочно нужен мастер. Звоните, от 79 000 до 80 000 рублей. 1 часа.",
        "Сделать 1 ключ и вскрыть ящик №1 в 1 подъезде",
        "Python: функция get_user_data падает с KeyError, нужен программист",
        "Роутер не раздаёт сеть home_wifi_5g, пароль не подходит",
    ],
)
def test_ordinary_texts_of_the_fourth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


# The fourth corpus, by class --------------------------------------------------------------

CORPUS = {
    "bare handle": [
        "Срочно нужен сантехник, пишите anna_photo_msk",
        "Нужен курьер на час. Анна (anna_photo_msk)",
        "Нужна няня сегодня, я тут тоже есть: anna_photo_msk",
        "Нужен сантехник срочно, течёт кран.\nНапишите мне сюда:\nanna_photo_msk",
        "Нужен дизайнер, мой канал: anna_design_msk, там примеры и связь",
        "Нужна няня на вечер, мой юз anna_photo_msk",
        "anna_photo_msk — это я. Срочно нужен сантехник, течёт кран на кухне, вода уже на "
        "полу, приезжайте как можно скорее. Пишите туда, это телега.",
    ],
    "spelt or disguised messenger": [
        "Нужен грузчик на час, Т Е Л Е Г Р А М anna_photo_msk",
        "Нужен электрик, т.е.л.е.г.р.а.м anna_photo_msk",
        "Нужен курьер срочно, te1egram anna_photo_msk",
        "Нужен курьер, т.г. anna_photo_msk",
        "Нужна няня, В К anna_petrova85",
        "Нужен визажист, I G anna_make_up",
        "Нужен грузчик, тг: a n n a _ p h o t o _ m s k",
        "Нужен электрик, тг anna photo msk (слова через нижнее подчёркивание)",
    ],
    "networks": [
        "Нужен юрист срочно, я в тенчате anna_petrova85",
        "Нужен дизайнер баннеров, мой беханс anna-design, напишите мне",
        "Нужен помощник собрать ПК, добавляйтесь в стим anna_gamer85",
        "Need a photographer tonight, snap me: anna_photo_msk",
        "Need a handyman urgently, message me on reddit u/anna_photo_msk",
        "Нужен визажист, работы: inst/anna_make_up",
    ],
    "dot as another mark": [
        "Нужен фотограф, сайт annaphoto:ru",
        "Нужен фотограф, сайт annaphoto..ru",
        "Нужен фотограф, сайт annaphoto-ru, там формы",
        "Нужен фотограф, сайт annaphoto/ru",
        "Нужен фотограф, сайт annaphoto*ru",
        "Нужен фотограф, сайт annaphoto_ru, там все контакты",
    ],
    "domain told": [
        "Нужен фотограф, мой сайт annaphoto, домен ру, там форма заявки",
        "Нужен фотограф, сайт annaphoto в зоне рф, там заявка",
        "Нужен фотограф. Портфолио на моём сайте — набирайте annaphoto и ру через точку",
        "Нужен фотограф, сайт annaphoto.🇷🇺",
        "Нужен фотограф, сайт annaphoto&#46;ru",
        "Нужен фотограф, портфолио annaphoto%2Eru",
        "Нужен фотограф, сайт annaphoto\\u002eru",
        "Нужен фотограф, портфолио: \u202eur.otohpanna\u202c смотрите",
    ],
    "mailbox": [
        "Нужен бухгалтер, моё мыло anna-petrova85 на мэйлру",
        "Нужна помощь с документами, электронка anna-petrova85 на рамблере",
        "Нужен бухгалтер, почта как имя: anna.petrova85, сервис — от Гугла",
        "Нужен бухгалтер, почта anna&#64;annaphoto&#46;ru",
        "Нужен бухгалтер, почта anna собака annaphoto:ru",
    ],
    "landline": [
        "Нужен сантехник в деревне. Звоните на домашний: код 48234, номер 2-15-67",
        "Нужен сантехник, Тверь, код города двадцать два, домашний 34-56-78",
        "Нужен сантехник в посёлке, звоните на домашний 2-34-56, спросить Анну",
        "Нужен сантехник в деревню, домашний телефон: два тридцать четыре пятьдесят шесть",
    ],
}


@pytest.mark.parametrize(
    "text", [text for texts in CORPUS.values() for text in texts], ids=lambda text: text[:40]
)
def test_the_fourth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Анна тенчат anna_p85", "Анна"),
        ("Анна ник anna_photo_msk", "Анна"),
        ("Anna tg a n n a _ p h o t o", "Anna"),
        ("Anna annaphoto_ru", "Anna"),
        ("Анна мыло anna-petrova85", "Анна"),
    ],
)
def test_public_names_lose_the_new_classes(name: str, shown: str) -> None:
    published = public_name(name)
    assert published == shown, published
    assert find_contact(published) is None


# The fifth corpus's classes -------------------------------------------------------------

NAMES = ["Kate", "Ivan", "Olga", "Sanya", "Petr", "Anna", "Sergey", "Katya", "Dima"]
TRADES = ["Sborka", "Santeh", "Remont", "Klining", "Gruz", "Decor", "Elektrik", "Posuda"]
FILLER = (
    " Нужно срочно собрать шкаф-купе, три двери, зеркала, размер 2400 на 2000, инструмент "
    "мой, всё лежит в коробках, подъезд чистый, лифт работает, парковка есть у дома. "
)
username = st.builds(
    lambda name, trade, tail, order: (name + trade if order else trade + name) + tail,
    st.sampled_from(NAMES),
    st.sampled_from(TRADES),
    st.sampled_from(["", "77", "2024", "Msk"]),
    st.booleans(),
)


@EXAMPLES
@given(
    username,
    st.sampled_from(["Пишите в телеграм.", "Инста у меня есть, пишите туда.", "Я в МАКСе."]),
    st.sampled_from(["Ник: {u}", "Я там как {u}", "— {u}", "Подпись: {u}"]),
    st.booleans(),
)
def test_a_username_far_from_where_to_write_is_refused(
    user: str, where: str, template: str, first: bool
) -> None:
    handle = template.format(u=user)
    text = f"{where}{FILLER}{handle}" if first else f"{handle}.{FILLER}{where}"
    assert kind(text) == "handle", text


@EXAMPLES
@given(username, st.sampled_from(["Пишите {u}, отвечу", "Добавляйтесь в друзья: {u}"]))
def test_a_bare_username_after_a_cue_is_refused(user: str, template: str) -> None:
    text = "Нужен мастер по шкафам сегодня. " + template.format(u=user)
    assert kind(text) == "handle", text


@EXAMPLES
@given(st.sampled_from(TRADES), st.sampled_from(NAMES), st.sampled_from(["Bot", "_bot", "bot"]))
def test_a_telegram_bot_is_refused_wherever_it_stands(trade: str, name: str, bot: str) -> None:
    text = f"Нужен вывоз мусора сегодня. Заявки принимает {trade}{name}{bot}, там же фото."
    assert kind(text) == "handle", text


STYLES = [0x1F130, 0x1F150, 0x1F170, 0x249C]


@EXAMPLES
@given(snake, st.sampled_from(STYLES))
def test_a_handle_in_letter_styles_nfkc_keeps_is_refused(handle: str, base: int) -> None:
    styled = "".join(
        chr(base + ord(char) - ord("a")) if char.isalpha() else char for char in handle
    )
    assert kind(f"Нужен мастер сегодня. Телеграм: {styled}") == "handle"


@EXAMPLES
@given(snake, st.sampled_from(["🌸", "•", "*", "~", "❤"]))
def test_a_handle_spelt_with_marks_between_its_letters_is_refused(handle: str, mark: str) -> None:
    assert kind(f"Нужна няня сегодня вечером. Телеграм: {mark.join(handle)}") is not None


@EXAMPLES
@given(
    label,
    st.sampled_from([".rf", ".moskva", ".PФ", "(ru)", " ❤ ru", "🔹ru", ".tilda"]),
)
def test_a_domain_in_other_forms_is_refused(name: str, ending: str) -> None:
    text = f"Нужен мастер по ремонту окон, сайт {name}{ending} — заявка там."
    assert kind(text) == "link", text


def test_a_city_written_as_a_domain_is_refused() -> None:
    assert find_in_fields({"city": "okna-master ru", "description": "Нужен мастер по окнам"})


@pytest.mark.parametrize(
    "text",
    [
        "Срочно нужен грузчик на 2 часа, оплата 15000 тг, Kaspi перевод сразу.",
        "Оплата через Kaspi.kz сразу после работы. Нужен сантехник, течёт бачок.",
        "Срочно нужна гидравлическая тележка Jungheinrich на 2 часа, разгрузить фуру.",
        "Починить радиоуправляемый самолётик Volantex, сломался пропеллер.",
        "Перфоратор любой: Bosch ок, DeWalt тоже ок, Makita ок — главное сегодня.",
        "Срочно починить GitHub Actions, деплой падает, проект на Django.",
        "Нужен монтажёр: 10 роликов для YouTube Shorts к вечеру, исходники готовы.",
        "Нужен оператор с Insta360 на свадьбу, пишите, бюджет обсудим.",
        "Нужен мастер. ошибка E30, 2 ₽, 10000 ₽, 10 руб.",
        "Срочно нужен мастер. Звоните, ул. Ленина 79 к1, кв 1, подъезд 1, этаж 10. 10000 руб.",
        "Пишите, ремонт iRobot Roomba 980 и Xiaomi Mi Robot, не заряжается",
        "Настроить PlayStation 5 и MacBook, пишите в любое время",
    ],
)
def test_ordinary_texts_of_the_fifth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


# The sixth corpus's classes -------------------------------------------------------------

PLATFORMS = [
    "Мой ЖЖ:",
    "Бортжурнал на Drive2:",
    "Пишите мне на Дроме, ник",
    "Я на Фотостране —",
    "Пишите в Друг Вокруг, я там",
    "Мои демки на SoundCloud:",
    "Мои ролики на Бусти:",
    "Найдите меня в Strava:",
    "Я на ФорумХаусе под ником",
    "На 4PDA мой ник",
    "Пишите в Тиндер:",
    "I'm on Bumble:",
    "Пишите мне в Element, я там",
    "Kik:",
    "Wire:",
    "FaceTime:",
    "В тгшке",
    "Пишите в вэкашку",
    "Пиши в дс:",
    "ТТ:",
    "Мой ящик на Протоне:",
]


@EXAMPLES
@given(
    st.sampled_from(PLATFORMS),
    st.sampled_from([n.lower() for n in NAMES]),
    st.sampled_from(["remont", "msk", "dance", "makeup", "1987"]),
    st.sampled_from(["-", "."]),
)
def test_a_joined_username_on_any_platform_is_refused(
    platform: str, name: str, trade: str, joint: str
) -> None:
    text = f"Нужен мастер срочно, сегодня. {platform} {name}{joint}{trade}"
    assert kind(text) is not None, text


def test_game_tags_and_meeting_codes_are_refused() -> None:
    assert kind("Нужен мастер собрать ПК. Добавляйтесь в Battle.net: Remontnik#2817") == "handle"
    assert kind("Занятие в Google Meet, код встречи abc-mnop-xyz, в 19:00") == "handle"


@pytest.mark.parametrize(
    "text",
    [
        "My WhatsApp stopped working after the update, need help on a Samsung S21 today.",
        "Telegram keeps crashing on my phone after the update, need someone to fix it today.",
        "Need a photographer for Instagram content tomorrow, 2 hours at a cafe.",
        "Need help setting up Viber on my father's new phone, he is 80.",
        "Need a photographer for a family session: outdoor, Gorky Park, Saturday morning.",
        "Не приходят уведомления ВКонтакте на Xiaomi Redmi, нужна помощь.",
        "Оплатить и подключить Discord Nitro сыну на день рождения, помогите настроить.",
        "Нужен разработчик доделать Telegram-бота на aiogram 3, падает функция handle_start.",
        "Срочно установить инсталляцию Geberit Duofix и подвесной унитаз.",
        "Не открывается ящик на Mail.ru, нужна помощь восстановить доступ.",
        "Не запускается Battle.net на ПК, нужна помощь переустановить.",
        "Нужен оценщик автомобиля, объявление на Авто.ру уже висит неделю.",
        "Нужен Python-разработчик: в Flask приложение падает на app.run после обновления.",
        "Срочно помочь студенту: график не выводится, plt.show ничего не рисует в Jupyter.",
        "Нужен разработчик: VK API, метод photos.save возвращает ошибку 100.",
        "Water is leaking from the ceiling, please come ASAP.It is getting worse every minute.",
        "Слабый сигнал Wi-Fi на даче, нужен мастер поставить усилитель.",
        "Alexander will meet you at the gate, need a plumber today.",
    ],
)
def test_ordinary_texts_of_the_sixth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


# The seventh corpus's classes -----------------------------------------------------------


@EXAMPLES
@given(
    st.sampled_from(["krovlyaivan", "musorvyvoz", "remontivan", "fixitmike"]),
    st.sampled_from([" ru", " com", "\nru"]),
    st.booleans(),
)
def test_a_site_with_a_space_for_its_dot_is_refused(name: str, tld: str, www: bool) -> None:
    site = f"www {name}{tld}" if www else f"{name}{tld}"
    assert kind(f"Срочно отремонтировать крышу, смотрите портфолио на {site}") is not None


@pytest.mark.parametrize(
    "text",
    [
        "Вывоз мусора срочно, смотрите ремонтиван рф",
        "Срочно вывоз старой мебели, цены смотрите: вывозмебели рус",
        "Нужен ремонт холодильника, наш сайт холодмастер ком",
        "Срочно нужен кровельщик, смотрите работы:\nкровлямастер\nрф",
        "Нужен ремонт окон, сайт: окнаиван точка эр эф",
        "Вывоз мусора, адрес в интернете: ввв вывозмусора рф",
        "Нужна помощь с сайтом. Напишите мне: ivanweb, джимейл",
        "Нужен дизайнер визиток, кидайте макеты на olgadesign жмайл",
        "Need a mover this afternoon, reach me at mikemoves on gmail",
        "Urgent babysitter needed tonight, contact mikeparent, hotmail",
        "Need someone to fix my bike today, iMessage me at mikebikes icloud",
        "Нужен мастер по ремонту гитары, мой ютуб канал gitaramaster, там в комментах пишите",
        "Срочно нужен клинер, телега: иванклин",
        "Нужна помощь с садом, ищите вк: ольгасадовод",
        "Нужна помощь с компьютером, «pcdoctor» — это я в телеге",
        "Нужен сварщик. svarkapetrovich, я там в телеге сижу",
        "Нужен мастер по ремонту ноутбуков, t/g: notefixer",
        "Нужен мастер маникюра на дом 💬 nailsolga",
        "Need a tutor for chemistry tomorrow, my snap is mikechem",
        "Need a web designer asap, find me on bluesky mikedesigns",
        "Need help moving a sofa today, Threema ID: ABCD1234",
        "Нужен мастер по ремонту телевизора: восемьдевятьодиншестьодиндватричетырепятьшестьсемь",
        "Нужен электрик срочно!!! воооосемь дееевять одиииин шееесть одиииин двааа трииии "
        "четыыыре пяяять шееесть сееемь",
        "Нужна няня сегодня, номер: В О С Е М Ь  Д Е В Я Т Ь  О Д И Н  Ш Е С Т Ь  О Д И Н  Д В А  "
        "Т Р И  Ч Е Т Ы Р Е  П Я Т Ь  Ш Е С Т Ь  С Е М Ь",
    ],
    ids=lambda text: text[:40],
)
def test_the_seventh_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Встретить маму в Шереметьево ✈️ SU1234 из Сочи, прилёт в 14:35, терминал B.",
        "Нужна помощь: паспорт РФ, гражданина РФ, ТК РФ — оформить документы",
        "Репетитор рус яз, ком. помещение, кв. 15, ком. 3",
        "Перевод с en на ru, порт USB com, C# и ASP NET",
        "Починить MacBook Pro и Станцию Макс, Сбер.Онлайн не открывается",
        "Tesla Model X, parked outside, needs a tyre change today",
        "Решить систему: x_1 + x_2 = 5, нужен репетитор по алгебре",
        "Нужен оператор с камерой Insta360 X3 на свадьбу",
    ],
)
def test_ordinary_texts_of_the_seventh_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


# The eighth corpus's classes ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Нужен слесарь вскрыть дверь. Сайт вскрытие-замков рф, там номер.",
        "Нужен мастер по замкам срочно, захлопнулась дверь. Все цены на вскрытиезамков рф",
        "Нужен мастер по замкам. Сайт:\nвскрытие-замков\nрф",
        "Все цены на сайте мастер-окон онлайн, оттуда и звоните.",
        "Нужен сантехник. Прайс и номер на сайте сантехник-срочно москва",
        "Нужен сантехник в Минске срочно. Сайт сантехник-минск бел",
        "Нужен электрик срочно, искрит щиток. Сайт иванэлектрик ру, там все контакты.",
        "Нужен бухгалтер срочно. Почта: иван@бухгалтер-москва рф",
        "Нужен бухгалтер срочно. Пишите: иван@бухгалтер-москва rf",
        "Нужен курьер срочно отвезти документы в центр, оплата 1000 руб.\n— kurier.ivan.msk",
        "Нужна няня на вечер, дочке 5 лет. Я anna.mama.spb если что. Оплата 2000.",
        "Təcili santexnik lazımdır. Telefon: səkkiz doqquz bir altı bir iki üç dörd beş altı yeddi",
        "Acil tesisatçı lazım. Arayın: sekiz dokuz bir altı bir iki üç dört beş altı yedi",
        "Срочно нужен сантехник. Тел: ҳашт нӯҳ як шаш як ду се чор панҷ шаш ҳафт",
        "Hitno treba vodoinstalater. Zovite: osam devet jedan šest jedan dva tri četiri pet "
        "šest sedam",
        "Am nevoie urgent de un instalator. Sunați: opt nouă unu șase unu doi trei patru cinci "
        "șase șapte",
    ],
    ids=lambda text: text[:40],
)
def test_the_eighth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "После обновления Telegram 10.5 на iPhone 12 не приходят уведомления, 500 руб.",
        "WhatsApp 2.24 не запускается на старом Samsung J5 2016, нужен мастер.",
        "Приложение ВК 8.50 вылетает на Android 9, нужна помощь, бабушке.",
        "Настроить камеру видеонаблюдения с зумом 30x, PTZ, модель Hikvision.",
        "Нужен SMM срочно: настроить Instagram Shopping и каталог в Facebook Commerce Manager.",
        "Нужен бухгалтер: ИНН 7701234567, вычет за лечение. Срочно, оплата 3000.",
        "Нужна сиделка: пн 9-13, вт 14-18, ср 9-13, чт 14-18, пт 9-13. Оплата 400 руб/ч.",
        "Сломался котёл Baxi, серийный номер 2231104512, ошибка E10. Нужен газовщик.",
        "Нужен курьер забрать посылку из СДЭК, трек-номер 1234567890, и привезти домой.",
        "Нужен рыбак починить fishing net, порвалась, срочно",
        "Оформить документы: паспорт РФ, по всей РФ",
    ],
)
def test_ordinary_texts_of_the_eighth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


def test_a_finding_across_two_texts_is_named_where_most_of_it_stands() -> None:
    found = find_in_fields(
        {"city": "Москва", "description": "Нужен бухгалтер. Почта ivan@buhgalter-msk, пишите."}
    )
    assert found is not None
    assert (found.field, found.together_with) == ("description", "city")


# The ninth corpus's classes -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Нужен фотограф на завтра, портфолио ivanphoto tilda ws",
        "Нужен мастер маникюра, подробности на annanails taplink ws",
        "Нужен копирайтер, мой блог ivanpetrovblog wordpress com",
        "Need an urgent tutor, all my links at linktr ee/ivanpetrov",
        "Нужна уборка квартиры после ремонта. Мой тег #ivanpetrov_uborka везде одинаковый",
        "Need a cleaner today, flat 3-room. Search #anna_cleaning_msk for my contacts",
        "Нужен курьер срочно, пишите /ivan_kurier_msk",
        "Нужна няня на вечер, пишите мне: /anna_petrova_1990",
    ],
    ids=lambda text: text[:40],
)
def test_the_ninth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Ошибка 500 при POST /api/v1/orders, нужен бэкендер срочно",
        "Запросы POST /login и GET /profile отдают 404 после деплоя, срочно",
        "Нужен бэкендер, POST /orders возвращает 500",
        "Нужна замена экрана на iPhone 15 Pro / Pro Max, оригинал, сегодня до 20:00",
        "Переустановить Windows 11 Pro /Home на двух ноутбуках, срочно",
        "Нужен шиномонтаж с выездом: Kia Rio/Hyundai Solaris, R15, сегодня до 19:00",
        "Не работает Сбербанк Онлайн /переводы, нужна помощь настроить телефон",
        "Нужен продавец в магазин Pet Shop / Зоомир на выходные",
        "Срочно нужен DevOps: ветка dev /release не деплоится в GitLab CI",
        "Нужен грузчик, Москва / Подмосковье, переезд дачи 14 июля",
        "Нужен мастер по ремонту ноутбуков. Pro уровень, опыт от 3 лет, MacBook Pro 16",
        "Need help with our WordPress site, the theme broke after an update",
    ],
)
def test_ordinary_texts_of_the_ninth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


# The tenth corpus's classes -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Нужен электрик, звоните 8 900 три пятёрки, четыре нуля",
        "Нужен грузчик. Тг: иван_петров88",
        "Нужен электрик срочно. Телега: иванпетров88",
        "Нужен мастер по стиралкам. Тг: ivan_петров88",
        "Ищу визажиста на свадьбу, мои референсы в инсте: маша.нейлс_мск",
        "Нужна девушка-модель для съёмки, пишите в тикток маша_нейлс",
        "Нужен курьер, КП присылайте на ivan@remont-msk",
        "Нужен прораб, сметы на иван@ремонт-мск",
        "Ищу бригаду, наши работы на сайте ремонт-мск (рф)",
        "Ищу мастера по ресницам на дом, мои работы: taplink/masha_nails",
    ],
    ids=lambda text: text[:40],
)
def test_the_tenth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


def test_a_handle_in_cyrillic_split_from_its_messenger_is_refused() -> None:
    assert find_in_fields(
        {
            "description": "Нужен электрик на дачу, контакт в адресе",
            "address": "Телеграм иван_петров88",
        }
    )


@pytest.mark.parametrize(
    "text",
    [
        "Pick up a parcel @ Tverskaya 15 and bring it to Arbat 20, today 14:00-16:00, 800 RUB",
        "Need help carrying a sofa, meet @ 10am at the entrance, 3rd floor, 1500 RUB",
        "Настроить Telegram на MacBook и перенести папки чатов, 30 минут",
        "Сделать бота для WhatsApp через Twilio, ответы по шаблону, срок 3 дня",
        "Восстановить доступ к e-mail Gmail, забыл пароль, телефон старый потерян",
        "Починить форму на сайте, Tilda, домен в зоне .ru не продлён, нужна помощь",
        "Продлить домен в зоне .рф и перенести сайт на новый хостинг, до завтра",
        "Купить домен в зоне .com и подключить к Tilda, настроить SSL, сегодня",
    ],
)
def test_ordinary_texts_of_the_tenth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


@pytest.mark.parametrize(
    "text",
    [
        "Нужен сборщик мебели. Инструкция на сайте IVANREMONT .RU",
        "Нужен мастер. Сайт IVANREMONT. RU",
        "Нужен прораб на объект. Проект на ремонтиван .рф",
        "Нужен садовник. Сайт САДИВАН. РФ",
        "Нужен кровельщик. Смета на кровля-иван .рус",
    ],
    ids=lambda text: text[:40],
)
def test_the_eleventh_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Заменить масляный фильтр BMW, оригинал 11427953129, масло 5W-30, 6,5 л.",
        "Обновить .NET Framework 4.8 на ноутбуке",
        "Продлить домен в зоне .рф, до завтра",
    ],
)
def test_ordinary_texts_of_the_eleventh_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


@pytest.mark.parametrize(
    "text",
    [
        # a free number's letters dialled on a keypad
        "Звоните 8-800-REMONT1 (буквы как на кнопках телефона). Нужен мастер",
        "Бесплатный номер: 8 800 CALL-FIX. Нужен электрик",
        # remarks in brackets and a dictation's dots between a number's groups
        "Тел 8 (не путать с ценой) 903 (это не этаж) 444 (не квартира) 55 66. Нужен сантехник",
        "WhatsApp: восьмерка… 926… пауза… 555… 11… 22. Ремонт холодильника",
        # a number cut in two with the counts of its digits, or its end told first
        "Нужен электрик. Первые шесть цифр номера 892612, последние пять 34567",
        "Первые 4 цифры 8926, последние 7 цифр 1234567",
        "Номер кончается на 45-67, а начинается на 8916123. Ремонт крыши гаража",
        # an operator's code after a call or a phone's name, the rest told in words
        "Номер: 8 916, а дальше цифры от 1 до 7 по порядку. Нужен мастер по окнам",
        "Телефон: 8 903, затем год начала Великой Отечественной и три нуля. Нужен водитель",
        "Звоните: 8 916, потом год основания Москвы, потом три пятёрки. Ремонт сантехники",
        "Вотсап: +7 900 и дальше семь раз цифра семь. Нужен курьер",
        "Телефон: 8-926 и далее цифры с 9 по 3 по убыванию. Нужен электрик",
        # the first digits of each line put together
        "8 часов работы\n9 этаж\n1 комната\n6 розеток\n1 люстра\n2 выключателя\n3 бра\n"
        "4 светильника\n5 метров кабеля\n6 рамок\n7 коробок\n"
        "Первые цифры каждой строки — мой номер.",
        # a handle put together by instructions after a messenger's name
        "Телега: моё имя (ivan) + подчёркивание + профессия (plotnik) + 77",
        "Инста: первая часть — beauty, вторая — lena, между ними точка. Нужен визажист",
        "Ник в телеграме: слово remont, потом нижнее подчёркивание, потом him",
        "Телеграм: те же буквы, что в слове «master», и цифры 2024, всё слитно",
        # a messenger named through its owner, the generic word between
        "Не сливает воду. Я у Дурова в мессенджере как masterstiralok",
    ],
    ids=lambda text: text[:40],
)
def test_the_twelfth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "ДТП, нужен помощник оформить европротокол. Полис ОСАГО ХХХ 0123456789, срочно.",
        "Замена стекла на BMW X5, 8 900 ABS-UNIT не трогать",
        "Ремонт телефона 8 900 руб, замена экрана",
        "Телефон 8 950 р, нужен новый аккумулятор",
        "Нужен бот для телеграм на python + django, работаем вместе",
        "Настроить WhatsApp Business и CRM вместе с amocrm, бюджет 5000",
        "WhatsApp + CRM + 2000 клиентов, нужна интеграция",
        "Заказ 45 67 шт, позиция 8916123 на складе",
        "Код 4 цифры 8926, и ещё 7 цифр 1234567 серийный",
        "Звоните с 8 до 9 в домофон, третий подъезд",
    ],
)
def test_ordinary_texts_of_the_twelfth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


keypad_word = st.builds(
    lambda letters, tail: letters + tail,
    st.text(string.ascii_uppercase, min_size=3, max_size=7),
    st.text(string.ascii_uppercase + string.digits, min_size=7, max_size=7),
).map(lambda word: word[:7])


@EXAMPLES
@given(st.sampled_from(LEADS), keypad_word, st.sampled_from(["8-800-", "8 800 ", "+7 (800) "]))
def test_a_free_number_in_keypad_letters_is_refused(lead: str, word: str, code: str) -> None:
    text = f"{lead}Звоните {code}{word}"
    assert kind(text) == "phone", text


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    st.sampled_from(["Телефон: ", "Тел.: ", "Номер: ", "Звоните ", "Позвоните: ", "Вотсап: "]),
    st.sampled_from(["8 ", "8-", "+7 ", "+7 (", "8("]),
    st.integers(900, 999),
    st.sampled_from(
        [
            ", а дальше цифры по порядку",
            " и дальше семь раз семь",
            ", затем год основания Москвы",
            ", остальное в личке",
            " и номер квартиры",
        ]
    ),
)
def test_an_operators_code_told_after_a_phone_cue_is_refused(
    lead: str, cue: str, prefix: str, code: int, rest: str
) -> None:
    close = ")" if prefix.endswith("(") else ""
    text = f"{lead}{cue}{prefix}{code}{close}{rest}"
    assert kind(text) is not None, text  # a phone (or, after a messenger, a handle)


@EXAMPLES
@given(
    st.sampled_from(["Ремонт телефона", "Телефон Samsung", "Замена экрана телефона", "Номер"]),
    st.integers(900, 999),
    st.sampled_from([" руб", " ₽", " р.", " тыс", "%"]),
)
def test_a_price_after_a_phones_name_passes(lead: str, code: int, unit: str) -> None:
    text = f"{lead} 8 {code}{unit}, срочно"
    assert kind(text) is None, text


@pytest.mark.parametrize(
    "text",
    [
        # slang for round numbers and digits' names cut short, in a dictated run
        "Потекла батарея. Тел: восемь, девятьсот шестнадцать, сотка, полтос, червонец.",
        "Поменять смеситель. Номер: 8 9 (сотка) 6 (полтос) 23 4 — всё подряд.",
        "Повесить люстру. Тел: вос. дев. од. шес. дв. тр. чет. пят. шес. сем. вос.",
        # clock faces for digits
        "Нужен электрик, выбивает автомат. 🕗🕘🕐🕕 🕑🕒🕓 🕔🕕 🕖🕗",
        # national numbers of CIS countries as written there
        "Konditsioner ustasi kerak bugun. Tel: 90 123 45 67",
        "Нужен мастер по окнам. Номер 0555 123 456",
        "Нужна сиделка на ночь. Звоните: 093 123 4567",
        "Нужен грузчик, 3 часа. Тел 050 312 45 67",
    ],
    ids=lambda text: text[:40],
)
def test_the_thirteenth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Заплачу сотку, полтос на проезд, червонец чаевые",
        "Ремонт пят. этажа, тр. подъезд",
        "Приходите к 🕗 утра, до 🕛 управимся",
        "Отчёт 01.02.2025 09:00 123 45",
        "Бюджет 90 000 руб, 45 67 мест",
    ],
)
def test_ordinary_texts_of_the_thirteenth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    st.sampled_from(["050", "055", "093", "067", "0555", "0700"]),
    st.integers(0, 999_999),
    st.sampled_from([" ", "-", " - ", "."]),
)
def test_a_national_number_with_its_trunk_zero_is_refused(
    lead: str, code: str, rest: int, separator: str
) -> None:
    tail = f"{rest:06d}" if len(code) == 4 else f"{rest:07d}"
    groups = [tail[:3], tail[3:]] if len(code) == 4 else [tail[:3], tail[3:5], tail[5:]]
    text = f"{lead}Тел {code}{separator}{separator.join(groups)}"
    assert kind(text) == "phone", text


@pytest.mark.parametrize(
    "text",
    [
        # one sentence per group, each begun by «далее»
        "Нужен электрик. Звоните: восемь. Далее код оператора МТС — девятьсот шестнадцать. "
        "Далее 123. Далее 45. Далее 67.",
        # a city's code and its seven digits apart
        "Ремонт двери в подъезде. Офис: 495, дальше семь цифр: 2-3-3-4-5-6-7.",
        # text turned upside down
        "Инста: ʇuoɯǝɹ‾uɐʌı (переверните экран)",
        "Переезд, нужна газель. Переверните телефон: ㄥ9-ϛߤ-Ɛᘔ⇂-9⇂6-8",
    ],
    ids=lambda text: text[:40],
)
def test_the_fourteenth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Этапы: 1. Далее 2. Далее 3. Далее 4",
        "Нужно 450, и 7 цифр пароля не помню",
        "Дом 345, кв 12, домофон 1-2-3",
        "Ремонт 3 комнат по 450, дата 12-03-2025",
        "Температура 25°C, ɐ это просто опечатка",
    ],
)
def test_ordinary_texts_of_the_fourteenth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


_UPRIGHT = "abcdefghijklmnopqrstuvwxyz0123456789_"
_TURNED_DOWN = "ɐqɔpǝɟƃɥᴉɾʞlɯuodbɹsʇnʌʍxʎz0⇂ᄅƐㄣϛ9ㄥ86‾"


# Turned text is told by the characters only it uses: a handle with two letters that have one.
_TELLING = frozenset("acefghijkmrtvwy_")


@EXAMPLES
@given(
    st.sampled_from(LEADS),
    snake.filter(lambda handle: sum(char in _TELLING for char in handle) >= 2),
    st.sampled_from(["Телега: ", "Инста: ", "тг "]),
)
def test_a_handle_turned_upside_down_is_refused(lead: str, handle: str, messenger: str) -> None:
    turned = handle.translate(str.maketrans(_UPRIGHT, _TURNED_DOWN))[::-1]
    text = f"{lead}{messenger}{turned}"
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        # English «oh» for zero in a dictated run
        "Need a plumber. eight nine oh three two one four double six oh nine",
        # a number's start and its end told apart, however far
        "Нужен ремонт крыши гаража, площадь примерно 24 квадрата, материал есть. Начало номера "
        "8-926-555. Работы на 1 день, оплата сразу по окончании, наличными или переводом. "
        "Конец номера 71-03.",
        # VK's slang name
        "Нужна уборка. вэка ivan.petrov1988",
        # an @ glued to a Cyrillic word with a username's marks
        "Нужен электрик. Пишите @ремонт_иван",
        "Нужен электрик. тг @ремонт_иван77",
        "Нужен электрик. @ІванРемонт",
    ],
    ids=lambda text: text[:40],
)
def test_the_fifteenth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Oh no, the pipe burst! Need help, 3 floors",
        "Договор 8926555 от марта, в конце 7103 руб",
        "привет @сестра и @АВТОСЕРВИС",
    ],
)
def test_ordinary_texts_of_the_fifteenth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


def test_a_dog_in_the_description_and_the_city_are_no_email() -> None:
    description = (
        "Выгулять собаку (лабрадор, 5 лет) сегодня в 13:00 и в 19:00, по 40 минут. Собака добрая."
    )
    assert find_in_fields({"city": "Москва", "description": description}) is None
    # a real @ before the city read as its domain is still an address
    found = find_in_fields(
        {"description": "Бухгалтер, пишите ivan@buhgalter-msk", "city": "Москва"}
    )
    assert found is not None
    assert found.kind == "email"


@pytest.mark.parametrize(
    "text",
    [
        # English digits written as they sound, homophones
        "Need electrishan, call eigt nien zerro fiev tow tree fuor sevn siks ate nine",
        "plz call ate nine won six to three for five six seven ate",
        # a remark in brackets, then a filler word, between a number's groups
        "Восьмёрка 926 (это код) потом 350 потом 11 потом 47 — звоните",
        "8 926 (это код) потом 350 потом 11 потом 47",
    ],
    ids=lambda text: text[:40],
)
def test_the_sixteenth_corpus_is_refused(text: str) -> None:
    assert find_contact(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Нужно поднять Docker с PostgreSQL 15 и nginx на VPS, порт 8080, SSL через certbot.",
        "Собрать кухню IKEA METOD, 14 модулей, артикулы 893.619.80, 302.056.31.",
        "Собрать шкаф IKEA PAX, артикулы 404.231.41, 302.056.31, 203.014.80.",
        "I need to go for a walk at nine for two hours, from 5 to 7, for 3 dogs",
    ],
)
def test_ordinary_texts_of_the_sixteenth_corpus_pass(text: str) -> None:
    assert kind(text) is None, text


@EXAMPLES
@given(
    st.lists(
        st.tuples(st.integers(100, 999), st.integers(0, 999), st.integers(0, 99)),
        min_size=2,
        max_size=5,
    ),
    st.sampled_from([", ", "; ", ","]),
)
def test_a_list_of_catalogue_articles_passes(
    articles: list[tuple[int, int, int]], sep: str
) -> None:
    listed = sep.join(f"{a}.{b:03d}.{c:02d}" for a, b, c in articles)
    text = f"Собрать мебель IKEA, артикулы {listed}. Инструмент есть."
    assert kind(text) is None, text
