"""What the read API answers, built from the same services as the pages (scores.pages, assignments, alerts,
dossiers.stats, indicators) with the same access functions: a caller sees exactly what the web shows them.

Each function takes the calling user and plain arguments and returns a schema object (app.api.schemas); a unit or
plan outside the user's rights raises NotFound like a missing one. Bad arguments raise ApiError.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext

from app.api import schemas as s
from app.core.errors import NotFound
from app.scores.periods import Period, parse_period

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class ApiError(Exception):
    """A request the API refuses: HTTP status, stable slug (the problem's type) and a Vietnamese detail."""

    def __init__(self, status: int, slug: str, detail: str):
        super().__init__(detail)
        self.status, self.slug, self.detail = status, slug, detail


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# ---------------------------------------------------------------- arguments


def limit_of(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise ApiError(422, "limit-ngoai-khoang", f"limit phải là số nguyên từ 1 đến {MAX_LIMIT}.")
    return int(text)


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ApiError(400, "cursor-khong-hop-le", "cursor không hợp lệ: dùng đúng giá trị next_cursor của trang "
                                                   "trước.") from None


def paginate(items: Sequence, key: Callable[[object], str], *, limit: int, cursor: str | None):
    """One page of `items` (in the service's order) after the item whose key the cursor holds; and the next cursor."""
    start = 0
    if cursor is not None:
        wanted = _decode_cursor(cursor)
        position = next((i for i, item in enumerate(items) if key(item) == wanted), None)
        if position is None:
            raise ApiError(400, "cursor-khong-hop-le", "cursor không hợp lệ hoặc đã cũ: đọc lại từ trang đầu.")
        start = position + 1
    page = list(items[start:start + limit])
    more = start + limit < len(items)
    return page, (encode_cursor(key(page[-1])) if more and page else None)


def period_of(text: str | None, *, today: date, closed: bool = True) -> Period:
    """The period asked for: 400 when missing or malformed, 422 when not closed yet (or, `closed=False`, not begun)."""
    if not text:
        raise ApiError(400, "thieu-ky", "Thiếu tham số period (ví dụ period=2026-Q3, 2026-08 hoặc 2026).")
    try:
        period = parse_period(text)
    except ValueError as exc:
        raise ApiError(400, "ky-khong-hop-le", str(exc)) from None
    if closed and period.end_date >= today:
        raise ApiError(422, "ky-chua-ket-thuc", f"Kỳ {period.label} chưa kết thúc: điểm chỉ có khi kỳ đã khép lại.")
    if not closed and period.start_date > today:
        raise ApiError(422, "ky-chua-bat-dau", f"Kỳ {period.label} chưa bắt đầu.")
    return period


def date_of(text: str | None, *, today: date) -> date:
    if not text:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "ngay-khong-hop-le", f"Ngày “{text[:40]}” không hợp lệ: dùng dạng YYYY-MM-DD.") from None


# ---------------------------------------------------------------- units and catalog


def _unit(u) -> s.Unit:
    return s.Unit(id=u.id, code=u.code, name=u.name, kind=u.kind, parent_id=u.parent_id, is_active=u.is_active)


def units(user, *, limit: int, cursor: str | None) -> s.UnitPage:
    """The units of the user's tree, in tree order."""
    from app.org.services import units_in_scope

    page, nxt = paginate(units_in_scope(user), lambda u: str(u.id), limit=limit, cursor=cursor)
    return s.UnitPage(items=[_unit(u) for u in page], next_cursor=nxt)


def unit(user, unit_id: int) -> s.Unit:
    from app.org.services import get_visible_unit

    return _unit(get_visible_unit(user, unit_id))


def catalog(*, on: date) -> s.Catalog:
    """The indicator catalog with the rules of the version in force on `on`."""
    from app.indicators import services as indicators

    rules = indicators.rules_on(on)
    version = indicators.version_on(on)

    def version_out(v):
        return s.VersionOut(id=v.id, name=v.name, effective_from=v.effective_from)

    groups = [s.GroupOut(id=g.id, code=g.code, name=g.name, indicators=[
        s.IndicatorOut(id=i.id, code=i.code, number=i.number, name=i.name, direction=i.direction,
                       value_source=i.value_source, is_active=i.is_active,
                       max_points=_num(rules[i.id].max_points) if i.id in rules else None,
                       threshold=_num(rules[i.id].threshold) if i.id in rules else None,
                       zero_denominator=rules[i.id].zero_denominator if i.id in rules else None)
        for i in g.indicators]) for g in indicators.catalog()]
    return s.Catalog(on=on, version=version_out(version) if version else None,
                     versions=[version_out(v) for v in indicators.versions()], groups=groups)


# ---------------------------------------------------------------- plans and assignments


def plans(user, *, limit: int, cursor: str | None) -> s.PlanPage:
    from app.assignments.services import plans_visible_to

    page, nxt = paginate(plans_visible_to(user), lambda p: str(p.id), limit=limit, cursor=cursor)
    return s.PlanPage(items=[s.PlanOut(id=p.id, number=p.number, title=p.title, issuing_unit_id=p.issuing_unit_id,
                                       issued_on=p.issued_on, period_start=p.period_start, period_end=p.period_end,
                                       status=p.status) for p in page], next_cursor=nxt)


def _assignment(a) -> s.AssignmentOut | None:
    if a is None:
        return None
    return s.AssignmentOut(id=a.id, subject_key=a.subject_key, responsible_unit_id=a.responsible_unit_id,
                           cooperating_label=a.cooperating_label, team_unit_id=a.team_unit_id,
                           performer_label=a.performer_label, effective_from=a.effective_from,
                           effective_to=a.effective_to)


def assignments(user, plan_id: int, *, on: date, limit: int, cursor: str | None) -> s.AssignmentPage:
    """The plan's assignment table in force on `on`: a row per group, then a row per indicator under it."""
    from app.assignments.services import assignment_table, get_visible_plan

    plan = get_visible_plan(user, plan_id)
    rows = []
    for tg in assignment_table(plan, on):
        rows.append(s.AssignmentRow(key=f"G:{tg.group.code}", group_code=tg.group.code, indicator_code=None,
                                    assignment=_assignment(tg.assignment)))
        rows += [s.AssignmentRow(key=f"I:{ind.code}", group_code=tg.group.code, indicator_code=ind.code,
                                 assignment=_assignment(a)) for ind, a in tg.rows]
    page, nxt = paginate(rows, lambda r: r.key, limit=limit, cursor=cursor)
    return s.AssignmentPage(plan_id=plan.id, on=on, items=page, next_cursor=nxt)


# ---------------------------------------------------------------- scores


def _rank(r) -> s.RankOut:
    return s.RankOut(unit_id=r.unit.id, unit_name=r.unit.name, total=float(r.total), rank=r.rank, of=r.of,
                     previous_rank=r.previous_rank, movement=r.movement)


def _band(band) -> str | None:
    return band[0] if band else None


def _scored_unit(user, unit_id: int):
    from app.scores.access import get_scored_unit

    return get_scored_unit(user, unit_id)


def _no_scores(unit, period: Period):
    return ApiError(404, "chua-co-diem", f"{unit.name} chưa có điểm kỳ {period.label}.")


def scorecard(user, unit_id: int, period_text: str | None, *, today: date) -> s.Scorecard:
    """The figures of the scorecard page (scores.pages.scorecard_page) for a closed period."""
    from app.scores.pages import scorecard_page

    u = _scored_unit(user, unit_id)
    period = period_of(period_text, today=today)
    page = scorecard_page(u, period.kind, period, with_details=False)
    card = page.card
    if card is None or (card.total is None and not any(line.record for g in card.groups for line in g.lines)):
        raise _no_scores(u, period)
    groups = [s.GroupCardOut(code=g.group.code, name=g.group.name, max_points=float(g.max_points),
                             points=_num(g.points), published=_num(g.published), computed=_num(g.computed),
                             lines=[s.LineOut(indicator_id=line.indicator.id, indicator_code=line.indicator.code,
                                              number=line.indicator.number, name=line.indicator.name,
                                              points=_num(line.points), max_points=float(line.max_points),
                                              change=_num(line.change), band=_band(line.band))
                                    for line in g.lines]) for g in card.groups]
    return s.Scorecard(unit_id=u.id, unit_name=u.name, period=period.code, kind=period.kind, total=_num(card.total),
                       computed_total=_num(card.computed_total), previous_total=_num(card.previous_total),
                       change=_num(card.change), max_points=float(card.max_points), band=_band(card.band),
                       peer_group=page.peers.label if page.peers else None,
                       rank=_rank(page.rank) if page.rank else None, groups=groups)


def series(user, unit_id: int, period_text: str | None, *, today: date) -> s.Series:
    """The unit's total and rank per period of `until`'s kind up to it (the trend charts of the scorecard page)."""
    from app.scores import queries
    from app.scores.pages import since, total_trend

    u = _scored_unit(user, unit_id)
    until = period_of(period_text, today=today)
    kind = until.kind
    chart, starts = total_trend(u, kind, until)
    points = [(start, total) for start, total in zip(starts, chart.series[0].values, strict=True) if total is not None]
    ranks = queries.rank_series(u, kind, since(kind, until))
    return s.Series(unit_id=u.id, kind=kind, until=until.code, points=[
        s.SeriesPoint(period=queries.period_of(kind, start).code, total=float(total),
                      rank=ranks[start][0] if start in ranks else None, of=ranks[start][1] if start in ranks else None)
        for start, total in points])


def ranks(user, unit_id: int, period_text: str | None, *, today: date) -> s.Ranks:
    """The unit's peer group ranked for the period (the ranks page)."""
    from app.scores.access import can_see_ranks_of
    from app.scores.pages import rank_in_peers, ranks_tables

    u = _scored_unit(user, unit_id)
    if not can_see_ranks_of(user, u):
        raise NotFound(gettext("Không tìm thấy đơn vị."))
    period = period_of(period_text, today=today)
    group, rank = rank_in_peers(u, period)
    if rank is None:
        raise _no_scores(u, period)
    tables = ranks_tables(u, [group], period)
    return s.Ranks(unit_id=u.id, period=period.code, peer_group=group.label,
                   rows=[_rank(r) for t in tables for r in t.rows])


def red(user, unit_id: int, period_text: str | None, *, today: date) -> s.RedList:
    """Indicators of the unit that turned red or fell, and whether they have been explained (the scorecard page)."""
    from app.scores import accountability, queries

    u = _scored_unit(user, unit_id)
    period = period_of(period_text, today=today)
    card = queries.scorecard(u, period)
    if card.total is None and not any(line.record for g in card.groups for line in g.lines):
        raise _no_scores(u, period)
    items = accountability.red_items(u, period, card)
    return s.RedList(unit_id=u.id, period=period.code, items=[
        s.RedItemOut(indicator_id=i.indicator.id, indicator_code=i.indicator.code, name=i.indicator.name,
                     points=_num(i.line.points), max_points=float(i.line.max_points), band=_band(i.line.band),
                     is_lowest_band=i.is_lowest_band, drop=_num(i.drop), reasons=i.reasons,
                     accountable=i.accountable.label,
                     explanation_status="explained" if i.explanation is not None else "missing",
                     explanation_review=i.explanation.state if i.explanation is not None else None,
                     explanation_due_on=i.explanation.due_on if i.explanation is not None else None)
        for i in items])


# ---------------------------------------------------------------- alerts and dossiers


def alerts(user, *, include_resolved: bool, limit: int, cursor: str | None) -> s.AlertPage:
    """The caller's own alerts, in the order of the alerts page (open first, most urgent first)."""
    from app.alerts.services import for_user

    page, nxt = paginate(for_user(user, include_resolved=include_resolved, limit=1000), lambda a: str(a.id),
                         limit=limit, cursor=cursor)
    return s.AlertPage(items=[s.AlertOut(id=a.id, kind=a.kind, kind_label=a.kind_label, message=a.message,
                                         unit_id=a.unit_id, escalation_level=a.escalation_level,
                                         created_at=a.created_at, acknowledged_at=a.acknowledged_at,
                                         resolved_at=a.resolved_at) for a in page], next_cursor=nxt)


def _stat_row(row) -> s.StatRowOut:
    return s.StatRowOut(unit_id=row.unit.id if row.unit else None, unit_name=row.unit.name if row.unit else "Tổng",
                        is_own=row.is_own, counts=dict(row.counts), to_handle=row.to_handle, done=row.done,
                        processing=row.processing, on_time_rate=_num(row.on_time_rate))


def dossier_stats(user, unit_id: int, period_text: str | None, *, now: datetime, today: date, soon_days: int
                  ) -> s.DossierStats:
    """The dossier statistics page of a unit for a period (running periods included, counted as of `now`)."""
    from app.dossiers import stats
    from app.dossiers.access import get_visible_unit, visible_unit_ids
    from app.workdays.services import calendar_around

    visible = visible_unit_ids(user, today=today)
    u = get_visible_unit(user, unit_id, visible=visible)
    period = period_of(period_text, today=today, closed=False)
    table = stats.unit_statistics(u, period, now=now, calendar=calendar_around(today), soon_days=soon_days,
                                  visible=visible)
    return s.DossierStats(unit_id=u.id, period=period.code, as_of=table.window.as_of,
                          rows=[_stat_row(r) for r in table.rows], total=_stat_row(table.total))
