"""Test set-up: a temporary database migrated with Alembic once per session, emptied between tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_tmp = Path(tempfile.mkdtemp(prefix="portal-test-"))
# Tests run against TEST_DATABASE_URL (PostgreSQL in the scale-out run) or a fresh SQLite file.
os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_tmp / 'test.db'}"
os.environ.setdefault("APP_ENV", "dev")
# Cheap argon2 hashes (set before the app is imported): hashing was most of the suite's time. A test that needs the
# production cost builds its own; `ARGON2_PROFILE=default pytest ...` runs the suite at that cost.
os.environ.setdefault("ARGON2_PROFILE", "test")
os.environ.pop("REDIS_URL", None)
# Uploads (logos, prompts, invoice PDFs) go to this run's own folder, not the checkout's: `make test` runs the SQLite
# and PostgreSQL suites side by side.
os.environ.setdefault("REFLEX_UPLOADED_FILES_DIR", str(_tmp / "uploaded_files"))


def _refuse_unless_a_test_database(url: str) -> None:
    """The PostgreSQL reset drops the schema: only in a database named like test, test_alice or portal_test."""
    import sqlalchemy as sa

    name = sa.engine.make_url(url).database or ""
    if not (name.lower().startswith("test") or name.lower().endswith("test")):
        raise pytest.UsageError(
            f"TEST_DATABASE_URL names the database {name!r}: the tests drop its schema `public` with every table "
            "in it, so they refuse a database whose name does not start or end with 'test'. Create one for the "
            "tests (psql -h HOST -U USER -c 'create database test_portal') and point TEST_DATABASE_URL at it."
        )


def pytest_configure(config):
    """Refuse a PostgreSQL database that does not look like a test database before anything runs."""
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _refuse_unless_a_test_database(os.environ["DATABASE_URL"])


def _migrate(url: str) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    if url.startswith("postgres"):
        # Start from an empty schema whatever an earlier run (or another branch's migrations) left behind.
        import sqlalchemy as sa

        from reseller_app.db import make_engine

        _refuse_unless_a_test_database(url)

        eng = make_engine(url)
        with eng.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        eng.dispose()
    command.upgrade(cfg, "head")


@pytest.fixture(scope="session")
def migrated_engine():
    """The engine of the test database, migrated to head."""
    from reseller_app import db

    _migrate(os.environ["DATABASE_URL"])
    eng = db.engine()
    yield eng
    eng.dispose()


# Tables whose rows the database refuses to change or delete (triggers): the reset below suspends them.
APPEND_ONLY_TABLES = ("ledgerentry", "auditlog")


def empty_every_table(engine) -> None:
    """Delete every row of every table, the append-only ledger and audit log included (tests only).

    The ledger's and the audit log's triggers refuse DELETE (alembic 0011, 0017); only this test reset suspends
    them, inside its own transaction, so they are back (or were never gone) whatever happens: PostgreSQL disables
    the tables' own triggers (transactional DDL); SQLite drops its triggers and creates them again from their
    stored SQL.
    """
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for name in APPEND_ONLY_TABLES:
                conn.execute(sa.text(f"ALTER TABLE {name} DISABLE TRIGGER USER"))
            triggers = []
        else:
            triggers = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                conn.execute(sa.text(f'DROP TRIGGER "{name}"'))
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            for name in APPEND_ONLY_TABLES:
                conn.execute(sa.text(f"ALTER TABLE {name} ENABLE TRIGGER USER"))
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)


@pytest.fixture()
def engine(migrated_engine):
    """A clean database for one test (every table emptied afterwards)."""
    yield migrated_engine
    from reseller_app.services.access import abuse

    abuse.reset_counts()  # the public forms' rate limits count per process: each test starts afresh
    empty_every_table(migrated_engine)


@pytest.fixture()
def session(engine):
    """A plain SQLModel session on the clean test database."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as s:
        yield s


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last: Playwright's sync API leaves an event loop on the main thread."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.fspath))
