"""The reseller's SMS/MMS report (global, per client, filters, CSV, paging) and messages in the financial report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from reseller_app.api import create_api
from reseller_app.carrier import CarrierMessage
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.messaging import messages, report
from reseller_app.services.reporting import export
from reseller_app.services.reporting.financial import financial_figures, financial_report

D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture()
def traffic(pair):
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "x" * 200)  # 2 parts: 0.0240 out, 0.0030 in
    messages.send(pair["d_actor"], pair["did2"], pair["n1"], "pic", image=PNG)  # 0.0270 out, 0.0150 in
    return pair


def test_global_report_totals_rows_and_filters(traffic):
    data = report.report(traffic["actor_a"], {})
    assert data["total"] == "4"
    t = data["totals"]
    # price 0.024 + 0.003 + 0.027 + 0.015 = 0.069; cost 0.015 + 0 + 0.02 + 0.01 = 0.045
    assert (t["messages"], t["segments"], t["price"], t["cost"], t["profit"]) == (
        "4",
        "6",  # a received text keeps its parts (billed per message)
        "$0.0690",
        "$0.0450",
        "$0.0240",
    )
    mms = report.report(traffic["actor_a"], {"kind": "mms"})
    assert mms["totals"]["price"] == "$0.0420"
    out_c = report.report(traffic["actor_a"], {"direction": "out", "client_id": str(traffic["c"])})
    assert [(r["kind"], r["segments"], r["price"]) for r in out_c["items"]] == [("SMS", "2", "$0.0240")]
    paged = report.report(traffic["actor_a"], {"per_page": "25"}, page=99)
    assert paged["page"] == 1


def test_per_client_report(traffic):
    data = report.report(traffic["actor_a"], {}, per_user=True)
    rows = {r["client"]: r for r in data["items"]}
    assert rows["Cy Cole"]["price"] == "$0.0390"  # 0.024 sent + 0.015 picture received
    assert rows["Di"]["price"] == "$0.0300"  # 0.003 received + 0.027 picture sent
    assert data["total"] == "2"


def test_report_csv_is_every_message_exact_and_neutralised(traffic, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_CHUNK", 2)  # several chunks: the keyset walk must not skip or repeat
    messages.ingest_messages(
        traffic["ra"],
        [CarrierMessage("ext-1", datetime.now(UTC), "in", "sms", traffic["n1"], "14165550143", "=cmd")],
    )
    exp = report.report_export(traffic["actor_a"], {})
    lines = "".join(exp.lines).strip().splitlines()
    assert lines[0] == "date,client,type,direction,did,contact,segments,cost,price,profit"
    assert exp.rows == len(lines) - 1 == 5
    assert lines[1].endswith(",2,0.0150,0.0240,0.0090")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    assert [r["type"] for r in rows] == ["SMS", "SMS", "MMS", "MMS", "SMS"]  # oldest first
    totals = report.report(traffic["actor_a"], {})["totals"]
    assert f"${sum(D(r['price']) for r in rows):.4f}" == totals["price"]
    only = report.report_export(traffic["actor_a"], {"kind": "mms", "client_id": str(traffic["d"])})
    assert only.rows == 1 and len(list(csv.DictReader(io.StringIO("".join(only.lines))))) == 1
    # Checked when asked, before any row is read: another reseller's client, a bad kind, a client actor.
    with pytest.raises(NotFound):
        report.report_export(traffic["actor_b"], {"client_id": str(traffic["c"])})
    with pytest.raises(ValidationFailed):
        report.report_export(traffic["actor_a"], {"kind": "fax"})
    with pytest.raises(Forbidden):
        report.report_export(Actor("client", traffic["ra"], client_id=traffic["c"]), {})


def test_the_csv_endpoint_streams_the_signed_in_resellers_messages_only(traffic):
    http = TestClient(create_api())
    assert http.get("/api/reports/messages.csv").status_code == 401
    http.cookies.set("rp_rsess", auth.login_reseller("ra@example.com", "password-123"))
    r = http.get("/api/reports/messages.csv", params={"direction": "out"})
    assert r.status_code == 200 and r.headers["x-total-rows"] == "2"
    assert r.headers["content-disposition"].startswith('attachment; filename="messages_')
    assert [row["direction"] for row in csv.DictReader(io.StringIO(r.text))] == ["out", "out"]
    assert http.get("/api/reports/messages.csv", params={"kind": "fax"}).status_code == 422
    http.cookies.set("rp_rsess", auth.login_reseller("rb@example.com", "password-123"))
    assert http.get("/api/reports/messages.csv", params={"client_id": str(traffic["c"])}).status_code == 404
    r = http.get("/api/reports/messages.csv")
    assert r.status_code == 200 and r.text.strip().splitlines()[1:] == []  # reseller B has none


def test_report_refuses_another_resellers_client_and_bad_filters(traffic):
    with pytest.raises(NotFound):
        report.report(traffic["actor_b"], {"client_id": str(traffic["c"])})
    with pytest.raises(ValidationFailed) as e:
        report.report(traffic["actor_a"], {"kind": "fax"})
    assert "kind" in e.value.errors
    assert report.report(traffic["actor_b"], {})["total"] == "0"
    with pytest.raises(Exception):  # noqa: B017 - a client is not a reseller
        report.report(Actor("client", traffic["ra"], client_id=traffic["c"]), {})


def test_messages_in_the_financial_month(traffic):
    today = datetime.now(UTC).date()
    figures = financial_figures(traffic["actor_a"], today.replace(day=1), today)
    month = figures[-1]
    assert (month.sms, month.mms, month.message_cost) == (D("0.027"), D("0.042"), D("0.045"))
    assert month.revenue == D("0.069")  # the two top-ups are deposits, not revenue
    shown = financial_report(traffic["actor_a"], today.replace(day=1), today)
    assert shown["totals"]["sms"] == "$0.03" and shown["chart"][-1]["messages"] == "0.07"
    last_month = today.replace(day=1) - timedelta(days=1)
    assert financial_figures(traffic["actor_a"], last_month.replace(day=1), last_month)[0].sms == 0
