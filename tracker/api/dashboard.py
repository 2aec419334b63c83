"""GET /api/v1/dashboard/departments: the director's figures (the page's service)."""

from __future__ import annotations

from flask import current_app, jsonify

from tracker.api import bp
from tracker.api.helpers import require_role
from tracker.extensions import db
from tracker.services.dashboard import DEPARTMENT_FIELDS, department_figures
from tracker.web.helpers import today

VIEW_ROLES = ("admin", "director", "manager")


@bp.get("/dashboard/departments")
def dashboard_departments():
    require_role(*VIEW_ROLES)
    config = current_app.config
    rows = department_figures(
        db.session,
        today(),
        config["LOAD_HORIZON_WEEKS"],
        config["OVERLOAD_THRESHOLD"],
        config["DEPARTMENT_INITIATIVE_LIMIT"],
    )
    return jsonify({"items": [row.api_json() for row in rows]})


# For the OpenAPI document (tracker/api/openapi.py merges these).
OPENAPI_SCHEMAS = {
    "DepartmentLoad": {
        "type": "object",
        "description": "A department's initiative load over the horizon (SPEC §4, §6).",
        "required": list(DEPARTMENT_FIELDS),
        "properties": {
            "department_id": {"type": "integer"},
            "name": {"type": "string"},
            "active_initiatives": {
                "type": "integer",
                "description": "Initiatives in status planning or rollout affecting it",
            },
            "open_tasks": {"type": "integer", "description": "Its teams' tasks not done"},
            "overdue_tasks": {"type": "integer", "description": "Open tasks due before today"},
            "open_effort_hours": {"type": "number", "description": "Effort of its open tasks"},
            "capacity_hours_per_week": {
                "type": "number",
                "description": "Sum of its teams' weekly capacity in a full, fully staffed week",
            },
            "peak_load_ratio": {
                "type": ["number", "null"],
                "description": "Highest weekly planned hours ÷ capacity (SPEC §9) in the "
                "horizon, over all its teams together; null when work falls in a week "
                "with no capacity at all",
            },
            "overloaded_teams": {"type": "integer", "description": "How many teams are overloaded"},
            "overloaded_team_ids": {"type": "array", "items": {"type": "integer"}},
            "peak_team_load_ratio": {
                "type": ["number", "null"],
                "description": "The highest peak of any one of its teams, so one team at "
                "three times capacity is never hidden by an average; null when that team "
                "has work in a week with no capacity at all",
            },
            "worst_team_id": {
                "type": ["integer", "null"],
                "description": "The team with that highest peak (null: no teams)",
            },
            "establishment_fte": {
                "type": ["number", "null"],
                "description": "Funded posts of its teams (those with an establishment); "
                "null when none has one",
            },
            "vacant_fte": {
                "type": ["number", "null"],
                "description": "FTE of vacancies today in those teams",
            },
            "vacancy_rate": {
                "type": ["number", "null"],
                "description": "vacant_fte ÷ establishment_fte today (SPEC §9)",
            },
            "capacity_lost_hours": {
                "type": "number",
                "description": "Hours of capacity vacancies and absences take over the "
                "horizon, less agency cover (bank holidays are not counted as lost)",
            },
            "overloaded": {
                "type": "boolean",
                "description": "Load ratio above OVERLOAD_THRESHOLD in a week of the horizon, "
                "or more than DEPARTMENT_INITIATIVE_LIMIT active initiatives",
            },
        },
    }
}

OPENAPI_PATHS = {
    "/dashboard/departments": {
        "get": {
            "summary": "Initiative load per department (directors, admins and managers)",
            "operationId": "dashboardDepartments",
            "tags": ["dashboard"],
            "responses": {
                "200": {
                    "description": "One item per department, by name",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["items"],
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/DepartmentLoad"},
                                    }
                                },
                            }
                        }
                    },
                },
                "401": {"description": "No valid bearer token (error object)"},
                "403": {"description": "A team lead's token (error object)"},
            },
        }
    }
}
