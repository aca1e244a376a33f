"""Prometheus' multiprocess mode for ``srochno serve --workers N``.

``serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before any worker starts
(before ``prometheus_client`` is even imported: it picks its value store at import);
each worker writes its values to its own files there, a scrape answered by any worker
adds them all up, and a worker that exits marks its files dead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
DEFAULT_FOLDER = "prometheus"


def prepare_folder(data_dir: Path) -> Path:
    """An empty metrics folder (``PROMETHEUS_MULTIPROC_DIR``, else ``<data>/prometheus``),
    exported to the environment the workers inherit. A previous run's files are removed:
    their counters belonged to processes that are gone."""
    path = Path(os.environ.get(ENV) or data_dir / DEFAULT_FOLDER)
    if path.is_dir():
        for entry in path.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(path.resolve())
    return path


def folder() -> str | None:
    return os.environ.get(ENV) or None


def worker_exited(pid: int | None = None) -> None:
    """Clean up the files of a worker that stops (its live gauges)."""
    if folder() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid if pid is not None else os.getpid())  # type: ignore[no-untyped-call]
