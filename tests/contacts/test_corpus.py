import socket
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srochno.contacts import KINDS, contains_contact
from srochno.contacts import find_contact as find
from srochno.contacts.detect import top_level_domains
from srochno.contacts.normalize import normalise, phone_copy

LABELS = set(KINDS)


def find_contact(text: str) -> str | None:
    """The kind of the first contact in ``text``, or ``None``."""
    found = find(text)
    return None if found is None else found.kind


# Texts that must be refused, by the trick they use, with the kind reported.
REFUSED: dict[str, list[tuple[str, str]]] = {
    "plain": [
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
        ("8 999 123-4567", "phone"),
        ("звоните 8 999 123 45 67 2 раза", "phone"),
        ("до 15000 89991234567", "phone"),
        ("+7(999)1234567", "phone"),
        ("8 (8152) 12-34-56", "phone"),
        ("9991234567", "phone"),
        ("8.999.123.45.67", "phone"),
        ("8 - 999 - 123 - 45 - 67", "phone"),
        ("8    999   123 45 67", "phone"),
        ("+380 67 123 45 67", "phone"),
        ("375291234567", "phone"),
        ("пишите @ivan_petrov", "handle"),
        ("@Master_2024 ответит", "handle"),
        ("ＴＧ： ＠ivan_petrov", "handle"),
        ("@ ivan_petrov", "handle"),
        ("@ivan.petrov в инсте", "handle"),
    ],
    "invisible characters": [
        ("8\u200b999\u200b123\u200b45\u200b67", "phone"),
        ("8\u200e999\u200f123\u200e45\u200f67", "phone"),
        ("8\u2060999\u2060123\u206045\u206067", "phone"),
        ("\u202e8 999 123 45 67\u202c", "phone"),
        ("8\u2066999\u2069 123\u061c45 67", "phone"),
        ("8\U000e0031999\U000e0032123 45 67", "phone"),
        ("8\u3164999\u3164123\u316445\u316467", "phone"),
        ("8\u115f999\u1160123 45 67", "phone"),
        ("8\uffa0999 123 45 67", "phone"),
        ("8\ufe0f999\ufe0e123 45 67", "phone"),
        ("8\u034f9\u034f9\u034f9 123 45 67", "phone"),
        ("8\u00ad999\u00ad123\u00ad45\u00ad67", "phone"),
        ("8\u180e999\u2800123 45 67", "phone"),
        ("8̲9̲9̲9̲ 1̶2̶3̶ 45 67", "phone"),
        ("@ivan\u200b_petrov", "handle"),
        ("t\u200b.\u200bme/ivan", "link"),
        ("vk\u2060.\u200dcom/id1", "link"),
        ("ivan\U000e0040@mail.ru", "email"),
    ],
    "separators": [
        ("8_999_123_45_67", "phone"),
        ("8*999*123*45*67", "phone"),
        ("8|999|123|45|67", "phone"),
        ("8,999,123,45,67", "phone"),
        ("8/999/123/45/67", "phone"),
        ("8;999;123;45;67", "phone"),
        ("8:999:123:45:67", "phone"),
        ("8\n999\n123\n45\n67", "phone"),
        ("звоните 8 999\n123 45 67", "phone"),
        ("8 🔥 999 🔥 123 🔥 45 🔥 67", "phone"),
        ("89.99.12.34.567", "phone"),
        ("8.9991.2345.67", "phone"),
        ("8-9-9-9-1-2-3-4-5-6-7", "phone"),
        ("8 --- 999 *** 123 /// 45 67", "phone"),
        ("89 991 234 567", "phone"),
        ("8 999 123 456 78", "phone"),
        ("899 912 345.67", "phone"),
        ("бюджет 5 000 999 123 45 67", "phone"),
        ("89991-234567", "phone"),
        ("8 999 1 23.12.05", "phone"),
        ("+7 999 123 456 7", "phone"),
    ],
    "look-alikes": [
        ("8 9OO 123 45 67", "phone"),
        ("8 999 l23 45 67", "phone"),
        ("8 999 I23 45 67", "phone"),
        ("8 999 12З 4О 67", "phone"),
        ("8 999 123 ОО 67", "phone"),
        ("8 999 123 45 6З", "phone"),
        ("vk.соm/ivan", "link"),
        ("vk.c0m/ivan", "link"),
        ("вк.сом/ivan", "link"),
        ("@іvаn_реtrоv", "handle"),
        ("іvаn@mаil.ru", "email"),
        ("т.ме/ivan", "link"),
        ("ТГ: іvаn_реtrоv", "handle"),
    ],
    "unicode digits": [
        ("８９９９１２３４５６７", "phone"),
        ("٨٩٩٩١٢٣٤٥٦٧", "phone"),
        ("8\u00a0999\u00a0123\u201345\u201367", "phone"),
        ("+7 999 123\u201445\u201467", "phone"),
        ("𝟖𝟗𝟗𝟗𝟏𝟐𝟑𝟒𝟓𝟔𝟕", "phone"),
        ("८९९९१२३४५६७", "phone"),
        ("๘๙๙๙๑๒๓๔๕๖๗", "phone"),
        ("➑➒➒➒➊➋➌➍➎➏➐", "phone"),
        ("⑧⑨⑨⑨①②③④⑤⑥⑦", "phone"),
        ("8️⃣9️⃣9️⃣9️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣", "phone"),
    ],
    "number words": [
        ("восемь девять девять девять один два три четыре пять шесть семь", "phone"),
        ("восемь девятьсот девяносто девять сто двадцать три сорок пять шестьдесят семь", "phone"),
        ("Восемь, девять, девять, девять, один, два, три, 45, 67", "phone"),
        ("8 девятьсот 123 45 67", "phone"),
        ("сто двадцать три сорок пять шестьдесят семь", "phone"),
        ("eight nine nine nine one two three four five six seven", "phone"),
        ("eight nine hundred ninety nine one hundred twenty three forty five sixty seven", "phone"),
        ("звони: вoсемь дeвять двaдцать три ноль ноль ноль семь", "phone"),
        ("one two three four five six seven", "phone"),
    ],
    "domains": [
        ("http://example.org/page", "link"),
        ("https://master.ru", "link"),
        ("www.master-remont", "link"),
        ("example.com", "link"),
        ("мой профиль vk.com/id123", "link"),
        ("подробности на site.ru.", "link"),
        ("сайт.рф", "link"),
        ("wa.me/79991234567", "link"),
        ("instagram.com/master", "link"),
        ("Отзывы на Avito.ru", "link"),
        ("bit.ly/abc", "link"),
        ("ｖｋ．ｃｏｍ/id1", "link"),
        ("vk\u3002com/id1", "link"),
        ("(см. profi.ru)", "link"),
        ("пишите на master.shop", "link"),
        ("сайт remont.online", "link"),
        ("заходите на ремонт.москва", "link"),
        ("мастер.онлайн", "link"),
        ("магазин.рус", "link"),
        ("маил.ру", "link"),
        ("site.xyz", "link"),
        ("example.co.uk", "link"),
        ("xn--80ak6aa92e.xn--p1ai", "link"),
        ("ivan.me", "link"),
        ("портфолио на ivan.ai", "link"),
        ("vk . com/ivan", "link"),
        ("vk. com/ivan", "link"),
        ("vk dot com/ivan", "link"),
        ("vk точка com", "link"),
        ("vk(.)com/ivan", "link"),
        ("vk·com/ivan", "link"),
        ("hxxp: no, https : // master.pro", "link"),
    ],
    "t.me variants": [
        ("t.me/ivan_petrov", "link"),
        ("https://t.me/ivan_petrov", "link"),
        ("T.ME/ivan", "link"),
        ("пишите в t . me/ivan", "link"),
        ("telegram.me/ivan", "link"),
        ("telegram.dog/ivan", "link"),
        ("tg://resolve?domain=ivan", "link"),
        ("т.me/ivan", "link"),
        ("t·me/ivan", "link"),
        ("t  .  me / ivan", "link"),
        ("t me/ivan", "link"),
        ("t dot me/ivan", "link"),
        ("t точка me/ivan", "link"),
    ],
    "messenger prefixes": [
        ("telegram: ivan_petrov", "handle"),
        ("tg: ivan_petrov", "handle"),
        ("тг: ivanpetrov", "handle"),
        ("тг ivan_petrov", "handle"),
        ("telegram ivanpetrov", "handle"),
        ("телеграм - master_nails", "handle"),
        ("vk id ivan", "handle"),
        ("vk id123456", "handle"),
        ("вк: vasya", "handle"),
        ("vk: vasya_p", "handle"),
        ("whatsapp: ivan", "handle"),
        ("вотсап: ivan89", "handle"),
        ("viber ivan89", "handle"),
        ("skype: ivan.petrov", "handle"),
        ("инста: master_nails", "handle"),
        ("инстаграм master_nails", "handle"),
        ("discord: ivan#1234", "handle"),
        ("tg: @ivan", "handle"),
    ],
    "separators that carry a meaning elsewhere": [
        ("8x999x123x45x67", "phone"),
        ("8х999х123х45х67", "phone"),
        ("8×999×123×45×67", "phone"),
        ("8=999=123=45=67", "phone"),
        ("8%999%123%45%67", "phone"),
        ("8№999№123№45№67", "phone"),
        ("8°999°123°45°67", "phone"),
        ("8 ₽ 999 ₽ 123 ₽ 45 ₽ 67", "phone"),
        ("8 и 999 и 123 и 45 и 67", "phone"),
        ("8 and 999 and 123 and 45 and 67", "phone"),
        ("8 плюс 999 плюс 1234567", "phone"),
        ("8 руб 999 руб 123 руб 45 руб 67", "phone"),
        ("8a999b123c45d67", "phone"),
    ],
    "digit forms": [
        (
            "восьмерка девятка девятка девятка единица двойка тройка четверка пятерка "
            "шестерка семерка",
            "phone",
        ),
        ("восем девят девят девят адин два три читыре пят шест сем", "phone"),
        ("vosem devyat devyat devyat odin dva tri chetyre pyat shest sem", "phone"),
        ("eight niner niner niner wun two tree fower fife six seven", "phone"),
        ("Ⅷ Ⅸ Ⅸ Ⅸ Ⅰ Ⅱ Ⅲ Ⅳ Ⅴ Ⅵ Ⅶ", "phone"),
        ("VIII IX IX IX I II III IV V VI VII", "phone"),
        ("ВОСЕМЬ ДЕВЯТЬ ДЕВЯТЬ ДЕВЯТЬ 123 45 67", "phone"),
        ("восьмёрочка девяточка 999 123 45 67", "phone"),
        ("8 999 123 4О 6З", "phone"),
    ],
    "a number cut in two": [
        ("первые цифры 8999, последние 1234567", "phone"),
        ("+7 999, а дальше 123 45 67", "phone"),
        ("начало 8999123, конец 4567", "phone"),
    ],
    "handles in any order and form": [
        ("ivan_petrov в телеге", "handle"),
        ("ivan_petrov (telegram)", "handle"),
        ("тележка → ivanpetrov", "handle"),
        ("инсту: master.nails", "handle"),
        ("в контакте: ivan_petrov", "handle"),
        ("max: ivan_petrov", "handle"),
        ("макс: ivan_petrov", "handle"),
        ("телега 👉 ivan_petrov", "handle"),
        ("телеграм\nivan_petrov", "handle"),
        ("тг «ivan_petrov»", "handle"),
        ("вотсап [ivan_89]", "handle"),
        ("@ｉｖａｎ_ｐｅｔｒｏｖ", "handle"),
        ("@ⓘⓥⓐⓝⓟⓔⓣⓡⓞⓥ", "handle"),
        ("@ɪᴠᴀɴ_ᴘᴇᴛʀᴏᴠ", "handle"),
        ("@ i v a n p e t r o v", "handle"),
    ],
    "links and e-mails however the dot is written": [
        ("master,ru/works", "link"),
        ("master٫ru", "link"),
        ("master⸼ru", "link"),
        ("masterᐧru", "link"),
        ("vk com/ivan", "link"),
        ("vk.c o m/ivan", "link"),
        ("http:/master.ru", "link"),
        ("/master.ru", "link"),
        ("-master.ru", "link"),
        ("'master.ru", "link"),
        ("hxxps://master[.]ru", "link"),
        ("мастер. рф", "link"),
        ("master\nru/works", "link"),
        ("ivan@mailru", "email"),
        ("ivan🐶mail.ru", "email"),
        ("ivan ＠ gmail.com", "email"),
        ("гмайл ком", "link"),
        ("ivan_petrov собака гмайл ком", "email"),
    ],
    "emails": [
        ("ivan.petrov@mail.ru", "email"),
        ("почта: master-2024@yandex.ru", "email"),
        ("иван@почта.рф", "email"),
        ("ivan at mail dot ru", "email"),
        ("ivan собака mail точка ru", "email"),
        ("ivan @ mail.ru", "email"),
        ("ivan(at)mail(dot)ru", "email"),
        ("ivan [at] gmail [dot] com", "email"),
        ("ivan собака gmail", "email"),
        ("ivan@gmail", "email"),
        ("ivan at gmail dot com", "email"),
        ("ivan SOBAKA yandex TOCHKA ru", "email"),
        ("ivan@mail . ru", "email"),
    ],
    "numbers in other languages, ordinals, by ear": [
        ("Дзваніце: восем дзевяць адзін тры чатыры пяць шэсць сем восем дзевяць нуль", "phone"),
        ("Rufen Sie an: acht neun null zwei drei vier fünf sechs sieben acht neun", "phone"),
        ("llame: siete nueve uno dos tres cuatro cinco seis siete ocho nueve", "phone"),
        (
            "номер: сьомий? ні: вісім, дев'ять, нуль, два, три, чотири, п'ять, шість, сім, "
            "вісім, дев'ять",
            "phone",
        ),
        ("восьмая девятая третья первая вторая пятая шестая седьмая восьмая нулевая", "phone"),
        ("васим дивять адын чатыри пядь шэздь сэм васим дивять ноль адын", "phone"),
        ("тел: эйт найн сри фор файв сикс сэвэн эйт найн зиро уан", "phone"),
        ("七九〇二三四五六七八九", "phone"),
    ],
    "numbers cut, multiplied, repeated": [
        ("де-вять во-семь-сот пя-ть ше-сть се-мь во-семь де-вять", "phone"),
        ("вос емь дев ять два три чет ыре пя ть ше сть се мь", "phone"),
        ("79 млрд 250 млн 311 тыс 208", "phone"),
        ("восемьдесят девять миллиардов двести миллионов триста тысяч сорок один", "phone"),
        ("eight nine double four, triple two, one two three four", "phone"),
        ("восемь девять, три пятёрки, две семёрки, ноль один два", "phone"),
    ],
    "roman numerals and letters for digits": [
        ("тел 8 CMLXXXV CCCXII XLIV LXXVIII", "phone"),
        ("VIII - CMXCIX - DCLXVI - LV - XXXIII", "phone"),
        ("8 9бЧ 2З7 S6 ТЧ", "phone"),
        ("звони 8-9Gs-1z3-4S-6T", "phone"),
    ],
    "messengers named any way, marked handles": [
        ("пишите в тележку, там я — kolya_remont_24", "handle"),
        ("ТэГэшка: santeh_pro_msk", "handle"),
        ("✈ → olga_cleaning_spb", "handle"),
        ("аккаунт у Дурова в приложении: masters_spb_24", "handle"),
        ("ищите в аське, номер 45-678-912", "handle"),
        ("jabber — petr_fix (сервер свой)", "handle"),
        ("в инсте по тегу #remont_kuhni_vlg", "handle"),
        ("Телега: пётр_мастер_24 (латиницей)", "handle"),
        ("почта на яндексе, логин remont.petrov.77", "handle"),
        ("мой gmail: kolya.remont.spb", "handle"),
    ],
    "ip addresses, spoken slashes and domains": [
        ("форма: 91 . 203 . 45 . 17", "link"),
        ("панель на 46.17.102.9:8443", "link"),
        ("bitly com слэш remont24", "link"),
        ("сайт masterok ру, там прайс", "link"),
    ],
}

