"""The partial index on the open dossiers covers what the pressure and the running month's projection read of them
(PostgreSQL INCLUDE), so both are index-only scans of ~1 % of the table instead of one heap page per open dossier

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

OPEN = sa.text("is_open")
COVER = ["received_at", "ended_at", "is_open", "supplement_count", "apology_at", "status", "channel",
         "paid_online", "digitized", "e_result", "rating"]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no INCLUDE; its partial index stays as it is
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_open_unit', postgresql_where=OPEN)
        batch_op.create_index('ix_dossier_open_unit', ['handling_unit_id', 'due_at'], unique=False,
                              postgresql_where=OPEN, postgresql_include=COVER)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_open_unit', postgresql_where=OPEN)
        batch_op.create_index('ix_dossier_open_unit', ['handling_unit_id', 'due_at'], unique=False,
                              postgresql_where=OPEN)
