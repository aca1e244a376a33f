"""The messages and the digest periods as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from srochno.config import Settings
from srochno.notifications.fanout import current_period
from srochno.notifications.texts import DESCRIPTION_LIMIT, render, shorten

NOW = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)  # 09:30 in Moscow


def announcement(description: str, lang: str = "ru") -> str:
    data = {
        "order_id": "abc",
        "category": "plumbing",
        "city": "Москва <центр>",
        "description": description,
        "price": 2,
        "expires_at": (NOW + timedelta(minutes=42, seconds=10)).isoformat(),
    }
    return render("order_created", lang, data, NOW).text  # type: ignore[arg-type]


def test_a_long_description_is_cut_to_300_characters_before_escaping():
    text = announcement("&" * 1000)
    part = text.split("\n\n")[1]
    assert part.count("&amp;") == DESCRIPTION_LIMIT - 1
    assert part.endswith("…")
    assert len(shorten("x" * 300, DESCRIPTION_LIMIT)) == 300
    assert shorten("x" * 300, DESCRIPTION_LIMIT) == "x" * 300


def test_user_text_is_escaped_and_minutes_are_rounded_up():
    text = announcement("<b>bold</b>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "Москва &lt;центр&gt;" in text
    assert "Осталось 43 мин" in text
    assert "43 min left" in announcement("x", "en")


def test_digest_lists_ten_and_counts_the_rest():
    orders = [
        {"id": str(n), "category": "plumbing", "city": "Тула", "description": f"d{n}"}
        for n in range(10)
    ]
    data = {"period": "hourly", "orders": orders, "total": 15}
    text = render("digest", "ru", data, NOW).text
    assert text.count("• ") == 10
    assert text.endswith("…и ещё 5")
    assert "…" not in render("digest", "en", {**data, "total": 10}, NOW).text
    assert "<a " not in text  # no app link configured: no links


def test_a_digest_links_each_order_it_lists_to_the_mini_app():
    orders = [
        {"id": f"ord{n}", "category": "plumbing", "city": "Тула", "description": f"d{n}"}
        for n in range(3)
    ]
    data = {"period": "daily", "orders": orders, "total": 3, "app_link": "https://t.me/b_bot/app"}
    text = render("digest", "ru", data, NOW).text
    for n in range(3):
        assert f'<a href="https://t.me/b_bot/app?startapp=order_ord{n}">' in text


def test_without_the_app_link_a_digest_links_each_order_through_the_bots_start_link():
    orders = [{"id": "ord1", "category": "plumbing", "city": "Тула", "description": "d"}]
    data = {"period": "daily", "orders": orders, "total": 1, "bot_username": "b_bot"}
    text = render("digest", "en", data, NOW).text
    assert '<a href="https://t.me/b_bot?start=order_ord1"><b>Plumbing</b></a>' in text
    both = render("digest", "en", {**data, "app_link": "https://t.me/b_bot/app"}, NOW).text
    assert "startapp=order_ord1" in both  # the app's own link first
    assert "?start=" not in both


def test_periods_follow_the_time_zone_and_the_digest_hour():
    settings = Settings(_env_file=None, digest_hour=9, timezone="Europe/Moscow")  # type: ignore[call-arg]
    hourly = current_period("hourly", NOW, settings)
    assert hourly.starts_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    daily = current_period("daily", NOW, settings)
    assert daily.starts_at == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 09:00 Moscow
    before = current_period("daily", NOW - timedelta(minutes=31), settings)
    assert before.starts_at == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert daily.since == daily.starts_at - timedelta(days=1)
    assert daily.key != before.key


def test_a_refund_says_why():
    data = {"order_id": "abc", "category": "plumbing", "amount": 2}
    reasons = {
        "no_response": ("Заказчик не ответил", "did not answer"),
        "order_cancelled": ("отменён модератором", "cancelled by a moderator"),
        "report_confirmed": ("снят модератором", "taken down by a moderator"),
    }
    for reason, (ru, en) in reasons.items():
        message = {**data, "reason": reason}
        assert ru in render("refunded", "ru", message, NOW).text  # type: ignore[arg-type]
        assert en in render("refunded", "en", message, NOW).text  # type: ignore[arg-type]
