"""Manage rates & packages: the package wizard, per-area rates, free zones, rate lookup and the profit simulator.

Every function takes the Actor first and checks that each package, area rate and free zone it is given belongs
to the caller's reseller; another reseller's id is answered exactly like an id that does not exist.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pycountry
from sqlalchemy import func, or_
from sqlmodel import Session, select

from reseller_app.billing import rating
from reseller_app.billing.cli import CDR_COLUMNS
from reseller_app.billing.countries import known_countries
from reseller_app.billing.money import parse_amount
from reseller_app.billing.package import PackageRules
from reseller_app.db import session_scope
from reseller_app.models import AreaRate, Cdr, Client, Did, FreeZone, Package, Reseller, SubAccount, utcnow
from reseller_app.models.catalog import EDITABLE_SUBACCOUNT_FIELDS
from reseller_app.models.reseller import DEFAULT_SERVICES
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.csv_out import csv_text
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.telephony.calls import deck_for, package_rules

PULSES = ("1", "6", "30", "60")
EDITABLE_FIELDS = tuple(EDITABLE_SUBACCOUNT_FIELDS)
SERVICES = tuple(DEFAULT_SERVICES)
ROUTES = ("value", "premium")
VIEW_SETTINGS = ("standard", "simple", "simple_hide")
SERVICE_CONFIGS = ("default", "package")
MAX_PERCENT = Decimal(1000)
MAX_AMOUNT = Decimal(1_000_000)
MAX_FREE_MINUTES = 1_000_000
AREA_PAGE_SIZE = 20
MAX_IMPORT_ROWS = 20_000
MAX_SIM_DAYS = 366
MAX_UPLOAD_BYTES = 20 << 20
SIM_CHUNK = 5000
RULE_LABELS = {
    "area_rate": "Per-area rate",
    "free_zone": "Free zone",
    "markup": "Markup",
    "onnet": "VoIP-to-VoIP (free)",
    "unrated": "No carrier rate",
}
FORM_DEFAULTS: dict[str, Any] = {
    "name": "",
    "markup_fixed": "0",
    "markup_percent": "0",
    "pulse": "60",
    "canada_route": "value",
    "international_route": "value",
    "onnet_free": False,
    "monthly_fee": "0",
    "setup_fee": "0",
    "free_minutes": "0",
    "allow_did_purchase": False,
    "subaccount_editable": [],
    "service_config": "default",
    "view_setting": "standard",
    "services": list(DEFAULT_SERVICES),
}


# --- ownership -------------------------------------------------------------------------------


def _package(session: Session, actor: Actor, package_id: int | str | None) -> Package:
    """The caller's package, or NotFound (also for another reseller's id)."""
    pid = _int_id(package_id)
    pkg = session.get(Package, pid) if pid is not None else None
    if pkg is None or pkg.reseller_id != actor.reseller_id:
        raise NotFound("No such package.")
    return pkg


def _int_id(raw: int | str | None) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def owned_package(session: Session, actor: Actor, package_id: int | str | None) -> Package:
    """For other services (assigning a package to a sub-account): the caller's package or NotFound."""
    require_reseller(actor)
    return _package(session, actor, package_id)


# --- the wizard: validation ------------------------------------------------------------------


def _amount(raw: object, field: str, errors: dict[str, str], places: int, top: Decimal = MAX_AMOUNT) -> Decimal:
    text = str(raw if raw is not None else "").strip()
    try:
        value = parse_amount(text, places=places, what=field)
    except ValueError as e:
        errors[field] = _plain(str(e), field)
        return Decimal(0)
    if value > top:
        errors[field] = f"Must be at most {top}."
    return value


def _plain(message: str, field: str) -> str:
    # parse_amount says "field: 'x' is not ..."; beside the field the prefix is noise.
    text = message.split(": ", 1)[1] if message.startswith(field + ":") else message
    return text[:1].upper() + text[1:]


def _whole(raw: object, field: str, errors: dict[str, str], low: int, high: int) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        errors[field] = f"Enter a whole number from {low} to {high}."
        return low
    value = int(text)
    if not low <= value <= high:
        errors[field] = f"Enter a whole number from {low} to {high}."
    return value


