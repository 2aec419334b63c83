"""Staffing (SPEC §9): teams' establishment, dated capacity adjustments, and the
staffing of each week an adjustment covers, stored so that capacity reads as SQL.

Revision ID: 0004
Revises: 0008
Create Date: 2026-12-02 01:06:06.313267

"""
from alembic import op
import sqlalchemy as sa

from tracker.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('capacity_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fte', sa.Float(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('vacancy', 'absence', 'agency_cover')", name=op.f('ck_capacity_adjustments_kind_known')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_capacity_adjustments_dates_in_order')),
    sa.CheckConstraint('fte > 0', name=op.f('ck_capacity_adjustments_fte_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_capacity_adjustments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_capacity_adjustments_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_adjustments'))
    )
    with op.batch_alter_table('capacity_adjustments', schema=None) as batch_op:
        batch_op.create_index('ix_capacity_adjustments_kind_dates', ['kind', 'starts_on', 'ends_on'], unique=False)
        batch_op.create_index('ix_capacity_adjustments_team_dates', ['team_id', 'starts_on', 'ends_on'], unique=False)

    op.create_table('team_week_staffing',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('net_fte_days', sa.Float(), nullable=False),
    sa.Column('vacant_fte', sa.Float(), nullable=False),
    sa.Column('absent_fte', sa.Float(), nullable=False),
    sa.Column('agency_fte', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_week_staffing_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'week_start', name=op.f('pk_team_week_staffing'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('establishment_fte', sa.Float(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_teams_establishment_positive'),
            'establishment_fte IS NULL OR establishment_fte > 0',
        )



def downgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_teams_establishment_positive'), type_='check')
        batch_op.drop_column('establishment_fte')

    op.drop_table('team_week_staffing')
    with op.batch_alter_table('capacity_adjustments', schema=None) as batch_op:
        batch_op.drop_index('ix_capacity_adjustments_team_dates')
        batch_op.drop_index('ix_capacity_adjustments_kind_dates')

    op.drop_table('capacity_adjustments')
