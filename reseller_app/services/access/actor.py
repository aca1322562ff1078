"""Who is asking: the identity every service call is checked against."""

from __future__ import annotations

from dataclasses import dataclass

from reseller_app.services.common.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """A logged-in reseller, or a client of one reseller (possibly the reseller acting as that client)."""

    role: str  # "reseller" | "client"
    reseller_id: int
    client_id: int | None = None
    session_id: int | None = None
    impersonated_by: int | None = None
    ip: str = ""  # the address the request came from, for the audit log ("" when unknown)
    staff_id: int | None = None  # a reseller's staff member acting (None: the owner himself)
    staff_role: str = "owner"  # owner | admin | support | billing | readonly (services/staff/roles.py)
    must_enrol_2fa: bool = False  # a staff member whose owner requires two-factor sign-in, not set up yet

    @property
    def is_reseller(self) -> bool:
        """True for a reseller session."""
        return self.role == "reseller"


def require_reseller(actor: Actor | None) -> Actor:
    """The actor, when it is a reseller; otherwise refuse."""
    if actor is None or actor.role != "reseller":
        raise Forbidden()
    return actor


def require_client(actor: Actor | None) -> Actor:
    """The actor, when it is a client; otherwise refuse."""
    if actor is None or actor.role != "client" or actor.client_id is None:
        raise Forbidden()
    return actor
