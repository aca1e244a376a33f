"""The HTTP half of a push: pywebpush encrypts and signs it, ``requests`` POSTs it
(blocking: :func:`post` runs in a thread). Imported on the first push
(:func:`srochno.notifications.push.send`): the two libraries weigh ~25 MB, which a process
that never pushes (an API process, an idle worker) does not carry."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from pywebpush import WebPushException, webpush

from srochno.config import Settings

if TYPE_CHECKING:
    from py_vapid import Vapid02

_local = threading.local()


class PushSession(requests.Session):
    """How a push is POSTed: the answer's status and headers only.

    A redirect is never followed: the endpoint's host was checked against
    ``PUSH_SERVICE_HOSTS`` when the device subscribed, where a ``Location`` points never
    was (a 3xx ends as a refusal). The answer's body is never needed: an empty one is read
    (the connection is kept for the next push), any other is left unread and the
    connection closed, so a push service cannot make the process read a flood or wait on a
    trickle."""

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.update(allow_redirects=False, stream=True)
        response = super().request(method, url, *args, **kwargs)
        raw = response.raw
        if raw.length_remaining == 0:
            raw.read()
            raw.release_conn()
        else:
            raw.close()
        response._content = b""
        response._content_consumed = True
        return response


def _session() -> requests.Session:
    """One HTTP session per sending thread: connections to a push service are reused."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = _local.session = PushSession()
    return session


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    retry_after: str | None = None


def post(
    subscription: dict[str, Any], message: dict[str, str], key: Vapid02, settings: Settings
) -> Answer:
    """Encrypt and POST one push to a device (``{"endpoint", "keys": {"p256dh", "auth"}}``,
    blocking: run in a thread): the push service's answer. Network errors raise
    (``requests``' own)."""
    try:
        response = webpush(
            subscription,
            data=json.dumps(message, ensure_ascii=False),
            vapid_private_key=key,
            vapid_claims={"sub": settings.push_subject},  # aud and exp are filled in
            content_encoding="aes128gcm",
            ttl=settings.push_ttl_seconds,
            timeout=settings.push_timeout_seconds,
            headers={"Urgency": "high"},
            requests_session=_session(),
        )
    except WebPushException as error:
        if error.response is None:
            raise
        return Answer(int(error.response.status_code), error.response.headers.get("Retry-After"))
    return Answer(int(response.status_code))
