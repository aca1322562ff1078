"""Limits on what anyone may try from one address: the public forms that send email, and failed sign-ins.

Signup and password-reset requests are counted per visitor address (IP) on one portal, per IP on all portals
together and per email address, in a sliding window of an hour. Failed sign-ins (a wrong password or code on any
login form, reseller or client) are counted per IP over 15 minutes: past LOGIN_FAILURES_PER_IP, that address's
sign-ins are refused without checking the password, so guessing across many login names (which each name's own
lockout does not stop) ends there, and costs no argon2. With REDIS_URL the counts are kept in Redis, one budget
for every worker and machine (as the API's limits, services/api/access.py).
"""

from __future__ import annotations

from reseller_app.config import settings
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
LOGIN_WINDOW = 900.0  # seconds
TOO_MANY_LOGINS = N_("Too many failed sign-ins from your address. Please try again in 15 minutes.")

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


_login_failures = make_limiter("login-failures-ip", max(settings.login_failures_per_ip, 1), LOGIN_WINDOW)


def _counts_logins(ip: str) -> bool:
    return bool(ip) and settings.login_failures_per_ip > 0


def login_blocked(ip: str) -> bool:
    """Whether sign-ins from this address are refused for now (too many failures); counts nothing."""
    return _counts_logins(ip) and _login_failures.full(ip)


def login_failed(ip: str) -> None:
    """Count one failed sign-in (wrong password or code, or a locked login tried) from this address."""
    if _counts_logins(ip):
        _login_failures.hit(ip)


def reset_counts() -> None:
    """Forget every count (tests)."""
    for limiter in (*_limiters.values(), _login_failures):
        limiter.reset()
