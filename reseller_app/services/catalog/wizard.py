"""The package wizard: its form (validated as the reseller types), the live example, and the packages themselves.

Every function takes the Actor first; each package id goes through `fields.owned_package`, so another
reseller's id is answered exactly like an id that does not exist.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from reseller_app.billing import rating
from reseller_app.billing.enums import ROUTES, Route
from reseller_app.billing.money import parse_amount
from reseller_app.billing.package import PackageRules
from reseller_app.db import session_scope
from reseller_app.models import AreaRate, FreeZone, Package, Reseller, SubAccount
from reseller_app.models.catalog import EDITABLE_SUBACCOUNT_FIELDS
from reseller_app.models.reseller import DEFAULT_SERVICES
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.catalog.fields import amount, digits, owned_package, plain_message, whole
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role
from reseller_app.services.telephony.calls import deck_for

PULSES = ("1", "6", "30", "60")
EDITABLE_FIELDS = tuple(EDITABLE_SUBACCOUNT_FIELDS)
SERVICES = tuple(DEFAULT_SERVICES)
VIEW_SETTINGS = ("standard", "simple", "simple_hide")
SERVICE_CONFIGS = ("default", "package")
MAX_PERCENT = Decimal(1000)
MAX_FREE_MINUTES = 1_000_000
MESSAGE_RATES = ("sms_out_rate", "sms_in_rate", "mms_out_rate", "mms_in_rate")
FORM_DEFAULTS: dict[str, Any] = {
    "name": "",
    "markup_fixed": "0",
    "markup_percent": "0",
    "pulse": "60",
    "canada_route": Route.VALUE.value,
    "international_route": Route.VALUE.value,
    "onnet_free": False,
    "monthly_fee": "0",
    "setup_fee": "0",
    # Per-message sell rates (empty: the carrier's cost with the markup; billing/messages.py).
    "sms_out_rate": "",
    "sms_in_rate": "",
    "mms_out_rate": "",
    "mms_in_rate": "",
    "free_minutes": "0",
    "allow_did_purchase": False,
    "subaccount_editable": [],
    "service_config": "default",
    "view_setting": "standard",
    "services": list(DEFAULT_SERVICES),
}


# --- the wizard: its form ----------------------------------------------------------------------


def clean_form(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored values of a wizard form and a message per bad field."""
    errors: dict[str, str] = {}
    f = {**FORM_DEFAULTS, **(form or {})}
    name = " ".join(str(f["name"] or "").split())
    if not name:
        errors["name"] = "Enter a package name."
    elif len(name) > 80:
        errors["name"] = "At most 80 characters."
    out: dict[str, Any] = {"name": name}
    out["markup_fixed"] = amount(f["markup_fixed"], "markup_fixed", errors, 6)
    out["markup_percent"] = amount(f["markup_percent"], "markup_percent", errors, 4, MAX_PERCENT)
    if "markup_percent" in errors and out["markup_percent"] > MAX_PERCENT:
        errors["markup_percent"] = "A percentage can be at most 1000."
    out["pulse"] = whole(f["pulse"], "pulse", errors, 1, 3600)
    for key in ("canada_route", "international_route"):
        out[key] = str(f[key])
        if out[key] not in ROUTES:
            errors[key] = "Choose Value or Premium."
    out["onnet_free"] = bool(f["onnet_free"])
    out["allow_did_purchase"] = bool(f["allow_did_purchase"])
    out["monthly_fee"] = amount(f["monthly_fee"], "monthly_fee", errors, 4)
    out["setup_fee"] = amount(f["setup_fee"], "setup_fee", errors, 4)
    out["free_minutes"] = whole(f["free_minutes"], "free_minutes", errors, 0, MAX_FREE_MINUTES)
    for key in MESSAGE_RATES:
        raw = str(f[key] if f[key] is not None else "").strip()
        out[key] = amount(raw, key, errors, 6) if raw else None
    editable = [str(x) for x in (f["subaccount_editable"] or [])]
    if any(x not in EDITABLE_SUBACCOUNT_FIELDS for x in editable):
        errors["subaccount_editable"] = "Unknown sub-account setting."
    out["subaccount_editable"] = [x for x in EDITABLE_SUBACCOUNT_FIELDS if x in editable]
    out["service_config"] = str(f["service_config"])
    if out["service_config"] not in SERVICE_CONFIGS:
        errors["service_config"] = "Choose Default or Package configuration."
    out["view_setting"] = str(f["view_setting"])
    if out["view_setting"] not in VIEW_SETTINGS:
        errors["view_setting"] = "Choose a view setting."
    services = [str(x) for x in (f["services"] or [])]
    if any(x not in DEFAULT_SERVICES for x in services):
        errors["services"] = "Unknown service."
    out["services"] = [x for x in DEFAULT_SERVICES if x in services]
    return out, errors


