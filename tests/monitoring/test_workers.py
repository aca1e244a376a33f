"""`srochno serve --workers 2`: a scrape adds up every worker's figures, whichever answers."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
from prometheus_client.mmap_dict import MmapedDict

from srochno.monitoring.multiprocess import prepare_folder
from tests.helpers import ORDER, auth
from tests.monitoring.test_metrics import samples
from tests.servers import run_servers

# Until the second worker process has started and answered: a start-up, slow on a busy machine.
DEADLINE_SECONDS = 180.0


def worker_pids(folder: Path) -> set[str]:
    """The processes whose own counter file has created an order."""
    pids = set()
    for path in folder.glob("counter_*.db"):
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            if json.loads(key)[0] == "srochno_orders_created" and value > 0:
                pids.add(path.stem.rsplit("_", 1)[-1])
    return pids


async def test_two_workers_report_the_same_totals(database_url):
    with run_servers(database_url, 1, args=["--workers", "2"]) as servers:
        url = servers.urls[0]
        folder = servers.workdir / "data" / "prometheus"
        fresh = httpx.Limits(max_keepalive_connections=0)  # every request a new connection
        created = 0
        async with httpx.AsyncClient(base_url=url, limits=fresh, timeout=30) as client:
            deadline = time.monotonic() + DEADLINE_SECONDS
            # Orders created over fresh connections until both workers have served some.
            while len(worker_pids(folder)) < 2 or created == 0:
                assert time.monotonic() < deadline, "the second worker never answered"
                responses = await asyncio.gather(
                    *(
                        client.post("/api/orders", json=ORDER, headers=auth(100 + created + i))
                        for i in range(8)
                    )
                )
                assert all(r.status_code == 201 for r in responses), responses[0].text
                created += len(responses)
            totals = set()
            for _ in range(12):
                figures = samples((await client.get("/metrics")).text)
                totals.add(figures["srochno_orders_created_total"])
                key = 'srochno_http_requests_total{method="POST",route="/api/orders",status="201"}'
                assert figures[key] == created
        assert totals == {created}
        assert len(worker_pids(folder)) == 2


def test_serve_starts_with_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    stale = tmp_path / "prometheus" / "counter_123.db"
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    folder = prepare_folder(tmp_path)
    assert folder == tmp_path / "prometheus"
    assert list(folder.iterdir()) == []
    import os

    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(folder.resolve())
