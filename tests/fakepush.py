"""A fake Web Push service on loopback, over real TLS, for tests of the pushes the service
sends (RFC 8030, with VAPID of RFC 8292 and the encryption of RFC 8291).

It serves ``POST /push/{token}`` over https (uvicorn on a free port, in a thread of its
own, with a certificate of a throw-away CA the test trusts through
``REQUESTS_CA_BUNDLE``), and does what a push service does before it accepts a message:

* the ``Authorization: vapid t=<JWT>, k=<key>`` header: an ES256 JWT whose signature
  verifies with ``k``, ``aud`` this service's origin, ``exp`` in the future and within 24
  hours, a ``sub``; otherwise 401/403 (and the refusal is recorded);
* a ``TTL`` header; ``Content-Encoding: aes128gcm``.

Devices are made here (:meth:`FakePushService.new_device`): a P-256 key pair and an auth
secret, as a browser makes them. Each accepted message is decrypted with the device's
private key (``http_ece``), so a test asserts what was really sent::

    push = FakePushService(tmp); push.start()     # or the ``push_service`` fixture
    device = push.new_device()                    # device.subscription() → the API body
    push.answer(device, 410)                      # the subscription is gone
    push.received_by(device)[0].message["title"]
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import ipaddress
import json
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import http_ece
import uvicorn
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

START_TIMEOUT_SECONDS = 10.0
WAIT_POLL_SECONDS = 0.02
WAIT_TIMEOUT_SECONDS = 30.0
HOLD_SECONDS = 10.0
"""How long a held push waits at most (then it is answered anyway)."""
KEEP_ALIVE_SECONDS = 120
"""Idle connections are kept longer than the client keeps them: it closes first."""
MAX_EXP_SECONDS = 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """A browser's subscription: what it sends to the server, and what only it knows."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    def subscription(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }


@dataclass(frozen=True)
class Received:
    token: str
    message: dict[str, Any]
    """The decrypted payload, parsed."""
    claims: dict[str, Any]
    """The VAPID JWT's claims (verified)."""
    vapid_key: str
    """``k``: the application server's public key the JWT verified with."""
    headers: dict[str, str]
    at: float


@dataclass
class Refusal:
    token: str
    status: int
    reason: str


