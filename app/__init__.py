"""Application factory: wiring only."""

from __future__ import annotations

import os

from flask import Flask, render_template
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.core import logs
from app.core.errors import StaleEdit
from app.core.locking import watch_versions
from app.core.security import check_production_config
from app.core.text import install_request_class, install_session_hook
from app.extensions import babel, csrf, db, login_manager, migrate

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

    if app.config.get("TRUSTED_PROXIES"):
        # Behind the HTTPS reverse proxy: the client's address (sign-in throttling) and scheme come from its headers.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.json.ensure_ascii = False  # JSON answers carry Vietnamese as UTF-8 text ("Ninh Sơn"), not \u escapes
    app.url_map.converters["int"] = IdConverter
    install_request_class(app)  # form fields and query strings arrive in NFC
    register_extensions(app)
    logs.init_app(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def sqlite_busy_timeout(app: Flask) -> None:
    """On SQLite, a writer waits up to SQLITE_BUSY_TIMEOUT seconds for another process's write to end (the web
    server, the scheduler and the report workers share one file) instead of failing after pysqlite's 5 s."""
    if not str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("timeout", float(app.config.get("SQLITE_BUSY_TIMEOUT", 30)))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)

    sqlite_busy_timeout(app)
    db.init_app(app)
    install_session_hook(db.session)  # string columns stored in NFC, whatever path wrote them
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    watch_versions()
    from app.auth import guards
    from app.core import headers

    # before every request, in this order: the server-side session (so that the user is known), the language, then
    # the CSRF check (which reads the form, and whose errors are answered in the user's language and rights)
    guards.init_app(app)  # server-side sessions; the user loader trusts only them
    from app.core.i18n import DEFAULT_LOCALE, N_, select_locale

    babel.init_app(app, locale_selector=select_locale, default_locale=DEFAULT_LOCALE)
    # chosen per request, even when requests share an application context (tests, CLI test clients)
    app.before_request(flask_babel_refresh)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = _translate

    csrf.init_app(app)
    headers.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.alerts.views import bp as alerts_bp
    from app.api import read_views  # noqa: F401  (the read API's routes on the api blueprint)
    from app.api.admin_views import bp as api_admin_bp
    from app.api.token_views import bp as personal_tokens_bp
    from app.api.views import bp as api_bp
    from app.assignments.views import bp as assignments_bp
    from app.audit.views import bp as audit_bp
    from app.auth import profile_views  # noqa: F401  (routes on the auth blueprint)
    from app.auth.views import bp as auth_bp
    from app.dossiers import import_views as dossier_import_views  # noqa: F401  (routes on the dossiers blueprint)
    from app.dossiers.views import bp as dossiers_bp
    from app.indicators.views import bp as indicators_bp
    from app.main.views import bp as main_bp
    from app.org.views import bp as org_bp
    from app.public.views import bp as public_bp
    from app.reports.views import bp as documents_bp
    from app.scores import entry_views, import_views  # noqa: F401  (routes on the scores blueprint)
    from app.scores.views import bp as scores_bp
    from app.workdays.views import bp as workdays_bp

    for bp in (auth_bp, main_bp, assignments_bp, org_bp, indicators_bp, admin_bp, scores_bp, alerts_bp,
               dossiers_bp, workdays_bp, api_bp, api_admin_bp, personal_tokens_bp, documents_bp, audit_bp,
               public_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)  # writes take only a token; the session cookie reaches the read API's GET routes alone


def flask_babel_refresh() -> None:
    from flask_babel import refresh

    refresh()


def _translate(text: str) -> str:
    from flask_babel import gettext

    return gettext(text)


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: a database id (1 … 2^31 − 1); anything larger answers 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_errorhandlers(app: Flask) -> None:
    """Error pages in Vietnamese. 500 and 503 (and any page whose layout cannot be drawn because the database fails)
    use the standalone errors/plain.html, which needs neither the database nor the signed-in user."""

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        from flask import request

        if request.path.startswith("/api/"):  # an address no API route matches: problem+json like the API's own
            from app.api.auth_views import problem

            if code >= 500:
                _rollback_quietly()
            return problem(code, f"http-{code}", "Lỗi", f"Lỗi HTTP {code} ở địa chỉ API này.")
        if code >= 500:
            _rollback_quietly()
            return plain_error_page(code), code
        try:
            return render_template("errors/error.html", code=code), code
        except SQLAlchemyError:  # the layout loads the user and their alerts: the database is down
            _rollback_quietly()
            return plain_error_page(code), code

    def conflict(_error):
        """Two people wrote the same record at once: a clear message, never a 500."""
        db.session.rollback()
        return render_template("errors/error.html", code=409), 409

    def domain_refusal(error):
        """A service said the object is outside the user's scope (404, like a missing one) or off limits (403)."""
        from app.core.errors import NotFound

        db.session.rollback()
        if isinstance(error, NotFound):  # never says what exists
            return render_template("errors/error.html", code=404), 404
        return render_template("errors/error.html", code=403, message=error.message or None), 403

    def stale(error):
        """An edit met a newer version of the record (a real race past the form's check): who changed it, never a
        500 and never a silent overwrite."""
        from app.core.locking import stale_after_flush

        exc = error if isinstance(error, StaleEdit) else stale_after_flush(db.session)
        db.session.rollback()
        return render_template("errors/error.html", code=409, message=exc.message), 409

    def database_unavailable(error):
        """The database cannot be reached or refuses writes (read-only file, connection refused): 503, no trace."""
        _rollback_quietly()
        app.logger.error("database unavailable: %s: %s", error.__class__.__name__,
                         str(getattr(error, "orig", error)).strip().splitlines()[0][:300])
        return plain_error_page(503), 503

    for code in (400, 401, 403, 404, 405, 413, 500, 503):
        app.errorhandler(code)(render_error)
    from app.core.errors import Forbidden, NotFound

    app.errorhandler(NotFound)(domain_refusal)
    app.errorhandler(Forbidden)(domain_refusal)
    app.errorhandler(IntegrityError)(conflict)
    app.errorhandler(OperationalError)(database_unavailable)
    app.errorhandler(InterfaceError)(database_unavailable)
    app.errorhandler(StaleDataError)(stale)
    app.errorhandler(StaleEdit)(stale)


def plain_error_page(code: int) -> str:
    """The standalone error page, rendered from the Jinja environment alone (no context processors, no user)."""
    from flask import current_app, g

    template = current_app.jinja_env.get_template("errors/plain.html")
    return template.render(code=code, request_id=g.get("request_id"))


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection itself is gone
        db.session.invalidate()


def register_template_helpers(app: Flask) -> None:
    from app.core import formatting

    app.jinja_env.filters.update(formatting.FILTERS)
    from app.core import i18n

    app.jinja_env.filters["period_label"] = i18n.period_label
    app.jinja_env.filters["period_name"] = i18n.period_name  # Vietnamese: the period's own label, unchanged
    app.jinja_env.globals["LOCALES"] = i18n.LOCALES
    app.jinja_env.globals["get_locale"] = i18n.current_locale
    app.jinja_env.globals["N_"] = i18n.N_  # marks a template literal for the catalog; translated where shown

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
