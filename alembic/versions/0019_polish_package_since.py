"""Polish (issue 20): when a sub-account's package was assigned (its monthly fee starts then), the reseller's
favicon, and the payment instructions a suspended client sees.

Revision ID: 0019_polish
Revises: 0018_staff
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import reseller_app.models.types as rt

revision: str = "0019_polish"
down_revision: str | None = "0018_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subaccount", schema=None) as batch_op:
        batch_op.add_column(sa.Column("package_since", rt.UTCDateTime(), nullable=True))
    # What was assigned before this column existed counts from the sub-account's creation (the best date known).
    op.execute("UPDATE subaccount SET package_since = created_at WHERE package_id IS NOT NULL")
    with op.batch_alter_table("resellersettings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("img_favicon", rt.AutoString(length=500), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("payment_instructions", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("resellersettings", schema=None) as batch_op:
        batch_op.drop_column("payment_instructions")
        batch_op.drop_column("img_favicon")
    with op.batch_alter_table("subaccount", schema=None) as batch_op:
        batch_op.drop_column("package_since")
