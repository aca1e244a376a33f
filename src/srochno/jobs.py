"""What a business transaction queues: jobs on pgqueuer's queue, messages to users.

Everything here runs on the caller's own connection, so a job exists if and only if the
change that decided it commits; every message job carries its delivery key
``(event, user)``, which the sender (:mod:`srochno.notifications.sender`) claims once.
Importing this module loads no Telegram library: the domains below the bot import it.

:func:`enqueue` runs pgqueuer's own SQL (``Queries.enqueue``'s statement, built once by
its query builder) directly on the caller's connection, without the per-call layers of
``Queries`` and its driver (argument normalisation, a lock, tracing hooks, decoding the new
ids nobody reads), which cost a take nearly half as much as the statement itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import orjson
from pgqueuer.adapters.persistence import qb

from srochno.db import Connection, Record
from srochno.enums import Channel, RefundReason

ORDER_CREATED = "order_created"
"""Fan-out: one ``send`` job per matching instant subscriber."""
DIGEST = "digest"
"""Fan-out: one ``send`` job per hourly/daily subscriber with matching orders."""
SEND = "send"
"""One message to one user about one event."""


@dataclass(frozen=True, slots=True)
class Job:
    entrypoint: str
    payload: dict[str, Any]
    dedupe_key: str | None = None
    delay: timedelta | None = None


ENQUEUE = qb.QueryQueueBuilder().build_enqueue_query("skip")
"""pgqueuer's enqueue: ``$1`` priorities, ``$2`` entrypoints, ``$3`` payloads, ``$4``
delays, ``$5`` dedupe keys, ``$6`` headers (JSON texts). A job whose dedupe key is
already queued or running is skipped."""
NO_DELAY = timedelta(0)
NO_HEADERS = "null"


async def enqueue(conn: Connection | Any, jobs: Sequence[Job]) -> None:
    """Write ``jobs`` on ``conn``: committed, or rolled back, with the caller's transaction.
    A job whose ``dedupe_key`` is already queued or running is skipped."""
    if not jobs:
        return
    await conn.execute(
        ENQUEUE,
        [0] * len(jobs),
        [job.entrypoint for job in jobs],
        [orjson.dumps(job.payload) for job in jobs],
        [job.delay or NO_DELAY for job in jobs],
        [job.dedupe_key for job in jobs],
        [NO_HEADERS] * len(jobs),
    )


def decode(payload: bytes | None) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(payload or b"{}")
    return data


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one user about one event by one channel: ``kind`` names its text,
    ``data`` fills it."""

    event_key: str
    user_id: int
    kind: str
    data: dict[str, Any]
    channel: Channel = Channel.telegram
    device: int = 0
    """A push delivery's device (``push_subscriptions.id``); 0 for the other channels."""

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Delivery:
        return cls(
            payload["event"],
            int(payload["user"]),
            payload["kind"],
            payload["data"],
            Channel(payload.get("channel", Channel.telegram)),
            int(payload.get("device", 0)),
        )

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "event": self.event_key,
            "user": self.user_id,
            "kind": self.kind,
            "data": self.data,
        }
        if self.channel != Channel.telegram:
            payload["channel"] = self.channel.value
        if self.device:
            payload["device"] = self.device
        return payload


EMAIL_KINDS = frozenset({"order_taken", "reminder", "digest"})
"""What goes by e-mail too (SPEC §23): the take and the reminder to clients, the digests."""
PUSH_KINDS = frozenset({"order_created"})
"""What goes by Web Push too (SPEC §23): the instant news of a new order, to each device
its executor subscribed."""


def is_web_account(user_id: int) -> bool:
    """Web accounts have negative ids (``web_user_ids``); Telegram's ids are positive."""
    return user_id < 0


def channels(delivery: Delivery, has_email: bool) -> tuple[Channel, ...]:
    """The channels a delivery goes by: the bot for Telegram's users only (never a web
    account), e-mail for :data:`EMAIL_KINDS` to web accounts and to Telegram users with a
    verified address (``has_email``)."""
    web = is_web_account(delivery.user_id)
    by_email = delivery.kind in EMAIL_KINDS and (web or has_email)
    if web:
        return (Channel.email,) if by_email else ()
    return (Channel.telegram, Channel.email) if by_email else (Channel.telegram,)


def send_job(delivery: Delivery) -> Job:
    key = f"{delivery.event_key}|{delivery.user_id}"
    if delivery.channel != Channel.telegram:
        key = f"{key}|{delivery.channel.value}"
    if delivery.device:
        key = f"{key}|{delivery.device}"
    return Job(SEND, delivery.payload(), dedupe_key=key)


EMAIL_RECIPIENTS = (
    "SELECT id FROM users WHERE id = ANY($1::bigint[]) AND email IS NOT NULL "
    "AND email_notifications"
)


PUSH_DEVICES = (
    "SELECT id, user_id FROM push_subscriptions WHERE user_id = ANY($1::bigint[]) ORDER BY id"
)


