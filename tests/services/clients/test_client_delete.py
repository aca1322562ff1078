"""Deleting a client removes the person and keeps the books: the ledger, calls and faxes stay, and the reseller's
reports and financial totals do not move. (Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.carrier import CarrierCdr
from reseller_app.db import session_scope
from reseller_app.models import (
    AuditLog,
    Cdr,
    Client,
    FaxRecord,
    Forwarding,
    LedgerEntry,
    LoginAttempt,
    LoginSession,
    OutboundEmail,
    PasswordResetToken,
    PaymentOrder,
    SubAccount,
    Voicemail,
)
from reseller_app.services.access import auth
from reseller_app.services.access.security import hash_password
from reseller_app.services.accounting import postings, reconcile
from reseller_app.services.clients import accounts as clients
from reseller_app.services.common.errors import AuthFailed, NotFound
from reseller_app.services.reporting import cdr, export, filters, financial, inventory, overview
from reseller_app.services.telephony.calls import ingest_cdrs

D = Decimal
NOW = datetime.now(UTC)
PASSWORD = "client-pass-123"


@pytest.fixture()
def history(world):
    """Client `c` with calls, a fax, payments, a charge, a reversal, a session, a reset link, voicemail,
    forwarding, a failed-login counter, mail and an audit row naming its email; then its sub-account unconnected."""
    ra, cid = world["ra"], world["c"]
    pw_hash = hash_password(PASSWORD)
    with session_scope() as s:
        c = s.get(Client, cid)
        c.password_hash = pw_hash
        c.phone_number, c.address, c.company = "15145550101", "1 Main St", "Cole Inc"
        c.low_balance_email, c.low_balance_threshold = "alerts@example.com", D("20")
        s.add(FaxRecord(reseller_id=ra, client_id=cid, uniqueid="fx1", start=NOW - timedelta(minutes=5),
                        direction="out", remote_number="15145550000", pages=2, cost=D("0.0100"),
                        price=D("0.0300"), profit=D("0.0200")))  # fmt: skip
        s.add(Voicemail(reseller_id=ra, client_id=cid, mailbox="101", name="Cy", pin="1234", email="c@example.com"))
        s.add(Forwarding(reseller_id=ra, client_id=cid, phone_number="15145550199"))
        expires = NOW + timedelta(hours=1)
        s.add(PasswordResetToken(reseller_id=ra, client_id=cid, token_hash="h" * 64, expires_at=expires))
        s.add(LoginAttempt(realm=f"client:{ra}", login="c@example.com", failures=2))
        s.add(OutboundEmail(reseller_id=ra, to_addr="c@example.com", subject="Hi Cy", body_text="Hello Cy Cole"))
        s.add(OutboundEmail(reseller_id=ra, to_addr="alerts@example.com", subject="Low", body_text="Cy is low"))
        s.add(OutboundEmail(reseller_id=ra, to_addr="d@example.com", subject="Other", body_text="Someone else"))
        s.add(AuditLog(reseller_id=ra, actor_role="reseller", actor_id=ra, action="create_client",
                       object_type="client", object_id=cid, detail={"email": "c@example.com"}))  # fmt: skip
        s.add(PaymentOrder(reseller_id=ra, client_id=cid, amount=D("20"), provider_ref="ORDER-1", status="completed"))
    ingest_cdrs(ra, [
        CarrierCdr(uniqueid=f"call{i}", start=NOW - timedelta(minutes=30 - i), direction="out",
                   account="100001_front", callerid='"Front" <15145550000>', destination=dest, duration=secs,
                   disposition="ANSWERED")
        for i, (dest, secs) in enumerate([("15145550143", 61), ("442071234567", 125)])
    ])  # fmt: skip
    a = world["actor_a"]
    pay = postings.manual_posting(a, cid, "payment", "25.00", "Deposit")
    postings.manual_posting(a, cid, "charge", "3.25", "Setup")
    mistake = postings.manual_posting(a, cid, "payment", "7.00", "Mistake")
    postings.reverse(a, cid, mistake.id)
    token = auth.login_client(ra, "c@example.com", PASSWORD)
    with session_scope() as s:
        s.get(SubAccount, world["sub"]).client_id = None  # nothing connected any more
    return dict(world, token=token, pay=pay.id)


def _ledger(cid: int) -> list[tuple]:
    with session_scope() as s:
        rows = s.exec(select(LedgerEntry).where(LedgerEntry.client_id == cid).order_by(LedgerEntry.id)).all()
        return [(e.id, e.reseller_id, e.kind, e.amount, e.reverses_id, e.reference, e.description) for e in rows]


def _books(actor, cid: int) -> dict:
    period = filters.Filters(NOW.date() - timedelta(days=40), NOW.date())
    calls = cdr.cdr_report(actor, period)
    fax = cdr.fax_report(actor, period)
    fin = financial.financial_report(actor, period.date_from, period.date_to)
    return {
        "ledger": _ledger(cid),
        "cdr_totals": calls["totals"],
        "fax_totals": fax["totals"],
        "financial": fin["totals"],
        "months": [vars(m) for m in fin["raw"]],
        "owed": overview.reseller_overview(actor)["owed"],
        "calls": sorted((c.uniqueid, c.client_id, c.price, c.cost) for c in _rows(Cdr, cid)),
        "faxes": [(x.uniqueid, x.client_id, x.price) for x in _rows(FaxRecord, cid)],
        "orders": [(o.provider_ref, o.amount, o.status) for o in _rows(PaymentOrder, cid)],
    }


def _rows(model, cid: int) -> list:
    with session_scope() as s:
        return list(s.exec(select(model).where(model.client_id == cid)).all())


def test_deleting_a_client_keeps_its_books_and_the_resellers_totals(history):
    a, cid = history["actor_a"], history["c"]
    before = _books(a, cid)
    assert len(before["ledger"]) == 6 and len(before["calls"]) == 2 and before["faxes"]
    assert sum(m["deposits"] for m in before["months"]) == D("25.00")  # 25 + 7 - 7

    clients.delete_client(a, cid)

    assert _books(a, cid) == before  # every entry, call, fax and total as it was
    assert reconcile.find_mismatches() == []  # the tombstone's balance is still its ledger's sum
    label = f"Deleted client #{cid}"
    period = filters.Filters(NOW.date() - timedelta(days=40), NOW.date())
    assert {r["client"] for r in cdr.cdr_report(a, period)["items"]} == {label}
    assert {r["client"] for r in cdr.fax_report(a, period)["items"]} == {label}
    csv_text = "".join(export.export_report(a, "cdr", {"date_from": period.date_from.isoformat()}).lines)
    assert label in csv_text and "Cole" not in csv_text and "c@example.com" not in csv_text


def test_deleting_a_client_removes_the_person(history):
    a, ra, cid = history["actor_a"], history["ra"], history["c"]
    clients.delete_client(a, cid)
    with session_scope() as s:
        c = s.get(Client, cid)
        assert c.deleted_at is not None
        assert c.email == f"Deleted client #{cid}" and c.password_hash == ""
        personal = [c.firstname, c.lastname, c.company, c.address, c.city, c.state, c.zip, c.phone_number]
        assert personal == [""] * 8 and (c.low_balance_email, c.low_balance_threshold) == ("", None)
        assert c.next_billing_date is None  # never billed again
        for model in (LoginSession, PasswordResetToken, Voicemail, Forwarding):
            assert s.exec(select(model).where(model.client_id == cid)).all() == [], model.__name__
        assert s.exec(select(LoginAttempt).where(LoginAttempt.login == "c@example.com")).all() == []
        assert [m.to_addr for m in s.exec(select(OutboundEmail)).all()] == ["d@example.com"]
        audit = s.exec(select(AuditLog).where(AuditLog.object_type == "client", AuditLog.object_id == cid)).all()
        assert {r.action for r in audit} >= {"create_client", "delete_client"}
        assert all("c@example.com" not in str(r.detail) for r in audit)
    # Logged out, and nobody logs in again, by email or by the tombstone's label.
    assert auth.resolve(history["token"], "client", ra) is None
    for login in ("c@example.com", f"Deleted client #{cid}"):
        with pytest.raises(AuthFailed):
            auth.login_client(ra, login, PASSWORD)
    with pytest.raises(NotFound):
        auth.impersonate_client(a, cid)


def test_a_deleted_client_is_gone_from_lists_and_lookups_and_its_email_is_free(history):
    a, cid = history["actor_a"], history["c"]
    clients.delete_client(a, cid)
    assert clients.list_clients(a)["total"] == "0"
    assert clients.list_clients(a, search=str(cid))["total"] == "0"
    assert all(ch["id"] != str(cid) for ch in inventory.client_choices(a))
    for call in (
        lambda: clients.client_details(a, cid),
        lambda: clients.history(a, cid),
        lambda: clients.delete_client(a, cid),
        lambda: postings.manual_posting(a, cid, "payment", "5", "late"),
        lambda: postings.reverse(a, cid, history["pay"]),
    ):
        with pytest.raises(NotFound):
            call()
    assert overview.reseller_overview(a)["clients_active"] == "0"
    new_id = clients.create_client(a, {"firstname": "Cy", "email": "c@example.com", "password": "long-enough-1"})
    assert new_id != cid and clients.client_details(a, new_id)["email"] == "c@example.com"
    assert reconcile.find_mismatches() == []


def test_delete_is_refused_for_another_resellers_client(history):
    with pytest.raises(NotFound):
        clients.delete_client(history["actor_b"], history["c"])
    with session_scope() as s:
        assert s.get(Client, history["c"]).deleted_at is None
