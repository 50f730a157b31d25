"""Explanations are reviewed: every submission is an immutable version (the stored explanation becomes version 1)
and a reviewer accepts it or returns it with a comment; the explanation keeps its review state

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('score_explanation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=12), server_default='submitted', nullable=False))
        batch_op.create_check_constraint(op.f('ck_score_explanation_state_known'),
                                         "state IN ('submitted', 'accepted', 'returned')")
    op.create_table('score_explanation_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('explanation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_score_explanation_version_number_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_score_explanation_version_author_id_user'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['explanation_id'], ['score_explanation.id'],
                            name=op.f('fk_score_explanation_version_explanation_id_score_explanation'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_explanation_version')),
    sa.UniqueConstraint('explanation_id', 'number', name='uq_score_explanation_version_number')
    )
    op.create_table('score_explanation_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('explanation_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('accepted', 'returned')", name=op.f('ck_score_explanation_review_decision_known')),
    sa.CheckConstraint("decision <> 'returned' OR length(trim(comment)) > 0",
                       name=op.f('ck_score_explanation_review_returned_has_comment')),
    sa.ForeignKeyConstraint(['explanation_id'], ['score_explanation.id'],
                            name=op.f('fk_score_explanation_review_explanation_id_score_explanation'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_score_explanation_review_reviewer_id_user'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['score_explanation_version.id'],
                            name=op.f('fk_score_explanation_review_version_id_score_explanation_version'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_explanation_review')),
    sa.UniqueConstraint('version_id', name='uq_score_explanation_review_version')
    )
    with op.batch_alter_table('score_explanation_review', schema=None) as batch_op:
        batch_op.create_index('ix_score_explanation_review_explanation', ['explanation_id'], unique=False)
    # what is stored today becomes version 1 of each explanation, by its author at its last save, awaiting review
    op.execute("INSERT INTO score_explanation_version (explanation_id, number, reason, remedy, due_on, author_id, "
               "created_at) SELECT id, 1, reason, remedy, due_on, author_id, updated_at FROM score_explanation")


def downgrade():
    # the explanation row keeps the latest version's text: the history and the reviews go
    with op.batch_alter_table('score_explanation_review', schema=None) as batch_op:
        batch_op.drop_index('ix_score_explanation_review_explanation')
    op.drop_table('score_explanation_review')
    op.drop_table('score_explanation_version')
    with op.batch_alter_table('score_explanation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_score_explanation_state_known'), type_='check')
        batch_op.drop_column('state')
