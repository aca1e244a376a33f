"""The one vocabulary of the service: shared by the tables, the schemas and the SQL."""

from __future__ import annotations

from enum import StrEnum

BIGINT_MAX = 2**63 - 1
"""The largest value of a PostgreSQL BIGINT: Telegram ids, money, ledger ids."""


class OrderStatus(StrEnum):
    active = "active"
    expired = "expired"
    deleted = "deleted"
    closed_no_response = "closed_no_response"
    completed = "completed"
    cancelled = "cancelled"
    """Cancelled by a moderator: its takers were refunded."""


OPEN_STATUSES = frozenset({OrderStatus.active, OrderStatus.expired})
"""Statuses in which the owner can still react (respond, complete)."""


class LedgerType(StrEnum):
    recharge = "recharge"
    order_take = "order_take"
    refund = "refund"
    adjustment = "adjustment"
    payment_refund = "payment_refund"


class RefundReason(StrEnum):
    """Why a take's price went back to its executor: the metrics' label, the refund
    message's wording."""

    no_response = "no_response"
    """The client never answered within the no-response deadline (the auto-close)."""
    order_cancelled = "order_cancelled"
    """An operator cancelled the order."""
    complaint = "complaint"
    """An admin upheld the executor's complaint about the client."""
    report_confirmed = "report_confirmed"
    """A moderator confirmed a report and took the order down."""


class PaymentStatus(StrEnum):
    """A Stars invoice: ``pending`` until a charge is credited, ``paid`` while any of its
    charges stands, ``refunded`` once every charge was refunded."""

    pending = "pending"
    paid = "paid"
    refunded = "refunded"


STARS_CURRENCY = "XTR"
"""Telegram Stars, the currency of every invoice."""
STARS_METHOD = "telegram_stars"
"""The ``method`` of the ledger rows that credit a Stars charge."""


class TopupStatus(StrEnum):
    """A YooKassa top-up: ``pending`` from its creation until YooKassa's payment succeeds
    (``paid``, credited once) or is canceled; ``failed`` when YooKassa refused or could not
    be reached while it was created (nothing to pay); ``refunded`` once refunded."""

    pending = "pending"
    paid = "paid"
    canceled = "canceled"
    failed = "failed"
    refunded = "refunded"


RUB_CURRENCY = "RUB"
YOOKASSA_METHOD = "yookassa"
"""The ``method`` of the ledger rows that credit a YooKassa top-up."""


class Frequency(StrEnum):
    instant = "instant"
    hourly = "hourly"
    daily = "daily"
    off = "off"


class DeliveryStatus(StrEnum):
    """One (event, user) message: ``sending`` once claimed (never claimed again unless
    ``retry``), then how it ended."""

    sending = "sending"
    retry = "retry"
    sent = "sent"
    skipped = "skipped"
    """Not sent: the user is banned or blocked the bot, or the order is no longer open."""
    blocked = "blocked"
    """Telegram answered 403: the user blocked the bot (now ``bot_blocked``)."""
    needs_start = "needs_start"
    """Telegram answered 403 "can't initiate conversation" (the user never started the bot,
    now ``needs_start``): kept with its payload and sent again once the user starts the bot,
    writes to it or allows writing."""
    rejected = "rejected"
    """Telegram refused it (another 4xx): dropped and logged."""
    failed = "failed"
    """5xx or network errors ``NOTIFY_MAX_ATTEMPTS`` times."""
    gone = "gone"
    """The push service answered 404/410: the device's subscription is gone (removed)."""


class ComplaintReason(StrEnum):
    no_response = "no_response"
    fake_order = "fake_order"
    wrong_contact = "wrong_contact"
    rude = "rude"
    other = "other"


class ReportReason(StrEnum):
    """Why an executor reports an order's public text."""

    contact_in_text = "contact_in_text"
    fake = "fake"
    other = "other"


class ReportStatus(StrEnum):
    """A report waits (``pending``) until a moderator confirms or dismisses it."""

    pending = "pending"
    confirmed = "confirmed"
    dismissed = "dismissed"


class AdminRole(StrEnum):
    """An operator of the admin panel: a moderator moderates; only an admin moves money."""

    admin = "admin"
    moderator = "moderator"


class AdminActionType(StrEnum):
    """What an operator did, as written in ``admin_actions``."""

    ban_user = "ban_user"
    unban_user = "unban_user"
    cancel_order = "cancel_order"
    hide_review = "hide_review"
    unhide_review = "unhide_review"
    resolve_complaint = "resolve_complaint"
    adjust_balance = "adjust_balance"
    refund_payment = "refund_payment"
    confirm_reports = "confirm_reports"
    dismiss_reports = "dismiss_reports"
    refund_topup = "refund_topup"


def sql_list(values: type[StrEnum] | frozenset[StrEnum] | tuple[StrEnum, ...]) -> str:
    """``'a', 'b'``: the values as SQL string literals, for ``IN (…)`` and CHECKs."""
    return ", ".join(f"'{value.value}'" for value in values)


class Channel(StrEnum):
    """How a message reaches its user: one delivery row per (event, user, channel)."""

    telegram = "telegram"
    """The bot's chat: Telegram accounts only (positive ids), never a web account."""
    email = "email"
    """The account's verified e-mail address (web accounts, Telegram users who added one)."""
    push = "push"
    """Web Push to each device the account subscribed (``push_subscriptions``)."""
