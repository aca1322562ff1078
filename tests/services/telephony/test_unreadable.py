"""Carrier call records that cannot be read: kept once per record, listed on the reseller's Overview, handled there.

The sync runs against a VoIP.ms carrier answering from a fake (httpx.MockTransport), as in tests/carrier.
"""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from reseller_app.carrier.voipms import VoipMsCarrier
from reseller_app.db import session_scope
from reseller_app.models import AuditLog, Cdr, UnreadableCdr
from reseller_app.services.access import auth
from reseller_app.services.common.errors import Forbidden, NotFound
from reseller_app.services.jobs import scheduler
from reseller_app.services.telephony import unreadable
from reseller_app.state.reporting.overview import ResellerState
from tests.security.states import call, root_state, substate

GOOD = {
    "date": "2026-11-21 09:00:00",
    "callerid": '"Front" <5145550000>',
    "destination": "15145550143",
    "description": "Montreal",
    "account": "100001_front",
    "disposition": "ANSWERED",
    "seconds": "65",
    "total": "0.0098",
    "uniqueid": "ok-1",
}
BAD_DATE = {**GOOD, "uniqueid": "bad-1", "date": "21/11/2026 09:05"}
NO_ID = {**GOOD, "uniqueid": "", "seconds": "30"}


@pytest.fixture()
def voipms(monkeypatch):
    """Every reseller's carrier is a VoIP.ms answering getCDR with one readable and two unreadable records."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.params["method"] == "getCDR"
        return httpx.Response(200, json={"status": "success", "cdr": [GOOD, BAD_DATE, NO_ID]})

    carrier = VoipMsCarrier("me@example.com", "pw", transport=httpx.MockTransport(answer), sleep=lambda s: None)
    monkeypatch.setattr(scheduler, "get_carrier", lambda reseller: carrier)
    return carrier


def _rows(reseller_id: int) -> list[UnreadableCdr]:
    with session_scope() as s:
        return list(s.exec(select(UnreadableCdr).where(UnreadableCdr.reseller_id == reseller_id)))


def test_the_sync_keeps_what_it_cannot_read_once_per_record(world, voipms):
    first = scheduler.sync_reseller(world["ra"])
    assert (first.fetched, first.stored, first.unreadable) == (1, 1, 2)
    rows = sorted(_rows(world["ra"]), key=lambda r: r.uniqueid)
    assert [(r.uniqueid, r.reason, r.call_date, r.times_seen) for r in rows] == [
        ("", "no uniqueid", GOOD["date"], 1),
        ("bad-1", "bad date '21/11/2026 09:05'", "21/11/2026 09:05", 1),
    ]
    assert '"seconds": "30"' in rows[0].raw  # the record as sent, for the reseller to bill by hand
    # The next sync overlaps this one: the same records are counted again, not stored twice.
    again = scheduler.sync_reseller(world["ra"])
    assert (again.stored, again.duplicates, again.unreadable) == (0, 1, 2)
    assert sorted(r.times_seen for r in _rows(world["ra"])) == [2, 2]
    with session_scope() as s:
        assert [c.uniqueid for c in s.exec(select(Cdr))] == ["ok-1"]


def test_the_open_records_are_the_resellers_own_until_handled(world, voipms):
    scheduler.sync_reseller(world["ra"])
    mine = unreadable.open_records(world["actor_a"])
    assert mine["count"] == 2 and {r["reason"] for r in mine["rows"]} == {"no uniqueid", "bad date '21/11/2026 09:05'"}
    assert unreadable.open_records(world["actor_b"]) == {"count": 0, "rows": []}
    first = mine["rows"][0]["id"]
    with pytest.raises(NotFound):
        unreadable.mark_handled(world["actor_b"], first)  # another reseller's record
    with pytest.raises(NotFound):
        unreadable.mark_handled(world["actor_a"], "junk")
    unreadable.mark_handled(world["actor_a"], first)
    left = unreadable.open_records(world["actor_a"])
    assert left["count"] == 1 and left["rows"][0]["id"] != first
    with session_scope() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "handle_unreadable_cdr")).one().object_id == int(first)
    # Seen again by a later sync, a handled record stays handled.
    scheduler.sync_reseller(world["ra"])
    assert unreadable.open_records(world["actor_a"])["count"] == 1


@pytest.mark.parametrize("role", ["support", "readonly", "billing", "admin"])
def test_clearing_a_record_needs_the_money_role(world, voipms, role):
    """Every role reads the list; support and read-only staff cannot clear a record (billing work)."""
    from reseller_app.services.access.actor import Actor

    scheduler.sync_reseller(world["ra"])
    staff = Actor("reseller", world["ra"], staff_id=1, staff_role=role)
    rows = unreadable.open_records(staff)["rows"]
    assert len(rows) == 2
    if role in ("support", "readonly"):
        with pytest.raises(Forbidden, match="does not allow you"):
            unreadable.mark_handled(staff, rows[0]["id"])
        assert unreadable.open_records(world["actor_a"])["count"] == 2
    else:
        unreadable.mark_handled(staff, rows[0]["id"])
        assert unreadable.open_records(world["actor_a"])["count"] == 1


def test_clients_cannot_read_them(world):
    from reseller_app.services.access.actor import Actor

    with pytest.raises(Forbidden):
        unreadable.open_records(Actor("client", world["ra"], world["c"]))


def test_the_overview_page_lists_them_and_marks_one_handled(world, voipms):
    scheduler.sync_reseller(world["ra"])
    token = auth.login_reseller("ra@example.com", "password-123")
    state = substate(root_state({}, "/reseller", {"reseller_token": token}), ResellerState)
    call(state, "load_overview")
    assert state.unreadable_count == 2 and len(state.unreadable) == 2
    call(state, "handle_unreadable", state.unreadable[0]["id"])
    assert state.unreadable_count == 1 and state.unreadable_error == ""
