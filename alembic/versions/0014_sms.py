"""Text messages (issue 18): the `message` table, SMS settings per number, per-message package rates, and the
ledger kind `message` (negative, like a call).

On SQLite the kind CHECK rebuilds `ledgerentry` (batch "move and copy"), which drops its triggers: they are created
again afterwards from their stored SQL, with the sign rule extended to `message`. On PostgreSQL the trigger
function is replaced.

Revision ID: 0014_sms
Revises: 0013_invoicing
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import reseller_app.models.types as rt


revision: str = "0014_sms"
down_revision: str | None = "0013_invoicing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_OLD = "kind IN ('payment','charge','call','fax','fee','reversal','tax','credit')"
KINDS_NEW = "kind IN ('payment','charge','call','fax','fee','reversal','tax','credit','message')"
SIGN_OLD = "('charge', 'call', 'fax', 'fee')"
SIGN_NEW = "('charge', 'call', 'fax', 'fee', 'message')"


def _set_ledger_kinds(check: str, sign_from: str, sign_to: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint("ck_ledger_kind", "ledgerentry", type_="check")
        op.create_check_constraint("ck_ledger_kind", "ledgerentry", check)
        (body,) = bind.exec_driver_sql("SELECT pg_get_functiondef('ledgerentry_check_insert'::regproc)").one()
        bind.exec_driver_sql(body.replace(sign_from, sign_to))
        return
    triggers = [
        sql
        for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledgerentry' ORDER BY name"
        ).all()
    ]
    with op.batch_alter_table("ledgerentry", recreate="always") as batch_op:
        batch_op.drop_constraint("ck_ledger_kind", type_="check")
        batch_op.create_check_constraint("ck_ledger_kind", check)
    for sql in triggers:
        bind.exec_driver_sql(sql.replace(sign_from, sign_to))


def upgrade() -> None:
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reseller_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("did_id", sa.Integer(), nullable=True),
        sa.Column("carrier_id", rt.AutoString(length=64), nullable=False),
        sa.Column("kind", rt.AutoString(length=3), nullable=False),
        sa.Column("direction", rt.AutoString(length=3), nullable=False),
        sa.Column("did", rt.AutoString(length=20), nullable=False),
        sa.Column("contact", rt.AutoString(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("encoding", rt.AutoString(length=8), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("cost_rate", rt.Money(), nullable=False),
        sa.Column("sell_rate", rt.Money(), nullable=False),
        sa.Column("cost", rt.Money(), nullable=False),
        sa.Column("price", rt.Money(), nullable=False),
        sa.Column("profit", rt.Money(), nullable=False),
        sa.Column("reason", rt.AutoString(length=16), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("sent_at", rt.UTCDateTime(), nullable=False),
        sa.Column("created_at", rt.UTCDateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('in','out')", name="ck_message_direction"),
        sa.CheckConstraint("kind IN ('sms','mms')", name="ck_message_kind"),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["did_id"], ["did.id"]),
        sa.ForeignKeyConstraint(["reseller_id"], ["reseller.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reseller_id", "carrier_id", name="uq_message_carrier_id"),
    )
    op.create_index("ix_message_client_thread", "message", ["client_id", "did", "contact", "sent_at"])
    op.create_index("ix_message_reseller_sent", "message", ["reseller_id", "sent_at"])
    with op.batch_alter_table("did", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sms_enabled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("sms_email", rt.AutoString(length=254), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("sms_forward", rt.AutoString(length=20), nullable=False, server_default=""))
    with op.batch_alter_table("sandboxdid", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sms_enabled", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("package", schema=None) as batch_op:
        for name in ("sms_out_rate", "sms_in_rate", "mms_out_rate", "mms_in_rate"):
            batch_op.add_column(sa.Column(name, rt.Money(), nullable=True))
    _set_ledger_kinds(KINDS_NEW, SIGN_OLD, SIGN_NEW)


def downgrade() -> None:
    _set_ledger_kinds(KINDS_OLD, SIGN_NEW, SIGN_OLD)
    with op.batch_alter_table("package", schema=None) as batch_op:
        for name in ("mms_in_rate", "mms_out_rate", "sms_in_rate", "sms_out_rate"):
            batch_op.drop_column(name)
    with op.batch_alter_table("sandboxdid", schema=None) as batch_op:
        batch_op.drop_column("sms_enabled")
    with op.batch_alter_table("did", schema=None) as batch_op:
        batch_op.drop_column("sms_forward")
        batch_op.drop_column("sms_email")
        batch_op.drop_column("sms_enabled")
    op.drop_index("ix_message_reseller_sent", table_name="message")
    op.drop_index("ix_message_client_thread", table_name="message")
    op.drop_table("message")