# Texts that must pass, by what they are.
PASSED: dict[str, list[str]] = {
    "prices": [
        "5000-7000 руб",
        "1 500 ₽",
        "2.500-3.000",
        "от 1500 до 3000",
        "2 крана, 3 этаж, до 1500 ₽",
        "бюджет 15000-20000 руб",
        "бюджет 15 000 – 20 000 руб",
        "оплата 30 000 - 40 000 руб",
        "зарплата 85 000 - 120 000 ₽",
        "80000-100000 в месяц",
        "от 1 500 000 - 2 000 000 ₽",
        "3 000 000 - 4 000 000 2 раза",
        "1.500.000 руб",
        "зарплата 3\u00a0500 ₽",
        "1 500 - 2 000 ₽ за смену",
        "бюджет 35000-45000 руб",
        "бюджет 40 000 - 50 000 ₽",
        "80 000-90 000 ₽",
        "375000-400000",
        "1 375 000 - 1 400 000 ₽",
        "оплата 40000/50000 за месяц",
        "зарплата 45 000 - 55 000 + премии",
        "3 шт по 1 200 ₽, итого 3 600 ₽",
        "смена 8 ч., 250 ₽/час",
        "Работа 2/2 по 12 ч, 2 500 ₽ смена",
        "Нужно 3-4 человека, 5-6 часов, 2000-2500 руб/час",
    ],
    "times and dates": [
        "15:30",
        "01.12.2026",
        "с 9 до 12",
        "завтра в 10",
        "с 10:00 до 18:00",
        "с 9.00 до 21.00",
        "график 5/2, 9.00-18.00",
        "12.05.2025",
        "с 12.05.2025 по 15.05.2025",
        "12.05.2025-15.05.2025",
        "до 31.05.2025 15.00",
        "2025-05-12 10.30",
        "с 12.05 по 15.05, 12.05-15.05",
        "10.00-19.00, обед 13.00-14.00",
        "31.05.2025-15.06.2025",
        "смены 31.05, 01.06, 02.06",
        "смены 31.05.25, 15.06.25",
        "10:30-18:30, 19:00-21:00",
        "10.30-18.30, 19.00-21.00",
        "пн-пт 9:00-18:00, сб 10:00-16:00",
        "Дата: 12/05/2025, время 14:30",
        "сезон 2024-2025",
        "2024 год",
    ],
    "addresses": [
        "ул. Ленина 12, кв. 45",
        "дом 5к2",
        "подъезд 3, этаж 7",
        "ул. Ленина 15, кв 204",
        "д.15 кв.204, подъезд 3, код 1234",
        "этаж 3/9, лифт есть",
        "индекс 119034, Москва",
        "№ 15/2, корп. 3, стр. 1",
        "Москва, ул. Тверская 7, офис 305",
        "пр-т Мира 101/3, кв 88, 12 этаж",
        "ул.Ленина, г.Москва",
        "ул.Ленина, г.Москва, пр.Мира",
        "в г.Москва на ул.Тверская",
        "кв. 45, 47, 49, 51, 53",
        "дом 12б, кв 204, этаж 9",
    ],
    "sizes": [
        "200x60x236",
        "3х4 м",
        "дверь 80x200 см",
        "шкаф 200х60х45",
        "шкаф 200*60*45",
        "размер 200 x 60 x 45 см",
        "площадь 45.5 м2",
        "площадь 45,5 м²",
        "2 комнаты по 18 и 12 кв.м.",
        "размер 42-44, рост 170-176",
        "размеры 42, 44, 46, 48, 50",
        "Натяжной потолок 3.2х4.5 м, 14.4 м², 2 светильника",
        "1/2, 3/4, 5/8 дюйма",
    ],
    "model numbers": [
        "UE55AU7100",
        "WAN24260",
        "0xc000000e",
        "Samsung UE55AU7100U, Bosch WAN24260OE",
        "ошибка 0xc000000e, Windows 10",
        "i7-10700K, 16 GB, RTX 3060",
        "Ремонт стиральной машины Samsung WW60J4210HW, ошибка 4E",
        "Замена смесителя Grohe 32663001",
        "ИНН 7701234567",
        "ИНН 7701234567, ОГРН 1027700132195",
        "заказ 12345678",
        "IP 192.168.1.1",
        "версия v.2, шаг 10.5",
        "В 2024-2025 работал с 1С 8.3, Python 3.11 и PostgreSQL 16",
    ],
    "intercom codes": [
        "45В",
        "домофон 45#1234",
        "код домофона 45В1234",
        "домофон 45#1234, кв 45",
        "код 1234#, 5 этаж",
    ],
    "quantities and sentences": [
        "нужно 2 человека на 3 часа",
        "собрать 2 шкафа и 1 кровать за 3 часа",
        "температура -5, влажность 80%",
        "доставка 1-2 дня, 3 км",
        "1) помыть окна 2) вынести мусор 3) 4 часа",
        "вес 150 кг, 3 этаж без лифта, 2 коробки",
        "Need 2 movers for 3 hours, budget 5000",
        "один-два дня, три-четыре человека, пять-шесть часов",
        "двадцать два человека на сто двадцать минут",
        "1/2 ставки",
        "этажи 3, 5, 7, 9",
        "квартиры 45 46 47 48 49 50",
        "Сроки: 3 дня. Гарантия 12 мес. Опыт 15 лет.",
        "моя собака потерялась, торговая точка на рынке",
        "at 10:00 near the station",
    ],
    "abbreviations, files and names": [
        "т.е. нужно срочно",
        "и т.д. и т.п.",
        "т.е., и т.д., т.к., т.п.",
        "e.g. i.e. a.m. p.m.",
        "опыт с ASP.NET и Node.js",
        "Node.js, Vue.js, ASP.NET, Socket.IO",
        "файл main.py не запускается",
        "скрипт deploy.sh и README.md",
        "заказ на Яндекс.Маркет",
        "нужна помощь @home",
        "e-mail и Wi-Fi настроить",
    ],
    "messengers without a handle": [
        "нужен telegram bot для записи",
        "сделать телеграм бота",
        "настроить whatsapp business",
        "реклама в инстаграм и вк",
        "Настроить Telegram Ads и VK Cloud",
        "telegram-бот на Python",
        "бот в telegram: приём заявок",
        "пишите в телеграм или вотсап",
        "Whatsapp: пишите",
    ],
    "from the issue": [
        "1500-2000 руб, от 3000 ₽",
        "с 14:00 до 18:00, 12.12.2026",
        "ул. Ленина 12 к3 кв 45",
        "размер 2x3 м, рамка 50×60 см",
        "Авто А123ВС 777, VIN XTA21099043576123",
        "ошибка E4, потом F05",
        "домофон 45В, код 1234",
        "работа 3 часа, 2 человека, 4 коробки по 20 кг",
        "договор № 1234567890, счёт 40817810099910004312",
        "IMEI 356938035643809",
        "Samsung WW60J4210HW, Bosch WAN24260OE, артикул 0986494524",
        "Python telegram bot на aiogram",
        "бюджет 15600-30000 ₽. 10×100 см.",
    ],
    "job descriptions": [
        "Срочно нужен сантехник! Течёт кран на кухне, ул. Ленина 12, кв. 45, подъезд 3, "
        "этаж 7, домофон 45В. Бюджет 1 500 - 2 000 ₽, сегодня с 18:00 до 21:00.",
        "Переезд 01.12.2026: 2 грузчика на 3 часа, шкаф 200x60x236, диван 3х1 м. "
        "Оплата 5000-7000 руб.",
        "Починить ноутбук Lenovo IdeaPad 5 14ALC05, не включается после обновления "
        "Windows 11 (0xc000000e).",
        "Уборка квартиры 54 м², 2 комнаты, окна 4 шт., 10.12.2025 с 9 до 12.",
        "Ставка 2 000 ₽/смена (8 ч), 5/2, с 8:00 до 17:00, обед 12:00-13:00.",
        "Выгулять собаку породы хаски, 2 раза в день 7:00 и 19:00, с 15.05 по 25.05.",
        "Need a plumber today 15:30-17:00, flat 45, 3rd floor, budget 2000-2500 rub.",
        "Перевезти пианино, 250 кг, с 3 на 5 этаж, лифт грузовой, 8-10 тыс.",
    ],
    "next to the classes read since the first independent corpus": [
        "Роутер 192.168.0.1, камера 10.0.0.15, маска 255.255.255.0",
        "Обновить 1С до 3.0.150.28, ошибка в libcrypto.so.3",
        "Открыть файл banner.ai и поправить CHANGELOG.md",
        "Забрать заказ 612345, код 4421, 3 коробки",
        "Второй подъезд, третий этаж, первая дверь направо",
        "Людовик XIV, Пётр I, глава IV, XXI век, размеры M L XL",
        "дом 7б, корпус 2а, кв. 15в",
        "бюджет 120 тыс., за 2 месяца, аванс 30 тыс.",
        "две пятёрки и три четвёрки в четверти",
        "Нужен бот для Telegram на Python, в чате 500 человек",
        "Бот для Telegram падает, поправить config_bot.py и settings_local.py",
        "WhatsApp Web выдаёт ERR_CONNECTION_REFUSED, нужен админ",
    ],
}


