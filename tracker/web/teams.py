"""Pages of the teams area: a team lead's queue and a team's load and open tasks."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from tracker.domain.access import can_adjust_capacity
from tracker.domain.workload import is_overloaded
from tracker.extensions import db
from tracker.queries import pages
from tracker.services import staffing
from tracker.services.workload import TeamLoad, teams_load
from tracker.web.forms import StatusForm
from tracker.web.helpers import current_actor, roles_required, today

bp = Blueprint("teams", __name__)


@bp.route("/my-tasks")
@roles_required("team_lead")
def my_tasks():
    teams = pages.led_teams(db.session, current_user.id)
    team_ids = [t.id for t in teams]
    loads = _loads(team_ids)
    tasks, total = pages.open_tasks_of_teams(db.session, team_ids, today())
    return render_template(
        "teams/my_tasks.html",
        teams=teams,
        tasks=tasks,
        total=total,
        done=pages.recently_done(db.session, team_ids),
        loads=loads,
        over_cells=_over_cells(loads),
        form=None,
        status_form=StatusForm(formdata=None),
        today=today(),
    )


@bp.route("/teams/<int:team_id>")
@login_required
def detail(team_id: int):
    team = pages.team_page(db.session, team_id) or abort(404)
    loads = _loads([team.id])
    tasks, total = pages.open_tasks_of_teams(db.session, [team.id], today())
    adjustments = staffing.team_adjustments(db.session, team.id, today())
    return render_template(
        "teams/detail.html",
        team=team,
        load=loads[0],
        over_cells=_over_cells(loads),
        tasks=tasks,
        total=total,
        today=today(),
        adjustments=adjustments,
        vacant_today=sum(
            a.fte for a in adjustments if a.kind == "vacancy" and a.starts_on <= today()
        ),
        may_adjust=can_adjust_capacity(current_actor(), team.id, team.department_id),
    )


def _loads(team_ids: list[int]) -> list[TeamLoad]:
    if not team_ids:
        return []
    return teams_load(db.session, today(), current_app.config["LOAD_HORIZON_WEEKS"], team_ids)


def _over_cells(loads: list[TeamLoad]) -> set:
    threshold = current_app.config["OVERLOAD_THRESHOLD"]
    return {
        (load.team_id, week.week_start)
        for load in loads
        for week in load.weeks
        if is_overloaded(week.load_ratio, threshold)
    }
