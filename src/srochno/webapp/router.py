"""The Mini App's page at ``/app/`` (files shipped inside the package) and, in development
only, ``GET /api/dev/init-data``, which signs initData so the page works outside Telegram.

Files are read once (in development, again whenever one changes), kept in memory with a
gzip copy, and served with a strict Content-Security-Policy: scripts only from this origin
and from telegram.org, styles only from this origin, nothing inline.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from srochno.auth.telegram import sign_init_data
from srochno.config import Settings
from srochno.enums import BIGINT_MAX
from srochno.schemas import SafeStr
from srochno.state import SettingsDep

router = APIRouter()

STATIC_DIR = Path(__file__).resolve().parent / "static"
INDEX = "index.html"
# The page learns whether the development tools (dev recharge, dev initData) are on from
# this attribute of its <html> element, filled in when index.html is served.
DEV_FLAG = 'data-dev-tools="off"'
# Whether ruble top-ups are offered, and their range: "off", or "MIN-MAX" in rubles.
TOPUPS_FLAG = 'data-topups="off"'

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self' https://telegram.org",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self' https://web.telegram.org",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Asset:
        digest = hashlib.sha256(body).hexdigest()[:20]
        return cls(body, gzip.compress(body, 9, mtime=0), media_type, f'"{digest}"')


def files_stamp() -> int:
    """Changes whenever a file under ``static/`` changes (development re-reads them then)."""
    return hash(tuple((path, path.stat().st_mtime_ns) for path in sorted(STATIC_DIR.rglob("*"))))


def assets(stamp: int = 0) -> dict[str, Asset]:
    """Every servable file under ``static/`` by its path relative to ``/app/``."""
    return _read_assets(stamp)


@functools.lru_cache(maxsize=1)
def _read_assets(stamp: int) -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for path in sorted(STATIC_DIR.rglob("*")):
        media_type = MEDIA_TYPES.get(path.suffix)
        if path.is_file() and media_type is not None:
            found[path.relative_to(STATIC_DIR).as_posix()] = Asset.of(path.read_bytes(), media_type)
    return found


@functools.lru_cache(maxsize=8)
def index_page(dev_tools: bool, stamp: int = 0, topups: str = "off") -> Asset:
    page = assets(stamp)[INDEX]
    if not dev_tools and topups == "off":
        return page
    body = page.body
    if dev_tools:
        body = body.replace(DEV_FLAG.encode(), DEV_FLAG.replace("off", "on").encode())
    body = body.replace(TOPUPS_FLAG.encode(), TOPUPS_FLAG.replace("off", topups).encode())
    return Asset.of(body, page.media_type)


def topups_flag(settings: Settings) -> str:
    if not settings.yookassa_enabled:
        return "off"
    return f"{settings.topup_min_rub}-{settings.topup_max_rub}"


def index_of(settings: Settings) -> Asset:
    return index_page(settings.dev_recharge_enabled, _stamp(settings), topups_flag(settings))


def _serve(asset: Asset, request: Request) -> Response:
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache", "ETag": asset.etag}
    headers["Vary"] = "Accept-Encoding"
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = asset.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type=asset.media_type, headers=headers)


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    """The service's address opens the Mini App (the API lives under ``/api``)."""
    return RedirectResponse("/app/", status_code=307)


@router.get("/app", include_in_schema=False)
async def app_without_slash(request: Request) -> RedirectResponse:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/app/{query}", status_code=308)


def _stamp(settings: Settings) -> int:
    """In development the files are re-read when they change; in production, read once."""
    return files_stamp() if settings.is_development else 0


@router.api_route("/app/", methods=["GET", "HEAD"], include_in_schema=False)
async def app_page(request: Request, settings: SettingsDep) -> Response:
    return _serve(index_of(settings), request)


@router.api_route("/app/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def app_file(path: str, request: Request, settings: SettingsDep) -> Response:
    stamp = _stamp(settings)
    if path == INDEX:
        return _serve(index_of(settings), request)
    asset = assets(stamp).get(path)
    if asset is None:
        raise HTTPException(404, "Not Found", headers=SECURITY_HEADERS)
    return _serve(asset, request)


# --- development only ------------------------------------------------------------------


class DevInitData(BaseModel):
    init_data: str


async def _dev_tools_on(settings: SettingsDep) -> Settings:
    """404 unless in development with the generated token: with a real bot token, this
    would sign valid initData of any user for anyone (``DEV_RECHARGE`` does not open it).
    Runs before the query is validated, so any request gets the 404."""
    if not settings.dev_init_data_enabled or not settings.telegram_bot_token:
        raise HTTPException(404, "Not Found")
    return settings


@router.get("/api/dev/init-data", response_model=DevInitData, include_in_schema=False)
async def dev_init_data(
    settings: Annotated[Settings, Depends(_dev_tools_on)],
    user_id: Annotated[int, Query(ge=1, le=BIGINT_MAX)],
    first_name: Annotated[SafeStr | None, Query(min_length=1, max_length=64)] = None,
    language_code: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})?$")] = (
        None
    ),
) -> DevInitData:
    """A signed initData for any user, as Telegram would give the page (development)."""
    assert settings.telegram_bot_token is not None
    user: dict[str, object] = {"id": user_id, "first_name": first_name or f"User {user_id}"}
    if language_code:
        user["language_code"] = language_code
    user["allows_write_to_pm"] = True
    fields = {
        "query_id": "AA" + secrets.token_urlsafe(16),
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(time.time())),
    }
    return DevInitData(init_data=sign_init_data(fields, settings.telegram_bot_token))
