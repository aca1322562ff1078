"""Limits on the public forms that send email to any address: client signup and password-reset requests.

Each is counted per visitor address (IP) on one portal, per IP on all portals together and per email address, in a
sliding window of an hour; with REDIS_URL the counts are kept in Redis, one budget for every worker and machine (as
the API's limits, services/api/access.py).
"""

from __future__ import annotations

from reseller_app.i18n import N_, _
from reseller_app.services.api.access import make_limiter
from reseller_app.services.common.errors import ValidationFailed

WINDOW = 3600.0  # seconds
# Per hour: from one IP on one portal, from one IP on all portals together, and to one email address.
LIMITS = {
    "signup": {"portal-ip": 5, "ip": 30, "to": 3},
    "reset": {"portal-ip": 10, "ip": 50, "to": 5},
}
TOO_MANY = N_("Too many requests from here. Please try again later.")

_limiters = {
    (form, scope): make_limiter(f"{form}-{scope}", limit, WINDOW)
    for form, scopes in LIMITS.items()
    for scope, limit in scopes.items()
}


def check(form: str, reseller_id: int, ip: str, address: str, *, field: str = "email") -> bool:
    """Count one use of a public form of a portal from `ip` for `address`.

    Past an IP limit: ValidationFailed (the visitor is told to wait). Past the address's limit: False, and the
    caller gives its usual answer without sending anything (the inbox is spared; nothing is revealed).
    """
    for scope, key in (("portal-ip", f"{reseller_id}:{ip}" if ip else ""), ("ip", ip)):
        if key and not _limiters[(form, scope)].allow(key):
            raise ValidationFailed({field: _(TOO_MANY)})
    to = (address or "").strip().lower()
    return not to or _limiters[(form, "to")].allow(to)


def reset_counts() -> None:
    """Forget every count (tests)."""
    for limiter in _limiters.values():
        limiter.reset()
