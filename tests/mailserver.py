"""A real SMTP server on loopback (``aiosmtpd``), for tests of the e-mail the service sends.

It runs on an event loop in a thread of its own, bound to port 0 (a free port the system
picks), and keeps every message it receives, parsed::

    mail = MailServer(); mail.start()        # or the ``mail`` fixture
    settings.smtp_url = mail.url
    message = mail.wait_for(lambda m: m["To"] == "a@example.com")
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

START_TIMEOUT_SECONDS = 10.0
WAIT_POLL_SECONDS = 0.02
WAIT_TIMEOUT_SECONDS = 30.0
SIGN_IN_LINK = re.compile(r"/app/#/signin/([A-Za-z0-9_-]+)")


class Recorder:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.server.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.server.lock:
            self.server.messages.append(message)
        return "250 Message accepted"


class MailServer:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()
        self.lock = threading.RLock()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(START_TIMEOUT_SECONDS), "the SMTP server did not start"

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        handler = Recorder(self)

        async def serve() -> None:
            self._server = await loop.create_server(
                lambda: SMTP(handler, hostname="mail.srochno.test"), "127.0.0.1", 0
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()

        loop.run_until_complete(serve())
        loop.run_forever()
        loop.close()

    def stop(self) -> None:
        if self._loop is None:
            return
        loop, server = self._loop, self._server

        def close() -> None:
            if server is not None:
                server.close()
            loop.stop()

        loop.call_soon_threadsafe(close)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_SECONDS)

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
        self.refused.clear()

    def received(self, to: str | None = None) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if to is None or m["To"] == to]

    def wait_for(
        self, predicate: Callable[[EmailMessage], bool], timeout: float = 30.0
    ) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [m for m in self.messages if predicate(m)]
            if found:
                return found[0]
            assert time.monotonic() < deadline, "no such e-mail arrived in time"
            time.sleep(WAIT_POLL_SECONDS)

    async def await_for(self, predicate: Callable[[EmailMessage], bool]) -> EmailMessage:
        deadline = time.monotonic() + WAIT_TIMEOUT_SECONDS
        while True:
            with self.lock:
                found = [m for m in self.messages if predicate(m)]
            if found:
                return found[0]
            assert time.monotonic() < deadline, "no such e-mail arrived in time"
            await asyncio.sleep(WAIT_POLL_SECONDS)


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and the HTML part of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None, "a plain-text part is required"
    assert html is not None, "an HTML part is required"
    return str(text.get_content()), str(html.get_content())


def sign_in_token(message: EmailMessage) -> str:
    text, _ = parts(message)
    found = SIGN_IN_LINK.search(text)
    assert found is not None, text
    return found.group(1)