def _cases_refused() -> list[object]:
    return [
        pytest.param(text, label, id=f"{category}-{index}")
        for category, cases in REFUSED.items()
        for index, (text, label) in enumerate(cases)
    ]


def _cases_passed() -> list[object]:
    return [
        pytest.param(text, id=f"{category}-{index}")
        for category, cases in PASSED.items()
        for index, text in enumerate(cases)
    ]


@pytest.mark.parametrize(("text", "label"), _cases_refused())
def test_finds_contact(text: str, label: str) -> None:
    assert find_contact(text) == label
    assert contains_contact(text)


@pytest.mark.parametrize("text", _cases_passed())
def test_ordinary_text_passes(text: str) -> None:
    assert find_contact(text) is None
    assert not contains_contact(text)


def test_empty_text() -> None:
    assert find_contact("") is None


def test_email_wins_over_url_and_username() -> None:
    assert find_contact("ivan_petrov@gmail.com @ivan_petrov") == "email"


def test_telegram_link_wins_over_url() -> None:
    assert find_contact("https://t.me/ivan и site.ru") == "link"


def test_short_or_long_usernames_are_not_usernames() -> None:
    assert find_contact("@ivan") is None
    assert find_contact("@" + "a" * 33) is None
    assert find_contact("@" + "a" * 32) == "handle"


