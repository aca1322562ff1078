"""VoipMsCarrier's call-flow methods against a fake VoIP.ms (httpx.MockTransport): the exact parameters it sends.

Parameter names are VoIP.ms's apidocs (as in docs/../spec voipms-api.md section 12 and the method parameter lists
captured in ecliptical/voip-ms tools/api-responses.json): setIVR `choices` `1=...;2=...`, setRingGroup `members`
`account:100001,25,0;fwd:16006,10,1` and `voicemail` (`0` = none), setTimeCondition's parallel `;` lists with
weekday names, setDIDInfo with the DID's current required settings kept.
"""

from __future__ import annotations

import base64

import pytest

from reseller_app.carrier import CarrierError
from reseller_app.carrier import callflows as cf
from tests.carrier.test_voipms import Recorder, carrier

AUTH = {"api_username": "me@example.com", "api_password": "api-pass"}
ALICE = cf.Target("account", "100001_alice")


def sent(rec: Recorder, i: int = 0) -> dict:
    """One request's parameters without the credentials."""
    params = dict(rec.calls[i])
    for key, value in AUTH.items():
        assert params.pop(key) == value
    return params


def test_set_ivr_creates_with_choices_and_changes_with_its_id():
    rec = Recorder({"setIVR": [{"status": "success", "ivr": "4636"}]})
    spec = cf.IvrSpec(
        name="Main",
        recording="7696",
        timeout=5,
        language="fr",
        choices=(("1", ALICE), ("2", cf.Target("grp", "4768")), ("#", cf.Target("sys", "hangup"))),
        timeout_target=cf.Target("sys", "hangup"),
    )
    assert carrier(rec).save_flow(1, spec) == "4636"
    assert sent(rec) == {
        "method": "setIVR",
        "name": "Main",
        "recording": "7696",
        "timeout": "5",
        "language": "fr",
        "voicemailsetup": "1",
        "choices": "1=account:100001_alice;2=grp:4768;#=sys:hangup",
    }
    assert carrier(rec).save_flow(1, spec, "4636") == "4636"
    assert sent(rec, 1)["ivr"] == "4636"


def test_set_ring_group_members_with_ring_times_and_voicemail():
    rec = Recorder({"setRingGroup": [{"status": "success", "ring_group": "4768"}]})
    spec = cf.RingGroupSpec(
        name="Sales",
        members=(cf.MemberSpec(ALICE, 25, False), cf.MemberSpec(cf.Target("sip", "16006"), 10, True)),
        voicemail="101",
        music_on_hold="jazz",
    )
    assert carrier(rec).save_flow(1, spec) == "4768"
    assert sent(rec) == {
        "method": "setRingGroup",
        "name": "Sales",
        "members": "account:100001_alice,25,0;sip:16006,10,1",
        "voicemail": "101",
        "music_on_hold": "jazz",
        "language": "en",
    }
    rec2 = Recorder({"setRingGroup": [{"status": "success", "ring_group": "5"}]})
    carrier(rec2).save_flow(1, cf.RingGroupSpec(name="G", members=(cf.MemberSpec(ALICE),)), "5")
    assert sent(rec2)["voicemail"] == "0" and sent(rec2)["ring_group"] == "5"  # "0": no voicemail (live finding)


def test_set_call_hunting_parallel_lists():
    rec = Recorder({"setCallHunting": [{"status": "success", "call_hunting": "235"}]})
    spec = cf.CallHuntingSpec(
        description="Hunt",
        members=(cf.MemberSpec(ALICE, 20, False), cf.MemberSpec(cf.Target("account", "100001_bob"), 15, True)),
        order="random",
        recording="7696",
    )
    assert carrier(rec).save_flow(1, spec) == "235"
    assert sent(rec) == {
        "method": "setCallHunting",
        "description": "Hunt",
        "music": "default",
        "recording": "7696",
        "language": "en",
        "order": "random",
        "members": "account:100001_alice;account:100001_bob",
        "ring_time": "20;15",
        "press": "0;1",
    }
    with pytest.raises(CarrierError) as e:
        carrier(Recorder({})).save_flow(1, cf.CallHuntingSpec(description="No greeting", members=()))
    assert e.value.code == "missing_recording"


def test_set_time_condition_parallel_lists_of_weekdays_and_hours():
    rec = Recorder({"setTimeCondition": [{"status": "success", "timecondition": "1830"}]})
    spec = cf.TimeConditionSpec(
        name="Business hours",
        rules=(cf.TimeRuleSpec("mon", "fri", 8, 0, 16, 0), cf.TimeRuleSpec("sat", "sat", 8, 0, 12, 30)),
        match=cf.Target("ivr", "4636"),
        nomatch=cf.Target("vm", "101"),
        holidays=("2026-12-25",),
    )
    assert carrier(rec).save_flow(1, spec) == "1830"
    assert sent(rec) == {
        "method": "setTimeCondition",
        "name": "Business hours",
        "routing_match": "ivr:4636",
        "routing_nomatch": "vm:101",
        "starthour": "8;8",
        "startminute": "0;0",
        "endhour": "16;12",
        "endminute": "0;30",
        "weekdaystart": "mon;sat",
        "weekdayend": "fri;sat",
    }


