"""Two partial indexes for the overdue scan: the dossiers that ended late (about 7 % of the closed ones), so the
"returned late" pass reads the last days of them instead of every dossier; and the open dossiers sent back for
supplements more than once (late whatever their due time), so "open and (past due or >1 supplement)" is two index
ranges instead of a read of every open dossier

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

ENDED_LATE = sa.text("NOT is_open AND (ended_at > due_at OR supplement_count > 1)")
OPEN_SUPPLEMENTS = sa.text("is_open AND supplement_count > 1")


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_ended_late', ['ended_at'], unique=False, sqlite_where=ENDED_LATE,
                              postgresql_where=ENDED_LATE)
        batch_op.create_index('ix_dossier_open_supplements', ['due_at'], unique=False,
                              sqlite_where=OPEN_SUPPLEMENTS, postgresql_where=OPEN_SUPPLEMENTS)


def downgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_open_supplements', sqlite_where=OPEN_SUPPLEMENTS,
                            postgresql_where=OPEN_SUPPLEMENTS)
        batch_op.drop_index('ix_dossier_ended_late', sqlite_where=ENDED_LATE, postgresql_where=ENDED_LATE)
