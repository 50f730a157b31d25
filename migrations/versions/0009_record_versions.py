"""Optimistic locking: a version number on the records people edit in place (plan, assignment, score record,
explanation); every UPDATE checks it, so a second editor is told instead of overwriting the first

Revision ID: 0009
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ('plan', 'assignment', 'score_record', 'score_explanation')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
            batch_op.create_check_constraint(op.f(f'ck_{table}_version_positive'), 'version >= 1')


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_version_positive'), type_='check')
            batch_op.drop_column('version')
