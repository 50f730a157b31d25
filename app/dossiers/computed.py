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
        L.count_if(sa.and_(received, L.on_time_for_period(end))).label("on_time_at_end"),
    ]


def _part(start: datetime, end: datetime, as_of: datetime, unit_ids, *, is_open: bool):
    """The counts per handling unit over the open (or the closed) dossiers of the period, through the indexes: the
    open ones by the covering partial index `WHERE is_open`, the closed ones by (handling_unit_id, ended_at) since
    a closed dossier counts only if it ended after the period's start; with how long they hold (stats_cache.py)."""
    part = Dossier.is_open if is_open else sa.and_(sa.not_(Dossier.is_open), Dossier.ended_at >= start)
    latest = sa.func.max(sa.case((Dossier.ended_at > Dossier.received_at, Dossier.ended_at),
                                 else_=Dossier.received_at)).label("latest")
    query = (sa.select(Dossier.handling_unit_id, latest, *_counts(start, end, as_of))
             .where(part, Dossier.received_at < end).group_by(Dossier.handling_unit_id))
    if unit_ids is not None:
        query = query.where(Dossier.handling_unit_id.in_(list(unit_ids)))
    counts, latests = {}, []
    for row in db.session.execute(query).mappings():
        counts[row["handling_unit_id"]] = {k: int(v) for k, v in row.items() if k not in ("handling_unit_id", "latest")}
        if row["latest"] is not None:
            latests.append(_utc(row["latest"]))
    if is_open:
        return counts, None  # the open part is read live (a few rows through the covering index)
    # a closed dossier's counts no longer move once the moment is past its receipt and end (as the statistics)
    newest = max(latests, default=None)
    if newest is None or newest <= as_of:
        return counts, (newest or start, None)
    if as_of >= end:
        return counts, (end, None)
    return counts, None


def _utc(moment: datetime) -> datetime:
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def counts_by_handling_unit(period: Period, *, now: datetime, unit_ids=None, cache: bool = False
                            ) -> dict[int, dict[str, int]]:
    """The counts behind the computed indicators per handling unit: closed and open dossiers read apart (and
    summed), the closed part from the statistics cache when `cache` (keyed on the dossier data version)."""
    from app.dossiers import stats_cache
    from app.dossiers.stats import Window

    start, end = L.period_bounds(period)
    as_of = min(now, end)
    ids = sorted(unit_ids) if unit_ids is not None else None
    if cache and ids is not None:
        window = Window(start, end, as_of, as_of, as_of)
        closed = stats_cache.cached("computed-closed", ids, window,
                                    lambda: _part(start, end, as_of, ids, is_open=False))
    else:
        closed = _part(start, end, as_of, ids, is_open=False)[0]
    out: dict[int, dict[str, int]] = {int(uid): dict(c) for uid, c in closed.items()}
    for uid, counts in _part(start, end, as_of, ids, is_open=True)[0].items():
        target = out.setdefault(uid, {})
        for key, value in counts.items():
            target[key] = target.get(key, 0) + value
    return out


def counts_by_scorecard(period: Period, *, now: datetime, unit_ids=None, cache: bool = False
                        ) -> dict[int, dict[str, int]]:
    """The counts behind the computed indicators, per scorecard unit, for one period seen at `now`."""
    scope_of = scorecard_map(all_units())
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for uid, counts in counts_by_handling_unit(period, now=now, unit_ids=unit_ids, cache=cache).items():
        target = out[scope_of[uid]]
        for key, value in counts.items():
            target[key] += value
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
    # the closed part is not taken from the statistics cache here: these pages are GET requests that do not commit,
    # so an entry written while counting would be rolled back each time (a write for nothing); the indexed read of
    # one scorecard's month is a few milliseconds at province scale
    counts = counts_by_scorecard(period, now=now, unit_ids=_members(unit)).get(unit.id)
    if not counts or not counts.get("received"):
        return []
    rules = rules_on(period.start_date)
    c = counts
    at_end = c["on_time_at_end"]  # open dossiers judged at the period's end: due before it and still open: late
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
