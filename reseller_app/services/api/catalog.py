"""Packages and parameter lookups over the API: getPackages, getClientPackages, getRoutes, getCountries.

Packages are created only in the portal's package wizard; the API reads them through the catalog service.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pycountry

from reseller_app.billing.enums import Route
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.api.access import ApiError
from reseller_app.services.api.wire import Answer, Params, amount, client_id, is_id, method, opt, plain, req, text
from reseller_app.services.catalog import wizard
from reseller_app.services.clients import accounts
from reseller_app.services.common.errors import NotFound

# VoIP.ms route codes (getRoutes) <-> the portal's route names.
ROUTES = {"1": (Route.VALUE.value, "Value"), "2": (Route.PREMIUM.value, "Premium")}
ROUTE_CODE = {name: code for code, (name, _) in ROUTES.items()}


def _package_row(pid: str, d: dict) -> dict[str, str]:
    return {
        "package": pid,
        "name": d["name"],
        "markup_fixed": plain(Decimal(d["markup_fixed"]), 2),
        "markup_percentage": plain(Decimal(d["markup_percent"])),
        "pulse": d["pulse"],
        "international_route": ROUTE_CODE[d["international_route"]],
        "canada_route": ROUTE_CODE[d["canada_route"]],
        "monthly_fee": amount(Decimal(d["monthly_fee"])),
        "setup_fee": amount(Decimal(d["setup_fee"])),
        "free_minutes": d["free_minutes"],
    }


@method(
    "getPackages",
    "Your packages (read-only here; created in the portal), or one.",
    (opt("package", "One package id."),),
    ("invalid_package", "no_package"),
    "`markup_fixed` keeps every decimal the package has (0.0025), at least 2.",
)
def get_packages(actor: Actor, p: Params) -> Answer:
    """getPackages."""
    require_reseller(actor)
    wanted = text(p, "package")
    if wanted:
        if not is_id(wanted):
            raise ApiError("invalid_package")
        ids = [wanted]
    else:
        ids = sorted((row["id"] for row in wizard.list_packages(actor)), key=int)
        if not ids:
            raise ApiError("no_package")
    rows = []
    for pid in ids:
        try:
            rows.append(_package_row(pid, wizard.get_package(actor, pid)))
        except NotFound:
            raise ApiError("invalid_package") from None
    return {"packages": rows}


@method(
    "getClientPackages",
    "The packages you can put on a client's sub-accounts (value = package id, for reseller_package).",
    (req("client", "Client id."),),
    ("missing_client", "invalid_client", "no_package"),
)
def get_client_packages(actor: Actor, p: Params) -> Answer:
    """getClientPackages."""
    require_reseller(actor)
    client_id(actor, p)
    rows = sorted(accounts.package_choices(actor), key=lambda r: int(r["id"]))
    if not rows:
        raise ApiError("no_package")
    return {"packages": [{"value": r["id"], "description": r["name"]} for r in rows]}


@method(
    "getRoutes",
    "Route codes used by packages and sub-accounts: 1 Value, 2 Premium.",
    (opt("route", "One route code."),),
    ("invalid_route",),
)
def get_routes(actor: Actor, p: Params) -> Answer:
    """getRoutes."""
    require_reseller(actor)
    wanted = text(p, "route")
    if wanted and wanted not in ROUTES:
        raise ApiError("invalid_route")
    return {"routes": [{"value": v, "description": d} for v, (_, d) in ROUTES.items() if not wanted or v == wanted]}


@cache
def country_codes() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> country name (getCountries, and what signupClient/setClient accept)."""
    return {c.alpha_2: c.name for c in sorted(pycountry.countries, key=lambda c: c.alpha_2)}


@method(
    "getCountries",
    "Country codes for `country` (ISO 3166-1 alpha-2).",
    (opt("country", "One code (CA)."),),
    ("invalid_country",),
)
def get_countries(actor: Actor, p: Params) -> Answer:
    """getCountries."""
    require_reseller(actor)
    wanted = text(p, "country").upper()
    codes = country_codes()
    if wanted and wanted not in codes:
        raise ApiError("invalid_country")
    return {"countries": [{"value": c, "description": n} for c, n in codes.items() if not wanted or c == wanted]}
