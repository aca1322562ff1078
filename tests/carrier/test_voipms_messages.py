"""VoipMsCarrier's text messages: sendSMS/sendMMS/getSMS/getMMS/setSMS with the exact parameters (MockTransport)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from reseller_app.carrier import CarrierError
from tests.carrier.test_voipms import Recorder, carrier

AUTH = {"api_username": "me@example.com", "api_password": "api-pass"}


def test_send_sms_parameters_and_id():
    rec = Recorder({"sendSMS": [{"status": "success", "sms": "23434"}]})
    assert carrier(rec).send_sms(1, "15145550100", "+1 (416) 555-0143", "hello john") == "23434"
    assert rec.calls == [
        {**AUTH, "method": "sendSMS", "did": "5145550100", "dst": "4165550143", "message": "hello john"}
    ]


def test_a_long_text_goes_as_pieces_of_160_characters():
    rec = Recorder({"sendSMS": [{"status": "success", "sms": "1"}, {"status": "success", "sms": "2"}]})
    assert carrier(rec).send_sms(1, "5145550100", "4165550143", "x" * 200) == "1"
    assert [len(c["message"]) for c in rec.calls] == [160, 40]


def test_send_sms_is_never_sent_twice_after_a_timeout():
    rec = Recorder({"sendSMS": [httpx.ReadTimeout("no answer")]})
    with pytest.raises(CarrierError) as e:
        carrier(rec).send_sms(1, "5145550100", "4165550143", "hi")
    assert e.value.code == "network_error"
    assert rec.methods() == ["sendSMS"]


def test_send_sms_refusal_is_raised():
    rec = Recorder({"sendSMS": [{"status": "invalid_dst"}]})
    with pytest.raises(CarrierError) as e:
        carrier(rec).send_sms(1, "5145550100", "12", "hi")
    assert e.value.code == "invalid_dst"


def test_send_mms_parameters_and_id():
    rec = Recorder({"sendMMS": [{"status": "success", "mms": "777"}]})
    media = ["data:image/png;base64,AAAA", "https://example.com/b.jpg", "c", "d"]
    assert carrier(rec).send_mms(1, "15145550100", "14165550143", "look", media) == "mms-777"
    assert rec.calls == [
        {
            **AUTH,
            "method": "sendMMS",
            "did": "5145550100",
            "dst": "4165550143",
            "message": "look",
            "media1": "data:image/png;base64,AAAA",
            "media2": "https://example.com/b.jpg",
            "media3": "c",
        }
    ]


def test_set_sms_parameters():
    rec = Recorder({"setSMS": [{"status": "success"}]})
    carrier(rec).set_sms(1, "15145550100", True)
    carrier(rec).set_sms(1, "15145550100", False)
    assert rec.calls == [
        {**AUTH, "method": "setSMS", "did": "5145550100", "enable": "1", "dialmode": "1"},
        {**AUTH, "method": "setSMS", "did": "5145550100", "enable": "0", "dialmode": "1"},
    ]


SMS_ROWS = {
    "status": "success",
    "sms": [
        {"id": "111121", "date": "2026-11-21 10:24:16", "type": 1, "did": "5145550100", "contact": "4165550143",
         "message": "second", "carrier_status": "delivered"},
        {"id": "111120", "date": "2026-11-21 09:00:00", "type": "1", "did": "5145550100", "contact": "4165550143",
         "message": "first"},
        {"id": "111119", "date": "2026-11-20 09:00:00", "type": "0", "did": "5145550100", "contact": "4165550143",
         "message": "sent by us"},
        {"id": "bad", "date": "yesterday", "type": "1"},
    ],
}  # fmt: skip
MMS_ROWS = {
    "status": "success",
    "sms": [
        {"id": "111120", "date": "2026-11-21 09:30:00", "type": "1", "did": "5145550100", "contact": "4165550143",
         "message": "pic", "col_media1": "https://x/1.jpg", "media": ["https://x/1.jpg"]},
    ],
}  # fmt: skip


def test_received_messages_parameters_shape_and_order():
    rec = Recorder({"getSMS": [SMS_ROWS], "getMMS": [MMS_ROWS]})
    msgs = carrier(rec).messages_since(1, datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    assert [(m.carrier_id, m.kind, m.body) for m in msgs] == [
        ("111120", "sms", "first"),
        ("mms-111120", "mms", "pic"),
        ("111121", "sms", "second"),
    ]
    assert msgs[0].did == "15145550100" and msgs[0].contact == "14165550143" and msgs[0].direction == "in"
    assert msgs[1].media == ("https://x/1.jpg",)
    first = rec.calls[0]
    assert {k: first[k] for k in ("method", "from", "type", "timezone", "limit")} == {
        "method": "getSMS",
        "from": "2026-11-21",
        "type": "1",
        "timezone": "0",
        "limit": "10000",
    }
    assert rec.calls[1]["method"] == "getMMS"
    spans = [(datetime.fromisoformat(c["to"]) - datetime.fromisoformat(c["from"])).days for c in rec.calls]
    assert max(spans) <= 91


def test_no_sms_is_an_empty_list():
    rec = Recorder({"getSMS": [{"status": "no_sms"}], "getMMS": [{"status": "no_sms"}]})
    assert carrier(rec).messages_since(1, datetime.now(UTC) - timedelta(hours=1)) == []
