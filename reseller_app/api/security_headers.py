"""Security headers on every response of the backend: pages, the API, uploads and Reflex's own endpoints.

The middleware wraps the whole ASGI app (Reflex's `api_transformer`), so the compiled frontend that Reflex mounts
in the backend in prod gets the same headers as the API.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reseller_app.config import settings


def _backend_origins() -> list[str]:
    """The http(s) and ws(s) origins of API_URL: the websocket may use another host name than the page."""
    # The same default as rxconfig.py: the browser's websocket goes to API_URL even when the page has another host.
    url = settings.api_url
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []
    ws = "wss" if parts.scheme == "https" else "ws"
    return [f"{parts.scheme}://{parts.netloc}", f"{ws}://{parts.netloc}"]


def page_policy() -> str:
    """The CSP of pages and API answers.

    The compiled React Router app hydrates from inline scripts and Radix/Emotion write inline styles, hence
    'unsafe-inline' there. No 'unsafe-eval': the app never asks Reflex to evaluate script text (no
    rx.call_script; the reports' export is a static asset called as a compiled function). No other origin may
    serve script, and no site may frame the portal (click-jacking). Script
    injection is stopped before the CSP: React renders text, and rich text goes through nh3.
    Images may be https (resellers' branding URLs), data: (Radix icons) or our /_upload files.
    """
    connect = " ".join(["'self'", *_backend_origins()])
    return (
        "default-src 'self'; "
        "script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' https: data: blob:; "
        "font-src 'self' data:; "
        f"connect-src {connect}; "
        "object-src 'none'; "
        "base-uri 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


# Swagger UI at /api/docs loads its script and styles from jsDelivr (FastAPI's default).
DOCS_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' https: data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
# An uploaded file is only ever an image: even opened directly (an SVG or HTML polyglot), it may run nothing.
UPLOAD_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'none'; sandbox; frame-ancestors 'none'"
)

COMMON = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


def policy_for(path: str) -> str:
    """The Content-Security-Policy for a request path."""
    if path.startswith("/_upload"):
        return UPLOAD_POLICY
    if path.startswith("/api/docs"):
        return DOCS_POLICY
    return page_policy()


class SecurityHeaders:
    """ASGI middleware adding CSP, frame, sniffing and referrer headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass websockets and lifespan through; set the headers on the start of each HTTP response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = policy_for(path)
        immutable = path.startswith("/assets/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers[name] = value
                headers["content-security-policy"] = csp
                if immutable and message.get("status") == 200:
                    # The build's scripts and styles are named by their content: a browser keeps them, and a page
                    # (the login page first) opens without re-asking the server for each of its ~40 modules.
                    headers["cache-control"] = "public, max-age=31536000, immutable"
            await send(message)

        await self.app(scope, receive, send_with_headers)