def test_set_queue_then_its_static_members():
    rec = Recorder(
        {
            "setQueue": [{"status": "success", "queue": "32208"}],
            "getStaticMembers": [{"status": "success", "members": [{"member": "619", "queue_number": "500"}]}],
            "delStaticMember": [{"status": "success"}],
            "setStaticMember": [{"status": "success", "member": "620"}],
        }
    )
    spec = cf.QueueSpec(
        name="Support",
        number=500,
        strategy="leastrecent",
        music_on_hold="jazz",
        max_wait=120,
        failover=cf.Target("vm", "101"),
        members=(cf.QueueMemberSpec("100001_alice", ALICE, 1),),
    )
    assert carrier(rec).save_flow(1, spec) == "32208"
    assert sent(rec, 0) == {
        "method": "setQueue",
        "queue_name": "Support",
        "queue_number": "500",
        "queue_language": "en",
        "priority_weight": "1",
        "report_hold_time_agent": "no",
        "join_when_empty": "yes",
        "leave_when_empty": "no",
        "ring_strategy": "leastrecent",
        "ring_inuse": "no",
        "maximum_wait_time": "120",
        "fail_over_routing_timeout": "vm:101",
        "music_on_hold": "jazz",
    }
    assert sent(rec, 1) == {"method": "getStaticMembers", "queue": "32208"}
    assert sent(rec, 2) == {"method": "delStaticMember", "member": "619", "queue": "32208"}
    assert sent(rec, 3) == {
        "method": "setStaticMember",
        "queue": "32208",
        "member_name": "100001_alice",
        "account": "100001_alice",
        "priority": "1",
    }
    unlimited = Recorder(
        {"setQueue": [{"status": "success", "queue": "1"}], "getStaticMembers": [{"status": "no_member"}]}
    )
    carrier(unlimited).save_flow(1, cf.QueueSpec(name="Q", number=501))
    assert (
        sent(unlimited)["maximum_wait_time"] == "unlimited" and sent(unlimited)["fail_over_routing_timeout"] == "none:"
    )


def test_conference_callback_disa_phonebook_music_and_recording():
    answers = {
        "setConference": [{"status": "success", "conference": "5356"}],
        "setCallback": [{"status": "success", "callback": "2359"}],
        "setDISA": [{"status": "success", "disa": "2114"}],
        "setPhonebook": [{"status": "success", "phonebook": "32207"}],
        "setMusicOnHold": [{"status": "success"}],
        "setRecording": [{"status": "success", "recording": "33221"}],
    }
    rec = Recorder(answers)
    vms = carrier(rec)
    assert vms.save_flow(1, cf.ConferenceSpec(name="Room", max_members=10, pin="4321")) == "5356"
    assert sent(rec, 0) == {"method": "setConference", "name": "Room", "description": "Room", "max_members": "10"}
    assert vms.save_flow(1, cf.CallbackSpec(description="Back", number="15145550100", callerid_number="5145550000"))
    assert sent(rec, 1) == {
        "method": "setCallback",
        "description": "Back",
        "number": "15145550100",
        "delay_before": "1",
        "response_timeout": "10",
        "digit_timeout": "5",
        "callerid_number": "5145550000",
    }
    assert vms.save_flow(1, cf.DisaSpec(name="Out", pin="9876", digit_timeout=7)) == "2114"
    assert sent(rec, 2) == {"method": "setDISA", "name": "Out", "pin": "9876", "digit_timeout": "7", "language": "en"}
    assert vms.save_flow(1, cf.PhonebookSpec(name="Mom", number="5552223333", speed_dial="2", group="Family"))
    assert sent(rec, 3) == {"method": "setPhonebook", "name": "Mom", "number": "5552223333", "speed_dial": "2"}
    assert vms.save_flow(1, cf.MusicOnHoldSpec(name="c7_ab12", description="Jazz", recordings=("1234", "1235"))) == (
        "c7_ab12"
    )
    assert sent(rec, 4) == {
        "method": "setMusicOnHold",
        "name": "c7_ab12",
        "description": "Jazz",
        "volume": "0",
        "sort": "alpha",
        "recordings": "1234,1235",
    }
    audio = b"RIFF\x00\x00\x00\x00WAVEfmt "
    assert vms.save_flow(1, cf.RecordingSpec(name="Welcome", data=audio)) == "33221"
    assert sent(rec, 5) == {"method": "setRecording", "name": "Welcome", "file": base64.b64encode(audio).decode()}
    vms.save_flow(1, cf.RecordingSpec(name="Renamed"), "33221")
    assert sent(rec, 6) == {"method": "setRecording", "recording": "33221", "name": "Renamed"}  # no file: name only


