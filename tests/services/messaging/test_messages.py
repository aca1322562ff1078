"""Text messages: send and receive between clients, billing once per message, refusals, sync exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from reseller_app.carrier import CarrierMessage
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, LedgerEntry, Message, OutboundEmail, Package
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.messaging import inbox, messages

D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def balance(cid: int) -> Decimal:
    with session_scope() as s:
        return s.get(Client, cid).balance


def message_entries() -> list[LedgerEntry]:
    with session_scope() as s:
        rows = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "message").order_by(LedgerEntry.id)).all()
        s.expunge_all()
        return list(rows)


def test_two_clients_text_each_other_and_each_message_is_billed_once(pair):
    # No package rate: markup. Outbound (0.0075 + 0.0025) * 1.2 = 0.012 per segment; inbound (0 + 0.0025) * 1.2.
    text = "x" * 200  # GSM-7, 2 parts
    out = messages.send(pair["c_actor"], pair["did1"], pair["n2"], text)
    assert out["segments"] == "2"
    assert balance(pair["c"]) == D("10") - D("0.0240")
    assert balance(pair["d"]) == D("10") - D("0.0030")  # arrived at once, billed per message
    got = inbox.conversations(pair["d_actor"])
    assert got["total"] == "1"
    conv = got["items"][0]
    assert (conv["contact"], conv["did"], conv["unread"]) == (pair["n1"], pair["n2"], "1")
    thread = inbox.thread(pair["d_actor"], pair["n2"], pair["n1"])
    assert [(m["direction"], m["body"]) for m in thread["items"]] == [("in", text)]
    entries = message_entries()
    assert [e.amount for e in entries] == [D("-0.0240"), D("-0.0030")]
    assert len({e.reference for e in entries}) == 2
    # The receiving side synced again stores nothing twice.
    assert messages.sync_messages(pair["ra"]).stored == 0
    assert len(message_entries()) == 2


def test_package_rates_replace_the_markup(pair):
    with session_scope() as s:
        pkg = s.get(Package, pair["pkg"])
        pkg.sms_out_rate, pkg.sms_in_rate = D("0.02"), D("0")
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "naïve? " * 12)  # UCS-2, 84 units: 2 parts
    assert balance(pair["c"]) == D("9.96")
    assert balance(pair["d"]) == D("10")  # an inbound rate of 0 is free
    with session_scope() as s:
        row = s.exec(select(Message).where(Message.direction == "out")).one()
        assert (row.encoding, row.segments, row.price, row.cost, row.profit) == (
            "UCS-2",
            2,
            D("0.04"),
            D("0.015"),
            D("0.025"),
        )


def test_mms_with_a_picture_checked_by_bytes(pair):
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "look", image=PNG)
    thread = inbox.thread(pair["d_actor"], pair["n2"], pair["n1"])
    assert thread["items"][0]["image"].startswith("data:image/png;base64,")
    # (0.02 + 0.0025) * 1.2 = 0.027 out; (0.01 + 0.0025) * 1.2 = 0.015 in
    assert balance(pair["c"]) == D("9.973")
    assert balance(pair["d"]) == D("9.985")


@pytest.mark.parametrize(
    ("to", "text", "image", "field"),
    [
        ("+14165550143", "   ", None, "text"),
        ("+14165550143", "a" * 1531, None, "text"),
        ("12", "hi", None, "to"),
        ("not a number", "hi", None, "to"),
        ("+14165550143", "hi", b"GIF80a not really", "image"),
        ("+14165550143", "hi", b"<svg onload=alert(1)>", "image"),
        ("+14165550143", "hi", b"\xff\xd8\xff" + b"0" * 1_000_000, "image"),
    ],
)
def test_bad_input_sends_and_charges_nothing(pair, to, text, image, field):
    with pytest.raises(ValidationFailed) as e:
        messages.send(pair["c_actor"], pair["did1"], to, text, image=image)
    assert field in e.value.errors
    assert message_entries() == []
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(Message)).one() == 0


def test_a_number_without_sms_and_another_clients_number_are_refused(pair):
    inbox.set_sms(pair["c_actor"], pair["did1"], False)
    with pytest.raises(ValidationFailed) as e:
        messages.send(pair["c_actor"], pair["did1"], pair["n2"], "hi")
    assert "did" in e.value.errors
    with pytest.raises(NotFound):
        messages.send(pair["c_actor"], pair["did2"], pair["n1"], "hi")
    with pytest.raises(NotFound):
        inbox.set_sms(pair["c_actor"], pair["did2"], False)
    assert message_entries() == []


def test_a_client_without_the_service_is_refused(pair):
    with session_scope() as s:
        pkg = s.get(Package, pair["pkg"])
        pkg.service_config, pkg.services = "package", ["cdr", "balance"]
    with pytest.raises(Forbidden):
        messages.send(pair["c_actor"], pair["did1"], pair["n2"], "hi")
    with pytest.raises(Forbidden):
        inbox.conversations(pair["c_actor"])


def test_a_suspended_client_cannot_send_but_still_receives_and_pays(pair):
    with session_scope() as s:
        c = s.get(Client, pair["c"])
        c.status, c.suspended_by = "SUSPENDED", "manual"
    with pytest.raises(ValidationFailed, match="suspended"):
        messages.send(pair["c_actor"], pair["did1"], pair["n2"], "hi")
    messages.send(pair["d_actor"], pair["did2"], pair["n1"], "hello there")
    assert balance(pair["c"]) == D("10") - D("0.0030")
    assert inbox.unread_count(pair["c_actor"]) == 1


def test_hard_balance_rule_suspends_after_a_message(pair):
    with session_scope() as s:
        c = s.get(Client, pair["c"])
        c.balance_management = "HARD"
    manual_posting(pair["actor_a"], pair["c"], "charge", "9.99", "almost all")
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "x" * 170)  # 2 parts: 0.024 > 0.01 left
    with session_scope() as s:
        c = s.get(Client, pair["c"])
        assert (c.status, c.suspended_by, c.balance) == ("SUSPENDED", "balance", D("-0.014"))
    with pytest.raises(ValidationFailed, match="suspended"):
        messages.send(pair["c_actor"], pair["did1"], pair["n2"], "again")


def test_email_copy_and_forwarding(pair):
    inbox.set_sms(pair["d_actor"], pair["did2"], True, email="d-inbox@example.com", forward="+1 416 555 0143")
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "ping <b>bold</b>")
    with session_scope() as s:
        mail = s.exec(select(OutboundEmail).where(OutboundEmail.to_addr == "d-inbox@example.com")).one()
        assert "ping <b>bold</b>" in mail.body_text
        fwd = s.exec(select(Message).where(Message.contact == "14165550143")).one()
        assert (fwd.direction, fwd.did, fwd.body) == ("out", pair["n2"], f"From +{pair['n1']}: ping <b>bold</b>")
    # d paid the received text and the forwarded one.
    assert balance(pair["d"]) == D("10") - D("0.0030") - D("0.0120")


def test_bad_settings_are_refused(pair):
    with pytest.raises(ValidationFailed) as e:
        inbox.set_sms(pair["c_actor"], pair["did1"], True, email="nope")
    assert "email" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        inbox.set_sms(pair["c_actor"], pair["did1"], True, forward="123")
    assert "forward" in e.value.errors


def _incoming(n: int, did: str, start: datetime) -> list[CarrierMessage]:
    return [
        CarrierMessage(f"ext-{i}", start + timedelta(seconds=i), "in", "sms", did, "14165550143", f"m{i}")
        for i in range(n)
    ]


def test_sync_is_exactly_once_and_resumes_after_a_crash(pair):
    ra, carrier = pair["ra"], pair["carrier"]
    start = datetime.now(UTC) - timedelta(minutes=30)
    batch = _incoming(5, pair["n1"], start)
    # A crash after the first batch of two: those two are stored (and billed) in their own transaction ...
    first = messages.ingest_messages(ra, batch[:2])
    assert first.stored == 2
    for m in batch:
        carrier.deliver(ra, m)
    # ... the next run starts from there and stores the other three, never one twice.
    res = messages.sync_messages(ra, batch_size=2)
    assert (res.stored, res.duplicates) == (3, 2)
    again = messages.sync_messages(ra)
    assert again.stored == 0
    with session_scope() as s:
        stored = s.exec(select(Message.carrier_id).where(Message.direction == "in")).all()
        refs = s.exec(select(LedgerEntry.reference).where(LedgerEntry.kind == "message")).all()
    assert sorted(stored) == [f"ext-{i}" for i in range(5)]
    assert sorted(refs) == sorted(f"msg:{ra}:ext-{i}" for i in range(5))
    assert balance(pair["c"]) == D("10") - 5 * D("0.0030")


def test_a_message_to_an_unassigned_number_is_stored_unbilled(pair):
    with session_scope() as s:
        s.add(Did(reseller_id=pair["ra"], number="15145559999"))
    res = messages.ingest_messages(pair["ra"], _incoming(1, "15145559999", datetime.now(UTC)))
    assert (res.stored, res.unassigned) == (1, 1)
    assert message_entries() == []


def test_conversations_search_read_and_csv(pair):
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], '=HYPERLINK("x") first')
    messages.send(pair["d_actor"], pair["did2"], pair["n1"], "second, about lunch")
    messages.ingest_messages(pair["ra"], _incoming(1, pair["n1"], datetime.now(UTC) + timedelta(seconds=5)))
    convs = inbox.conversations(pair["c_actor"])
    assert [c["contact"] for c in convs["items"]] == ["14165550143", pair["n2"]]  # newest first
    assert [c["contact"] for c in inbox.conversations(pair["c_actor"], search="LUNCH")["items"]] == [pair["n2"]]
    assert [c["contact"] for c in inbox.conversations(pair["c_actor"], search="416555")["items"]] == ["14165550143"]
    assert inbox.conversations(pair["c_actor"], search="100%")["total"] == "0"
    before = inbox.inbox_version(pair["c_actor"])
    assert inbox.mark_read(pair["c_actor"], pair["n1"], pair["n2"]) == 1
    assert inbox.inbox_version(pair["c_actor"]) != before
    assert inbox.unread_count(pair["c_actor"]) == 1
    csv = inbox.conversation_csv(pair["c_actor"], pair["n1"], pair["n2"])
    lines = csv.strip().splitlines()
    assert lines[0] == "date,direction,from,to,type,text,parts,price"
    assert "'=HYPERLINK" in lines[1] and lines[1].endswith(",1,0.0120")
    assert "second, about lunch" in lines[2] and ",received," in lines[2]
    # Another client's conversation is not readable by guessing its numbers.
    assert inbox.thread(pair["d_actor"], pair["n1"], pair["n2"])["total"] == "0"


def test_the_scheduled_sync_job_stores_received_messages(pair):
    from reseller_app.services.jobs import scheduler

    start = datetime.now(UTC) - timedelta(minutes=5)
    for m in _incoming(3, pair["n1"], start):
        pair["carrier"].deliver(pair["ra"], m)
    assert scheduler.run_job("cdr_sync", scheduler.sync_all, ttl=timedelta(minutes=5))
    assert scheduler.run_job("cdr_sync", scheduler.sync_all, ttl=timedelta(minutes=5))
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(Message)).one() == 3


def test_an_outside_number_answers_later_through_the_sync(pair):
    sandbox = pair["carrier"]
    now = datetime.now(UTC)
    sandbox.now = lambda: now
    messages.send(pair["c_actor"], pair["did1"], "+14165550143", "Lunch tomorrow?")
    assert messages.sync_messages(pair["ra"]).stored == 0
    sandbox.now = lambda: now + timedelta(seconds=30)
    assert messages.sync_messages(pair["ra"]).stored == 1
    thread = inbox.thread(pair["c_actor"], pair["n1"], "14165550143")
    assert [m["direction"] for m in thread["items"]] == ["out", "in"]


def test_the_package_wizard_keeps_message_rates_and_empty_means_markup(pair):
    from reseller_app.services.catalog import wizard

    form = wizard.get_package(pair["actor_a"], pair["pkg"])
    assert (form["sms_out_rate"], form["mms_in_rate"]) == ("", "")
    wizard.save_package(pair["actor_a"], {**form, "sms_out_rate": "0.0199", "mms_in_rate": "0"}, pair["pkg"])
    with session_scope() as s:
        pkg = s.get(Package, pair["pkg"])
        assert (pkg.sms_out_rate, pkg.sms_in_rate, pkg.mms_in_rate) == (D("0.0199"), None, D("0"))
    with pytest.raises(ValidationFailed) as e:
        wizard.save_package(pair["actor_a"], {**form, "sms_in_rate": "0.1234567"}, pair["pkg"])
    assert "sms_in_rate" in e.value.errors
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "hi")
    assert balance(pair["c"]) == D("10") - D("0.0199")


def test_messages_are_invoiced_as_usage(pair):
    from reseller_app.services.common import format as fmt
    from reseller_app.services.invoicing import issue

    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "x" * 200)
    messages.send(pair["c_actor"], pair["did1"], pair["n2"], "again")
    assert fmt.ledger_kind("message") == "Messages"
    with session_scope() as s:
        client = s.get(Client, pair["c"])
        today = datetime.now(UTC).date()
        drafts = issue._lines(s, client, today, today - timedelta(days=1))
    lines = [d.line for d in drafts if d.line.kind == "message"]
    assert len(lines) == 1
    assert (lines[0].category, lines[0].amount, lines[0].quantity) == ("usage", D("0.0360"), 2)
    assert lines[0].description == "Messages (2 messages)"
