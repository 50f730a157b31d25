"""An officer's home: the indicators they answer for, most urgent first (red and not explained at the top), with the
latest points, the explanation each red one still needs and the dossiers that move them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext

from app.assignments import services as assignments
from app.assignments.models import Assignment
from app.auth.models import User
from app.home.services import RedView, red_view
from app.indicators.models import Indicator, subject_key
from app.scores import queries


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    assignment: Assignment
    score: dict | None  # latest points, change, band, sparkline (see `latest_scores`)
    red: RedView | None

    @property
    def urgency(self) -> tuple:
        """Red and not explained first (overdue before due), then red and explained, then the lowest bands."""
        first = self.red.state.urgency if self.red is not None else 3
        band = self.score["band"] if self.score else None
        lowest_first = -int(band[1].removeprefix("band-")) if band else 1  # band-4 (red) first, no score last
        return (first, lowest_first, self.indicator.group.sort_order, self.indicator.sort_order)


@dataclass
class OwnedCard:
    """One assignment (a group, or an indicator assigned apart) and its indicators, most urgent first."""

    assignment: Assignment
    rows: list[IndicatorRow] = field(default_factory=list)

    @property
    def urgency(self) -> tuple:
        return min(r.urgency for r in self.rows)


@dataclass
class OfficerHome:
    mine: list[tuple[Indicator, Assignment]]
    cards: list[OwnedCard]
    pressure: dict
    projections: dict

    @property
    def todo(self) -> list[IndicatorRow]:
        """Red indicators still to explain, most urgent first."""
        return sorted((r for c in self.cards for r in c.rows if r.red is not None and r.red.state.needs_action),
                      key=lambda r: r.urgency)

    @property
    def explained(self) -> list[IndicatorRow]:
        return [r for c in self.cards for r in c.rows if r.red is not None and not r.red.state.needs_action]


def officer_home(user: User, *, today: date, now: datetime, soon_days: int) -> OfficerHome:
    """The user's indicators in force today, by assignment card, cards and rows sorted by urgency."""
    from app.scores.redlist import red_items_of

    mine = assignments.indicators_of(user, today)
    scopes = {a.scope_unit_id: a.scope_unit for _, a in mine}
    latest = {sid: (unit, queries.latest_period([sid])) for sid, unit in scopes.items()}  # one read per scope
    scores = latest_scores(mine, {sid: period for sid, (_u, period) in latest.items()})
    found = red_items_of([(unit, period) for unit, period in latest.values() if period is not None])
    reds: dict[tuple[int, int], RedView] = {}
    for scope_id, items in found.items():
        unit, period = latest[scope_id]
        for item in items:
            reds[(scope_id, item.indicator.id)] = red_view(unit, period, item, today=today,
                                                           is_mine=item.accountable.includes(user))
    cards: dict[int, OwnedCard] = {}
    for ind, a in mine:
        cards.setdefault(a.id, OwnedCard(a)).rows.append(
            IndicatorRow(ind, a, scores.get(ind.id), reds.get((a.scope_unit_id, ind.id))))
    for card in cards.values():
        card.rows.sort(key=lambda r: r.urgency)
    pressure, projections = dossier_signals(mine, today=today, now=now, soon_days=soon_days)
    return OfficerHome(mine, sorted(cards.values(), key=lambda c: c.urgency), pressure, projections)


def dossier_signals(mine, *, today: date, now: datetime, soon_days: int):
    """For the scorecards whose dossier-fed indicators the user owns: the open dossiers that move them now
    (overdue, due soon, apology missing) and the projection of the running month."""
    from app.dossiers.access import DOSSIER_INDICATORS
    from app.dossiers.computed import projections as projections_of
    from app.dossiers.stats import pressure as pressure_of
    from app.scores.periods import month_period
    from app.workdays.services import calendar_around

    scopes = {a.scope_unit_id: a.scope_unit for ind, a in mine if ind.code in DOSSIER_INDICATORS}
    if not scopes:
        return {}, {}
    pressure = pressure_of(list(scopes.values()), now=now, calendar=calendar_around(today), soon_days=soon_days)
    running = month_period(today.year, today.month)
    projections = {scope_id: {p.indicator.id: p for p in projections_of(unit, running, now=now)}
                   for scope_id, unit in scopes.items()}
    return pressure, projections


def latest_scores(mine, latest_of: dict | None = None) -> dict[int, dict]:
    """Latest monthly points, change and a 12-month sparkline of each owned indicator (scope unit's scorecard);
    `latest_of` gives each scope's latest period when the caller has read it."""
    from app.core import charts
    from app.core.chart_figures import describe, page_language, period_tick

    out: dict[int, dict] = {}
    by_scope: dict[int, list] = {}
    for ind, a in mine:
        by_scope.setdefault(a.scope_unit_id, []).append((ind, a))
    for scope_id, pairs in by_scope.items():
        latest = latest_of[scope_id] if latest_of is not None else queries.latest_period([scope_id])
        if latest is None:
            continue
        since = latest.start_date.replace(year=latest.start_date.year - 1)
        scope = pairs[0][1].scope_unit
        by_subject = queries.series_by_subject([scope], "month", [ind for ind, _ in pairs], since)
        for ind, _a in pairs:
            series = by_subject.get(subject_key(indicator=ind), {}).get(scope_id, {})
            if not series:
                continue
            starts = sorted(series)
            last = series[starts[-1]]
            prev = series.get(queries.previous(queries.period_of("month", starts[-1])).start_date)
            change = (last.points - prev.points) if prev and None not in (last.points, prev.points) else None
            out[ind.id] = {
                "record": last, "period": queries.period_of("month", starts[-1]), "change": change,
                "band": queries.band_of(last.points, last.max_points), "unit": scope,
                "spark": charts.sparkline([series[s].points for s in starts], y_max=float(last.max_points),
                                          title=gettext("Điểm 12 tháng") + ": " + describe(
                                              [period_tick(queries.period_of("month", s).code) for s in starts],
                                              [series[s].points for s in starts]), **page_language()),
            }
    return out
