"""A server process loads what it serves: the admin (starlette-admin, SQLAlchemy's async
layer and its engine) on the first request under ``/admin``, aiogram's models when one is
first used, the push's HTTP libraries on the first push; the API answers without any of
them (SPEC §22, a lean worker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.conftest import TEST_BOT_TOKEN

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    import httpx
    from pydantic import BaseModel
    from srochno.app import create_app
    from srochno.config import Settings
    import aiogram.methods, aiogram.types

    def built() -> list[str]:
        return [
            name
            for package in (aiogram.types, aiogram.methods)
            for name in package.__all__
            if isinstance(getattr(package, name), type)
            and issubclass(getattr(package, name), BaseModel)
            and getattr(package, name).__pydantic_complete__
        ]

    LOADED = ("starlette_admin", "sqlalchemy.ext.asyncio", "requests", "pywebpush")

    async def main() -> dict:
        settings = Settings(
            _env_file=None,
            environment="development",
            database_url=sys.argv[1],
            telegram_bot_token=sys.argv[2],
            telegram_api_url="http://127.0.0.1:9",
            auto_close_interval_seconds=0,
        )
        app = create_app(settings, run_jobs=False)
        seen = {}
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                api = [
                    (await client.get(path)).status_code
                    for path in ("/api/orders", "/health", "/api/push/key")
                ]
                seen["api"] = api
                seen["after_api"] = [name for name in LOADED if name in sys.modules]
                seen["models_after_api"] = built()
                seen["engine_after_api"] = app.state.engine is not None
                admin = (await client.get("/admin/login")).status_code
                seen["admin"] = admin
                seen["after_admin"] = [name for name in LOADED if name in sys.modules]
                seen["engine_after_admin"] = app.state.engine is not None
        return seen

    print(json.dumps(asyncio.run(main())))
    """
)


def test_the_api_answers_without_the_admin_or_aiogram_s_models(database_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, database_url, TEST_BOT_TOKEN],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["api"] == [200, 200, 200]
    # Nor requests and pywebpush (a push's HTTP half, the worker's on its first push).
    assert seen["after_api"] == []
    # Of ~590 models, the bot's defaults and the methods' generic bases (aiogram builds
    # them all on import).
    assert len(seen["models_after_api"]) < 10, seen["models_after_api"]
    assert seen["engine_after_api"] is False
    # The first request under /admin builds it: its sign-in page answers.
    assert seen["admin"] == 200
    assert seen["after_admin"] == ["starlette_admin", "sqlalchemy.ext.asyncio"]
