"""A server process's graceful stop.

uvicorn's own graceful shutdown waits for every open connection, and a live stream never
ends by itself: with one phone open, a restart waited until the unit killed the process.
On SIGTERM (or SIGINT) this ends the streams at once (each with ``retry:``, see
:mod:`srochno.events.stream`), tells the in-process worker to take no new job, and starts
the clock: requests and jobs in hand get :func:`grace_seconds` of ``SHUTDOWN_SECONDS``
(uvicorn's ``timeout_graceful_shutdown``), closing down the rest. Whatever still runs at
``SHUTDOWN_SECONDS`` (a client that reads nothing, a connection that never closes) does not
hold the process: a watchdog thread ends it then (:func:`exit_by`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)
CLOSE_SECONDS = 3.0
"""Kept from ``SHUTDOWN_SECONDS`` for closing down after the requests' and the jobs' grace:
the lifespan's clean-up, uvicorn's, the interpreter's exit (measured with slow readers
holding their connections: about 1.5 s on a loaded machine)."""
WATCHDOG_MARGIN_SECONDS = 0.3
"""The watchdog fires this long before ``SHUTDOWN_SECONDS``: the exit itself takes time."""


def grace_seconds(shutdown_seconds: float) -> float:
    """How long requests and jobs in hand may run on after the signal."""
    return max(shutdown_seconds / 2, shutdown_seconds - CLOSE_SECONDS)


def exit_by(seconds: float, code: int) -> threading.Timer:
    """End the process with ``code`` in ``seconds`` (less a margin for the exit itself)
    unless it has ended by then: a stop must not overrun ``SHUTDOWN_SECONDS``, whatever
    holds it. A daemon thread: it runs even while the event loop is stuck."""
    timer = threading.Timer(max(0.0, seconds - WATCHDOG_MARGIN_SECONDS), _overran, (code,))
    timer.daemon = True
    timer.start()
    return timer


def _overran(code: int) -> None:
    logger.error("stop overran SHUTDOWN_SECONDS: exiting now")
    with contextlib.suppress(Exception):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


class GracefulStop:
    """Hooks the server's signal handlers (uvicorn installs its own before the lifespan
    starts): the previous handler still runs, after this one has told the streams."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.stopping = False
        self.deadline: float | None = None
        self._callbacks: list[Callable[[], object]] = []
        self._previous: dict[int, Any] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watchdog: threading.Timer | None = None

    def on_stop(self, callback: Callable[[], object]) -> None:
        self._callbacks.append(callback)

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach only the main thread (tests run the app elsewhere)
        self._loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            previous = signal.getsignal(sig)
            self._previous[sig] = previous
            signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        for sig, previous in self._previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, previous)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._watchdog is None:
            self._watchdog = exit_by(self.seconds, 128 + signum)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.stop)
        previous = self._previous.get(signum)
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:  # nobody else handles it: what it would have done
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        self.deadline = asyncio.get_running_loop().time() + self.seconds
        logger.info("stopping: streams end now, %.0f s for the rest", self.seconds)
        for callback in self._callbacks:
            callback()

    def remaining(self) -> float:
        """Seconds left of ``SHUTDOWN_SECONDS`` since the signal (all of them without one)."""
        if self.deadline is None:
            return self.seconds
        return max(0.0, self.deadline - asyncio.get_running_loop().time())


async def finish(task: asyncio.Task[Any], seconds: float) -> None:
    """Cancel a task (unless it is being cancelled already) and give it ``seconds`` to wind
    down (jobs in hand finish), then cancel it again, harder."""
    if not task.cancelling():
        task.cancel()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait({task}, timeout=seconds)
    if not task.done():
        logger.warning("in-process worker did not finish in time: cancelled")
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
