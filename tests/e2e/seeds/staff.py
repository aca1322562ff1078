"""The staff browser test's reseller (its owner invites a support user) and one client of it."""

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
        s.add(c)
        s.flush()
        ids["s"], ids["s_client"] = rid, c.id