def _clean(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored values of a wizard form and a message per bad field."""
    errors: dict[str, str] = {}
    f = {**FORM_DEFAULTS, **(form or {})}
    name = " ".join(str(f["name"] or "").split())
    if not name:
        errors["name"] = "Enter a package name."
    elif len(name) > 80:
        errors["name"] = "At most 80 characters."
    out: dict[str, Any] = {"name": name}
    out["markup_fixed"] = _amount(f["markup_fixed"], "markup_fixed", errors, 6)
    out["markup_percent"] = _amount(f["markup_percent"], "markup_percent", errors, 4, MAX_PERCENT)
    if "markup_percent" in errors and out["markup_percent"] > MAX_PERCENT:
        errors["markup_percent"] = "A percentage can be at most 1000."
    out["pulse"] = _whole(f["pulse"], "pulse", errors, 1, 3600)
    for key in ("canada_route", "international_route"):
        out[key] = str(f[key])
        if out[key] not in ROUTES:
            errors[key] = "Choose Value or Premium."
    out["onnet_free"] = bool(f["onnet_free"])
    out["allow_did_purchase"] = bool(f["allow_did_purchase"])
    out["monthly_fee"] = _amount(f["monthly_fee"], "monthly_fee", errors, 4)
    out["setup_fee"] = _amount(f["setup_fee"], "setup_fee", errors, 4)
    out["free_minutes"] = _whole(f["free_minutes"], "free_minutes", errors, 0, MAX_FREE_MINUTES)
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
    clean, errors = _clean(form)
    if "name" not in errors and clean["name"]:
        with session_scope() as session:
            pid = _package(session, actor, package_id).id if package_id not in (None, "") else None
            if _name_taken(session, actor, clean["name"], pid):
                errors["name"] = "You already have a package with this name."
    return errors


def example_line(actor: Actor, form: dict[str, Any], destination: str = "", cost: str = "") -> dict[str, str]:
    """The Details tab's live example: "Your cost 0.0090 → client pays 0.0138/min" for a sample destination or cost."""
    require_reseller(actor)
    clean, errors = _clean(form)
    if any(k in errors for k in ("markup_fixed", "markup_percent")):
        return {"text": "", "error": "Fix the markup to see the example."}
    label = ""
    if str(cost or "").strip():
        try:
            cost_rate = parse_amount(str(cost), places=6, what="cost")
        except ValueError as e:
            return {"text": "", "error": _plain(str(e), "cost")}
        label = "Sample cost"
    else:
        digits = _digits(destination)
        if not digits:
            return {"text": "", "error": "Type a sample destination number or a cost."}
        with session_scope() as session:
            deck = deck_for(session.get(Reseller, actor.reseller_id))
        rules = PackageRules(
            canada_route=clean["canada_route"] if "canada_route" not in errors else "value",
            international_route=clean["international_route"] if "international_route" not in errors else "value",
        )
        q = rating.quote(digits, rules, deck)
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
        p = _package(session, actor, package_id)
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
            "free_minutes": str(p.free_minutes),
            "allow_did_purchase": p.allow_did_purchase,
            "subaccount_editable": list(p.subaccount_editable or []),
            "service_config": p.service_config,
            "view_setting": p.view_setting,
            "services": list(p.services or []),
        }


def save_package(actor: Actor, form: dict[str, Any], package_id: int | str | None = None) -> int:
    """Create (no id) or update a package from the wizard; ValidationFailed with a message per field."""
    require_reseller(actor)
    clean, errors = _clean(form)
    if errors:
        raise ValidationFailed(errors)
    with session_scope() as session:
        pkg = _package(session, actor, package_id) if package_id not in (None, "") else None
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
    require_reseller(actor)
    with session_scope() as session:
        src = _package(session, actor, package_id)
        base = f"{src.name[:70]} (copy)"
        name, n = base, 2
        while _name_taken(session, actor, name, None):
            name, n = f"{src.name[:66]} (copy {n})", n + 1
        data = src.model_dump(exclude={"id", "created_at", "name"})
        copy = Package(**{**data, "name": name})
        session.add(copy)
        session.flush()
        for a in session.exec(select(AreaRate).where(AreaRate.package_id == src.id)).all():
            session.add(AreaRate(reseller_id=actor.reseller_id, package_id=copy.id, **_area_key(a), rate=a.rate))
        for z in session.exec(select(FreeZone).where(FreeZone.package_id == src.id)).all():
            session.add(
                FreeZone(
                    reseller_id=actor.reseller_id, package_id=copy.id, kind=z.kind, value=z.value, max_rate=z.max_rate
                )
            )
        audit.record(session, actor, "package.duplicate", "package", copy.id, source=src.id)
        return copy.id


