"""Audit trail: where an entry came from (source, client address, user agent), a snapshot of the actor (username,
name, unit) instead of a foreign key that nulls it, the unit the object belonged to; append-only enforced by the
database (triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE refused'); END",
)

POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP USING ERRCODE = '55000'; END $$",
    "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()",
)


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entry_actor_id_user'), type_='foreignkey')
        batch_op.add_column(sa.Column('actor_username', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('actor_name', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('actor_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='system', nullable=False))
        batch_op.add_column(sa.Column('ip_address', sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column('user_agent', sa.String(length=255), nullable=True))
        batch_op.create_check_constraint(
            'source_known', "source IN ('web', 'api', 'cli', 'scheduler', 'system')")
        batch_op.create_index(batch_op.f('ix_audit_entry_actor_unit_id'), ['actor_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)

    # Entries written before: the actor's snapshot and the object's unit where it can be told.
    op.execute(
        'UPDATE audit_entry SET '
        'actor_username = COALESCE((SELECT u.username FROM "user" u WHERE u.id = audit_entry.actor_id), \'\'), '
        'actor_name = COALESCE((SELECT u.full_name FROM "user" u WHERE u.id = audit_entry.actor_id), \'\'), '
        'actor_unit_id = (SELECT u.unit_id FROM "user" u WHERE u.id = audit_entry.actor_id) '
        'WHERE actor_id IS NOT NULL')
    op.execute("UPDATE audit_entry SET unit_id = object_id WHERE object_type = 'unit'")
    for table in ('user', 'score_record', 'score_explanation', 'document', 'api_token'):
        op.execute(f'UPDATE audit_entry SET unit_id = (SELECT t.unit_id FROM "{table}" t '
                   f'WHERE t.id = audit_entry.object_id) WHERE object_type = \'{table}\'')
    op.execute('UPDATE audit_entry SET unit_id = (SELECT a.scope_unit_id FROM assignment a '
               'WHERE a.id = audit_entry.object_id) WHERE object_type = \'assignment\'')
    op.execute('UPDATE audit_entry SET unit_id = (SELECT d.handling_unit_id FROM dossier_claim c '
               'JOIN dossier d ON d.id = c.dossier_id WHERE c.id = audit_entry.object_id) '
               'WHERE object_type = \'dossier_claim\'')

    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRESQL_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_entry_no_truncate ON audit_entry')
        op.execute('DROP TRIGGER audit_entry_no_change ON audit_entry')
        op.execute('DROP FUNCTION audit_entry_append_only()')
    else:
        op.execute('DROP TRIGGER audit_entry_no_delete')
        op.execute('DROP TRIGGER audit_entry_no_update')
    # the old foreign key cannot name accounts that are gone
    op.execute('UPDATE audit_entry SET actor_id = NULL WHERE actor_id IS NOT NULL AND actor_id NOT IN '
               '(SELECT id FROM "user")')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_unit_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor_unit_id'))
        batch_op.drop_constraint(op.f('ck_audit_entry_source_known'), type_='check')
        batch_op.drop_column('user_agent')
        batch_op.drop_column('ip_address')
        batch_op.drop_column('source')
        batch_op.drop_column('unit_id')
        batch_op.drop_column('actor_unit_id')
        batch_op.drop_column('actor_name')
        batch_op.drop_column('actor_username')
        batch_op.create_foreign_key('fk_audit_entry_actor_id_user', 'user', ['actor_id'], ['id'],
                                    ondelete='SET NULL')
