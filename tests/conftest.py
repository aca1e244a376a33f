"""Test fixtures: a real PostgreSQL for the whole run (embedded by default, or a throwaway
database on the server named by ``TEST_DATABASE_URL``), schema built by the migrations,
tables emptied before each test.

Hypothesis explores new examples on every local run. With ``CI`` set, the ``ci`` profile makes
a run repeatable: the examples come from each test's own fixed seed (derandomize) and no
example database is read or written, so a run depends on neither luck nor a previous run.
``HYPOTHESIS_PROFILE`` picks a profile explicitly."""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno import clock
from srochno.app import create_app
from srochno.config import Settings
from srochno.embedded import drop_database
from srochno.state import app_engine
from tests import testrun
from tests.fakebotapi import FakeBotAPI
from tests.fakeyookassa import YOOKASSA_ADDRESS_V4, FakeYooKassa
from tests.helpers import TEST_BOT_TOKEN
from tests.mailserver import MailServer
from tests.pgbouncer import run_pgbouncer
from tests.reset import DatabaseReset

UNREACHABLE_BOT_API = "http://127.0.0.1:9"
"""Nothing listens there: an app built without the fake Bot API never reaches Telegram."""

GENEROUS_LIMITS = {
    "rate_create_per_hour": 1_000_000,
    "rate_take_per_minute": 1_000_000,
    "rate_invoice_per_minute": 1_000_000,
    "rate_ip_per_minute": 1_000_000,
    "max_active_orders_per_client": 1_000_000,
}

# The test processes allocate in bursts (Hypothesis' and Schemathesis' examples, an
# application per test): with fewer young-generation collections they spend about 7 % less
# CPU, and the run's memory allows the garbage to wait a little longer.
gc.set_threshold(10_000, 50, 100)

hypothesis_settings.register_profile(
    "ci",
    hypothesis_settings.get_profile("default"),
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,  # a shared, loaded machine: time is for the benchmarks, not the tests
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and getattr(config.option, "testrunuid", "") is None:
        # The xdist controller: the id its workers get, so they find the run's shared parts.
        config.option.testrunuid = uuid.uuid4().hex


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        testrun.finish(testrun.run_id(config), os.environ.get("TEST_DATABASE_URL"))


LONG_FIRST = (
    "tests/model/",
    "tests/bot/test_models_on_demand.py",
    "tests/faults/test_server_kill.py",
    "tests/operating/test_restore_drill.py",
)
"""Modules of single tests that take a minute or more on a busy machine: handed out first,
they do not leave one worker busy while the others have finished."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests sharing a server of a module (or of a folder) run in one xdist worker; the
    longest single tests come first (xdist hands out groups by size, then the rest in
    this order). Whole modules move: a module's tests stay together."""
    top = Path(__file__).parent.relative_to(config.rootpath).as_posix()
    for item in items:
        group = testrun.shared_group(item, top)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_FIRST))


@pytest.fixture(scope="session")
def run_dir(request: pytest.FixtureRequest) -> Path:
    """A folder of this test run, shared by its xdist workers."""
    return testrun.run_dir(testrun.run_id(request.config))


@pytest.fixture(scope="session")
def server_url(run_dir: Path) -> Iterator[str]:
    """A maintenance URL of the PostgreSQL server the tests use: ``TEST_DATABASE_URL``, or
    an embedded server of the run, started by the first worker that needs it."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    try:
        yield testrun.join_embedded(run_dir)
    finally:
        testrun.leave_embedded(run_dir)


@pytest.fixture(scope="session")
async def database_url(server_url: str, run_dir: Path) -> AsyncIterator[str]:
    """A database of this worker alone, a copy of the run's migrated template."""
    template = await asyncio.to_thread(testrun.migrated_template, server_url, run_dir)
    name = f"srochno_test_{uuid.uuid4().hex[:12]}"
    url = await testrun.copy_database(server_url, template, name)
    try:
        yield url
    finally:
        await drop_database(server_url, name)


