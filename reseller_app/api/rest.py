"""`/api/v1/rest.php`: the VoIP.ms-compatible REST/JSON API for resellers (GET query string or POST form).

Answers are always HTTP 200 with a JSON object: `"status": "success"` or a VoIP.ms status code, every value a string.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect

from reseller_app.services.api import access as api_access
from reseller_app.services.api import methods as api_methods
from reseller_app.services.api.access import ApiError
from reseller_app.services.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed

log = logging.getLogger(__name__)
router = APIRouter()
PATH = "/api/v1/rest.php"
MAX_PARAM = 2000

# Parameters of every method, for the OpenAPI description (all strings, all optional at the HTTP level).
PARAMS: dict[str, str] = {
    "api_username": "The reseller's account email.",
    "api_password": "The API password set on the API & carrier page (not the login password).",
    "method": "One of: " + ", ".join(api_methods.METHODS),
    "client": "Client id (getClients also accepts the client's email).",
    "firstname": "signupClient / setClient.",
    "lastname": "signupClient / setClient.",
    "company": "signupClient / setClient (optional).",
    "address": "signupClient / setClient.",
    "city": "signupClient / setClient.",
    "state": "signupClient / setClient.",
    "country": "signupClient / setClient: ISO 3166 two-letter code.",
    "zip": "signupClient / setClient.",
    "phone_number": "signupClient / setClient.",
    "email": "signupClient / setClient: the client's login; setClientThreshold: the notification address.",
    "confirm_email": "signupClient: the same email again.",
    "password": "signupClient / setClient: the client's portal password (8 to 128 characters).",
    "confirm_password": "signupClient: the same password again.",
    "activate": "signupClient: 1 = active now, 0 = waiting for activation (default 0).",
    "balance_management": "1 = hard (suspend at 0), 2 = soft (default).",
    "threshold": "setClientThreshold: whole amount from 10 to 500.",
    "charge": "addCharge: amount, up to 2 decimals, above 0.",
    "payment": "addPayment: amount, up to 2 decimals, above 0.",
    "description": "addCharge / addPayment: shown in the client's history.",
    "test": "addCharge / addPayment: 1 = validate only, post nothing.",
    "idempotency_key": "addCharge / addPayment: a retried request with the same key posts once "
    "(also accepted as the Idempotency-Key header).",
    "package": "getPackages: one package id (optional).",
    "date_from": "getResellerCDR: YYYY-MM-DD.",
    "date_to": "getResellerCDR: YYYY-MM-DD, at most 92 days after date_from.",
    "answered": "getResellerCDR: 1 to include answered calls.",
    "noanswer": "getResellerCDR: 1 to include unanswered calls.",
    "busy": "getResellerCDR: 1 to include busy calls.",
    "failed": "getResellerCDR: 1 to include failed calls (no filter set = every call).",
    "timezone": "getResellerCDR: hours offset from UTC for the dates asked and shown (e.g. -5).",
    "calltype": "getResellerCDR: all | outgoing | incoming.",
    "callbilling": "getResellerCDR: all | free | billed.",
    "account": "getResellerCDR: one sub-account, e.g. 100000_office.",
}

REQUIRED = {"api_username", "api_password", "method"}
_STATUS_DOC = (
    "Status codes: success, invalid_credentials, api_not_enabled, ip_not_enabled, api_limit_exceeded, "
    "missing_method, invalid_method, missing_client, invalid_client, missing_<field>, invalid_<field>, "
    "invalid_confirm_email, invalid_confirm_password, email_exists, client_in_use, invalid_balance_management, "
    "missing_threshold, invalid_threshold, missing_charge, missing_payment, invalid_amount, missing_description, "
    "invalid_package, missing_datefrom, invalid_datefrom, missing_dateto, invalid_dateto, invalid_daterange, "
    "invalid_timezone, no_cdr, internal_error."
)
_RESPONSE_DOC = {
    "200": {
        "description": "Always 200. `status` is `success` or a status code; every value is a string.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {"status": {"type": "string"}},
                    "additionalProperties": True,
                }
            }
        },
    }
}


def _schema(name: str) -> dict:
    if name == "method":
        return {"type": "string", "enum": list(api_methods.METHODS)}
    return {"type": "string"}


def _query_doc() -> list[dict]:
    return [
        {"name": n, "in": "query", "required": n in REQUIRED, "description": d, "schema": _schema(n)}
        for n, d in PARAMS.items()
    ]


def _form_doc() -> dict:
    schema = {
        "type": "object",
        "properties": {n: {**_schema(n), "description": d} for n, d in PARAMS.items()},
        "required": sorted(REQUIRED),
    }
    return {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def stringify(value: Any) -> Any:  # noqa: ANN401 - JSON-shaped values of any kind
    """Every scalar as a string (VoIP.ms convention); booleans as "1"/"0"."""
    if isinstance(value, dict):
        return {str(k): stringify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [stringify(v) for v in value]
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _answer(status: str, body: dict | None = None) -> JSONResponse:
    payload = {"status": status}
    payload.update(body or {})
    return JSONResponse(stringify(payload))


async def _params(request: Request) -> dict[str, str]:
    params: dict[str, str] = {k: v for k, v in request.query_params.items()}
    if request.method == "POST":
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            try:
                body = json.loads(await request.body() or b"{}")
            except ValueError:
                body = {}
            if isinstance(body, dict):
                params.update({str(k): "" if v is None else str(v) for k, v in body.items()})
        elif ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    key = request.headers.get("idempotency-key")
    if key and "idempotency_key" not in params:
        params["idempotency_key"] = key
    return params


def _bad_param(params: dict[str, str]) -> str | None:
    """The name of a parameter with control characters or an oversize value (the database would refuse them)."""
    for key, value in params.items():
        if len(key) > 100 or len(value) > MAX_PARAM or any(ch < " " and ch not in "\t\r\n" for ch in value):
            return key[:40] if key.isidentifier() else "request"
    return None


async def handle(request: Request) -> JSONResponse:
    """Read the parameters, then authenticate and run the method in a worker thread: never a 500.

    Authentication (argon2) and the methods (database, carrier) block, so they run on Starlette's thread pool
    and the event loop stays free for other requests.
    """
    try:
        p = await _params(request)
    except (ClientDisconnect, HTTPException, MultiPartException, RecursionError):
        # An unreadable body (malformed multipart, JSON nested past the parser's depth) is the client's problem.
        return _answer("invalid_request")
    bad = _bad_param(p)
    if bad:
        return _answer(f"invalid_{bad}")
    ip = request.client.host if request.client else None
    return await run_in_threadpool(_run, p, ip)


def _run(p: dict[str, str], ip: str | None) -> JSONResponse:
    """Authenticate, scope to the reseller, run the method; every failure is a status code."""
    try:
        actor = api_access.authenticate(p.get("api_username", ""), p.get("api_password", ""), ip)
        method = p.get("method", "").strip()
        return _answer("success", api_methods.call(actor, method, p))
    except ApiError as e:
        return _answer(e.status)
    except (NotFound, Forbidden):
        return _answer("invalid_client")
    except ValidationFailed as e:
        return _answer(f"invalid_{next(iter(e.errors), 'request')}")
    except ServiceError:
        return _answer("invalid_request")
    except Exception:  # logged with its traceback; the caller gets a status, not a 500
        log.exception("REST API failure")
        return _answer("internal_error")


router.add_api_route(
    PATH,
    handle,
    methods=["GET"],
    summary="VoIP.ms-compatible reseller API (query string)",
    description=_STATUS_DOC,
    operation_id="rest_get",
    openapi_extra={"parameters": _query_doc(), "responses": _RESPONSE_DOC},
    response_class=JSONResponse,
)
router.add_api_route(
    PATH,
    handle,
    methods=["POST"],
    summary="VoIP.ms-compatible reseller API (form body)",
    description=_STATUS_DOC,
    operation_id="rest_post",
    openapi_extra={"requestBody": _form_doc(), "responses": _RESPONSE_DOC},
    response_class=JSONResponse,
)
