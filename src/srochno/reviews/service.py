"""Reviews of executors and complaints about clients.

"One per …" rules are unique constraints; rating aggregates are stored as a sum and a
count and changed with one atomic ``UPDATE … SET x = x + …``, so they never drift."""

from __future__ import annotations

from typing import Any

from srochno import clock
from srochno.config import Settings
from srochno.db import Connection
from srochno.orders import repository as orders
from srochno.orders.errors import ExecutorNotTaker, NotOwner
from srochno.orders.guards import visible
from srochno.orders.service import ensure_public
from srochno.responses import page
from srochno.reviews import repository
from srochno.reviews.errors import NotATaker, ReviewWindowClosed
from srochno.reviews.schemas import ClientReviewIn, ComplaintIn
from srochno.users.presenter import public_first_name
from srochno.users.repository import add_rating, count_complaint


async def review_executor(
    conn: Connection, settings: Settings, author_id: int, data: ClientReviewIn
) -> dict[str, Any]:
    order = visible(await orders.find_order(conn, data.order_id, author_id), author_id)
    if order["owner_id"] != author_id:
        raise NotOwner()
    if await orders.find_take(conn, data.order_id, data.executor_id) is None:
        raise ExecutorNotTaker()
    now = clock.now()
    if now > order["created_at"] + settings.review_window:
        raise ReviewWindowClosed()
    ensure_public(comment=data.comment)
    # uq_reviews_order_id_author_id_executor_id → already_reviewed
    review = await repository.insert_review(
        conn, data.order_id, author_id, data.executor_id, data.rating, data.comment or None, now
    )
    await add_rating(conn, data.executor_id, data.rating)
    return dict(review)


async def complain_about_client(
    conn: Connection, author_id: int, data: ComplaintIn
) -> dict[str, Any]:
    order = visible(await orders.find_order(conn, data.order_id, author_id), author_id)
    if not order["taken_by_me"]:
        raise NotATaker()
    ensure_public(comment=data.comment)
    # uq_complaints_order_id_author_id → already_complained
    complaint = await repository.insert_complaint(
        conn,
        data.order_id,
        author_id,
        order["owner_id"],
        data.reason,
        data.comment or None,
        clock.now(),
    )
    await count_complaint(conn, order["owner_id"])
    return dict(complaint)


async def list_reviews(
    conn: Connection, *, rating: int | None, executor_id: int | None, limit: int, offset: int
) -> dict[str, Any]:
    rows, total = await repository.reviews(
        conn, rating=rating, executor_id=executor_id, limit=limit, offset=offset
    )
    items = [{**r, "author_name": public_first_name(r["author_name"])} for r in rows]
    return page(items, total, limit, offset)
