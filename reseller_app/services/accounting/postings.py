"""Payments, charges, reversals and the balance rules that follow every posting (HARD suspension, low-balance mail)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, select

from reseller_app import i18n
from reseller_app.billing.ledger import low_balance_crossing, status_after
from reseller_app.db import session_scope
from reseller_app.models import CardProfile, Client, LedgerEntry, Reseller, ResellerSettings, SubAccount, utcnow
from reseller_app.notify import enqueue, render
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.accounting import ledger, topup
from reseller_app.services.common import audit, fields
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.lookup import client_of_reseller, owned, row_id
from reseller_app.services.settings import texts
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

log = logging.getLogger(__name__)


@dataclass
class Effects:
    """Carrier work to do once the transaction has committed (never inside it)."""

    block: list[tuple[int, str]] = field(default_factory=list)
    unblock: list[tuple[int, str]] = field(default_factory=list)
    topups: list[int] = field(default_factory=list)  # automatic top-ups to charge (CardPayment ids)


def status_for(client: Client, balance: Decimal | None = None) -> str:
    """The status the balance rules give the client at `balance` (default: its balance) under its balance management.

    HARD suspends an ACTIVE client at 0 or below and restores one it suspended once the balance is above 0; SOFT
    never suspends, and restores a client HARD had suspended for its balance (after a switch to SOFT). A manual
    suspension and WAIT (not yet activated) are left alone.
    """
    if client.balance_management == "SOFT":
        balance_hold = client.status == "SUSPENDED" and client.suspended_by == "balance"
        return "ACTIVE" if balance_hold else client.status
    value = client.balance if balance is None else balance
    return status_after(value, client.balance_management, client.status, manual_hold=client.suspended_by == "manual")


def set_status(session: Session, client: Client, status: str, fx: Effects, *, by: str = "balance") -> None:
    """The one place a client's status changes: the suspension mark and time, and its sub-accounts blocked with it.

    Used by postings (balance rules), the client edit (balance management switch) and the REST API (through those).
    The carrier is told in `run_effects(fx)` once the transaction has committed.
    """
    if status == client.status:
        return
    suspended, was_suspended = status == "SUSPENDED", client.status == "SUSPENDED"
    client.status = status
    client.suspended_by = by if suspended else None
    client.suspended_at = utcnow() if suspended else None
    if suspended == was_suspended:
        return  # WAIT -> ACTIVE: the sub-accounts keep their state
    for sub in session.exec(select(SubAccount).where(SubAccount.client_id == client.id)).all():
        if sub.blocked != suspended:
            (fx.block if suspended else fx.unblock).append((client.reseller_id, sub.account))
        sub.blocked = suspended


def apply_balance_rules(
    session: Session,
    client: Client,
    old: Decimal,
    new: Decimal,
    ref: str,
    fx: Effects,
    profiles: Mapping[int, CardProfile] | None = None,
) -> None:
    """After a posting moved the balance from old to new: HARD suspension or restore, the low-balance email and the
    automatic top-up (services/accounting/topup; `profiles`: see `topup.on_posting`)."""
    set_status(session, client, status_for(client, new), fx)
    started = topup.on_posting(session, client, old, new, profiles)
    if started is not None:
        fx.topups.append(started)
    if client.low_balance_threshold is not None:
        send, armed = low_balance_crossing(old, new, client.low_balance_threshold, client.low_balance_armed)
        client.low_balance_armed = armed
        if send:
            s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == client.reseller_id)).one()
            reseller = session.get(Reseller, client.reseller_id)
            currency = reseller.currency if reseller is not None else None
            lang = texts.language_for(client, s)
            with i18n.use_language(lang):  # the amounts in the client's locale
                values = {
                    "firstname": client.firstname,
                    "lastname": client.lastname,
                    "balance": fmt.money(new, currency=currency),
                    "threshold": fmt.money(client.low_balance_threshold, currency=currency),
                }
            enqueue(
                session,
                to=client.low_balance_email or client.email,
                subject=render(texts.text(s, "low_balance_subject", lang), **values),
                body=render(texts.text(s, "low_balance_body", lang), **values),
                reseller_id=client.reseller_id,
                dedupe_key=f"lowbal:{client.id}:{ref}"[:120],
            )


def run_effects(fx: Effects) -> None:
    """Block or unblock sub-accounts at the carrier after commit (a failure is logged for the next sync), and charge
    the automatic top-ups the postings started."""
    if fx.block or fx.unblock:
        _tell_carrier(fx)
    if fx.topups:
        from reseller_app.services.accounting import cards

        cards.charge_topups(fx.topups)


def _tell_carrier(fx: Effects) -> None:
    from reseller_app.carrier import CarrierError, get_carrier

    with session_scope() as session:
        resellers = {rid: session.get(Reseller, rid) for rid, _ in fx.block + fx.unblock}
    for action, items in (("block", fx.block), ("unblock", fx.unblock)):
        for rid, account in items:
            try:
                carrier = get_carrier(resellers[rid])
                getattr(carrier, f"{action}_subaccount")(account)
            except CarrierError as e:
                log.warning("carrier %s of %s failed: %s", action, account, e)


def post_to_client(
    session: Session,
    client: Client,
    *,
    kind: str,
    amount: Decimal,
    description: str,
    reference: str,
    by: str,
    fx: Effects,
) -> LedgerEntry:
    """Append one entry for a client already loaded in this transaction, then apply the balance rules."""
    entry, new = ledger.post(
        session,
        reseller_id=client.reseller_id,
        client_id=client.id,
        kind=kind,
        amount=amount,
        description=description,
        reference=reference,
        created_by=by,
    )
    session.refresh(client)
    apply_balance_rules(session, client, new - amount, new, reference, fx)
    return entry


DESCRIPTION_MAX = 255  # what a ledger entry keeps: a longer description is refused, never cut


def clean_amount(raw: str | Decimal) -> Decimal:
    """A posting amount: above 0, at most 1,000,000, at most 2 decimals; ValidationFailed on `amount`."""
    return fields.amount(raw, "amount", places=2, maximum=Decimal("1000000"))


def manual_posting(
    actor: Actor, client_id: int, kind: str, amount: str | Decimal, description: str, reference: str | None = None
) -> LedgerEntry:
    """A reseller's manual payment or charge, dated today (`reference` makes a retry post once)."""
    require_role(actor, roles.MONEY)
    require_reseller(actor)
    if kind not in ("payment", "charge"):
        raise ValidationFailed({"kind": "Choose payment or charge."})
    value = clean_amount(amount)
    description = fields.text(description, "description", DESCRIPTION_MAX, label="a description", required=True)
    ref = f"{kind}:{actor.reseller_id}:{reference}" if reference else f"{kind}:{uuid.uuid4().hex}"
    fx = Effects()
    with session_scope() as session:
        existing = session.exec(select(LedgerEntry).where(LedgerEntry.reference == ref)).first()
        if existing is not None:
            if existing.client_id != row_id(client_id) or existing.reseller_id != actor.reseller_id:
                raise NotFound("No such client.")
            return existing
        client = client_of_reseller(session, actor, client_id)
        signed = value if kind == "payment" else -value
        entry = post_to_client(
            session,
            client,
            kind=kind,
            amount=signed,
            description=description[:255],
            reference=ref,
            by="reseller",
            fx=fx,
        )
        audit.record(session, actor, f"add_{kind}", "client", client.id, amount=value)
    run_effects(fx)
    return entry


