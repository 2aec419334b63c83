"""Initiative Tracker: create_app() wires extensions, blueprints and commands; no work at import."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.config import DEV_SECRET_KEY, PROJECT_ROOT, load_config
from tracker.extensions import csrf, db, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    settings = load_config()
    settings.update(config or {})
    app = Flask(
        "tracker",
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(settings)
    app.json = FiniteJSONProvider(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _check_secret_key(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    _init_templates(app)
    _init_security(app)

    from tracker.web import register_web

    register_web(app)

    from tracker.api import bp as api_bp

    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)

    from tracker.cli import register_cli

    register_cli(app)
    return app


def _check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if app.config["ENV_NAME"] == "development":
        if not key:
            # A key of this instance's own, kept across restarts, never a shared constant.
            path = Path(app.instance_path) / "secret_key"
            if not path.exists():
                path.write_text(secrets.token_hex(32))
                path.chmod(0o600)
            app.config["SECRET_KEY"] = path.read_text().strip()
        return
    if not key or key == DEV_SECRET_KEY or len(key) < 16:
        raise RuntimeError(
            "SECRET_KEY must be set to a long random value outside development "
            "(TRACKER_ENV=development to run without one)"
        )


def _init_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    from tracker.web.filters import register_filters

    register_filters(app)


def _init_security(app: Flask) -> None:
    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def inject_nonce() -> dict:
        return {"cspNonce": g.get("csp_nonce", "")}

    @app.after_request
    def security_headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.path.startswith("/api/") or (
            request.endpoint != "static" and current_user.is_authenticated
        ):
            # Someone's plans and alerts must not stay in a shared or proxy cache.
            response.headers["Cache-Control"] = "no-store"
        return response

    app.session_interface = HttpsAwareSessionInterface()
    if app.config["TRUST_PROXY_HOPS"]:
        hops = app.config["TRUST_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


class FiniteJSONProvider(DefaultJSONProvider):
    """JSON as RFC 8259 has it: a NaN or infinity is an error here, never the
    literal `Infinity` that clients cannot parse."""

    def dumps(self, obj, **kwargs) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )
