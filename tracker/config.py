"""Configuration from environment variables: the only module that reads os.environ."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # nosec B105 # refused outside development


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return int(raw) if raw not in (None, "") else default


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    return float(raw) if raw not in (None, "") else default


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def load_config(env: dict[str, str] | None = None) -> dict[str, object]:
    """Build the Flask config mapping from the environment (SPEC §8)."""
    env = dict(os.environ if env is None else env)
    instance_path = Path(env.get("INSTANCE_PATH") or PROJECT_ROOT / "instance").resolve()
    environment = env.get("TRACKER_ENV", env.get("FLASK_ENV", "development"))
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'tracker.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    return {
        "ENV_NAME": environment,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": env.get("SECRET_KEY") or "",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": env.get("REDIS_URL") or "",
        "MAIL_SERVER": env.get("MAIL_SERVER") or "",
        "MAIL_PORT": _int(env, "MAIL_PORT", 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or "",
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or "",
        "MAIL_USE_TLS": _bool(env, "MAIL_USE_TLS", False),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or "initiative-tracker@localhost",
        "BASE_URL": (env.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "TIMEZONE": env.get("TIMEZONE") or "Europe/London",
        "OVERLOAD_THRESHOLD": _float(env, "OVERLOAD_THRESHOLD", 1.0),
        "OVERLOAD_REALERT_STEP": _float(env, "OVERLOAD_REALERT_STEP", 0.25),
        "LOAD_HORIZON_WEEKS": _int(env, "LOAD_HORIZON_WEEKS", 8),
        "DEPARTMENT_INITIATIVE_LIMIT": _int(env, "DEPARTMENT_INITIATIVE_LIMIT", 6),
        "ALERT_DUE_SOON_DAYS": _int(env, "ALERT_DUE_SOON_DAYS", 7),
        "ESCALATE_AFTER_DAYS": _int(env, "ESCALATE_AFTER_DAYS", 14),
        "SWEEP_INTERVAL_MINUTES": _int(env, "SWEEP_INTERVAL_MINUTES", 60),
        "DIGEST_HOUR": _int(env, "DIGEST_HOUR", 8),
        "QUIET_HOURS": env.get("QUIET_HOURS") or "18:00-08:00",
        "QUIET_WEEKENDS": _bool(env, "QUIET_WEEKENDS", True),
        "EMAIL_CLAIM_SECONDS": _int(env, "EMAIL_CLAIM_SECONDS", 120),
        "CATCH_UP_SECONDS": _int(env, "CATCH_UP_SECONDS", 60),
        "API_TOKEN_HOURS": _int(env, "API_TOKEN_HOURS", 12),
        # Failed sign-ins: one account from one address; one address; one account overall.
        "LOGIN_FAILURE_LIMIT": env.get("LOGIN_FAILURE_LIMIT") or "5 per 15 minutes",
        "LOGIN_ADDRESS_FAILURE_LIMIT": env.get("LOGIN_ADDRESS_FAILURE_LIMIT")
        or "30 per 15 minutes",
        "LOGIN_ACCOUNT_FAILURE_LIMIT": env.get("LOGIN_ACCOUNT_FAILURE_LIMIT") or "100 per hour",
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 256 * 1024),
        "WTF_CSRF_ENABLED": _bool(env, "WTF_CSRF_ENABLED", True),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env, "SESSION_COOKIE_SECURE", False),
        "TRUST_PROXY_HOPS": _int(env, "TRUST_PROXY_HOPS", 0),
        "PREFERRED_URL_SCHEME": env.get("PREFERRED_URL_SCHEME") or "http",
    }