def reverse(actor: Actor, client_id: int, entry_id: int) -> LedgerEntry:
    """ "Delete" a transaction: append its reversal (once); the original stays in the history."""
    require_role(actor, roles.MONEY)
    require_reseller(actor)
    fx = Effects()
    with session_scope() as session:
        client = client_of_reseller(session, actor, client_id)
        original = owned(session, actor, LedgerEntry, entry_id, "transaction", client_id=client.id)
        if original.kind == "reversal":
            raise ValidationFailed({"transaction": "A reversal cannot be reversed."})
        if original.kind in ("tax", "credit"):
            raise ValidationFailed({"transaction": "An invoice's tax or a credit note is corrected by a credit note."})
        if session.exec(select(LedgerEntry).where(LedgerEntry.reverses_id == original.id)).first():
            raise ValidationFailed({"transaction": "This transaction was already deleted."})
        entry, new = ledger.post(
            session,
            reseller_id=client.reseller_id,
            client_id=client.id,
            kind="reversal",
            amount=-original.amount,
            description=f"Reversal of: {original.description}"[:255],
            reference=f"rev:{original.reference}"[:120],
            created_by="reseller",
            reverses_id=original.id,
        )
        session.refresh(client)
        apply_balance_rules(session, client, new + original.amount, new, entry.reference, fx)
        audit.record(session, actor, "reverse", "ledgerentry", original.id)
    run_effects(fx)
    return entry


def client_entries(actor: Actor, client_id: int | str, kinds: tuple[str, ...], limit: int = 5000) -> list[LedgerEntry]:
    """The client's ledger entries of these kinds, newest first (read-only copies)."""
    require_reseller(actor)
    with session_scope() as session:
        client = client_of_reseller(session, actor, client_id)
        rows = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.client_id == client.id, LedgerEntry.kind.in_(kinds))
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .limit(limit)
        ).all()
        session.expunge_all()
        return list(rows)
