"""Card payments against a local fake of Stripe: deposits credited once, a saved card, automatic top-up, refunds."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from reseller_app.api import create_api
from reseller_app.db import session_scope
from reseller_app.models import (
    CardPayment,
    CardProfile,
    Client,
    LedgerEntry,
    OutboundEmail,
    ResellerSettings,
    StripeAccount,
)
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import cards, postings
from reseller_app.services.accounting import stripe_gateway as gw
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from tests.stripe_fake import DECLINE_CARD, FakeStripe, sign

WHSEC = "whsec_test_secret"
KEYS = {"publishable": "pk_test_abc", "secret": "sk_test_good", "webhook_secret": WHSEC}


@pytest.fixture()
def fake(monkeypatch):
    """The fake Stripe, with the library's API base pointed at it."""
    f = FakeStripe().start()
    monkeypatch.setattr(gw, "settings", dataclasses.replace(gw.settings, stripe_api_base=f.base))
    f.webhook_secret = WHSEC
    yield f
    f.stop()


@pytest.fixture()
def sw(world, fake):
    """Reseller A with card payments on (amounts 10 and 25) and its client `c`."""
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["ra"])).one()
        st.deposit_amounts = "10,25"
    cards.save_stripe(world["actor_a"], True, **KEYS)
    world["fake"] = fake
    world["me"] = Actor("client", world["ra"], world["c"])
    world["http"] = TestClient(create_api())
    return world


def _balance(cid: int) -> Decimal:
    with session_scope() as s:
        return s.get(Client, cid).balance


def _entries(cid: int) -> list[tuple[str, Decimal, str]]:
    with session_scope() as s:
        rows = s.exec(select(LedgerEntry).where(LedgerEntry.client_id == cid).order_by(LedgerEntry.id)).all()
        return [(e.kind, e.amount, e.reference) for e in rows]


