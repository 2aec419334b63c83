"""Time the director's pages and the API against the SQL floor, at N/10 and N tasks.

    python bench/dashboard.py --tasks 100000

Uses DATABASE_URL when set (a throwaway PostgreSQL database: its schema is dropped and
rebuilt; the database called `test` is refused), else a SQLite file in a temp folder.
The floor is the bare GROUP BY over the task table that computes the dashboard's
counts and effort; each page's median time is printed as a ratio of it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from tracker import create_app
from tracker.config import load_config
from tracker.extensions import db
from tracker.models import Initiative, Task, Team, User
from tracker.services.auth import issue_token
from tracker.services.scale_demo import generate_council
from tracker.web.helpers import now

FLOOR_SQL = text(
    "SELECT team_id, count(*), "
    "sum(CASE WHEN due_date < :today THEN 1 ELSE 0 END), sum(effort_hours) "
    "FROM tasks WHERE status <> 'done' GROUP BY team_id"
)


def database_url(folder: Path, n: int) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{folder / f'bench-{n}.db'}"
    if urlsplit(url).path.strip("/") == "test":
        sys.exit("Refusing to use the database called 'test': point DATABASE_URL elsewhere")
    return url


def fresh_schema(app) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


def median_ms(fn, repeat: int) -> float:
    fn()  # warm: templates compiled, caches filled
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pages(session) -> dict[str, tuple]:
    director = session.scalar(select(User).where(User.role == "director").limit(1))
    busiest_team = session.scalar(
        select(Task.team_id).group_by(Task.team_id).order_by(func.count().desc()).limit(1)
    )
    lead = session.get(User, session.scalar(select(Team.lead_id).where(Team.id == busiest_team)))
    initiative = session.scalar(
        select(Initiative.id)
        .join(Task, Task.initiative_id == Initiative.id)
        .group_by(Initiative.id)
        .order_by(func.count().desc())
        .limit(1)
    )
    token, _ = issue_token(session, director, now(), 1)
    auth = {"Authorization": f"Bearer {token}"}
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    week = {"start_date": monday.isoformat(), "due_date": (monday + timedelta(days=4)).isoformat()}
    return {
        "dashboard page": (director, "/dashboard", {}),
        "heatmap page": (director, "/dashboard/heatmap", {}),
        "team lead's queue": (lead, "/my-tasks", {}),
        "initiative page": (director, f"/initiatives/{initiative}", {}),
        "dashboard API": (None, "/api/v1/dashboard/departments", auth),
        "team page (staffing)": (director, f"/teams/{busiest_team}", {}),
        # SPEC §9: a preview that fits answers at once; one that overloads the busiest
        # team searches 52 weeks of starts and due dates and the department's teams.
        "preview API, fits": (
            None,
            "/api/v1/tasks/preview",
            auth,
            {"team_id": busiest_team, "effort_hours": 0.5, **week},
        ),
        "preview API + suggestions": (
            None,
            "/api/v1/tasks/preview",
            auth,
            {"team_id": busiest_team, "effort_hours": 5_000, **week},
        ),
        "preview API + suggestions, 1 year": (
            None,
            "/api/v1/tasks/preview",
            auth,
            {
                "team_id": busiest_team,
                "effort_hours": 50_000,
                "start_date": monday.isoformat(),
                "due_date": (monday + timedelta(weeks=52)).isoformat(),
            },
        ),
    }


def run(n: int, folder: Path, repeat: int, seed: int) -> list[tuple[str, float, float]]:
    url = load_config({"DATABASE_URL": database_url(folder, n)})["SQLALCHEMY_DATABASE_URI"]
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(folder / "instance"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    fresh_schema(app)
    today = date.today()
    with app.app_context():
        generate_council(db.session, n, seed=seed, echo=None, today=today)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        floor = median_ms(lambda: db.session.execute(FLOOR_SQL, {"today": today}).all(), repeat)
        requests = pages(db.session)
        users = {name: (spec[0].get_id() if spec[0] else None) for name, spec in requests.items()}
        db.session.remove()
    # Each request outside any app context, as under a real server: its own `g` and session.
    client = app.test_client()
    results = [("SQL floor (GROUP BY over tasks)", floor, 1.0)]
    for name, (_, path, headers, *body) in requests.items():
        if users[name] is not None:
            with client.session_transaction() as sess:
                sess["_user_id"] = users[name]
                sess["_fresh"] = True

        def get(path=path, headers=headers, body=body):
            if body:
                response = client.post(path, json=body[0], headers=headers)
            else:
                response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            return response.get_data()

        ms = median_ms(get, repeat)
        results.append((name, ms, ms / floor))
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="N (also run at N/10)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per page (median)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        folder = Path(tmp)
        sizes = [max(1, args.tasks // 10), args.tasks]
        table = {n: run(n, folder, args.repeat, args.seed) for n in sizes}
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"\n{engine}, median of {args.repeat} runs, ratio = time / SQL floor at that size")
    small, large = sizes
    print(f"{'':34} {small:>12,} tasks {'':>8} {large:>12,} tasks {'':>8} growth")
    for (name, ms_a, r_a), (_, ms_b, r_b) in zip(table[small], table[large], strict=True):
        print(
            f"{name:34} {ms_a:10.1f} ms {r_a:6.2f}x {'':4} {ms_b:10.1f} ms {r_b:6.2f}x {'':4}"
            f" {ms_b / ms_a:5.2f}x"
        )


if __name__ == "__main__":
    main()
