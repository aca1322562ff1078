"""The Billing tab of Reseller configuration: currency, business details, taxes, invoice numbering, invoice email.

Every value reaches the services as a string (a form) and the taxes as a list of rows; `save` validates everything
and saves all or nothing. Changing taxes or currency never changes an issued invoice (it keeps its own copy).
"""

from __future__ import annotations

from decimal import Decimal

import pycountry
from babel.numbers import get_currency_name
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from reseller_app.billing.invoice import CATEGORIES, CATEGORY_LABELS, Tax, TaxDraft, prefix_error, validate_taxes
from reseller_app.db import session_scope
from reseller_app.models import BillingProfile, Invoice, Reseller, TaxRate, utcnow
from reseller_app.notify.templates import render
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.lookup import client_of_reseller
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

PROFILE_FIELDS = ("legal_name", "address", "tax_numbers", "footer", "payment_terms_days", "invoice_prefix")
EMAIL_VARIABLES = ("invoice_number", "total", "due_date", "firstname", "lastname")
FIELD_LIMITS = {"legal_name": 200, "address": 500, "tax_numbers": 300, "footer": 1000, "email_subject": 200}
CATEGORY_CHOICES = [(c, CATEGORY_LABELS[c]) for c in CATEGORIES]


def currencies() -> list[tuple[str, str]]:
    """ISO 4217 codes with their names (pycountry's list, names from Babel), for the drop-down."""
    out = []
    for c in pycountry.currencies:
        code = c.alpha_3
        if code.startswith("X"):  # gold, SDR, test and "no currency" codes
            continue
        try:
            name = get_currency_name(code, locale=fmt.LOCALE)
        except (ValueError, LookupError):
            name = c.name
        out.append((code, f"{code} — {name}"))
    return sorted(out)


_CODES = {c.alpha_3 for c in pycountry.currencies}
_COUNTRIES = {c.alpha_2 for c in pycountry.countries}


def valid_currency(code: str) -> bool:
    """A current ISO 4217 code of a currency (not the X… codes of gold, SDRs, tests or "no currency")."""
    code = code.strip().upper()
    return len(code) == 3 and code in _CODES and not code.startswith("X")


def profile_for(session: Session, reseller_id: int) -> BillingProfile:
    """The reseller's invoicing profile, created (once, even under concurrent callers) when missing."""
    row = session.exec(select(BillingProfile).where(BillingProfile.reseller_id == reseller_id)).first()
    if row is not None:
        return row
    reseller = session.get(Reseller, reseller_id)
    if reseller is None:
        raise NotFound()
    try:
        with session.begin_nested():
            session.add(BillingProfile(reseller_id=reseller_id, legal_name=reseller.company or reseller.name))
    except IntegrityError:
        pass  # another transaction created it first
    return session.exec(select(BillingProfile).where(BillingProfile.reseller_id == reseller_id)).one()


def taxes_of(session: Session, reseller_id: int) -> list[Tax]:
    """The reseller's taxes in their order."""
    rows = session.exec(select(TaxRate).where(TaxRate.reseller_id == reseller_id).order_by(TaxRate.position)).all()
    return [
        Tax(r.name, r.rate.normalize(), r.compound, frozenset(r.applies_to or []), r.country, r.region) for r in rows
    ]


