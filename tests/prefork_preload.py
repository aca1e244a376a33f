"""What the forkserver of ``tests/prefork.py`` imports before it forks: the heavy libraries
every ``srochno`` command loads, none of which reads the environment at import."""

import gc

import asyncpg  # noqa: F401
import fastapi  # noqa: F401
import httpx  # noqa: F401
import jinja2  # noqa: F401
import pgqueuer  # noqa: F401
import sqlalchemy.dialects.postgresql.asyncpg
import sqlalchemy.ext.asyncio
import sqlalchemy.orm  # noqa: F401
import starlette_admin.contrib.sqla  # noqa: F401
import uvicorn  # noqa: F401

# Srochno first, as a server imports it: aiogram's models are then built on first use.
import srochno.telegram.client  # noqa: F401

# What the parent imported lives as long as every fork: frozen, the children's collections
# (and the one each makes when its application starts, srochno.app.freeze_heap) leave it
# out instead of walking it, and of writing to its pages, in every child.
gc.collect()
gc.freeze()
