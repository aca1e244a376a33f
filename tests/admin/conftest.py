"""An operator's browser: signs in through the login form, then calls the admin's
actions the way its pages do (POST with the CSRF token from its cookie)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from srochno.enums import AdminRole
from srochno.staff.service import create_operator

PASSWORD = "correct horse battery"
CSRF_COOKIE = "starlette_admin_csrftoken"
CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')


class AdminBrowser:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def login(self, name: str, password: str = PASSWORD) -> httpx.Response:
        page = await self.client.get("/admin/login")
        match = CSRF_FIELD.search(page.text)
        assert match, page.text[:500]
        return await self.client.post(
            "/admin/login",
            data={"username": name, "password": password, "csrftoken": match.group(1)},
        )

    @property
    def csrf(self) -> str:
        token = self.client.cookies.get(CSRF_COOKIE)
        assert token, "no CSRF cookie yet: load a page first"
        return token

    async def logout(self) -> httpx.Response:
        return await self.client.post("/admin/logout", headers={"X-CSRFToken": self.csrf})

    async def row_action(self, key: str, pk: Any, name: str, **form: str) -> httpx.Response:
        return await self.client.post(
            f"/admin/_api/{key}/row-action",
            params={"pk": str(pk), "name": name},
            data=form,
            headers={"X-CSRFToken": self.csrf},
        )

    async def act(self, key: str, pk: Any, name: str, **form: str) -> None:
        """An action that must succeed."""
        response = await self.row_action(key, pk, name, **form)
        assert response.status_code == 200, response.text
        assert "redirect" in response.json()

    async def refused(self, key: str, pk: Any, name: str, **form: str) -> str:
        """An action that must be refused; its message."""
        response = await self.row_action(key, pk, name, **form)
        assert response.status_code == 400, response.text
        message: str = response.json()["msg"]
        return message


@pytest.fixture
async def operators(app: FastAPI) -> dict[str, int]:
    ids = {}
    async with app.state.db.transaction() as conn:
        for name, role in (("boss", AdminRole.admin), ("mod", AdminRole.moderator)):
            ids[name] = (await create_operator(conn, name, role, PASSWORD)).id
    return ids


async def _browser(app: FastAPI) -> AsyncIterator[AdminBrowser]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as client:
        yield AdminBrowser(client)


@pytest.fixture
async def browser(app: FastAPI, operators: dict[str, int]) -> AsyncIterator[AdminBrowser]:
    async for b in _browser(app):
        yield b


@pytest.fixture
async def boss(app: FastAPI, operators: dict[str, int]) -> AsyncIterator[AdminBrowser]:
    async for b in _browser(app):
        assert (await b.login("boss")).status_code == 303
        yield b


@pytest.fixture
async def mod(app: FastAPI, operators: dict[str, int]) -> AsyncIterator[AdminBrowser]:
    async for b in _browser(app):
        assert (await b.login("mod")).status_code == 303
        yield b
