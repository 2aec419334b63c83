"""Alerts say what to do and where, resolve themselves, and cover the new kinds (SPEC §5).

Adds `action`, `url`, `resolved_at`, `resolved_reason` to alerts, and widens the
kind and subject-type checks for indicators, grants and questions (§10–§12).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa

from tracker.models.base import UTCDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OLD_KINDS = "'due_soon', 'overdue', 'escalation', 'team_overload', 'department_overload'"
NEW_KINDS = OLD_KINDS + ", 'return_due', 'return_overdue', 'grant_at_risk', 'question_answered'"
OLD_SUBJECTS = "'task', 'team', 'department'"
NEW_SUBJECTS = OLD_SUBJECTS + ", 'indicator', 'grant', 'question'"


def _checks(batch_op, kinds: str, subjects: str) -> None:
    batch_op.drop_constraint(batch_op.f('ck_alerts_kind_known'), type_='check')
    batch_op.drop_constraint(batch_op.f('ck_alerts_subject_type_known'), type_='check')
    batch_op.create_check_constraint(batch_op.f('ck_alerts_kind_known'), f"kind IN ({kinds})")
    batch_op.create_check_constraint(
        batch_op.f('ck_alerts_subject_type_known'), f"subject_type IN ({subjects})"
    )


def upgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('url', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('resolved_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('resolved_reason', sa.String(length=200), nullable=True))
        _checks(batch_op, NEW_KINDS, NEW_SUBJECTS)


def downgrade():
    op.execute("DELETE FROM alerts WHERE kind NOT IN (" + OLD_KINDS + ")")
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        _checks(batch_op, OLD_KINDS, OLD_SUBJECTS)
        batch_op.drop_column('resolved_reason')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('url')
        batch_op.drop_column('action')
