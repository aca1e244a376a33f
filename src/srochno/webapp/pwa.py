"""The installable app of the open web (SPEC §23): the web app manifest, its icons, and the
service worker at scope ``/app/``.

The worker's script is built here from ``worker/sw.js``: the list of the page's own files
(its offline shell) and a version that changes with any of them, so a new release installs
a new worker, which replaces the shell it caches.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException

from srochno.state import SettingsDep
from srochno.webapp.router import (
    INDEX,
    SECURITY_HEADERS,
    STATIC_DIR,
    Asset,
    _serve,
    _stamp,
    assets,
)

router = APIRouter()

WORKER_SOURCE = Path(__file__).resolve().parent / "worker" / "sw.js"
MANIFEST = "manifest.webmanifest"
MANIFEST_TYPE = "application/manifest+json"
ICONS = ("icon-192.png", "icon-512.png", "icon-maskable-512.png")


@functools.lru_cache(maxsize=4)
def manifest_asset(stamp: int = 0) -> Asset:
    return Asset.of((STATIC_DIR / MANIFEST).read_bytes(), MANIFEST_TYPE)


@functools.lru_cache(maxsize=8)
def icon_asset(name: str, stamp: int = 0) -> Asset:
    return Asset.of((STATIC_DIR / "icons" / name).read_bytes(), "image/png")


def shell(stamp: int = 0) -> list[str]:
    """The offline shell, relative to ``/app/``: the page, its styles, scripts and icons."""
    files = sorted(path for path in assets(stamp) if path != INDEX)
    return ["./", *files, MANIFEST, *(f"icons/{name}" for name in ICONS)]


@functools.lru_cache(maxsize=4)
def worker_asset(stamp: int = 0) -> Asset:
    digest = hashlib.sha256()
    for asset in (*assets(stamp).values(), manifest_asset(stamp)):
        digest.update(asset.etag.encode())
    for name in ICONS:
        digest.update(icon_asset(name, stamp).etag.encode())
    source = WORKER_SOURCE.read_text(encoding="utf-8")
    digest.update(source.encode())
    script = source.replace("'__VERSION__'", json.dumps(digest.hexdigest()[:16])).replace(
        "__SHELL__", json.dumps(shell(stamp))
    )
    return Asset.of(script.encode(), "text/javascript; charset=utf-8")


@router.api_route("/app/sw.js", methods=["GET", "HEAD"], include_in_schema=False)
async def service_worker(request: Request, settings: SettingsDep) -> Response:
    return _serve(worker_asset(_stamp(settings)), request)


@router.api_route(f"/app/{MANIFEST}", methods=["GET", "HEAD"], include_in_schema=False)
async def manifest(request: Request, settings: SettingsDep) -> Response:
    return _serve(manifest_asset(_stamp(settings)), request)


@router.api_route("/app/icons/{name}", methods=["GET", "HEAD"], include_in_schema=False)
async def icon(name: str, request: Request, settings: SettingsDep) -> Response:
    if name not in ICONS:
        svg = assets(_stamp(settings)).get(f"icons/{name}")
        if svg is None:
            raise HTTPException(404, "Not Found", headers=SECURITY_HEADERS)
        return _serve(svg, request)
    return _serve(icon_asset(name, _stamp(settings)), request)
