"""Typed SQLAlchemy models, one module per aggregate."""

from tracker.models.alerts import Alert, AlertEpisode, EmailMessage, OverloadCheck, SweepRun
from tracker.models.base import utcnow
from tracker.models.initiatives import (
    ConfidenceRating,
    Initiative,
    initiative_departments,
)
from tracker.models.load import TaskWeekLoad, TeamDueDay, TeamWeekLoad, TeamWeekStaffing
from tracker.models.org import Department, Team
from tracker.models.staffing import CapacityAdjustment
from tracker.models.tasks import Task, TaskUpdate, task_dependencies
from tracker.models.users import ApiToken, CalendarFeed, User

__all__ = [
    "Alert",
    "AlertEpisode",
    "ApiToken",
    "CalendarFeed",
    "CapacityAdjustment",
    "ConfidenceRating",
    "Department",
    "EmailMessage",
    "Initiative",
    "OverloadCheck",
    "SweepRun",
    "Task",
    "TaskUpdate",
    "TaskWeekLoad",
    "Team",
    "TeamDueDay",
    "TeamWeekLoad",
    "TeamWeekStaffing",
    "User",
    "initiative_departments",
    "task_dependencies",
    "utcnow",
]
