"""What the catalog's tabs read from a form or a file: amounts, whole numbers, countries, prefixes, digits, uploads.

Each reader adds a message per bad field to `errors` (the wizard shows them beside the fields) and returns a
harmless value, so a form is checked whole and refused once.
"""

from __future__ import annotations

from decimal import Decimal

import pycountry
from sqlmodel import Session

from reseller_app.billing.countries import known_countries
from reseller_app.db import session_scope
from reseller_app.models import AreaRate, FreeZone, Package
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import audit
from reseller_app.services.common import fields as common_fields
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.common.lookup import owned

MAX_AMOUNT = Decimal(1_000_000)
MAX_UPLOAD_BYTES = 20 << 20


def owned_package(session: Session, actor: Actor, package_id: object) -> Package:
    """The caller's package, or NotFound (also for another reseller's id)."""
    return owned(session, actor, Package, package_id, "package")


def delete_package_row(
    actor: Actor, model: type[AreaRate] | type[FreeZone], row_id: object, what: str, entity: str
) -> None:
    """Remove one of the reseller's rows of a package's table (an area rate, a free zone), audited as `entity`."""
    require_reseller(actor)
    with session_scope() as session:
        row = owned(session, actor, model, row_id, what)
        audit.record(session, actor, f"{entity}.delete", entity, row.id, package=row.package_id)
        session.delete(row)


def amount(raw: object, field: str, errors: dict[str, str], places: int, top: Decimal = MAX_AMOUNT) -> Decimal:
    """A non-negative decimal with at most `places` places and at most `top` (the portal's wording of amounts)."""
    try:
        value = common_fields.amount(str(raw if raw is not None else ""), field, places=places, positive=False)
    except ValidationFailed as e:
        errors[field] = e.errors[field]
        return Decimal(0)
    if value > top:
        errors[field] = f"Must be at most {top}."
    return value


def plain_message(message: str, field: str) -> str:
    """parse_amount says "field: 'x' is not ..."; beside the field the prefix is noise."""
    text = message.split(": ", 1)[1] if message.startswith(field + ":") else message
    return text[:1].upper() + text[1:]


def whole(raw: object, field: str, errors: dict[str, str], low: int, high: int) -> int:
    """A whole number from `low` to `high`."""
    text = str(raw if raw is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        errors[field] = f"Enter a whole number from {low} to {high}."
        return low
    value = int(text)
    if not low <= value <= high:
        errors[field] = f"Enter a whole number from {low} to {high}."
    return value


def country_code(raw: str) -> str | None:
    """An ISO 3166 alpha-2 code the rating engine knows, from a code or a country name."""
    text = raw.strip()
    if not text:
        return None
    try:
        hit = pycountry.countries.lookup(text)
    except LookupError:
        return None
    code = hit.alpha_2.upper()
    return code if code in known_countries() else None


def country_name(code: str | None) -> str:
    """The country's English name ("" for none, the code itself when unknown)."""
    if not code:
        return ""
    hit = pycountry.countries.get(alpha_2=code)
    return hit.name if hit else code


def target(kind: str, value: str, field: str, errors: dict[str, str]) -> tuple[str | None, str | None]:
    """(prefix, country) of an area rate or free zone target."""
    value = str(value or "").strip()
    if kind == "country":
        code = country_code(value)
        if code is None:
            errors[field] = f"Unknown country {value!r}: use an ISO code like GB or a country name."
        return None, code
    if kind == "prefix":
        digits = value.lstrip("+")
        if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 16:
            errors[field] = "A prefix is 1 to 16 digits, like 44 or 1204."
            return None, None
        return digits, None
    errors["kind"] = "Choose country or prefix."
    return None, None


def digits(raw: str) -> str:
    """The digits of a typed number; North American dialling of international numbers (011 + code) dropped."""
    text = "".join(ch for ch in str(raw or "") if ch.isascii() and ch.isdigit())
    return text[3:] if text.startswith("011") else text


def upload_text(data: bytes | str, field: str) -> str:
    """An uploaded file as text: at most MAX_UPLOAD_BYTES of UTF-8 (a BOM is fine); ValidationFailed otherwise."""
    if isinstance(data, str):
        return data
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({field: f"The file is too large ({MAX_UPLOAD_BYTES >> 20} MB at most)."})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({field: "The file is not UTF-8 text."}) from None