@pytest.fixture(scope="session")
def pgbouncer_url(database_url: str) -> Iterator[str]:
    """This worker's database through a real PgBouncer in transaction mode (skipped without
    the ``pgbouncer`` binary, a failure under ``CI``)."""
    with run_pgbouncer(database_url) as url:
        yield url


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "development",
        "database_url": database_url,
        "telegram_bot_token": TEST_BOT_TOKEN,
        "dev_recharge": True,  # a fixed test token, not the generated one
        "auto_close_interval_seconds": 0,
        "log_level": "WARNING",
        "telegram_api_url": UNREACHABLE_BOT_API,
        # A burst of concurrent requests on a busy machine waits for a connection rather than
        # being told "busy" (tests/operating/test_busy.py sets its own short wait).
        "db_pool_timeout_seconds": 60,
        # Twenty connections opened at once by a race test on a saturated machine.
        "db_connect_timeout_seconds": 30,
        # The limits run (their statement on every request) but no other test trips them.
        **GENEROUS_LIMITS,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def fake_bot_api() -> Iterator[FakeBotAPI]:
    """The fake Bot API server of the whole run (see :mod:`tests.fakebotapi`)."""
    api = FakeBotAPI()
    api.start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def bot_api(fake_bot_api: FakeBotAPI) -> FakeBotAPI:
    """The fake Bot API with no calls recorded and nothing programmed."""
    fake_bot_api.reset()
    return fake_bot_api


@pytest.fixture(scope="session")
def settings(database_url: str, fake_bot_api: FakeBotAPI) -> Settings:
    return make_settings(database_url, telegram_api_url=fake_bot_api.url)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings, run_jobs=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def engine(app: FastAPI) -> AsyncEngine:
    engine: AsyncEngine = app_engine(app)
    return engine


@pytest.fixture(scope="session")
def database_reset(database_url: str) -> Iterator[DatabaseReset]:
    """Connects on the first reset (on the session's event loop)."""
    reset = DatabaseReset(database_url)
    try:
        yield reset
    finally:
        reset.terminate()


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    clock.reset()
    if "database_url" in request.fixturenames or "app" in request.fixturenames:
        reset: DatabaseReset = request.getfixturevalue("database_reset")
        await reset()
    yield
    clock.reset()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as c:
        yield c


@pytest.fixture
def override_settings(app: FastAPI) -> Iterator[Any]:
    """Change settings for one test: ``override_settings(take_price=5)``."""
    original: Settings = app.state.settings

    def apply(**changes: Any) -> Settings:
        app.state.settings = original.model_copy(update=changes)
        return app.state.settings

    yield apply
    app.state.settings = original


# --- YooKassa: the fake, the service pointed at it, notifications from its addresses ---


@pytest.fixture(scope="session")
def fake_yookassa() -> Iterator[FakeYooKassa]:
    kassa = FakeYooKassa()
    kassa.start()
    try:
        yield kassa
    finally:
        kassa.stop()


@pytest.fixture
def kassa(fake_yookassa: FakeYooKassa) -> FakeYooKassa:
    """The fake YooKassa with nothing recorded and nothing programmed."""
    fake_yookassa.reset()
    return fake_yookassa


@pytest.fixture
def topups_on(override_settings: Any, kassa: FakeYooKassa) -> Settings:
    """The shared application with top-ups configured against the fake."""
    settings: Settings = override_settings(**kassa.settings())
    return settings


ClientFrom = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_from(app: FastAPI) -> ClientFrom:
    """``async with client_from("2a02:5180::15") as c``: requests that reach the
    application from that address (as uvicorn would have resolved it)."""

    @asynccontextmanager
    async def make(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 443))
        async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as c:
            yield c

    return make


@pytest.fixture
async def from_yookassa(client_from: ClientFrom) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from(YOOKASSA_ADDRESS_V4) as client:
        yield client


# --- E-mail: a real SMTP server on loopback ---


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail(mail_server: MailServer) -> MailServer:
    """The loopback SMTP server with nothing received and nobody refused."""
    mail_server.reset()
    return mail_server


@pytest.fixture
def email_on(override_settings: Any, mail: MailServer) -> Settings:
    """The shared application sending e-mail to the loopback SMTP server."""
    settings: Settings = override_settings(
        smtp_url=mail.url, email_from="Srochno <no-reply@srochno.test>"
    )
    return settings
