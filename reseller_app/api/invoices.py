"""Invoices over HTTP: the PDF and the HTML page of one invoice (reseller and client), the reseller's CSVs.

Each route resolves the caller from its session cookie and passes it to the services, which check that the invoice
belongs to the caller (a client: its own only). Path values are plain strings, so a junk value is a 404, not a 422.
"""

from __future__ import annotations

from fastapi import APIRouter, Cookie, HTTPException, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from reseller_app.i18n import use_language
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.invoicing import documents, queries

router = APIRouter()
_NO_STORE = {"Cache-Control": "no-store"}


def _reseller(token: str | None) -> Actor:
    actor = auth.resolve(token or "", "reseller")
    if actor is None:
        raise HTTPException(status_code=401, detail="Sign in as a reseller.")
    return actor


def _client(token: str | None, rid: str) -> Actor:
    actor = auth.resolve(token or "", "client", int(rid)) if rid.isdigit() else None
    if actor is None:
        raise HTTPException(status_code=401, detail="Sign in first.")
    return actor


def _pdf(actor: Actor, number: str) -> Response:
    try:
        name, data = documents.pdf_for(actor, number)
    except (NotFound, Forbidden):
        raise HTTPException(status_code=404, detail="No such invoice.") from None
    headers = {"Content-Disposition": f'attachment; filename="{name}"', **_NO_STORE}
    return Response(data, media_type="application/pdf", headers=headers)


def _html(actor: Actor, number: str) -> HTMLResponse:
    try:
        _, page = documents.html_for(actor, number)
    except (NotFound, Forbidden):
        raise HTTPException(status_code=404, detail="No such invoice.") from None
    return HTMLResponse(page, headers=_NO_STORE)


@router.get("/api/invoices/{number}.pdf")
def reseller_pdf(number: str, rp_rsess: str | None = Cookie(default=None)) -> Response:
    """One of the reseller's invoices as a PDF."""
    return _pdf(_reseller(rp_rsess), number)


@router.get("/api/invoices/{number}.html", response_class=HTMLResponse)
def reseller_html(number: str, rp_rsess: str | None = Cookie(default=None)) -> HTMLResponse:
    """One of the reseller's invoices as an HTML page."""
    return _html(_reseller(rp_rsess), number)


# A document is in its client's language: the stored one, else the one this browser picked, else the portal's
# default (services/invoicing/documents.language_of); the reseller's download is the same document.
@router.get("/api/client/{rid}/invoices/{number}.pdf")
def client_pdf(
    rid: str, number: str, rp_csess: str | None = Cookie(default=None), rp_lang: str = Cookie(default="")
) -> Response:
    """One of the signed-in client's invoices as a PDF."""
    with use_language(rp_lang):
        return _pdf(_client(rp_csess, rid), number)


@router.get("/api/client/{rid}/invoices/{number}.html", response_class=HTMLResponse)
def client_html(
    rid: str, number: str, rp_csess: str | None = Cookie(default=None), rp_lang: str = Cookie(default="")
) -> HTMLResponse:
    """One of the signed-in client's invoices as an HTML page."""
    with use_language(rp_lang):
        return _html(_client(rp_csess, rid), number)


def _stream(export: queries.Export) -> StreamingResponse:
    return StreamingResponse(
        export.lines,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "X-Total-Rows": str(export.rows),
            **_NO_STORE,
        },
    )


@router.get("/api/reports/invoices.csv")
def invoices_csv(request: Request, rp_rsess: str | None = Cookie(default=None)) -> StreamingResponse:
    """The reseller's invoices list as CSV, with the page's filters (client_id, date_from, date_to, kind, number)."""
    actor = _reseller(rp_rsess)
    try:
        return _stream(queries.export_invoices(actor, dict(request.query_params)))
    except ValidationFailed as e:
        raise HTTPException(status_code=422, detail=e.errors) from None
    except (NotFound, Forbidden) as e:
        raise HTTPException(status_code=404, detail=str(e)) from None


@router.get("/api/reports/taxes.csv")
def taxes_csv(request: Request, rp_rsess: str | None = Cookie(default=None)) -> StreamingResponse:
    """Taxes collected per tax per month as CSV (date_from, date_to)."""
    actor = _reseller(rp_rsess)
    params = dict(request.query_params)
    try:
        if params.get("client_id"):
            raise NotFound("The taxes report covers every client.")
        return _stream(queries.export_taxes(actor, params))
    except ValidationFailed as e:
        raise HTTPException(status_code=422, detail=e.errors) from None
    except (NotFound, Forbidden) as e:
        raise HTTPException(status_code=404, detail=str(e)) from None
