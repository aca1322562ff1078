"""The ledger's rules in the database (append-only, signs, exact reversals); client tombstones (deleted_at).

Triggers on `ledgerentry`, on SQLite and PostgreSQL alike:
- an UPDATE or a DELETE of a row is refused (and a TRUNCATE, on PostgreSQL): a mistake is corrected by a reversal;
- a payment is positive; a charge, call, fax or fee is negative (a zero amount is the CHECK constraint's to refuse);
- a reversal carries the exact opposite amount of the entry it names, which belongs to the same client and reseller
  and is not itself a reversal (the CHECK constraints already make it name one, and the unique index only once).

The application has no way around them. The test suite empties its database between tests by suspending them inside
that one transaction (tests/conftest.py); nothing in reseller_app does.

Note for later migrations: on SQLite, a batch operation that recreates `ledgerentry` (a "move and copy") drops these
triggers with the old table; such a migration must create them again (`create_ledger_triggers()` below).

Revision ID: 0011_ledger
Revises: 0010
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import reseller_app.models.types as rt


revision: str = "0011_ledger"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "ledgerentry is append-only: post a reversal instead"
SIGN = "ledgerentry: a payment must be positive; a charge, call, fax or fee negative"
REVERSAL = (
    "ledgerentry: a reversal must carry the exact opposite amount of an entry of the same client "
    "that is not itself a reversal"
)

SQLITE = [
    f"""
    CREATE TRIGGER ledgerentry_no_update BEFORE UPDATE ON ledgerentry
    BEGIN
        SELECT RAISE(ABORT, '{APPEND_ONLY}');
    END
    """,
    f"""
    CREATE TRIGGER ledgerentry_no_delete BEFORE DELETE ON ledgerentry
    BEGIN
        SELECT RAISE(ABORT, '{APPEND_ONLY}');
    END
    """,
    f"""
    CREATE TRIGGER ledgerentry_check_insert BEFORE INSERT ON ledgerentry
    BEGIN
        SELECT RAISE(ABORT, '{SIGN}')
        WHERE (NEW.kind = 'payment' AND NEW.amount < 0)
           OR (NEW.kind IN ('charge', 'call', 'fax', 'fee') AND NEW.amount > 0);
        SELECT RAISE(ABORT, '{REVERSAL}')
        WHERE NEW.reverses_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ledgerentry o
            WHERE o.id = NEW.reverses_id AND o.amount = -NEW.amount AND o.client_id = NEW.client_id
              AND o.reseller_id = NEW.reseller_id AND o.kind <> 'reversal'
        );
    END
    """,
]

POSTGRESQL = [
    f"""
    CREATE FUNCTION ledgerentry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY} (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    f"""
    CREATE FUNCTION ledgerentry_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (NEW.kind = 'payment' AND NEW.amount < 0)
           OR (NEW.kind IN ('charge', 'call', 'fax', 'fee') AND NEW.amount > 0) THEN
            RAISE EXCEPTION '{SIGN}' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.reverses_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ledgerentry o
            WHERE o.id = NEW.reverses_id AND o.amount = -NEW.amount AND o.client_id = NEW.client_id
              AND o.reseller_id = NEW.reseller_id AND o.kind <> 'reversal'
        ) THEN
            RAISE EXCEPTION '{REVERSAL}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER ledgerentry_no_change BEFORE UPDATE OR DELETE ON ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledgerentry_refuse_change()
    """,
    """
    CREATE TRIGGER ledgerentry_no_truncate BEFORE TRUNCATE ON ledgerentry
    FOR EACH STATEMENT EXECUTE FUNCTION ledgerentry_refuse_change()
    """,
    """
    CREATE TRIGGER ledgerentry_check_insert BEFORE INSERT ON ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledgerentry_check_insert()
    """,
]

DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS ledgerentry_check_insert",
        "DROP TRIGGER IF EXISTS ledgerentry_no_delete",
        "DROP TRIGGER IF EXISTS ledgerentry_no_update",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS ledgerentry_check_insert ON ledgerentry",
        "DROP TRIGGER IF EXISTS ledgerentry_no_truncate ON ledgerentry",
        "DROP TRIGGER IF EXISTS ledgerentry_no_change ON ledgerentry",
        "DROP FUNCTION IF EXISTS ledgerentry_check_insert()",
        "DROP FUNCTION IF EXISTS ledgerentry_refuse_change()",
    ],
}


def create_ledger_triggers() -> None:
    """Create the ledger's triggers for the dialect of the migration's connection."""
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect)
    if statements is None:
        raise NotImplementedError(f"the ledger's triggers exist for SQLite and PostgreSQL, not {dialect}")
    for sql in statements:
        op.execute(sql)


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", rt.UTCDateTime(), nullable=True))
    create_ledger_triggers()


def downgrade() -> None:
    for sql in DROP[op.get_bind().dialect.name]:
        op.execute(sql)
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
