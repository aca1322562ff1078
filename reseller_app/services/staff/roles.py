"""Staff roles: what each role of a reseller's workspace may change, and the one check every service family makes.

Every role may read every reseller page; changes need a capability. A service family declares the capability its
changes need (the constants below) and calls `require_role(actor, capability)` next to `require_reseller`: a role
without it gets Forbidden with a polite message, before anything is changed. Clients are not staff: the check lets
a client actor through (the client's own services check ownership as before).
"""

from __future__ import annotations

from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import Forbidden

# The capabilities (one per service family that changes something).
STAFF = "staff"  # invite, change roles, disable, remove staff; require two-factor sign-in
API = "api"  # the API & carrier settings, API passwords
CONFIGURATION = "configuration"  # Reseller configuration tabs, billing (invoicing) settings, taxes
PACKAGES = "packages"  # packages, per-area rates, free zones
CLIENTS = "clients"  # clients, sub-accounts, numbers, voicemail, forwarding, login as client
MONEY = "money"  # payments, charges, reversals, card refunds, invoices and credit notes, unreadable call records

CAPABILITIES = (STAFF, API, CONFIGURATION, PACKAGES, CLIENTS, MONEY)

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    "owner": frozenset(CAPABILITIES),
    "admin": frozenset(CAPABILITIES) - {STAFF, API},
    "support": frozenset({CLIENTS}),
    "billing": frozenset({MONEY}),
    "readonly": frozenset(),
}

ROLE_LABELS = {
    "owner": "Owner",
    "admin": "Admin",
    "support": "Support",
    "billing": "Billing",
    "readonly": "Read-only",
}

WHAT = {
    STAFF: "manage staff",
    API: "change the API settings",
    CONFIGURATION: "change the configuration",
    PACKAGES: "change packages and rates",
    CLIENTS: "change clients and their services",
    MONEY: "post payments, charges or invoices",
}


def may(actor: Actor | None, capability: str) -> bool:
    """Whether the actor's role holds the capability (a client acts on its own account: not a staff question)."""
    if actor is None:
        return False
    if actor.role != "reseller":
        return True
    return capability in ROLE_CAPABILITIES.get(actor.staff_role, frozenset())


def require_role(actor: Actor | None, capability: str) -> Actor | None:
    """The actor, when its role may use this capability; otherwise Forbidden with a polite message."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    if actor is not None and actor.role == "reseller" and actor.must_enrol_2fa:
        raise Forbidden(
            "The account owner requires two-factor sign-in: set it up on the Staff page before making changes."
        )
    if not may(actor, capability):
        if actor is None:
            raise Forbidden()
        label = ROLE_LABELS.get(actor.staff_role, actor.staff_role)
        raise Forbidden(f"Your role ({label}) does not allow you to {WHAT[capability]}. Ask the account owner.")
    return actor
