"""Flask commands: `users create`, `demo load`, `alerts sweep`, `alerts digest` (SPEC §7)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tracker import clock
from tracker.domain.wording import day_in_words
from tracker.extensions import db
from tracker.models import Department
from tracker.redis_embedded import ensure_embedded_redis, stop_embedded_redis
from tracker.services.errors import ServiceError
from tracker.services.org import save_user

users_cli = AppGroup("users", help="Manage users.")
demo_cli = AppGroup("demo", help="Demo and benchmark data.")
alerts_cli = AppGroup("alerts", help="Alerts.")
redis_cli = AppGroup("redis", help="The embedded Redis (when REDIS_URL is not set).")


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "director", "manager", "team_lead"])
)
@click.option("--department", "department_name", default=None, help="Department name.")
@click.option("--email", default="", help="Email address for alerts.")
@click.option("--display-name", default=None, help="Name shown to others (default: username).")
def create_user(username, role, department_name, email, display_name):
    """Create a user; the password is the first line of standard input (a second,
    identical line may follow as confirmation)."""
    lines = sys.stdin.read().splitlines()
    if not lines or not lines[0]:
        raise click.ClickException("Give the password on the first line of standard input")
    if len(lines) > 1 and lines[1] != lines[0]:
        raise click.ClickException("The two password lines do not match")
    department_id = None
    if department_name:
        department_id = db.session.scalar(
            select(Department.id).where(Department.name == department_name)
        )
        if department_id is None:
            raise click.ClickException(f"No department named {department_name!r}")
    try:
        user = save_user(
            db.session,
            None,
            {
                "username": username,
                "display_name": display_name or username,
                "email": email,
                "role": role,
                "department_id": department_id,
                "password": lines[0],
            },
        )
    except ServiceError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message}: {details}" if details else exc.message) from exc
    click.echo(f"Created {user.role} {user.username} (id {user.id})")


@demo_cli.command("load")
@click.option("--scale", type=click.IntRange(min=1), default=None, help="Generate N tasks instead.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has departments.")
@click.option("--seed", type=int, default=1, help="Seed of the generated council (--scale).")
def load_demo(scale, if_empty, seed):
    """Load the demo council (or, with --scale N, a large generated one)."""
    if if_empty and db.session.scalar(select(Department.id).limit(1)) is not None:
        click.echo("The database already has data: demo not loaded")
        return
    if scale:
        from tracker.services.scale_demo import generate_council

        generate_council(db.session, scale, seed=seed, echo=click.echo, today=clock.today())
    else:
        from tracker.services.demo import load_demo_council

        summary = load_demo_council(db.session, clock.today())
        click.echo(summary)


@alerts_cli.command("sweep")
def sweep_now():
    """Run the alert sweep now, in this process."""
    from tracker.services.sweep import run_sweep

    result = run_sweep(db.session, clock.now())
    click.echo(result.summary_line())


@alerts_cli.command("digest")
def digest_now():
    """Build and queue today's digests now, whatever the hour (once per user per day)."""
    from tracker.services.calendar import BANK_HOLIDAYS
    from tracker.services.outbox import build_digests, queue_pending_emails
    from tracker.services.sweep import working_time_from_config

    working_time = working_time_from_config(current_app.config)
    today, now = clock.today(), clock.now()
    if not working_time.is_working_day(today, BANK_HOLIDAYS):
        click.echo(f"{day_in_words(today)} is not a working day: no digests are sent today.")
        return
    created = build_digests(db.session, now, today, working_time)
    queued = queue_pending_emails(db.session, now)
    click.echo(
        f"Digests for {day_in_words(today)}: {created} created, {queued} email job(s) queued."
    )


@redis_cli.command("start")
def redis_start():
    """Start the instance's embedded Redis unless it runs (no-op with REDIS_URL)."""
    if current_app.config["REDIS_URL"]:
        click.echo("REDIS_URL is set: nothing to start")
        return
    sock = ensure_embedded_redis(current_app.config["INSTANCE_PATH"])
    click.echo(f"Embedded Redis on unix://{sock}")


@redis_cli.command("stop")
def redis_stop():
    """Stop the instance's embedded Redis (no-op with REDIS_URL)."""
    if not current_app.config["REDIS_URL"]:
        stop_embedded_redis(current_app.config["INSTANCE_PATH"])
        click.echo("Embedded Redis stopped")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(redis_cli)
