"""The pure rules of an order's life: status at a moment, time left, city keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from srochno.catalog import normalize_city
from srochno.orders.rules import Timing, effective_status, timing

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=60)
NO_RESPONSE = timedelta(minutes=15)


def status_at(
    now: datetime,
    status: str = "active",
    *,
    taken: timedelta | None = None,
    responded: timedelta | None = None,
) -> str:
    """The status of an order created at ``T0``, first taken and answered at the given
    offsets from ``T0``."""
    return effective_status(
        status,
        expires_at=T0 + LIFETIME,
        first_taken_at=T0 + taken if taken is not None else None,
        responded_at=T0 + responded if responded is not None else None,
        now=now,
        no_response_timeout=NO_RESPONSE,
    )


def test_fresh_order_is_active():
    assert status_at(T0) == "active"
    assert status_at(T0 + LIFETIME - timedelta(microseconds=1)) == "active"


def test_untouched_order_expires_exactly_at_expires_at():
    assert status_at(T0 + LIFETIME) == "expired"
    assert status_at(T0 + timedelta(days=30)) == "expired"


def test_stored_expired_stays_expired_without_takes():
    assert status_at(T0 + timedelta(minutes=5), "expired") == "expired"


def test_unanswered_take_closes_after_the_no_response_timeout_from_the_first_take():
    taken = timedelta(minutes=10)
    deadline = T0 + taken + NO_RESPONSE
    assert status_at(deadline - timedelta(microseconds=1), taken=taken) == "active"
    assert status_at(deadline, taken=taken) == "closed_no_response"


def test_unanswered_take_closes_even_when_the_order_already_expired():
    taken = timedelta(minutes=55)
    assert status_at(T0 + timedelta(minutes=61), taken=taken) == "expired"
    assert status_at(T0 + timedelta(minutes=61), "expired", taken=taken) == "expired"
    assert status_at(T0 + timedelta(minutes=70), taken=taken) == "closed_no_response"
    assert status_at(T0 + timedelta(minutes=70), "expired", taken=taken) == "closed_no_response"


def test_a_response_stops_the_no_response_clock():
    taken = timedelta(minutes=1)
    responded = timedelta(minutes=2)
    assert status_at(T0 + timedelta(minutes=30), taken=taken, responded=responded) == "active"
    assert status_at(T0 + LIFETIME, taken=taken, responded=responded) == "expired"
    assert status_at(T0 + timedelta(days=3), "expired", taken=taken, responded=responded) == (
        "expired"
    )


@pytest.mark.parametrize("status", ["deleted", "completed", "closed_no_response"])
def test_final_statuses_never_change(status):
    later = T0 + timedelta(days=10)
    assert status_at(later, status) == status
    assert status_at(later, status, taken=timedelta(minutes=1)) == status


def test_timing_counts_down_and_rounds_minutes_up():
    expires = T0 + LIFETIME
    assert timing(expires, T0) == Timing(seconds_left=3600, minutes_left=60)
    assert timing(expires, expires - timedelta(seconds=61)) == Timing(61, 2)
    assert timing(expires, expires - timedelta(seconds=60)) == Timing(60, 1)
    assert timing(expires, expires - timedelta(seconds=30)) == Timing(30, 1)
    assert timing(expires, expires - timedelta(milliseconds=1)) == Timing(1, 1)


def test_timing_never_goes_negative():
    expires = T0 + LIFETIME
    assert timing(expires, expires) == Timing(0, 0)
    assert timing(expires, expires + timedelta(hours=5)) == Timing(0, 0)


@pytest.mark.parametrize(
    ("city", "key"),
    [
        ("Москва", "москва"),
        ("  москва ", "москва"),
        ("МОСКВА", "москва"),
        ("Санкт  Петербург", "санкт петербург"),
        ("\tНижний\nНовгород ", "нижний новгород"),
        ("Straße", "strasse"),
    ],
)
def test_normalize_city(city, key):
    assert normalize_city(city) == key


def test_cities_differing_only_in_case_and_spaces_share_a_key():
    assert normalize_city(" Ростов-на-Дону") == normalize_city("РОСТОВ-НА-ДОНУ  ")
    assert normalize_city("Ростов") != normalize_city("Ростов-на-Дону")
