"""What the service counts for Prometheus: the metric objects, defined once.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``srochno serve`` prepares it for its workers)
every process writes its values to files there and a scrape answered by any worker adds
up all of them; without it, values live in this process. Business counters are
incremented by the services right after the change, inside the request's transaction:
a transaction that then fails to commit still counted, so they are close to the truth,
not the ledger (which is).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from srochno.enums import RefundReason

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "srochno_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "srochno_http_request_duration_seconds",
    "Time to answer a request, by method and route template (streams left out)",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)

ORDERS_CREATED = Counter("srochno_orders_created", "Orders created")
TAKES = Counter("srochno_takes", "Orders taken (paid takes; replays not counted)")
REFUNDS = Counter(
    "srochno_refunds",
    "Takes refunded, by reason (a RefundReason)",
    ["reason"],
)
REFUNDED_RUB = Counter("srochno_refunded_rub", "Rubles refunded to executors", ["reason"])
PAYMENTS = Counter(
    "srochno_payments",
    "Telegram Stars payments, by outcome (paid, refunded, failed)",
    ["outcome"],
)
TOPUPS = Counter(
    "srochno_topups",
    "YooKassa top-ups, by outcome (created, paid, canceled, failed, refunded, mismatched)",
    ["outcome"],
)
INCOME_RUB = Counter(
    "srochno_income_rub",
    "Rubles credited by real payments, by method (telegram_stars, yookassa)",
    ["method"],
)
NOTIFICATIONS_SENT = Counter("srochno_notifications_sent", "Bot messages accepted by Telegram")
NOTIFICATIONS_FAILED = Counter(
    "srochno_notifications_failed",
    "Bot messages given up on, by reason (blocked, bad_request, retries_exhausted, ...)",
    ["reason"],
)
RATE_LIMITED = Counter(
    "srochno_rate_limited",
    "Requests refused with 429 rate_limited, by limit (ip, create, take, invoice, report)",
    ["limit"],
)


def count_refunds(reason: RefundReason, count: int, amount: int) -> None:
    if count:
        REFUNDS.labels(reason).inc(count)
        REFUNDED_RUB.labels(reason).inc(amount)
