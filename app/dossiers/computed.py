"""Indicators computed from the dossiers (4, 7, 10, 11, 12, 19) per scorecard and period, stored as score records
of source "computed" beside the portal's figure, so a unit knows its score before the portal publishes it; and the
projection of the running period ("xử lý đúng hạn 40 hồ sơ đang mở → chỉ số 4 đạt 17,9/20")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.core.i18n import N_
from app.dossiers import lateness as L
from app.dossiers.access import all_units, scorecard_map
from app.dossiers.models import Dossier
from app.extensions import db
from app.indicators.models import Indicator
from app.indicators.scoring import Rule
from app.indicators.services import rules_on
from app.org.models import Unit
from app.scores.periods import Period, month_period, quarter_period, year_period
from app.scores.services import ScoreInput, upsert

# indicator code → (numerator count, denominator count) of `_counts`
FORMULAS = {
    "PROGRESS_ON_TIME": ("on_time", "received"),
    "ONLINE_SUBMITTED": ("online", "received"),
    "PAYMENT_DOSSIERS": ("paid_online", "with_fee"),
    "ORIGINAL_RESULT_AVAILABLE": ("e_result", "finished"),
    "SO_HOA_GIAY_TO_GIAI_QUYET": ("digitized", "received"),
    "DOSSIER_RECEIVING_SATISFACTION": ("satisfied", "rated"),
}
SATISFIED_FROM = 4  # a citizen rating of 4 or 5 (of 5) counts as satisfied


def _counts(start: datetime, end: datetime, as_of: datetime):
    received = sa.and_(Dossier.received_at >= start, Dossier.received_at < end)
    finished = sa.and_(Dossier.ended_at >= start, Dossier.ended_at < end, Dossier.ended_at <= as_of)
    return [
        L.count_if(received).label("received"),
        L.count_if(sa.and_(received, L.on_time_for_period(as_of))).label("on_time"),
        L.count_if(sa.and_(received, Dossier.channel == 2)).label("online"),
        L.count_if(sa.and_(received, Dossier.paid_online.is_not(None))).label("with_fee"),
        L.count_if(sa.and_(received, Dossier.paid_online.is_(True))).label("paid_online"),
        L.count_if(sa.and_(received, Dossier.digitized.is_(True))).label("digitized"),
        L.count_if(finished).label("finished"),
        L.count_if(sa.and_(finished, Dossier.e_result.is_(True))).label("e_result"),
        L.count_if(sa.and_(finished, Dossier.rating.is_not(None))).label("rated"),
        L.count_if(sa.and_(finished, Dossier.rating >= SATISFIED_FROM)).label("satisfied"),
        # for the projection of a running period
        L.count_if(sa.and_(received, Dossier.is_open, sa.not_(L.late_at(as_of)))).label("open_in_time"),
        L.count_if(sa.and_(received, Dossier.is_open, L.late_at(as_of))).label("open_late"),
        L.count_if(sa.and_(received, Dossier.is_open, Dossier.paid_online.is_(False))).label("open_fee_unpaid"),
        L.count_if(sa.and_(received, Dossier.is_open, sa.not_(Dossier.digitized.is_(True)))).label("open_undigitized"),
        L.count_if(sa.and_(received, Dossier.is_open)).label("open"),
    ]


def counts_by_scorecard(period: Period, *, now: datetime, unit_ids=None) -> dict[int, dict[str, int]]:
    """The counts behind the computed indicators, per scorecard unit, for one period seen at `now`."""
    start, end = L.period_bounds(period)
    as_of = min(now, end)
    query = (sa.select(Dossier.handling_unit_id, *_counts(start, end, as_of))
             .where(Dossier.received_at < end, sa.or_(Dossier.is_open, Dossier.ended_at >= start))
             .group_by(Dossier.handling_unit_id))
    if unit_ids is not None:
        query = query.where(Dossier.handling_unit_id.in_(list(unit_ids)))
    scope_of = scorecard_map(all_units())
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in db.session.execute(query).mappings():
        target = out[scope_of[row["handling_unit_id"]]]
        for key, value in row.items():
            if key != "handling_unit_id":
                target[key] += int(value)
    return {k: dict(v) for k, v in out.items()}


def periods_to_compute(now: datetime) -> list[Period]:
    """The running month, quarter and year, and the month and quarter before (late dossiers still move them)."""
    today = now.astimezone(L.VN_TZ).date()
    month = month_period(today.year, today.month)
    quarter = quarter_period(today.year, (today.month - 1) // 3 + 1)
    from app.scores.queries import previous

    return [month, previous(month), quarter, previous(quarter), year_period(today.year)]


def compute(*, now: datetime, periods: list[Period] | None = None) -> dict[str, int]:
    """Store (idempotently) the computed indicators of every scorecard with dossiers; returns upsert counts."""
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator).where(Indicator.code.in_(FORMULAS)))}
    items: list[ScoreInput] = []
    for period in periods or periods_to_compute(now):
        for scope_id, counts in counts_by_scorecard(period, now=now).items():
            if not counts.get("received") and not counts.get("finished"):
                continue
            unit = db.session.get(Unit, scope_id)
            for code, (num, den) in FORMULAS.items():
                if code in indicators:
                    items.append(ScoreInput(unit=unit, period=period, source="computed", indicator=indicators[code],
                                            group=indicators[code].group, numerator=Decimal(counts.get(num, 0)),
                                            denominator=Decimal(counts.get(den, 0)),
                                            note="Tính từ hồ sơ của hệ thống một cửa."))
    result = upsert(items, None)
    return {"new": result.new, "changed": result.changed, "unchanged": result.unchanged}


@dataclass
class Projection:
    """Indicator values of the running period now, and if the open dossiers are handled well."""

    indicator: Indicator
    current: Decimal | None
    if_handled: Decimal | None
    max_points: Decimal
    open_in_time: int
    open_late: int
    action: str  # what "handled well" means, in Vietnamese
    action_text: str = ""  # the same as a catalog message ("... %(n)s ..."), for the page's language
    action_count: int = 0


def projections(unit: Unit, period: Period, *, now: datetime) -> list[Projection]:
    """For a scorecard unit's running period: each dossier-fed indicator now (open dossiers judged at the period's
    end, as the portal will) and if every open dossier still in time is handled on time (overdue ones stay late)."""
    counts = counts_by_scorecard(period, now=now).get(unit.id)
    if not counts or not counts.get("received"):
        return []
    rules = rules_on(period.start_date)
    start, end = L.period_bounds(period)
    # open dossiers judged at the period's end: those due before it and still open will be late
    at_end = db.session.scalar(sa.select(L.count_if(sa.and_(
        Dossier.received_at >= start, Dossier.received_at < end, L.on_time_for_period(end))))
        .where(Dossier.handling_unit_id.in_(_members(unit)))) or 0
    c = counts
    plans = {
        "PROGRESS_ON_TIME": ((at_end, c["received"]), (c["on_time"], c["received"]),
                             (N_("xử lý đúng hạn %(n)s hồ sơ đang mở còn trong hạn"), c["open_in_time"])),
        "PAYMENT_DOSSIERS": ((c["paid_online"], c["with_fee"]),
                             (c["paid_online"] + c["open_fee_unpaid"], c["with_fee"]),
                             (N_("hướng dẫn thanh toán trực tuyến %(n)s hồ sơ đang mở có phí"), c["open_fee_unpaid"])),
        "ORIGINAL_RESULT_AVAILABLE": ((c["e_result"], c["finished"]),
                                      (c["e_result"] + c["open"], c["finished"] + c["open"]),
                                      (N_("cấp kết quả điện tử cho %(n)s hồ sơ đang mở khi trả"), c["open"])),
        "SO_HOA_GIAY_TO_GIAI_QUYET": ((c["digitized"], c["received"]),
                                      (c["digitized"] + c["open_undigitized"], c["received"]),
                                      (N_("số hóa %(n)s hồ sơ đang mở chưa số hóa"), c["open_undigitized"])),
    }
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator).where(Indicator.code.in_(plans)))}
    out = []
    for code, ((num, den), (best_num, best_den), (action, count)) in plans.items():
        indicator = indicators.get(code)
        rule = rules.get(indicator.id) if indicator else None
        if rule is None:
            continue
        scoring = Rule.of(rule)
        out.append(Projection(indicator, scoring.score(numerator=num, denominator=den),
                              scoring.score(numerator=min(best_num, best_den), denominator=best_den), rule.max_points,
                              c["open_in_time"], c["open_late"], action % {"n": count}, action, count))
    return out


def _members(unit: Unit) -> list[int]:
    from app.dossiers.access import members_of

    return sorted(members_of(unit.id))
