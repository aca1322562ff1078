"""Migration 0020 encrypts the TOTP secrets already stored in clear, and its downgrade decrypts them again."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa
from alembic.config import Config
from sqlmodel import Session

from alembic import command
from reseller_app.models import Reseller
from reseller_app.services.access import sealing
from tests.conftest import ROOT


def test_secrets_in_clear_are_encrypted_by_the_upgrade_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "0019_polish")
    clear = pyotp.random_base32()
    eng = sa.create_engine(url)
    with Session(eng) as session:  # the reseller table is the same at 0019 and at head
        r = Reseller(email="r@example.com", password_hash="x")
        session.add(r)
        session.commit()
        rid = r.id
    with eng.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO twofactor (reseller_id, login_key, secret, recovery_hashes, created_at) "
                "VALUES (:r, 'owner:1', :s, '[]', '2026-12-01 00:00:00')"
            ),
            {"r": rid, "s": clear},
        )
    command.upgrade(cfg, "head")
    with eng.connect() as conn:
        stored = conn.execute(sa.text("SELECT secret FROM twofactor")).scalar_one()
        offered = conn.execute(sa.text("SELECT client_two_factor FROM resellersettings")).all()
    assert stored != clear and clear not in stored and stored.startswith("gAAAAA")
    assert sealing.open_sealed(stored) == clear
    assert offered == []  # no settings row in this bare database; the column exists (the query ran)
    command.downgrade(cfg, "0019_polish")
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT secret FROM twofactor")).scalar_one() == clear
    eng.dispose()
