"""What the notifications say, in Russian and English: pure functions, no I/O.

Every message is HTML (the bot's parse mode): user text is escaped here. An order's
contact is never part of any message: nothing here receives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from srochno.catalog import CATEGORIES
from srochno.enums import RefundReason
from srochno.orders.rules import timing
from srochno.telegram.links import order_app_url, order_link
from srochno.telegram.texts import Language, escape, open_app_button, open_order_button

DESCRIPTION_LIMIT = 300
DIGEST_LIMIT = 10
"""Orders listed in one digest; the rest are counted ("and N more")."""
DIGEST_DESCRIPTION_LIMIT = 80


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    button: str
    order_id: str | None
    """The order the ``web_app`` button opens (None: the Mini App's start page)."""


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def category_name(lang: Language, slug: str) -> str:
    if lang == "ru":
        return CATEGORIES.get(slug, slug)
    return slug.replace("_", " ").capitalize()


def minutes(lang: Language, count: int) -> str:
    if lang == "en":
        return f"{count} min"
    return f"{count} мин"


def order_created(lang: Language, data: dict[str, Any], now: datetime) -> Message:
    left = timing(datetime.fromisoformat(data["expires_at"]), now).minutes_left
    category = escape(category_name(lang, data["category"]))
    city = escape(data["city"])
    description = escape(shorten(data["description"], DESCRIPTION_LIMIT))
    price = data["price"]
    km = data.get("distance_km")
    if km is not None:
        city += f" · ~{km:g} км от центра зоны" if lang == "ru" else f" · ~{km:g} km from your area"
    if lang == "ru":
        text = (
            f"🔥 <b>Новый заказ: {category}</b>\n📍 {city}\n\n{description}\n\n"
            f"⏳ Осталось {minutes(lang, left)} · взять за {price} ₽"
        )
    else:
        text = (
            f"🔥 <b>New order: {category}</b>\n📍 {city}\n\n{description}\n\n"
            f"⏳ {minutes(lang, left)} left · take it for {price} ₽"
        )
    return Message(text, open_order_button(lang), data["order_id"])


def order_taken(lang: Language, data: dict[str, Any], now: datetime) -> Message:
    category = escape(category_name(lang, data["category"]))
    if lang == "ru":
        text = (
            f"👷 Исполнитель взял ваш заказ «{category}» и получил ваш контакт. "
            "Ответьте ему в приложении."
        )
    else:
        text = (
            f"👷 An executor took your order “{category}” and has your contact. "
            "Answer them in the app."
        )
    return Message(text, open_order_button(lang), data["order_id"])


def reminder(lang: Language, data: dict[str, Any], now: datetime) -> Message:
    category = escape(category_name(lang, data["category"]))
    left = max(1, timing(datetime.fromisoformat(data["closes_at"]), now).minutes_left)
    if lang == "ru":
        text = (
            f"⏰ Вы ещё не ответили исполнителям заказа «{category}». Через "
            f"{minutes(lang, left)} заказ закроется без ответа, а исполнителям вернутся деньги."
        )
    else:
        text = (
            f"⏰ You have not answered the executors of your order “{category}”. In "
            f"{minutes(lang, left)} it closes unanswered and they get their money back."
        )
    return Message(text, open_order_button(lang), data["order_id"])


REFUND_CAUSES: dict[RefundReason, dict[Language, str]] = {
    RefundReason.no_response: {
        "ru": "↩️ Заказчик не ответил на заказ «{category}»",
        "en": "↩️ The client did not answer on “{category}”",
    },
    RefundReason.order_cancelled: {
        "ru": "↩️ Заказ «{category}» отменён модератором",
        "en": "↩️ The order “{category}” was cancelled by a moderator",
    },
    RefundReason.complaint: {
        "ru": "↩️ Жалоба на заказ «{category}» признана обоснованной",
        "en": "↩️ Your complaint about “{category}” was upheld",
    },
    RefundReason.report_confirmed: {
        "ru": "↩️ Заказ «{category}» снят модератором",
        "en": "↩️ The order “{category}” was taken down by a moderator",
    },
}
"""Why the money came back, by :class:`~srochno.enums.RefundReason` (the message's start)."""


def refunded(lang: Language, data: dict[str, Any], now: datetime) -> Message:
    category = escape(category_name(lang, data["category"]))
    reason = RefundReason(data.get("reason") or RefundReason.no_response)
    cause = REFUND_CAUSES[reason][lang].format(category=category)
    amount = data["amount"]
    if lang == "ru":
        text = f"{cause}: {amount} ₽ вернулись на баланс."
    else:
        text = f"{cause}: {amount} ₽ are back on your balance."
    return Message(text, open_order_button(lang), data["order_id"])


def completed(lang: Language, data: dict[str, Any], now: datetime) -> Message:
    category = escape(category_name(lang, data["category"]))
    if lang == "ru":
        text = f"✅ Заказчик отметил заказ «{category}» выполненным."
    else:
        text = f"✅ The client marked the order “{category}” completed."
    return Message(text, open_order_button(lang), data["order_id"])


def digest(lang: Language, data: dict[str, Any], now: datetime) -> Message:
    hourly = data["period"] == "hourly"
    if lang == "ru":
        lines = ["🗂 <b>Заказы за час</b>" if hourly else "🗂 <b>Заказы за сутки</b>"]
    else:
        lines = ["🗂 <b>Orders of the hour</b>" if hourly else "🗂 <b>Orders of the day</b>"]
    for order in data["orders"][:DIGEST_LIMIT]:
        category = escape(category_name(lang, order["category"]))
        city = escape(order["city"])
        description = escape(shorten(order["description"], DIGEST_DESCRIPTION_LIMIT))
        title = f"<b>{category}</b>"
        link = order.get("id") and (
            order_app_url(data["web_app"], str(order["id"]))  # an e-mail: the web page's
            if data.get("web_app")
            else order_link(data.get("app_link"), data.get("bot_username"), str(order["id"]))
        )
        if link:
            title = f'<a href="{escape(link)}">{title}</a>'
        lines.append(f"• {title}, {city}: {description}")
    more = data["total"] - min(len(data["orders"]), DIGEST_LIMIT)
    if more > 0:
        lines.append(f"…и ещё {more}" if lang == "ru" else f"…and {more} more")
    return Message("\n".join(lines), open_app_button(lang), None)


RENDERERS = {
    "order_created": order_created,
    "order_taken": order_taken,
    "reminder": reminder,
    "refunded": refunded,
    "completed": completed,
    "digest": digest,
}


def render(kind: str, lang: Language, data: dict[str, Any], now: datetime) -> Message:
    return RENDERERS[kind](lang, data, now)
