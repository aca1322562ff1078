"""area rate uniqueness per prefix and per country

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-26 05:40:58.748060
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import reseller_app.models.types as rt


revision: str = '0003'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    with op.batch_alter_table('arearate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_area_rate'), type_='unique')
        batch_op.create_index('uq_area_rate_country', ['package_id', 'country'], unique=True, sqlite_where=sa.text('country IS NOT NULL'), postgresql_where=sa.text('country IS NOT NULL'))
        batch_op.create_index('uq_area_rate_prefix', ['package_id', 'prefix'], unique=True, sqlite_where=sa.text('prefix IS NOT NULL'), postgresql_where=sa.text('prefix IS NOT NULL'))




def downgrade() -> None:
    
    with op.batch_alter_table('arearate', schema=None) as batch_op:
        batch_op.drop_index('uq_area_rate_prefix', sqlite_where=sa.text('prefix IS NOT NULL'), postgresql_where=sa.text('prefix IS NOT NULL'))
        batch_op.drop_index('uq_area_rate_country', sqlite_where=sa.text('country IS NOT NULL'), postgresql_where=sa.text('country IS NOT NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_area_rate'), ['package_id', 'prefix', 'country'])