def test_caller_id_filter_is_one_rule_per_listed_number():
    rec = Recorder(
        {
            "delCallerIDFiltering": [{"status": "success"}],
            "setCallerIDFiltering": [
                {"status": "success", "filtering": "18915"},
                {"status": "success", "filtering": "18916"},
            ],
        }
    )
    spec = cf.CallerIdFilterSpec(
        name="Spam", entries=("anonymous", "15145550111"), did="15145550123", target=cf.Target("sys", "busy")
    )
    assert carrier(rec).save_flow(1, spec, "18000") == "18915;18916"
    assert sent(rec, 0) == {"method": "delCallerIDFiltering", "filtering": "18000"}
    assert sent(rec, 1) == {
        "method": "setCallerIDFiltering",
        "callerid": "0",
        "did": "5145550123",
        "routing": "sys:busy",
        "note": "Spam",
    }
    assert sent(rec, 2)["callerid"] == "5145550111"
    for bad in (
        cf.CallerIdFilterSpec(name="P", entries=("1900*",)),
        cf.CallerIdFilterSpec(name="A", mode="allow", entries=("15145550111",)),
    ):
        with pytest.raises(CarrierError) as e:
            carrier(Recorder({})).save_flow(1, bad)
        assert e.value.code == "unsupported"


@pytest.mark.parametrize(
    "kind, ref, method, params",
    [
        ("ivr", "4636", "delIVR", {"ivr": "4636"}),
        ("grp", "4768", "delRingGroup", {"ringgroup": "4768"}),
        ("hunt", "235", "delCallHunting", {"callhunting": "235"}),
        ("tc", "1830", "delTimeCondition", {"timecondition": "1830"}),
        ("queue", "32208", "delQueue", {"queue": "32208"}),
        ("conf", "5356", "delConference", {"conference": "5356"}),
        ("cb", "2359", "delCallback", {"callback": "2359"}),
        ("disa", "2114", "delDISA", {"disa": "2114"}),
        ("moh", "c7_ab12", "delMusicOnHold", {"music_on_hold": "c7_ab12"}),
        ("recording", "33221", "delRecording", {"recording": "33221"}),
        ("phonebook", "32207", "delPhonebook", {"phonebook": "32207"}),
        ("filter", "18915", "delCallerIDFiltering", {"filtering": "18915"}),
    ],
)
def test_delete_methods_and_their_id_parameters(kind, ref, method, params):
    rec = Recorder({method: [{"status": "success"}]})
    carrier(rec).delete_flow(1, kind, ref)
    assert sent(rec) == {"method": method, **params}


def test_did_routing_sets_the_failovers_and_keeps_the_dids_required_settings():
    info = {
        "did": "5145550123",
        "routing": "account:100001_alice",
        "pop": "3",
        "dialtime": "60",
        "cnam": "1",
        "billing_type": "2",
        "voicemail": "101",
        "callerid_prefix": "",
        "note": "front desk",
    }
    rec = Recorder({"getDIDsInfo": [{"status": "success", "dids": [info]}], "setDIDInfo": [{"status": "success"}]})
    routing = cf.DidRoutingSpec(
        routing=cf.Target("tc", "1830"), busy=cf.Target("vm", "101"), noanswer=cf.Target("grp", "4768")
    )
    carrier(rec).route_did(1, "15145550123", routing)
    assert sent(rec, 0) == {"method": "getDIDsInfo", "did": "5145550123"}
    assert sent(rec, 1) == {
        "method": "setDIDInfo",
        "did": "5145550123",
        "routing": "tc:1830",
        "failover_busy": "vm:101",
        "failover_unreachable": "none:",
        "failover_noanswer": "grp:4768",
        "pop": "3",
        "dialtime": "60",
        "cnam": "1",
        "billing_type": "2",
        "voicemail": "101",
        "note": "front desk",
    }
    with pytest.raises(CarrierError) as e:
        carrier(Recorder({"getDIDsInfo": [{"status": "no_did"}]})).route_did(1, "15145550999", routing)
    assert e.value.code == "invalid_did"


@pytest.mark.parametrize("kind", ["hunt", "conf", "fax", "fwd"])
def test_destinations_voipms_cannot_name_are_refused_before_anything_is_sent(kind):
    rec = Recorder({})
    with pytest.raises(CarrierError) as e:
        carrier(rec).route_did(1, "15145550123", cf.DidRoutingSpec(routing=cf.Target(kind, "12")))
    assert e.value.code == "unsupported_routing" and rec.calls == []
    with pytest.raises(CarrierError) as e:
        spec = cf.IvrSpec(name="M", recording="7696", choices=(("1", cf.Target(kind, "12")),))
        carrier(Recorder({})).save_flow(1, spec)
    assert e.value.code == "unsupported_routing"


def test_an_ivr_without_a_greeting_is_refused_before_anything_is_sent():
    rec = Recorder({})
    with pytest.raises(CarrierError) as e:
        carrier(rec).save_flow(1, cf.IvrSpec(name="M", choices=(("1", ALICE),)))
    assert e.value.code == "missing_recording" and rec.calls == []


def test_a_creation_is_not_sent_twice_after_an_unclear_failure():
    import httpx

    rec = Recorder({"setDISA": [httpx.ReadTimeout("slow")]})
    with pytest.raises(CarrierError) as e:
        carrier(rec).save_flow(1, cf.DisaSpec(name="Out", pin="9876"))
    assert e.value.code == "network_error" and rec.methods() == ["setDISA"]
