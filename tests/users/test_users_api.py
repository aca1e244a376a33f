"""Users through the HTTP API: upsert on each request, profile, preferences, public view."""

from __future__ import annotations

from sqlalchemy import text

from srochno.catalog import normalize_city
from tests.helpers import auth, init_data, scalar


async def test_first_request_creates_the_profile(client):
    response = await client.get(
        "/api/users/me",
        headers=auth(
            42, first_name="Иван", last_name="Петров", username="ivan", language_code="ru"
        ),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == 42
    assert body["first_name"] == "Иван"
    assert body["last_name"] == "Петров"
    assert body["username"] == "ivan"
    assert body["balance"] == 0
    assert body["average_rating"] is None
    assert body["reviews_count"] == 0
    assert body["completed_orders_count"] == 0
    assert body["complaints_count"] == 0
    assert body["subscribed_categories"] == []
    assert body["notification_frequency"] == "instant"


async def test_profile_refreshed_when_telegram_data_changes(client, engine):
    await client.get("/api/users/me", headers=auth(7, first_name="Old"))
    response = await client.get("/api/users/me", headers=auth(7, first_name="New", is_premium=True))
    assert response.json()["first_name"] == "New"
    assert await scalar(engine, "SELECT is_premium FROM users WHERE id = 7") is True


async def test_unchanged_profile_is_not_written(client, engine):
    headers = auth(8, first_name="Same")
    await client.get("/api/users/me", headers=headers)
    before = await scalar(engine, "SELECT xmin::text FROM users WHERE id = 8")
    for _ in range(3):
        assert (await client.get("/api/users/me", headers=headers)).status_code == 200
    after = await scalar(engine, "SELECT xmin::text FROM users WHERE id = 8")
    assert before == after  # no new row version: nothing was written


async def test_telegram_ids_above_2_31(client):
    big = 2**40 + 5
    response = await client.get("/api/users/me", headers=auth(big))
    assert response.status_code == 200
    assert response.json()["id"] == big
    public = await client.get(f"/api/users/{big}")
    assert public.status_code == 200


async def test_public_profile_has_no_balance(client):
    await client.get("/api/users/me", headers=auth(9))
    response = await client.get("/api/users/9")
    assert response.status_code == 200
    body = response.json()
    assert "balance" not in body
    assert "subscribed_cities" not in body
    assert body["average_rating"] is None
    # A client's handle would bypass the paid contact: only these fields are public.
    assert set(body) == {
        "id",
        "first_name",
        "photo_url",
        "completed_orders_count",
        "average_rating",
        "reviews_count",
        "complaints_count",
        "created_at",
        "phone_verified",  # the badge only (SPEC §21)
    }


async def test_unknown_user_is_404(client):
    response = await client.get("/api/users/123456")
    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


async def test_user_id_out_of_range_is_422_not_500(client):
    response = await client.get(f"/api/users/{2**64}")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_preferences(client):
    response = await client.put(
        "/api/users/me/preferences",
        json={
            "categories": ["plumbing", "locksmith", "plumbing"],
            "cities": [" Москва ", "москва", "Казань", "Санкт  Петербург", "санкт петербург"],
        },
        headers=auth(10),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["subscribed_categories"] == ["plumbing", "locksmith"]
    # Stored by the one city key that orders use too: normalised, each once.
    assert body["subscribed_cities"] == ["москва", "казань", "санкт петербург"]
    assert body["subscribed_cities"] == [
        normalize_city(c) for c in ("Москва", "Казань", "Санкт Петербург")
    ]


async def test_unknown_category_is_422(client):
    response = await client.put(
        "/api/users/me/preferences", json={"categories": ["nope"], "cities": []}, headers=auth(10)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert isinstance(response.json()["detail"], list)


async def test_notification_settings(client):
    response = await client.put(
        "/api/users/me/notification-settings", json={"frequency": "daily"}, headers=auth(11)
    )
    assert response.status_code == 200
    assert response.json()["notification_frequency"] == "daily"
    bad = await client.put(
        "/api/users/me/notification-settings", json={"frequency": "weekly"}, headers=auth(11)
    )
    assert bad.status_code == 422


async def test_categories_catalog(client):
    response = await client.get("/api/categories")
    assert response.status_code == 200
    categories = response.json()
    assert 10 <= len(categories) <= 15
    assert {"slug": "plumbing", "title": "Сантехника"} in categories


async def test_banned_user_gets_403(client, engine):
    await client.get("/api/users/me", headers=auth(13))
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET is_banned = true WHERE id = 13"))
    response = await client.get("/api/users/me", headers=auth(13))
    assert response.status_code == 403
    assert response.json()["code"] == "user_banned"


async def test_nul_characters_in_profile_do_not_break_the_request(client):
    raw = init_data(14, first_name="A\x00B")
    response = await client.get("/api/users/me", headers={"Authorization": f"tma {raw}"})
    assert response.status_code == 200
    assert response.json()["first_name"] == "AB"