def _name_taken(session: Session, actor: Actor, name: str, package_id: int | None) -> bool:
    stmt = select(Package.id).where(Package.reseller_id == actor.reseller_id, Package.name == name)
    if package_id is not None:
        stmt = stmt.where(Package.id != package_id)
    return session.exec(stmt).first() is not None


def validate_package(actor: Actor, form: dict[str, Any], package_id: int | str | None = None) -> dict[str, str]:
    """Live validation of the wizard as the reseller types: a message per bad field (empty when all is well)."""
    require_reseller(actor)
    clean, errors = clean_form(form)
    if "name" not in errors and clean["name"]:
        with session_scope() as session:
            pid = owned_package(session, actor, package_id).id if package_id not in (None, "") else None
            if _name_taken(session, actor, clean["name"], pid):
                errors["name"] = "You already have a package with this name."
    return errors


def example_line(actor: Actor, form: dict[str, Any], destination: str = "", cost: str = "") -> dict[str, str]:
    """The Details tab's live example: "Your cost 0.0090 → client pays 0.0138/min" for a sample destination or cost."""
    require_reseller(actor)
    clean, errors = clean_form(form)
    if any(k in errors for k in ("markup_fixed", "markup_percent")):
        return {"text": "", "error": "Fix the markup to see the example."}
    label = ""
    if str(cost or "").strip():
        try:
            cost_rate = parse_amount(str(cost), places=6, what="cost")
        except ValueError as e:
            return {"text": "", "error": plain_message(str(e), "cost")}
        label = "Sample cost"
    else:
        number = digits(destination)
        if not number:
            return {"text": "", "error": "Type a sample destination number or a cost."}
        with session_scope() as session:
            deck = deck_for(session.get(Reseller, actor.reseller_id))
        # A bad route in the draft prices the example on the value route until it is fixed.
        routes = {
            k: clean[k] if k not in errors else Route.VALUE.value for k in ("canada_route", "international_route")
        }
        rules = PackageRules(**routes)
        q = rating.quote(number, rules, deck)
        if q.cost_rate is None:
            return {"text": "", "error": "The carrier has no rate for this destination."}
        cost_rate = q.cost_rate
        label = f"{q.destination_name} ({q.route})"
    sell = rating.markup(cost_rate, clean["markup_fixed"], clean["markup_percent"])
    return {
        "text": f"Your cost {fmt.rate(cost_rate)} → client pays {fmt.rate(sell)}/min",
        "label": label,
        "error": "",
    }


# --- the wizard: packages --------------------------------------------------------------------


def list_packages(actor: Actor, search: str = "") -> list[dict[str, str]]:
    """The reseller's packages with how many sub-accounts use each."""
    require_reseller(actor)
    with session_scope() as session:
        used = dict(
            session.exec(
                select(SubAccount.package_id, func.count(SubAccount.id))
                .where(SubAccount.reseller_id == actor.reseller_id, SubAccount.package_id.is_not(None))
                .group_by(SubAccount.package_id)
            ).all()
        )
        stmt = select(Package).where(Package.reseller_id == actor.reseller_id)
        if search.strip():
            stmt = stmt.where(Package.name.contains(search.strip()[:80], autoescape=True))
        rows = session.exec(stmt.order_by(Package.name)).all()
        return [
            {
                "id": str(p.id),
                "name": p.name,
                "markup": f"{fmt.rate(p.markup_fixed)} + {p.markup_percent.normalize():f} %",
                "pulse": f"{p.pulse} s",
                "monthly_fee": _fee(p.monthly_fee),
                "setup_fee": _fee(p.setup_fee),
                "free_minutes": str(p.free_minutes),
                "in_use": str(used.get(p.id, 0)),
            }
            for p in rows
        ]


