"""Dossier indexes for the province scale: partial indexes on the open dossiers (the scan, the live statistics), a
data version bumped by every dossier write and the statistics cache keyed on it

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OPEN = sa.text("is_open")


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_open_due')
        batch_op.create_index('ix_dossier_open_due', ['due_at'], unique=False, sqlite_where=OPEN,
                              postgresql_where=OPEN)
        batch_op.create_index('ix_dossier_open_unit', ['handling_unit_id', 'due_at'], unique=False,
                              sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_table('dossier_data_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_dossier_data_version_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_data_version'))
    )
    op.execute("INSERT INTO dossier_data_version (id, version) VALUES (1, 0)")
    op.create_table('dossier_stats_cache',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_dossier_stats_cache'))
    )
    with op.batch_alter_table('dossier_stats_cache', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_stats_cache_version'), ['version'], unique=False)


def downgrade():
    with op.batch_alter_table('dossier_stats_cache', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_stats_cache_version'))
    op.drop_table('dossier_stats_cache')
    op.drop_table('dossier_data_version')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_open_unit', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_index('ix_dossier_open_due', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_dossier_open_due', ['is_open', 'due_at'], unique=False)
