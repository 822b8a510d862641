"""workflow store: initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 06:49:30.684799
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

OPEN_WITH_RULE = "status = 'open' AND rule IS NOT NULL"

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('table_name', sa.String(length=100), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('churn_reasons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('movement', sa.String(length=20), nullable=False),
    sa.Column('arr_lost', sa.Float(), nullable=False),
    sa.Column('primary_reason', sa.String(length=100), nullable=False),
    sa.Column('secondary_reason', sa.String(length=100), nullable=True),
    sa.Column('voluntary', sa.Boolean(), nullable=False),
    sa.Column('competitor', sa.String(length=200), nullable=True),
    sa.Column('stay_condition', sa.Text(), nullable=True),
    sa.Column('interviewed', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.String(length=320), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('churn_reasons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_churn_reasons_account_id'), ['account_id'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('exec_owner_person_id', sa.String(length=100), nullable=True),
    sa.Column('cross_functional_owner', sa.String(length=200), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_account_id'), ['account_id'], unique=False)

    op.create_table('feature_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('title')
    )
    op.create_table('handoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('power_users', sa.Text(), nullable=True),
    sa.Column('pain_point', sa.Text(), nullable=True),
    sa.Column('gotchas', sa.Text(), nullable=True),
    sa.Column('success_criteria', sa.Text(), nullable=True),
    sa.Column('stakeholders', sa.Text(), nullable=True),
    sa.Column('promised_integrations', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.String(length=320), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('for_date', sa.Date(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('delivery', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_account_id'), ['account_id'], unique=False)
        batch_op.create_index('one_message_per_rule_account_day', ['rule', 'account_id', 'for_date'], unique=True)

    op.create_table('owner_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('owner_person_id', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('assigned_by', sa.String(length=320), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('owner_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_assignments_account_id'), ['account_id'], unique=False)

    op.create_table('playbooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('success_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('success_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_success_plans_account_id'), ['account_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('ctas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('owner_person_id', sa.String(length=100), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbooks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ctas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ctas_account_id'), ['account_id'], unique=False)
        batch_op.create_index('one_open_cta_per_rule', ['rule', 'account_id'], unique=True, 
                                sqlite_where=sa.text(OPEN_WITH_RULE), postgresql_where=sa.text(OPEN_WITH_RULE))

    op.create_table('feature_request_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('beta_enrolled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['feature_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feature_request_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feature_request_accounts_account_id'), ['account_id'], unique=False)

    op.create_table('playbook_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner_role', sa.String(length=20), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbooks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('success_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.Text(), nullable=False),
    sa.Column('agreed_before_signature', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['success_plans.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cta_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner_role', sa.String(length=20), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cta_id'], ['ctas.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('timeline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=320), nullable=True),
    sa.Column('cta_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cta_id'], ['ctas.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('timeline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_account_id'), ['account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('timeline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_account_id'))

    op.drop_table('timeline')
    op.drop_table('tasks')
    op.drop_table('success_criteria')
    op.drop_table('playbook_steps')
    with op.batch_alter_table('feature_request_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feature_request_accounts_account_id'))

    op.drop_table('feature_request_accounts')
    with op.batch_alter_table('ctas', schema=None) as batch_op:
        batch_op.drop_index('one_open_cta_per_rule', 
                                sqlite_where=sa.text(OPEN_WITH_RULE), postgresql_where=sa.text(OPEN_WITH_RULE))
        batch_op.drop_index(batch_op.f('ix_ctas_account_id'))

    op.drop_table('ctas')
    op.drop_table('users')
    with op.batch_alter_table('success_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_success_plans_account_id'))

    op.drop_table('success_plans')
    op.drop_table('playbooks')
    with op.batch_alter_table('owner_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_assignments_account_id'))

    op.drop_table('owner_assignments')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('one_message_per_rule_account_day')
        batch_op.drop_index(batch_op.f('ix_outbox_account_id'))

    op.drop_table('outbox')
    op.drop_table('handoffs')
    op.drop_table('feature_requests')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_account_id'))

    op.drop_table('escalations')
    with op.batch_alter_table('churn_reasons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_churn_reasons_account_id'))

    op.drop_table('churn_reasons')
    op.drop_table('audit_log')
