"""The sandbox's text messages: instant delivery between platform numbers, invented replies to outside numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reseller_app.carrier import CarrierError
from reseller_app.carrier.sandbox import REPLY_DELAY, SandboxCarrier
from reseller_app.db import session_scope
from reseller_app.models import Reseller

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture()
def two(engine):
    with session_scope() as s:
        a, b = Reseller(email="a@x.test", password_hash="x"), Reseller(email="b@x.test", password_hash="x")
        s.add_all([a, b])
        s.flush()
        ids = a.id, b.id
    sb = SandboxCarrier()
    offers = sb.available_dids(ids[0])
    n1, n2 = offers[0].number, offers[1].number
    sb.claim_did(ids[0], n1)
    sb.claim_did(ids[1], n2)
    return sb, ids, n1, n2


def test_delivered_at_once_between_platform_numbers(two):
    sb, (ra, rb), n1, n2 = two
    sb.set_sms(ra, n1, True)
    sb.set_sms(rb, n2, True)
    mid = sb.send_sms(ra, n1, n2, "hello")
    assert sb.sent(mid).body == "hello"
    got = sb.messages_since(rb, EPOCH)
    assert [(m.direction, m.did, m.contact, m.body) for m in got] == [("in", n2, n1, "hello")]
    assert got[0].carrier_id != mid
    assert sb.messages_since(ra, EPOCH) == []


def test_not_delivered_to_a_number_without_sms(two):
    sb, (ra, rb), n1, n2 = two
    sb.set_sms(ra, n1, True)
    sb.send_sms(ra, n1, n2, "hello")
    assert sb.messages_since(rb, EPOCH) == []


def test_sending_needs_an_own_number_with_sms(two):
    sb, (ra, _rb), n1, n2 = two
    with pytest.raises(CarrierError, match="not enabled"):
        sb.send_sms(ra, n1, "14165550143", "hi")
    with pytest.raises(CarrierError) as e:
        sb.set_sms(ra, n2, True)
    assert e.value.code == "invalid_did"


def test_an_outside_number_answers_a_question_later(two):
    sb, (ra, _rb), n1, _n2 = two
    sb.set_sms(ra, n1, True)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    sb.now = lambda: now
    sb.send_sms(ra, n1, "14165550143", "Are you free today?")
    sb.send_sms(ra, n1, "14165550143", "no question here")
    assert sb.messages_since(ra, EPOCH) == []
    sb.now = lambda: now + REPLY_DELAY
    replies = sb.messages_since(ra, EPOCH)
    assert len(replies) == 1
    assert (replies[0].did, replies[0].contact, replies[0].sent_at) == (n1, "14165550143", now + REPLY_DELAY)
    assert sb.messages_since(ra, now + REPLY_DELAY) == []
    assert sb.messages_since(ra, now + REPLY_DELAY - timedelta(seconds=1)) == replies
