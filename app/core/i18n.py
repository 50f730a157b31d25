"""Languages of the interface: Vietnamese by default, English on request (kept in the session and on the user).

Texts that reach the page as values (band labels from the configuration, alert kinds, period labels) are marked here
with N_ so `pybabel extract` keeps them in the catalog; templates translate them with _(value)."""

from __future__ import annotations

from flask import session
from flask_babel import gettext

DEFAULT_LOCALE = "vi"
LOCALES = {"vi": "Tiếng Việt", "en": "English"}


def N_(text: str) -> str:  # noqa: N802  (the gettext convention for "translate later")
    return text


def request_gettext(text: str, /, **values) -> str:
    """The text in the page's language inside a request; Vietnamese elsewhere (jobs, the command line, PDF reports).
    Modules import it as `gettext`, so that `pybabel extract` finds their texts."""
    from flask import has_request_context

    return gettext(text, **values) if has_request_context() else (text % values if values else text)


# the default SCORE_BANDS labels and the alert kinds (app.alerts.models.ALERT_KINDS)
VALUE_TEXTS = (
    N_("Xuất sắc"), N_("Tốt"), N_("Khá"), N_("Trung bình"), N_("Yếu"),
    N_("Chỉ số chuyển đỏ, cần giải trình"), N_("Chỉ số giảm mạnh, cần giải trình"), N_("Hồ sơ sắp trễ hạn"),
    N_("Hồ sơ trễ hạn"), N_("Cần phiếu xin lỗi và hẹn lại ngày trả"), N_("Hồ sơ đã trả trễ hạn"),
    N_("Giải trình bị trả lại, cần sửa và gửi lại"),
)


def select_locale() -> str:
    """The signed-in user's language, else the session's, else Vietnamese (always outside a request: services run
    by the CLI or the scheduler, whose messages stay Vietnamese)."""
    from flask import has_request_context
    from flask_login import current_user

    if not has_request_context():
        return DEFAULT_LOCALE

    chosen = getattr(current_user, "locale", None) if getattr(current_user, "is_authenticated", False) else None
    chosen = chosen or session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def current_locale() -> str:
    """The language code of this request ("vi", "en")."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def period_label(period) -> str:
    """"Tháng 11/2026", "Quý 4/2026", "Năm 2026" in the page's language."""
    start = period.start_date
    if period.kind == "month":
        return gettext("Tháng %(month)s/%(year)s", month=f"{start.month:02d}", year=start.year)
    if period.kind == "quarter":
        return gettext("Quý %(quarter)s/%(year)s", quarter=(start.month - 1) // 3 + 1, year=start.year)
    return gettext("Năm %(year)s", year=start.year)


def period_name(period) -> str:
    """A period's label for the page: its own Vietnamese label ("Quý IV/2026") in Vietnamese, else period_label."""
    if current_locale() == DEFAULT_LOCALE or not hasattr(period, "start_date"):
        return getattr(period, "label", str(period))
    return period_label(period)
