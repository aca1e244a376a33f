"""Contact protection through the API: where a refusal points, the whole-order check,
the city's rule and the published Telegram names."""

from __future__ import annotations

from tests.helpers import ORDER, auth, create_order, recharge, take

OWNER, EXEC = 1100, 1201
NAME_WITH_CONTACT = "Иван +7 999 123-45-67 @ivan_petrov"


async def refusal(client, json, *, method="POST", url="/api/orders", user=OWNER):
    response = await client.request(method, url, json=json, headers=auth(user))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "contact_in_description"
    assert len(body["detail"]) < 400
    return body


async def test_refusal_names_the_field_the_kind_and_the_span(client):
    description = "  Нужен сантехник, звоните +7 999 123-45-67 после обеда  "
    body = await refusal(client, {**ORDER, "description": description})
    trimmed = description.strip()
    assert body["field"] == "description"
    assert body["kind"] == "phone"
    assert trimmed[body["start"] : body["end"]] == "+7 999 123-45-67"
    assert "description" in body["detail"]
    assert "+7 999 123-45-67" in body["detail"]


async def test_each_kind_is_named(client):
    cases = {
        "Пишите в телеге → ivan_petrov, отвечу быстро": "handle",
        "Фото работ: hxxps://master[.]ru/works": "link",
        "Пишите на ivan собака gmail точка com": "email",
        "Пишите 4420794609580 для связи, спасибо": "long_number",
    }
    for description, kind in cases.items():
        body = await refusal(client, {**ORDER, "description": description})
        assert body["kind"] == kind, description
        assert body["end"] > body["start"]


async def test_refusal_never_echoes_more_than_200_characters(client):
    description = "Пишите " + "8" * 1500 + " срочно"
    body = await refusal(client, {**ORDER, "description": description})
    assert len(body["detail"]) < 400
    assert "8" * 200 not in body["detail"]


async def test_a_phone_split_between_city_and_description_is_refused(client):
    body = await refusal(
        client,
        {
            **ORDER,
            "city": "Москва восемь девятьсот девяносто девять",
            "description": "Нужен сантехник, 1234567 звоните",
        },
    )
    assert body["field"] == "description"
    assert body["kind"] == "phone"
    assert "city" in body["detail"]


async def test_city_is_a_place_name(client):
    for city in ("Москва +7 999", "Москва @ivan", "Москва 2"):
        response = await client.post(
            "/api/orders", json={**ORDER, "city": city}, headers=auth(OWNER)
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert "place name" in response.text
    body = await refusal(client, {**ORDER, "city": "master.ru"})
    assert body["field"] == "city"
    assert body["kind"] == "link"
    for city in ("Санкт-Петербург", "Ростов-на-Дону", "Кот-д'Ивуар", "St. Louis"):
        await create_order(client, OWNER, city=city)


async def test_edit_is_checked_together_with_the_stored_city(client):
    order = await create_order(client, OWNER, city="Москва")
    body = await refusal(
        client,
        {"description": "Звоните по номеру 8 999 123 45 67 сразу"},
        method="PUT",
        url=f"/api/orders/{order['id']}",
    )
    assert body["field"] == "description"


async def test_review_comment_refusal_names_the_comment(client):
    order = await create_order(client, OWNER)
    await recharge(client, EXEC, 10)
    assert (await take(client, order["id"], EXEC)).status_code == 200
    body = await refusal(
        client,
        {
            "order_id": order["id"],
            "executor_id": EXEC,
            "rating": 5,
            "comment": "Отличный мастер, vk com/ivan_master",
        },
        url="/api/reviews/client",
    )
    assert body["field"] == "comment"
    assert body["kind"] == "link"


async def test_a_telegram_name_is_published_without_its_contact(client):
    headers = auth(OWNER, first_name=NAME_WITH_CONTACT)
    order = await create_order(client, OWNER)
    me = (await client.get("/api/users/me", headers=headers)).json()
    assert me["first_name"] == NAME_WITH_CONTACT  # one's own profile is one's own
    public = (await client.get(f"/api/users/{OWNER}")).json()
    assert public["first_name"] == "Иван"
    await recharge(client, EXEC, 10)
    assert (await take(client, order["id"], EXEC)).status_code == 200
    review = {"order_id": order["id"], "executor_id": EXEC, "rating": 5, "comment": "Спасибо"}
    response = await client.post("/api/reviews/client", json=review, headers=headers)
    assert response.status_code == 201, response.text
    listed = (await client.get("/api/reviews", params={"executor_id": EXEC})).json()
    assert [item["author_name"] for item in listed["items"]] == ["Иван"]


async def test_openapi_documents_where_a_refusal_points(client):
    document = (await client.get("/openapi.json")).json()
    shapes = document["paths"]["/api/orders"]["post"]["responses"]["422"]["content"][
        "application/json"
    ]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/ContactErrorResponse"} in shapes
    model = document["components"]["schemas"]["ContactErrorResponse"]
    assert {"detail", "code", "field", "start", "end", "kind"} <= set(model["required"])
    assert set(model["properties"]["kind"]["enum"]) == {
        "phone",
        "handle",
        "link",
        "email",
        "long_number",
    }
    city = document["components"]["schemas"]["OrderCreate"]["properties"]["city"]
    assert "pattern" in city