def _rate_text(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def _tax_rows(taxes: list[Tax]) -> list[dict[str, str]]:
    return [
        {
            "name": t.name,
            "rate": _rate_text(t.rate),
            "country": t.country,
            "region": t.region,
            "compound": "1" if t.compound else "",
            "applies_to": ",".join(c for c in CATEGORIES if c in t.applies_to),
        }
        for t in taxes
    ]


def load(actor: Actor) -> dict:
    """The tab's values: `form` (strings), `taxes` (rows of strings) and whether the first number is still editable."""
    require_reseller(actor)
    with session_scope() as session:
        r = session.get(Reseller, actor.reseller_id)
        if r is None:
            raise NotFound()
        p = profile_for(session, actor.reseller_id)
        issued = session.exec(select(func.count()).where(Invoice.reseller_id == actor.reseller_id)).one()
        form = {f: str(getattr(p, f)) for f in PROFILE_FIELDS}
        form["currency"] = r.currency or "USD"
        form["next_number"] = str(p.next_number)
        form["email_subject"] = p.email_subject
        form["email_body"] = p.email_body
        return {"form": form, "taxes": _tax_rows(taxes_of(session, actor.reseller_id)), "numbering_locked": issued > 0}


def _drafts(rows: list[dict[str, str]]) -> list[TaxDraft]:
    out = []
    for row in rows[:50]:
        applies = [c for c in str(row.get("applies_to", "")).split(",") if c]
        out.append(
            TaxDraft(
                name=str(row.get("name", ""))[:200],
                rate=str(row.get("rate", ""))[:40],
                country=str(row.get("country", ""))[:10],
                region=str(row.get("region", ""))[:200],
                compound=str(row.get("compound", "")) in ("1", "true", "True", "on"),
                applies_to=applies,
            )
        )
    return out


def _template_error(text: str) -> str:
    import re

    names = set(re.findall(r"\[([A-Za-z_][A-Za-z0-9_]*)\]", text))
    unknown = sorted(names - set(EMAIL_VARIABLES))
    return f"Unknown variable [{unknown[0]}]." if unknown else ""


def validate(values: dict[str, str], rows: list[dict[str, str]], *, numbering_locked: bool) -> tuple[dict, list[Tax]]:
    """Parse the tab; raise ValidationFailed with a message per field (taxes: "tax_<i>_<field>")."""
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    currency = str(values.get("currency", "")).strip().upper()
    if not valid_currency(currency):
        errors["currency"] = "Choose an ISO 4217 currency code such as USD, CAD or EUR."
    clean["currency"] = currency
    for f in ("legal_name", "address", "tax_numbers", "footer"):
        text = str(values.get(f, "")).strip()
        if len(text) > FIELD_LIMITS[f]:
            errors[f] = f"At most {FIELD_LIMITS[f]} characters."
        clean[f] = text
    terms = str(values.get("payment_terms_days", "")).strip()
    if not terms.isdigit() or not 0 <= int(terms) <= 365:
        errors["payment_terms_days"] = "Enter a number of days from 0 to 365."
    else:
        clean["payment_terms_days"] = int(terms)
    prefix = str(values.get("invoice_prefix", "")).strip()
    if msg := prefix_error(prefix):
        errors["invoice_prefix"] = msg
    clean["invoice_prefix"] = prefix
    if not numbering_locked:
        nxt = str(values.get("next_number", "")).strip()
        if not nxt.isdigit() or not 1 <= int(nxt) <= 999_999_999:
            errors["next_number"] = "Enter a whole number from 1."
        else:
            clean["next_number"] = int(nxt)
    subject = " ".join(str(values.get("email_subject", "")).split())
    body = str(values.get("email_body", "")).replace("\r\n", "\n").strip()
    if not subject:
        errors["email_subject"] = "Enter a subject."
    elif len(subject) > FIELD_LIMITS["email_subject"]:
        errors["email_subject"] = "At most 200 characters."
    elif msg := _template_error(subject):
        errors["email_subject"] = msg
    if not body:
        errors["email_body"] = "Enter the message."
    elif len(body) > 10000:
        errors["email_body"] = "At most 10,000 characters."
    elif msg := _template_error(body):
        errors["email_body"] = msg
    clean["email_subject"] = subject
    clean["email_body"] = body
    taxes, tax_errors = validate_taxes(_drafts(rows), _COUNTRIES)
    if len(rows) > 50:
        tax_errors["taxes"] = "At most 50 taxes."
    errors.update(tax_errors)
    if errors:
        raise ValidationFailed(errors)
    return clean, taxes


def save(actor: Actor, values: dict[str, str], rows: list[dict[str, str]]) -> dict:
    """Validate and save the whole tab in one transaction; bad input raises ValidationFailed and saves nothing."""
    require_role(actor, roles.CONFIGURATION)
    require_reseller(actor)
    with session_scope() as session:
        r = session.get(Reseller, actor.reseller_id)
        if r is None:
            raise NotFound()
        p = profile_for(session, actor.reseller_id)
        locked = session.exec(select(func.count()).where(Invoice.reseller_id == actor.reseller_id)).one() > 0
        clean, taxes = validate(values, rows, numbering_locked=locked)
        r.currency = str(clean.pop("currency"))
        for k, v in clean.items():
            setattr(p, k, v)
        p.updated_at = utcnow()
        session.exec(delete(TaxRate).where(TaxRate.reseller_id == actor.reseller_id))
        session.flush()
        for i, t in enumerate(taxes):
            session.add(
                TaxRate(
                    reseller_id=actor.reseller_id,
                    position=i,
                    name=t.name,
                    rate=t.rate,
                    country=t.country,
                    region=t.region,
                    compound=t.compound,
                    applies_to=sorted(t.applies_to, key=CATEGORIES.index),
                )
            )
        audit.record(session, actor, "config_billing", "billingprofile", p.id, currency=r.currency, taxes=len(taxes))
    return load(actor)


def preview_email(subject: str, body: str, currency: str = "USD") -> str:
    """The invoice email filled with sample values."""
    values = {
        "invoice_number": "INV-000042",
        "total": fmt.money(Decimal("115.47"), currency=currency if valid_currency(currency) else "USD"),
        "due_date": "2026-12-31",
        "firstname": "Jane",
        "lastname": "Doe",
    }
    return f"{render(subject, **values)}\n\n{render(body, **values)}"


def exemption(actor: Actor, client_id: int | str) -> tuple[bool, str]:
    """Whether a client of the reseller is tax-exempt, and its exemption number."""
    require_reseller(actor)
    with session_scope() as session:
        c = client_of_reseller(session, actor, client_id)
        return c.tax_exempt, c.tax_exempt_number


def set_exemption(actor: Actor, client_id: int | str, exempt: bool, number: str) -> None:
    """Make a client tax-exempt (with its exemption number) or not; invoices issued later follow."""
    require_role(actor, roles.CONFIGURATION)
    require_reseller(actor)
    number = " ".join((number or "").split())
    if exempt and not number:
        raise ValidationFailed({"exempt_number": "Enter the client's exemption number."})
    if len(number) > 60:
        raise ValidationFailed({"exempt_number": "At most 60 characters."})
    with session_scope() as session:
        c = client_of_reseller(session, actor, client_id)
        c.tax_exempt = bool(exempt)
        c.tax_exempt_number = number if exempt else ""
        audit.record(session, actor, "tax_exemption", "client", c.id, exempt=c.tax_exempt, number=c.tax_exempt_number)
