"""The reseller's audit log: who, when, from which address, filters, paging, CSV, and the database's protection."""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from reseller_app.db import session_scope
from reseller_app.models import AuditLog, LedgerEntry
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.postings import manual_posting, reverse
from reseller_app.services.common.errors import AuthFailed, Forbidden, NotFound, ValidationFailed
from reseller_app.services.reporting import export
from reseller_app.services.staff import audit_log


@pytest.fixture()
def logged(world):
    """Reseller A signs in from 203.0.113.7, posts a payment to client c from 198.51.100.2 and reverses it."""
    auth.login_reseller("ra@example.com", "password-123", ip="203.0.113.7")
    with pytest.raises(AuthFailed):
        auth.login_reseller("ra@example.com", "wrong-password", ip="203.0.113.66")
    a = Actor("reseller", world["ra"], ip="198.51.100.2")
    manual_posting(a, world["c"], "payment", "10", "top-up")
    with session_scope() as s:
        entry = s.exec(select(LedgerEntry).where(LedgerEntry.client_id == world["c"])).one()
    reverse(a, world["c"], entry.id)
    # Reseller B's own activity never shows in A's log.
    auth.login_reseller("rb@example.com", "password-123", ip="192.0.2.1")
    return world


def test_the_log_says_who_when_where_and_what(logged):
    data = audit_log.entries(logged["actor_a"], {})
    rows = data["items"]
    assert data["total"] == "4"
    assert [r["action"] for r in rows] == ["reverse", "add_payment", "login_failed", "login"]  # newest first
    by_action = {r["action"]: r for r in rows}
    assert by_action["login"]["ip"] == "203.0.113.7"
    assert by_action["login_failed"]["ip"] == "203.0.113.66"
    assert by_action["login_failed"]["kind"] == "Sign-ins and failures"
    assert by_action["add_payment"] == by_action["add_payment"] | {
        "who": "Owner",
        "ip": "198.51.100.2",
        "kind": "Payments, charges and reversals",
        "object": f"client #{logged['c']}",
        "detail": "amount: 10",
    }
    assert "192.0.2.1" not in str(rows)


def test_filters_person_kind_client_and_period(logged, world):
    a = logged["actor_a"]
    money = audit_log.entries(a, {"kind": "money"})
    assert [r["action"] for r in money["items"]] == ["reverse", "add_payment"]
    logins = audit_log.entries(a, {"kind": "logins", "person": "owner"})
    assert {r["action"] for r in logins["items"]} == {"login", "login_failed"}
    assert audit_log.entries(a, {"person": "system"})["total"] == "0"
    for_c = audit_log.entries(a, {"client_id": str(world["c"])})
    assert [r["action"] for r in for_c["items"]] == ["add_payment"]  # the reversal names the ledger entry
    past = audit_log.entries(a, {"date_from": "2020-01-01", "date_to": "2020-01-31"})
    assert past["total"] == "0"
    with pytest.raises(ValidationFailed):
        audit_log.entries(a, {"kind": "everything"})
    with pytest.raises(ValidationFailed):
        audit_log.entries(a, {"person": "root"})


def test_a_client_row_names_the_client(world):
    with pytest.raises(AuthFailed):
        auth.login_client(world["ra"], "c@example.com", "wrong", ip="10.0.0.9")
    rows = audit_log.entries(world["actor_a"], {"person": "clients"})["items"]
    assert [(r["who"], r["action"], r["ip"]) for r in rows] == [("Client Cy Cole", "login_failed", "10.0.0.9")]


def test_another_resellers_client_and_a_client_caller_are_refused(logged):
    with pytest.raises(NotFound):
        audit_log.entries(logged["actor_a"], {"client_id": str(logged["other"])})
    with pytest.raises(NotFound):
        audit_log.entries_export(logged["actor_a"], {"client_id": str(logged["other"])})
    with pytest.raises(Forbidden):
        audit_log.entries(Actor("client", logged["ra"], logged["c"]), {})
    with pytest.raises(Forbidden):
        audit_log.entries_export(Actor("client", logged["ra"], logged["c"]), {})


def test_paging_is_done_in_sql(world):
    with session_scope() as s:
        for i in range(60):
            s.add(AuditLog(reseller_id=world["ra"], actor_role="reseller", actor_id=world["ra"], action=f"x{i}"))
    first = audit_log.entries(world["actor_a"], {"per_page": "25"})
    assert (first["page"], first["pages"], first["total"], len(first["items"])) == (1, 3, "60", 25)
    last = audit_log.entries(world["actor_a"], {"per_page": "25"}, page=9)
    assert (last["page"], len(last["items"])) == (3, 10)
    assert {r["id"] for r in first["items"]}.isdisjoint({r["id"] for r in last["items"]})


def _csv(actor, raw) -> str:
    return "".join(audit_log.entries_export(actor, raw).lines)


