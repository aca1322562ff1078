"""The reseller's invoice list and CSV, a client's invoices, statements, taxes per month, and the HTTP files."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from reseller_app.api import create_api
from reseller_app.db import session_scope
from reseller_app.models import Client
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.security import hash_password
from reseller_app.services.accounting.billing_run import run_billing
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.invoicing import issue, queries
from tests.services.invoicing.test_invoices import _setup, _taxes


@pytest.fixture()
def issued(world):
    _taxes(world["ra"], compound=True)
    run_billing(_setup(world))
    with session_scope() as s:
        s.get(Client, world["c"]).password_hash = hash_password("password-123")
    return world


def test_list_filters_totals_and_csv(issued):
    w = issued
    a = w["actor_a"]
    data = queries.list_invoices(a, {})
    assert data["count"] == 1 and data["items"][0]["number"] == "INV-000001"
    assert data["items"][0]["total"] == "CA$42.38" and data["tax_total"] == "CA$5.68"
    assert queries.list_invoices(a, {"kind": "credit_note"})["count"] == 0
    assert queries.list_invoices(a, {"number": "000001", "client_id": str(w["c"])})["count"] == 1
    with pytest.raises(NotFound):
        queries.list_invoices(a, {"client_id": str(w["other"])})
    with pytest.raises(ValidationFailed):
        queries.list_invoices(a, {"date_from": "2026-13-01"})
    assert queries.list_invoices(w["actor_b"], {})["count"] == 0
    export = queries.export_invoices(a, {})
    rows = list(csv.reader(io.StringIO("".join(export.lines))))
    assert rows[0] == queries.CSV_HEADER
    assert rows[1][0] == "INV-000001" and rows[1][8:12] == ["CAD", "36.7000", "5.68", "42.3800"]


def test_statement_opening_postings_closing(issued):
    w = issued
    st = queries.statement(w["actor_a"], w["c"], "", "")
    assert st["opening"] == "CA$0.00" and st["closing_exact"] == "-42.3800"
    assert [i["kind"] for i in st["items"]][-2:] == ["tax", "tax"]
    client_actor = Actor("client", w["ra"], w["c"])
    assert queries.statement(client_actor, None, "", "")["closing_exact"] == "-42.3800"
    with pytest.raises(NotFound):
        queries.statement(w["actor_b"], w["c"], "", "")


def test_taxes_per_month_include_credit_notes(issued):
    w = issued
    inv_id = queries.list_invoices(w["actor_a"], {})["items"][0]["id"]
    issue.credit_note(w["actor_a"], inv_id, [1], "Goodwill")
    data = queries.taxes_by_month(w["actor_a"], "", "")
    amounts = {r["tax"]: r["amount_exact"] for r in data["rows"]}
    # GST 1.84 - 1.00; QST 3.84 - 2.09 (the credit note is issued today, the invoice tomorrow: one or two months).
    total = {n: sum(Decimal(r["amount_exact"]) for r in data["rows"] if r["tax"] == n) for n in ("GST", "QST")}
    assert total == {"GST": Decimal("0.84"), "QST": Decimal("1.75")}
    assert set(amounts) == {"GST", "QST"} and data["names"] == ["GST", "QST"]


def test_pdf_and_html_over_http_only_for_their_owner(issued):
    w = issued
    http = TestClient(create_api())
    client_token = auth.login_client(w["ra"], "c@example.com", "password-123")
    http.cookies.set("rp_csess", client_token)
    r = http.get(f"/api/client/{w['ra']}/invoices/INV-000001.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "INV-000001" in text and "CA$42.38" in text
    page = http.get(f"/api/client/{w['ra']}/invoices/INV-000001.html")
    assert page.status_code == 200 and "CA$42.38" in page.text
    assert http.get(f"/api/client/{w['rb']}/invoices/INV-000001.pdf").status_code == 401
    other = auth.login_reseller("rb@example.com", "password-123")
    http.cookies.clear()
    http.cookies.set("rp_rsess", other)
    assert http.get("/api/invoices/INV-000001.pdf").status_code == 404
    mine = auth.login_reseller("ra@example.com", "password-123")
    http.cookies.set("rp_rsess", mine)
    assert http.get("/api/invoices/INV-000001.pdf").status_code == 200
    csv_text = http.get("/api/reports/invoices.csv").text
    assert "INV-000001" in csv_text
    assert "GST" in http.get("/api/reports/taxes.csv").text
