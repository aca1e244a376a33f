"""E-mail notifications (SPEC §23) through a real SMTP server on loopback: a web client
hears of the take and the reminder by e-mail and never through the bot; once per (event,
user, channel); no contact in any e-mail; the unsubscribe link works."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno import clock
from srochno.auth import web
from srochno.config import Settings
from srochno.enums import Channel
from srochno.jobs import EMAIL_KINDS, Delivery, channels, deliver
from srochno.notifications.email import unsubscribe_url
from srochno.notifications.fanout import digest_now
from srochno.notifications.texts import RENDERERS
from srochno.worker.ticker import send_reminders
from tests.helpers import ORDER, auth, recharge, take
from tests.mailserver import MailServer, parts
from tests.notifications.conftest import add_user, drained

CSRF = {"X-Srochno-CSRF": "1"}
FROM = "Srochno <no-reply@srochno.test>"


async def web_account(engine: AsyncEngine, email: str, lang: str = "ru") -> int:
    now = clock.now()
    async with engine.begin() as conn:
        row = await conn.execute(
            text(
                "INSERT INTO users (id, email, language_code, created_at, updated_at) "
                "VALUES (nextval('web_user_ids'), :email, :lang, :now, :now) RETURNING id"
            ),
            {"email": email, "lang": lang, "now": now},
        )
        return int(row.scalar_one())


async def session_cookie(engine: AsyncEngine, settings: Settings, user_id: int) -> dict[str, str]:
    token = web.new_token()
    now = clock.now()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) "
                "VALUES (:hash, :user, :now, :until)"
            ),
            {
                "hash": web.token_hash(settings, token),
                "user": user_id,
                "now": now,
                "until": now + timedelta(days=1),
            },
        )
    return {"Cookie": f"{web.SESSION_COOKIE}={token}", **CSRF}


async def deliveries(engine: AsyncEngine) -> list[tuple[str, int, str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT event_key, user_id, channel, status FROM notification_deliveries "
                "ORDER BY event_key, user_id, channel"
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_web_client_is_emailed_the_take_and_the_reminder_never_by_the_bot(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    bot_api: Any,
    mail: MailServer,
    start_worker: Any,
) -> None:
    settings = await start_worker(smtp_url=mail.url, email_from=FROM)
    owner = await web_account(engine, "client@example.com", "en")
    await add_user(engine, 301)  # an instant subscriber on Telegram
    headers = await session_cookie(engine, app.state.settings, owner)
    created = await client.post("/api/orders", json=ORDER, headers=headers)
    assert created.status_code == 201, created.text
    order = created.json()
    await recharge(client, 501, 10)
    assert (await take(client, order["id"], 501)).status_code == 200

    taken = await mail.await_for(lambda m: m["To"] == "client@example.com")
    assert taken["Subject"] == "Your order was taken"
    text_part, html_part = parts(taken)
    assert "An executor took your order" in text_part
    assert "An executor took your order" in html_part
    for part in (text_part, html_part):
        assert ORDER["contact"] not in part
        assert "/api/email/unsubscribe?u=" in part
        assert f"/app/#/order/{order['id']}" in part
    assert taken["List-Unsubscribe"].strip().startswith("<http")

    db = app.state.db
    clock.advance(settings.no_response_timeout - settings.reminder_before_close)
    clock.advance(timedelta(seconds=1))
    assert await send_reminders(db, settings) == 1
    reminder = await mail.await_for(lambda m: m["Subject"] == "Answer your executors")
    assert reminder["To"] == "client@example.com"
    assert ORDER["contact"] not in parts(reminder)[0]
    await drained(engine)

    chats = {call.params["chat_id"] for call in bot_api.calls_of("sendMessage")}
    assert chats == {301}, "the bot wrote to the Telegram subscriber only"
    rows = await deliveries(engine)
    assert (f"taken:{order['id']}:501", owner, "email", "sent") in rows
    assert (f"reminder:{order['id']}", owner, "email", "sent") in rows
    assert all(channel == "email" for _, user, channel, _ in rows if user < 0)

    # The same events queued again: nothing is sent twice.
    async with db.connection() as conn:
        again = Delivery(
            f"taken:{order['id']}:501",
            owner,
            "order_taken",
            {"order_id": order["id"], "category": "plumbing"},
        )
        await deliver(conn, [again])
    await drained(engine)
    assert len(mail.received("client@example.com")) == 2


async def test_a_telegram_user_with_a_verified_address_gets_both(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    bot_api: Any,
    mail: MailServer,
    start_worker: Any,
) -> None:
    await start_worker(smtp_url=mail.url, email_from=FROM)
    await add_user(engine, 100)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET email = 'tg@example.com' WHERE id = 100"))
    order = (await client.post("/api/orders", json=ORDER, headers=auth(100))).json()
    await recharge(client, 501, 10)
    assert (await take(client, order["id"], 501)).status_code == 200
    message = await mail.await_for(lambda m: m["To"] == "tg@example.com")
    assert message["Subject"] == "Ваш заказ взяли"
    assert "взял ваш заказ" in parts(message)[0]
    await bot_api.until("sendMessage", 1, within=60)
    await drained(engine)


async def test_a_telegram_user_who_turned_e_mails_off_hears_through_the_bot_only(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    bot_api: Any,
    mail: MailServer,
    start_worker: Any,
) -> None:
    """The take reads whether the client takes e-mail in its own statement: an address with
    e-mails off queues no e-mail at all (the bot still tells them)."""
    await start_worker(smtp_url=mail.url, email_from=FROM)
    await add_user(engine, 100)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE users SET email = 'off@example.com', email_notifications = false "
                "WHERE id = 100"
            )
        )
    order = (await client.post("/api/orders", json=ORDER, headers=auth(100))).json()
    await recharge(client, 501, 10)
    assert (await take(client, order["id"], 501)).status_code == 200
    await bot_api.until("sendMessage", 1, within=60)
    await drained(engine)
    assert mail.received("off@example.com") == []
    sent = [row for row in await deliveries(engine) if row[1] == 100]
    assert [(key, channel) for key, _, channel, _ in sent] == [
        (f"taken:{order['id']}:501", "telegram")
    ]


async def test_a_web_executor_s_digest_links_the_web_page_and_holds_no_contact(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    mail: MailServer,
    start_worker: Any,
    override_settings: Any,
) -> None:
    """The digest e-mail of a web executor: each listed order links to the order on the web
    page (not to Telegram, even with the app's Telegram link configured), and no contact."""
    settings = await start_worker(
        smtp_url=mail.url, email_from=FROM, telegram_app_link="https://t.me/srochno_test_bot/app"
    )
    override_settings(order_lifetime_minutes=600)
    executor = await web_account(engine, "digest@example.com")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE users SET subscribed_categories = '{plumbing}', "
                "subscribed_cities = '{москва}', notification_frequency = 'hourly' WHERE id = :id"
            ),
            {"id": executor},
        )
    orders = []
    for n in range(2):
        body = {**ORDER, "description": f"Течёт труба номер {n}, нужен сантехник срочно"}
        response = await client.post("/api/orders", json=body, headers=auth(100 + n))
        assert response.status_code == 201, response.text
        orders.append(response.json())
    await drained(engine)

    async with app.state.db.connection() as conn:  # `srochno digest hourly`
        assert await digest_now(conn, "hourly", settings) == 1
    message = await mail.await_for(lambda m: m["To"] == "digest@example.com")
    plain_part, html = parts(message)
    web_page = f"{settings.public_url.rstrip('/')}/app/"
    for order in orders:
        assert f'href="{web_page}#/order/{order["id"]}"' in html
        assert order["contact"] not in plain_part + html
    assert "t.me" not in plain_part + html
    await drained(engine)


