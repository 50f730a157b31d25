"""The overdue-dossier scan: set-based SQL that raises each alert exactly once and resolves the ones cleared.

Who must be told is decided here per unit (a few hundred units at most): the handling officer, the head of the
handling unit (the nearest unit above with a head), whoever answers for indicator 4 of the scorecard the dossier
counts in, and the chair for escalations. Telling them is one INSERT … SELECT per kind and recipient group over the
indexed dossier columns, with ON CONFLICT DO NOTHING against the alert's unique key: two scans at once (two
scheduler processes, a CLI run beside the scheduler) still create every alert once. The caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import ClauseAdapter

from app.alerts import services as alerts
from app.alerts.models import Alert
from app.auth.models import User
from app.core.types import UTCDateTime
from app.dossiers import lateness as L
from app.dossiers.access import all_units, scorecard_map
from app.dossiers.models import Dossier
from app.extensions import db
from app.indicators.models import Indicator

OPEN_KINDS = ("dossier_due_soon", "dossier_overdue", "dossier_apology_missing")
COUNTED = (*OPEN_KINDS, "dossier_escalated", "dossier_returned_late")  # ScanResult.created's keys


@dataclass
class ScanResult:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int, dict.fromkeys(COUNTED, 0)))
    resolved: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _insert(select) -> list[tuple[str, int]]:
    """INSERT the alert rows a SELECT yields, skipping those that exist (the unique key decides); (kind, level) of
    each new one."""
    columns = ["kind", "subject_type", "subject_key", "recipient_id", "unit_id", "dossier_id", "message", "link",
               "escalation_level", "created_at"]
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(Alert).from_select(columns, select).on_conflict_do_nothing().returning(
        Alert.kind, Alert.escalation_level)
    return [tuple(row) for row in db.session.execute(statement)]  # rowcount is not reliable for INSERT … SELECT


def _select(kind: str, recipient, message, now: datetime, condition, level: int = 0) -> sa.Select:
    """The alert rows to add: those matching `condition` that are not there yet (an anti-join on the alert's unique
    key, so the steady state mostly finds nothing new and writes nothing; ON CONFLICT still settles a race)."""
    key = Dossier.source + sa.literal(":") + Dossier.code
    told = aliased(Alert, name="told")
    exists = sa.exists().where(told.kind == kind, told.subject_type == "dossier", told.subject_key == key,
                               told.recipient_id == recipient, told.escalation_level == level)
    return sa.select(
        sa.literal(kind), sa.literal("dossier"), key, recipient, Dossier.handling_unit_id, Dossier.id, message,
        sa.literal(""), sa.literal(level), sa.literal(now, UTCDateTime()),
    ).where(condition, sa.not_(exists))


def _text(prefix: str, suffix: str):
    """'Hồ sơ <code> (<procedure>) <suffix>' built in SQL (|| in both SQLite and PostgreSQL)."""
    procedure = sa.case((Dossier.procedure_name != "", sa.literal(" (") + Dossier.procedure_name + sa.literal(")")),
                        else_=sa.literal(""))
    return sa.literal(prefix) + Dossier.code + procedure + sa.literal(suffix)


@dataclass
class Routes:
    """For each role, which handling units each recipient hears about: {user id: {unit ids}}."""

    heads: dict[int, set[int]]
    owners: dict[int, set[int]]
    chairs: dict[int, set[int]]


def routes(*, today) -> Routes:
    """Decide who is told about which handling units (one pass over the unit tree, its leaders and the owners of
    indicator 4 of every scorecard: a fixed handful of queries, whatever the number of units)."""
    from app.scores.owners import answerer_ids

    units = all_units()
    people = db.session.execute(sa.select(User.id, User.unit_id, User.role).where(
        User.is_active.is_(True), User.role.in_(("head", "chair")))).all()
    by_role: dict[str, dict[int, list[int]]] = {"head": defaultdict(list), "chair": defaultdict(list)}
    for uid, unit_id, role in people:
        by_role[role][unit_id].append(uid)

    def nearest(role: str, unit_id: int) -> list[int]:
        node, seen = unit_id, set()
        while node is not None and node not in seen:
            seen.add(node)
            if by_role[role].get(node):
                return by_role[role][node]
            node = units[node][0]
        return []

    heads: dict[int, set[int]] = defaultdict(set)
    chairs: dict[int, set[int]] = defaultdict(set)
    for unit_id in units:
        for uid in nearest("head", unit_id):
            heads[uid].add(unit_id)
        for uid in nearest("chair", unit_id):
            chairs[uid].add(unit_id)
    owners: dict[int, set[int]] = defaultdict(set)
    progress = db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))
    scope_of = scorecard_map(units)
    members: dict[int, set[int]] = defaultdict(set)
    for unit_id, scope_id in scope_of.items():
        members[scope_id].add(unit_id)
    if progress is not None:
        for scope_id, people in answerer_ids(members, progress, today).items():  # all scorecards at once
            for uid in people:
                owners[uid] |= members[scope_id]
    return Routes(dict(heads), dict(owners), dict(chairs))


def scan_dossiers(*, now: datetime, calendar=None) -> ScanResult:
    """Raise the alerts due at `now` and resolve the ones whose cause is gone; idempotent, safe in parallel."""
    from app.workdays.services import calendar_around

    config = current_app.config
    today = now.astimezone(L.VN_TZ).date()
    calendar = calendar or calendar_around(today)
    moments = L.Moments.at(now, calendar, soon_days=config["DOSSIER_DUE_SOON_DAYS"],
                           escalate_days=config["DOSSIER_ESCALATE_AFTER_DAYS"])
    route = routes(today=today)
    result = ScanResult()
    officer = Dossier.handling_officer_id
    active_officer = sa.exists().where(User.id == Dossier.handling_officer_id, User.is_active.is_(True))

    due_soon = sa.and_(Dossier.is_open, sa.not_(L.late_at(now)), Dossier.due_at <= moments.soon_until)
    overdue = sa.and_(Dossier.is_open, L.late_at(now))
    apology = L.apology_missing(moments)
    escalate = sa.and_(Dossier.is_open, Dossier.due_at <= moments.escalate_until)
    lookback = now - timedelta(days=config["DOSSIER_RETURNED_LATE_LOOKBACK_DAYS"])
    returned_late = sa.and_(sa.not_(Dossier.is_open), Dossier.ended_at >= lookback, Dossier.ended_at <= now,
                            L.finished_late())
    texts = {
        "dossier_due_soon": _text("Hồ sơ ", " sắp đến hạn trả kết quả: xử lý xong trước hạn."),
        "dossier_overdue": _text("Hồ sơ ", " đã quá hạn trả kết quả mà chưa xử lý xong."),
        "dossier_apology_missing": _text("Hồ sơ ", " sắp trễ hoặc đã trễ hạn nhưng chưa có phiếu xin lỗi và hẹn lại "
                                                   "ngày trả kết quả (mẫu 04)."),
        "escalation": _text("Hồ sơ ", f" đã quá hạn từ {config['DOSSIER_ESCALATE_AFTER_DAYS']} ngày làm việc trở "
                                      "lên mà chưa xử lý xong: cần lãnh đạo chỉ đạo."),
        "dossier_returned_late": _text("Hồ sơ ", " đã trả kết quả trễ hạn."),
    }

    # The open dossiers any alert may be about (due within the margins, overdue, or late for supplements), read once:
    # every open-dossier branch below selects from this set, all in one INSERT, so the heap is visited once.
    horizon = max(moments.soon_until, moments.apology_until)
    hot = sa.select(*Dossier.__table__.c).where(
        Dossier.is_open, sa.or_(Dossier.due_at <= horizon, L.too_many_supplements())).cte("hot")
    from_hot = ClauseAdapter(hot).traverse  # the same SELECTs, over `hot` instead of the dossier table
    branches: list[sa.Select] = []

    def to_officer(kind: str, condition) -> None:
        branches.append(from_hot(_select(kind, officer, texts[kind], now,
                                         sa.and_(condition, officer.is_not(None), active_officer))))

    def to_groups(kind: str, groups: dict[int, set[int]], condition, *, text_key: str | None = None,
                  level: int = 0, into: list | None = None) -> None:
        """The dossiers joined to a VALUES list of (recipient, unit) pairs: one SELECT for the whole group."""
        pairs = sorted((user_id, unit_id) for user_id, unit_ids in groups.items() for unit_id in unit_ids)
        if not pairs:
            return
        name = f"route_{len(branches)}"
        route_ = sa.values(sa.column("recipient_id", sa.Integer), sa.column("unit_id", sa.Integer),
                           name=name).data(pairs).cte(name)  # WITH route_n(…) AS (VALUES …): both dialects
        select = _select(kind, route_.c.recipient_id, texts[text_key or kind], now, condition, level).join_from(
            Dossier, route_, route_.c.unit_id == Dossier.handling_unit_id)
        if into is None:
            branches.append(from_hot(select))
        else:
            into.append(select)

    to_officer("dossier_due_soon", due_soon)
    to_officer("dossier_overdue", overdue)
    to_groups("dossier_overdue", route.heads, overdue)
    to_groups("dossier_overdue", route.owners, overdue)
    to_officer("dossier_apology_missing", apology)
    to_groups("dossier_apology_missing", route.heads, apology)
    to_groups("dossier_overdue", route.chairs, escalate, text_key="escalation", level=1)
    closed: list[sa.Select] = []  # recently ended late: read through ix_dossier_ended_late, not from `hot`
    to_groups("dossier_returned_late", route.owners, returned_late, into=closed)
    for statement in ([sa.union_all(*branches)] if branches else []) + closed:
        for kind, level in _insert(statement):
            result.created[kind if not level else "dossier_escalated"] += 1
    result.resolved = resolve_cleared(now=now)
    db.session.flush()
    return result


def resolve_cleared(*, now: datetime) -> int:
    """Close the open alerts of dossiers that finished, were moved to a later due time, or got their letter."""
    cleared = sa.or_(sa.not_(Dossier.is_open),
                     sa.and_(Alert.kind == "dossier_overdue", sa.not_(L.late_at(now))),
                     sa.and_(Alert.kind == "dossier_apology_missing", Dossier.apology_at.is_not(None)))
    # one pass over the open alerts, each checked against its own dossier (by key), never a set of all dossiers
    return alerts.resolve_cleared(subject_type="dossier", kinds=OPEN_KINDS, now=now,
                                  cleared=sa.exists().where(Dossier.id == Alert.dossier_id, cleared))
