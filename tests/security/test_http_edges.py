"""CORS and the upload endpoint's bounds, on the middleware chain the app runs (issue 15, findings 2, 4 and 12).

The same behaviour is checked against the running app in tests/e2e/test_wire_security.py.
"""

from __future__ import annotations

import os
import time

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from reseller_app.api import create_api
from reseller_app.api.cors import PortalCors, origin_allowed, own_origins
from reseller_app.api.security_headers import SecurityHeaders
from reseller_app.api.uploads import FRAMING, TOO_LARGE, UploadGuard, handler_limits
from reseller_app.config import settings
from reseller_app.state.catalog import simulator as sim

EVIL = "https://evil.example"


@pytest.fixture()
def http(engine):
    return TestClient(SecurityHeaders(PortalCors(create_api())))


@pytest.mark.parametrize("path", ["/api/health", "/api/reports/subaccounts.csv", "/api/v1/rest.php"])
def test_a_foreign_origin_is_never_allowed(http, path):
    r = http.get(path, headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-credentials" not in r.headers
    pre = http.options(path, headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 400 and "access-control-allow-origin" not in pre.headers


def test_our_own_origin_is_allowed_and_the_rest_api_never_with_credentials(http):
    ours = own_origins()[0]
    r = http.get("/api/health", headers={"Origin": ours})
    assert r.headers["access-control-allow-origin"] == ours
    assert r.headers["access-control-allow-credentials"] == "true"
    r = http.get("/api/v1/rest.php", headers={"Origin": ours})
    assert r.headers["access-control-allow-origin"] == ours
    assert "access-control-allow-credentials" not in r.headers
    pre = http.options("/api/v1/rest.php", headers={"Origin": ours, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 200 and "access-control-allow-credentials" not in pre.headers


def test_the_origins_are_public_url_api_url_and_the_requested_host(monkeypatch):
    monkeypatch.setenv("API_URL", "https://api.voip.example")
    assert "https://api.voip.example" in own_origins()
    assert settings.public_url.split("/")[0] + "//" + settings.public_url.split("/")[2] in own_origins()
    # A custom hostname's page talking to its own host is same-origin; another host is not.
    assert origin_allowed("https://voice.client.example", "voice.client.example")
    assert not origin_allowed("https://evil.example", "voice.client.example")
    assert not origin_allowed(None, "voice.client.example")


# --- /_upload -----------------------------------------------------------------------------------------------


def _upload_app() -> tuple[TestClient, list[int]]:
    read: list[int] = []

    async def upload(request: Request) -> PlainTextResponse:
        n = 0
        try:
            async for chunk in request.stream():
                n += len(chunk)
        except ClientDisconnect:  # what Reflex's upload endpoint does too: it answers an empty response
            read.append(n)
            return PlainTextResponse("")
        read.append(n)
        return PlainTextResponse("ok")

    app = UploadGuard(Starlette(routes=[Route("/_upload", upload, methods=["POST"])]))
    return TestClient(app), read


def _handler(suffix: str) -> tuple[str, int]:
    return next((name, limit) for name, limit in handler_limits().items() if name.endswith(suffix))


def test_every_upload_handler_of_the_app_has_a_limit():
    """A handler taking files that the guard does not know would answer 400 to every upload in the browser."""
    import inspect

    from tests.security.test_event_handlers import app_states

    takes_files = {
        f"{cls.get_full_name()}.{name}"
        for cls in app_states()
        for name, handler in cls.event_handlers.items()
        if any("UploadFile" in str(p.annotation) for p in inspect.signature(handler.fn).parameters.values())
    }
    assert len(takes_files) >= 7
    assert takes_files == set(handler_limits())


def test_an_unknown_upload_handler_is_refused_before_reading(engine):
    client, read = _upload_app()
    r = client.post("/_upload", content=b"x" * 1000, headers={"Reflex-Event-Handler": "state.nope"})
    assert r.status_code == 400 and read == []


def test_an_oversized_upload_is_refused_from_its_content_length(engine):
    client, read = _upload_app()
    name, limit = _handler(".upload_header")
    r = client.post(
        "/_upload",
        content=b"x" * (limit + FRAMING + 1),
        headers={"Reflex-Event-Handler": name, "Content-Length": str(limit + FRAMING + 1)},
    )
    assert r.status_code == 413 and r.text == TOO_LARGE and read == []


def test_an_upload_without_a_length_is_cut_off_while_streaming(engine):
    client, read = _upload_app()
    name, limit = _handler(".upload_header")

    def body():  # chunked: no Content-Length
        for _ in range(64):
            yield b"x" * (256 * 1024)  # 16 MiB in all, the limit is 2 MiB

    r = client.post("/_upload", content=body(), headers={"Reflex-Event-Handler": name})
    assert r.status_code == 413 and r.text == TOO_LARGE
    assert read and read[0] <= limit + FRAMING  # the handler never saw more than the limit
    ok = client.post("/_upload", content=b"x" * 1000, headers={"Reflex-Event-Handler": name})
    assert ok.status_code == 200 and ok.text == "ok"


def test_old_simulator_leftovers_are_removed_at_start(tmp_path):
    old = tmp_path / "sim-old.csv"
    fresh = tmp_path / "sim-fresh.csv"
    other = tmp_path / "keep.csv"
    for p in (old, fresh, other):
        p.write_text("x")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(other, (two_hours_ago, two_hours_ago))
    assert sim.clean_leftovers(str(tmp_path)) == 1
    assert not old.exists() and fresh.exists() and other.exists()
