"""Everything the bot says, in Russian and English: pure functions, no I/O."""

from __future__ import annotations

from typing import Literal

Language = Literal["ru", "en"]

RUSSIAN_READERS = frozenset({"ru", "uk", "be", "kk"})
"""Languages whose speakers get the Russian texts (the service's own language)."""


def language(language_code: str | None) -> Language:
    """Russian, unless Telegram names another language than ru, uk, be or kk."""
    if not language_code:
        return "ru"
    primary = language_code.strip().lower().replace("_", "-").split("-")[0]
    return "ru" if not primary or primary in RUSSIAN_READERS else "en"


COMMANDS: dict[Language, list[tuple[str, str]]] = {
    "ru": [
        ("start", "Открыть Srochno"),
        ("balance", "Мой баланс"),
        ("help", "Как это работает"),
        ("paysupport", "Помощь с оплатой"),
        ("terms", "Условия"),
    ],
    "en": [
        ("start", "Open Srochno"),
        ("balance", "My balance"),
        ("help", "How it works"),
        ("paysupport", "Payment support"),
        ("terms", "Terms"),
    ],
}
"""The command menu (``setMyCommands``), per language."""


def open_app_button(lang: Language) -> str:
    return "Открыть Srochno" if lang == "ru" else "Open Srochno"


def open_order_button(lang: Language) -> str:
    return "Открыть заказ" if lang == "ru" else "Open the order"


def menu_button(lang: Language) -> str:
    return "Srochno"


def welcome(lang: Language, first_name: str | None) -> str:
    name = f", {escape(first_name)}" if first_name else ""
    if lang == "ru":
        return (
            f"Здравствуйте{name}! Srochno — срочные услуги рядом: разместите заказ бесплатно "
            "или возьмите чужой и получите контакт заказчика.\n\nНажмите кнопку ниже."
        )
    return (
        f"Hello{name}! Srochno is urgent help nearby: post a job for free, or take one "
        "and get the client's contact.\n\nTap the button below."
    )


def open_order(lang: Language, order_id: str) -> str:
    if lang == "ru":
        return f"Заказ <code>{escape(order_id)}</code> — откройте его кнопкой ниже."
    return f"Order <code>{escape(order_id)}</code>: open it with the button below."


def balance(lang: Language, amount: int) -> str:
    if lang == "ru":
        return f"Ваш баланс: <b>{amount} ₽</b>.\nПополнить его можно звёздами в приложении."
    return f"Your balance: <b>{amount} ₽</b>.\nTop it up with Stars in the app."


def help_text(lang: Language, take_price: int, max_executors: int, support: str) -> str:
    contact = support_line(lang, support)
    if lang == "ru":
        return (
            "<b>Как это работает</b>\n"
            "• Заказчик размещает срочный заказ бесплатно.\n"
            f"• Исполнитель берёт заказ за {take_price} ₽ с баланса и видит контакт "
            f"заказчика. Один заказ берут не больше {max_executors} исполнителей.\n"
            "• Если заказчик не ответил, деньги возвращаются на баланс.\n"
            "• Баланс пополняется звёздами Telegram.\n\n"
            "/balance — баланс, /paysupport — помощь с оплатой, /terms — условия." + contact
        )
    return (
        "<b>How it works</b>\n"
        "• A client posts an urgent job for free.\n"
        f"• An executor takes it for {take_price} ₽ from their balance and sees the "
        f"client's contact. At most {max_executors} executors take a job.\n"
        "• If the client never responds, the money goes back to the balance.\n"
        "• The balance is topped up with Telegram Stars.\n\n"
        "/balance — balance, /paysupport — payment support, /terms — terms." + contact
    )


def support_line(lang: Language, support: str) -> str:
    if not support:
        return ""
    label = "Поддержка" if lang == "ru" else "Support"
    return f"\n\n{label}: {escape(support)}"


def paysupport(lang: Language, rub_per_star: int, support: str) -> str:
    if lang == "ru":
        text = (
            "<b>Помощь с оплатой</b>\n"
            f"Звёзды зачисляются на баланс сразу после оплаты: 1 ⭐ = {rub_per_star} ₽. "
            "Если оплата прошла, а баланс не изменился, или вы хотите "
            "вернуть неизрасходованные звёзды, напишите нам: укажите дату и сумму платежа. "
            "Возврат возможен, пока зачисленные рубли не потрачены."
        )
    else:
        text = (
            "<b>Payment support</b>\n"
            f"Stars are credited to your balance right after payment: 1 ⭐ = {rub_per_star} ₽. "
            "If you paid and the "
            "balance did not change, or you want unspent Stars back, write to us with the "
            "date and amount of the payment. A refund is possible while the credited "
            "rubles are unspent."
        )
    return text + support_line(lang, support)


