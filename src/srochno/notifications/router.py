"""The unsubscribe link of every e-mail (SPEC §23): signed with the user's id, so it needs
no sign-in. ``GET`` shows a button (mail scanners follow links: a GET changes nothing);
``POST`` unsubscribes, and is what the ``List-Unsubscribe-Post`` one-click header sends."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.responses import HTMLResponse, Response

from srochno.enums import BIGINT_MAX
from srochno.errors import AppError, DatabaseUnavailable, responses
from srochno.notifications import email
from srochno.schemas import USER_ID_MIN
from srochno.state import ReadConnection, SettingsDep, domain_router

router = domain_router(tags=["notifications"])


class UnsubscribeLinkInvalid(AppError):
    status = 403
    code = "unsubscribe_link_invalid"
    message = "The unsubscribe link is not valid"


UserQuery = Annotated[int, Query(alias="u", ge=USER_ID_MIN, le=BIGINT_MAX)]
SignatureQuery = Annotated[str, Query(alias="s", min_length=1, max_length=64)]

PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Srochno</title>
</head><body style="font-family: sans-serif; max-width: 32rem; margin: 2rem auto">{body}
</body></html>"""


@router.get(
    "/api/email/unsubscribe",
    response_class=HTMLResponse,
    responses=responses(UnsubscribeLinkInvalid),
)
async def unsubscribe_page(u: UserQuery, s: SignatureQuery, settings: SettingsDep) -> Response:
    if not email.valid_unsubscribe(settings, u, s):
        raise UnsubscribeLinkInvalid()
    form = (
        '<form method="post"><p>Больше не присылать письма Срочно? / '
        "Stop Srochno e-mails?</p>"
        '<button type="submit">Отписаться / Unsubscribe</button></form>'
    )
    return HTMLResponse(PAGE.format(body=form))


@router.post(
    "/api/email/unsubscribe",
    response_class=HTMLResponse,
    responses=responses(UnsubscribeLinkInvalid, DatabaseUnavailable),
)
async def unsubscribe(
    u: UserQuery, s: SignatureQuery, settings: SettingsDep, conn: ReadConnection
) -> Response:
    if not email.valid_unsubscribe(settings, u, s):
        raise UnsubscribeLinkInvalid()
    await email.unsubscribe(conn, u)
    return HTMLResponse(PAGE.format(body="<p>Готово: писем больше не будет. / Done.</p>"))
