"""The ``srochno`` command: serve, worker, digest, migrate, initdata, audit, bot, payments,
admin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from srochno.config import ConfigurationError, Settings, load_settings
from srochno.logs import configure_logging

if TYPE_CHECKING:
    from aiogram import Bot

    from srochno.db import Connection, Database
    from srochno.payments.yookassa import YooKassaClient

logger = logging.getLogger("srochno")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as error:
        sys.exit(f"srochno: configuration error: {error}")


def database_url_for_tools() -> str:
    from srochno.embedded import database_url

    settings = _settings()
    # Tools are few and short: a session of their own, never through a pooler.
    return settings.direct_url(database_url(settings))


def _prepare_database(settings: Settings, *, migrate: bool) -> str:
    from srochno.embedded import database_url
    from srochno.migrations import upgrade

    url = database_url(settings)
    if migrate:
        started = time.perf_counter()
        upgrade(settings.direct_url(url))  # its advisory lock and DDL: no pooler
        logger.info(
            "migrations applied", extra={"seconds": round(time.perf_counter() - started, 3)}
        )
    return url


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from srochno.shutdown import grace_seconds

    settings = _settings()
    # Before prometheus_client is imported anywhere: it picks its value store at import.
    from srochno.monitoring.multiprocess import prepare_folder

    prepare_folder(settings.data_dir)
    configure_logging(settings.log_level, settings.logs_as)
    busy = port_taken(args.host, args.port)
    if busy:  # say so now, not after the migrations
        sys.exit(f"srochno serve: cannot listen on {args.host}:{args.port}: {busy}")
    url = _prepare_database(settings, migrate=settings.migrate_on_start and not args.no_migrate)
    # Workers (and the reloader's child) connect to the same database, embedded one included.
    os.environ["DATABASE_URL"] = url
    if args.no_worker:
        os.environ["SERVE_WORKER"] = "false"
    for warning in settings.start_warnings():
        logger.warning(warning)
    if settings.is_development and settings.telegram_bot_token:
        logger.info(
            "development mode: get an Authorization header with "
            '`srochno initdata --user-id 42` and send "Authorization: tma <that string>"; '
            "API docs at http://%s:%d/docs",
            args.host,
            args.port,
        )
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting through SystemExit
    # lets the embedded PostgreSQL be stopped cleanly on the way out.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    uvicorn.run(
        "srochno.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=None if args.reload else args.workers,
        reload=args.reload,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=getattr(args, "forwarded_allow_ips", None)
        or settings.forwarded_allow_ips,
        # Streams end at once on SIGTERM (srochno.shutdown); other requests get this long,
        # less the seconds uvicorn and the lifespan need after it to close down.
        timeout_graceful_shutdown=max(1, int(grace_seconds(settings.shutdown_seconds))),
    )
    fast_exit()  # the supervisor of --workers N, after its workers stopped
    return 0


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (``Address already in use``), or None."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as error:
        return str(error)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as error:
            return error.strerror or str(error)
    return None


def _exit_on_signal(signum: int, frame: object) -> None:
    fast_exit()
    sys.exit(128 + signum)


def fast_exit() -> None:
    """Leave the objects of a stopping process to the operating system: the interpreter's
    last garbage collections over everything the service imported took seconds of a
    graceful stop on a loaded machine (files and exit handlers still run as usual)."""
    import gc

    gc.freeze()


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    configure_logging(settings.log_level, settings.logs_as)
    _prepare_database(settings, migrate=True)
    print("database is at the newest migration")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from srochno.db import Database
    from srochno.orders.auto_close import close_due_orders
    from srochno.worker.run import run_worker

    settings = _settings()
    configure_logging(settings.log_level, settings.logs_as)
    url = _prepare_database(settings, migrate=settings.migrate_on_start)

    async def once() -> None:
        db = await Database.open(url, pool_size=2, pooler=settings.database_pooler)
        try:
            report = await close_due_orders(db, settings)
            print(json.dumps(report.__dict__))
        finally:
            await db.close()

    if args.once:
        asyncio.run(once())
        return 0
    if settings.auto_close_interval_seconds <= 0:
        sys.exit("srochno worker: AUTO_CLOSE_INTERVAL_SECONDS must be > 0")
    logger.info(
        "worker started",
        extra={"interval_seconds": settings.auto_close_interval_seconds},
    )
    asyncio.run(_until_signal(run_worker(settings, url), settings.shutdown_seconds))
    fast_exit()
    return 0


async def _until_signal(work: Awaitable[None], shutdown_seconds: float) -> None:
    """Run ``work`` until SIGTERM or SIGINT, then cancel it: the worker takes no new job,
    finishes those in hand, and the process ends within ``SHUTDOWN_SECONDS`` whatever
    holds it (never an interrupt raised inside a job, half-way through a message)."""
    from srochno.shutdown import exit_by

    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()

    def stop(signum: int) -> None:
        if not task.cancelling():
            logger.info("stopping: jobs in hand finish, %.0f s at most", shutdown_seconds)
            exit_by(shutdown_seconds, 128 + signum)
            task.cancel()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop, signum)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def cmd_digest(args: argparse.Namespace) -> int:
    from srochno.db import Database
    from srochno.notifications.fanout import digest_now

    settings = _tool_settings()
    url = database_url_for_tools()

    async def main() -> int:
        db = await Database.open(url, pool_size=1)
        try:
            async with db.connection() as conn:
                return await digest_now(conn, args.frequency, settings)
        finally:
            await db.close()

    count = asyncio.run(main())
    print(f"{args.frequency} digest: {count} message(s) queued (each (period, user) once)")
    return 0


def cmd_initdata(args: argparse.Namespace) -> int:
    from srochno.auth.telegram import sign_init_data

    settings = _settings()
    if not settings.telegram_bot_token:
        sys.exit(
            "srochno initdata: needs TELEGRAM_BOT_TOKEN (in third-party mode only Telegram "
            "can sign initData)"
        )
    user: dict[str, object] = {"id": args.user_id, "first_name": args.first_name}
    for key in ("last_name", "username", "language_code"):
        value = getattr(args, key)
        if value:
            user[key] = value
    user["allows_write_to_pm"] = True
    fields = {
        "query_id": "AA" + secrets.token_urlsafe(16),
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(time.time())),
    }
    init_data = sign_init_data(fields, settings.telegram_bot_token)
    print(init_data)
    print(f"Authorization: tma {init_data}", file=sys.stderr)
    return 0


def cmd_vapid_keys(args: argparse.Namespace) -> int:
    """A new VAPID key for Web Push: the setting's line, and the public key it gives."""
    from srochno.config import new_vapid_private_key
    from srochno.push.vapid import public_key, signer_of

    key = new_vapid_private_key()
    print(f"VAPID_PRIVATE_KEY={key}")
    print(f"# public key (GET /api/push/key answers it): {public_key(signer_of(key))}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from srochno.db import create_engine
    from srochno.ledger.audit import audit

    settings = _settings()
    url = database_url_for_tools()

    async def main() -> bool:
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.connect() as connection:
                result = await audit(connection, settings.max_executors_per_order)
        finally:
            await engine.dispose()
        for name in result.checked:
            mark = "FAIL" if name in result.violations else "ok"
            print(f"[{mark:>4}] {name}")
            for row in result.violations.get(name, []):
                print(f"         {json.dumps(row, default=str, ensure_ascii=False)}")
        print("audit: clean" if result.ok else f"audit: {len(result.violations)} check(s) failed")
        return result.ok

    return 0 if asyncio.run(main()) else 1


@asynccontextmanager
async def _bot_and_database(settings: Settings, url: str) -> AsyncIterator[tuple[Bot, Database]]:
    from srochno.db import Database
    from srochno.telegram.client import create_bot

    bot = create_bot(settings)
    if bot is None:
        sys.exit("srochno: needs TELEGRAM_BOT_TOKEN")
    db = await Database.open(url, pool_size=1)
    try:
        yield bot, db
    finally:
        await bot.session.close()
        await db.close()


def _tool_settings() -> Settings:
    settings = _settings()
    configure_logging(settings.log_level, settings.logs_as)
    return settings


def cmd_bot_setup(args: argparse.Namespace) -> int:
    from srochno.bot.setup import set_up_bot
    from srochno.telegram.client import create_bot

    settings = _tool_settings()
    bot = create_bot(settings)
    if bot is None:
        sys.exit("srochno bot setup: needs TELEGRAM_BOT_TOKEN")

    async def main() -> list[str]:
        try:
            return await set_up_bot(bot, settings)
        finally:
            await bot.session.close()

    try:
        done = asyncio.run(main())
    except Exception as error:  # a Bot API refusal: say what Telegram said
        print(f"srochno bot setup: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    for line in done:
        print(line)
    if settings.uses_generated_token:
        print("(development token: nothing was sent to Telegram)")
    return 0


def cmd_bot_poll(args: argparse.Namespace) -> int:
    from srochno.bot.dispatcher import build_dispatcher
    from srochno.bot.polling import PollerBusy, poll

    settings = _tool_settings()
    if settings.uses_generated_token:
        sys.exit(
            "srochno bot poll: the generated development token is no bot at Telegram; "
            "set TELEGRAM_BOT_TOKEN to a test bot's token from @BotFather"
        )
    url = _prepare_database(settings, migrate=settings.migrate_on_start)

    async def main() -> None:
        # The poller's session advisory lock: no pooler.
        async with _bot_and_database(settings, settings.direct_url(url)) as (bot, db):
            await poll(db, bot, build_dispatcher(), settings, poll_seconds=args.timeout)

    try:
        asyncio.run(main())
    except PollerBusy as error:
        print(f"srochno bot poll: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def cmd_payments_refund(args: argparse.Namespace) -> int:
    from srochno import clock
    from srochno.payments.errors import RefundFailed, RefundRefused
    from srochno.payments.refunds import refund_charge

    settings = _tool_settings()
    url = database_url_for_tools()

    async def main() -> int:
        async with _bot_and_database(settings, url) as (bot, db):
            try:
                async with db.transaction() as conn:
                    refund = await refund_charge(conn, bot, args.charge_id, clock.now())
            except RefundRefused as error:
                print(f"refused: {error}", file=sys.stderr)
                return 1
            except RefundFailed as error:  # Telegram refused or failed: nothing was recorded
                print(f"failed: {error}: {error.__cause__}", file=sys.stderr)
                return 1
        print(
            f"refunded {refund.telegram_payment_charge_id}: -{refund.debited_rub} ₽ "
            f"from user {refund.user_id}, balance {refund.balance} ₽"
        )
        return 0

    return asyncio.run(main())


@asynccontextmanager
async def _yookassa_and_database(
    settings: Settings, url: str
) -> AsyncIterator[tuple[YooKassaClient, Database]]:
    from srochno.db import Database
    from srochno.payments.yookassa import YooKassaClient

    if not settings.yookassa_enabled:
        sys.exit("srochno: needs YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY")
    client = YooKassaClient(settings)
    db = await Database.open(url, pool_size=1)
    try:
        yield client, db
    finally:
        await client.close()
        await db.close()


def cmd_payments_refund_topup(args: argparse.Namespace) -> int:
    from srochno import clock
    from srochno.errors import AppError
    from srochno.payments.topup_refunds import refund_topup

    settings = _tool_settings()
    url = database_url_for_tools()

    async def main() -> int:
        async with _yookassa_and_database(settings, url) as (client, db):
            try:
                async with db.transaction() as conn:
                    refund = await refund_topup(
                        conn, client, settings.yookassa_vat_code, args.topup_id, clock.now()
                    )
            except AppError as error:  # refused (nothing called) or failed (nothing recorded)
                print(f"{error.code}: {error}", file=sys.stderr)
                return 1
        print(
            f"refunded top-up {refund.topup_id}: -{refund.debited_rub} ₽ "
            f"from user {refund.user_id}, balance {refund.balance} ₽"
        )
        return 0

    return asyncio.run(main())


def cmd_payments_reconcile(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from srochno.payments.reconcile import reconcile

    settings = _tool_settings()
    url = database_url_for_tools()
    if args.provider == "yookassa":
        return _reconcile_yookassa(settings, url, apply=args.apply)

    async def main() -> int:
        async with _bot_and_database(settings, url) as (bot, db):
            report = await reconcile(db, bot, settings, apply=args.apply)
        print(json.dumps(asdict(report), indent=2))
        print("reconcile: clean" if report.clean else "reconcile: differences found")
        return 0 if report.clean else 1

    return asyncio.run(main())


def _reconcile_yookassa(settings: Settings, url: str, *, apply: bool) -> int:
    from dataclasses import asdict

    from srochno.payments.topup_reconcile import reconcile_topups

    async def main() -> int:
        async with _yookassa_and_database(settings, url) as (client, db):
            report = await reconcile_topups(db, client, apply=apply)
        print(json.dumps(asdict(report), indent=2))
        print("reconcile: clean" if report.clean else "reconcile: differences found")
        return 0 if report.clean else 1

    return asyncio.run(main())


def cmd_admin_create(args: argparse.Namespace) -> int:
    import getpass

    from srochno.db import Database
    from srochno.enums import AdminRole
    from srochno.errors import AppError
    from srochno.staff.service import create_operator

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Once more: ") != password:
            sys.exit("srochno admin create: the passwords differ")
    url = database_url_for_tools()

    async def main() -> None:
        db = await Database.open(url, pool_size=1)
        try:
            async with db.transaction() as conn:
                operator = await create_operator(
                    conn, args.name, AdminRole(args.role), password, reset=args.reset
                )
        finally:
            await db.close()
        print(f"operator {operator.name!r} ({operator.role}) can sign in at /admin")

    try:
        asyncio.run(main())
    except AppError as error:
        sys.exit(f"srochno admin create: {error.detail}")
    return 0


def _run_admin(action: str, work: Callable[[Connection], Awaitable[str]]) -> int:
    from srochno.db import Database
    from srochno.errors import AppError

    url = database_url_for_tools()

    async def main() -> str:
        db = await Database.open(url, pool_size=1)
        try:
            async with db.transaction() as conn:
                return await work(conn)
        finally:
            await db.close()

    try:
        print(asyncio.run(main()))
    except AppError as error:
        sys.exit(f"srochno admin {action}: {error.detail}")
    return 0


def cmd_admin_list(args: argparse.Namespace) -> int:
    from srochno.staff.accounts import list_operators

    async def work(conn: Connection) -> str:
        rows = await list_operators(conn)
        lines = [f"{'name':<24} {'role':<10} {'state':<9} last sign-in"]
        for row in rows:
            state = "disabled" if row["disabled_at"] else "active"
            last = (
                row["last_sign_in_at"].isoformat(timespec="seconds")
                if row["last_sign_in_at"]
                else "never"
            )
            lines.append(f"{row['name']:<24} {row['role']:<10} {state:<9} {last}")
        return "\n".join(lines)

    return _run_admin("list", work)


def cmd_admin_disable(args: argparse.Namespace) -> int:
    from srochno.staff.accounts import set_disabled

    async def work(conn: Connection) -> str:
        await set_disabled(conn, args.name, disabled=not args.enable)
        done = "enabled" if args.enable else "disabled (signed out at its next request)"
        return f"operator {args.name!r} {done}"

    return _run_admin("disable", work)


def cmd_admin_role(args: argparse.Namespace) -> int:
    from srochno.enums import AdminRole
    from srochno.staff.accounts import set_role

    async def work(conn: Connection) -> str:
        await set_role(conn, args.name, AdminRole(args.role))
        return f"operator {args.name!r} is now {args.role}"

    return _run_admin("role", work)


def build_parser() -> argparse.ArgumentParser:
    from srochno import __version__

    parser = argparse.ArgumentParser(prog="srochno", description=__doc__)
    parser.add_argument("--version", action="version", version=f"srochno {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="apply migrations and serve the API",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (one runs the in-process worker, see --no-worker)",
    )
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate at start-up")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="no in-process worker (run `srochno worker` separately)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=argparse.SUPPRESS,  # unset: the setting (its default is shown there)
        help="proxies trusted for X-Forwarded-* headers (default: FORWARDED_ALLOW_IPS)",
    )
    serve.set_defaults(run=cmd_serve)

    worker = commands.add_parser(
        "worker", help="send the notifications; run auto-close, reminders, digests, clean-ups"
    )
    worker.add_argument("--once", action="store_true", help="one auto-close pass, then exit")
    worker.set_defaults(run=cmd_worker)

    digest = commands.add_parser("digest", help="queue the hourly or daily digest now")
    digest.add_argument("frequency", choices=["hourly", "daily"])
    digest.set_defaults(run=cmd_digest)

    migrate = commands.add_parser("migrate", help="upgrade the database to the newest schema")
    migrate.set_defaults(run=cmd_migrate)

    initdata = commands.add_parser("initdata", help="print a signed initData for development")
    initdata.add_argument("--user-id", type=int, required=True)
    initdata.add_argument("--first-name", default="Dev")
    initdata.add_argument("--last-name")
    initdata.add_argument("--username")
    initdata.add_argument("--language-code", default="ru")
    initdata.set_defaults(run=cmd_initdata)

    vapid = commands.add_parser(
        "vapid-keys", help="print a new VAPID key for Web Push (the VAPID_PRIVATE_KEY line)"
    )
    vapid.set_defaults(run=cmd_vapid_keys)
    audit = commands.add_parser("audit", help="check every ledger invariant")
    audit.set_defaults(run=cmd_audit)

    bot = commands.add_parser("bot", help="the Telegram bot").add_subparsers(
        dest="bot_command", required=True
    )
    setup = bot.add_parser("setup", help="set the webhook, the commands and the menu button")
    setup.set_defaults(run=cmd_bot_setup)
    poll = bot.add_parser("poll", help="serve updates by long polling (development)")
    poll.add_argument("--timeout", type=int, default=30, help="seconds of one long poll")
    poll.set_defaults(run=cmd_bot_poll)

    payments = commands.add_parser(
        "payments", help="Telegram Stars payments and YooKassa top-ups"
    ).add_subparsers(dest="payments_command", required=True)
    refund = payments.add_parser("refund", help="refund a Stars charge and debit its credit")
    refund.add_argument("charge_id", help="telegram_payment_charge_id")
    refund.set_defaults(run=cmd_payments_refund)
    reconcile = payments.add_parser(
        "reconcile",
        help="compare the provider's payments (Stars transactions, YooKassa payments) "
        "with the recorded ones",
    )
    reconcile.add_argument("--apply", action="store_true", help="credit the charges we missed")
    reconcile.add_argument(
        "--provider",
        choices=["stars", "yookassa"],
        default="stars",
        help="Telegram Stars (default) or YooKassa's payments against the top-ups",
    )
    reconcile.set_defaults(run=cmd_payments_reconcile)
    refund_topup = payments.add_parser(
        "refund-topup", help="refund a YooKassa top-up and debit its credit"
    )
    refund_topup.add_argument(
        "topup_id",
        help="the top-up's id (an older one starting with '-' goes after '--')",
    )
    refund_topup.set_defaults(run=cmd_payments_refund_topup)
    admin = commands.add_parser("admin", help="operators of the admin panel")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_commands.add_parser("create", help="create an operator account")
    create.add_argument("name")
    create.add_argument("--role", choices=["admin", "moderator"], required=True)
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.add_argument(
        "--reset", action="store_true", help="if the name exists, set its password and role"
    )
    create.set_defaults(run=cmd_admin_create)
    listing = admin_commands.add_parser("list", help="every operator: role, state, last sign-in")
    listing.set_defaults(run=cmd_admin_list)
    disable = admin_commands.add_parser(
        "disable", help="disable an operator (signed out at once); --enable undoes it"
    )
    disable.add_argument("name")
    disable.add_argument("--enable", action="store_true", help="enable the account again")
    disable.set_defaults(run=cmd_admin_disable)
    role = admin_commands.add_parser("role", help="change an operator's role")
    role.add_argument("name")
    role.add_argument("role", choices=["admin", "moderator"])
    role.set_defaults(run=cmd_admin_role)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
