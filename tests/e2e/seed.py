"""Seed the browser tests' database: two resellers with one client each (run as a subprocess)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, Reseller, ResellerSettings
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password

PASSWORD = "correct-horse-9"


def main() -> None:
    ids = {}
    for key, company, title in (("a", "Alpha Telecom", "Alpha Voice"), ("b", "Bravo Networks", "Bravo Phone")):
        rid = create_reseller(f"reseller-{key}@example.com", PASSWORD, name=f"Reseller {key.upper()}", company=company)
        with session_scope() as s:
            s.get(Reseller, rid).portal_active = True
            st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
            st.title = title
            st.color_navbar = "#0f766e" if key == "a" else "#7c2d12"
            for email in (f"client-{key}@example.com", f"lock-{key}@example.com"):
                s.add(
                    Client(
                        reseller_id=rid,
                        email=email,
                        password_hash=hash_password(PASSWORD),
                        firstname="Casey",
                        lastname=key.upper(),
                    )
                )
        ids[key] = rid
    # Feature tests add their own data in tests/e2e/seeds/<name>.py, each with `seed(ids: dict) -> None`
    # (it may add keys to ids, which the tests read from app_server["ids"]).
    for path in sorted((Path(__file__).parent / "seeds").glob("*.py")):
        if path.name != "__init__.py":
            importlib.import_module(f"tests.e2e.seeds.{path.stem}").seed(ids)
    json.dump(ids, sys.stdout)


if __name__ == "__main__":
    main()
