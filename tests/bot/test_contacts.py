"""A shared contact (the Mini App's requestContact): stored as the user's verified phone
only when it is the sender's own; the profile shows it, the public profile only the badge."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srochno.bot.handlers.contacts import verified_phone
from tests.helpers import auth, create_order, scalar
from tests.telegram_updates import message, post_update

USER = 501


def contact(user_id: int | None, phone: str = "79991234567") -> dict[str, object]:
    shared: dict[str, object] = {"phone_number": phone, "first_name": "Ivan"}
    if user_id is not None:
        shared["user_id"] = user_id
    return shared


async def test_the_users_own_contact_is_their_verified_phone(client, settings, bot_api, engine):
    response = await post_update(client, settings, message(USER, contact=contact(USER)))
    assert response.status_code == 200
    assert await scalar(engine, f"SELECT verified_phone FROM users WHERE id = {USER}") == (
        "+79991234567"
    )
    (answer,) = bot_api.messages_to(USER)
    assert "+79991234567" in answer.params["text"]

    me = (await client.get("/api/users/me", headers=auth(USER))).json()
    assert me["verified_phone"] == "+79991234567"
    assert me["phone_verified"] is True
    public = (await client.get(f"/api/users/{USER}", headers=auth(USER + 1))).json()
    assert public["phone_verified"] is True
    assert "79991234567" not in str(public)


@pytest.mark.parametrize("owner", [USER + 7, None])
async def test_somebody_elses_contact_is_not_stored(client, settings, bot_api, engine, owner):
    response = await post_update(client, settings, message(USER, contact=contact(owner)))
    assert response.status_code == 200
    assert await scalar(engine, f"SELECT verified_phone FROM users WHERE id = {USER}") is None
    (answer,) = bot_api.messages_to(USER)
    assert "+79991234567" not in answer.params["text"]
    me = (await client.get("/api/users/me", headers=auth(USER))).json()
    assert me["phone_verified"] is False
    assert me["verified_phone"] is None


@given(st.text(max_size=40))
def test_a_stored_phone_is_a_plus_and_5_to_15_digits(phone: str) -> None:
    stored = verified_phone(phone)
    digits = "".join(c for c in phone if c in "0123456789")
    if 5 <= len(digits) <= 15:
        assert stored == f"+{digits}"
    else:
        assert stored is None


async def test_executors_see_the_contact_is_the_verified_phone_before_paying(
    client, settings, bot_api
):
    await post_update(client, settings, message(USER, contact=contact(USER, "+7 999 123 45 67")))
    verified = await create_order(client, USER, contact="+7 (999) 123-45-67")
    other = await create_order(client, USER, contact="@ivan_plumber")
    seen = (await client.get(f"/api/orders/{verified['id']}/client", headers=auth(9))).json()
    assert seen == {
        "rating": None,
        "complaints": "none",
        "contact_verified": True,
        "refund_if_silent_minutes": 15,
    }
    seen = (await client.get(f"/api/orders/{other['id']}/client", headers=auth(9))).json()
    assert seen["contact_verified"] is False
    assert (await client.get("/api/orders/nope/client", headers=auth(9))).status_code == 404
