"""What leaves for Sentry: no initData, no contacts, no tokens."""

from __future__ import annotations

import json
from urllib.parse import quote

from srochno.monitoring.sentry import FILTERED, init_sentry, scrub_event
from tests.conftest import make_settings
from tests.helpers import TEST_BOT_TOKEN, init_data

INIT_DATA = init_data(42)


def event() -> dict:
    return {
        "message": f"Bot API call failed: https://api.telegram.org/bot{TEST_BOT_TOKEN}/sendMessage",
        "request": {
            "url": "http://srochno.test/api/users/me/stream",
            "query_string": f"tma={quote(INIT_DATA, safe='')}&last_event_id=5",
            "headers": {
                "Authorization": f"tma {INIT_DATA}",
                "Cookie": "srochno_admin=abc",
                "X-Telegram-Bot-Api-Secret-Token": "webhook-secret",
                "User-Agent": "Telegram",
            },
            "data": {"contact": "+7 999 123-45-67", "description": "Течёт кран"},
            "cookies": {"srochno_admin": "abc"},
        },
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": f"bad header {INIT_DATA}",
                    "stacktrace": {
                        "frames": [
                            {
                                "vars": {
                                    "order": {"id": "abc", "contact": "ivan@mail.ru"},
                                    "bot_token": TEST_BOT_TOKEN,
                                    "url": f"https://api.telegram.org/bot{TEST_BOT_TOKEN}/x",
                                    "count": 3,
                                }
                            }
                        ]
                    },
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": f"GET /api/orders?tma={INIT_DATA}"}]},
        "extra": {"init_data": INIT_DATA, "order_id": "abc"},
    }


def test_scrubbed_event_keeps_nothing_secret():
    original = event()
    scrubbed = scrub_event(original, {})
    text = json.dumps(scrubbed, ensure_ascii=False)
    for secret in (
        TEST_BOT_TOKEN,
        TEST_BOT_TOKEN.split(":")[1],
        "hash=",
        "auth_date",
        "+7 999 123-45-67",
        "ivan@mail.ru",
        "webhook-secret",
        "srochno_admin=abc",
    ):
        assert secret not in text, secret
    request = scrubbed["request"]
    assert request["headers"]["Authorization"] == FILTERED
    assert request["headers"]["User-Agent"] == "Telegram"
    assert request["data"] == FILTERED
    assert request["query_string"] == f"tma={FILTERED}&last_event_id=5"
    assert request["url"] == "http://srochno.test/api/users/me/stream"
    frame = scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]
    assert frame["order"] == {"id": "abc", "contact": FILTERED}
    assert frame["count"] == 3
    assert scrubbed["extra"]["order_id"] == "abc"
    assert scrubbed["message"].startswith("Bot API call failed: https://api.telegram.org/bot")
    assert original == event()  # a pure function: its input is left alone


def test_header_lists_and_plain_events():
    scrubbed = scrub_event(
        {"request": {"headers": [["authorization", "Bearer x"], ["accept", "*/*"]]}}, None
    )
    assert scrubbed["request"]["headers"] == [["authorization", FILTERED], ["accept", "*/*"]]
    assert scrub_event({"message": "plain"}, None) == {"message": "plain"}


def test_reporting_is_off_without_a_dsn(database_url):
    assert init_sentry(make_settings(database_url)) is False
