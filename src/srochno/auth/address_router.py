"""A Telegram account's verified e-mail address (SPEC §23): ask for a confirmation link,
confirm it from the e-mail, remove it."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Query, Request
from starlette.background import BackgroundTask
from starlette.responses import HTMLResponse, Response

from srochno import clock
from srochno.auth import address, web
from srochno.auth.dependencies import CurrentUser
from srochno.auth.errors import AUTH_ERRORS, CsrfHeaderMissing, EmailTaken, SignInLinkInvalid
from srochno.auth.router import EmailSignInIn, send_sign_in_email
from srochno.errors import AppError, DatabaseUnavailable, ValidationFailed, responses
from srochno.ratelimit import RateLimited, client_key
from srochno.responses import json_response
from srochno.state import SettingsDep, WriteConnection, app_limiter, domain_router
from srochno.telegram.texts import escape
from srochno.users.errors import TelegramOnly

logger = logging.getLogger(__name__)
router = domain_router(tags=["auth"])

TokenQuery = Annotated[
    str, Query(alias="t", min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
]

PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Srochno</title>
</head><body style="font-family: sans-serif; max-width: 32rem; margin: 2rem auto">{body}
</body></html>"""
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@router.post(
    "/api/users/me/email",
    status_code=202,
    responses=responses(*AUTH_ERRORS, CsrfHeaderMissing, TelegramOnly, RateLimited),
)
async def request_address(
    body: EmailSignInIn,
    user: CurrentUser,
    request: Request,
    settings: SettingsDep,
    conn: WriteConnection,
) -> Response:
    """Send a confirmation link to the address; opened, it becomes my verified address and
    the take, the reminders and the digests reach me by e-mail too. 202 whatever the
    address; `RATE_EMAIL_USER_PER_HOUR` per account (then 429), and the address's own
    limit (silently). A web account's address is its sign-in: 409 `telegram_only`."""
    if user.is_web:
        raise TelegramOnly()
    email = web.normalize_email(body.email)
    client = request.client
    ip = client_key(client.host) if client else "unknown"
    accepted = json_response({"status": "sent"}, status_code=202)
    limiter = app_limiter(request.app)
    if not await web.within_limits(conn, limiter, settings, ip, email, user_id=user.id):
        return accepted
    now = clock.now()
    await address.retire_pending(conn, user.id, now)
    token = await web.create_link(conn, settings, email, body.lang, now, user.id)
    if settings.email_enabled:
        message = address.confirmation_email(settings, email, token, body.lang)
        accepted.background = BackgroundTask(send_sign_in_email, settings, message)
    elif settings.is_development:
        logger.warning(
            "e-mail is off (it needs SMTP_URL and EMAIL_FROM): the confirmation link is %s",
            address.confirm_url(settings, token),
        )
    return accepted


@router.delete(
    "/api/users/me/email",
    status_code=204,
    responses=responses(*AUTH_ERRORS, CsrfHeaderMissing, TelegramOnly),
)
async def remove_address(user: CurrentUser, conn: WriteConnection) -> Response:
    """Forget my verified address: no more e-mail (a web account keeps its own: 409)."""
    if user.is_web:
        raise TelegramOnly()
    await address.remove(conn, user.id, clock.now())
    return Response(status_code=204)


@router.get(
    "/api/email/confirm",
    response_class=HTMLResponse,
    responses=responses(ValidationFailed),
)
async def confirmation_page(t: TokenQuery) -> Response:
    """The link of the confirmation e-mail: a button (mail scanners open links: a GET
    changes nothing)."""
    form = (
        '<form method="post"><p>Подтвердить этот адрес для уведомлений Срочно? / '
        "Confirm this address for Srochno notifications?</p>"
        '<button type="submit">Подтвердить / Confirm</button></form>'
    )
    return HTMLResponse(PAGE.format(body=form), headers=PAGE_HEADERS)


@router.post(
    "/api/email/confirm",
    response_class=HTMLResponse,
    responses=responses(SignInLinkInvalid, EmailTaken, ValidationFailed, DatabaseUnavailable),
)
async def confirm_address(t: TokenQuery, settings: SettingsDep, conn: WriteConnection) -> Response:
    """Use the link: the address is stored, verified, on the account that asked for it. A
    person reads the answer: a page, with the error's code when it failed."""
    try:
        email = await address.confirm(conn, settings, t, clock.now())
    except (SignInLinkInvalid, EmailTaken) as error:
        return _failed(error)
    done = (
        f"<p>Готово: {escape(email)} подтверждён, уведомления Срочно будут приходить и на "
        "него. / Done: the address is confirmed.</p>"
    )
    return HTMLResponse(PAGE.format(body=done), headers=PAGE_HEADERS)


def _failed(error: AppError) -> Response:
    text = {
        SignInLinkInvalid.code: "Ссылка устарела или уже использована: попросите новую в "
        "приложении. / The link is used or expired: ask for a new one.",
        EmailTaken.code: "Этот адрес уже принадлежит другому аккаунту. / This address "
        "belongs to another account.",
    }[error.code]
    body = f'<p>{escape(text)}</p><p><small data-code="{error.code}">{error.code}</small></p>'
    return HTMLResponse(PAGE.format(body=body), status_code=error.status, headers=PAGE_HEADERS)
