"""The user's alerts and acknowledging them."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.alerts import services
from app.core.excel import send_xlsx
from app.core.listing import Column, Filter, Listing, listing_state
from app.core.params import safe_next
from app.core.time import now_utc
from app.extensions import db

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


@bp.route("/")
@login_required
def index():
    show_all = request.args.get("all") == "1"
    alerts = services.for_user(current_user, include_resolved=show_all)
    state = listing_state(LISTING)
    shown = state.apply(alerts)
    if request.args.get("format") == "xlsx":
        return send_xlsx(_workbook(shown), "canh-bao.xlsx")
    return render_template("alerts/index.html", alerts=shown, show_all=show_all, state=state, everything=alerts)


def _state_of(a) -> tuple[str, str]:
    if a.resolved_at:
        return "resolved", gettext("Đã xử lý")
    return ("seen", gettext("Đã xem")) if a.acknowledged_at else ("new", gettext("Mới"))


LISTING = Listing(
    columns=(Column("urgency", _l("Mức khẩn"), value=lambda a: None),  # the service's order: open, escalated, urgent
             Column("kind", _l("Loại"), value=lambda a: gettext(a.kind_label), text=True),
             Column("message", _l("Nội dung"), value=lambda a: a.message, text=True),
             Column("created", _l("Thời gian"), value=lambda a: a.created_at),
             Column("state", _l("Trạng thái"), value=lambda a: _state_of(a)[0])),
    default="urgency",
    filters=(Filter("kind", _l("Loại"), choice=lambda a: (a.kind, gettext(a.kind_label))),
             Filter("state", _l("Trạng thái"), choice=_state_of)),
    search=lambda a: a.message, search_label=_l("Tìm trong nội dung"),
)


def _workbook(alerts) -> bytes:
    from app.core.excel import Sheet, workbook_bytes

    rows = [[gettext(a.kind_label), a.message, a.created_at, _state_of(a)[1], a.escalation_level or 0]
            for a in alerts]
    return workbook_bytes([Sheet(
        title=gettext("Cảnh báo"), headers=[gettext("Loại"), gettext("Nội dung"), gettext("Thời gian"),
                                            gettext("Trạng thái"), gettext("Mức leo thang")],
        rows=rows, widths=[30, 80, 17, 12, 10], integer_columns={4})])


@bp.route("/<int:alert_id>/ack", methods=["POST"])
@login_required
def acknowledge(alert_id: int):
    alert = services.get_for(current_user, alert_id)
    services.acknowledge(alert, current_user, now=now_utc())
    db.session.commit()
    flash(gettext("Đã xác nhận cảnh báo."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".index"))
