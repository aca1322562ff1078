"""VoipMsCarrier against recorded VoIP.ms answers (httpx.MockTransport): quirks, retries, no double posting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from reseller_app.carrier import CarrierError, get_carrier
from reseller_app.carrier.voipms import VoipMsCarrier, as_list
from reseller_app.models import Reseller

# Recorded answers (shapes as VoIP.ms sends them: every value a string).
CDR_ONE_AS_OBJECT = {
    "status": "success",
    "cdr": {
        "date": "2026-11-20 14:03:07",
        "callerid": '"Front desk" <5145550000>',
        "destination": "14165550143",
        "description": "Toronto, ON",
        "account": "100000_front",
        "disposition": "ANSWERED",
        "duration": "00:01:05",
        "seconds": "65",
        "rate": "0.0090",
        "total": "0.0098",
        "uniqueid": "ab12CD34ef",
    },
}
CDR_TWO = {
    "status": "success",
    "cdr": [
        {
            "date": "2026-11-21 09:00:00",
            "callerid": '"Caller" <4385550199>',
            "destination": "5145550123",
            "description": "Inbound DID",
            "account": "100000_front",
            "disposition": "NO ANSWER",
            "duration": "00:00:00",
            "seconds": "0",
            "rate": "0.0000",
            "total": "0.0000",
            "uniqueid": "1700000000.42",
        },
        {
            "date": "2026-11-21 08:00:00",
            "callerid": "x",
            "destination": "442071234567",
            "description": "United Kingdom",
            "account": "100000_front",
            "disposition": "CONGESTION",
            "duration": "00:00:00",
            "seconds": "0",
            "rate": "0.0100",
            "total": "0.0000",
            "uniqueid": "zz-9",
        },
    ],
}


class Recorder:
    """A fake VoIP.ms: answers per method from a queue of responses (or exceptions), and logs every request."""

    def __init__(self, answers: dict[str, list]) -> None:
        self.answers = answers
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.calls.append(params)
        queue = self.answers[params["method"]]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    def methods(self) -> list[str]:
        return [c["method"] for c in self.calls]


def carrier(rec: Recorder, sleeps: list | None = None, **kw) -> VoipMsCarrier:
    return VoipMsCarrier(
        "me@example.com",
        "api-pass",
        transport=httpx.MockTransport(rec),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        **kw,
    )


def test_cdrs_bare_object_letters_in_uniqueid_and_auth():
    rec = Recorder({"getCDR": [CDR_ONE_AS_OBJECT, {"status": "no_cdr"}]})
    cdrs = carrier(rec).cdrs_since(1, datetime(2026, 11, 1, tzinfo=UTC))
    assert [c.uniqueid for c in cdrs] == ["ab12CD34ef"]
    c = cdrs[0]
    assert (c.start, c.direction, c.duration, c.carrier_cost) == (
        datetime(2026, 11, 20, 14, 3, 7, tzinfo=UTC),
        "out",
        65,
        Decimal("0.0098"),
    )
    first = rec.calls[0]
    assert (first["api_username"], first["api_password"], first["timezone"]) == ("me@example.com", "api-pass", "0")
    assert first["answered"] == first["noanswer"] == first["busy"] == first["failed"] == "1"


def test_cdrs_inbound_dispositions_order_and_since_filter():
    rec = Recorder({"getCDR": [CDR_TWO]})
    cdrs = carrier(rec).cdrs_since(1, datetime(2026, 11, 21, 7, 0, tzinfo=UTC))
    assert [c.uniqueid for c in cdrs] == ["zz-9", "1700000000.42"]  # oldest first
    assert cdrs[0].disposition == "FAILED"  # CONGESTION is not answered
    inbound = cdrs[1]
    assert (inbound.direction, inbound.did, inbound.disposition) == ("in", "5145550123", "NO ANSWER")
    later = carrier(Recorder({"getCDR": [CDR_TWO]})).cdrs_since(1, datetime(2026, 11, 21, 8, 30, tzinfo=UTC))
    assert [c.uniqueid for c in later] == ["1700000000.42"]


def test_unreadable_records_are_returned_with_their_reason_not_dropped():
    good = CDR_TWO["cdr"][0]
    bad = [
        {**good, "uniqueid": "u-date", "date": "2026-13-01 10:00:00"},
        {**good, "uniqueid": "u-secs", "seconds": "sixty"},
        {**good, "uniqueid": "u-total", "total": "0.0x"},
        {**good, "uniqueid": ""},
        "garbage",
    ]
    rec = Recorder({"getCDR": [{"status": "success", "cdr": [good, *bad]}]})
    fetched = carrier(rec).fetch_cdrs(1, datetime(2026, 11, 21, tzinfo=UTC))
    assert [c.uniqueid for c in fetched.cdrs] == ["1700000000.42"]
    assert sorted((u.uniqueid, u.reason) for u in fetched.unreadable) == [
        ("", "no uniqueid"),
        ("", "not a call record"),
        ("u-date", "bad date '2026-13-01 10:00:00'"),
        ("u-secs", "bad seconds 'sixty'"),
        ("u-total", "bad total '0.0x'"),
    ]
    dated = next(u for u in fetched.unreadable if u.uniqueid == "u-date")
    assert dated.call_date == "2026-13-01 10:00:00" and '"uniqueid": "u-date"' in dated.raw
    # cdrs_since keeps its contract: the readable calls only.
    rec2 = Recorder({"getCDR": [{"status": "success", "cdr": [good, *bad]}]})
    assert [c.uniqueid for c in carrier(rec2).cdrs_since(1, datetime(2026, 11, 21, tzinfo=UTC))] == ["1700000000.42"]


def test_long_ranges_are_fetched_in_92_day_windows():
    rec = Recorder({"getCDR": [{"status": "no_cdr"}]})
    carrier(rec).cdrs_since(1, datetime(2025, 1, 1, tzinfo=UTC))
    spans = [(datetime.fromisoformat(c["date_to"]) - datetime.fromisoformat(c["date_from"])).days for c in rec.calls]
    assert len(rec.calls) > 3 and max(spans) <= 91


def test_rate_limit_backs_off_then_succeeds():
    sleeps: list[float] = []
    rec = Recorder({"getCDR": [{"status": "api_limit_exceeded"}, {"status": "api_limit_exceeded"}, CDR_TWO]})
    cdrs = carrier(rec, sleeps, backoff=1.5).cdrs_since(1, datetime(2026, 11, 21, tzinfo=UTC))
    assert len(cdrs) == 2 and sleeps == [1.5, 3.0]


def test_rate_limit_gives_up_after_the_retries():
    rec = Recorder({"getCDR": [{"status": "api_limit_exceeded"}]})
    with pytest.raises(CarrierError) as e:
        carrier(rec, retries=2).cdrs_since(1, datetime(2026, 11, 21, tzinfo=UTC))
    assert e.value.code == "api_limit_exceeded" and len(rec.calls) == 3


def test_network_error_on_a_read_is_retried():
    rec = Recorder({"getCDR": [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), CDR_TWO]})
    assert len(carrier(rec).cdrs_since(1, datetime(2026, 11, 21, tzinfo=UTC))) == 2


def test_carrier_error_status_is_raised_not_retried():
    rec = Recorder({"getCDR": [{"status": "invalid_credentials"}]})
    with pytest.raises(CarrierError) as e:
        carrier(rec).cdrs_since(1, datetime(2026, 11, 21, tzinfo=UTC))
    assert e.value.code == "invalid_credentials" and len(rec.calls) == 1


def test_timeout_after_create_is_not_sent_twice():
    exists = {"status": "success", "accounts": {"id": "777", "account": "100000_front"}}
    rec = Recorder(
        {
            "getSubAccounts": [{"status": "no_account"}, exists],
            "createSubAccount": [httpx.ReadTimeout("no answer")],
        }
    )
    assert carrier(rec).create_subaccount(1, "100000_front", "sip-pass") == "777"
    assert rec.methods().count("createSubAccount") == 1


def test_timeout_after_create_that_did_not_happen_is_sent_again():
    rec = Recorder(
        {
            "getSubAccounts": [{"status": "no_account"}],
            "createSubAccount": [httpx.ReadTimeout("no answer"), {"status": "success", "id": "778"}],
        }
    )
    assert carrier(rec).create_subaccount(1, "100000_front", "sip-pass") == "778"
    assert rec.methods().count("createSubAccount") == 2
    create = next(c for c in rec.calls if c["method"] == "createSubAccount")
    assert (create["username"], create["password"]) == ("front", "sip-pass")


def test_existing_subaccount_is_not_created_again():
    rec = Recorder({"getSubAccounts": [{"status": "success", "accounts": [{"id": "5", "account": "100000_a"}]}]})
    assert carrier(rec).create_subaccount(1, "100000_a", "pw-123456") == "5"
    assert "createSubAccount" not in rec.methods()


def test_delete_subaccount_by_its_id_once_even_after_a_timeout():
    found = {"status": "success", "accounts": [{"id": "777", "account": "100000_front"}]}
    rec = Recorder({"getSubAccounts": [found, {"status": "no_subaccount"}], "delSubAccount": [httpx.ReadTimeout("x")]})
    carrier(rec).delete_subaccount(1, "100000_front")
    deletes = [c for c in rec.calls if c["method"] == "delSubAccount"]
    assert [d["id"] for d in deletes] == ["777"]  # the timeout was followed by a look, not a second delete
    gone = Recorder({"getSubAccounts": [{"status": "no_subaccount"}]})
    carrier(gone).delete_subaccount(1, "100000_front")
    assert gone.methods() == ["getSubAccounts"]


def test_claim_did_orders_once_and_is_idempotent_for_the_owner():
    owned = {"status": "success", "dids": {"did": "5145550123"}}
    rec = Recorder({"getDIDsInfo": [{"status": "no_did"}, owned], "orderDID": [httpx.ReadTimeout("x")]})
    offer = carrier(rec).claim_did(1, "+1 514 555 0123")
    assert offer.number == "15145550123" and rec.methods().count("orderDID") == 1
    rec2 = Recorder({"getDIDsInfo": [owned]})
    carrier(rec2).claim_did(1, "15145550123")
    assert "orderDID" not in rec2.methods()


def test_available_dids_per_region_tolerates_one_object():
    rec = Recorder(
        {
            "getDIDsCAN": [{"status": "success", "dids": {"did": "5145550188", "ratecenter": "Montreal"}}],
            "getDIDsUSA": [{"status": "no_did"}],
        }
    )
    offers = carrier(rec, regions={"CAN": ("QC",), "USA": ("NY",)}).available_dids(1)
    assert [(o.number, o.rate_center, o.region) for o in offers] == [("15145550188", "Montreal", "QC")]


def test_blocking_is_refused_honestly():
    with pytest.raises(CarrierError) as e:
        carrier(Recorder({})).block_subaccount("100000_a")
    assert e.value.code == "unsupported"


def test_http_5xx_and_junk_answers():
    rec = Recorder({"getCDR": [httpx.Response(502, text="bad gateway"), httpx.Response(200, text="<html>")]})
    with pytest.raises(CarrierError) as e:
        carrier(rec).cdrs_since(1, datetime(2026, 11, 21, tzinfo=UTC))
    assert e.value.code == "invalid_response"


def test_as_list():
    assert as_list(None) == [] and as_list({"a": 1}) == [{"a": 1}] and as_list([1, 2]) == [1, 2]


def test_get_carrier_picks_voipms_and_needs_credentials():
    r = Reseller(
        email="x@example.com", password_hash="x", carrier_kind="voipms", carrier_username="me", carrier_secret="s"
    )
    assert isinstance(get_carrier(r), VoipMsCarrier)
    r.carrier_secret = None
    with pytest.raises(CarrierError) as e:
        get_carrier(r)
    assert e.value.code == "not_configured"
    assert type(get_carrier(Reseller(email="y@example.com", password_hash="x"))).__name__ == "SandboxCarrier"


def test_timeouts_are_set():
    c = carrier(Recorder({}), timeout=7.0)
    assert c._client.timeout.read == 7.0 and c._client.timeout.connect == 7.0
