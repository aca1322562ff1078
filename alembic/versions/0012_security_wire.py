"""Security on the wire (issue 15): impersonation sessions name their reseller session; outbox secrets apart.

Revision ID: 0012_security
Revises: 0011_ledger
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import reseller_app.models.types as rt

revision: str = "0012_security"
down_revision: str | None = "0011_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_session_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_loginsession_parent_session_id"), ["parent_session_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_loginsession_parent_session_id_loginsession", "loginsession", ["parent_session_id"], ["id"]
        )
    with op.batch_alter_table("outboundemail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secrets", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", rt.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboundemail", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("secrets")
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.drop_constraint("fk_loginsession_parent_session_id_loginsession", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_loginsession_parent_session_id"))
        batch_op.drop_column("parent_session_id")
