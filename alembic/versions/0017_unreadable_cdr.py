"""unreadable carrier call records: kept for the reseller instead of skipped

Revision ID: 0017_unreadable_cdr
Revises: 0016_callflows
Create Date: 2026-12-01 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import reseller_app.models.types as rt


revision: str = '0017_unreadable_cdr'
down_revision: str | None = '0016_callflows'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('unreadablecdr',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reseller_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', rt.AutoString(length=64), nullable=False),
    sa.Column('uniqueid', rt.AutoString(length=64), nullable=False),
    sa.Column('call_date', rt.AutoString(length=40), nullable=False),
    sa.Column('reason', rt.AutoString(length=255), nullable=False),
    sa.Column('raw', rt.AutoString(length=2000), nullable=False),
    sa.Column('first_seen_at', rt.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', rt.UTCDateTime(), nullable=False),
    sa.Column('times_seen', sa.Integer(), nullable=False),
    sa.Column('handled_at', rt.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['reseller_id'], ['reseller.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reseller_id', 'fingerprint', name='uq_unreadable_cdr')
    )
    with op.batch_alter_table('unreadablecdr', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unreadablecdr_reseller_id'), ['reseller_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unreadablecdr', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unreadablecdr_reseller_id'))
    op.drop_table('unreadablecdr')
