"""The dossier figures of a quarterly report: received, carried over, handled on time / early / late, still open and
late at the quarter's end, apology letters, data errors, and indicator 4 computed the portal's way (the official
report's table, in Vietnamese)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.formatting import vn_number
from app.org.models import Unit
from app.scores.periods import Period


@dataclass
class DossierStats:
    """Dossier figures of the quarter (received, on time, late, late still open, apologies); see `dossier_stats`."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def dossier_stats(unit: Unit, period: Period, *, now) -> DossierStats | None:
    """The quarter's dossier figures of the unit's tree (None when it has no dossier): received, carried over,
    handled on time / early / late, still open and late at the quarter's end, apology letters sent before the due
    time of the late ones, late dossiers confirmed as data errors, and indicator 4 computed the portal's way."""
    import sqlalchemy as sa

    from app.dossiers import lateness as L
    from app.dossiers import stats
    from app.dossiers.models import Dossier
    from app.extensions import db
    from app.workdays.services import calendar_for

    start, end = L.period_bounds(period)
    calendar = calendar_for(range(period.start_date.year - 1, period.end_date.year + 2))
    table = stats.unit_statistics(unit, period, now=min(now, end), calendar=calendar)
    t = table.total
    if not t.to_handle:
        return None
    c = table.window
    _children, top = stats.subtree_map(unit)
    late = sa.or_(sa.and_(Dossier.ended_at >= c.start, Dossier.ended_at < c.end, L.finished_late()),
                  sa.and_(L.open_at(c.as_of), L.late_at(c.as_of)))
    apologised = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier).where(
        Dossier.handling_unit_id.in_(list(top)), late, Dossier.apology_at.is_not(None),
        Dossier.apology_at <= Dossier.due_at)) or 0

    def n(value) -> str:
        return vn_number(value, 0)

    rate = t.on_time_rate
    rows = [
        ("Tồn kỳ trước chuyển sang", n(t["carried"])), ("Tiếp nhận trong quý", n(t["received"])),
        ("Cần xử lý", n(t.to_handle)),
        ("Đã xử lý trước hạn", n(t["done_early"])), ("Đã xử lý đúng hạn", n(t["done_on_time"])),
        ("Đã xử lý trễ hạn", n(t["done_late"])),
        ("Đang xử lý, trễ hạn (cuối quý)", n(t["open_late"])), ("Đang xử lý, trong hạn (cuối quý)",
                                                                 n(t["open_soon"] + t["open_ok"])),
        ("Tỷ lệ giải quyết đúng hạn", f"{vn_number(rate)}%" if rate is not None else "–"),
        ("Hồ sơ trễ hạn có phiếu xin lỗi trước ngày hẹn trả", f"{n(apologised)}/{n(t['done_late'] + t['open_late'])}"),
        ("Trễ do lỗi dữ liệu, đã được xác nhận", n(t["late_data_error"])),
        ("Chỉ số 4 tính từ hồ sơ (theo cách tính của Cổng)", f"{vn_number(t.indicator4_points)}/20"),
    ]
    note = ("Số liệu từ hệ thống một cửa, tính đến hết quý; hồ sơ trễ do lỗi dữ liệu đã được xác nhận vẫn tính trễ "
            "trong số liệu chính thức.")
    return DossierStats(rows, note)
