"""Links into the Mini App, as the bot's buttons and the notifications open it."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo


def order_app_url(webapp_url: str, order_id: str) -> str:
    """The Mini App opened on one order (its client-side route)."""
    return f"{webapp_url.split('#', 1)[0]}#/order/{order_id}"


def order_start_param(order_id: str) -> str:
    """The start parameter that opens an order (``startapp=order_<id>``)."""
    return f"order_{order_id}"


def order_startapp_link(app_link: str, order_id: str) -> str:
    """A ``t.me`` link that launches the Mini App on one order, for messages a web_app
    button cannot be in (shared messages): ``https://t.me/<bot>/<app>?startapp=order_<id>``
    (or ``https://t.me/<bot>?startapp=…``, the bot's main Mini App)."""
    return f"{app_link.rstrip('/')}?startapp={order_start_param(order_id)}"


def order_start_link(bot_username: str, order_id: str) -> str:
    """The bot's deep link ``https://t.me/<bot>?start=order_<id>``: it opens the chat and
    sends ``/start order_<id>``, which the bot answers with the order's button."""
    return f"https://t.me/{bot_username}?start={order_start_param(order_id)}"


def order_link(app_link: str | None, bot_username: str | None, order_id: str) -> str | None:
    """A link to an order for a message's text: the app's ``startapp`` link, else the bot's
    ``start`` link, else none."""
    if app_link:
        return order_startapp_link(app_link, order_id)
    if bot_username:
        return order_start_link(bot_username, order_id)
    return None


def app_button(
    text: str, webapp_url: str, app_link: str | None, order_id: str | None = None
) -> InlineKeyboardButton:
    """The bot's button that opens the Mini App, on ``order_id`` when given.

    An order with the app's direct link (``TELEGRAM_APP_LINK``) is a URL button to
    ``…?startapp=order_<id>``: Telegram launches the app as from any link, with the start
    parameter, and the message stays usable when forwarded. Otherwise a ``web_app`` button
    (valid in the bot's private chat) to the page's own route."""
    if app_link and order_id:
        return InlineKeyboardButton(text=text, url=order_startapp_link(app_link, order_id))
    url = order_app_url(webapp_url, order_id) if order_id else webapp_url
    return InlineKeyboardButton(text=text, web_app=WebAppInfo(url=url))


def app_keyboard(
    text: str, webapp_url: str, app_link: str | None, order_id: str | None = None
) -> InlineKeyboardMarkup:
    """A one-button keyboard of :func:`app_button`."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[app_button(text, webapp_url, app_link, order_id)]]
    )
