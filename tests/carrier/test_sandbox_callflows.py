"""The sandbox keeps call-flow objects and DID routing, and checks every reference against what the reseller has."""

from __future__ import annotations

import pytest

from reseller_app.carrier import CarrierError
from reseller_app.carrier import callflows as cf


def test_objects_are_kept_per_reseller_and_references_must_exist(carrier, resellers):
    a, b = resellers
    carrier.create_subaccount(a, "100001_alice", "pw-123456")
    carrier.create_subaccount(b, "100002_bob", "pw-123456")
    alice = cf.Target("account", "100001_alice")
    grp = carrier.save_flow(a, cf.RingGroupSpec(name="Sales", members=(cf.MemberSpec(alice),), voicemail="200"))
    ivr = carrier.save_flow(a, cf.IvrSpec(name="Main", choices=(("2", cf.Target("grp", grp)),)))
    assert [f["name"] for f in carrier.flows(a, "ivr")] == ["Main"] and carrier.flows(b, "ivr") == []
    refused = [
        cf.RingGroupSpec(name="X", members=(cf.MemberSpec(cf.Target("account", "100002_bob")),)),  # B's account
        cf.RingGroupSpec(name="X", members=(cf.MemberSpec(cf.Target("account", "nobody")),)),
        cf.IvrSpec(name="X", choices=(("1", cf.Target("grp", "999999")),)),
        cf.IvrSpec(name="X", choices=(("1", cf.Target("ivr", grp)),)),  # a ring group's ref named as an IVR
        cf.IvrSpec(name="X", choices=(("1", cf.Target("sys", "reboot")),)),
        cf.IvrSpec(name="X", choices=(("1", cf.Target("bogus", "1")),)),
        cf.IvrSpec(name="X", recording="424242"),
        cf.TimeConditionSpec(name="X", match=cf.Target("ivr", ivr), nomatch=cf.Target("none", "x")),
    ]
    for spec in refused:
        with pytest.raises(CarrierError):
            carrier.save_flow(a, spec)
    with pytest.raises(CarrierError):  # B cannot route to A's IVR, nor change it
        carrier.save_flow(b, cf.TimeConditionSpec(name="X", match=cf.Target("ivr", ivr)))
    with pytest.raises(CarrierError):
        carrier.save_flow(b, cf.IvrSpec(name="Mine"), ivr)
    assert [f["name"] for f in carrier.flows(a, "ivr")] == ["Main"]


def test_in_use_objects_cannot_be_deleted_and_dids_route_only_the_owners_numbers(carrier, resellers):
    a, b = resellers
    rec = carrier.save_flow(a, cf.RecordingSpec(name="Welcome", data=b"RIFF....WAVE"))
    ivr = carrier.save_flow(a, cf.IvrSpec(name="Main", recording=rec, choices=(("1", cf.Target("sys", "busy")),)))
    with pytest.raises(CarrierError) as e:
        carrier.delete_flow(a, "recording", rec)
    assert e.value.code == "recording_in_use"
    number = carrier.available_dids(a)[0].number
    with pytest.raises(CarrierError):
        carrier.route_did(a, number, cf.DidRoutingSpec(routing=cf.Target("ivr", ivr)))  # not claimed yet
    carrier.claim_did(a, number)
    carrier.route_did(a, number, cf.DidRoutingSpec(routing=cf.Target("ivr", ivr), busy=cf.Target("vm", "200")))
    with pytest.raises(CarrierError):
        carrier.route_did(b, number, cf.DidRoutingSpec(routing=cf.Target("sys", "hangup")))
    with pytest.raises(CarrierError) as e:
        carrier.delete_flow(a, "ivr", ivr)
    assert e.value.code == "ivr_in_use"
    carrier.route_did(a, number, cf.DidRoutingSpec(routing=cf.Target("sys", "hangup")))
    with pytest.raises(CarrierError):
        carrier.delete_flow(b, "ivr", ivr)
    carrier.delete_flow(a, "ivr", ivr)
    carrier.delete_flow(a, "recording", rec)
    assert carrier.flows(a, "ivr") == [] and carrier.flows(a, "recording") == []
    (did,) = carrier.flows(a, "did")
    assert (did["key"], did["routing"], did["failover_busy"]) == (number, "sys:hangup", "none:")