def _area_key(a: AreaRate) -> dict[str, str | None]:
    return {"prefix": a.prefix, "country": a.country}


def delete_package(actor: Actor, package_id: int | str) -> None:
    """Delete a package with its rates and zones; refused while any sub-account uses it."""
    require_reseller(actor)
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
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


def assign_package(actor: Actor, sub_account_id: int | str, package_id: int | str | None) -> None:
    """Link a package (or none) to one of the reseller's sub-accounts; both must be the caller's."""
    require_reseller(actor)
    with session_scope() as session:
        sid = _int_id(sub_account_id)
        sub = session.get(SubAccount, sid) if sid is not None else None
        if sub is None or sub.reseller_id != actor.reseller_id:
            raise NotFound("No such sub-account.")
        pkg = _package(session, actor, package_id) if package_id not in (None, "") else None
        sub.package_id = pkg.id if pkg else None
        audit.record(session, actor, "package.assign", "subaccount", sub.id, package=sub.package_id)


# --- per-area rates --------------------------------------------------------------------------


def _country_code(raw: str) -> str | None:
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


def _country_name(code: str | None) -> str:
    if not code:
        return ""
    hit = pycountry.countries.get(alpha_2=code)
    return hit.name if hit else code


def _target(kind: str, value: str, field: str, errors: dict[str, str]) -> tuple[str | None, str | None]:
    """(prefix, country) of an area rate or free zone target."""
    value = str(value or "").strip()
    if kind == "country":
        code = _country_code(value)
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


def _area_exists(session: Session, package_id: int, prefix: str | None, country: str | None) -> AreaRate | None:
    stmt = select(AreaRate).where(AreaRate.package_id == package_id)
    stmt = stmt.where(AreaRate.prefix == prefix) if prefix else stmt.where(AreaRate.country == country)
    return session.exec(stmt).first()


def list_area_rates(actor: Actor, package_id: int | str, search: str = "", page: int = 1) -> dict[str, Any]:
    """One page of a package's area rates, searched by prefix, country code or country name, in SQL."""
    require_reseller(actor)
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
        where = [AreaRate.package_id == pkg.id, AreaRate.reseller_id == actor.reseller_id]
        term = str(search or "").strip()[:40]
        if term:
            codes = [c.alpha_2 for c in pycountry.countries if term.lower() in c.name.lower()][:300]
            where.append(
                or_(
                    AreaRate.prefix.startswith(term.lstrip("+"), autoescape=True),
                    AreaRate.country == term.upper(),
                    AreaRate.country.in_(codes),
                )
            )
        total = session.exec(select(func.count(AreaRate.id)).where(*where)).one()
        pages = max(1, math.ceil(total / AREA_PAGE_SIZE))
        page = max(1, min(int(page), pages))
        rows = session.exec(
            select(AreaRate)
            .where(*where)
            .order_by(AreaRate.country.is_(None), AreaRate.country, AreaRate.prefix)
            .offset((page - 1) * AREA_PAGE_SIZE)
            .limit(AREA_PAGE_SIZE)
        ).all()
        return {
            "items": [
                {
                    "id": str(a.id),
                    "kind": "Country" if a.country else "Prefix",
                    "target": a.country or a.prefix or "",
                    "name": _country_name(a.country) if a.country else "",
                    "rate": fmt.rate(a.rate),
                }
                for a in rows
            ],
            "total": str(total),
            "page": page,
            "pages": pages,
        }


