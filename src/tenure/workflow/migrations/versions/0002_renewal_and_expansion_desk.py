"""renewal and expansion desk: forecast calls, deal-vetting flags, advocacy records

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('renewal_date', sa.Date(), nullable=False),
    sa.Column('call', sa.String(length=20), nullable=False),
    sa.Column('arr', sa.Float(), nullable=False),
    sa.Column('owner_person_id', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('called_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_forecast_calls_account_id', 'forecast_calls', ['account_id'], unique=False)
    op.create_table('deal_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.String(length=100), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('fit_score', sa.Float(), nullable=True),
    sa.Column('flagged_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_deal_flags_opportunity_id', 'deal_flags', ['opportunity_id'], unique=False)
    op.create_index('ix_deal_flags_account_id', 'deal_flags', ['account_id'], unique=False)
    op.create_index('one_flag_per_deal_rule', 'deal_flags', ['opportunity_id', 'rule'], unique=True)
    op.create_table('advocacy_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('contact_id', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('referred_account_id', sa.String(length=100), nullable=True),
    sa.Column('recorded_by', sa.String(length=320), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_advocacy_records_account_id', 'advocacy_records', ['account_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_advocacy_records_account_id', table_name='advocacy_records')
    op.drop_table('advocacy_records')
    op.drop_index('one_flag_per_deal_rule', table_name='deal_flags')
    op.drop_index('ix_deal_flags_account_id', table_name='deal_flags')
    op.drop_index('ix_deal_flags_opportunity_id', table_name='deal_flags')
    op.drop_table('deal_flags')
    op.drop_index('ix_forecast_calls_account_id', table_name='forecast_calls')
    op.drop_table('forecast_calls')
