"""Operators' passwords: argon2id through argon2-cffi, with its recommended parameters."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
HASHING_THREADS = 2
_hashing = ThreadPoolExecutor(HASHING_THREADS, thread_name_prefix="srochno-argon2")
"""Hashes are computed here, off the event loop (argon2 takes tens of milliseconds of CPU
and 64 MiB each): a flood of sign-ins queues for these threads and never stalls the other
requests of the process, nor holds a database connection meanwhile."""

# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("srochno: no such operator")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    """:func:`verify_password` in the hashing threads."""
    return await asyncio.get_running_loop().run_in_executor(
        _hashing, verify_password, password_hash, password
    )


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_hashing, hash_password, password)