def add_area_rate(actor: Actor, package_id: int | str, kind: str, target: str, rate: str) -> int:
    """Add a custom sell rate for a country or a prefix; a duplicate target is refused."""
    require_reseller(actor)
    errors: dict[str, str] = {}
    prefix, country = _target(kind, target, "target", errors)
    value = _amount(rate, "rate", errors, 6)
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
        if not errors and _area_exists(session, pkg.id, prefix, country):
            errors["target"] = f"There is already a rate for {prefix or country}."
        if errors:
            raise ValidationFailed(errors)
        row = AreaRate(reseller_id=actor.reseller_id, package_id=pkg.id, prefix=prefix, country=country, rate=value)
        session.add(row)
        session.flush()
        audit.record(session, actor, "area_rate.add", "area_rate", row.id, package=pkg.id, target=prefix or country)
        return row.id


def delete_area_rate(actor: Actor, area_rate_id: int | str) -> None:
    """Remove one of the reseller's area rates."""
    require_reseller(actor)
    with session_scope() as session:
        aid = _int_id(area_rate_id)
        row = session.get(AreaRate, aid) if aid is not None else None
        if row is None or row.reseller_id != actor.reseller_id:
            raise NotFound("No such rate.")
        _package(session, actor, row.package_id)
        audit.record(session, actor, "area_rate.delete", "area_rate", row.id, package=row.package_id)
        session.delete(row)


def import_area_rates(actor: Actor, package_id: int | str, data: bytes | str) -> int:
    """Load area rates from CSV (prefix,country,rate); all rows or none. Existing targets get the new rate.

    Errors are reported by line ("line 7: ..."), up to 20 of them.
    """
    require_reseller(actor)
    if isinstance(data, bytes):
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationFailed({"csv": "The file is too large."})
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed({"csv": "The file is not UTF-8 text."}) from None
    reader = csv.reader(io.StringIO(data))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header or not {"rate"} <= set(header) or not ({"prefix", "country"} & set(header)):
        raise ValidationFailed({"csv": "line 1: expected a header prefix,country,rate"})
    col = {name: header.index(name) for name in ("prefix", "country", "rate") if name in header}
    problems: list[str] = []
    parsed: list[tuple[str | None, str | None, Decimal]] = []
    seen: dict[tuple[str | None, str | None], int] = {}
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(parsed) >= MAX_IMPORT_ROWS:
            problems.append(f"line {line}: more than {MAX_IMPORT_ROWS} rows")
            break

        def cell(name: str, row: list[str] = row) -> str:
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        errs: dict[str, str] = {}
        prefix_s, country_s = cell("prefix"), cell("country")
        if bool(prefix_s) == bool(country_s):
            problems.append(f"line {line}: give exactly one of prefix or country")
            continue
        kind, value = ("prefix", prefix_s) if prefix_s else ("country", country_s)
        prefix, country = _target(kind, value, "target", errs)
        rate = _amount(cell("rate"), "rate", errs, 6)
        if errs:
            problems.append(f"line {line}: " + "; ".join(errs.values()))
        elif (prefix, country) in seen:
            problems.append(f"line {line}: duplicate of line {seen[(prefix, country)]} ({prefix or country})")
        else:
            seen[(prefix, country)] = line
            parsed.append((prefix, country, rate))
        if len(problems) >= 20:
            break
    if problems:
        raise ValidationFailed({"csv": "\n".join(problems)})
    if not parsed:
        raise ValidationFailed({"csv": "The file has no rows."})
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
        existing = {
            (a.prefix, a.country): a for a in session.exec(select(AreaRate).where(AreaRate.package_id == pkg.id)).all()
        }
        for prefix, country, rate in parsed:
            row = existing.get((prefix, country))
            if row is None:
                session.add(
                    AreaRate(
                        reseller_id=actor.reseller_id, package_id=pkg.id, prefix=prefix, country=country, rate=rate
                    )
                )
            else:
                row.rate = rate
        audit.record(session, actor, "area_rate.import", "package", pkg.id, rows=len(parsed))
    return len(parsed)


def export_area_rates(actor: Actor, package_id: int | str) -> str:
    """A package's area rates as CSV (prefix,country,rate), the format import reads."""
    require_reseller(actor)
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
        rows = [["prefix", "country", "rate"]] + [
            [a.prefix or "", a.country or "", f"{a.rate.normalize():f}"]
            for a in session.exec(
                select(AreaRate).where(AreaRate.package_id == pkg.id).order_by(AreaRate.country, AreaRate.prefix)
            )
        ]
    return csv_text(rows, lineterminator="\n")


