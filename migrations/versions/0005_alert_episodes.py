"""Alerts that relieve pressure (SPEC §5, issue #12): first missed date, overload
episodes, cancelled emails, the email mode a user chose (or not), and `off`.

- tasks.first_missed_on: the first due date a task passed while open; filled for open
  tasks already past their due date.
- alert_episodes and alerts.episode_id: consecutive overloaded weeks, kept between
  sweeps.
- email_messages.state may be `cancelled` (every alert it carried was resolved first).
- users.email_mode may be `off`; users.email_mode_chosen_at records a user's own
  choice. `digest` is the new default: a user still on `immediate` never chose it (it
  was the old default and the preference was not recorded), so moves to `digest`; a
  user on `digest` chose it, and keeps it as a choice.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa

from tracker.models.base import UTCDateTime

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alert_episodes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_type', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('first_week', sa.Date(), nullable=False),
        sa.Column('last_week', sa.Date(), nullable=False),
        sa.Column('peak_ratio', sa.Float(), nullable=False),
        sa.Column('alerted_peak', sa.Float(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=200), nullable=True),
        sa.CheckConstraint("subject_type IN ('team', 'department')", name=op.f('ck_alert_episodes_subject_known')),
        sa.CheckConstraint('first_week <= last_week', name=op.f('ck_alert_episodes_weeks_in_order')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_episodes')),
    )
    op.create_index(
        'uq_alert_episodes_open', 'alert_episodes', ['subject_type', 'subject_id', 'first_week'],
        unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'),
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('episode_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_alerts_episode_id'), ['episode_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_alerts_episode_id_alert_episodes'), 'alert_episodes', ['episode_id'], ['id'],
            ondelete='SET NULL',
        )
    # Overload was alerted per week; from now on per episode: the old alerts give way.
    op.execute(
        "UPDATE alerts SET resolved_at = CURRENT_TIMESTAMP, "
        "resolved_reason = 'replaced by an alert per overload episode' "
        "WHERE kind IN ('team_overload', 'department_overload') AND resolved_at IS NULL"
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_missed_on', sa.Date(), nullable=True))
    op.execute(
        "UPDATE tasks SET first_missed_on = due_date "
        "WHERE status <> 'done' AND due_date < CURRENT_DATE"
    )
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_email_messages_state_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_email_messages_state_known'),
            "state IN ('pending', 'sent', 'failed', 'cancelled')",
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_mode_chosen_at', UTCDateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_users_email_mode_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_email_mode_known'), "email_mode IN ('digest', 'immediate', 'off')"
        )
    op.execute("UPDATE users SET email_mode_chosen_at = created_at WHERE email_mode = 'digest'")
    op.execute("UPDATE users SET email_mode = 'digest' WHERE email_mode_chosen_at IS NULL")


def downgrade():
    op.execute("UPDATE users SET email_mode = 'digest' WHERE email_mode = 'off'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_email_mode_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_email_mode_known'), "email_mode IN ('immediate', 'digest')"
        )
        batch_op.drop_column('email_mode_chosen_at')
    op.execute("UPDATE email_messages SET state = 'failed' WHERE state = 'cancelled'")
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_email_messages_state_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_email_messages_state_known'), "state IN ('pending', 'sent', 'failed')"
        )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('first_missed_on')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_alerts_episode_id_alert_episodes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_alerts_episode_id'))
        batch_op.drop_column('episode_id')
    op.drop_index('uq_alert_episodes_open', table_name='alert_episodes')
    op.drop_table('alert_episodes')
