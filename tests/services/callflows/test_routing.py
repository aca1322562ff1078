"""The pure call-flow walk, loop check, uses and diagram (services/callflows/routing.py): no database."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from reseller_app.services.callflows import routing as rt

MTL = ZoneInfo("America/Montreal")
D = rt.Dest


def business_graph(**extra) -> rt.Graph:
    """Business hours (Mon-Fri 09:00-17:00, Christmas closed) -> IVR Main: 1 alice, 2 Sales group (voicemail)."""
    hours = rt.TimeCondition(
        "1",
        "Business hours",
        (rt.TimeRule(0, 4, time(9), time(17)),),
        match=D("ivr", "1"),
        nomatch=D("vm", "1"),
        holidays=frozenset({date(2026, 12, 25)}),
    )
    menu = rt.IvrMenu(
        "1", "Main", {"1": D("account", "1"), "2": D("grp", "1")}, timeout_dest=D("sys", "hangup"), timeout=5
    )
    sales = rt.RingGroup("1", "Sales", (rt.Member(D("account", "1")), rt.Member(D("account", "2"))), D("vm", "1"))
    base = dict(
        conditions={"1": hours},
        ivrs={"1": menu},
        groups={"1": sales},
        accounts={"1": "100001_alice", "2": "100001_bob"},
        voicemails={"1": "200 (Sales)"},
    )
    base.update(extra)
    return rt.Graph(**base)


ROUTE = rt.NumberRoute("15145550123", D("tc", "1"), label="+1 514-555-0123")
OPEN = datetime(2026, 12, 2, 10, 30, tzinfo=MTL)  # a Wednesday
SUNDAY = datetime(2026, 12, 6, 10, 30, tzinfo=MTL)


def test_open_hours_and_2_reach_the_ring_group_and_who_answers():
    result = rt.walk(business_graph(), ROUTE, OPEN, "2")
    assert result.path == "Time condition Business hours (open) → IVR Main → 2 → Ring group Sales → 100001_alice"
    assert (result.ended, result.disposition, result.account) == ("answered", "ANSWERED", "100001_alice")
    assert result.rang == ("100001_alice", "100001_bob")
    picked_bob = rt.walk(business_graph(), ROUTE, OPEN, "2", choose=lambda members: 1)
    assert picked_bob.account == "100001_bob"


def test_nobody_answering_the_group_goes_to_its_voicemail():
    result = rt.walk(business_graph(), ROUTE, OPEN, "2", outcome="noanswer")
    assert result.path.endswith("Ring group Sales → no answer → Voicemail 200 (Sales)")
    assert (result.ended, result.disposition) == ("voicemail", "ANSWERED")


def test_a_sunday_call_and_a_holiday_are_closed():
    for when in (SUNDAY, datetime(2026, 12, 25, 10, 30, tzinfo=MTL)):
        result = rt.walk(business_graph(), ROUTE, when, "2")
        assert result.path == "Time condition Business hours (closed) → Voicemail 200 (Sales)"
        assert result.ended == "voicemail"


def test_edges_of_the_hours_are_start_inclusive_end_exclusive():
    tc = business_graph().conditions["1"]
    assert tc.is_open(datetime(2026, 12, 2, 9, 0, tzinfo=MTL))
    assert not tc.is_open(datetime(2026, 12, 2, 17, 0, tzinfo=MTL))
    assert not tc.is_open(datetime(2026, 12, 2, 8, 59, tzinfo=MTL))
    assert tc.is_open(datetime(2026, 12, 4, 16, 59, tzinfo=MTL))  # Friday
    assert not tc.is_open(datetime(2026, 12, 5, 10, 0, tzinfo=MTL))  # Saturday


def test_no_key_takes_the_timeout_and_a_wrong_key_ends_without_an_invalid_destination():
    g = business_graph()
    assert rt.walk(g, ROUTE, OPEN, "").path.endswith("IVR Main → no key → Hang up")
    wrong = rt.walk(g, ROUTE, OPEN, "7")
    assert wrong.path.endswith("IVR Main → 7 (wrong key)") and wrong.disposition == "FAILED"


def test_a_sub_account_that_does_not_answer_takes_the_numbers_failover_once():
    g = business_graph()
    route = rt.NumberRoute("15145550123", D("account", "1"), noanswer=D("account", "2"), busy=D("sys", "busy"))
    no = rt.walk(g, route, OPEN, outcome="noanswer")
    assert no.path == "100001_alice → no answer → 100001_bob"
    assert (no.ended, no.disposition) == ("no answer", "NO ANSWER")  # bob did not answer either: no second failover
    busy = rt.walk(g, route, OPEN, outcome="busy")
    assert busy.path == "100001_alice → busy → Busy tone" and busy.disposition == "BUSY"
    unreachable = rt.walk(g, route, OPEN, outcome="unreachable")
    assert unreachable.ended == "unreachable" and unreachable.disposition == "FAILED"


def test_caller_id_filters_block_lists_allow_lists_and_anonymous():
    block = rt.CallerFilter("1", "Spam", "block", ("1900*", "anonymous"), D("sys", "hangup"))
    g = business_graph(filters=(block,))
    assert rt.walk(g, ROUTE, OPEN, "2", caller="19005550100").path == "Caller ID filter Spam → Hang up"
    assert rt.walk(g, ROUTE, OPEN, "2", caller="").path == "Caller ID filter Spam → Hang up"
    assert rt.walk(g, ROUTE, OPEN, "2", caller="15145550100").ended == "answered"
    allow = rt.CallerFilter("2", "VIP", "allow", ("15145550100",), D("vm", "1"), did="15145550123")
    g = business_graph(filters=(allow,))
    assert rt.walk(g, ROUTE, OPEN, "2", caller="15145550100").ended == "answered"
    assert rt.walk(g, ROUTE, OPEN, "2", caller="15145550199").path == "Caller ID filter VIP → Voicemail 200 (Sales)"
    other_number = rt.NumberRoute("15145550999", D("tc", "1"))
    assert rt.walk(g, other_number, OPEN, "2", caller="15145550199").ended == "answered"  # filter is for one DID


def test_deleted_destinations_and_nowhere_end_the_call_and_say_so():
    g = business_graph()
    gone = rt.walk(g, rt.NumberRoute("1", D("ivr", "99")), OPEN)
    assert gone.path == "IVR (deleted)" and gone.disposition == "FAILED"
    assert rt.walk(g, rt.NumberRoute("1", rt.NOWHERE), OPEN).ended == "no destination"


def test_loops_broken_by_a_key_are_allowed_and_silent_loops_are_found_with_their_path():
    menu = rt.IvrMenu("1", "Main", {"9": D("tc", "1")}, timeout_dest=D("sys", "hangup"))
    tc = rt.TimeCondition("1", "Hours", (rt.TimeRule(0, 6, time(0), time(12)),), D("ivr", "1"), D("ivr", "1"))
    assert rt.silent_loop(rt.Graph(ivrs={"1": menu}, conditions={"1": tc})) is None
    # The menu's timeout going back to the time condition: round and round with no key pressed.
    menu2 = rt.IvrMenu("1", "Main", {"9": D("tc", "1")}, timeout_dest=D("tc", "1"))
    g = rt.Graph(ivrs={"1": menu2}, conditions={"1": tc})
    loop = rt.silent_loop(g)
    assert loop is not None and loop[0] == loop[-1]
    assert " → ".join(g.label(d) for d in loop) in (
        "IVR Main → Time condition Hours → IVR Main",
        "Time condition Hours → IVR Main → Time condition Hours",
    )
    # The walk of a pressed loop ends when the keys run out.
    pressed = rt.walk(rt.Graph(ivrs={"1": menu}, conditions={"1": tc}), rt.NumberRoute("1", D("ivr", "1")), OPEN, "99")
    assert pressed.steps.count("IVR Main") == 3 and pressed.path.endswith("no key → Hang up")
    two_tcs = rt.Graph(
        conditions={
            "1": rt.TimeCondition("1", "A", (), D("tc", "2"), D("tc", "2")),
            "2": rt.TimeCondition("2", "B", (), D("sys", "hangup"), D("tc", "1")),
        }
    )
    assert rt.silent_loop(two_tcs) is not None
    result = rt.walk(two_tcs, rt.NumberRoute("1", D("tc", "1")), OPEN)
    assert result.ended == "stopped (loop)"


def test_uses_names_numbers_menus_and_groups():
    g = business_graph()
    route = rt.NumberRoute("15145550123", D("tc", "1"), noanswer=D("vm", "1"), label="+1 514-555-0123")
    assert rt.uses(g, [route], D("grp", "1")) == ["IVR Main (option 2)"]
    assert rt.uses(g, [route], D("tc", "1")) == ["Number +1 514-555-0123 (calls)"]
    assert set(rt.uses(g, [route], D("vm", "1"))) == {
        "Number +1 514-555-0123 (no answer)",
        "Time condition Business hours (closed)",
        "Ring group Sales (no answer)",
    }
    assert rt.uses(g, [route], D("account", "2")) == ["Ring group Sales (member)"]


def test_the_diagram_draws_the_tree_with_failovers_and_loops():
    g = business_graph()
    route = rt.NumberRoute("15145550123", D("tc", "1"), busy=D("sys", "busy"), label="+1 514-555-0123")
    rows = rt.diagram(g, route)
    text = [(r.depth, r.edge, r.label) for r in rows]
    assert text[0] == (0, "", "Number +1 514-555-0123")
    assert (1, "calls", "Time condition Business hours") in text
    assert (2, "open", "IVR Main") in text
    assert (3, "2", "Ring group Sales") in text
    assert (4, "rings", "100001_bob") in text
    assert (4, "no answer", "Voicemail 200 (Sales)") in text
    assert (2, "closed", "Voicemail 200 (Sales)") in text
    assert (1, "busy", "Busy tone") in text
    hours = next(r for r in rows if r.kind == "tc")
    assert hours.note == "Mon–Fri 09:00–17:00; closed on 1 holiday"  # a plural form per language (issue 21)
    menu = rt.IvrMenu("1", "Main", {"9": D("ivr", "1")})
    loop_rows = rt.diagram(rt.Graph(ivrs={"1": menu}), rt.NumberRoute("1", D("ivr", "1")))
    assert loop_rows[-1].note.startswith("back to the menu above")


@pytest.mark.parametrize(
    "text, dest",
    [("", rt.NOWHERE), ("none:", rt.NOWHERE), ("ivr:12", D("ivr", "12")), ("sys:busy", D("sys", "busy"))],
)
def test_parse_dest_reads_what_is_stored(text, dest):
    assert rt.parse_dest(text) == dest


@pytest.mark.parametrize("text", ["ivr:", "ivr:x", "zzz:1", "sys:reboot", "none:1", "account:1;drop", "grp"])
def test_parse_dest_refuses_anything_else(text):
    with pytest.raises(ValueError):
        rt.parse_dest(text)


def test_time_parsing_and_overlaps():
    assert rt.parse_hhmm("09:30") == time(9, 30)
    assert rt.parse_hhmm("24:00") > time(23, 59)
    for bad in ("9", "25:00", "09:60", "9:5", "ab:cd"):
        with pytest.raises(ValueError):
            rt.parse_hhmm(bad)
    a = rt.TimeRule(0, 4, time(9), time(12))
    b = rt.TimeRule(4, 5, time(11), time(13))  # shares Friday 11:00-12:00
    c = rt.TimeRule(5, 6, time(9), time(12))
    assert rt.overlapping([a, c]) is None
    assert rt.overlapping([a, c, b]) == (0, 2)