async def deliver(
    conn: Connection | Any,
    deliveries: Iterable[Delivery],
    by_email: Mapping[int, bool] | None = None,
) -> None:
    """Queue each delivery by its :func:`channels`, and by push to each device of its user
    for :data:`PUSH_KINDS`: the one place messages are routed, so no job ever asks the bot
    to write to a web account. ``by_email``: whether users take e-mail
    (:data:`EMAIL_RECIPIENTS`), where the caller read it in this transaction already."""
    deliveries = list(deliveries)
    known = by_email or {}
    telegram_by_email = {
        d.user_id
        for d in deliveries
        if d.kind in EMAIL_KINDS and not is_web_account(d.user_id) and d.user_id not in known
    }
    emailed = {user_id for user_id, yes in known.items() if yes}
    if telegram_by_email:
        rows = await conn.fetch(EMAIL_RECIPIENTS, sorted(telegram_by_email))
        emailed |= {row["id"] for row in rows}
    devices: dict[int, list[int]] = {}
    pushed = {d.user_id for d in deliveries if d.kind in PUSH_KINDS}
    if pushed:
        for row in await conn.fetch(PUSH_DEVICES, sorted(pushed)):
            devices.setdefault(row["user_id"], []).append(row["id"])
    jobs = [
        send_job(replace(delivery, channel=channel))
        for delivery in deliveries
        for channel in channels(delivery, delivery.user_id in emailed)
    ]
    jobs += [
        send_job(replace(delivery, channel=Channel.push, device=device))
        for delivery in deliveries
        if delivery.kind in PUSH_KINDS
        for device in devices.get(delivery.user_id, ())
    ]
    await enqueue(conn, jobs)


WAITING_FOR_START = timedelta(hours=24)
"""How old a message waiting for the user to start the bot may be and still be sent when
they do (an order's announcement is sent only while the order is still open)."""
WAITING = (
    "SELECT payload::text AS payload FROM notification_deliveries "
    "WHERE user_id = $1 AND status = 'needs_start' AND payload IS NOT NULL AND updated_at > $2"
)


async def resend_waiting(conn: Connection | Any, user_id: int, now: datetime) -> int:
    """Queue again the messages that waited for ``user_id`` to start the bot or allow
    writing (deliveries ``needs_start``); how many. The sender claims them once more."""
    rows = await conn.fetch(WAITING, user_id, now - WAITING_FOR_START)
    await deliver(conn, [Delivery.from_payload(orjson.loads(row["payload"])) for row in rows])
    return len(rows)


async def order_created(conn: Connection, order_id: str) -> None:
    """Announce a new order to its instant subscribers (fanned out by the worker)."""
    await enqueue(conn, [Job(ORDER_CREATED, {"order_id": order_id}, f"created|{order_id}")])


async def order_taken(
    conn: Connection,
    order_id: str,
    owner_id: int,
    executor_id: int,
    category: str,
    owner_by_email: bool,
) -> None:
    """Tell the client an executor took the order (each take); ``owner_by_email``: whether
    the client takes e-mail, read with the order."""
    data = {"order_id": order_id, "category": category}
    await deliver(
        conn,
        [Delivery(f"taken:{order_id}:{executor_id}", owner_id, "order_taken", data)],
        {owner_id: owner_by_email},
    )


TAKERS = (
    "SELECT t.executor_id, o.category FROM takes t JOIN orders o ON o.id = t.order_id "
    "WHERE t.order_id = $1"
)


async def order_completed(conn: Connection, order_id: str) -> None:
    """Tell every taker the client marked the order completed."""
    rows = await conn.fetch(TAKERS, order_id)
    await deliver(
        conn,
        [
            Delivery(
                f"completed:{order_id}",
                row["executor_id"],
                "completed",
                {"order_id": order_id, "category": row["category"]},
            )
            for row in rows
        ],
    )


CATEGORIES_OF = "SELECT id, category FROM orders WHERE id = ANY($1::varchar[])"


async def takes_refunded(
    conn: Connection | Any, refunds: Sequence[Record | Any], reason: RefundReason
) -> None:
    """Tell each taker their price came back. ``refunds``: rows with ``order_id``,
    ``executor_id`` and ``price_paid`` (free takes are not announced)."""
    paid = [r for r in refunds if r["price_paid"] > 0]
    if not paid:
        return
    rows = await conn.fetch(CATEGORIES_OF, sorted({r["order_id"] for r in paid}))
    categories = {row["id"]: row["category"] for row in rows}
    await deliver(
        conn,
        [
            Delivery(
                f"refund:{r['order_id']}:{r['executor_id']}",
                r["executor_id"],
                "refunded",
                {
                    "order_id": r["order_id"],
                    "category": categories.get(r["order_id"], "other"),
                    "amount": r["price_paid"],
                    "reason": reason,
                },
            )
            for r in paid
        ],
    )
