"""Languages (issue 21): a client's chosen portal language; a reseller's default and enabled languages and its own
texts in the other languages.

Revision ID: 0021_i18n
Revises: 0020_staff_client_2fa
Create Date: 2026-12-01 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import reseller_app.models.types as rt

revision: str = "0021_i18n"
down_revision: str | None = "0020_staff_client_2fa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", rt.AutoString(length=16), nullable=False, server_default=""))
    with op.batch_alter_table("resellersettings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("default_language", rt.AutoString(length=16), nullable=False, server_default="en")
        )
        batch_op.add_column(
            sa.Column("languages", sa.JSON(), nullable=False, server_default='["en", "fr_CA", "es_MX"]')
        )
        batch_op.add_column(sa.Column("translations", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("resellersettings", schema=None) as batch_op:
        batch_op.drop_column("translations")
        batch_op.drop_column("languages")
        batch_op.drop_column("default_language")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("language")
