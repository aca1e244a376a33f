"""Sending one e-mail through the configured SMTP server (``SMTP_URL``, ``EMAIL_FROM``).

``smtp://`` connects in clear and upgrades with STARTTLS when the server offers it;
``smtps://`` speaks TLS from the start. User and password in the URL log in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

import aiosmtplib

from srochno.config import Settings

SMTP_PORT = 587
SMTPS_PORT = 465


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Server:
    hostname: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None


def server_of(url: str) -> Server:
    """Where ``SMTP_URL`` points (a bad scheme or no host is a configuration error)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
    use_tls = parts.scheme == "smtps"
    return Server(
        hostname=parts.hostname,
        port=parts.port or (SMTPS_PORT if use_tls else SMTP_PORT),
        use_tls=use_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def message_of(email: Email, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    domain = sender.rpartition("@")[2].strip(">") or None
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class MailNotConfigured(RuntimeError):
    """``SMTP_URL`` or ``EMAIL_FROM`` is unset."""


def is_permanent(error: BaseException) -> bool:
    """A refusal that sending again would not change (a 5xx answer, a refused address)."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= refusal.code < 600 for refusal in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return 500 <= error.code < 600
    return False


async def send(settings: Settings, email: Email) -> None:
    """Send ``email``; raises ``aiosmtplib``'s errors (see :func:`is_permanent`)."""
    if not settings.smtp_url or not settings.email_from:
        raise MailNotConfigured()
    server = server_of(settings.smtp_url)
    await aiosmtplib.send(
        message_of(email, settings.email_from),
        hostname=server.hostname,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.use_tls,
        timeout=settings.smtp_timeout_seconds,
    )
