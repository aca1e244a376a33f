"""``srochno`` commands for tests as forked processes of a preloaded parent.

Importing the application costs seconds of CPU (most of it Telegram's types being built by
pydantic), and the suite starts about fifty ``srochno serve`` processes per run. Here a
forkserver (Python's ``multiprocessing``) imports the heavy third-party libraries once; each
command is a fork of it that runs ``srochno.cli.main(argv)`` in its own process, with its
own environment, working folder and log file, exactly as ``python -m srochno`` would after
its imports. ``srochno`` itself is imported in each child, after its environment is set:
``serve`` chooses how ``prometheus_client`` stores values before importing it.

The tests of the entry point and of the process's life (``tests/test_cli.py``, the
graceful stop) start the real command with ``subprocess``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path

# Imported by the forkserver before it forks anything: what every command imports and
# nothing that reads the environment at import (``prometheus_client``, ``srochno``).
PRELOAD = [
    "tests.prefork_preload",
]
POLL_SECONDS = 0.02

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)


def _run(
    argv: list[str],
    env: dict[str, str],
    cwd: str,
    out_path: str,
    err_path: str,
    in_path: str = os.devnull,
) -> None:
    """The child: its own environment, folder, input and output, then the command."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    for path, fd in ((out_path, 1), (err_path, 2)):
        opened = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    # Standard input on descriptor 0, as a command line has it (multiprocessing gives the
    # child /dev/null on another descriptor, which `serve --workers N` cannot pass on).
    source = os.open(in_path, os.O_RDONLY)
    os.dup2(source, 0)
    os.close(source)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 (the process's own stdin)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    # The forkserver ignores SIGINT; a command expects the default (KeyboardInterrupt).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = [sys.executable, *argv]
    from srochno.cli import main

    raise SystemExit(main(argv))


class Forked:
    """The part of ``subprocess.Popen`` the tests use, for a forked command."""

    def __init__(self, process: BaseProcess) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._process.exitcode is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(["srochno"], timeout or 0.0)
            self._process.join(POLL_SECONDS)
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        if self._process.exitcode is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def spawn(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_path: Path) -> Forked:
    """Start ``srochno <argv>`` as a fork of the preloaded parent; its output goes to
    ``log_path`` (appended)."""
    return _start(argv, cwd, env, log_path, log_path)


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run([python, -m, srochno, *argv], capture_output=True, text=True)``, as a
    fork of the preloaded parent."""
    with tempfile.TemporaryDirectory(prefix="srochno-run-") as folder:
        out, err, given = (Path(folder) / name for name in ("out", "err", "in"))
        given.write_text(input or "")
        process = _start(argv, cwd, env, out, err, given)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        return subprocess.CompletedProcess(
            ["srochno", *argv],
            code,
            out.read_text(errors="replace"),
            err.read_text(errors="replace"),
        )


def _start(
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    out: Path,
    err: Path,
    given: Path | None = None,
) -> Forked:
    paths = [str(out), str(err), str(given) if given is not None else os.devnull]
    process = _context.Process(
        target=_run, args=(list(argv), dict(env), str(cwd), *paths), daemon=False
    )
    process.start()
    return Forked(process)