def test_cyrillic_word_after_at_is_no_username() -> None:
    assert find_contact("привет @сестра и @АВТОСЕРВИС") is None
    assert find_contact("@сeстра") == "handle"  # the Latin "e" makes it a handle


def test_phone_in_long_description() -> None:
    text = "Нужно собрать шкаф 200х60х45, 2 человека, с 10:00 до 18:00. " * 30
    assert find_contact(text + " 8 999 123 45 67") == "phone"
    assert find_contact(text) is None


def test_abbreviation_before_a_cyrillic_domain_passes() -> None:
    assert find_contact("г.Москва") is None
    assert find_contact("ремонт.Москва") == "link"


def test_file_name_with_a_path_is_a_link() -> None:
    assert find_contact("main.py") is None
    assert find_contact("ivan.sh/contacts") == "link"


def test_spaced_dot_only_joins_a_domain_with_a_path() -> None:
    assert find_contact("Сделаю быстро. Me too") is None
    assert find_contact("vk. com/ivan") == "link"


def test_normalise_drops_invisible_and_folds_lookalikes() -> None:
    normal = normalise("Т\u200bG\u2060: \U000e0041ｉｖａｎ\u3164 ⓐ")
    assert normal.plain == "тg: ivan a"
    assert normal.text == "tg: ivan a"
    assert len(normal.plain) == len(normal.text)