def _fee(amount: Decimal) -> str:
    # Fees may carry 4 places; show cents unless the fee really has more.
    return fmt.money(amount, 2 if amount == amount.quantize(Decimal("0.01")) else 4)


def get_package(actor: Actor, package_id: int | str) -> dict[str, Any]:
    """A package as wizard form values (strings and lists)."""
    require_reseller(actor)
    with session_scope() as session:
        p = owned_package(session, actor, package_id)
        return {
            "name": p.name,
            "markup_fixed": f"{p.markup_fixed.normalize():f}",
            "markup_percent": f"{p.markup_percent.normalize():f}",
            "pulse": str(p.pulse),
            "canada_route": p.canada_route,
            "international_route": p.international_route,
            "onnet_free": p.onnet_free,
            "monthly_fee": f"{p.monthly_fee.normalize():f}",
            "setup_fee": f"{p.setup_fee.normalize():f}",
            **{k: "" if getattr(p, k) is None else f"{getattr(p, k).normalize():f}" for k in MESSAGE_RATES},
            "free_minutes": str(p.free_minutes),
            "allow_did_purchase": p.allow_did_purchase,
            "subaccount_editable": list(p.subaccount_editable or []),
            "service_config": p.service_config,
            "view_setting": p.view_setting,
            "services": list(p.services or []),
        }


def save_package(actor: Actor, form: dict[str, Any], package_id: int | str | None = None) -> int:
    """Create (no id) or update a package from the wizard; ValidationFailed with a message per field."""
    require_role(actor, roles.PACKAGES)
    require_reseller(actor)
    clean, errors = clean_form(form)
    if errors:
        raise ValidationFailed(errors)
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id) if package_id not in (None, "") else None
        if _name_taken(session, actor, clean["name"], pkg.id if pkg else None):
            raise ValidationFailed({"name": "You already have a package with this name."})
        if pkg is None:
            pkg = Package(reseller_id=actor.reseller_id, **clean)
            session.add(pkg)
            action = "package.create"
        else:
            for key, value in clean.items():
                setattr(pkg, key, value)
            action = "package.update"
        session.flush()
        audit.record(session, actor, action, "package", pkg.id, name=pkg.name)
        return pkg.id


def duplicate_package(actor: Actor, package_id: int | str) -> int:
    """Copy a package with its area rates and free zones under a free name ("Name (copy)")."""
    require_role(actor, roles.PACKAGES)
    require_reseller(actor)
    with session_scope() as session:
        src = owned_package(session, actor, package_id)
        base = f"{src.name[:70]} (copy)"
        name, n = base, 2
        while _name_taken(session, actor, name, None):
            name, n = f"{src.name[:66]} (copy {n})", n + 1
        data = src.model_dump(exclude={"id", "created_at", "name"})
        copy = Package(**{**data, "name": name})
        session.add(copy)
        session.flush()
        for a in session.exec(select(AreaRate).where(AreaRate.package_id == src.id)).all():
            session.add(
                AreaRate(
                    reseller_id=actor.reseller_id, package_id=copy.id, prefix=a.prefix, country=a.country, rate=a.rate
                )
            )
        for z in session.exec(select(FreeZone).where(FreeZone.package_id == src.id)).all():
            session.add(
                FreeZone(
                    reseller_id=actor.reseller_id, package_id=copy.id, kind=z.kind, value=z.value, max_rate=z.max_rate
                )
            )
        audit.record(session, actor, "package.duplicate", "package", copy.id, source=src.id)
        return copy.id


def delete_package(actor: Actor, package_id: int | str) -> None:
    """Delete a package with its rates and zones; refused while any sub-account uses it."""
    require_role(actor, roles.PACKAGES)
    require_reseller(actor)
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id)
        used = session.exec(select(func.count(SubAccount.id)).where(SubAccount.package_id == pkg.id)).one()
        if used:
            word = "sub-account uses" if used == 1 else "sub-accounts use"
            raise ValidationFailed({"package": f"{used} {word} “{pkg.name}”: assign them another package first."})
        for model in (AreaRate, FreeZone):
            for row in session.exec(select(model).where(model.package_id == pkg.id)).all():
                session.delete(row)
        session.flush()
        audit.record(session, actor, "package.delete", "package", pkg.id, name=pkg.name)
        session.delete(pkg)
