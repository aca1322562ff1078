"""Issuing invoices and credit notes: numbered without gaps, taxes posted to the ledger once, emailed with the PDF.

An invoice is issued for each billing date a client passes, inside the billing run's transaction for that client
(services/accounting/billing_run.py), after that date's monthly fees are posted. It bills every posting of the
client not billed before whose date is on or before the billing date (a monthly fee's date is its period start,
any other posting's the UTC day it was posted): fees, charges, reversals and the usage summed by kind. Payments,
taxes and credit-note postings are not billed. Which posting an invoice billed is recorded (`invoicedentry`, one row
per ledger entry), so a late posting goes on the next invoice and nothing is billed twice.

Numbers: `billingprofile.next_number` moves in the transaction that issues the document (one UPDATE, which
serializes concurrent issuers of one reseller), so a rolled-back transaction gives its number back: numbers have no
gaps and no duplicates. Invoices and credit notes share the sequence.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pycountry
from sqlalchemy import exists, update
from sqlmodel import Session, select

from reseller_app import i18n
from reseller_app.billing.fees import add_months
from reseller_app.billing.invoice import (
    Line,
    Tax,
    applies_to_client,
    billed_on,
    compute,
    fee_line_kind,
    invoice_number,
    posting_date,
)
from reseller_app.db import session_scope
from reseller_app.models import (
    BillingProfile,
    Cdr,
    Client,
    Invoice,
    InvoicedEntry,
    InvoiceLine,
    InvoiceTax,
    LedgerEntry,
    Reseller,
    ResellerSettings,
)
from reseller_app.notify import enqueue, render
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.accounting.postings import Effects, post_to_client, run_effects
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.lookup import client_of_reseller
from reseller_app.services.invoicing.profile import profile_for, taxes_of
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

log = logging.getLogger(__name__)

NOT_BILLED = ("payment", "tax", "credit")
USAGE_KINDS = {"usage_out": "Outbound calls", "usage_in": "Inbound calls", "fax": "Faxes", "message": "Messages"}
LINE_ORDER = ("package_fee", "did_fee", "e911_fee", "setup_fee", "charge", "usage_out", "usage_in", "fax", "message")


def region_names(country: str, state: str) -> set[str]:
    """The names a client's province/state goes by: as typed, and its ISO 3166-2 code and name when known."""
    names = {state.strip()} if state.strip() else set()
    country = country.strip().upper()
    if not country or not state.strip():
        return names
    typed = state.strip()
    sub = pycountry.subdivisions.get(code=f"{country}-{typed.upper()}")
    if sub is None:
        for s in pycountry.subdivisions.get(country_code=country) or []:
            if s.name.casefold() == typed.casefold():
                sub = s
                break
    if sub is not None:
        names |= {sub.code, sub.code.split("-", 1)[1], sub.name}
    return names


def client_taxes(session: Session, client: Client) -> list[Tax]:
    """The reseller's taxes that apply to this client (none when it is tax-exempt)."""
    return [
        t
        for t in taxes_of(session, client.reseller_id)
        if applies_to_client(t, client.country, region_names(client.country, client.state), exempt=client.tax_exempt)
    ]


@dataclass
class _Draft:
    line: Line
    entries: list[int]


def _cdr_directions(session: Session, reseller_id: int, entries: list[LedgerEntry]) -> dict[int, tuple[str, int]]:
    """(direction, billable seconds) of each call posting, by ledger entry id."""
    prefix = f"cdr:{reseller_id}:"
    by_uid = {e.reference[len(prefix) :]: e.id for e in entries if e.reference.startswith(prefix)}
    out: dict[int, tuple[str, int]] = {}
    uids = list(by_uid)
    for i in range(0, len(uids), 500):
        chunk = uids[i : i + 500]
        rows = session.exec(
            select(Cdr.uniqueid, Cdr.direction, Cdr.billable_seconds).where(
                Cdr.reseller_id == reseller_id, Cdr.uniqueid.in_(chunk)
            )
        ).all()
        for uid, direction, seconds in rows:
            out[by_uid[uid]] = (direction, int(seconds or 0))
    return out


def _category_of(entry: LedgerEntry) -> tuple[str, str] | None:
    """(line kind, category) of a posting that is billed on its own line; None for usage and for what is not billed."""
    if entry.kind == "fee":
        return fee_line_kind(entry.reference)
    if entry.kind == "charge":
        return "charge", "manual"
    return None


