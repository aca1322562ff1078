"""Staff (issue 22): staff members with roles, their sessions, and an append-only audit log with addresses.

- `staffmember`: a reseller's staff (role, status, hashed single-use invitation); `loginsession.staff_id`;
- `twofactor`: one login's TOTP secret and hashed recovery codes; `reseller.require_staff_2fa`;
- `auditlog.staff_id`: the staff member who acted (None for the owner, a client or a job);
- `auditlog.ip`: the address the request came from ("" for the system and for rows written before);
- an index on (reseller_id, created_at) for the reseller's Audit log page (newest first, period filter);
- triggers on `auditlog`, on SQLite and PostgreSQL alike, as the ledger's (0011): a DELETE of a row is refused (and
  on PostgreSQL a TRUNCATE), and so is an UPDATE, with one exception: erasure. Deleting a client removes personal
  data (its email) from the `detail` of its entries (services/clients/accounts.delete_client), so an UPDATE may
  take keys out of `detail` and change nothing else (every other column the same, every remaining key with its
  old value). Only the test suite's reset suspends the triggers, inside its own transaction (tests/conftest.py).

Revision ID: 0018_staff
Revises: 0017_unreadable_cdr
Create Date: 2026-12-01 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import reseller_app.models.types as rt
from alembic import op

revision: str = "0018_staff"
down_revision: str | None = "0017_unreadable_cdr"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "auditlog is append-only: its entries cannot be edited or deleted"

# The columns an UPDATE must leave as they are (all but `detail`).
FIXED = (
    "id",
    "reseller_id",
    "actor_role",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "created_at",
    "ip",
    "staff_id",
)

SQLITE = [
    f"""
    CREATE TRIGGER auditlog_no_update BEFORE UPDATE ON auditlog
    BEGIN
        SELECT RAISE(ABORT, '{APPEND_ONLY}')
        WHERE {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)}
           OR EXISTS (
               SELECT 1 FROM json_each(NEW.detail) n
               WHERE NOT EXISTS (SELECT 1 FROM json_each(OLD.detail) o WHERE o.key = n.key AND o.value IS n.value)
           );
    END
    """,
    f"""
    CREATE TRIGGER auditlog_no_delete BEFORE DELETE ON auditlog
    BEGIN
        SELECT RAISE(ABORT, '{APPEND_ONLY}');
    END
    """,
]

POSTGRESQL = [
    f"""
    CREATE FUNCTION auditlog_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND ({", ".join(f"NEW.{c}" for c in FIXED)}) IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in FIXED)})
           AND NEW.detail::jsonb <@ OLD.detail::jsonb THEN
            RETURN NEW;  -- erasure: keys taken out of detail, nothing else changed
        END IF;
        RAISE EXCEPTION '{APPEND_ONLY} (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER auditlog_no_change BEFORE UPDATE OR DELETE ON auditlog
    FOR EACH ROW EXECUTE FUNCTION auditlog_refuse_change()
    """,
    """
    CREATE TRIGGER auditlog_no_truncate BEFORE TRUNCATE ON auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION auditlog_refuse_change()
    """,
]

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS auditlog_no_delete", "DROP TRIGGER IF EXISTS auditlog_no_update"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS auditlog_no_truncate ON auditlog",
        "DROP TRIGGER IF EXISTS auditlog_no_change ON auditlog",
        "DROP FUNCTION IF EXISTS auditlog_refuse_change()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "staffmember",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reseller_id", sa.Integer(), nullable=False),
        sa.Column("email", rt.AutoString(length=254), nullable=False),
        sa.Column("name", rt.AutoString(length=120), nullable=False),
        sa.Column("role", rt.AutoString(length=8), nullable=False),
        sa.Column("status", rt.AutoString(length=8), nullable=False),
        sa.Column("password_hash", rt.AutoString(length=255), nullable=False),
        sa.Column("invite_hash", rt.AutoString(length=64), nullable=True),
        sa.Column("invite_expires_at", rt.UTCDateTime(), nullable=True),
        sa.Column("created_at", rt.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", rt.UTCDateTime(), nullable=True),
        sa.CheckConstraint("role IN ('admin','support','billing','readonly')", name="ck_staff_role"),
        sa.CheckConstraint("status IN ('invited','active','disabled','removed')", name="ck_staff_status"),
        sa.ForeignKeyConstraint(["reseller_id"], ["reseller.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("invite_hash"),
    )
    op.create_index("ix_staffmember_reseller_id", "staffmember", ["reseller_id"])
    op.create_table(
        "twofactor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reseller_id", sa.Integer(), nullable=False),
        sa.Column("login_key", rt.AutoString(length=24), nullable=False),
        sa.Column("secret", rt.AutoString(length=64), nullable=False),
        sa.Column("recovery_hashes", sa.JSON(), nullable=False),
        sa.Column("confirmed_at", rt.UTCDateTime(), nullable=True),
        sa.Column("created_at", rt.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["reseller_id"], ["reseller.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login_key"),
    )
    op.create_index("ix_twofactor_reseller_id", "twofactor", ["reseller_id"])
    with op.batch_alter_table("reseller", schema=None) as batch_op:
        batch_op.add_column(sa.Column("require_staff_2fa", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_loginsession_staff_id", ["staff_id"])
        batch_op.create_foreign_key("fk_loginsession_staff_id", "staffmember", ["staff_id"], ["id"])
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip", rt.AutoString(length=45), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
    op.create_index("ix_auditlog_reseller_created", "auditlog", ["reseller_id", "created_at"])
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(op.get_bind().dialect.name)
    if statements is None:
        raise NotImplementedError("the audit log's triggers exist for SQLite and PostgreSQL")
    for sql in statements:
        op.execute(sql)


def downgrade() -> None:
    for sql in DROP[op.get_bind().dialect.name]:
        op.execute(sql)
    op.drop_index("ix_auditlog_reseller_created", table_name="auditlog")
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.drop_column("staff_id")
        batch_op.drop_column("ip")
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.drop_constraint("fk_loginsession_staff_id", type_="foreignkey")
        batch_op.drop_index("ix_loginsession_staff_id")
        batch_op.drop_column("staff_id")
    with op.batch_alter_table("reseller", schema=None) as batch_op:
        batch_op.drop_column("require_staff_2fa")
    op.drop_index("ix_twofactor_reseller_id", table_name="twofactor")
    op.drop_table("twofactor")
    op.drop_index("ix_staffmember_reseller_id", table_name="staffmember")
    op.drop_table("staffmember")
