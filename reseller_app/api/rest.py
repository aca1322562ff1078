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
from reseller_app.services.common.errors import ServiceError

log = logging.getLogger(__name__)
router = APIRouter()
PATH = "/api/v1/rest.php"
MAX_PARAM = 2000

# Parameters of every method, for the OpenAPI description (all strings, all optional at the HTTP level).
PARAMS: dict[str, str] = api_methods.parameters()
PARAMS["idempotency_key"] += " Also accepted as the Idempotency-Key header."

REQUIRED = {"api_username", "api_password", "method"}
_STATUS_DOC = api_methods.describe()
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
    """The status for a known parameter with control characters or an oversize value (the database would refuse
    them); unknown parameters are dropped, as VoIP.ms ignores them."""
    for key in [k for k in params if k not in PARAMS]:
        del params[key]
    for key, value in params.items():
        if len(value) > MAX_PARAM or any(ch < " " and ch not in "\t\r\n" for ch in value):
            return api_methods.bad_param_status(key)
    return None


async def handle(request: Request) -> JSONResponse:
    """Read the parameters, then authenticate and run the method in a worker thread: never a 500.

    Authentication (argon2) and the methods (database, carrier) block, so they run on Starlette's thread pool
    and the event loop stays free for other requests.
    """
    try:
        p = await _params(request)
    except (ClientDisconnect, HTTPException, MultiPartException, RecursionError):
        # An unreadable body (malformed multipart, JSON nested past the parser's depth): no credentials could be read.
        return _answer("missing_credentials")
    if not p.get("api_username") or not p.get("api_password"):
        return _answer("missing_credentials")
    bad = _bad_param(p)
    if bad:
        return _answer(bad)
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
    except ServiceError as e:
        return _answer(api_methods.status_for(e))
    except Exception as e:  # logged with its traceback; the caller gets a status, not a 500
        log.exception("REST API failure")
        return _answer(api_methods.status_for(e))


async def other_verb(request: Request) -> JSONResponse:
    """HEAD and OPTIONS: a JSON answer naming the verbs the endpoint takes (HEAD sends only the headers)."""
    del request
    return JSONResponse({"status": "missing_credentials"}, headers={"Allow": "GET, POST, HEAD, OPTIONS"})


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
router.add_api_route(
    PATH,
    other_verb,
    methods=["HEAD", "OPTIONS"],
    summary="Allowed verbs (JSON)",
    operation_id="rest_options",
    include_in_schema=False,
    response_class=JSONResponse,
)
