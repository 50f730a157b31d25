"""Indexes of the score-side pages at province scale: score totals per unit and period (covering on PostgreSQL),
the newest change of a score (the data version of cached totals), assignments in force per scope, and the
assignments an officer performs

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('score_record', schema=None) as batch_op:
        # totals, ranks and trends: unit IN (...), kind, whole-unit rows, a range of period starts; on PostgreSQL
        # the columns a total reads ride along, so the peers' 36 months are read from the index alone
        batch_op.create_index('ix_score_record_totals', ['unit_id', 'period_kind', 'formality_code', 'period_start'],
                              unique=False,
                              postgresql_include=['source', 'subject_key', 'indicator_id', 'group_id', 'points'])
        batch_op.create_index('ix_score_record_updated_at', ['updated_at'], unique=False)
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_scope_in_force', ['scope_unit_id', 'effective_to', 'effective_from'],
                              unique=False)
    with op.batch_alter_table('assignment_performer', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_performer_user', ['user_id', 'assignment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('assignment_performer', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_performer_user')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_scope_in_force')
    with op.batch_alter_table('score_record', schema=None) as batch_op:
        batch_op.drop_index('ix_score_record_updated_at')
        batch_op.drop_index('ix_score_record_totals')
