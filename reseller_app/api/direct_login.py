"""The auto-connect form's endpoint (`action=DirectLogin`) and custom-hostname routing to a reseller's portal."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from reseller_app import routes
from reseller_app.config import settings
from reseller_app.services.access import abuse, auth, two_factor
from reseller_app.services.common.errors import AuthFailed
from reseller_app.services.common.ids import to_id
from reseller_app.services.settings import branding as portal

router = APIRouter()

# The same cookie SessionState reads (rx.Cookie "rp_csess"): Reflex reads cookies in the browser, so not HttpOnly.
COOKIE = "rp_csess"
# Fixed codes, never free text: the login page maps each code to its own message.
ERROR_CODES = {
    auth.BAD_LOGIN: "bad",
    auth.LOCKED: "locked",
    auth.WAITING: "wait",
    auth.PORTAL_OFF: "off",
    two_factor.CODE_NEEDED: "code",  # two-factor sign-in: the code is asked on the login page
    abuse.TOO_MANY_LOGINS: "many",
}


def _login_redirect(rid: int, code: str) -> RedirectResponse:
    return RedirectResponse(f"{routes.client_path(rid, 'login')}?e={quote(code)}", status_code=303)


NO_PORTAL = "No such portal."


async def _direct_login(request: Request, uid: str, action: str, email: str, password: str) -> Response:
    rid = to_id(uid)
    if rid is None:
        # A made-up reseller id (letters, zero, negative, past the id columns' range): a plain refusal, not a 500.
        return PlainTextResponse(NO_PORTAL, status_code=404)
    if action != "DirectLogin":
        return _login_redirect(rid, "bad")
    try:
        ip = request.client.host if request.client else ""
        token = await asyncio.to_thread(auth.login_client, rid, email, password, ip)
    except AuthFailed as e:
        return _login_redirect(rid, ERROR_CODES.get(str(e), "bad"))
    resp = RedirectResponse(routes.client_path(rid, "dashboard"), status_code=303)
    resp.set_cookie(
        COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        path="/",
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
        httponly=False,
    )
    return resp


@router.post("/interface/login.php", include_in_schema=False)
async def direct_login_guide(
    request: Request,
    UID: str = Form(..., max_length=40),  # noqa: N803 - the guide's field name; checked as an id below
    action: str = Form(""),
    col_email: str = Form(""),
    col_password: str = Form(""),
) -> Response:
    """The guide's auto-connect form: reseller id in UID, then the client's email and password."""
    return await _direct_login(request, UID, action, col_email, col_password)


@router.post("/r/{rid}/direct-login", include_in_schema=False)
async def direct_login(
    request: Request, rid: str, action: str = Form(""), col_email: str = Form(""), col_password: str = Form("")
) -> Response:
    """The same auto-connect login with the reseller id in the path."""
    return await _direct_login(request, rid, action, col_email, col_password)


class HostnamePortal:
    """Send visitors of a reseller's custom hostname from `/` (and `/login`) to that reseller's client portal."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Redirect the entry paths of a custom hostname; pass everything else through untouched."""
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and scope.get("path") in ("/", "/login"):
            host = ""
            for k, v in scope.get("headers") or []:
                if k == b"host":
                    host = v.decode("latin-1").split(":")[0].strip().lower()
                    break
            rid = await asyncio.to_thread(portal.reseller_for_host, host) if host else None
            if rid is not None:
                await RedirectResponse(routes.client_path(rid, "login"), status_code=307)(scope, receive, send)
                return
        await self.app(scope, receive, send)
