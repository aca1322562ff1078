"""Sandbox traffic: invented inbound calls go through the number's real call flow; the call record keeps the path."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlmodel import select

from reseller_app.carrier.traffic import TrafficMix, generate, make_calls
from reseller_app.db import session_scope
from reseller_app.models import Cdr
from reseller_app.services.api.reports import cdr_row
from reseller_app.services.callflows.traffic import inbound_router
from reseller_app.services.portal import account
from reseller_app.services.telephony.calls import ingest_cdrs
from tests.services.callflows.test_callflows import build

INBOUND = TrafficMix(inbound=1, canada=0, usa=0, international=0)
WEDNESDAY_OPEN = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)  # 10:30 in Montreal
SUNDAY = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)


def _client_calls(pbx, calls):
    return [c for c in calls if c.did == pbx["number"]]


def test_inbound_calls_follow_the_flow_in_the_clients_time_zone(pbx):
    build(pbx)
    router = inbound_router(pbx["rid"])
    calls = _client_calls(
        pbx, make_calls(pbx["rid"], 80, mix=INBOUND, rng=random.Random(7), now=WEDNESDAY_OPEN, route_inbound=router)
    )
    assert len(calls) > 20
    paths = {c.path for c in calls}
    assert all(p.startswith("Time condition Business hours (open) → IVR Main") for p in paths)
    to_sales = [c for c in calls if "→ 2 → Ring group Sales" in c.path]
    assert to_sales, paths
    answered = [c for c in to_sales if c.disposition == "ANSWERED" and not c.path.endswith("(Sales)")]
    assert answered and {c.account for c in answered} <= {"100001_alice", "100001_bob"}
    assert all(c.path.endswith(c.account) and c.duration > 0 for c in answered)
    voicemail = [c for c in to_sales if c.path.endswith("Voicemail 200 (Sales)")]
    assert voicemail and all(c.disposition == "ANSWERED" for c in voicemail)
    hung_up = [c for c in calls if c.path.endswith("Hang up")]
    assert all(c.disposition == "FAILED" and c.duration == 0 for c in hung_up)
    closed = _client_calls(
        pbx, make_calls(pbx["rid"], 30, mix=INBOUND, rng=random.Random(8), now=SUNDAY, route_inbound=router)
    )
    assert closed and {c.path for c in closed} == {"Time condition Business hours (closed) → Voicemail 200 (Sales)"}


def test_the_call_record_keeps_the_path_and_the_clients_history_shows_it(pbx):
    build(pbx)
    generate(
        pbx["carrier"],
        pbx["rid"],
        40,
        mix=INBOUND,
        rng=random.Random(3),
        now=WEDNESDAY_OPEN,
        route_inbound=inbound_router(pbx["rid"]),
    )
    recorded = pbx["carrier"].cdrs_since(pbx["rid"], datetime(2026, 12, 1, tzinfo=UTC))
    ingest_cdrs(pbx["rid"], [c for c in recorded if c.did in (pbx["number"], None) or c.direction == "out"])
    with session_scope() as s:
        stored = s.exec(select(Cdr).where(Cdr.client_id == pbx["c"])).all()
    assert stored and all(r.call_path.startswith("Time condition Business hours") for r in stored)
    history = account.calls(pbx["actor"], page_size=100)["items"]
    assert {row["path"] for row in history} == {r.call_path for r in stored}
    # The REST API's getResellerCDR carries it as VoIP.ms's routing trace, call_logs.
    assert cdr_row(stored[0], UTC)["call_logs"] == stored[0].call_path != ""
