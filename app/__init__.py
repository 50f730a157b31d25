"""Application factory: wiring only."""

from __future__ import annotations

import os

from flask import Flask, render_template
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import IntegerConverter

from app.core.security import check_production_config
from app.extensions import csrf, db, login_manager, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: object | str | None = None) -> Flask:
    """Build the app; `config` is a config class, a name from config.configs, or None for FLASK_CONFIG."""
    import config as config_module

    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        instance_path=os.path.join(ROOT, "instance"),
        instance_relative_config=True,
    )
    if config is None or isinstance(config, str):
        config = config_module.configs[config or os.environ.get("FLASK_CONFIG", "development")]
    app.config.from_object(config)
    app.config.from_pyfile("settings.py", silent=True)
    check_production_config(app)
    os.makedirs(app.instance_path, exist_ok=True)

    app.url_map.converters["int"] = IdConverter
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        from app.auth.models import User

        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None


def register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.alerts.views import bp as alerts_bp
    from app.api.admin_views import bp as api_admin_bp
    from app.api.views import bp as api_bp
    from app.assignments.views import bp as assignments_bp
    from app.auth import profile_views  # noqa: F401  (routes on the auth blueprint)
    from app.auth.views import bp as auth_bp
    from app.dossiers import import_views as dossier_import_views  # noqa: F401  (routes on the dossiers blueprint)
    from app.dossiers.views import bp as dossiers_bp
    from app.indicators.views import bp as indicators_bp
    from app.main.views import bp as main_bp
    from app.org.views import bp as org_bp
    from app.reports.views import bp as documents_bp
    from app.scores import entry_views, import_views  # noqa: F401  (routes on the scores blueprint)
    from app.scores.views import bp as scores_bp
    from app.workdays.views import bp as workdays_bp

    for bp in (auth_bp, main_bp, assignments_bp, org_bp, indicators_bp, admin_bp, scores_bp, alerts_bp,
               dossiers_bp, workdays_bp, api_bp, api_admin_bp, documents_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # the API takes only token authentication, never a session cookie


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: a database id (1 … 2^31 − 1); anything larger answers 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code == 500:
            db.session.rollback()
        return render_template("errors/error.html", code=code), code

    def conflict(_error):
        """Two people wrote the same record at once: a clear message, never a 500."""
        db.session.rollback()
        return render_template("errors/error.html", code=409), 409

    def domain_refusal(error):
        """A service said the object is outside the user's scope (404, like a missing one) or off limits (403)."""
        from app.core.errors import NotFound

        db.session.rollback()
        code = 404 if isinstance(error, NotFound) else 403
        return render_template("errors/error.html", code=code), code

    for code in (400, 401, 403, 404, 405, 413, 500):
        app.errorhandler(code)(render_error)
    from app.core.errors import Forbidden, NotFound

    app.errorhandler(NotFound)(domain_refusal)
    app.errorhandler(Forbidden)(domain_refusal)
    app.errorhandler(IntegrityError)(conflict)


def register_template_helpers(app: Flask) -> None:
    from app.core import formatting

    app.jinja_env.filters.update(formatting.FILTERS)

    @app.template_global()
    def alert_link(alert) -> str:
        from app.alerts.services import link_for

        return link_for(alert)

    @app.template_global()
    def can_see_scores(unit) -> bool:
        from flask_login import current_user

        from app.scores.access import can_see_scores_of

        return can_see_scores_of(current_user, unit)

    @app.context_processor
    def alert_count():
        from flask_login import current_user

        from app.alerts.services import unread_count

        if getattr(current_user, "is_authenticated", False):
            return {"open_alerts": unread_count(current_user)}
        return {"open_alerts": 0}


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