def _hook(sw, payload: str, header: str, reseller: int | None = None):
    return sw["http"].post(
        f"/api/stripe/webhook/{reseller or sw['ra']}",
        content=payload.encode(),
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def _session_id(url: str) -> str:
    return url.rsplit("/", 1)[1]


# ---------------------------------------------------------------- keys


def test_keys_are_checked_with_stripe_and_never_shown_back(world, fake):
    with pytest.raises(ValidationFailed) as e:
        cards.save_stripe(world["actor_a"], True, "pk_test_abc", "sk_test_wrong", WHSEC)
    assert "Stripe refused this secret key" in e.value.errors["stripe_secret_key"]
    assert ("GET", "/v1/balance") in fake.calls
    with session_scope() as s:
        assert s.exec(select(StripeAccount)).first() is None  # nothing saved
    shown = cards.save_stripe(world["actor_a"], True, **KEYS)
    assert shown["stripe_enabled"] == "1" and shown["stripe_has_secret"] == "1"
    assert "sk_test_good" not in json.dumps(shown) and WHSEC not in json.dumps(shown)
    assert shown["stripe_webhook_url"].endswith(f"/api/stripe/webhook/{world['ra']}")
    # Empty secrets keep the saved ones.
    cards.save_stripe(world["actor_a"], True, "pk_test_abc", "", "")
    with session_scope() as s:
        a = s.exec(select(StripeAccount)).one()
        assert (a.secret_key, a.webhook_secret) == ("sk_test_good", WHSEC)


@pytest.mark.parametrize(
    ("pk", "sk", "wh", "field"),
    [
        ("nope", "sk_test_good", WHSEC, "stripe_publishable_key"),
        ("pk_test_a", "pk_test_b", WHSEC, "stripe_secret_key"),
        ("pk_live_a", "sk_test_good", WHSEC, "stripe_secret_key"),
        ("pk_test_a", "sk_test_good", "secret", "stripe_webhook_secret"),
        ("pk_test_a", "sk_test_good", "", "stripe_webhook_secret"),
    ],
)
def test_keys_of_the_wrong_shape_are_refused_before_any_call(world, fake, pk, sk, wh, field):
    with pytest.raises(ValidationFailed) as e:
        cards.save_stripe(world["actor_a"], True, pk, sk, wh)
    assert field in e.value.errors
    assert fake.calls == []


def test_only_a_reseller_saves_keys(world, fake):
    with pytest.raises(Forbidden):
        cards.save_stripe(Actor("client", world["ra"], world["c"]), True, **KEYS)


# ---------------------------------------------------------------- deposits


def test_options_show_amounts_only_when_card_payments_are_on(sw):
    opts = cards.card_options(sw["me"])
    assert opts.enabled and [a["value"] for a in opts.amounts] == ["10.00", "25.00"]
    cards.save_stripe(sw["actor_a"], False, "", "", "")
    assert cards.card_options(sw["me"]).enabled is False
    with pytest.raises(ValidationFailed):
        cards.start_card_deposit(sw["me"], "10")


@pytest.mark.parametrize("amount", ["11", "-10", "abc", "10.001", "", "0"])
def test_only_the_resellers_amounts(sw, amount):
    with pytest.raises(ValidationFailed):
        cards.start_card_deposit(sw["me"], amount)
    assert not any(o["object"] == "checkout.session" for o in sw["fake"].objects.values())


def test_a_reseller_or_a_foreign_client_cannot_start_a_deposit(sw):
    with pytest.raises(Forbidden):
        cards.start_card_deposit(sw["actor_a"], "10")
    with pytest.raises(NotFound):
        cards.start_card_deposit(Actor("client", sw["ra"], sw["other"]), "10")


def test_return_then_webhook_credit_once_with_the_amount_stripe_reports(sw):
    url = cards.start_card_deposit(sw["me"], "25")
    sid = _session_id(url)
    sent = sw["fake"].objects[sid]
    assert (sent["amount_total"], sent["currency"], sent["mode"]) == (2500, "usd", "payment")
    assert "/api/stripe/return/" in sent["success_url"]
    sw["fake"].pay(sid, send=False)
    r = sw["http"].get(f"/api/stripe/return/{sw['ra']}", params={"session_id": sid}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/balance?deposit=completed")
    for ev in list(sw["fake"].events):  # checkout.session.completed and payment_intent.succeeded, then a replay
        payload = json.dumps(ev)
        assert _hook(sw, payload, sign(payload, WHSEC)).status_code == 200
        assert _hook(sw, payload, sign(payload, WHSEC)).status_code == 200
    assert _balance(sw["c"]) == Decimal("25")
    with session_scope() as s:
        p = s.exec(select(CardPayment)).one()
        assert (p.status, p.intent_id) == ("completed", sw["fake"].objects[sid]["payment_intent"])
    assert _entries(sw["c"]) == [("payment", Decimal("25"), f"stripe:{p.id}")]


def test_webhook_first_then_return_credit_once(sw):
    sid = _session_id(cards.start_card_deposit(sw["me"], "10"))
    sw["fake"].deliver = lambda payload, header: _hook(sw, payload, header)
    sw["fake"].pay(sid)
    assert _balance(sw["c"]) == Decimal("10")
    done = cards.checkout_return(sw["ra"], sid)
    assert (done.status, done.credited_now) == ("completed", False)
    assert _balance(sw["c"]) == Decimal("10") and len(_entries(sw["c"])) == 1


def test_a_bad_signature_is_refused_and_credits_nothing(sw):
    sid = _session_id(cards.start_card_deposit(sw["me"], "10"))
    sw["fake"].pay(sid, send=False)
    payload = json.dumps(sw["fake"].events[0])
    for header in ("", "t=1,v1=00", sign(payload, "whsec_other"), sign(payload, WHSEC, timestamp=1)):
        assert _hook(sw, payload, header).status_code == 400
    tampered = payload.replace('"amount_total": 1000', '"amount_total": 100000')
    assert _hook(sw, tampered, sign(payload, WHSEC)).status_code == 400
    # Another reseller's endpoint does not accept A's signature (nor credit A's payment).
    assert _hook(sw, payload, sign(payload, WHSEC), reseller=sw["rb"]).status_code == 400
    assert _hook(sw, payload, sign(payload, WHSEC), reseller="junk").status_code == 400
    assert _balance(sw["c"]) == 0 and _entries(sw["c"]) == []


def test_an_amount_other_than_the_one_asked_is_not_credited(sw):
    sid = _session_id(cards.start_card_deposit(sw["me"], "10"))
    sw["fake"].pay(sid, send=False)
    ev = sw["fake"].events[0]
    ev["data"]["object"]["amount_total"] = 500
    payload = json.dumps(ev)
    assert _hook(sw, payload, sign(payload, WHSEC)).json() == {"status": "failed"}
    assert _balance(sw["c"]) == 0


def test_cancel_marks_the_payment_cancelled(sw):
    sid = _session_id(cards.start_card_deposit(sw["me"], "10"))
    r = sw["http"].get(f"/api/stripe/cancel/{sw['ra']}", params={"session_id": sid}, follow_redirects=False)
    assert r.headers["location"].endswith("/balance?deposit=cancelled")
    with session_scope() as s:
        assert s.exec(select(CardPayment)).one().status == "cancelled"


def test_return_with_an_unknown_session_credits_nothing(sw):
    r = sw["http"].get(f"/api/stripe/return/{sw['ra']}", params={"session_id": "cs_nope"}, follow_redirects=False)
    assert r.status_code == 303 and "deposit=" not in r.headers["location"] or "unknown" in r.headers["location"]
    assert _balance(sw["c"]) == 0


# ---------------------------------------------------------------- saved card and automatic top-up


def _save_card(sw, card: str = "4242424242424242", *, webhook_first: bool = False) -> None:
    sid = _session_id(cards.start_card_setup(sw["me"]))
    assert sw["fake"].objects[sid]["mode"] == "setup"
    sw["fake"].pay(sid, card, send=False)
    if webhook_first:
        payload = json.dumps(sw["fake"].events[-1])
        assert _hook(sw, payload, sign(payload, WHSEC)).json() == {"status": "saved"}
    r = sw["http"].get(f"/api/stripe/setup-return/{sw['ra']}", params={"session_id": sid}, follow_redirects=False)
    assert r.headers["location"].endswith("/balance?card=saved")


def _charge(sw, amount: str) -> None:
    postings.manual_posting(sw["actor_a"], sw["c"], "charge", amount, "usage")


def _pay(sw, amount: str) -> None:
    postings.manual_posting(sw["actor_a"], sw["c"], "payment", amount, "cash")


def test_topup_settings_are_checked(sw):
    with pytest.raises(ValidationFailed) as e:
        cards.set_topup(sw["me"], True, "5", "10")
    assert "topup_enabled" in e.value.errors  # no card yet
    _save_card(sw)
    assert cards.card_options(sw["me"]).card_label == "visa •••• 4242"
    for threshold, amount, field in (
        ("5", "11", "topup_amount"),
        ("-1", "10", "topup_threshold"),
        ("x", "10", "topup_threshold"),
    ):
        with pytest.raises(ValidationFailed) as e:
            cards.set_topup(sw["me"], True, threshold, amount)
        assert field in e.value.errors
    opts = cards.set_topup(sw["me"], True, "5", "25")
    assert (opts.topup_enabled, opts.topup_threshold, opts.topup_amount) == (True, "5.00", "25.00")


def test_a_french_client_types_the_threshold_with_a_decimal_comma(sw):
    from reseller_app.i18n import use_language

    _save_card(sw)
    with use_language("fr_CA"):
        with pytest.raises(ValidationFailed) as e:
            cards.set_topup(sw["me"], True, "cinq", "10")
        assert e.value.errors["topup_threshold"] == "Entrez un nombre comme 25,00."
        opts = cards.set_topup(sw["me"], True, "7,50", "25")
        # Shown back in the input as the client types it (7,50), and that form is read back unchanged.
        assert (opts.topup_enabled, opts.topup_threshold) == (True, "7,50")
        again = cards.set_topup(sw["me"], True, opts.topup_threshold, "25")
        assert again.topup_threshold == "7,50"
        assert cards.card_options(sw["me"]).topup_threshold == "7,50"
    # English keeps the point; both forms are accepted in either language.
    assert cards.card_options(sw["me"]).topup_threshold == "7.50"
    assert cards.set_topup(sw["me"], True, "7.50", "25").topup_threshold == "7.50"
    with use_language("fr_CA"):
        assert cards.set_topup(sw["me"], True, "1 234.5", "25").topup_threshold == "1234,50"


def test_topup_fires_once_per_crossing(sw):
    _save_card(sw)
    _pay(sw, "8")
    cards.set_topup(sw["me"], True, "5", "10")
    _charge(sw, "2")  # 6: above the threshold
    assert sw["fake"].intents_created == 0
    _charge(sw, "3")  # 3: crosses -> one top-up of 10
    assert sw["fake"].intents_created == 1 and _balance(sw["c"]) == Decimal("13")
    _charge(sw, "1")  # 12
    assert sw["fake"].intents_created == 1
    _charge(sw, "10")  # 2: a second crossing
    assert sw["fake"].intents_created == 2 and _balance(sw["c"]) == Decimal("12")
    with session_scope() as s:
        keys = [p.idempotency_key for p in s.exec(select(CardPayment).order_by(CardPayment.id))]
        assert keys == [f"topup-{sw['c']}-1", f"topup-{sw['c']}-2"]
    # Stripe's own events about those charges are replays: nothing is credited twice.
    for ev in list(sw["fake"].events):
        payload = json.dumps(ev)
        _hook(sw, payload, sign(payload, WHSEC))
    assert _balance(sw["c"]) == Decimal("12")
    assert [k for k, _a, _r in _entries(sw["c"])].count("payment") == 3


def test_concurrent_postings_on_several_workers_start_one_topup(sw):
    _save_card(sw)
    _pay(sw, "6")
    cards.set_topup(sw["me"], True, "5", "10")
    n = 8
    barrier = threading.Barrier(n, timeout=30)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            _charge(sw, "1")
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sw["fake"].intents_created == 1
    assert _balance(sw["c"]) == Decimal("6") - n + Decimal("10")
    with session_scope() as s:
        assert len(s.exec(select(CardPayment)).all()) == 1


def _worker_process(barrier, reseller_id: int, client_id: int) -> None:
    """A forked worker (its own database pool, see db._fresh_pool_after_fork) posting two charges."""
    import os

    try:
        barrier.wait()
        for _ in range(2):
            postings.manual_posting(Actor("reseller", reseller_id), client_id, "charge", "1", "usage")
    except BaseException:  # noqa: BLE001 - the exit code tells the parent
        os._exit(1)
    os._exit(0)


def test_postings_from_several_processes_start_one_topup(sw):
    import multiprocessing

    _save_card(sw)
    _pay(sw, "6")
    cards.set_topup(sw["me"], True, "5", "10")
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(4, timeout=60)
    procs = [ctx.Process(target=_worker_process, args=(barrier, sw["ra"], sw["c"])) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert sw["fake"].intents_created == 1
    assert _balance(sw["c"]) == Decimal("6") - 8 + Decimal("10")


def test_a_cdr_batch_crossing_the_threshold_starts_one_topup(sw):
    """The CDR ingest reads the batch's top-up settings once, then arms or fires them posting by posting as any
    posting does: a batch whose calls cross the threshold (and go on below it) starts one top-up."""
    from reseller_app.services.telephony.calls import ingest_cdrs
    from tests.services.telephony.test_calls import T0, cdr

    _save_card(sw)
    _pay(sw, "8")
    cards.set_topup(sw["me"], True, "5", "10")
    batch = [cdr(f"long-{i}", secs=3 * 3600, at=T0 + timedelta(hours=3 * i)) for i in range(4)]
    res = ingest_cdrs(sw["ra"], batch)
    with session_scope() as s:
        calls = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "call").order_by(LedgerEntry.id)).all()
        spent = -sum(e.amount for e in calls)
    assert res.stored == 4 and len(calls) == 4
    # Each call costs more than 1 and all of them less than 8: the threshold is crossed once, mid-batch.
    assert all(-e.amount > 1 for e in calls) and spent < 8
    assert sw["fake"].intents_created == 1
    assert _balance(sw["c"]) == Decimal("8") - spent + Decimal("10")
    with session_scope() as s:
        assert [p.idempotency_key for p in s.exec(select(CardPayment))] == [f"topup-{sw['c']}-1"]


def test_a_declined_topup_emails_both_and_pauses(sw):
    _save_card(sw, DECLINE_CARD)
    _pay(sw, "6")
    cards.set_topup(sw["me"], True, "5", "10")
    _charge(sw, "2")
    assert sw["fake"].intents_created == 1 and _balance(sw["c"]) == Decimal("4")
    with session_scope() as s:
        p = s.exec(select(CardPayment)).one()
        assert (p.status, p.failure) == ("failed", "Your card was declined.")
        assert s.exec(select(CardProfile)).one().topup_paused
        to = sorted(m.to_addr for m in s.exec(select(OutboundEmail)))
    assert to == ["c@example.com", "ra@example.com"]
    assert cards.card_options(sw["me"]).topup_paused
    # The failure event replayed sends nothing more; paused: a later crossing charges nothing.
    for ev in list(sw["fake"].events):
        payload = json.dumps(ev)
        _hook(sw, payload, sign(payload, WHSEC))
    _pay(sw, "10")
    _charge(sw, "12")
    assert sw["fake"].intents_created == 1
    with session_scope() as s:
        assert len(s.exec(select(OutboundEmail)).all()) == 2
    # Saving a card again (the webhook first, then the return) resumes top-up.
    _save_card(sw, webhook_first=True)
    _pay(sw, "10")
    _charge(sw, "9")
    assert sw["fake"].intents_created == 2 and _balance(sw["c"]) == Decimal("13")


# ---------------------------------------------------------------- refunds


def _deposit(sw, amount: str = "25") -> int:
    sid = _session_id(cards.start_card_deposit(sw["me"], amount))
    sw["fake"].pay(sid, send=False)
    cards.checkout_return(sw["ra"], sid)
    with session_scope() as s:
        return s.exec(select(CardPayment).where(CardPayment.session_id == sid)).one().id


def test_a_full_refund_is_a_reversal_and_a_stripe_refund_once(sw):
    pid = _deposit(sw)
    listed = cards.client_card_payments(sw["actor_a"], sw["c"])
    assert [(p["id"], p["refundable"]) for p in listed] == [(str(pid), "1")]
    cards.refund(sw["actor_a"], sw["c"], pid)
    with pytest.raises(ValidationFailed):
        cards.refund(sw["actor_a"], sw["c"], pid)
    assert sw["fake"].refunds_created == 1
    assert _balance(sw["c"]) == 0
    kinds = [(k, a) for k, a, _r in _entries(sw["c"])]
    assert kinds == [("payment", Decimal("25")), ("reversal", Decimal("-25"))]


def test_a_part_refund_is_a_charge_and_limits_are_checked(sw):
    pid = _deposit(sw)
    for bad in ("0", "-1", "25.01", "abc"):
        with pytest.raises(ValidationFailed):
            cards.refund(sw["actor_a"], sw["c"], pid, bad)
    cards.refund(sw["actor_a"], sw["c"], pid, "5.50")
    assert sw["fake"].refunds_created == 1
    assert sw["fake"].objects[next(k for k in sw["fake"].objects if k.startswith("re_"))]["amount"] == 550
    assert _balance(sw["c"]) == Decimal("19.50")
    assert _entries(sw["c"])[-1][:2] == ("charge", Decimal("-5.50"))


def test_refunds_belong_to_the_reseller(sw):
    pid = _deposit(sw)
    with pytest.raises(NotFound):
        cards.refund(sw["actor_b"], sw["c"], pid)
    with pytest.raises(NotFound):
        cards.refund(sw["actor_b"], sw["other"], pid)
    with pytest.raises(Forbidden):
        cards.refund(sw["me"], sw["c"], pid)
    assert sw["fake"].refunds_created == 0 and _balance(sw["c"]) == Decimal("25")


def test_a_refund_stripe_refuses_changes_nothing(sw):
    pid = _deposit(sw)
    sw["fake"].keys.clear()  # the key was revoked
    with pytest.raises(cards.CardPaymentError):
        cards.refund(sw["actor_a"], sw["c"], pid)
    assert _balance(sw["c"]) == Decimal("25")
    with session_scope() as s:
        assert s.get(CardPayment, pid).refund_state == ""


@pytest.mark.parametrize("role", ["support", "readonly", "admin", "billing"])
def test_a_refund_needs_the_money_role(sw, role):
    """Support and read-only staff are refused before Stripe is called; admin and billing staff refund."""
    pid = _deposit(sw)
    staff = Actor("reseller", sw["ra"], staff_id=1, staff_role=role)
    if role in ("support", "readonly"):
        with pytest.raises(Forbidden, match=r"does not allow you to post payments"):
            cards.refund(staff, sw["c"], pid)
        assert sw["fake"].refunds_created == 0 and _balance(sw["c"]) == Decimal("25")
        with session_scope() as s:
            assert s.get(CardPayment, pid).refund_state == ""
    else:
        cards.refund(staff, sw["c"], pid, "5")
        assert sw["fake"].refunds_created == 1 and _balance(sw["c"]) == Decimal("20")


def test_a_payment_missing_from_the_ledger_is_refused_politely(sw):
    """A completed payment whose `stripe:<id>` entry is absent (seeded data, a hand-edited row): a message, no
    Stripe call, not an unexpected error."""
    with session_scope() as s:
        p = CardPayment(
            reseller_id=sw["ra"],
            client_id=sw["c"],
            kind="checkout",
            amount=Decimal("25"),
            currency="USD",
            idempotency_key="no-entry",
            intent_id="pi_no_entry",
            status="completed",
        )
        s.add(p)
        s.flush()
        pid = p.id
    with pytest.raises(ValidationFailed, match="not in the client's ledger"):
        cards.refund(sw["actor_a"], sw["c"], pid)
    assert sw["fake"].refunds_created == 0
    with session_scope() as s:
        assert s.get(CardPayment, pid).refund_state == ""


def test_a_declined_topup_emails_a_spanish_client_in_spanish(sw):
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == sw["ra"])).one()
        st.languages = ["en", "es_MX"]
        s.get(Client, sw["c"]).language = "es_MX"
        title = st.title
    _save_card(sw, DECLINE_CARD)
    _pay(sw, "6")
    cards.set_topup(sw["me"], True, "5", "10")
    _charge(sw, "2")
    with session_scope() as s:
        client_mail = s.exec(select(OutboundEmail).where(OutboundEmail.to_addr == "c@example.com")).one()
        reseller_mail = s.exec(select(OutboundEmail).where(OutboundEmail.to_addr == "ra@example.com")).one()
        assert client_mail.subject == f"{title}: la recarga automática falló"
        assert client_mail.body_text.startswith("Hola ")
        assert (
            "No se cargó a tu tarjeta la recarga automática de USD10.00: Your card was declined."
            in client_mail.body_text
        )
        assert "Saldo" in client_mail.body_text
        assert reseller_mail.subject.startswith("Automatic top-up failed for")  # the reseller's pages: English
