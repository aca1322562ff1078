"""The client's call history as a CSV download, streamed for the filters chosen on the Call history page."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from reseller_app import i18n
from reseller_app.services.access import auth
from reseller_app.services.common.csv_out import csv_chunks, csv_line
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.portal import account as client_portal

router = APIRouter()
CLIENT_COOKIE = "rp_csess"
LANGUAGE_COOKIE = "rp_lang"


def _csv(rows: Iterator[dict[str, str]], titles: list[str]) -> Iterator[str]:
    """The export's CSV through the one writer of every export (formula-like text cells neutralised)."""
    header = client_portal.CSV_HEADER
    yield csv_line(titles)
    yield from csv_chunks([row.get(k, "") for k in header] for row in rows)


@router.get("/api/client/{rid}/calls.csv", response_class=StreamingResponse)
def export_calls(
    rid: int,
    request: Request,
    date_from: str = Query("", max_length=10),
    date_to: str = Query("", max_length=10),
    types: str = Query("", max_length=60),
    sub: str = Query("", max_length=12),
) -> StreamingResponse:
    """The logged-in client's calls for these filters (only its own; the session cookie says who it is)."""
    actor = auth.resolve(request.cookies.get(CLIENT_COOKIE, ""), "client", rid)
    if actor is None:
        raise HTTPException(status_code=401, detail="Sign in first.")
    # In the client's language: stored, else the one the portal shows in this browser (the picker's cookie).
    lang = client_portal.export_language(actor, request.cookies.get(LANGUAGE_COOKIE, ""))
    try:
        with i18n.use_language(lang):
            rows = client_portal.export_calls(
                actor,
                date_from=date_from,
                date_to=date_to,
                types=[t for t in types.split(",") if t],
                sub_account_id=sub or None,
            )
            titles = client_portal.csv_header()
    except ValidationFailed as e:
        raise HTTPException(status_code=422, detail=e.errors) from None
    except NotFound as e:
        raise HTTPException(status_code=404, detail=str(e)) from None
    except Forbidden as e:
        raise HTTPException(status_code=403, detail=str(e)) from None
    name = f"calls-{date_from or 'all'}-{date_to or 'all'}.csv".replace("/", "")
    return StreamingResponse(
        _csv(rows, titles),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
