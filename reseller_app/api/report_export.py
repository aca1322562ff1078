"""CSV export of the reports, streamed: the logged-in reseller's own rows only, a million rows in flat memory."""

from __future__ import annotations

from fastapi import APIRouter, Cookie, HTTPException, Request
from fastapi.responses import StreamingResponse

from reseller_app.services.access import auth
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.messaging import report as message_report
from reseller_app.services.reporting import export as reports_export
from reseller_app.services.staff import audit_log

router = APIRouter()
# Reports whose export lives beside their page's service; every other kind is services/reporting/export.py's.
OWN_EXPORTS = {"messages": message_report.report_export, "audit": audit_log.entries_export}


@router.get("/api/reports/{kind}.csv")
def export_csv(kind: str, request: Request, rp_rsess: str | None = Cookie(default=None)) -> StreamingResponse:
    """Stream one report as CSV for the reseller of the session cookie, with the same filters as the page (`messages`:
    the SMS/MMS report's every message; `audit`: the Audit log's every entry)."""
    actor = auth.resolve(rp_rsess or "", "reseller")
    if actor is None:
        raise HTTPException(status_code=401, detail="Sign in as a reseller.")
    try:
        params = dict(request.query_params)
        own = OWN_EXPORTS.get(kind)
        export = own(actor, params) if own else reports_export.export_report(actor, kind, params)
    except ValidationFailed as e:
        raise HTTPException(status_code=422, detail=e.errors) from None
    except Forbidden:
        raise HTTPException(status_code=403, detail="Not allowed.") from None
    except NotFound as e:
        raise HTTPException(status_code=404, detail=str(e)) from None
    return StreamingResponse(
        export.lines,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "X-Total-Rows": str(export.rows),
            "Cache-Control": "no-store",
        },
    )