def _lines(session: Session, client: Client, billing_date: date, since: date) -> list[_Draft]:
    """The lines of the invoice of `billing_date` from the client's postings not billed yet, dated from `since`."""
    billed = exists().where(InvoicedEntry.ledger_entry_id == LedgerEntry.id)
    entries = session.exec(
        select(LedgerEntry)
        .where(
            LedgerEntry.client_id == client.id,
            LedgerEntry.kind.not_in(NOT_BILLED),
            LedgerEntry.created_at >= datetime.combine(since - timedelta(days=62), time.min, tzinfo=UTC),
            ~billed,
        )
        .order_by(LedgerEntry.id)
    ).all()
    entries = [
        e
        for e in entries
        if billed_on(e.reference, e.created_at.date(), billing_date)
        and posting_date(e.reference, e.created_at.date()) >= since
    ]
    if not entries:
        return []
    originals: dict[int, LedgerEntry] = {}
    rev_ids = [e.reverses_id for e in entries if e.reverses_id is not None]
    if rev_ids:
        originals = {o.id: o for o in session.exec(select(LedgerEntry).where(LedgerEntry.id.in_(rev_ids))).all()}
    calls = _cdr_directions(session, client.reseller_id, [e for e in entries if e.kind == "call"])
    single: list[_Draft] = []
    usage: dict[str, list[LedgerEntry]] = defaultdict(list)
    reversals: list[_Draft] = []
    for e in entries:
        amount = -e.amount
        if e.kind == "call":
            direction = calls.get(e.id, ("out", 0))[0]
            usage["usage_in" if direction == "in" else "usage_out"].append(e)
        elif e.kind in ("fax", "message"):
            usage[e.kind].append(e)
        elif e.kind == "reversal":
            original = originals.get(e.reverses_id or 0)
            if original is None or original.kind in NOT_BILLED:
                continue  # a payment corrected: not a sale
            if original.kind in ("call", "fax", "message"):
                category = "usage"
            else:
                category = (_category_of(original) or ("charge", "manual"))[1]
            line = Line("reversal", category, e.description or "Reversal", amount, 1, amount)
            reversals.append(_Draft(line, [e.id]))
        else:
            kind_cat = _category_of(e)
            if kind_cat is None:
                continue
            kind, category = kind_cat
            single.append(_Draft(Line(kind, category, e.description, amount, 1, amount), [e.id]))
    for kind, rows in usage.items():
        seconds = sum(calls.get(e.id, ("", 0))[1] for e in rows) if kind != "fax" else 0
        count = len(rows)
        total = sum((-e.amount for e in rows), Decimal(0))
        noun = {"usage_out": "call", "usage_in": "call", "fax": "fax", "message": "message"}[kind]
        plural = noun + ("es" if noun == "fax" else "s")
        what = f"{count} {noun if count == 1 else plural}"
        if seconds:
            what += f", {fmt.duration(seconds)} billed"
        line = Line(kind, "usage", f"{USAGE_KINDS[kind]} ({what})", total, count, None, seconds)
        single.append(_Draft(line, [e.id for e in rows]))
    single.sort(key=lambda d: LINE_ORDER.index(d.line.kind))
    return single + reversals


def _next_seq(session: Session, reseller_id: int) -> tuple[int, BillingProfile]:
    """Take the reseller's next document number in this transaction (the UPDATE locks the counter until commit)."""
    profile = profile_for(session, reseller_id)
    new = session.exec(
        update(BillingProfile)
        .where(BillingProfile.reseller_id == reseller_id)
        .values(next_number=BillingProfile.next_number + 1)
        .returning(BillingProfile.next_number)
    ).one()[0]
    session.refresh(profile)
    return int(new) - 1, profile


def _seller(session: Session, reseller: Reseller, profile: BillingProfile) -> dict:
    s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == reseller.id)).first()
    return {
        "name": (s.title if s else "") or reseller.company or reseller.name,
        "legal_name": profile.legal_name or reseller.company or reseller.name,
        "address": profile.address,
        "tax_numbers": profile.tax_numbers,
        "footer": profile.footer,
        "email": reseller.email,
        "color": s.color_navbar if s else "#1f2937",
        "color_text": s.color_navbar_text if s else "#ffffff",
        "logo": (s.img_content_logo or s.img_login_logo or s.img_header) if s else "",
    }


def _buyer(client: Client) -> dict:
    region = " ".join(p for p in (client.city, client.state, client.zip) if p)
    return {
        "name": f"{client.firstname} {client.lastname}".strip(),
        "company": client.company,
        "address": "\n".join(p for p in (client.address, region, client.country) if p),
        "email": client.email,
        "tax_exempt_number": client.tax_exempt_number if client.tax_exempt else "",
    }


