"""``srochno bot setup``: the webhook, the command menus and the Mini App menu button."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, MenuButtonWebApp, WebAppInfo

from srochno.bot.dispatcher import ALLOWED_UPDATES
from srochno.config import Settings
from srochno.telegram import texts


async def set_up_bot(bot: Bot, settings: Settings) -> list[str]:
    """Configure the bot at Telegram; what was done, one line each."""
    secret = settings.webhook_secret
    if secret is None:
        raise ValueError("no webhook secret: set SECRET_KEY or TELEGRAM_WEBHOOK_SECRET")
    done = []
    await bot.set_webhook(
        url=settings.webhook_url,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
    )
    done.append(f"webhook: {settings.webhook_url} ({', '.join(ALLOWED_UPDATES)})")
    # English by default (any other language), Russian for the languages that read it.
    menus: list[tuple[str | None, texts.Language]] = [(None, "en")]
    menus += [(code, "ru") for code in sorted(texts.RUSSIAN_READERS)]
    for code, lang in menus:
        commands = texts.COMMANDS[lang]
        await bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands],
            language_code=code,
        )
        done.append(f"commands ({code or 'default'}): {lang}")
    await bot.set_chat_menu_button(
        menu_button=MenuButtonWebApp(
            text=texts.menu_button("ru"), web_app=WebAppInfo(url=settings.webapp_base_url)
        )
    )
    done.append(f"menu button: {settings.webapp_base_url}")
    return done
