"""Dossier pages: statistics per unit and period, lists behind each count, a dossier and who holds it, claims."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.errors import DomainError, Forbidden
from app.core.i18n import N_
from app.core.listing import Column, Listing, listing_state
from app.core.params import arg_id
from app.core.permissions import require
from app.core.time import now_utc, to_vn, today_vn
from app.dossiers import claims as claim_services
from app.dossiers import stats
from app.dossiers.access import get_visible_claim, get_visible_dossier, get_visible_unit, visible_unit_ids
from app.dossiers.forms import ClaimForm, DecisionForm
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.models import Unit
from app.scores.periods import month_period, parse_period, quarter_period, year_period

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")
KINDS = {"month": N_("Tháng"), "quarter": N_("Quý"), "year": N_("Năm")}
PAGE = 50


def _calendar(today):
    from app.workdays.services import calendar_around

    return calendar_around(today)


def _period(today):
    """?period= (any spelling parse_period takes), else the running month / quarter / year of ?kind=."""
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else "month"
    if request.args.get("period"):
        try:
            return parse_period(request.args["period"])
        except ValueError:
            abort(404)
    if kind == "year":
        return year_period(today.year)
    if kind == "quarter":
        return quarter_period(today.year, (today.month - 1) // 3 + 1)
    return month_period(today.year, today.month)


def _unit(today) -> tuple[Unit, set[int]]:
    """The unit asked for (?unit=), which the user must be allowed to see, else their default one."""
    visible = visible_unit_ids(current_user, today=today)
    wanted = arg_id("unit")
    if wanted is not None:
        return get_visible_unit(current_user, wanted, visible=visible), visible
    from app.assignments.services import indicators_of
    from app.dossiers.access import DOSSIER_INDICATORS

    owned = [a.scope_unit for ind, a in indicators_of(current_user, today) if ind.code in DOSSIER_INDICATORS]
    if current_user.role not in ("chair", "admin", "head") and owned:
        return owned[0], visible
    return current_user.unit, visible


def _periods(today, kind: str):
    """The periods offered in the picker: 13 months, 8 quarters or 4 years back from today."""
    if kind == "year":
        return [year_period(today.year - i) for i in range(4)]
    if kind == "quarter":
        return [quarter_period(y, q) for y, q in _quarters(today, 8)]
    out, y, m = [], today.year, today.month
    for _ in range(13):
        out.append(month_period(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


def _quarters(today, n: int):
    y, q = today.year, (today.month - 1) // 3 + 1
    for _ in range(n):
        yield y, q
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)


@bp.route("/stats")
@login_required
def statistics():
    today, now = today_vn(), now_utc()
    unit, visible = _unit(today)
    period = _period(today)
    table = stats.unit_statistics(unit, period, now=now, calendar=_calendar(today), soon_days=_soon_days(),
                                  visible=visible)
    kind = period.kind
    page = render_template("dossiers/stats.html", table=table, unit=unit, period=period, kind=kind,
                           kinds={k: gettext(v) for k, v in KINDS.items()},
                           periods=_periods(today, kind), buckets=stats.BUCKETS)
    # the statistics cache entry written while counting (stats_cache.py); after rendering, because a commit expires
    # every loaded unit and the table would reload them one by one
    db.session.commit()
    return page


def _soon_days() -> int:
    from flask import current_app

    return current_app.config["DOSSIER_DUE_SOON_DAYS"]


@bp.route("/")
@login_required
def index():
    """The dossiers behind one count of the statistics (a unit, a period, a bucket)."""
    today, now = today_vn(), now_utc()
    unit, visible = _unit(today)
    period = _period(today)
    bucket = request.args.get("bucket", "open_late")
    if bucket not in stats.LISTABLE:
        abort(404)
    window = stats.Window.of(period, now=now, calendar=_calendar(today), soon_days=_soon_days())
    if request.args.get("only") == "1":
        unit_ids = {unit.id}
    elif request.args.get("scope") == "card":  # the dossiers that count in the unit's scorecard (not its communes)
        from app.dossiers.access import members_of

        unit_ids = members_of(unit.id) & visible
    else:
        _children, top = stats.subtree_map(unit)
        unit_ids = set(top) & visible
    page = max(1, request.args.get("page", 1, type=int) or 1)
    order = listing_state(DOSSIER_LISTING)
    if request.args.get("format") == "xlsx":
        rows, _total = stats.dossiers_in(unit_ids, window, bucket, limit=50_000, order=order)
        return _xlsx(rows, unit, period, stats.BUCKETS[bucket][0], now)
    rows, total = stats.dossiers_in(unit_ids, window, bucket, limit=PAGE, offset=(page - 1) * PAGE, order=order)
    return render_template("dossiers/list.html", rows=rows, total=total, unit=unit, period=period,
                           bucket=bucket, label=gettext(stats.BUCKETS[bucket][0]), page=page, pages=(total + PAGE - 1) // PAGE,
                           now=now, only=request.args.get("only") == "1", card=request.args.get("scope") == "card",
                           status_of=_status_of(now), state=order)


DOSSIER_LISTING = Listing(
    columns=(Column("code", _l("Mã hồ sơ"), sql=Dossier.code),
             Column("procedure", _l("Thủ tục"), sql=Dossier.procedure_code),
             Column("received", _l("Tiếp nhận"), sql=Dossier.received_at),
             Column("due", _l("Hẹn trả"), sql=Dossier.due_at),
             Column("ended", _l("Kết thúc"), sql=Dossier.ended_at)),
    default="due", default_desc=True)


def _status_of(now):
    from app.dossiers.claims import _aware

    def status(d: Dossier) -> tuple[str, str]:
        """(label, css class) of a dossier's standing now."""
        due = _aware(d.due_at)
        if not d.is_open:
            end = _aware(d.ended_at)
            if end > due or d.supplement_count > 1:
                return "Đã xử lý trễ hạn", "down"
            if to_vn(end).date() < to_vn(due).date():
                return "Đã xử lý trước hạn", "up"
            return "Đã xử lý đúng hạn", "up"
        if now > due or d.supplement_count > 1:
            days = (to_vn(now).date() - to_vn(due).date()).days
            return (f"Trễ hạn {days} ngày" if days > 0 else "Trễ hạn"), "down"
        return "Đang xử lý, trong hạn", "flat"

    return status


