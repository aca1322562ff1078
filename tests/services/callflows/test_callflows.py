"""The client's phone system through its services: build, route, draw, simulate; the rules; the carrier's copy."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from reseller_app.carrier import CarrierError
from reseller_app.db import session_scope
from reseller_app.models import Did, IvrMenu, Package, RingGroup, SubAccount, TimeCondition, Voicemail
from reseller_app.services.callflows import numbers, objects
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.portal import self_service
from tests.services.callflows.conftest import set_services

HOURS = {
    "name": "Business hours",
    "rule_1_from": "mon",
    "rule_1_to": "fri",
    "rule_1_start": "09:00",
    "rule_1_end": "17:00",
    "holidays": "2026-12-25",
}


def build(pbx) -> dict:
    """Business hours -> IVR Main (2 -> ring group Sales with voicemail 200) -> number routed to the hours."""
    a = pbx["actor"]
    grp = objects.save(
        a,
        "grp",
        {
            "name": "Sales",
            "member_1": f"account:{pbx['alice']}",
            "member_2": f"account:{pbx['bob']}",
            "ring_2": "20",
            "voicemail_id": str(pbx["box"]),
        },
    )
    ivr = objects.save(
        a,
        "ivr",
        {
            "name": "Main",
            "timeout": "5",
            "choice_1": f"account:{pbx['alice']}",
            "choice_2": f"grp:{grp}",
            "timeout_dest": "sys:hangup",
        },
    )
    tc = objects.save(a, "tc", {**HOURS, "match": f"ivr:{ivr}", "nomatch": f"vm:{pbx['box']}"})
    numbers.route_number(a, pbx["did"], {"routing": f"tc:{tc}", "failover_busy": f"vm:{pbx['box']}"})
    return {"grp": grp, "ivr": ivr, "tc": tc}


def test_business_hours_ivr_ring_group_voicemail_route_diagram_and_simulator(pbx):
    made = build(pbx)
    a = pbx["actor"]
    open_2 = numbers.simulate(a, pbx["did"], "2026-12-02", "10:30", "2")
    assert open_2["path"] == ("Time condition Business hours (open) → IVR Main → 2 → Ring group Sales → 100001_alice")
    assert open_2["rang"] == "100001_alice, 100001_bob"
    assert open_2["unanswered_path"].endswith("Ring group Sales → no answer → Voicemail 200 (Sales)")
    assert open_2["unanswered_ended"] == "voicemail"
    assert open_2["when"].startswith("Wednesday 2026-12-02 10:30 (America/Montreal)")
    sunday = numbers.simulate(a, pbx["did"], "2026-12-06", "10:30", "2")
    assert sunday["path"] == "Time condition Business hours (closed) → Voicemail 200 (Sales)"
    assert sunday["ended"] == "voicemail"
    # 10:30 in Montreal on a Wednesday, whatever the server's zone; 08:59 is before opening.
    assert "closed" in numbers.simulate(a, pbx["did"], "2026-12-02", "08:59", "2")["path"]
    rows = numbers.diagram(a, pbx["did"])
    drawn = [(r["depth"], r["edge"], r["label"]) for r in rows]
    assert drawn[0][2].startswith("Number +1")
    assert ("1", "calls", "Time condition Business hours") in drawn
    assert ("2", "open", "IVR Main") in drawn
    assert ("3", "2", "Ring group Sales") in drawn
    assert ("4", "no answer", "Voicemail 200 (Sales)") in drawn
    assert ("1", "busy", "Voicemail 200 (Sales)") in drawn
    listed = numbers.numbers(a)["numbers"]
    assert listed[0]["routes_to"] == "Time condition Business hours" and listed[0]["routing"] == f"tc:{made['tc']}"
    # The sandbox carrier keeps every object with the carrier's own names for what they route to.
    carrier, rid = pbx["carrier"], pbx["rid"]
    (grp,) = carrier.flows(rid, "grp")
    assert [m["target"] for m in grp["members"]] == [
        {"kind": "account", "ref": "100001_alice"},
        {"kind": "account", "ref": "100001_bob"},
    ]
    assert grp["voicemail"] == "200"
    (ivr,) = carrier.flows(rid, "ivr")
    assert dict((k, t["kind"] + ":" + t["ref"]) for k, t in ivr["choices"]) == {
        "1": "account:100001_alice",
        "2": f"grp:{grp['ref']}",
    }
    (tc,) = carrier.flows(rid, "tc")
    assert tc["match"] == {"kind": "ivr", "ref": ivr["ref"]} and tc["holidays"] == ["2026-12-25"]
    (did,) = carrier.flows(rid, "did")
    assert did["key"] == pbx["number"] and did["routing"] == f"tc:{tc['ref']}" and did["failover_busy"] == "vm:200"
    with session_scope() as s:
        stored = s.exec(select(Did).where(Did.id == pbx["did"])).one()
        assert stored.routing == f"tc:{made['tc']}" and stored.failover_busy == f"vm:{pbx['box']}"
        assert s.get(IvrMenu, made["ivr"]).carrier_ref == ivr["ref"]


def _count(model) -> int:
    with session_scope() as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize(
    "kind, form, field",
    [
        ("ivr", {"name": "M", "choice_1": "sys:hangup", "choice_x": "sys:hangup"}, "choices"),
        ("ivr", {"name": "M"}, "choices"),
        ("tc", {**HOURS, "rule_1_end": "08:00", "match": "sys:hangup", "nomatch": "sys:busy"}, "rule_1_end"),
        (
            "tc",
            {**HOURS, "rule_1_from": "fri", "rule_1_to": "mon", "match": "sys:hangup", "nomatch": "sys:busy"},
            "rule_1_to",
        ),
        (
            "tc",
            {
                **HOURS,
                "rule_2_from": "fri",
                "rule_2_to": "sat",
                "rule_2_start": "16:00",
                "rule_2_end": "18:00",
                "match": "sys:hangup",
                "nomatch": "sys:busy",
            },
            "rule_2_start",
        ),
        ("tc", {**HOURS, "holidays": "christmas", "match": "sys:hangup", "nomatch": "sys:busy"}, "holidays"),
        ("tc", {**HOURS, "match": "", "nomatch": "sys:busy"}, "match"),
        ("grp", {"name": "Empty"}, "members"),
        ("grp", {"name": "G", "member_1": "ivr:1"}, "member_1"),
        ("grp", {"name": "G", "member_1": "account:1", "ring_1": "90"}, "ring_1"),
        ("disa", {"name": "D", "pin": "12a4"}, "pin"),
        ("conf", {"name": "C", "pin": "abc"}, "pin"),
        ("filter", {"name": "F", "entries": "hello", "dest": "sys:hangup"}, "entries"),
        ("queue", {"name": "Q", "number": "100", "max_wait": "45", "agent_1": "account:1"}, "max_wait"),
        ("cb", {"name": "CB", "number": "12"}, "number"),
        ("phonebook", {"name": "P", "number": "call me"}, "number"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_changes_nothing(pbx, kind, form, field):
    if "member_1" in form and form["member_1"] == "account:1":
        form = {**form, "member_1": f"account:{pbx['alice']}"}
    if "agent_1" in form:
        form = {**form, "agent_1": f"account:{pbx['alice']}"}
    before = _count(objects.MODELS[kind])
    with pytest.raises(ValidationFailed) as e:
        objects.save(pbx["actor"], kind, form)
    assert field in e.value.errors, e.value.errors
    assert _count(objects.MODELS[kind]) == before
    assert pbx["carrier"].flows(pbx["rid"], kind) == []


def test_members_and_destinations_must_be_the_clients_own(pbx):
    a = pbx["actor"]
    for form, field in (
        ({"name": "G", "member_1": f"account:{pbx['sib_sub']}"}, "member_1"),
        ({"name": "G", "member_1": f"account:{pbx['alice']}", "voicemail_id": str(pbx["sib_box"])}, "voicemail_id"),
        ({"name": "G", "member_1": "account:999999"}, "member_1"),
    ):
        with pytest.raises(ValidationFailed) as e:
            objects.save(a, "grp", form)
        assert field in e.value.errors
    sib_ivr = objects.save(pbx["sib_actor"], "ivr", {"name": "Sib menu", "choice_1": f"account:{pbx['sib_sub']}"})
    with pytest.raises(ValidationFailed) as e:
        numbers.route_number(a, pbx["did"], {"routing": f"ivr:{sib_ivr}"})
    assert "routing" in e.value.errors
    assert pbx["carrier"].flows(pbx["rid"], "did") == []


def test_another_client_cannot_read_change_or_delete_and_a_reseller_is_not_a_client(pbx):
    made = build(pbx)
    for other in (pbx["sib_actor"], pbx["far_actor"]):
        with pytest.raises(NotFound):
            objects.save(other, "ivr", {"name": "Mine now", "choice_1": "sys:hangup"}, made["ivr"])
        with pytest.raises(NotFound):
            objects.delete(other, "tc", made["tc"])
        with pytest.raises(NotFound):
            objects.form_values(other, "grp", made["grp"])
        with pytest.raises(NotFound):
            numbers.route_number(other, pbx["did"], {"routing": "sys:hangup"})
        with pytest.raises(NotFound):
            numbers.diagram(other, pbx["did"])
        with pytest.raises(NotFound):
            numbers.simulate(other, pbx["did"], "2026-12-02", "10:00")
    with pytest.raises(Forbidden):
        objects.overview(pbx["reseller_actor"])
    with session_scope() as s:
        assert s.get(IvrMenu, made["ivr"]).name == "Main"
        assert s.get(Did, pbx["did"]).routing == f"tc:{made['tc']}"


def test_a_destination_in_use_cannot_be_deleted_and_the_refusal_names_its_users(pbx):
    made = build(pbx)
    a = pbx["actor"]
    with pytest.raises(ValidationFailed) as e:
        objects.delete(a, "grp", made["grp"])
    assert e.value.errors["form"] == "Still in use by IVR Main (option 2). Change those first."
    with pytest.raises(ValidationFailed) as e:
        objects.delete(a, "tc", made["tc"])
    assert "Number +1" in e.value.errors["form"] and "(calls)" in e.value.errors["form"]
    # The voicemail box of the Services page is in use too.
    with pytest.raises(ValidationFailed) as e:
        self_service.delete_voicemail(a, pbx["box"])
    assert "Ring group Sales (voicemail)" in e.value.errors["form"]
    assert "Time condition Business hours (closed)" in e.value.errors["form"]
    with session_scope() as s:
        assert s.get(Voicemail, pbx["box"]) is not None
    # Once nothing uses it, it goes, at the carrier too.
    numbers.route_number(a, pbx["did"], {"routing": f"account:{pbx['alice']}"})
    objects.delete(a, "tc", made["tc"])
    assert pbx["carrier"].flows(pbx["rid"], "tc") == []
    with session_scope() as s:
        assert s.get(TimeCondition, made["tc"]) is None


def test_a_loop_without_a_key_press_is_refused_with_its_path_and_one_through_a_key_is_allowed(pbx):
    a = pbx["actor"]
    ivr = objects.save(a, "ivr", {"name": "Main", "choice_1": f"account:{pbx['alice']}"})
    tc = objects.save(a, "tc", {**HOURS, "match": f"ivr:{ivr}", "nomatch": f"ivr:{ivr}"})
    # A key back to the hours is fine: the caller breaks the loop.
    objects.save(a, "ivr", {"name": "Main", "choice_1": f"account:{pbx['alice']}", "choice_9": f"tc:{tc}"}, ivr)
    with pytest.raises(ValidationFailed) as e:
        objects.save(
            a,
            "ivr",
            {"name": "Main", "choice_1": f"account:{pbx['alice']}", "timeout_dest": f"tc:{tc}"},
            ivr,
        )
    assert e.value.errors["timeout_dest"] == (
        "This makes a loop no key press ends: IVR Main → Time condition Business hours → IVR Main."
    )
    with session_scope() as s:
        assert s.get(IvrMenu, ivr).timeout_dest == ""
    (kept,) = pbx["carrier"].flows(pbx["rid"], "ivr")
    assert kept["timeout_target"] == {"kind": "none", "ref": ""}


def test_a_hidden_service_hides_its_objects_and_refuses_its_handlers(pbx):
    made = build(pbx)
    a = pbx["actor"]
    with session_scope() as s:
        pkg = s.get(Package, pbx["pkg"])
        pkg.service_config = "package"
        pkg.services = [x for x in objects.SERVICES if x != "ivr"] + ["dids", "voicemail", "subaccounts"]
    overview = objects.overview(a)
    assert "ivr" not in overview["kinds"] and "grp" in overview["kinds"]
    assert not any(d["value"].startswith("ivr:") for d in overview["choices"]["dests"])
    with pytest.raises(Forbidden):
        objects.save(a, "ivr", {"name": "New", "choice_1": "sys:hangup"})
    with pytest.raises(Forbidden):
        objects.delete(a, "ivr", made["ivr"])
    with pytest.raises(Forbidden):
        objects.form_values(a, "ivr", made["ivr"])
    # An IVR can no longer be picked as a destination, but a routing that already uses one may stay as it is.
    with pytest.raises(ValidationFailed) as e:
        objects.save(a, "tc", {**HOURS, "name": "Other", "match": f"ivr:{made['ivr']}", "nomatch": "sys:busy"})
    assert e.value.errors["match"] == "IVR is not available to you."
    objects.save(a, "tc", {**HOURS, "match": f"ivr:{made['ivr']}", "nomatch": "sys:busy"}, made["tc"])
    # The flow keeps working: the simulator still walks through the menu.
    assert "IVR Main → 2" in numbers.simulate(a, pbx["did"], "2026-12-02", "10:30", "2")["path"]


def test_simple_view_without_the_services_page_manages_none_of_it(pbx):
    made = build(pbx)
    set_services(pbx["rid"], list(objects.SERVICES) + ["dids"], view="simple_hide")
    a = pbx["actor"]
    with pytest.raises(Forbidden):
        objects.overview(a)
    with pytest.raises(Forbidden):
        objects.save(a, "grp", {"name": "X", "member_1": f"account:{pbx['alice']}"})
    with pytest.raises(Forbidden):
        numbers.numbers(a)
    with pytest.raises(Forbidden):
        numbers.route_number(a, pbx["did"], {"routing": "sys:hangup"})
    with pytest.raises(Forbidden):
        numbers.simulate(a, pbx["did"], "2026-12-02", "10:30", "2")
    with session_scope() as s:
        assert s.get(Did, pbx["did"]).routing == f"tc:{made['tc']}"


def test_a_carrier_refusal_stores_nothing(pbx, monkeypatch):
    def refuse(*args, **kwargs):
        raise CarrierError("invalid_name", "no")

    monkeypatch.setattr(type(pbx["carrier"]), "save_flow", refuse)
    with pytest.raises(ValidationFailed) as e:
        objects.save(pbx["actor"], "grp", {"name": "G", "member_1": f"account:{pbx['alice']}"})
    assert "invalid_name" in e.value.errors["form"]
    assert _count(RingGroup) == 0


def test_when_storing_fails_the_carrier_is_put_back(pbx, monkeypatch):
    a = pbx["actor"]
    grp = objects.save(a, "grp", {"name": "G", "member_1": f"account:{pbx['alice']}"})

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(objects, "_store", broken)
    with pytest.raises(RuntimeError):
        objects.save(a, "grp", {"name": "H", "member_1": f"account:{pbx['bob']}"})
    kept = pbx["carrier"].flows(pbx["rid"], "grp")
    assert [g["name"] for g in kept] == ["G"]  # the new group was deleted again
    with pytest.raises(RuntimeError):
        objects.save(a, "grp", {"name": "G2", "member_1": f"account:{pbx['bob']}"}, grp)
    (again,) = pbx["carrier"].flows(pbx["rid"], "grp")
    assert again["name"] == "G" and again["members"][0]["target"]["ref"] == "100001_alice"  # the old version back


def test_routing_a_number_is_undone_at_the_carrier_when_storing_fails(pbx, monkeypatch):
    a = pbx["actor"]
    numbers.route_number(a, pbx["did"], {"routing": f"account:{pbx['bob']}"})
    real = numbers.audit.record

    def broken(session, actor, action, *args, **kwargs):
        if action == "route_number":
            raise RuntimeError("disk full")
        return real(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(numbers.audit, "record", broken)
    with pytest.raises(RuntimeError):
        numbers.route_number(a, pbx["did"], {"routing": f"vm:{pbx['box']}"})
    (did,) = pbx["carrier"].flows(pbx["rid"], "did")
    assert did["routing"] == "account:100001_bob"
    with session_scope() as s:
        assert s.get(Did, pbx["did"]).routing == f"account:{pbx['bob']}"


def test_the_simulator_checks_its_input(pbx):
    build(pbx)
    with pytest.raises(ValidationFailed) as e:
        numbers.simulate(pbx["actor"], pbx["did"], "2026-13-40", "25:00", "12x", "hello")
    assert set(e.value.errors) == {"day", "at", "keys", "caller"}


def test_a_never_routed_number_rings_its_sub_account_and_the_page_lists_it(pbx):
    listed = numbers.numbers(pbx["actor"])
    assert listed["numbers"][0]["routes_to"] == "100001_alice"
    result = numbers.simulate(pbx["actor"], pbx["did"], "2026-12-06", "03:00")
    assert result["path"] == "100001_alice" and result["ended"] == "answered"


def test_every_kind_saves_and_reads_back_for_editing(pbx, tmp_path):
    from tests.services.callflows.conftest import WAV

    a = pbx["actor"]
    rec = objects.save_recording(a, "Welcome", WAV, tmp_path)
    moh = objects.save(a, "moh", {"name": "Jazz", f"rec_{rec}": "on", "sort": "random"})
    made = {
        "queue": objects.save(
            a,
            "queue",
            {
                "name": "Support",
                "number": "500",
                "strategy": "leastrecent",
                "max_wait": "120",
                "music_on_hold_id": str(moh),
                "failover": f"vm:{pbx['box']}",
                "agent_1": f"account:{pbx['alice']}",
                "priority_1": "1",
            },
        ),
        "hunt": objects.save(
            a,
            "hunt",
            {
                "name": "Hunt",
                "member_1": f"fwd:{pbx['fwd']}",
                "member_2": f"account:{pbx['bob']}",
                "order": "random",
                "recording_id": str(rec),
            },
        ),
        "conf": objects.save(a, "conf", {"name": "Room", "pin": "4321", "max_members": "10"}),
        "cb": objects.save(a, "cb", {"name": "Back", "number": "15145550100"}),
        "disa": objects.save(a, "disa", {"name": "Out", "pin": "9876"}),
        "filter": objects.save(
            a,
            "filter",
            {"name": "Spam", "entries": "1900*\nanonymous\n15145550111", "dest": "sys:busy", "did_id": str(pbx["did"])},
        ),
        "phonebook": objects.save(a, "phonebook", {"name": "Mom", "number": "15145550122", "speed_dial": "2"}),
    }
    assert objects.form_values(a, "queue", made["queue"])["agent_1"] == f"account:{pbx['alice']}"
    assert objects.form_values(a, "hunt", made["hunt"])["member_1"] == f"fwd:{pbx['fwd']}"
    assert objects.form_values(a, "filter", made["filter"])["entries"] == "1900*\nanonymous\n15145550111"
    assert objects.form_values(a, "moh", moh)[f"rec_{rec}"] == "1"
    assert "4321" not in str(objects.overview(a)) and "9876" not in str(objects.overview(a))  # PINs never shown
    with pytest.raises(ValidationFailed) as e:
        objects.save(a, "phonebook", {"name": "Dad", "number": "15145550123", "speed_dial": "2"})
    assert "speed_dial" in e.value.errors
    # In use: the recording by the music and the hunting; the music by the queue.
    with pytest.raises(ValidationFailed) as e:
        objects.delete(a, "recording", rec, tmp_path)
    assert "Music on hold Jazz" in e.value.errors["form"] and "Call hunting Hunt (greeting)" in e.value.errors["form"]
    with pytest.raises(ValidationFailed):
        objects.delete(a, "moh", moh)
    for kind in ("queue", "hunt", "conf", "cb", "disa", "filter", "phonebook"):
        objects.delete(a, kind, made[kind])
    objects.delete(a, "moh", moh)
    objects.delete(a, "recording", rec, tmp_path)
    assert list(tmp_path.iterdir()) == []
    for kind in ("queue", "hunt", "conf", "cb", "disa", "filter", "phonebook", "moh", "recording"):
        assert pbx["carrier"].flows(pbx["rid"], kind) == [], kind


def test_reseller_unconnecting_a_number_clears_its_routing(pbx):
    from reseller_app.services.telephony import dids

    build(pbx)
    dids.unconnect_did(pbx["reseller_actor"], pbx["c"], pbx["did"])
    with session_scope() as s:
        did = s.get(Did, pbx["did"])
        assert (did.client_id, did.routing, did.failover_busy) == (None, "", "")
        assert s.exec(select(SubAccount).where(SubAccount.id == pbx["alice"])).one()


def test_deleting_a_client_takes_its_phone_system_along_at_the_carrier_too(pbx):
    from reseller_app.services.clients import accounts
    from reseller_app.services.telephony import dids

    build(pbx)
    objects.save(pbx["actor"], "filter", {"name": "Spam", "entries": "anonymous", "dest": "sys:hangup"})
    dids.unconnect_did(pbx["reseller_actor"], pbx["c"], pbx["did"])
    with session_scope() as s:
        for sub_id in (pbx["alice"], pbx["bob"]):
            s.get(SubAccount, sub_id).client_id = None
    accounts.delete_client(pbx["reseller_actor"], pbx["c"])
    for model in objects.MODELS.values():
        with session_scope() as s:
            assert s.exec(select(model).where(model.client_id == pbx["c"])).all() == []
    for kind in ("grp", "ivr", "tc", "filter", "did"):
        assert pbx["carrier"].flows(pbx["rid"], kind) == [], kind
