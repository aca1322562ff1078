"""Cross-origin requests: only the portal's own origins may read its answers, and the REST API never with cookies.

Reflex's default CORS answers any `Origin` with `Access-Control-Allow-Origin: <that origin>` and
`Access-Control-Allow-Credentials: true`, so a page on any site could read a reseller's CSV exports with the
reseller's cookie. Here an origin is allowed when it is one of the portal's own (PUBLIC_URL, API_URL, DEPLOY_URL) or
the host the request was sent to (a reseller's custom hostname serving its own pages). `/api/v1/rest.php` takes its
credentials as parameters, so it never allows cookies (no `Access-Control-Allow-Credentials`). The same rule guards
the websocket's handshake (`socket_origin_allowed`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reseller_app.config import own_origins

NO_CREDENTIALS = ("/api/v1/rest.php",)
_CORS_HEADERS = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
)


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """Whether a page of `origin` may read answers of a request sent to `host` (the Host header)."""
    if not origin:
        return False
    normalized = origin.strip().lower()
    if normalized in own_origins():
        return True
    parts = urlsplit(normalized)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc == host.strip().lower()


def socket_origin_allowed(origin: str | None, environ: dict | None = None) -> bool:
    """The websocket handshake's check (python-engineio calls it with the WSGI-style environ)."""
    return origin_allowed(origin, (environ or {}).get("HTTP_HOST"))


def take_over_reflex_cors() -> None:
    """Stop Reflex from adding its own CORS middleware (it reflects any origin with credentials); PortalCors does."""
    from reflex.app import App

    App._add_cors = staticmethod(lambda api: None)


class PortalCors:
    """ASGI middleware answering CORS for the portal's own origins only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer preflights; on other answers, allow the origin when it is ours (credentials but on the REST API)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = origin_allowed(origin, headers.get("host"))
        credentials = not str(scope.get("path", "")).startswith(NO_CREDENTIALS)
        if scope.get("method") == "OPTIONS" and "access-control-request-method" in headers:
            if not allowed:
                await PlainTextResponse("Disallowed CORS origin", status_code=400, headers={"Vary": "Origin"})(
                    scope, receive, send
                )
                return
            answer = {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            }
            if requested := headers.get("access-control-request-headers"):
                answer["Access-Control-Allow-Headers"] = requested
            if credentials:
                answer["Access-Control-Allow-Credentials"] = "true"
            await PlainTextResponse("OK", headers=answer)(scope, receive, send)
            return

        async def send_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name in _CORS_HEADERS:
                    del out[name]
                out.append("Vary", "Origin")
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin
                    if credentials:
                        out["Access-Control-Allow-Credentials"] = "true"
            await send(message)

        await self.app(scope, receive, send_cors)
