"""Schemathesis fuzzes the REST API from its own OpenAPI description: no input may cause a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from reseller_app.api import create_api
from reseller_app.db import session_scope
from reseller_app.models import Client
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.api import access as api_access

API_PW = "fuzz-api-pass-1"
schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_api())


@pytest.fixture()
def fuzz_reseller(engine):
    """A reseller with the API on and one client, so fuzzed calls get past authentication."""
    rid = create_reseller("fuzz@example.com", "login-pass-1")
    actor = Actor("reseller", rid)
    api_access.set_password(actor, API_PW, API_PW)
    api_access.set_access(actor, True, "")
    with session_scope() as s:
        client = Client(reseller_id=rid, email="fc@example.com", password_hash="x", firstname="F")
        s.add(client)
        s.flush()
        cid = str(client.id)
    api_access.limiter.reset()
    yield cid
    api_access.limiter.reset()


@schema.include(path="/api/v1/rest.php").parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_rest_api_never_fails_on_any_input(case, fuzz_reseller):
    # Valid credentials on every case, so the methods themselves are fuzzed (login refusals have their own tests).
    # A generated client that is not a number becomes the reseller's real client, to reach deeper code.
    creds = {"api_username": "fuzz@example.com", "api_password": API_PW}
    for attr in ("query", "body"):
        params = getattr(case, attr)
        if isinstance(params, dict):
            params = {**params, **creds}
            if "client" in params and not str(params["client"]).isdigit():
                params["client"] = fuzz_reseller
            setattr(case, attr, params)
    api_access.limiter.reset()
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    body = response.json()
    assert all(isinstance(v, str | list | dict) for v in body.values())


@pytest.mark.parametrize("bad", ["99999999999", "2147483648", "99999999999999999999999", "-1", "0"])
@pytest.mark.parametrize("method", ["getClients", "getClientThreshold", "setClient", "getPackages", "delClient"])
def test_out_of_range_ids_are_a_status_code_never_a_server_error(fuzz_reseller, method, bad):
    """Ids past the id columns (2**31 - 1 on PostgreSQL, 2**63 - 1 on SQLite) are refused like any unknown id."""
    from fastapi.testclient import TestClient

    api = TestClient(create_api(), raise_server_exceptions=False)
    params = {"api_username": "fuzz@example.com", "api_password": API_PW, "method": method}
    params |= {"package": bad} if method == "getPackages" else {"client": bad}
    r = api.get("/api/v1/rest.php", params=params)
    assert r.status_code == 200 and r.json()["status"] != "success", (method, bad, r.text[:200])
