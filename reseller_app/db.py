"""The database engine and sessions. Services open one session (one transaction) per use case."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # noqa: ANN001
            # A unit that may write takes the write lock at the start, so read-modify-write transactions
            # serialize instead of failing on upgrade (SQLite has no row locks; a deferred transaction that
            # read and then writes gets SQLITE_BUSY at once when another writer went first). A read-only unit
            # (reading()) takes no lock: readers run beside each other and beside the one writer (WAL), and
            # `query_only` makes SQLite refuse any write inside it. Each transaction sets the mode it needs,
            # so a connection that served a read-only unit writes again in the next one.
            if _reading.get() is not None:
                conn.exec_driver_sql("PRAGMA query_only=ON")
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("PRAGMA query_only=OFF")
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine, "checkin")
        def _sqlite_writable_again(dbapi_conn, _record) -> None:  # noqa: ANN001
            # Back in the pool writable, whatever used it last (a raw connection skips the begin event above).
            if dbapi_conn is None:
                return
            try:
                dbapi_conn.execute("PRAGMA query_only=OFF")
            except sqlite3.Error:
                pass  # a broken connection: the pool discards it

        # Let SQLAlchemy's begin event above issue BEGIN itself.
        @event.listens_for(engine, "connect")
        def _sqlite_no_autobegin(dbapi_conn, _record) -> None:  # noqa: ANN001
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


# The session of the read-only unit this context is in (see reading()), else None.
_reading: ContextVar[Session | None] = ContextVar("reading_session", default=None)
_readonly_engines: dict[int, sa.Engine] = {}


def _readonly_engine() -> sa.Engine:
    """The engine with PostgreSQL's read-only transactions (BEGIN READ ONLY: a write fails loudly)."""
    base = engine()
    if base.dialect.name != "postgresql":
        return base
    if id(base) not in _readonly_engines:
        _readonly_engines.clear()
        _readonly_engines[id(base)] = base.execution_options(postgresql_readonly=True)
    return _readonly_engines[id(base)]


@contextmanager
def reading() -> Iterator[None]:
    """One read-only transaction shared by every session_scope() inside it, in this context.

    A page that calls several services opens one connection and one transaction instead of one per call, and
    sees one consistent snapshot. Only for reads: an ORM write inside fails at flush, and the database refuses
    any other write (PostgreSQL: BEGIN READ ONLY; SQLite: `PRAGMA query_only`), so a stray UPDATE fails loudly.
    The unit takes no write lock on SQLite and ends without a commit. Nested reading() joins the outer unit.
    """
    if _reading.get() is not None:
        yield
        return
    with Session(_readonly_engine(), expire_on_commit=False) as session:
        event.listen(session, "before_flush", _refuse_flush)
        token = _reading.set(session)
        try:
            yield
        finally:
            _reading.reset(token)
        # Leaving the `with` closes the session: its connection goes back to the pool rolled back.


def _refuse_flush(session: Session, _context: object, _instances: object) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a write inside db.reading(), which is read-only")


@contextmanager
def read_scope() -> Iterator[Session]:
    """A read-only session: the enclosing reading() unit's, else a read-only unit of its own (see reading()).

    For services that only read, so that they take no write lock on SQLite and wait for no writer.
    """
    with reading(), session_scope() as session:
        yield session


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction that may write: commit on success, roll back on error. Inside reading(), that unit's session.

    On SQLite it holds the database's one write lock from its first statement to its end (BEGIN IMMEDIATE): keep
    it short, and do slow work (argon2, the carrier's network calls) before or after it, never inside.
    """
    shared = _reading.get()
    if shared is not None:
        yield shared
        return
    with Session(engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