def _post_taxes(session: Session, client: Client, inv: Invoice, taxes: list[InvoiceTax], fx: Effects) -> None:
    """One ledger entry per tax, keyed by the invoice and the tax: posting twice is refused by the unique key."""
    for t in taxes:
        if t.amount == 0:
            continue
        entry = post_to_client(
            session,
            client,
            kind="tax",
            amount=-t.amount,
            description=f"{t.name} {t.rate.normalize():f}% on {inv.number}",
            reference=f"tax:{inv.reseller_id}:{inv.number}:{t.name}"[:120],
            by="invoicing",
            fx=fx,
        )
        t.ledger_entry_id = entry.id


def _store(session: Session, inv: Invoice, computed_lines: list[tuple[Line, list[str]]], taxes) -> list[InvoiceTax]:  # noqa: ANN001
    session.add(inv)
    session.flush()
    for pos, (ln, names) in enumerate(computed_lines, start=1):
        session.add(
            InvoiceLine(
                invoice_id=inv.id,
                position=pos,
                kind=ln.kind,
                category=ln.category,
                description=ln.description[:255],
                quantity=ln.quantity,
                unit_amount=ln.unit_amount,
                amount=ln.amount,
                seconds=ln.seconds,
                taxable_for=names,
            )
        )
    rows = []
    for pos, t in enumerate(taxes, start=1):
        row = InvoiceTax(
            invoice_id=inv.id,
            position=pos,
            name=t.name,
            rate=t.rate,
            compound=t.compound,
            applies_to=sorted(t.applies_to),
            base=t.base,
            amount=t.amount,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def _built_in(text: str, field: str) -> str:
    """A profile's email text in the current language when it is still the built-in wording, else as typed."""
    return i18n.gettext(text) if text == BillingProfile.model_fields[field].default else text


def _email(session: Session, client: Client, inv: Invoice, profile: BillingProfile) -> None:
    """The "Invoice" email with its PDF, in the client's language (amounts, dates and the built-in wording)."""
    from reseller_app.services.invoicing.documents import language_of, pdf_bytes

    with i18n.use_language(language_of(session, inv)):
        values = {
            "invoice_number": inv.number,
            "total": fmt.money(inv.total, currency=inv.currency),
            "due_date": fmt.day(inv.due_on),
            "firstname": client.firstname,
            "lastname": client.lastname,
        }
        subject = render(_built_in(profile.email_subject, "email_subject"), **values)
        body = render(_built_in(profile.email_body, "email_body"), **values)
    try:
        enqueue(
            session,
            to=client.email,
            subject=" ".join(subject.split())[:255],
            body=body,
            reseller_id=client.reseller_id,
            dedupe_key=f"invoice:{inv.id}",
            attachments=[(f"{inv.number}.pdf", "application/pdf", pdf_bytes(session, inv))],
        )
    except ValueError as e:  # an address the mail system refuses: the invoice stands, on the portal
        log.warning("invoice %s not emailed: %s", inv.number, e)


def issue_for_cycle(
    session: Session, client: Client, billing_date: date, fx: Effects, *, email: bool = True
) -> Invoice | None:
    """Issue the invoice of one billing date in the caller's transaction; None when issued before or empty."""
    key = f"cycle:{client.id}:{billing_date.isoformat()}"
    if session.exec(select(Invoice.id).where(Invoice.cycle_key == key)).first() is not None:
        return None
    first = session.exec(
        select(Invoice.period_start)
        .where(Invoice.client_id == client.id, Invoice.kind == "invoice")
        .order_by(Invoice.period_start)
    ).first()
    # Invoicing starts with the cycle before a client's first invoice: older postings (from before invoices
    # existed) are never billed, by that invoice or a later one.
    since = first if first is not None else add_months(billing_date, -1)
    drafts = _lines(session, client, billing_date, since)
    if not drafts:
        return None
    taxes = client_taxes(session, client)
    computed = compute([d.line for d in drafts], taxes)
    reseller = session.get(Reseller, client.reseller_id)
    if reseller is None:
        raise NotFound()
    last = session.exec(
        select(Invoice.period_end)
        .where(Invoice.client_id == client.id, Invoice.kind == "invoice")
        .order_by(Invoice.period_end.desc())
    ).first()
    start = last + timedelta(days=1) if last is not None else max(client.created_at.date(), since)
    seq, profile = _next_seq(session, client.reseller_id)
    inv = Invoice(
        reseller_id=client.reseller_id,
        client_id=client.id,
        kind="invoice",
        seq=seq,
        number=invoice_number(profile.invoice_prefix, seq),
        cycle_key=key,
        currency=reseller.currency or "USD",
        period_start=min(start, billing_date),
        period_end=billing_date,
        issued_on=billing_date,
        due_on=billing_date + timedelta(days=profile.payment_terms_days),
        subtotal=computed.subtotal,
        tax_total=computed.tax_total,
        total=computed.total,
        seller=_seller(session, reseller, profile),
        buyer=_buyer(client),
    )
    tax_rows = _store(session, inv, computed.lines, computed.taxes)
    for pos, d in enumerate(drafts, start=1):
        for entry_id in d.entries:
            session.add(InvoicedEntry(ledger_entry_id=entry_id, invoice_id=inv.id, line_position=pos))
    session.flush()
    _post_taxes(session, client, inv, tax_rows, fx)
    if email:
        _email(session, client, inv, profile)
    return inv


def issue_due(client_id: int, billing_dates: list[date]) -> list[str]:
    """Issue, in one transaction, the invoices of these billing dates of one client not issued yet; their numbers."""
    fx = Effects()
    numbers: list[str] = []
    with session_scope() as session:
        stmt = select(Client).where(Client.id == client_id)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        client = session.exec(stmt).one()
        for d in sorted(billing_dates):
            inv = issue_for_cycle(session, client, d, fx)
            if inv is not None:
                numbers.append(inv.number)
    run_effects(fx)
    return numbers


# ---------------------------------------------------------------- credit notes


def credit_note(actor: Actor, invoice_id: int | str, positions: list[int], reason: str) -> Invoice:
    """A credit note that reverses whole lines of an invoice (with their taxes, at the invoice's rates)."""
    require_role(actor, roles.MONEY)
    require_reseller(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed({"reason": "Say why the invoice is credited."})
    try:
        wanted = sorted({int(p) for p in positions})
    except (TypeError, ValueError):
        raise ValidationFailed({"lines": "Choose the lines to credit."}) from None
    if not wanted:
        raise ValidationFailed({"lines": "Choose the lines to credit."})
    fx = Effects()
    with session_scope() as session:
        try:
            iid = int(invoice_id)
        except (TypeError, ValueError):
            raise NotFound("No such invoice.") from None
        original = session.get(Invoice, iid)
        if original is None or original.reseller_id != actor.reseller_id or original.kind != "invoice":
            raise NotFound("No such invoice.")
        client = client_of_reseller(session, actor, original.client_id)
        if session.get_bind().dialect.name == "postgresql":
            session.exec(select(Client.id).where(Client.id == client.id).with_for_update()).one()
        lines = {
            ln.position: ln
            for ln in session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == original.id)).all()
        }
        credited = set(
            session.exec(
                select(InvoiceLine.credit_of_line)
                .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
                .where(Invoice.credit_of_id == original.id)
            ).all()
        )
        for p in wanted:
            if p not in lines:
                raise ValidationFailed({"lines": f"The invoice has no line {p}."})
            if p in credited:
                raise ValidationFailed({"lines": f"Line {p} was already credited."})
        taxes = [
            Tax(t.name, t.rate.normalize(), t.compound, frozenset(t.applies_to or []))
            for t in session.exec(
                select(InvoiceTax).where(InvoiceTax.invoice_id == original.id).order_by(InvoiceTax.position)
            ).all()
        ]
        back = [
            Line(
                lines[p].kind,
                lines[p].category,
                f"Credit: {lines[p].description}"[:255],
                -lines[p].amount,
                lines[p].quantity,
                -lines[p].unit_amount if lines[p].unit_amount is not None else None,
                lines[p].seconds,
            )
            for p in wanted
        ]
        computed = compute(back, taxes)
        seq, profile = _next_seq(session, actor.reseller_id)
        today = fmt_today()
        note = Invoice(
            reseller_id=actor.reseller_id,
            client_id=client.id,
            kind="credit_note",
            seq=seq,
            number=invoice_number(profile.invoice_prefix, seq),
            credit_of_id=original.id,
            currency=original.currency,
            period_start=original.period_start,
            period_end=original.period_end,
            issued_on=today,
            due_on=today,
            subtotal=computed.subtotal,
            tax_total=computed.tax_total,
            total=computed.total,
            seller=original.seller,
            buyer=original.buyer,
            reason=reason[:255],
        )
        tax_rows = _store(session, note, computed.lines, computed.taxes)
        for ln in session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == note.id)).all():
            ln.credit_of_line = wanted[ln.position - 1]
            post_to_client(
                session,
                client,
                kind="credit",
                amount=-ln.amount,
                description=f"{note.number}: {ln.description}"[:255],
                reference=f"credit:{note.reseller_id}:{note.number}:{ln.position}"[:120],
                by="reseller",
                fx=fx,
            )
        _post_taxes(session, client, note, tax_rows, fx)
        audit.record(session, actor, "credit_note", "invoice", original.id, number=note.number, total=note.total)
        session.flush()
    run_effects(fx)
    return note


def fmt_today() -> date:
    """Today in UTC (a credit note is dated the day it is made)."""
    from reseller_app.models import utcnow

    return utcnow().date()
