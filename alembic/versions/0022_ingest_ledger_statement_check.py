"""The ledger's insert rules checked once per statement on PostgreSQL (issue 23: CDR ingest at carrier scale).

The rules are the same as 0011's (and 0014's sign list): a payment is positive; a charge, call, fax, fee or message
is negative; a reversal carries the exact opposite amount of an entry of the same client and reseller that is not
itself a reversal. What changes is how PostgreSQL checks them: the row trigger ran a plpgsql function for every
inserted row, which was about half the time of the CDR ingest's COPY of its postings; now one AFTER INSERT trigger
per statement checks the statement's rows at once (`REFERENCING NEW TABLE`, a transition table), with the same
messages and error code. An error raised there aborts the statement like the row trigger's did, so nothing of a
refused insert remains.

SQLite has no statement-level triggers: its row trigger stays as it is (and is cheap there: no function call).

Revision ID: 0022_ingest
Revises: 0021_i18n
Create Date: 2026-12-01 19:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022_ingest"
down_revision: str | None = "0021_i18n"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGN = "ledgerentry: a payment must be positive; a charge, call, fax or fee negative"
REVERSAL = (
    "ledgerentry: a reversal must carry the exact opposite amount of an entry of the same client "
    "that is not itself a reversal"
)
NEGATIVE = "('charge', 'call', 'fax', 'fee', 'message')"

STATEMENT = [
    f"""
    CREATE FUNCTION ledgerentry_check_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM inserted n
            WHERE (n.kind = 'payment' AND n.amount < 0) OR (n.kind IN {NEGATIVE} AND n.amount > 0)
        ) THEN
            RAISE EXCEPTION '{SIGN}' USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (
            SELECT 1 FROM inserted n
            WHERE n.reverses_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM ledgerentry o
                WHERE o.id = n.reverses_id AND o.amount = -n.amount AND o.client_id = n.client_id
                  AND o.reseller_id = n.reseller_id AND o.kind <> 'reversal'
            )
        ) THEN
            RAISE EXCEPTION '{REVERSAL}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER ledgerentry_check_insert AFTER INSERT ON ledgerentry
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION ledgerentry_check_inserted()
    """,
]

ROW = [
    f"""
    CREATE OR REPLACE FUNCTION ledgerentry_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (NEW.kind = 'payment' AND NEW.amount < 0)
           OR (NEW.kind IN {NEGATIVE} AND NEW.amount > 0) THEN
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
    CREATE TRIGGER ledgerentry_check_insert BEFORE INSERT ON ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledgerentry_check_insert()
    """,
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER ledgerentry_check_insert ON ledgerentry")
    op.execute("DROP FUNCTION ledgerentry_check_insert()")
    for sql in STATEMENT:
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER ledgerentry_check_insert ON ledgerentry")
    op.execute("DROP FUNCTION ledgerentry_check_inserted()")
    for sql in ROW:
        op.execute(sql)