def terms(lang: Language, take_price: int) -> str:
    if lang == "ru":
        return (
            "<b>Условия</b>\n"
            "1. Размещение заказа бесплатно. Контакты в описании запрещены.\n"
            f"2. Взять заказ стоит {take_price} ₽ с внутреннего баланса; за это вы получаете "
            "контакт заказчика.\n"
            "3. Если заказчик не ответил вовремя, плата возвращается на баланс.\n"
            "4. Баланс пополняется звёздами Telegram; рубли баланса не выводятся. "
            "Неизрасходованные звёзды можно вернуть через /paysupport.\n"
            "5. Srochno не отвечает за качество услуг исполнителей."
        )
    return (
        "<b>Terms</b>\n"
        "1. Posting a job is free. Contacts in descriptions are not allowed.\n"
        f"2. Taking a job costs {take_price} ₽ from the internal balance; you get the "
        "client's contact for it.\n"
        "3. If the client does not respond in time, the price goes back to the balance.\n"
        "4. The balance is topped up with Telegram Stars; it cannot be withdrawn. Unspent "
        "Stars can be refunded through /paysupport.\n"
        "5. Srochno is not responsible for the quality of executors' services."
    )


def share_location_button(lang: Language) -> str:
    return "📍 Отправить мою геопозицию" if lang == "ru" else "📍 Send my location"


def ask_location(lang: Language) -> str:
    if lang == "ru":
        return (
            "Отправьте геопозицию, где вы работаете: заказы рядом будут приходить сразу, "
            "пока вы на смене (включается в профиле приложения)."
        )
    return (
        "Send the location where you work: orders near it reach you at once while you are "
        "on duty (switched on in the app's profile)."
    )


def area_saved(lang: Language, radius_km: float) -> str:
    if lang == "ru":
        return (
            f"📍 Рабочая зона сохранена: {radius_km:g} км вокруг этой точки. Радиус и смена — "
            "в профиле приложения."
        )
    return (
        f"📍 Work area saved: {radius_km:g} km around this point. The radius and duty are in "
        "the app's profile."
    )


def invoice_title(lang: Language) -> str:
    return "Пополнение баланса" if lang == "ru" else "Balance top-up"


def invoice_description(lang: Language, stars: int, amount_rub: int) -> str:
    if lang == "ru":
        return f"{stars} ⭐ → {amount_rub} ₽ на баланс Srochno"
    return f"{stars} ⭐ → {amount_rub} ₽ on your Srochno balance"


CheckoutRefusal = Literal["unknown", "not_yours", "not_pending", "amount", "currency"]


def checkout_refused(lang: Language, reason: CheckoutRefusal) -> str:
    """``error_message`` of a refused pre-checkout query (Telegram shows it to the payer)."""
    ru = {
        "unknown": "Этот счёт не найден. Создайте новый в приложении.",
        "not_yours": "Этот счёт выставлен другому пользователю.",
        "not_pending": "Этот счёт уже оплачен или закрыт. Создайте новый в приложении.",
        "amount": "Сумма не совпадает со счётом. Создайте новый в приложении.",
        "currency": "Оплата этого счёта возможна только звёздами.",
    }
    en = {
        "unknown": "This invoice was not found. Create a new one in the app.",
        "not_yours": "This invoice was issued to another user.",
        "not_pending": "This invoice is already paid or closed. Create a new one in the app.",
        "amount": "The amount does not match the invoice. Create a new one in the app.",
        "currency": "This invoice can be paid with Stars only.",
    }
    return (ru if lang == "ru" else en)[reason]


def payment_received(lang: Language, stars: int, amount_rub: int, balance_rub: int) -> str:
    if lang == "ru":
        return f"Оплата {stars} ⭐ получена: +{amount_rub} ₽. Баланс: <b>{balance_rub} ₽</b>."
    return f"Payment of {stars} ⭐ received: +{amount_rub} ₽. Balance: <b>{balance_rub} ₽</b>."


def escape(text: str) -> str:
    """Text safe inside the HTML parse mode."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def phone_verified(lang: Language, phone: str) -> str:
    if lang == "ru":
        return f"Номер {escape(phone)} подтверждён: он ваш, и его можно указать в заказе."
    return f"Your number {escape(phone)} is verified: you can give it as an order's contact."


def phone_not_yours(lang: Language) -> str:
    if lang == "ru":
        return "Это чужой контакт: подтвердить можно только свой номер."
    return "That is somebody else's contact: only your own number can be verified."