def test_phone_copy_spells_out_words_and_lookalikes() -> None:
    digits = phone_copy(normalise("восемь девятьсот девяносто девять 9OO l23"))
    assert digits.text == "8 999 900 123"


def test_top_level_domains_are_read_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the network must not be used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    names = top_level_domains.__wrapped__()
    assert {"com", "ru", "me", "shop", "рф", "москва", "xn--p1ai"} <= names
    assert len(names) > 1000


def test_top_level_domains_are_tldextracts_own_reading_of_its_snapshot() -> None:
    """The snapshot file is read without importing ``tldextract`` (it loads ``requests``):
    the same names as ``tldextract`` itself gives, ICANN's section, no wildcard."""
    import tldextract

    extractor = tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
    )
    theirs = {suffix for suffix in extractor.tlds if "." not in suffix}
    ours = top_level_domains.__wrapped__()
    assert {name for name in ours if not name.startswith("xn--") or name in theirs} == theirs
    assert all(name.encode("idna").decode() in ours for name in theirs if not name.isascii())


ADVERSARIAL = [
    ("1 " * 1000, None),
    ("1." * 1000, None),
    ("0 " * 1000, None),
    ("1 000 " * 333, None),
    ("12.05." * 333, None),
    ("10:00-" * 333, None),
    ("31.05.25 " * 222, None),
    ("a." * 1000, None),
    ("a" * 2000, None),
    ("@" * 2000, None),
    ("a@" * 1000, None),
    ("x@a." * 500, None),
    ("а." * 1000, None),
    ("a1-" * 666 + ".", None),
    ("t . " * 500, None),
    ("w" * 2000, None),
    ("o1" * 1000, "long_number"),  # read as 0101…: two thousand digits
    ("a   .   " * 250, None),
    ("vk " * 666, None),
    ("ivan at " * 250, None),
    ("\u3164" * 2000, None),
    ("1" + "-" * 1998 + "1", None),
    ("9-" * 1000, "phone"),
    ("123-45-" * 285, "phone"),
    ("восемь " * 285, "phone"),
    ("+7 " * 666, "phone"),
    ("tg: a" * 400, "handle"),
]