def test_csv_export_is_filtered_and_neutralised(logged, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_CHUNK", 2)  # several chunks: the keyset walk must not skip or repeat
    with session_scope() as s:
        s.add(
            AuditLog(
                reseller_id=logged["ra"],
                actor_role="reseller",
                actor_id=logged["ra"],
                action="create_client",
                object_type="client",
                object_id=logged["c"],
                detail={"email": "=HYPERLINK(1)"},
            )
        )
    exp = audit_log.entries_export(logged["actor_a"], {})
    lines = "".join(exp.lines).strip().splitlines()
    assert lines[0] == "time_utc,who,address,kind,action,object,detail"
    assert exp.rows == len(lines) - 1 == 5
    rows = list(csv.reader(lines))
    assert [r[4] for r in rows[1:]] == [
        "login",
        "login_failed",
        "add_payment",
        "reverse",
        "create_client",
    ]
    assert lines[-1].endswith(",email: =HYPERLINK(1)")  # the cell starts with "email": not a formula, left as is
    money = _csv(logged["actor_a"], {"kind": "money"}).strip().splitlines()
    assert len(money) == 3
    assert "198.51.100.2" in money[1]


def test_a_formula_cell_is_neutralised(world):
    with session_scope() as s:
        s.add(AuditLog(reseller_id=world["ra"], actor_role="reseller", actor_id=world["ra"], action="=cmd"))
    lines = _csv(world["actor_a"], {}).strip().splitlines()
    assert ",'=cmd," in lines[1]


def test_the_database_refuses_to_edit_or_delete_an_entry(logged, engine):
    with Session(engine) as s:
        first_id = s.exec(select(AuditLog.id)).first()
    for sql in (
        f"UPDATE auditlog SET action = 'nothing' WHERE id = {first_id}",
        f"DELETE FROM auditlog WHERE id = {first_id}",
    ):
        with engine.connect() as conn, pytest.raises(sa.exc.DatabaseError, match="append-only"):
            conn.execute(sa.text(sql))
    with Session(engine) as s:
        assert s.get(AuditLog, first_id).action == "login"
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn, pytest.raises(sa.exc.DatabaseError, match="append-only"):
            conn.execute(sa.text("TRUNCATE auditlog CASCADE"))


def test_erasure_may_only_take_keys_out_of_the_detail(world, engine):
    """Deleting a client scrubs its email from its entries: the one UPDATE the database lets through."""
    with session_scope() as s:
        row = AuditLog(
            reseller_id=world["ra"],
            actor_role="reseller",
            actor_id=world["ra"],
            action="create_client",
            object_type="client",
            object_id=world["c"],
            detail={"email": "c@example.com", "mode": "prepaid"},
        )
        s.add(row)
        s.flush()
        rid = row.id
    refused = (
        """UPDATE auditlog SET detail = '{"email": "c@example.com", "mode": "postpaid"}'""",
        """UPDATE auditlog SET detail = '{"email": "c@example.com", "mode": "prepaid", "x": "1"}'""",
        """UPDATE auditlog SET detail = '{"mode": "prepaid"}', action = 'other'""",
        """UPDATE auditlog SET ip = '10.1.1.1'""",
    )
    for sql in refused:
        with engine.connect() as conn, pytest.raises(sa.exc.DatabaseError, match="append-only"):
            conn.execute(sa.text(f"{sql} WHERE id = {rid}"))
    with engine.begin() as conn:
        conn.execute(sa.text(f"""UPDATE auditlog SET detail = '{{"mode": "prepaid"}}' WHERE id = {rid}"""))
    with session_scope() as s:
        assert s.get(AuditLog, rid).detail == {"mode": "prepaid"}


def test_the_csv_endpoint_streams_the_signed_in_resellers_entries_only(logged):
    from fastapi.testclient import TestClient

    from reseller_app.api import create_api

    http = TestClient(create_api())
    assert http.get("/api/reports/audit.csv").status_code == 401
    http.cookies.set("rp_rsess", auth.login_reseller("ra@example.com", "password-123"))
    r = http.get("/api/reports/audit.csv", params={"kind": "money"})
    assert r.status_code == 200 and r.headers["x-total-rows"] == "2"
    assert r.headers["content-disposition"].startswith('attachment; filename="audit_')
    assert [row["action"] for row in csv.DictReader(r.text.splitlines())] == ["add_payment", "reverse"]
    assert http.get("/api/reports/audit.csv", params={"person": "nobody"}).status_code == 422
    assert http.get("/api/reports/audit.csv", params={"client_id": str(logged["other"])}).status_code == 404
    http.cookies.set("rp_rsess", auth.login_reseller("rb@example.com", "password-123"))
    r = http.get("/api/reports/audit.csv")
    assert r.status_code == 200 and "add_payment" not in r.text  # reseller B's own log only