def _xlsx(rows, unit, period, label, now):
    from app.core.excel import XLSX_MIMETYPE, Sheet, workbook_bytes

    status = _status_of(now)
    data = [[d.code, d.procedure_code, d.procedure_name, d.handling_unit.name,
             d.handling_officer.full_name if d.handling_officer else "", d.received_at, d.due_at, d.ended_at,
             d.status_label, status(d)[0], d.apology_at] for d in rows]
    book = workbook_bytes([Sheet(
        title=f"Hồ sơ {period.code}", note=f"{label} — {unit.name} — {period.label}",
        headers=["Mã hồ sơ", "Mã TTHC", "Thủ tục", "Đơn vị xử lý", "Cán bộ xử lý", "Tiếp nhận", "Hẹn trả",
                 "Kết thúc xử lý", "Trạng thái", "Tình trạng", "Phiếu xin lỗi"],
        rows=data, widths=[26, 12, 50, 30, 24, 16, 16, 16, 18, 18, 16])])
    return send_file(BytesIO(book), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"ho-so-{unit.code}-{period.code}.xlsx")


def _load(dossier_id: int, today) -> Dossier:
    return get_visible_dossier(current_user, dossier_id, today=today)


@bp.route("/<int:dossier_id>", methods=["GET", "POST"])
@login_required
def detail(dossier_id: int):
    """A dossier, who holds it, its alerts and data-error claims; late ones can be flagged as a data error."""
    from app.alerts.models import Alert
    from app.core.forms import FAILED, commit_or_show

    today, now = today_vn(), now_utc()
    dossier = _load(dossier_id, today)
    form = ClaimForm()
    if form.validate_on_submit():
        upload = form.evidence.data
        evidence = (upload.filename, upload.read()) if upload and upload.filename else None
        saved = commit_or_show(form, lambda: claim_services.file_claim(
            dossier, author=current_user, reason=form.reason.data, evidence=evidence, now=now, today=today))
        if saved is not FAILED:
            flash(gettext("Đã gửi báo lỗi dữ liệu; lãnh đạo đơn vị xử lý sẽ xác nhận."), "success")
            return redirect(url_for(".detail", dossier_id=dossier.id))
    alerts = db.session.scalars(db.select(Alert).where(Alert.dossier_id == dossier.id)
                                .order_by(Alert.created_at)).all()
    return render_template("dossiers/detail.html", d=dossier, form=form, decision=DecisionForm(), alerts=alerts,
                           status=_status_of(now)(dossier), late=claim_services.is_late(dossier, now=now),
                           live_claim=claim_services.live_claim(dossier),
                           may_decide=claim_services.may_decide(current_user, dossier)), (
        422 if form.errors or form.form_errors else 200)


@bp.route("/claims/<int:claim_id>/decide", methods=["POST"])
@login_required
def decide(claim_id: int):
    claim = get_visible_claim(current_user, claim_id, today=today_vn())
    require(claim_services.may_decide(current_user, claim.dossier))
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(gettext("Biểu mẫu không hợp lệ: hãy tải lại trang."), "error")
        return redirect(url_for(".detail", dossier_id=claim.dossier_id))
    try:
        claim_services.decide_claim(claim, accept=form.decision.data == "accept", note=form.note.data or "",
                                    actor=current_user, now=now_utc())
        db.session.commit()
        flash(gettext("Đã xác nhận lỗi dữ liệu.") if claim.status == "accepted" else gettext("Đã không chấp nhận báo lỗi."),
              "success")
    except Forbidden:
        db.session.rollback()
        raise
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".detail", dossier_id=claim.dossier_id))


@bp.route("/claims/<int:claim_id>/evidence")
@login_required
def evidence(claim_id: int):
    claim = get_visible_claim(current_user, claim_id, today=today_vn())
    if not claim.evidence_name:
        abort(404)
    return send_file(BytesIO(claim.evidence), mimetype=claim.evidence_type, as_attachment=True,
                     download_name=claim.evidence_name)


@bp.route("/claims")
@login_required
def claims():
    """Data-error claims waiting for the user's decision."""
    return render_template("dossiers/claims.html", claims=claim_services.pending_for(current_user))