# --- free zones ------------------------------------------------------------------------------


def list_free_zones(actor: Actor, package_id: int | str) -> list[dict[str, str]]:
    """A package's free zones."""
    require_reseller(actor)
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
        rows = session.exec(select(FreeZone).where(FreeZone.package_id == pkg.id).order_by(FreeZone.id)).all()
        labels = {"country": "Country", "prefix": "Prefix", "max_rate": "Cost up to"}
        return [
            {
                "id": str(z.id),
                "kind": labels[z.kind],
                "value": fmt.rate(z.max_rate) + "/min"
                if z.kind == "max_rate"
                else (f"{z.value} ({_country_name(z.value)})" if z.kind == "country" else z.value),
            }
            for z in rows
        ]


def add_free_zone(actor: Actor, package_id: int | str, kind: str, value: str) -> int:
    """Free calling to a country (ISO code or name), a prefix (digits) or any destination costing at most a rate."""
    require_reseller(actor)
    errors: dict[str, str] = {}
    max_rate = None
    stored = ""
    if kind == "max_rate":
        max_rate = _amount(value, "value", errors, 6)
    else:
        prefix, country = _target(kind, value, "value", errors)
        stored = prefix or country or ""
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
        if not errors:
            dup = select(FreeZone.id).where(FreeZone.package_id == pkg.id, FreeZone.kind == kind)
            same = FreeZone.max_rate == max_rate if kind == "max_rate" else FreeZone.value == stored
            dup = dup.where(same)
            if session.exec(dup).first() is not None:
                errors["value"] = "This free zone already exists."
        if errors:
            raise ValidationFailed(errors)
        zone = FreeZone(reseller_id=actor.reseller_id, package_id=pkg.id, kind=kind, value=stored, max_rate=max_rate)
        session.add(zone)
        session.flush()
        audit.record(session, actor, "free_zone.add", "free_zone", zone.id, package=pkg.id, kind=kind)
        return zone.id


def delete_free_zone(actor: Actor, zone_id: int | str) -> None:
    """Remove one of the reseller's free zones."""
    require_reseller(actor)
    with session_scope() as session:
        zid = _int_id(zone_id)
        zone = session.get(FreeZone, zid) if zid is not None else None
        if zone is None or zone.reseller_id != actor.reseller_id:
            raise NotFound("No such free zone.")
        _package(session, actor, zone.package_id)
        audit.record(session, actor, "free_zone.delete", "free_zone", zone.id, package=zone.package_id)
        session.delete(zone)


# --- rate lookup -----------------------------------------------------------------------------


def _digits(raw: str) -> str:
    text = "".join(ch for ch in str(raw or "") if ch.isascii() and ch.isdigit())
    # North American dialling of international numbers: 011 + country code.
    return text[3:] if text.startswith("011") else text


def rate_lookup(actor: Actor, package_id: int | str, number: str) -> dict[str, str]:
    """For this package: destination, route, carrier cost, client price and the rule that priced the number."""
    require_reseller(actor)
    digits = _digits(number)
    if not digits or len(digits) > 20:
        raise ValidationFailed({"number": "Type a number in international form, like 442071234567."})
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
        rules = package_rules(session, pkg)
        deck = deck_for(session.get(Reseller, actor.reseller_id))
    q = rating.quote(digits, rules, deck)
    return {
        "number": digits,
        "destination": q.destination_name or "Unknown destination",
        "country": _country_name(q.country) if q.country else "—",
        "route": q.route.capitalize(),
        "cost": fmt.rate(q.cost_rate) if q.cost_rate is not None else "—",
        "price": fmt.rate(q.sell_rate) if q.sell_rate is not None else "—",
        "rule": RULE_LABELS.get(q.rule, q.rule),
    }


# --- profit simulator ------------------------------------------------------------------------


def _draft_rules(session: Session, pkg: Package, form: dict[str, Any]) -> PackageRules:
    clean, errors = _clean(form)
    if errors:
        raise ValidationFailed(errors)
    saved = package_rules(session, pkg)
    return PackageRules(
        name=clean["name"],
        markup_fixed=clean["markup_fixed"],
        markup_percent=clean["markup_percent"],
        pulse=clean["pulse"],
        canada_route=clean["canada_route"],
        international_route=clean["international_route"],
        onnet_free=clean["onnet_free"],
        free_minutes=clean["free_minutes"],
        area_rates=saved.area_rates,
        free_zones=saved.free_zones,
        setup_fee=clean["setup_fee"],
        monthly_fee=clean["monthly_fee"],
    )


