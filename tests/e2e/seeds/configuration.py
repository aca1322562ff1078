"""Data for the configuration browser tests: a designer's reseller (with a client), an inactive one, and one for
hostile input."""

from __future__ import annotations

from reseller_app.db import session_scope
from reseller_app.models import Client, Reseller
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password

PASSWORD = "correct-horse-9"


def seed(ids: dict) -> None:
    """Add resellers cfg (active), cfg_off (portal off) and cfg_x (hostile input), each with one client."""
    for key, active in (("cfg", True), ("cfg_off", False), ("cfg_x", True)):
        rid = create_reseller(f"{key}@example.com", PASSWORD, name=f"Designer {key}", company=f"Company {key}")
        with session_scope() as s:
            s.get(Reseller, rid).portal_active = active
            s.add(
                Client(
                    reseller_id=rid,
                    email=f"{key}-client@example.com",
                    password_hash=hash_password(PASSWORD),
                    firstname="Robin",
                    lastname="Client",
                )
            )
        ids[key] = rid
