"""The staff browser tests' reseller (its owner invites a support user) and two clients of it."""

from __future__ import annotations

from reseller_app.db import session_scope
from reseller_app.models import Client, Reseller
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password

PASSWORD = "correct-horse-9"


def seed(ids: dict) -> None:
    rid = create_reseller("reseller-s@example.com", PASSWORD, name="Owner S", company="Sierra Telecom")
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        c = Client(
            reseller_id=rid, email="client-s@example.com", password_hash=hash_password(PASSWORD), firstname="Sam"
        )
        # The client who turns on two-factor sign-in (tests/e2e/test_client_two_factor.py).
        t = Client(
            reseller_id=rid, email="client-2fa@example.com", password_hash=hash_password(PASSWORD), firstname="Tia"
        )
        s.add_all([c, t])
        s.flush()
        ids["s"], ids["s_client"] = rid, c.id
