"""HTTP endpoints beside the Reflex app, mounted on its backend with `api_transformer`.

Each feature adds its router in `create_api`; everything else falls through to the Reflex app.
"""

from __future__ import annotations

from fastapi import FastAPI

from reseller_app.api import cdr_export, direct_login, health, invoices, paypal, report_export, rest, stripe_hooks


def create_api() -> FastAPI:
    """The FastAPI app with every router of the portal (its OpenAPI description at /api/openapi.json)."""
    api = FastAPI(
        title="Reseller portal API",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    api.include_router(health.router)
    api.include_router(cdr_export.router)
    api.include_router(direct_login.router)
    # Before report_export: /api/reports/invoices.csv and taxes.csv are more specific than /api/reports/{kind}.csv.
    api.include_router(invoices.router)
    api.include_router(report_export.router)
    api.include_router(rest.router)
    api.include_router(paypal.router)
    api.include_router(stripe_hooks.router)
    # Requests for a reseller's custom hostname open that reseller's client portal.
    api.add_middleware(direct_login.HostnamePortal)
    return api
