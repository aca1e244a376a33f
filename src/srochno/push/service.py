"""Adding and removing a device's push subscription: its endpoint and keys checked first."""

from __future__ import annotations

import re

from cryptography.hazmat.primitives.asymmetric import ec
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from srochno import clock
from srochno.config import Settings
from srochno.db import Connection, Record
from srochno.push import repository
from srochno.push.errors import (
    PushEndpointInvalid,
    PushEndpointNotAllowed,
    PushKeysInvalid,
    PushUnavailable,
)
from srochno.push.schemas import SubscriptionIn
from srochno.push.vapid import b64url, b64url_decode, signer

P256DH_BYTES = 65
AUTH_BYTES = 16


LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
PCHAR = r"(?:[a-z0-9._~!$&'()*+,;=:@-]|%[0-9a-f]{2})"
ENDPOINT = re.compile(
    rf"https://(?P<host>{LABEL}(?:\.{LABEL})*)(?::(?P<port>[0-9]{{1,5}}))?"
    rf"(?:/{PCHAR}*)*(?:\?(?:{PCHAR}|[/?])*)?",
    re.IGNORECASE,
)
"""What an endpoint may be: https, a host of plain DNS labels (no ``\\``, ``%``, ``_``,
``*``, brackets or empty labels), a port of digits, a path and a query of URL characters
(``%`` only as an escape), no credentials, no fragment. Anything a parser could read two
ways is refused before the hosts are compared."""
DEFAULT_PORT = 443


def allowed_host(host: str, port: int, allowed: list[str]) -> bool:
    """``host`` is an entry of ``allowed`` or below one (``x.push.apple.com``), on the
    entry's port (``host:port``) or on 443 when it names none."""
    host = host.lower()
    for entry in allowed:
        name, _, entry_port = entry.lower().partition(":")
        name = name.rstrip(".")
        wanted = int(entry_port) if entry_port.isdigit() else DEFAULT_PORT
        if (host == name or host.endswith("." + name)) and port == wanted:
            return True
    return False


def checked_endpoint(endpoint: str, settings: Settings) -> str:
    """An https URL on a push service of ``PUSH_SERVICE_HOSTS``, read alike by this check and
    by the HTTP library that sends to it (urllib3's parser: the same host and port)."""
    found = ENDPOINT.fullmatch(endpoint)
    if found is None:
        raise PushEndpointInvalid()
    host = found["host"].lower()
    port = int(found["port"]) if found["port"] else DEFAULT_PORT
    try:
        sent_to = parse_url(endpoint)
    except LocationParseError as error:
        raise PushEndpointInvalid() from error
    if (sent_to.host or "").lower() != host or (
        DEFAULT_PORT if sent_to.port is None else sent_to.port
    ) != port:
        raise PushEndpointInvalid()
    if not allowed_host(host, port, settings.push_service_hosts):
        raise PushEndpointNotAllowed()
    return endpoint


def checked_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """The device's public key (a point of P-256) and auth secret, in unpadded base64url."""
    try:
        point = b64url_decode(p256dh)
        secret = b64url_decode(auth)
        if len(point) != P256DH_BYTES or len(secret) != AUTH_BYTES:
            raise ValueError("wrong length")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as error:  # binascii.Error is a ValueError
        raise PushKeysInvalid() from error
    return b64url(point), b64url(secret)


async def subscribe(
    conn: Connection, settings: Settings, user_id: int, body: SubscriptionIn
) -> Record:
    if signer(settings) is None:
        raise PushUnavailable()
    endpoint = checked_endpoint(body.endpoint, settings)
    p256dh, auth = checked_keys(body.keys.p256dh, body.keys.auth)
    return await repository.subscribe(
        conn, user_id, endpoint, p256dh, auth, clock.now(), settings.push_max_devices
    )


async def unsubscribe(conn: Connection, user_id: int, endpoint: str) -> None:
    """Remove the device of this account (whatever it was: nothing, or another's, is no
    error: the page may ask after the push service forgot it)."""
    await repository.unsubscribe(conn, user_id, endpoint)