@pytest.mark.parametrize(("text", "label"), ADVERSARIAL)
def test_long_adversarial_text(text: str, label: str | None) -> None:
    find_contact("warm up the top-level domain list: x.ru")
    started = time.process_time()
    assert find_contact(text) == label
    # Linear patterns take a few milliseconds of CPU here; backtracking would take minutes
    # (CPU time, generous: a loaded machine's wall clock is no measure).
    assert time.process_time() - started < 10.0


@given(st.text())
def test_never_raises(text: str) -> None:
    label = find_contact(text)
    assert label is None or label in LABELS
    assert contains_contact(text) is (label is not None)


@given(st.text(alphabet="0123456789 .-()/+:,x@atоОlIз|_*\n\u200b", max_size=300))
def test_never_raises_on_digit_soup(text: str) -> None:
    label = find_contact(text)
    assert label is None or label in LABELS


WORDS = st.sampled_from(
    [
        "восемь",
        "девятьсот",
        "one",
        " ",
        ".",
        "-",
        "@",
        ":",
        "t",
        "me",
        "vk",
        "tg",
        "ivan",
        "dot",
        "at",
        "собака",
        "точка",
        "ру",
        "com",
        "www",
        "12.05",
        "10:00",
        "+",
        "1",
        "00",
        "\u200b",
    ]
)


@given(st.lists(WORDS, max_size=200).map("".join))
def test_never_raises_on_word_soup(text: str) -> None:
    label = find_contact(text)
    assert label is None or label in LABELS
