"""Automatic top-up: which posting crosses a client's threshold (inside the posting's transaction).

The posting that takes the balance below the threshold while top-up is armed disarms it and bumps its sequence in
one conditional UPDATE (`... WHERE topup_armed`), and records the top-up (a pending CardPayment whose idempotency key
carries that sequence, unique). Concurrent postings on any number of workers: the balance UPDATE has locked the
client's row until commit, and the conditional UPDATE lets only one transaction see `topup_armed` true, so one
crossing makes one top-up. It is charged after commit (`cards.charge_topups`, from `postings.run_effects`).
A posting that leaves the balance at or above the threshold arms it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from reseller_app.models import CardPayment, CardProfile, Client, Reseller, StripeAccount


def on_posting(
    session: Session, client: Client, old: Decimal, new: Decimal, profiles: Mapping[int, CardProfile] | None = None
) -> int | None:
    """Arm or fire this client's top-up after a posting moved its balance from old to new; the new top-up's id.

    `profiles`: the clients' profiles with top-up enabled, read once in this transaction by a caller posting many
    times (the CDR ingest, with the clients locked), by client id; default: look this client's up.
    """
    if profiles is not None:
        profile = profiles.get(client.id)  # type: ignore[arg-type]
    else:
        profile = session.exec(
            select(CardProfile).where(CardProfile.client_id == client.id, CardProfile.topup_enabled.is_(True))
        ).first()
    if profile is None or profile.topup_threshold is None or profile.topup_amount is None:
        return None
    threshold = profile.topup_threshold
    if new >= threshold:
        if not profile.topup_armed:
            session.execute(
                sa.update(CardProfile)
                .where(CardProfile.id == profile.id, CardProfile.topup_armed.is_(False))
                .values(topup_armed=True)
            )
        return None
    if new >= old or profile.topup_paused or not profile.payment_method:
        return None
    seq = session.execute(
        sa.update(CardProfile)
        .where(CardProfile.id == profile.id, CardProfile.topup_armed.is_(True), CardProfile.topup_paused.is_(False))
        .values(topup_armed=False, topup_seq=CardProfile.topup_seq + 1)
        .returning(CardProfile.topup_seq)
    ).first()
    if seq is None:
        return None
    account = session.exec(select(StripeAccount).where(StripeAccount.reseller_id == client.reseller_id)).first()
    if account is None or not account.enabled or not account.secret_key:
        return None
    reseller = session.get(Reseller, client.reseller_id)
    payment = CardPayment(
        reseller_id=client.reseller_id,
        client_id=client.id,
        kind="topup",
        amount=profile.topup_amount,
        currency=(reseller.currency if reseller else None) or "USD",
        idempotency_key=f"topup-{client.id}-{seq[0]}",
    )
    session.add(payment)
    session.flush()
    return payment.id
