"""The portal driven by a VoIP.ms client nobody here wrote: the PyPI `voipms` package, its URLs' host pointed at
a granian server on 127.0.0.1 (the package calls `requests` itself, so no transport can be injected).

That client raises only for the status codes in VoIP.ms's table: a refusal answered with any other code would
look like a success to it. Each refusal below must raise; each success must come back with VoIP.ms's shape.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import voipms
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.api import access as api_access

ROOT = Path(__file__).resolve().parents[2]
API_PW = "api-secret-123"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(engine) -> Iterator[str]:
    """The portal's API served by granian on 127.0.0.1 (same test database); answers its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1", "--no-log", "reseller_app.api:create_api"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the API server did not answer within 60 s"
                time.sleep(0.1)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture()
def client(server):
    """A `voipms.VoipMs` client of a reseller with one client on a sub-account, pointed at the test server."""
    rid = create_reseller("vo@example.com", "login-pass-1")
    actor = Actor("reseller", rid)
    api_access.set_password(actor, API_PW, API_PW)
    api_access.set_access(actor, True, "")
    with session_scope() as s:
        c = Client(reseller_id=rid, email="cy@example.com", password_hash="x", firstname="Cy", lastname="Cole")
        s.add(c)
        s.flush()
        s.add(SubAccount(reseller_id=rid, client_id=c.id, account=f"{100000 + rid}_front", sip_password="sip-pass-1"))
        cid = c.id
    api = voipms.VoipMs("vo@example.com", API_PW)
    api.base_url = api.base_url.replace("https://voip.ms", server)
    api.post_url = api.post_url.replace("https://voip.ms", server)
    return api, cid


def _balance(cid: int) -> Decimal:
    with session_scope() as s:
        return s.get(Client, cid).balance


def test_the_voipms_package_works_against_the_portal(client):
    api, cid = client
    new = api.clients.add.client(
        "Ann", "Lee", "1 Main St", "Montreal", "QC", "CA", "H1H1H1", "5145550100", "ann@example.com",
        "ann@example.com", "client-pass-1", "client-pass-1", activate=True, balance_management="1",
    )  # fmt: skip
    assert new["status"] == "success" and new["client"].isdigit()
    rows = api.clients.get.clients()["clients"]
    assert [r["email"] for r in rows] == ["cy@example.com", "ann@example.com"]
    assert all(r["password"] == "" for r in rows)
    assert api.clients.get.clients(new["client"])["clients"][0]["balance_management"] == "1"
    assert api.clients.add.payment(cid, 20.5)["status"] == "success"  # no description: optional
    assert api.clients.add.charge(cid, 5.25, description="Setup", test=True)["status"] == "success"
    assert api.clients.add.charge(cid, 5.25, description="Setup")["status"] == "success"
    assert _balance(cid) == Decimal("15.25")
    assert api.clients.get.deposits(cid)["deposits"][0]["amount"] == "20.50"
    assert api.clients.get.charges(cid)["charges"][0]["description"] == "Setup"
    assert api.clients.get.reseller_balance(cid)["balance"]["current_balance"] == "15.2500"
    assert api.clients.set.client_threshold(cid, 25, email="n@example.com")["status"] == "success"
    assert api.clients.get.client_threshold(cid)["threshold_information"] == {"threshold": "25",
                                                                              "email": "n@example.com"}  # fmt: skip
    got = api.clients.get.balance_management()["balance_management"]
    assert [g["value"] for g in got] == ["1", "2"]
    subs = api.accounts.get.sub_accounts()["accounts"]
    assert [s["reseller_client"] for s in subs] == [str(cid)]
    assert api.accounts.get.routes()["routes"][1] == {"value": "2", "description": "Premium"}
    assert api.general.get.countries("CA")["countries"] == [{"value": "CA", "description": "Canada"}]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda api, cid: api.clients.add.payment(cid, -5.0), "(?i)payment"),
        (lambda api, cid: api.clients.add.charge(cid, 0.0), "(?i)charge"),
        (lambda api, cid: api.clients.add.payment(999999, 5.0), "(?i)client"),
        (lambda api, cid: api.clients.get.clients("nobody@example.com"), "(?i)client"),
        (lambda api, cid: api.clients.get.charges(999999), "(?i)client"),
        (lambda api, cid: api.clients.get.balance_management(7), "Balance"),
        (lambda api, cid: api.clients.get.packages(), "(?i)package"),
        (lambda api, cid: api.dids.get.dids_info(), "DID"),
        (lambda api, cid: api.accounts.get.sub_accounts("100000_nobody"), "ccount"),
        (lambda api, cid: api.clients.add.client(
            "Ann", "Lee", "1 Main St", "Montreal", "QC", "CA", "H1H1H1", "5145550100", "cy@example.com",
            "cy@example.com", "client-pass-1", "client-pass-1"), "mail"),
    ],
)  # fmt: skip
def test_every_refusal_raises_in_the_voipms_package(client, call, message):
    api, cid = client
    with pytest.raises(TypeError, match=message):
        call(api, cid)
    assert _balance(cid) == 0


def test_del_client_refused_while_connected_then_done(client):
    api, cid = client
    with pytest.raises(TypeError, match="DIDs"):
        api._get("delClient", {"client": cid})  # the package has no wrapper for delClient
    with session_scope() as s:
        s.exec(select(SubAccount)).one().client_id = None
    assert api._get("delClient", {"client": cid})["status"] == "success"
    with pytest.raises(TypeError, match="(?i)client"):
        api.clients.get.clients(cid)