async def test_the_unsubscribe_link_stops_the_emails(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    mail: MailServer,
    start_worker: Any,
) -> None:
    await start_worker(smtp_url=mail.url, email_from=FROM)
    owner = await web_account(engine, "quiet@example.com")
    url = unsubscribe_url(app.state.settings, owner).split("/api/", 1)[1]
    page = await client.get(f"/api/{url}")
    assert page.status_code == 200
    assert "<form" in page.text
    forged = await client.post(f"/api/{url[:-2]}xx")
    assert forged.status_code == 403
    assert forged.json()["code"] == "unsubscribe_link_invalid"
    assert (await client.post(f"/api/{url}")).status_code == 200

    headers = await session_cookie(engine, app.state.settings, owner)
    order = (await client.post("/api/orders", json=ORDER, headers=headers)).json()
    await recharge(client, 501, 10)
    assert (await take(client, order["id"], 501)).status_code == 200
    await drained(engine)
    assert mail.received("quiet@example.com") == []
    assert (f"taken:{order['id']}:501", owner, "email", "skipped") in await deliveries(engine)


async def test_a_refused_address_is_not_tried_again(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    mail: MailServer,
    start_worker: Any,
) -> None:
    await start_worker(smtp_url=mail.url, email_from=FROM)
    owner = await web_account(engine, "gone@example.com")
    mail.refused.add("gone@example.com")
    headers = await session_cookie(engine, app.state.settings, owner)
    order = (await client.post("/api/orders", json=ORDER, headers=headers)).json()
    await recharge(client, 501, 10)
    assert (await take(client, order["id"], 501)).status_code == 200
    await drained(engine)
    assert (f"taken:{order['id']}:501", owner, "email", "rejected") in await deliveries(engine)


async def test_the_database_refuses_a_telegram_delivery_to_a_web_account(
    engine: AsyncEngine, database_url: str
) -> None:
    owner = await web_account(engine, "nobot@example.com")
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO notification_deliveries (event_key, user_id, channel, status, "
                "attempts, created_at, updated_at) VALUES ('x', $1, 'telegram', 'sending', 1, "
                "now(), now())",
                owner,
            )
        with pytest.raises(asyncpg.CheckViolationError):  # a web account has an address
            await conn.execute(
                "INSERT INTO users (id, created_at, updated_at) VALUES (-77, now(), now())"
            )
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO users (id, created_at, updated_at) VALUES (0, now(), now())"
            )
    finally:
        await conn.close()


async def test_no_telegram_job_is_ever_queued_for_a_web_account(
    app: Any, engine: AsyncEngine
) -> None:
    owner = await web_account(engine, "queue@example.com")
    async with app.state.db.connection() as conn:
        await deliver(
            conn,
            [Delivery(f"e:{kind}", owner, kind, {}) for kind in RENDERERS],
        )
        payloads = await conn.fetch("SELECT payload FROM pgqueuer")
    import orjson

    queued = [orjson.loads(row["payload"]) for row in payloads]
    assert sorted(p["kind"] for p in queued) == sorted(EMAIL_KINDS)
    assert all(p["channel"] == "email" for p in queued)


@given(
    user_id=st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1).filter(bool),
    kind=st.sampled_from(sorted(RENDERERS)),
    has_email=st.booleans(),
)
def test_the_bot_is_a_channel_of_telegram_users_only(
    user_id: int, kind: str, has_email: bool
) -> None:
    routes = channels(Delivery("e", user_id, kind, {}), has_email)
    assert (Channel.telegram in routes) == (user_id > 0)
    assert (Channel.email in routes) == (kind in EMAIL_KINDS and (user_id < 0 or has_email))
