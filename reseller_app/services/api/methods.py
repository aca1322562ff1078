"""The VoIP.ms-compatible reseller methods: the table of every method and the one entry point, `call`.

Each method (in clients, money, catalog, reports, subaccounts, dids, voicemail beside this module) is a thin
adapter: it checks parameters in VoIP.ms's documented order and answers VoIP.ms's status codes, and does the work
through the services the portal UI uses. Refusals raise ApiError(status); every answer value is a string.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from reseller_app.carrier import CarrierError
from reseller_app.services.access.actor import Actor
from reseller_app.services.api import catalog, clients, dids, money, reports, subaccounts, voicemail  # noqa: F401
from reseller_app.services.api.access import ApiError
from reseller_app.services.api.wire import DOCUMENTED_CODES, GENERAL_CODES, REGISTRY, Answer, Method, Params
from reseller_app.services.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed

log = logging.getLogger(__name__)

METHODS: dict[str, Callable[[Actor, Params], Answer]] = {name: m.fn for name, m in sorted(REGISTRY.items())}
# Longest parameter name the API echoes in a status code (never the raw name a caller sent).
MAX_NAME = 40


def spec(name: str) -> Method:
    """The documented method `name` (KeyError if none)."""
    return REGISTRY[name]


def call(actor: Actor, method: str, params: Params) -> Answer:
    """Run one method; missing_method / invalid_method for no or an unknown name (matched case-sensitively)."""
    m = REGISTRY.get(method)
    if m is None:
        raise ApiError("invalid_method" if method else "missing_method")
    try:
        return m.fn(actor, params)
    except ApiError as e:
        if e.status not in m.codes and e.status not in GENERAL_CODES:
            log.error("API method %s answered %s, which it does not document", method, e.status)
        raise
    except CarrierError:
        log.warning("API method %s: the carrier failed", method, exc_info=True)
        raise ApiError("provider_outofservice") from None


def status_for(exc: Exception) -> str:
    """The documented status code for a service refusal no adapter mapped (never an undocumented one)."""
    if isinstance(exc, NotFound | Forbidden):
        return "invalid_client"
    if isinstance(exc, ValidationFailed):
        code = f"invalid_{next(iter(exc.errors), '')}".replace("_number", "number")
        return code if code in DOCUMENTED_CODES else "missing_params"
    if isinstance(exc, ServiceError):
        return "missing_params"
    return "unavailable_info"


def bad_param_status(name: str) -> str:
    """The answer to a parameter whose value is oversized or holds control characters: its documented
    `invalid_<name>` code when it has one, else `missing_params`; the name sent is never echoed."""
    code = f"invalid_{name[:MAX_NAME]}"
    return code if code in DOCUMENTED_CODES else "missing_params"


# Parameters outside the methods: credentials, dispatch, and what some VoIP.ms clients add.
COMMON_PARAMS = {
    "api_username": "The reseller's account e-mail.",
    "api_password": "The API password set on the API & carrier page (not the login password).",
    "method": "The method name (case-sensitive).",
    "content_type": "Sent by some clients (json); ignored.",
}


def parameters() -> dict[str, str]:
    """Every parameter any method takes -> which methods take it and what it is (for the OpenAPI description)."""
    out: dict[str, list[str]] = {}
    for m in sorted(REGISTRY.values(), key=lambda m: m.name):
        for prm in m.params:
            out.setdefault(prm.name, []).append(f"{m.name}{'' if prm.required else ' (optional)'}: {prm.doc}")
    merged = dict(COMMON_PARAMS)
    merged.update({name: " | ".join(docs) for name, docs in sorted(out.items())})
    return merged


def describe() -> str:
    """The methods, their status codes and deviations, in Markdown (OpenAPI description; the README lists the same)."""
    lines = [
        "VoIP.ms-compatible reseller API: HTTP 200 and a JSON object whose `status` is `success` or a VoIP.ms "
        "status code, every value a string. Codes any method may answer: "
        + ", ".join(f"`{c}`" for c in GENERAL_CODES)
        + ".",
        "",
    ]
    for m in sorted(REGISTRY.values(), key=lambda m: m.name):
        codes = ", ".join(f"`{c}`" for c in m.codes) or "none besides the general ones"
        lines.append(f"- **{m.name}**: {m.summary} Codes: {codes}." + (f" *Note:* {m.notes}" if m.notes else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    print(describe().split("\n\n", 1)[1])  # the method list the README's API section carries
