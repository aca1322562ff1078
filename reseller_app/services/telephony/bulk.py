"""Many rows into one table in one go: COPY on PostgreSQL, one prepared `executemany` on SQLite.

The values go through each column's own bind conversion (`Money` to micro-units, `UTCDateTime` to naive UTC), so
what lands in the table is what the ORM would have written; the table's triggers and constraints apply as for any
INSERT (PostgreSQL fires row triggers on COPY too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

Processor = Callable[[Any], Any] | None


def _processors(dialect: sa.Dialect, table: sa.Table, columns: Sequence[str]) -> list[Processor]:
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def insert_rows(session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (Python values in `columns` order) into `table` inside the session's transaction."""
    if not rows:
        return
    dialect = session.connection().dialect
    procs = _processors(dialect, table, columns)
    converting = [(i, p) for i, p in enumerate(procs) if p is not None]
    if not converting:
        write_raw(session, table, columns, rows)
        return
    # A column often repeats values through a batch (rates, the rating time, small amounts): each distinct value is
    # converted once. The converting types here (`Money`, `UTCDateTime` and the drivers' own date formats) give
    # equal values equal results.
    memos: list[dict[Any, Any]] = [{} for _ in converting]

    def converted() -> Iterator[list[Any]]:
        for row in rows:
            values = list(row)
            for (i, p), memo in zip(converting, memos, strict=True):
                v = values[i]
                try:
                    values[i] = memo[v]
                except KeyError:
                    values[i] = memo[v] = p(v)
            yield values

    # Converted as they are sent: on PostgreSQL the server inserts the rows COPY has sent while the rest convert.
    write_raw(session, table, columns, converted())


def write_raw(session: Session, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows already in the database's form (no conversion): the bulk path itself, and the bench's floor."""
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    values = list(map(tuple, rows))
    if values:
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", values)
