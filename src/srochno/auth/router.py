"""Web sign-in by e-mail (SPEC §23): ask for a link, use it, log out."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import Request
from pydantic import BaseModel, StringConstraints
from starlette.background import BackgroundTask
from starlette.responses import Response

from srochno import clock
from srochno.auth import web
from srochno.auth.errors import CsrfHeaderMissing, SignInLinkInvalid
from srochno.config import Settings
from srochno.errors import DatabaseUnavailable, ValidationFailed, responses
from srochno.mail import smtp
from srochno.ratelimit import RateLimited, client_key
from srochno.responses import json_response
from srochno.schemas import EmailAddress
from srochno.state import ReadConnection, SettingsDep, WriteConnection, app_limiter, domain_router

logger = logging.getLogger(__name__)
router = domain_router(tags=["auth"])

Token = Annotated[
    str, StringConstraints(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
]


class EmailSignInIn(BaseModel):
    email: EmailAddress
    lang: Literal["ru", "en"] = "ru"
    """The language of the e-mail (and of the account, when it is new)."""


class VerifyIn(BaseModel):
    token: Token


class SessionOut(BaseModel):
    user_id: int
    expires_at: str


async def send_sign_in_email(settings: Settings, email: smtp.Email) -> None:
    try:
        await smtp.send(settings, email)
    except Exception as error:  # the person asks again; nothing else depends on it
        logger.warning("sign-in e-mail not sent: %s", type(error).__name__)


@router.post(
    "/api/auth/email",
    status_code=202,
    responses=responses(ValidationFailed, RateLimited, DatabaseUnavailable),
)
async def request_sign_in(
    body: EmailSignInIn, request: Request, settings: SettingsDep, conn: WriteConnection
) -> Response:
    """Send a one-time sign-in link to the address: 202 whatever the address (whether it
    has an account or not); limited per address (silently) and per client address (429)."""
    email = web.normalize_email(body.email)
    client = request.client
    ip = client_key(client.host) if client else "unknown"
    accepted = json_response({"status": "sent"}, status_code=202)
    if not await web.within_limits(conn, app_limiter(request.app), settings, ip, email):
        return accepted
    token = await web.create_link(conn, settings, email, body.lang, clock.now())
    if settings.email_enabled:
        message = web.sign_in_email(settings, email, token, body.lang)
        accepted.background = BackgroundTask(send_sign_in_email, settings, message)
    elif settings.is_development:
        logger.warning(
            "e-mail is off (it needs SMTP_URL and EMAIL_FROM): the sign-in link is %s",
            web.link_url(settings, token),
        )
    return accepted


@router.post(
    "/api/auth/email/verify",
    response_model=SessionOut,
    responses=responses(SignInLinkInvalid, ValidationFailed, DatabaseUnavailable),
)
async def verify_sign_in(body: VerifyIn, settings: SettingsDep, conn: WriteConnection) -> Response:
    """Use a sign-in link's token: a session in an ``HttpOnly; Secure; SameSite=Lax``
    cookie (``SESSION_DAYS``; ``Secure`` unless a development server runs on plain http)."""
    session = await web.verify_link(conn, settings, body.token, clock.now())
    response = json_response(
        {"user_id": session.user_id, "expires_at": session.expires_at.isoformat()}
    )
    response.set_cookie(
        web.SESSION_COOKIE,
        session.token,
        max_age=int(settings.session_lifetime.total_seconds()),
        path="/",
        secure=settings.session_cookie_is_secure,
        httponly=True,
        samesite="lax",
    )
    return response


@router.post(
    "/api/auth/logout",
    status_code=204,
    responses=responses(CsrfHeaderMissing, DatabaseUnavailable),
)
async def logout(request: Request, settings: SettingsDep, conn: ReadConnection) -> Response:
    """End the web session (its row is deleted: the cookie opens nothing any more)."""
    token = request.cookies.get(web.SESSION_COOKIE)
    if token is not None:
        if request.headers.get(web.CSRF_HEADER) != "1":
            raise CsrfHeaderMissing()
        await web.end_session(conn, settings, token)
    response = Response(status_code=204)
    response.delete_cookie(
        web.SESSION_COOKIE,
        path="/",
        secure=settings.session_cookie_is_secure,
        httponly=True,
        samesite="lax",
    )
    return response
