"""Public scoreboard: a unit's publishing switch, and the public pages' request counter per address and minute

Revision ID: 0013
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_publication',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('is_names_published', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_publication_unit_id_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_unit_publication_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_publication'))
    )
    op.create_table('public_hit',
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('address', 'window_start', name=op.f('pk_public_hit'))
    )
    with op.batch_alter_table('public_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_hit_window_start'), ['window_start'], unique=False)


def downgrade():
    with op.batch_alter_table('public_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_hit_window_start'))
    op.drop_table('public_hit')
    op.drop_table('unit_publication')
