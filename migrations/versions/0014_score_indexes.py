"""Indexes of the score-side pages at province scale: score totals per unit and period (covering on PostgreSQL),
the newest change of a score, assignments in force per scope, the assignments an officer performs; and the score
data version, a number that triggers move with every statement writing score records or indicators (the key of
remembered totals, app/scores/totals.py)

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

BUMP_SQLITE = ("INSERT OR REPLACE INTO score_data_version (id, version) "
               "VALUES (1, COALESCE((SELECT version FROM score_data_version WHERE id = 1), 0) + 1)")
WATCHED = ('score_record', 'indicator')
POSTGRESQL_FUNCTION = (
    "CREATE FUNCTION score_data_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO score_data_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = score_data_version.version + 1; RETURN NULL; END $$"
)


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
    op.create_table('score_data_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_score_data_version_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_data_version'))
    )
    op.execute("INSERT INTO score_data_version (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        for table in WATCHED:  # once per statement (COPY and bulk inserts included), TRUNCATE too
            op.execute(f"CREATE TRIGGER {table}_bumps_score_data AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION score_data_bump()")
    else:
        for table in WATCHED:  # SQLite has row triggers only
            for event in ('INSERT', 'UPDATE', 'DELETE'):
                op.execute(f"CREATE TRIGGER {table}_{event.lower()}_bumps_score_data AFTER {event} ON {table} "
                           f"BEGIN {BUMP_SQLITE}; END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_bumps_score_data ON {table}")
        op.execute("DROP FUNCTION score_data_bump()")
    else:
        for table in WATCHED:
            for event in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER {table}_{event}_bumps_score_data")
    op.drop_table('score_data_version')
    with op.batch_alter_table('assignment_performer', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_performer_user')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_scope_in_force')
    with op.batch_alter_table('score_record', schema=None) as batch_op:
        batch_op.drop_index('ix_score_record_updated_at')
        batch_op.drop_index('ix_score_record_totals')
