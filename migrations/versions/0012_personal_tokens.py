"""Personal access tokens of users (the read API) and the API's per-caller request counters

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_user_token_name_present')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_user_token_expires_after_created')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_token_token_hash'))
    )
    with op.batch_alter_table('user_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_token_user_id'), ['user_id'], unique=False)

    op.create_table('api_rate_counter',
    sa.Column('caller', sa.String(length=40), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.CheckConstraint('hits >= 0', name=op.f('ck_api_rate_counter_hits_not_negative')),
    sa.PrimaryKeyConstraint('caller', 'window_start', name=op.f('pk_api_rate_counter'))
    )
    with op.batch_alter_table('api_rate_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_rate_counter_window_start'), ['window_start'], unique=False)


def downgrade():
    with op.batch_alter_table('api_rate_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_rate_counter_window_start'))
    op.drop_table('api_rate_counter')
    with op.batch_alter_table('user_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_token_user_id'))
    op.drop_table('user_token')
