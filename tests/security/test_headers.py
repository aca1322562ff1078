"""The security-headers middleware: every HTTP answer (pages, API, uploads, errors) carries the headers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from reseller_app.api import create_api, security_headers
from reseller_app.api.security_headers import COMMON, SecurityHeaders, page_policy, policy_for
from reseller_app.config import settings


def _directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in csp.split(";") if part.strip()}


@pytest.fixture()
def http(engine):
    return TestClient(SecurityHeaders(create_api()))


@pytest.mark.parametrize("path", ["/api/health", "/api/openapi.json", "/api/nope", "/api/v1/rest.php", "/api/docs"])
def test_every_api_answer_has_the_headers(http, path):
    r = http.get(path)
    for name, value in COMMON.items():
        assert r.headers[name] == value, (path, name)
    csp = _directives(r.headers["content-security-policy"])
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"


def test_the_page_policy_allows_what_the_reflex_frontend_needs_and_no_foreign_script():
    csp = _directives(page_policy())
    # Reflex's call_script needs eval; still no other origin (no https:, no CDN) may serve script.
    assert csp["script-src"] == "script-src 'self' 'unsafe-inline'"  # no eval: nothing evaluates script text
    assert "ws://localhost:" in csp["connect-src"] or "wss://" in csp["connect-src"]
    assert "https:" in csp["img-src"]  # resellers' branding images may be any https URL
    assert csp["default-src"] == "default-src 'self'"


def test_the_backend_origin_follows_api_url(monkeypatch):
    monkeypatch.setattr(security_headers, "settings", replace(settings, api_url="https://voip.example.com"))
    connect = _directives(page_policy())["connect-src"]
    assert "wss://voip.example.com" in connect and "https://voip.example.com" in connect


def test_uploads_are_sandboxed_and_run_nothing():
    csp = _directives(policy_for("/_upload/abc.png"))
    assert csp["default-src"] == "default-src 'none'" and "sandbox" in csp
    assert "script-src" not in csp


def test_pages_and_non_http_scopes_of_a_wrapped_app():
    async def page(_request):
        return PlainTextResponse("<html></html>", headers={"x-frame-options": "SAMEORIGIN"})

    app = SecurityHeaders(Starlette(routes=[Route("/login", page)]))
    r = TestClient(app).get("/login")
    # Ours win over a laxer value set inside.
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    with TestClient(app) as client:  # lifespan passes through untouched
        assert client.get("/missing").headers["x-content-type-options"] == "nosniff"


def test_the_builds_content_named_assets_are_cached_for_good_and_pages_are_not():
    """Hashed /assets/* files never change under their name: a browser keeps them (the login opens faster)."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from reseller_app.api.security_headers import SecurityHeaders

    app = Starlette(routes=[Route("/{path:path}", lambda request: PlainTextResponse("x"))])
    client = TestClient(SecurityHeaders(app))
    assert client.get("/assets/entry.client-DAbZKoE_.js").headers["cache-control"] == (
        "public, max-age=31536000, immutable"
    )
    assert "cache-control" not in client.get("/login/").headers
    assert "cache-control" not in client.get("/api/health").headers