def parse_cdr_file(data: bytes) -> list[rating.Call]:
    """Calls from a CDR CSV in the `python -m reseller_app.billing rate` format; errors by line."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({"file": "The file is too large (20 MB at most)."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": "The file is not UTF-8 text."}) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in CDR_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed({"file": f"line 1: header lacks {', '.join(missing)}; expected {','.join(CDR_COLUMNS)}"})
    idx = [header.index(c) for c in CDR_COLUMNS]
    calls: list[rating.Call] = []
    problems: list[str] = []
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        line = reader.line_num
        try:
            if len(row) < len(header):
                raise ValueError("too few columns")
            cid, start_s, direction, account, caller, dest, dur, disp, onnet = (row[i].strip() for i in idx)
            try:
                start = datetime.fromisoformat(start_s)
            except ValueError:
                raise ValueError(f"start: {start_s!r} is not an ISO 8601 time") from None
            start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
            if not dur.isascii() or not dur.isdigit():
                raise ValueError(f"duration: {dur!r} is not a whole number of seconds")
            if onnet not in ("0", "1"):
                raise ValueError(f"onnet: {onnet!r} is not 0 or 1")
            calls.append(
                rating.Call(
                    call_id=cid,
                    start=start,
                    direction=direction.lower(),
                    account=account,
                    caller=caller,
                    destination=dest,
                    duration=int(dur),
                    disposition=disp,
                    onnet=onnet == "1",
                )
            )
        except ValueError as e:
            problems.append(f"line {line}: {e}")
            if len(problems) >= 20:
                break
    if problems:
        raise ValidationFailed({"file": "\n".join(problems)})
    if not calls:
        raise ValidationFailed({"file": "The file has no calls."})
    return calls


def _sim_totals() -> dict[str, Any]:
    return {"calls": 0, "revenue": Decimal(0), "cost": Decimal(0), "unrated": 0}


def _add(totals: dict[str, Any], rated: list[rating.RatedCall]) -> None:
    for r in rated:
        totals["calls"] += 1
        totals["revenue"] += r.price or 0
        totals["cost"] += r.cost or 0
        totals["unrated"] += r.reason == "unrated"


def _sim_result(current: dict[str, Any], draft: dict[str, Any], source: str) -> dict[str, str]:
    out = {"source": source, "calls": str(current["calls"]), "unrated": str(current["unrated"])}
    for key, t in (("current", current), ("draft", draft)):
        profit = t["revenue"] - t["cost"]
        out[f"{key}_revenue"] = fmt.money(t["revenue"], 4)
        out[f"{key}_cost"] = fmt.money(t["cost"], 4)
        out[f"{key}_profit"] = fmt.money(profit, 4)
    diff = (draft["revenue"] - draft["cost"]) - (current["revenue"] - current["cost"])
    out["difference"] = ("+" if diff > 0 else "") + fmt.money(diff, 4)
    out["difference_sign"] = "up" if diff > 0 else ("down" if diff < 0 else "same")
    return out


def simulate(
    actor: Actor,
    package_id: int | str,
    form: dict[str, Any],
    days: int | str = 30,
    upload: bytes | None = None,
) -> Iterator[tuple[int, int, dict[str, str] | None]]:
    """Re-rate calls under the draft package and the saved one; yields (done, total, None) then (total, total, result).

    The calls are the last `days` days of real CDRs of the sub-accounts on the package, read from the database a
    chunk at a time in start order (so free minutes are drawn as the billing engine draws them), or an uploaded
    CDR file in the rating command's format. Both sides use billing.rating.Rater, the engine's own code.
    """
    require_reseller(actor)
    with session_scope() as session:
        pkg = _package(session, actor, package_id)
        draft_rules = _draft_rules(session, pkg, form)
        current_rules = package_rules(session, pkg)
        deck = deck_for(session.get(Reseller, actor.reseller_id))
        onnet = set(session.exec(select(Did.number).where(Did.client_id.is_not(None))).all())
        pkg_id = pkg.id
    current, draft = _sim_totals(), _sim_totals()

    if upload is not None:
        calls = parse_cdr_file(upload)
        anchor = date(2000, 1, 1)
        raters = (
            rating.Rater(current_rules, deck, onnet_numbers=onnet, anchor=anchor),
            rating.Rater(draft_rules, deck, onnet_numbers=onnet, anchor=anchor),
        )
        calls.sort(key=lambda c: (c.start, c.call_id))
        for i in range(0, len(calls), SIM_CHUNK):
            chunk = calls[i : i + SIM_CHUNK]
            _add(current, raters[0].rate(chunk))
            _add(draft, raters[1].rate(chunk))
            yield min(i + SIM_CHUNK, len(calls)), len(calls), None
        yield len(calls), len(calls), _sim_result(current, draft, f"{len(calls)} calls from the uploaded file")
        return

    d = _whole(str(days), "days", errs := {}, 1, MAX_SIM_DAYS)
    if errs:
        raise ValidationFailed(errs)
    since = utcnow() - timedelta(days=d)
    where = [
        Cdr.reseller_id == actor.reseller_id,
        Cdr.start >= since,
        Cdr.sub_account_id.in_(select(SubAccount.id).where(SubAccount.package_id == pkg_id)),
    ]
    with session_scope() as session:
        total = session.exec(select(func.count(Cdr.id)).where(*where)).one()
        anchors = {
            cid: (nbd or date(2000, 1, 1))
            for cid, nbd in session.exec(
                select(Client.id, Client.next_billing_date).where(Client.reseller_id == actor.reseller_id)
            ).all()
        }
    raters: dict[date, tuple[rating.Rater, rating.Rater]] = {}
    done = 0
    cursor: tuple[datetime, int] | None = None
    yield 0, total, None
    while True:
        # Short transactions, keyset-paged in start order: the simulator never holds the database.
        with session_scope() as session:
            stmt = select(Cdr, Did.per_minute).outerjoin(Did, Did.id == Cdr.did_id).where(*where)
            if cursor is not None:
                stmt = stmt.where(or_(Cdr.start > cursor[0], (Cdr.start == cursor[0]) & (Cdr.id > cursor[1])))
            rows = session.exec(stmt.order_by(Cdr.start, Cdr.id).limit(SIM_CHUNK)).all()
        if not rows:
            break
        cursor = (rows[-1][0].start, rows[-1][0].id)
        groups: dict[date, list[rating.Call]] = {}
        for cdr, did_rate in rows:
            inbound = cdr.direction == "in"
            groups.setdefault(anchors.get(cdr.client_id, date(2000, 1, 1)), []).append(
                rating.Call(
                    call_id=cdr.uniqueid,
                    start=cdr.start,
                    direction=cdr.direction,
                    account=cdr.account or str(cdr.sub_account_id),
                    caller=_digits(cdr.callerid),
                    destination=cdr.destination if cdr.destination.isdigit() else _digits(cdr.destination) or "0",
                    duration=cdr.duration,
                    disposition=cdr.disposition,
                    did_rate=(did_rate if did_rate is not None else Decimal(0)) if inbound else None,
                )
            )
        for anchor, calls in groups.items():
            if anchor not in raters:
                raters[anchor] = (
                    rating.Rater(current_rules, deck, onnet_numbers=onnet, anchor=anchor),
                    rating.Rater(draft_rules, deck, onnet_numbers=onnet, anchor=anchor),
                )
            _add(current, raters[anchor][0].rate(calls))
            _add(draft, raters[anchor][1].rate(calls))
        done += len(rows)
        yield done, max(total, done), None
    label = f"{done} calls in the last {d} days of the clients on this package"
    yield done, max(total, done), _sim_result(current, draft, label)


def simulate_all(
    actor: Actor, package_id: int | str, form: dict[str, Any], days: int | str = 30, upload: bytes | None = None
) -> dict[str, str]:
    """The simulator's result without progress (for tests and the API)."""
    result: dict[str, str] | None = None
    for _done, _total, res in simulate(actor, package_id, form, days, upload):
        result = res or result
    assert result is not None
    return result
