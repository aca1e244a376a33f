"""Operators' sessions, kept in the database: the admin's cookie carries a random token,
``admin_sessions`` its SHA-256 (a leaked table opens no session). Signing out deletes the
row; disabling an operator, changing their role or resetting their password deletes all
of theirs (:mod:`srochno.staff.accounts`, :func:`srochno.staff.service.create_operator`),
and a session counts only with the role it was opened with, while the account is enabled,
until it expires: a replayed cookie is refused from then on."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from srochno import clock
from srochno.config import secret_bytes
from srochno.db import Connection
from srochno.staff import repository
from srochno.staff.service import Operator, operator_of

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(secret_bytes(token)).hexdigest()


async def open_session(conn: Connection, operator: Operator, hours: float) -> str:
    """A new session of ``operator`` for ``hours``: its token, for the cookie. Expired
    sessions of anybody are forgotten on the way (sign-ins are rare)."""
    now = clock.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await repository.expire_sessions(conn, now)
    await repository.insert_session(
        conn, token_hash(token), operator.id, operator.role, now, now + timedelta(hours=hours)
    )
    return token


async def session_operator(conn: Connection, token: str) -> Operator | None:
    """The operator of a live session (enabled, with the role the session was opened
    with), or None: signed out, ended, expired, or never opened."""
    row = await repository.session_operator(conn, token_hash(token), clock.now())
    return operator_of(row) if row is not None else None


async def end_session(conn: Connection, token: str) -> None:
    await repository.delete_session(conn, token_hash(token))
