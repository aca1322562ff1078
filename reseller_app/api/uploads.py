"""Reflex's upload endpoint (`POST /_upload`) reads a whole multipart body into temporary files before any handler
runs. This middleware bounds it first: the handler named in `Reflex-Event-Handler` must be one of the app's upload
handlers, and the body may not exceed that handler's own limit (plus the multipart framing), refused from the
`Content-Length` when it says more, and cut off while streaming when it sends more than it said (or says nothing).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_PATH = "/_upload"
FRAMING = 64 * 1024  # multipart boundaries, part headers and Reflex's own fields
TOO_LARGE = "Upload too large."


def handler_limits() -> dict[str, int]:
    """Bytes each upload handler accepts, by its full event name (as the frontend sends it)."""
    from reseller_app.services.callflows import audio
    from reseller_app.services.catalog import fields
    from reseller_app.services.messaging import messages
    from reseller_app.services.settings import configuration
    from reseller_app.state.callflows.phone_system import PhoneSystemState
    from reseller_app.state.catalog.area_rates import AreaRatesTab
    from reseller_app.state.catalog.simulator import SimulatorTab
    from reseller_app.state.messaging.inbox import MessagesState
    from reseller_app.state.settings.configuration import ConfigState

    limits = {
        f"{AreaRatesTab.get_full_name()}.import_csv": fields.MAX_UPLOAD_BYTES,
        f"{SimulatorTab.get_full_name()}.simulate_upload": fields.MAX_UPLOAD_BYTES,
        f"{SimulatorTab.get_full_name()}.simulate_messages_upload": fields.MAX_UPLOAD_BYTES,
        f"{PhoneSystemState.get_full_name()}.upload_recording": audio.MAX_AUDIO_BYTES,
        f"{MessagesState.get_full_name()}.attach": messages.MMS_MAX_BYTES,
    }
    for name in (
        "upload_login_background",
        "upload_login_logo",
        "upload_header",
        "upload_content_logo",
        "upload_favicon",
    ):
        limits[f"{ConfigState.get_full_name()}.{name}"] = configuration.MAX_UPLOAD_BYTES
    return limits


class UploadGuard:
    """Refuse unknown or oversized uploads before Reflex reads them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._limits: dict[str, int] | None = None

    def _limit(self, handler: str) -> int | None:
        if self._limits is None:
            self._limits = handler_limits()
        return self._limits.get(handler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the handler and the size; count the body as it streams."""
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self._limit(headers.get("reflex-event-handler", ""))
        if limit is None:
            await PlainTextResponse("Unknown upload handler.", status_code=400)(scope, receive, send)
            return
        allowed = limit + FRAMING
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > allowed):
            await PlainTextResponse(TOO_LARGE, status_code=413)(scope, receive, send)
            return
        seen = 0
        over = False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > allowed:
                    over = True  # the app sees the client go away and stops reading; we answer 413
                    return {"type": "http.disconnect"}
            return message

        answered = False

        async def answer(message: Message) -> None:
            nonlocal answered
            if not over:
                await send(message)
                return
            if not answered:
                answered = True
                body = TOO_LARGE.encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 413,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", b"%d" % len(body)),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, counted, answer)
