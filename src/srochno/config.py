"""Settings, read from the environment and an optional ``.env`` file."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

MIN_SECRET_KEY_LENGTH = 32

YOOKASSA_NETWORKS = (
    "185.71.76.0/27",
    "185.71.77.0/27",
    "77.75.153.0/25",
    "77.75.156.11/32",
    "77.75.156.35/32",
    "77.75.154.128/25",
    "2a02:5180::/32",
)
"""The networks YooKassa sends its HTTP notifications from, as YooKassa publishes them."""

PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "push.services.mozilla.com",
    "notify.windows.com",
    "push.apple.com",
)
"""The push services of Chrome/Edge-on-Android (FCM), Firefox (autopush), Edge (WNS) and
Safari (APNs web push): an endpoint's host is one of them or below one."""


class Environment(StrEnum):
    development = "development"
    production = "production"


class ConfigurationError(RuntimeError):
    """The settings do not allow the service to start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    environment: Environment = Environment.development
    database_url: str | None = None
    database_direct_url: str | None = None
    """``DATABASE_DIRECT_URL``: a connection straight to the primary for what needs a session
    of its own (LISTEN, session advisory locks, the queue's listener, migrations); unset,
    ``DATABASE_URL``. Set it when ``DATABASE_URL`` points at a pooler (PgBouncer)."""
    database_pooler: Literal["none", "transaction"] = "none"
    """``DATABASE_POOLER``: ``transaction`` when ``DATABASE_URL`` is a PgBouncer in transaction
    mode that does not keep protocol-level prepared statements (before 1.21, or without
    ``max_prepared_statements``): asyncpg's statement cache is then off and no named
    prepared statement is made."""
    database_replica_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """``DATABASE_REPLICA_URLS``: hot standbys (comma-separated URLs) that serve the public
    list, the public order and the streams' replays."""
    replica_max_lag_seconds: float = Field(default=5, gt=0, le=3600)
    """``REPLICA_MAX_LAG_SECONDS``: a replica further behind than this is not read from."""
    data_dir: Path = Path(".srochno")
    migrate_on_start: bool = True

    telegram_bot_token: str | None = None
    telegram_bot_id: int | None = None
    telegram_test_environment: bool = False
    secret_key: str | None = None
    dev_recharge: bool | None = None
    """``DEV_RECHARGE``: unset, free recharge follows the generated dev token; ``true`` or
    ``false`` says so explicitly (never on in production)."""

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"
    log_format: Literal["json", "console"] | None = None
    """``LOG_FORMAT``: ``json`` or ``console``; unset, human lines in development and JSON
    in production."""
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_command_timeout_seconds: float = Field(default=10, gt=0, le=600)
    db_pool_timeout_seconds: float = Field(default=5, gt=0, le=600)
    """``DB_POOL_TIMEOUT_SECONDS``: a request waits this long for a free connection of the
    pool, then gets 503 ``service_busy`` with ``Retry-After``."""
    db_connect_timeout_seconds: float = Field(default=5, gt=0, le=600)
    """``DB_CONNECT_TIMEOUT_SECONDS``: a new connection not made within this fails the request
    (503 ``database_unavailable``)."""

    init_data_max_age_seconds: int = Field(default=3600, ge=0)
    order_lifetime_minutes: float = Field(default=60, gt=0)
    no_response_minutes: float = Field(default=15, gt=0)
    max_executors_per_order: int = Field(default=3, ge=1, le=1000)
    take_price: int = Field(default=2, ge=0, le=1_000_000)
    auto_close_interval_seconds: float = Field(default=60, ge=0)
    auto_close_batch_size: int = Field(default=2000, ge=1, le=100_000)
    completion_window_hours: float = Field(default=72, gt=0)
    review_window_days: float = Field(default=7, gt=0)

    telegram_api_url: str = "https://api.telegram.org"
    """``TELEGRAM_API_URL``: the Bot API server every bot call goes to (tests: a fake)."""
    public_url: str = "http://127.0.0.1:8000"
    """``PUBLIC_URL``: the service's external base URL (the webhook is below it)."""
    webapp_url: str | None = None
    """``WEBAPP_URL``: the Mini App's address; unset, ``PUBLIC_URL`` + ``/app/``."""
    telegram_app_link: str | None = Field(
        default=None, pattern=r"^https://t\.me/[A-Za-z0-9_]{5,32}(/[A-Za-z0-9_]{3,30})?$"
    )
    """``TELEGRAM_APP_LINK``: the Mini App's direct link (``https://t.me/<bot>/<app>``) that
    shared orders, notifications and digests launch with ``?startapp=order_<id>``; unset:
    shares use the bot's link (``https://t.me/<bot>``, its main Mini App), notifications a
    ``web_app`` button, digests the bot's ``?start=order_<id>``."""
    telegram_webhook_secret: str | None = Field(
        default=None, min_length=1, max_length=256, pattern=r"^[A-Za-z0-9_-]+$"
    )
    """``TELEGRAM_WEBHOOK_SECRET``: unset, derived from ``SECRET_KEY`` (in development
    without one, from the bot token)."""
    support_contact: str = ""
    """``SUPPORT_CONTACT``: where /paysupport and /help send people (``@name``, an e-mail)."""
    stars_min: int = Field(default=1, ge=1, le=1_000_000)
    stars_max: int = Field(default=10_000, ge=1, le=1_000_000)
    stars_rub_rate: int = Field(default=1, ge=1, le=1_000_000)
    """Whole rubles credited per star."""
    # Rubles through YooKassa (on only with both the shop id and the secret key).
    yookassa_shop_id: str | None = None
    yookassa_secret_key: str | None = None
    yookassa_api_url: str = "https://api.yookassa.ru/v3"
    """``YOOKASSA_API_URL``: YooKassa's API (tests: a fake on loopback)."""
    yookassa_timeout_seconds: float = Field(default=10, gt=0, le=120)
    yookassa_vat_code: int = Field(default=1, ge=1, le=12)
    """``YOOKASSA_VAT_CODE``: the receipt's ``vat_code`` (1: no VAT; see YooKassa's table)."""
    yookassa_notification_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(YOOKASSA_NETWORKS)
    )
    """``YOOKASSA_NOTIFICATION_NETWORKS``: where YooKassa's notifications may come from
    (comma-separated networks; default: YooKassa's published IPv4 and IPv6 ranges)."""
    topup_min_rub: int = Field(default=100, ge=1, le=1_000_000)
    topup_max_rub: int = Field(default=15_000, ge=1, le=1_000_000)
    # Operations: the admin panel, metrics, error reports.
    admin_login_max_attempts: int = Field(default=5, ge=1, le=10_000)
    admin_login_max_attempts_per_ip: int = Field(default=20, ge=1, le=100_000)
    admin_login_max_attempts_per_name: int = Field(default=100, ge=1, le=1_000_000)
    """``ADMIN_LOGIN_MAX_ATTEMPTS_PER_NAME``: failed sign-ins of one name from every address
    in the window; past it, only addresses the operator signed in from before may try."""
    admin_known_address_days: float = Field(default=90, gt=0)
    """``ADMIN_KNOWN_ADDRESS_DAYS``: how long a successful sign-in makes an address known."""
    first_admin_name: str | None = None
    """``FIRST_ADMIN_NAME``/``FIRST_ADMIN_PASSWORD``: an admin account created at start-up
    when there is no operator yet (once: later starts leave the accounts alone)."""
    first_admin_password: str | None = None
    admin_login_window_minutes: float = Field(default=15, gt=0)
    admin_session_hours: float = Field(default=12, gt=0, le=24 * 30)
    admin_cookie_secure: bool | None = None
    """``ADMIN_COOKIE_SECURE``: unset, the admin cookie is ``Secure`` in production and when
    ``PUBLIC_URL`` is https."""
    strikes_to_ban: int = Field(default=3, ge=1, le=1000)
    """``STRIKES_TO_BAN``: confirmed reports of a client's orders that ban the client."""
    metrics_token: str | None = None
    """``METRICS_TOKEN``: required by ``/metrics`` (in production it is refused without)."""
    docs_enabled: bool | None = None
    """``DOCS_ENABLED``: ``/docs`` and ``/openapi.json``; unset, on in development only."""
    body_timeout_seconds: float = Field(default=10, gt=0, le=3600)
    """``BODY_TIMEOUT_SECONDS``: a request body must arrive whole within this (else 408)."""
    shutdown_seconds: float = Field(default=15, gt=0, le=3600)
    """``SHUTDOWN_SECONDS``: on SIGTERM streams end at once, requests and jobs in hand get
    this long less 3 s (:func:`srochno.shutdown.grace_seconds`), and the process has exited
    by this long."""
    worker_heartbeat_seconds: float = Field(default=10, gt=0, le=3600)
    """``WORKER_HEARTBEAT_SECONDS``: how often a worker records that it is alive; silent for
    three times this, it counts as dead."""
    sentry_dsn: str | None = None
    sentry_traces_sample_rate: float = Field(default=0, ge=0, le=1)

    # Notifications (the job queue).
    serve_worker: bool = True
    """``SERVE_WORKER``: ``srochno serve`` runs one worker in-process (``--no-worker``
    sets it false)."""
    telegram_max_messages_per_second: float = Field(default=25, gt=0, le=1000)
    """``TELEGRAM_MAX_MESSAGES_PER_SECOND``: over every worker process together."""
    telegram_allow_paid_broadcast: bool = False
    """``TELEGRAM_ALLOW_PAID_BROADCAST``: send with Telegram's ``allow_paid_broadcast``
    (above the free ~30 messages/s, each message is paid in Stars from the bot's balance)
    at up to ``TELEGRAM_PAID_MESSAGES_PER_SECOND``."""
    telegram_paid_messages_per_second: float = Field(default=1000, gt=0, le=1000)
    """``TELEGRAM_PAID_MESSAGES_PER_SECOND``: the send rate with paid broadcast (Telegram's
    limit is 1 000)."""
    notify_max_attempts: int = Field(default=5, ge=1, le=100)
    notify_retry_seconds: float = Field(default=5, gt=0, le=3600)
    """``NOTIFY_RETRY_SECONDS``: the first back-off after a 5xx or network error (doubled
    each attempt)."""
    notify_concurrency: int = Field(default=60, ge=2, le=10_000)
    """``NOTIFY_CONCURRENCY``: jobs one worker process runs at once."""
    reminder_before_close_minutes: float = Field(default=5, ge=0)
    digest_hour: int = Field(default=9, ge=0, le=23)
    timezone: str = "Europe/Moscow"
    inbox_retention_days: float = Field(default=30, gt=0)
    """``INBOX_RETENTION_DAYS``: handled bot updates kept this long."""
    delivery_retention_days: float = Field(default=30, gt=0)
    """``DELIVERY_RETENTION_DAYS``: delivery rows and finished queue rows kept this long."""
    # The live feed (Server-Sent Events).
    order_events_retention_hours: float = Field(default=24, gt=0)
    sse_max_seconds: float = Field(default=300, gt=0, le=86_400)
    sse_heartbeat_seconds: float = Field(default=15, gt=0, le=3600)
    # Rate limits and quotas, counted across processes (PostgreSQL, or Redis with REDIS_URL).
    rate_limits: bool = True
    """``RATE_LIMITS``: ``false`` switches the per-user and per-IP limits off."""
    rate_create_per_hour: int = Field(default=10, ge=1)
    rate_take_per_minute: int = Field(default=60, ge=1)
    rate_invoice_per_minute: int = Field(default=10, ge=1)
    rate_report_per_hour: int = Field(default=20, ge=1)
    rate_ip_per_minute: int = Field(default=300, ge=1)
    max_active_orders_per_client: int = Field(default=5, ge=1)

    geo_max_radius_km: float = Field(default=50, gt=0, le=500)
    """``GEO_MAX_RADIUS_KM``: the widest near feed and work area."""
    geo_default_radius_km: float = Field(default=10, gt=0, le=500)
    """``GEO_DEFAULT_RADIUS_KM``: the near feed's radius when none is given, and a work
    area's radius when the bot receives a shared location before any was set."""
    duty_default_hours: float = Field(default=8, gt=0, le=24)
    """``DUTY_DEFAULT_HOURS``: how long an executor stays on duty when no hours are given."""
    redis_url: str | None = None
    forwarded_allow_ips: str = "127.0.0.1"
    """``FORWARDED_ALLOW_IPS``: the proxies whose ``X-Forwarded-For`` names the client
    (comma-separated addresses or networks, ``*`` for any); passed to uvicorn."""

    # The open web (SPEC §23): e-mail sign-in, web sessions, e-mail notifications.
    smtp_url: str | None = None
    """``SMTP_URL``: ``smtp://user:password@host:587`` (STARTTLS when offered) or
    ``smtps://…:465`` (TLS from the start); unset, no e-mail is sent (development logs
    the sign-in links instead)."""
    email_from: str | None = None
    """``EMAIL_FROM``: the sender of every e-mail, ``Srochno <no-reply@example.com>``."""
    smtp_timeout_seconds: float = Field(default=10, gt=0, le=300)
    email_link_minutes: float = Field(default=15, gt=0, le=24 * 60)
    """``EMAIL_LINK_MINUTES``: how long a sign-in link stays valid (used once)."""
    session_days: float = Field(default=30, gt=0, le=365)
    """``SESSION_DAYS``: how long a web session (its cookie) lasts."""
    session_cookie_secure: bool | None = None
    """``SESSION_COOKIE_SECURE``: unset, the session cookie is ``Secure`` in production and
    whenever ``PUBLIC_URL`` is https (a development server on plain http keeps it without,
    or browsers would drop it)."""
    rate_email_per_hour: int = Field(default=5, ge=1)
    """``RATE_EMAIL_PER_HOUR``: sign-in links sent to one address per hour (more requests
    still answer 202 and send nothing)."""
    rate_email_ip_per_hour: int = Field(default=20, ge=1)
    """``RATE_EMAIL_IP_PER_HOUR``: sign-in requests from one client address per hour."""

    # Web Push (SPEC §23): instant new-order messages to the open web's executors.
    vapid_private_key: str | None = None
    """``VAPID_PRIVATE_KEY``: the application server's P-256 key that signs every push
    (base64url of the raw 32-byte key or of its DER, or PEM; ``srochno vapid-keys`` makes
    one). Unset: generated once into the data folder in development, push off in
    production."""
    vapid_subject: str | None = Field(default=None, pattern=r"^(mailto:\S+@\S+|https://\S+)$")
    """``VAPID_SUBJECT``: how a push service reaches the operator, ``mailto:ops@example.com``
    or an https URL; unset, ``mailto:`` the address of ``EMAIL_FROM``, else ``PUBLIC_URL``
    when it is https, else ``mailto:push@srochno.invalid`` (development)."""
    push_service_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(PUSH_SERVICE_HOSTS)
    )
    """``PUSH_SERVICE_HOSTS``: the hosts (and their subdomains) a subscription's endpoint may
    name, comma-separated: the worker POSTs to the endpoint, so an arbitrary one would let
    anybody aim the server at any https address."""
    push_ttl_seconds: int = Field(default=3600, ge=0, le=28 * 24 * 3600)
    """``PUSH_TTL_SECONDS``: how long a push service keeps a message for an offline device
    (an order is urgent: an hour by default)."""
    push_timeout_seconds: float = Field(default=10, gt=0, le=120)
    push_max_devices: int = Field(default=10, ge=1, le=100)
    """``PUSH_MAX_DEVICES``: subscriptions kept per account; a new one beyond replaces the
    one least recently renewed."""
    rate_email_user_per_hour: int = Field(default=5, ge=1)
    """``RATE_EMAIL_USER_PER_HOUR``: confirmation links one account may ask for per hour
    (``POST /api/users/me/email``; then 429)."""

    _generated_token: bool = PrivateAttr(default=False)

    @field_validator("cors_origins", "database_replica_urls", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("vapid_private_key")
    @classmethod
    def _vapid_key(cls, value: str | None) -> str | None:
        if value is not None:
            parse_vapid_private_key(value)  # a bad key stops the start, not the first push
        return value

    @field_validator("push_service_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("yookassa_notification_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("yookassa_notification_networks")
    @classmethod
    def _strict_networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for network in value:
            try:
                ipaddress.ip_network(network, strict=True)
            except ValueError as error:  # host bits set, or no network at all
                raise ValueError(f"not a network: {network!r} ({error})") from error
        return value

    @field_validator(
        "database_url",
        "database_direct_url",
        "yookassa_shop_id",
        "yookassa_secret_key",
        "telegram_bot_token",
        "secret_key",
        "webapp_url",
        "telegram_webhook_secret",
        "telegram_app_link",
        "metrics_token",
        "first_admin_name",
        "first_admin_password",
        "sentry_dsn",
        "redis_url",
        "smtp_url",
        "email_from",
        "vapid_private_key",
        "vapid_subject",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_api_url", "public_url", "webapp_url", "yookassa_api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @model_validator(mode="after")
    def _stars_range(self) -> Settings:
        if self.stars_min > self.stars_max:
            raise ConfigurationError("STARS_MIN must not be above STARS_MAX")
        if self.topup_min_rub > self.topup_max_rub:
            raise ConfigurationError("TOPUP_MIN_RUB must not be above TOPUP_MAX_RUB")
        return self

    @property
    def yookassa_enabled(self) -> bool:
        """Ruble top-ups are offered only with a YooKassa shop configured."""
        return bool(self.yookassa_shop_id and self.yookassa_secret_key)

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.environment is Environment.production:
            missing = [
                name.upper()
                for name in ("telegram_bot_token", "secret_key", "database_url")
                if getattr(self, name) is None
            ]
            if missing:
                raise ConfigurationError(
                    "ENVIRONMENT=production needs " + ", ".join(missing) + " to be set"
                )
            key = self.secret_key or ""
            if len(key.strip()) < MIN_SECRET_KEY_LENGTH or not key.isprintable():
                raise ConfigurationError(
                    f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} printable characters "
                    "(not counting white space at its ends) in "
                    "production (python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
        if (self.first_admin_name is None) != (self.first_admin_password is None):
            raise ConfigurationError("FIRST_ADMIN_NAME and FIRST_ADMIN_PASSWORD go together")
        return self

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.development

    @property
    def docs_on(self) -> bool:
        """``/docs`` and ``/openapi.json``: in development, or when ``DOCS_ENABLED`` says."""
        return self.is_development if self.docs_enabled is None else self.docs_enabled

    @property
    def logs_as(self) -> str:
        """``json`` or ``console``: ``LOG_FORMAT``, else by the environment."""
        return self.log_format or ("console" if self.is_development else "json")

    @property
    def dev_init_data_enabled(self) -> bool:
        """``/api/dev/init-data`` signs initData for anyone: only with the generated
        development token, whatever ``DEV_RECHARGE`` says (with a real token, it would let
        anyone act as anyone)."""
        return self.is_development and self._generated_token

    @property
    def uses_generated_token(self) -> bool:
        """True when the bot token is the development one generated in the data folder."""
        return self._generated_token

    @property
    def dev_recharge_enabled(self) -> bool:
        """Free money only in development, and only with the generated dev token unless
        ``DEV_RECHARGE`` says otherwise: a development start with a real bot token is in
        effect a production deployment whose operator forgot ``ENVIRONMENT``."""
        if not self.is_development:
            return False
        if self.dev_recharge is not None:
            return self.dev_recharge
        return self._generated_token

    def start_warnings(self) -> list[str]:
        """What the start-up log should warn about: development mode in what looks like
        a real deployment."""
        if not self.is_development:
            return []
        warnings = []
        if self.telegram_bot_token and not self._generated_token:
            warnings.append("a real TELEGRAM_BOT_TOKEN")
        if self.telegram_bot_id and not self.telegram_bot_token:
            warnings.append("a real TELEGRAM_BOT_ID")
        if self.database_url:
            warnings.append("an external DATABASE_URL")
        if not warnings:
            return []
        return [
            "ENVIRONMENT=development with "
            + " and ".join(warnings)
            + ": this is not a production configuration; set ENVIRONMENT=production"
        ]

    @property
    def webapp_base_url(self) -> str:
        """The Mini App's address: ``WEBAPP_URL``, or ``PUBLIC_URL`` + ``/app/``."""
        return self.webapp_url or self.public_url.rstrip("/") + "/app/"

    @property
    def email_enabled(self) -> bool:
        """E-mail is sent only with both ``SMTP_URL`` and ``EMAIL_FROM``."""
        return bool(self.smtp_url and self.email_from)

    @property
    def push_subject(self) -> str:
        """The VAPID ``sub`` claim: ``VAPID_SUBJECT``, else a ``mailto:`` of ``EMAIL_FROM``'s
        address, else an https ``PUBLIC_URL``, else a placeholder (development)."""
        if self.vapid_subject:
            return self.vapid_subject
        if self.email_from:
            from email.utils import parseaddr

            address = parseaddr(self.email_from)[1]
            if "@" in address:
                return f"mailto:{address}"
        if self.public_url.startswith("https://"):
            return self.public_url.rstrip("/")
        return "mailto:push@srochno.invalid"

    @property
    def session_cookie_is_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return not self.is_development or self.public_url.startswith("https://")

    @property
    def email_link_lifetime(self) -> timedelta:
        return timedelta(minutes=self.email_link_minutes)

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(days=self.session_days)

    @property
    def webhook_url(self) -> str:
        return self.public_url.rstrip("/") + "/telegram/webhook"

    @property
    def webhook_secret(self) -> str | None:
        """What Telegram must send in ``X-Telegram-Bot-Api-Secret-Token``: the configured
        secret, or one derived from ``SECRET_KEY`` (from the bot token in development
        without a ``SECRET_KEY``); None when there is nothing to derive it from."""
        if self.telegram_webhook_secret:
            return self.telegram_webhook_secret
        key = self.secret_key or (self.telegram_bot_token if self.is_development else None)
        if not key:
            return None
        return derive_webhook_secret(key)

    @property
    def order_lifetime(self) -> timedelta:
        return timedelta(minutes=self.order_lifetime_minutes)

    @property
    def no_response_timeout(self) -> timedelta:
        return timedelta(minutes=self.no_response_minutes)

    @property
    def reminder_before_close(self) -> timedelta:
        return timedelta(minutes=self.reminder_before_close_minutes)

    @property
    def completion_window(self) -> timedelta:
        return timedelta(hours=self.completion_window_hours)

    @property
    def review_window(self) -> timedelta:
        return timedelta(days=self.review_window_days)

    @property
    def send_rate(self) -> float:
        """Messages per second over every worker: the paid rate with paid broadcast on."""
        if self.telegram_allow_paid_broadcast:
            return self.telegram_paid_messages_per_second
        return self.telegram_max_messages_per_second

    def direct_url(self, url: str) -> str:
        """The URL for what needs a session of its own, given the resolved ``url`` of
        ``DATABASE_URL`` (the embedded server's when unset)."""
        return self.database_direct_url or url

    def with_dev_token(self) -> Settings:
        """In development with no bot credentials, use a token kept in the data folder."""
        if self.telegram_bot_token or self.telegram_bot_id or not self.is_development:
            return self
        settings = self.model_copy(update={"telegram_bot_token": dev_bot_token(self.data_dir)})
        settings._generated_token = True
        return settings


WEBHOOK_SECRET_CONTEXT = b"srochno telegram webhook secret"
WEBHOOK_SECRET_LENGTH = 64


def derive_webhook_secret(key: str) -> str:
    """HMAC-SHA256 of a fixed context under ``key``, hex (only ``0-9a-f``), 64 characters."""
    digest = hmac.new(key.encode(), WEBHOOK_SECRET_CONTEXT, hashlib.sha256).hexdigest()
    return digest[:WEBHOOK_SECRET_LENGTH]


DEV_TOKEN_FILE = "dev-bot-token"  # noqa: S105 (a file name)


def dev_bot_token(data_dir: Path) -> str:
    """A bot token generated once for development and kept in ``data_dir``."""
    path = data_dir / DEV_TOKEN_FILE
    try:
        token = path.read_text().strip()
    except FileNotFoundError:
        token = ""
    if token:
        return token
    data_dir.mkdir(parents=True, exist_ok=True)
    token = f"{secrets.randbelow(9 * 10**9) + 10**9}:DEV{secrets.token_urlsafe(27)}"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(token + "\n")
    tmp.chmod(0o600)
    tmp.replace(path)
    return token


DEV_SECRET_FILE = "dev-secret-key"  # noqa: S105 (a file name)


def dev_secret_key(data_dir: Path) -> str:
    """A secret generated once for development and kept in ``data_dir``: every worker
    process reads the same one (the first to write it wins, atomically)."""
    path = data_dir / DEV_SECRET_FILE
    with contextlib.suppress(FileNotFoundError):
        key = path.read_text().strip()
        if key:
            return key
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f"{DEV_SECRET_FILE}.{os.getpid()}.tmp"
    tmp.write_text(secrets.token_urlsafe(48) + "\n")
    tmp.chmod(0o600)
    with contextlib.suppress(FileExistsError):
        os.link(tmp, path)  # fails if another process was first: then its key is used
    tmp.unlink(missing_ok=True)
    return path.read_text().strip()


DEV_VAPID_FILE = "dev-vapid-private-key"


def dev_vapid_private_key(data_dir: Path) -> str:
    """A VAPID key (base64url of the raw P-256 private key) generated once for development
    and kept in ``data_dir``; every process reads the same one (the first to write wins)."""
    path = data_dir / DEV_VAPID_FILE
    with contextlib.suppress(FileNotFoundError):
        key = path.read_text().strip()
        if key:
            return key
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f"{DEV_VAPID_FILE}.{os.getpid()}.tmp"
    tmp.write_text(new_vapid_private_key() + "\n")
    tmp.chmod(0o600)
    with contextlib.suppress(FileExistsError):
        os.link(tmp, path)  # fails if another process was first: then its key is used
    tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def new_vapid_private_key() -> str:
    """A new VAPID key: base64url (no padding) of the raw 32-byte P-256 private key."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parse_vapid_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A VAPID key from its text: PEM, or base64url of the raw 32-byte key or of its DER
    (PKCS#8 or SEC 1). ``ValueError`` unless it is a P-256 private key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            if len(data) == 32:
                key = ec.derive_private_key(int.from_bytes(data, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError, binascii.Error) as error:
        raise ValueError(f"not a private key ({type(error).__name__})") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("not a P-256 (prime256v1) elliptic-curve private key")
    return key


def vapid_private_key(settings: Settings) -> str | None:
    """The key that signs pushes: ``VAPID_PRIVATE_KEY``; in development without it, one
    kept in the data folder; in production without it, None (push is off)."""
    if settings.vapid_private_key:
        return settings.vapid_private_key
    if settings.is_development:
        return dev_vapid_private_key(settings.data_dir)
    return None


def signing_secret(settings: Settings) -> str:
    """What signs the admin session cookie: ``SECRET_KEY`` (required in production), or
    in development without it a key kept in the data folder."""
    return settings.secret_key or dev_secret_key(settings.data_dir)


def secret_bytes(text: str) -> bytes:
    """Any text as bytes, never an error: UTF-8, lone surrogates (JSON may carry them) kept
    as their code units. What every token, secret or signature is hashed or compared as."""
    return text.encode("utf-8", "surrogatepass")


def same_secret(expected: str, given: str) -> bool:
    """Constant-time equality of a secret, a token or a signature with what was received.

    Every such comparison goes through here: ``hmac.compare_digest`` on two ``str`` raises a
    ``TypeError`` when either holds a non-ASCII character, so received text (a query string, a
    header, a body) is compared as bytes; any text is merely unequal, never an error."""
    return hmac.compare_digest(secret_bytes(expected), secret_bytes(given))


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with the development bot token filled in."""
    return Settings(**overrides).with_dev_token()
