"""The first admin, from the environment (``FIRST_ADMIN_NAME``/``FIRST_ADMIN_PASSWORD``):
created at start-up when there is no operator at all, so a container deployment needs no
shell for it. Once there is any operator, the variables change nothing (a changed
password in the environment does not reset an account: use ``srochno admin create
--reset``), and they can be removed."""

from __future__ import annotations

import logging

from srochno.config import ConfigurationError
from srochno.db import Database
from srochno.enums import AdminRole
from srochno.staff.errors import InvalidAdminAccount
from srochno.staff.service import check_account, create_operator

logger = logging.getLogger(__name__)

ANY_OPERATOR = "SELECT EXISTS (SELECT FROM admin_users)"


async def create_first_admin(db: Database, name: str, password: str) -> bool:
    """True when the account was created now. Several processes starting at once: the
    name is unique, one of them creates it."""
    try:
        check_account(name, password)
    except InvalidAdminAccount as error:
        raise ConfigurationError(f"FIRST_ADMIN_NAME/FIRST_ADMIN_PASSWORD: {error.detail}") from None
    async with db.transaction() as conn:
        if await conn.fetchval(ANY_OPERATOR):
            return False
        await conn.execute("LOCK TABLE admin_users IN SHARE ROW EXCLUSIVE MODE")
        if await conn.fetchval(ANY_OPERATOR):
            return False
        await create_operator(conn, name, AdminRole.admin, password)
    logger.info("first admin %r created from FIRST_ADMIN_NAME", name)
    return True
