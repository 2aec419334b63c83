"""Liveness from the database: when an email's send job was last queued, and the
overload checks still owed (issue 16).

Adds `email_messages.queued_at` and the `overload_checks` table.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa

from tracker.models.base import UTCDateTime

revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', UTCDateTime(), nullable=True))
    op.create_table(
        'overload_checks',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['team_id'], ['teams.id'],
            name=op.f('fk_overload_checks_team_id_teams'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('team_id', name=op.f('pk_overload_checks')),
    )
    with op.batch_alter_table('overload_checks', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_overload_checks_requested_at'), ['requested_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('overload_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_overload_checks_requested_at'))
    op.drop_table('overload_checks')
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.drop_column('queued_at')
