"""Operators: creating accounts, signing in (rate-limited in PostgreSQL), rights, and the
audit row every action writes in its own transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from srochno import clock
from srochno.config import Settings
from srochno.db import Connection, Record
from srochno.enums import AdminActionType, AdminRole
from srochno.staff import repository
from srochno.staff.errors import (
    AdminNameTaken,
    AdminRightsRequired,
    InvalidAdminAccount,
    LoginFailed,
    LoginRateLimited,
    ReasonRequired,
)
from srochno.staff.passwords import (
    hash_password,
    hash_password_off_loop,
    needs_rehash,
    verify_password_off_loop,
)

NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_REASON_LENGTH = 1000
MAX_ADDRESS_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Operator:
    """Who acts in the admin panel."""

    id: int
    name: str
    role: AdminRole

    @property
    def moves_money(self) -> bool:
        return self.role is AdminRole.admin


def operator_of(row: Any) -> Operator:
    return Operator(id=row["id"], name=row["name"], role=AdminRole(row["role"]))


def check_account(name: str, password: str) -> None:
    if not NAME_PATTERN.fullmatch(name) or not (
        MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
    ):
        raise InvalidAdminAccount()


async def create_operator(
    conn: Connection, name: str, role: AdminRole, password: str, *, reset: bool = False
) -> Operator:
    """A new account (``admin_name_taken`` if the name exists), or with ``reset`` the
    existing one given this password and role."""
    check_account(name, password)
    password_hash = hash_password(password)
    now = clock.now()
    row = await repository.insert_admin(conn, name, role, password_hash, now)
    if row is None and reset:
        row = await repository.reset_admin(conn, name, role, password_hash, now)
        if row is not None:  # a new password: whoever held a session of the old one is out
            await repository.delete_sessions_of(conn, row["id"])
    if row is None:
        raise AdminNameTaken()
    return operator_of(row)


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """A sign-in let through the throttle, with the account it names (if any, enabled)."""

    name: str
    address: str
    account: Record | None
    now: datetime


async def begin_sign_in(
    conn: Connection, settings: Settings, name: str, address: str
) -> SignInAttempt:
    """Count the attempt and read the account, throttled so that an attacker can neither
    guess for long nor lock the operator out (docs/decisions.md, "Admin sign-in"). In
    ``ADMIN_LOGIN_WINDOW_MINUTES``, counted over every process:

    * ``ADMIN_LOGIN_MAX_ATTEMPTS`` tries of one name from one address: wrong passwords
      from elsewhere do not lock the operator's own address;
    * ``ADMIN_LOGIN_MAX_ATTEMPTS_PER_IP`` tries from one address, whatever the names;
    * past ``ADMIN_LOGIN_MAX_ATTEMPTS_PER_NAME`` tries of one name from everywhere (an
      attack from many addresses), only addresses the operator signed in from in the last
      ``ADMIN_KNOWN_ADDRESS_DAYS`` may still try (their own limit above still holds).

    ``conn`` runs each statement on its own (no surrounding transaction), so attempts
    count at once. The password is checked after, without a connection
    (:func:`check_password`)."""
    name = name.strip()[:64]
    address = address[:MAX_ADDRESS_LENGTH]
    now = clock.now()
    since = now - timedelta(minutes=settings.admin_login_window_minutes)
    by_pair, by_name, by_address = await repository.record_attempt(conn, name, address, now, since)
    if (
        by_pair > settings.admin_login_max_attempts
        or by_address > settings.admin_login_max_attempts_per_ip
    ):
        raise LoginRateLimited()
    if by_name > settings.admin_login_max_attempts_per_name:
        known_since = now - timedelta(days=settings.admin_known_address_days)
        if not await repository.known_address(conn, name, address, known_since):
            raise LoginRateLimited()
    row = await repository.admin_by_name(conn, name) if name else None
    account = row if row is not None and row["disabled_at"] is None else None
    return SignInAttempt(name, address, account, now)


async def check_password(attempt: SignInAttempt, password: str) -> bool:
    """Whether the password is the account's (one verification whatever the name, so a
    wrong name costs as long as a wrong password), off the event loop."""
    stored = attempt.account["password_hash"] if attempt.account is not None else None
    return await verify_password_off_loop(stored, password[:MAX_PASSWORD_LENGTH])


async def finish_sign_in(
    conn: Connection, attempt: SignInAttempt, password: str, *, correct: bool
) -> Operator:
    """The operator, once the password was found ``correct`` (else ``login_failed``): the
    attempts of this name and address forgotten, the address remembered."""
    row = attempt.account
    if not correct or row is None:
        raise LoginFailed()
    await repository.forget_attempts(conn, attempt.name, attempt.address)
    await repository.remember_address(conn, row["id"], attempt.address, attempt.now)
    if needs_rehash(row["password_hash"]):
        await repository.rehash(conn, row["id"], await hash_password_off_loop(password))
    return operator_of(row)


async def sign_in(
    conn: Connection, settings: Settings, name: str, password: str, address: str
) -> Operator:
    """The operator behind a name and password, throttled (:func:`begin_sign_in`), on one
    connection (tools and tests; the admin's sign-in gives its connection back while the
    password is checked)."""
    attempt = await begin_sign_in(conn, settings, name, address)
    correct = await check_password(attempt, password)
    return await finish_sign_in(conn, attempt, password, correct=correct)


def require_admin(operator: Operator) -> None:
    """Only an admin moves money (balance adjustments, refunds)."""
    if not operator.moves_money:
        raise AdminRightsRequired()


def clean_reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if not text or len(text) > MAX_REASON_LENGTH:
        raise ReasonRequired()
    return text


async def record_action(
    conn: Connection,
    operator: Operator,
    action: AdminActionType,
    target_type: str,
    target_id: object,
    reason: str,
    **details: Any,
) -> int:
    """The audit row of an action: who, what, on what, why and when. Call it inside the
    action's transaction, so there is a row if and only if the action happened."""
    return await repository.insert_action(
        conn,
        operator.id,
        operator.name,
        action,
        target_type,
        str(target_id),
        reason,
        details,
        clock.now(),
    )
