"""Free zones of a package: free calls to a country, a prefix, or any destination costing the carrier at most a rate."""

from __future__ import annotations

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import FreeZone
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.catalog import fields
from reseller_app.services.catalog.fields import owned_package
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role


def list_free_zones(actor: Actor, package_id: int | str) -> list[dict[str, str]]:
    """A package's free zones."""
    require_reseller(actor)
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id)
        rows = session.exec(select(FreeZone).where(FreeZone.package_id == pkg.id).order_by(FreeZone.id)).all()
        labels = {"country": "Country", "prefix": "Prefix", "max_rate": "Cost up to"}
        return [
            {
                "id": str(z.id),
                "kind": labels[z.kind],
                "value": fmt.rate(z.max_rate) + "/min"
                if z.kind == "max_rate"
                else (f"{z.value} ({fields.country_name(z.value)})" if z.kind == "country" else z.value),
            }
            for z in rows
        ]


def add_free_zone(actor: Actor, package_id: int | str, kind: str, value: str) -> int:
    """Free calling to a country (ISO code or name), a prefix (digits) or any destination costing at most a rate."""
    require_role(actor, roles.PACKAGES)
    require_reseller(actor)
    errors: dict[str, str] = {}
    max_rate = None
    stored = ""
    if kind == "max_rate":
        max_rate = fields.amount(value, "value", errors, 6)
    else:
        prefix, country = fields.target(kind, value, "value", errors)
        stored = prefix or country or ""
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id)
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
    require_role(actor, roles.PACKAGES)
    fields.delete_package_row(actor, FreeZone, zone_id, "free zone", "free_zone")
