"""The database engine and sessions. Services open one session (one transaction) per use case."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, create_engine

from reseller_app.config import settings


def _normalize(url: str) -> str:
    # Accept the common postgres:// and postgresql:// spellings and use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> sa.Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    url = _normalize(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin_immediate(conn):  # noqa: ANN001
            # Take the write lock at the start so read-modify-write transactions serialize
            # instead of failing on upgrade (SQLite has no row locks).
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        # Let SQLAlchemy's begin event above issue BEGIN itself.
        @event.listens_for(engine, "connect")
        def _sqlite_no_autobegin(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.isolation_level = None

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


_engine: sa.Engine | None = None


def engine() -> sa.Engine:
    """The process-wide engine for DATABASE_URL (created on first use)."""
    global _engine
    if _engine is None:
        _engine = make_engine(settings.database_url)
    return _engine


def use_engine(new: sa.Engine) -> None:
    """Point the process at another engine (tests and tools)."""
    global _engine
    _engine = new


def _fresh_pool_after_fork() -> None:
    # Reflex's prod server forks its workers from a process that imported the app: a worker must open its own
    # connections rather than share the parent's pooled sockets.
    if _engine is not None:
        _engine.dispose(close=False)


os.register_at_fork(after_in_child=_fresh_pool_after_fork)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction: commit on success, roll back on error."""
    with Session(engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
