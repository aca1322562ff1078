"""Per-area rates of a package: custom sell rates by country or prefix, listed a page at a time, and CSV in and out.

An area rate overrides the package's markup for its target (longest prefix first, then the country).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pycountry
from sqlalchemy import or_
from sqlmodel import Session, select

from reseller_app.db import session_scope
from reseller_app.models import AreaRate
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.catalog import fields
from reseller_app.services.catalog.fields import owned_package
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.csv_out import csv_text
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.common.paging import read_page
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

AREA_PAGE_SIZE = 20
MAX_IMPORT_ROWS = 20_000


def _area_exists(session: Session, package_id: int, prefix: str | None, country: str | None) -> AreaRate | None:
    stmt = select(AreaRate).where(AreaRate.package_id == package_id)
    stmt = stmt.where(AreaRate.prefix == prefix) if prefix else stmt.where(AreaRate.country == country)
    return session.exec(stmt).first()


def list_area_rates(actor: Actor, package_id: int | str, search: str = "", page: int = 1) -> dict[str, Any]:
    """One page of a package's area rates, searched by prefix, country code or country name, in SQL."""
    require_reseller(actor)
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id)
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
        order = (AreaRate.country.is_(None), AreaRate.country, AreaRate.prefix)
        w, rows = read_page(session, select(AreaRate).where(*where), page, AREA_PAGE_SIZE, *order)
        items = [
            {
                "id": str(a.id),
                "kind": "Country" if a.country else "Prefix",
                "target": a.country or a.prefix or "",
                "name": fields.country_name(a.country) if a.country else "",
                "rate": fmt.rate(a.rate),
            }
            for a in rows
        ]
        return w.page_of(items).as_dict()


def add_area_rate(actor: Actor, package_id: int | str, kind: str, target: str, rate: str) -> int:
    """Add a custom sell rate for a country or a prefix; a duplicate target is refused."""
    require_role(actor, roles.PACKAGES)
    require_reseller(actor)
    errors: dict[str, str] = {}
    prefix, country = fields.target(kind, target, "target", errors)
    value = fields.amount(rate, "rate", errors, 6)
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id)
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
    require_role(actor, roles.PACKAGES)
    fields.delete_package_row(actor, AreaRate, area_rate_id, "rate", "area_rate")


def import_area_rates(actor: Actor, package_id: int | str, data: bytes | str) -> int:
    """Load area rates from CSV (prefix,country,rate); all rows or none. Existing targets get the new rate.

    Errors are reported by line ("line 7: ..."), up to 20 of them.
    """
    require_role(actor, roles.PACKAGES)
    require_reseller(actor)
    reader = csv.reader(io.StringIO(fields.upload_text(data, "csv")))
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
        prefix, country = fields.target(kind, value, "target", errs)
        rate = fields.amount(cell("rate"), "rate", errs, 6)
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
        pkg = owned_package(session, actor, package_id)
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
        pkg = owned_package(session, actor, package_id)
        rows = [["prefix", "country", "rate"]] + [
            [a.prefix or "", a.country or "", f"{a.rate.normalize():f}"]
            for a in session.exec(
                select(AreaRate).where(AreaRate.package_id == pkg.id).order_by(AreaRate.country, AreaRate.prefix)
            )
        ]
    return csv_text(rows, lineterminator="\n")
