"""The monthly billing run: package, DID and e911 fees on each client's billing date, then the cycle's invoice;
idempotent and catching up."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import select

from reseller_app.billing.fees import Recurring, monthly_fees
from reseller_app.config import settings
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, E911Record, LedgerEntry, Package, SubAccount, utcnow
from reseller_app.services.accounting.postings import Effects, post_to_client, run_effects
from reseller_app.services.invoicing.issue import issue_for_cycle


@dataclass
class RunSummary:
    """What one billing run posted."""

    clients: int = 0
    fees: int = 0
    total: Decimal = Decimal(0)
    errors: list[str] = field(default_factory=list)
    invoices: list[str] = field(default_factory=list)  # numbers of the invoices issued


_posted_here = 0


def _test_pause() -> None:
    """Fault-test hook: with BILLING_TEST_PAUSE_AFTER=N and BILLING_TEST_PAUSE_FILE=path, after the N-th fee posted
    in this process (its transaction still open) write the file and hang, so a test can SIGKILL the run there."""
    global _posted_here
    after = settings.billing_test_pause_after
    if not after:
        return
    _posted_here += 1
    if _posted_here == after:
        with open(settings.billing_test_pause_file, "w") as f:
            f.write(str(os.getpid()))
        threading.Event().wait()  # until killed


def _recurring(session, client: Client) -> list[Recurring]:  # noqa: ANN001
    items: list[Recurring] = []
    subs = session.exec(
        select(SubAccount, Package)
        .join(Package, SubAccount.package_id == Package.id)
        .where(SubAccount.client_id == client.id)
    ).all()
    for sub, pkg in subs:
        # A package's fee starts at its assignment, as a number's starts at its connection: a billing date left in
        # the past never bills months before the client had the package.
        since = (sub.package_since or sub.created_at).date()
        label = f"{pkg.name} monthly fee, {sub.account}"
        items.append(Recurring("pkg", str(sub.id), pkg.monthly_fee, label, active_from=since))
    for did in session.exec(select(Did).where(Did.client_id == client.id)).all():
        label = "Fax number" if did.kind == "fax" else "Phone number"
        since = did.connected_at.date() if did.connected_at else None
        items.append(Recurring("did", str(did.id), did.monthly_fee, f"{label} {did.number}", active_from=since))
    for rec in session.exec(
        select(E911Record).where(E911Record.client_id == client.id, E911Record.active == True)  # noqa: E712
    ).all():
        items.append(Recurring("e911", str(rec.id), rec.monthly_fee, "e911 record", active_from=rec.created_at.date()))
    return items


def bill_client(client_id: int, today: date, invoices: list[str] | None = None) -> tuple[int, Decimal]:
    """Post every fee due for one client up to `today` and issue the invoices, in one transaction; (count, total).

    The numbers of the invoices issued are appended to `invoices` when given."""
    fx = Effects()
    with session_scope() as session:
        stmt = select(Client).where(Client.id == client_id)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        client = session.exec(stmt).one()
        if client.next_billing_date is None or client.next_billing_date > today or client.status == "WAIT":
            return 0, Decimal(0)
        run = monthly_fees(_recurring(session, client), client.next_billing_date, today)
        refs = [i.reference for i in run.items]
        posted = (
            set(session.exec(select(LedgerEntry.reference).where(LedgerEntry.reference.in_(refs))).all())
            if refs
            else set()
        )
        total = Decimal(0)
        count = 0
        for item in run.items:
            if item.reference in posted:
                continue
            post_to_client(
                session,
                client,
                kind="fee",
                amount=-item.amount,
                description=item.description,
                reference=item.reference,
                by="billing",
                fx=fx,
            )
            _test_pause()
            total += item.amount
            count += 1
        # Then one invoice per billing date passed (fees, charges and usage not billed before, with their taxes).
        for start, _ in run.periods:
            inv = issue_for_cycle(session, client, start, fx)
            if inv is not None and invoices is not None:
                invoices.append(inv.number)
        client.next_billing_date = run.next_billing
    run_effects(fx)
    return count, total


def run_billing(today: date | None = None, reseller_id: int | None = None) -> RunSummary:
    """Bill every client whose billing date has come, each in its own transaction (a crash loses nothing)."""
    today = today or utcnow().date()
    summary = RunSummary()
    with session_scope() as session:
        stmt = select(Client.id).where(
            Client.next_billing_date <= today, Client.status != "WAIT", Client.deleted_at.is_(None)
        )
        if reseller_id is not None:
            stmt = stmt.where(Client.reseller_id == reseller_id)
        ids = list(session.exec(stmt.order_by(Client.id)).all())
    for cid in ids:
        try:
            issued: list[str] = []
            count, total = bill_client(cid, today, issued)
        except Exception as e:  # noqa: BLE001 - one client's failure must not stop the others
            summary.errors.append(f"client {cid}: {e}")
            continue
        summary.invoices.extend(issued)
        summary.clients += 1 if count else 0
        summary.fees += count
        summary.total += total
    return summary