@dataclass
class State:
    devices: dict[str, Device] = field(default_factory=dict)
    answers: dict[str, list[int]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    held: threading.Event | None = None
    """While set to an event not yet set, each push is answered only once it is."""
    replies: dict[str, Callable[[], Response]] = field(default_factory=dict)
    elsewhere: list[str] = field(default_factory=list)
    """Requests to anything but an endpoint (where a redirect would lead)."""
    released: threading.Event = field(default_factory=threading.Event)
    long_reply_read: bool = False
    """A long reply's body (:meth:`FakePushService.long_reply`) was all handed over."""


def make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a certificate for 127.0.0.1 signed by it: (ca, cert, key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Srochno test push CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


def verify_vapid(header: str, origin: str, now: float) -> tuple[dict[str, Any], str]:
    """The claims and the key of a valid ``vapid t=…, k=…`` header; ValueError otherwise."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"scheme {scheme!r}, not vapid")
    parts = dict(item.strip().split("=", 1) for item in rest.split(",") if "=" in item)
    token, key = parts.get("t"), parts.get("k")
    if not token or not key:
        raise ValueError("t or k missing")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    head, claims_part, signature = token.split(".")
    header_json = json.loads(b64url_decode(head))
    if header_json.get("alg") != "ES256":
        raise ValueError(f"alg {header_json.get('alg')!r}")
    raw = b64url_decode(signature)
    if len(raw) != 64:
        raise ValueError("the signature is not 64 bytes (r || s)")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{head}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise ValueError("bad signature") from error
    claims: dict[str, Any] = json.loads(b64url_decode(claims_part))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r}, not {origin!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + MAX_EXP_SECONDS:
        raise ValueError(f"exp {exp!r} not within 24 h from now")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https://")):
        raise ValueError(f"sub {sub!r}")
    return claims, key


class FakePushService:
    def __init__(self, folder: Path, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.folder = folder
        self.ca_path, self._cert, self._key = make_tls(folder)
        self.state = State()
        self.lock = threading.RLock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # --- running -------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[
                Route("/push/{token}", self._endpoint, methods=["POST"]),
                Route("/{path:path}", self._elsewhere, methods=["GET", "POST", "PUT"]),
            ]
        )
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            ssl_certfile=str(self._cert),
            ssl_keyfile=str(self._key),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake push service did not start")
            time.sleep(WAIT_POLL_SECONDS)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT_SECONDS)

    def reset(self) -> None:
        with self.lock:
            self.state.released.set()
            self.state = State()

    # --- devices and programmed answers ---------------------------------------------

    def new_device(self) -> Device:
        token = secrets.token_urlsafe(24)
        device = Device(
            token,
            f"{self.origin}/push/{token}",
            ec.generate_private_key(ec.SECP256R1()),
            secrets.token_bytes(16),
        )
        with self.lock:
            self.state.devices[token] = device
        return device

    def answer(self, device: Device, *statuses: int) -> None:
        """The next answers to pushes for ``device`` (then 201 again); the last one given
        stays when it is 404 or 410 (a gone subscription stays gone)."""
        with self.lock:
            self.state.answers[device.token] = list(statuses)

    def reply(self, device: Device, reply: Callable[[], Response]) -> None:
        """Answer each valid push for ``device`` with ``reply()`` (a redirect, a long body)."""
        with self.lock:
            self.state.replies[device.token] = reply

    def redirect(self) -> Response:
        """A 307 to this service's ``/elsewhere``: a client that follows it is seen there."""
        return Response(status_code=307, headers={"Location": f"{self.origin}/elsewhere"})

    def long_reply(self, size: int = 200 * 2**20) -> Response:
        """A 201 announcing ``size`` bytes of body, of which only the first are handed over
        until :meth:`release` (or ``HOLD_SECONDS``): a client that reads the body waits
        that long, then reads it all (``long_reply_read``)."""
        chunk = b"x" * 2**16
        with self.lock:
            released = self.state.released

        async def body() -> AsyncIterator[bytes]:
            yield chunk
            await asyncio.to_thread(released.wait, HOLD_SECONDS)
            for _ in range(size // len(chunk) - 1):
                yield chunk
            with self.lock:
                self.state.long_reply_read = True

        return StreamingResponse(body(), status_code=201, headers={"Content-Length": str(size)})

    def release(self) -> None:
        with self.lock:
            self.state.released.set()

    @property
    def long_reply_read(self) -> bool:
        with self.lock:
            return self.state.long_reply_read

    @property
    def elsewhere(self) -> list[str]:
        with self.lock:
            return list(self.state.elsewhere)

    def hold(self) -> threading.Event:
        """Answer no push until the returned event is set (``HOLD_SECONDS`` at most)."""
        event = threading.Event()
        with self.lock:
            self.state.held = event
        return event

    # --- what arrived -----------------------------------------------------------------

    def received_by(self, device: Device) -> list[Received]:
        with self.lock:
            return [r for r in self.state.received if r.token == device.token]

    @property
    def received(self) -> list[Received]:
        with self.lock:
            return list(self.state.received)

    @property
    def refused(self) -> list[Refusal]:
        with self.lock:
            return list(self.state.refused)

    def calls_to(self, device: Device) -> int:
        with self.lock:
            return self.state.calls.count(device.token)

    async def wait_for(self, count: int) -> list[Received]:
        """Until ``count`` messages were accepted (the worker may run on this event loop:
        the wait never blocks it)."""
        deadline = time.monotonic() + WAIT_TIMEOUT_SECONDS
        while True:
            with self.lock:
                if len(self.state.received) >= count:
                    return list(self.state.received)
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} pushes expected, {len(self.received)} arrived")
            await asyncio.sleep(WAIT_POLL_SECONDS)

    # --- the endpoint -------------------------------------------------------------------

    def _refuse(self, token: str, status: int, reason: str) -> Response:
        with self.lock:
            self.state.refused.append(Refusal(token, status, reason))
        return Response(json.dumps({"code": status, "message": reason}), status_code=status)

    async def _elsewhere(self, request: Request) -> Response:
        with self.lock:
            self.state.elsewhere.append(f"{request.method} {request.url.path}")
        return Response(status_code=201)

    async def _endpoint(self, request: Request) -> Response:
        token = request.path_params["token"]
        body = await request.body()
        with self.lock:
            self.state.calls.append(token)
            held = self.state.held
        if held is not None:
            await asyncio.to_thread(held.wait, HOLD_SECONDS)
        with self.lock:
            device = self.state.devices.get(token)
            answers = self.state.answers.get(token)
            programmed = None
            if answers:
                programmed = (
                    answers[0]
                    if len(answers) == 1 and answers[0] in (404, 410)
                    else (answers.pop(0))
                )
        if device is None:
            return self._refuse(token, 404, "no such subscription")
        try:
            claims, key = verify_vapid(
                request.headers.get("authorization", ""), self.origin, time.time()
            )
        except (ValueError, KeyError) as error:
            return self._refuse(token, 403 if "signature" in str(error) else 401, str(error))
        ttl = request.headers.get("ttl")
        if ttl is None or not ttl.isdigit():
            return self._refuse(token, 400, "TTL header missing")
        if request.headers.get("content-encoding") != "aes128gcm":
            return self._refuse(token, 415, "Content-Encoding must be aes128gcm")
        if programmed is not None and programmed >= 300:
            return self._refuse(token, programmed, "programmed")
        with self.lock:
            reply = self.state.replies.get(token)
        if reply is not None:
            return reply()
        plaintext = http_ece.decrypt(
            body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm"
        )
        received = Received(
            token,
            json.loads(plaintext),
            claims,
            key,
            {k.lower(): v for k, v in request.headers.items()},
            time.monotonic(),
        )
        with self.lock:
            self.state.received.append(received)
        return Response(status_code=201, headers={"Location": f"{self.origin}/message/1"})
