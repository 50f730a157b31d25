"""The interface language a user chose (NULL: the session's, else Vietnamese)

Revision ID: 0011
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))
        batch_op.create_check_constraint('locale_known', "locale IS NULL OR locale IN ('vi', 'en')")


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_locale_known'), type_='check')
        batch_op.drop_column('locale')
