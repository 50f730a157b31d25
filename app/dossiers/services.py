"""Dossiers written as the one-door system sends them: an idempotent upsert by (source, code), set-based.

Validated rows are staged in batches into a temporary table on the session's connection (constant memory for a
file of a million rows); duplicate codes, new, changed and unchanged rows are then found with SQL, and the new
ones inserted and the changed ones updated with one statement each. The service flushes and never commits: the
entry point commits once, or rolls back (a dry run, or any error).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.i18n import N_
from app.dossiers.models import CLOSED_STATUSES, DEFAULT_SOURCE, OPEN_STATUSES, Dossier
from app.dossiers.staging import stage_rows, stage_table
from app.extensions import db

BATCH_SIZE = 5_000
MAX_ROW_ERRORS = 1_000
# Problems that repeat over many rows with the same value: reported once per value with the rows, not row by row.
SUMMARISED = ("unknown_unit", "outside_tree", "unknown_officer", "inactive_officer", "unknown_status")
SUMMARY_VALUES = 50  # values remembered per summarised problem
SUMMARY_ROWS = 5  # rows remembered per value
DUPLICATE_SLACK = 1_000  # duplicate rows fetched beyond the listing room, to finish the last code's group
CONCURRENT = N_("Một lần nhập khác vừa ghi cùng những hồ sơ này nên lần nhập này không ghi gì. Hãy nhập lại: hồ sơ "
              "đã có sẽ chỉ được cập nhật phần thay đổi.")

# Written columns of a dossier, in the order of DossierInput (source, created_at and updated_at are set here).
FIELDS = ("code", "procedure_code", "procedure_name", "handling_unit_id", "receiving_unit_id", "handling_officer_id",
          "channel", "received_at", "due_at", "finished_at", "returned_at", "ended_at", "status", "is_open",
          "supplement_count", "apology_at", "new_due_at", "paid_online", "digitized", "e_result", "rating")


@dataclass(slots=True)
class DossierInput:
    """One validated dossier as received; times are aware UTC. `row` is its line in the file (or list position)."""

    row: int
    code: str
    procedure_code: str
    handling_unit_id: int
    receiving_unit_id: int
    received_at: datetime
    due_at: datetime
    status: str
    procedure_name: str = ""
    handling_officer_id: int | None = None
    channel: int = 1
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    supplement_count: int = 0
    apology_at: datetime | None = None
    new_due_at: datetime | None = None
    paid_online: bool | None = None
    digitized: bool | None = None
    e_result: bool | None = None
    rating: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def ended_at(self) -> datetime | None:
        """When processing ended (finished, else returned): the portal's end time; None while open."""
        if self.status not in CLOSED_STATUSES:
            return None
        return self.finished_at or self.returned_at

    def values(self) -> tuple:
        """The staged row: its number, then FIELDS in order."""
        return (self.row, self.code, self.procedure_code, self.procedure_name, self.handling_unit_id,
                self.receiving_unit_id, self.handling_officer_id, self.channel, self.received_at, self.due_at,
                self.finished_at, self.returned_at, self.ended_at, self.status, self.is_open, self.supplement_count,
                self.apology_at, self.new_due_at, self.paid_online, self.digitized, self.e_result, self.rating)


@dataclass
class RowError:
    """A problem of one row (None: of the whole file), in the column it names; `message` is Vietnamese.

    `code` names the kind of problem; `record` is the row's MaHoSo when it has one (the API names it).
    """

    row: int | None
    column: str | None
    value: Any
    message: str
    code: str | None = None
    record: str | None = None


@dataclass
class ValueCount:
    count: int = 0
    rows: list[int] = field(default_factory=list)


class RowErrors:
    """The row errors of one file, in bounded memory: the first `limit` kept, every one counted by kind and column;
    problems of the SUMMARISED kinds also grouped by value (the first SUMMARY_VALUES values, SUMMARY_ROWS rows each).
    """

    def __init__(self, limit: int | None = None):
        self.limit = limit if limit is not None else MAX_ROW_ERRORS
        self.kept: list[RowError] = []
        self.count = 0
        self.by_kind: Counter[str] = Counter()
        self.by_column: Counter[str] = Counter()
        self.values: dict[str, dict[str, ValueCount]] = {}

    def add(self, error: RowError) -> None:
        self.count += 1
        self.by_kind[error.code or ""] += 1
        self.by_column[error.column or ""] += 1
        if len(self.kept) < self.limit:
            self.kept.append(error)
        if error.code in SUMMARISED:
            groups = self.values.setdefault(error.code, {})
            key = str(error.value)
            if key in groups or len(groups) < SUMMARY_VALUES:
                group = groups.setdefault(key, ValueCount())
                group.count += 1
                if error.row is not None and len(group.rows) < SUMMARY_ROWS:
                    group.rows.append(error.row)

    def count_only(self, kind: str, column: str, n: int) -> None:
        """Count `n` more errors of a kind that are not listed (beyond what a report can show)."""
        self.count += n
        self.by_kind[kind] += n
        self.by_column[column] += n

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        return iter(self.kept)


@dataclass
class UpsertResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: RowErrors = field(default_factory=RowErrors)
    outcomes: list[tuple[int, str, str]] = field(default_factory=list)  # (row, code, new|changed|unchanged)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged


def _changed(stage: sa.Table, dossier: sa.Table):
    """SQL: some written column of the stored dossier differs from the staged one (NULLs compared as values)."""
    return sa.or_(*(dossier.c[name].is_distinct_from(stage.c[name]) for name in FIELDS if name != "code"))


def upsert_dossiers(rows: Iterable[DossierInput], *, source: str = DEFAULT_SOURCE, scope_unit=None, now: datetime,
                    errors: RowErrors | None = None, write: bool = True, outcomes: bool = False,
                    batch_size: int | None = None, on_batch: Callable[[int], None] | None = None,
                    row_label: str = "dòng") -> UpsertResult:
    """Insert new dossiers and update changed ones of `source`, matched on their code; flushes, never commits.

    `rows` is consumed once, a batch at a time. `errors` may already hold (or be filled, while `rows` is consumed,
    with) the parser's row errors: when it holds any at the end, or a row is refused here (a unit outside
    `scope_unit`'s tree, a code twice in the rows), nothing is written. `write=False` only checks. `updated_at`
    becomes `now` only on dossiers that change. `outcomes` lists each row's result (for short lists: the API);
    `row_label` is what a row is called in messages ("dòng" of a file, "vị trí" in an API list).
    """
    from app.org.models import Unit
    from app.org.services import descendant_ids

    batch_size = batch_size or BATCH_SIZE
    result = UpsertResult(errors=errors if errors is not None else RowErrors())
    allowed = descendant_ids(scope_unit.id) if scope_unit is not None else None
    unit_codes: dict[int, str] = {}
    session = db.session
    session.flush()
    dialect = session.get_bind().dialect.name
    stage = stage_table(dialect, FIELDS)
    session.execute(sa.text(f"DROP TABLE IF EXISTS {stage.fullname}"))
    session.execute(sa.schema.CreateTable(stage))
    try:
        batch: list[tuple] = []
        staged = 0
        for item in rows:
            if allowed is not None and not _inside(item, allowed, unit_codes, result.errors, Unit):
                continue
            batch.append(item.values())
            if len(batch) >= batch_size:
                stage_rows(stage, dialect, batch)
                staged += len(batch)
                batch = []
                if on_batch is not None:
                    on_batch(staged)
        if batch:
            stage_rows(stage, dialect, batch)
            staged += len(batch)
            if on_batch is not None:
                on_batch(staged)
        if dialect == "postgresql":
            tune_postgres()
            session.execute(sa.text(f"ANALYZE {stage.fullname}"))  # temporary tables get no statistics otherwise
        else:  # SQLite joins through indexes (PostgreSQL hashes: an index would only cost its building)
            sa.Index("ix_dossier_stage_code", stage.c.code).create(session.connection())
        _report_duplicates(stage, result.errors, row_label)
        if result.errors or not write:
            return result
        _write(stage, source, now, result, staged=staged, outcomes=outcomes)
        return result
    finally:
        # After a database error the transaction is lost anyway: rolling it back drops the table.
        with contextlib.suppress(sa.exc.DBAPIError):
            session.execute(sa.text(f"DROP TABLE IF EXISTS {stage.fullname}"))


def _inside(item: DossierInput, allowed: set[int], unit_codes: dict[int, str], errors: RowErrors, unit_model) -> bool:
    """Whether both units of the row are in the allowed tree; an error naming the unit otherwise."""
    ok = True
    for column, unit_id in (("MaDonViXuLy", item.handling_unit_id), ("MaDonViTiepNhan", item.receiving_unit_id)):
        if unit_id in allowed:
            continue
        if unit_id not in unit_codes:
            unit_codes[unit_id] = db.session.scalar(sa.select(unit_model.code).where(unit_model.id == unit_id))
        code = unit_codes[unit_id]
        errors.add(RowError(item.row, column, code, f"Đơn vị «{code}» nằm ngoài phạm vi được phép (chỉ nhận hồ sơ "
                                                    "của các đơn vị thuộc phạm vi quản lý).",
                            code="outside_tree", record=item.code))
        ok = False
        if column == "MaDonViXuLy" and item.receiving_unit_id == item.handling_unit_id:
            break  # the same unit: one error is enough
    return ok


def _report_duplicates(stage: sa.Table, errors: RowErrors, row_label: str) -> None:
    """Every row whose code appears more than once, naming the other rows; found in SQL, listed within the limit."""
    groups = (sa.select(stage.c.code, sa.func.count().label("n")).group_by(stage.c.code)
              .having(sa.func.count() > 1).subquery())
    total = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(groups.c.n), 0)))
    if not total:
        return
    room = max(errors.limit - len(errors.kept), 0)
    fetched = list(db.session.execute(
        sa.select(stage.c.code, stage.c.row_no).join(groups, groups.c.code == stage.c.code)
        .order_by(stage.c.code, stage.c.row_no).limit(room + DUPLICATE_SLACK)))
    by_code: dict[str, list[int]] = {}
    for code, row in fetched:
        by_code.setdefault(code, []).append(row)
    if len(fetched) == room + DUPLICATE_SLACK:  # the last group may be cut short: leave it to the count
        by_code.pop(fetched[-1][0])
    listed = 0
    for code, rows in by_code.items():
        if listed >= room:
            break
        for row in rows:
            others = [str(r) for r in rows if r != row]
            shown = ", ".join(others[:5]) + (f", … ({len(rows)} {row_label} cùng mã)" if len(others) > 5 else "")
            errors.add(RowError(row, "MaHoSo", code, f"MaHoSo «{code}» trùng với {row_label} {shown}.",
                                code="duplicate", record=code))
        listed += len(rows)
    errors.count_only("duplicate", "MaHoSo", int(total) - listed)


def _write(stage: sa.Table, source: str, now: datetime, result: UpsertResult, *, staged: int,
           outcomes: bool) -> None:
    """Find the new rows, update the changed dossiers, insert the new ones; the rest are unchanged.

    Set-based, one statement each, counted by their row counts (no per-row kind is written to the stage; `outcomes`
    reads each row's kind with one join first). A dossier of a new code written meanwhile by another import makes
    the INSERT fail on the unique constraint (the entry points then say CONCURRENT): nothing is half-written.
    """
    d = Dossier.__table__
    same = sa.and_(d.c.source == source, d.c.code == stage.c.code)
    session = db.session
    if outcomes:
        kind = sa.case((d.c.id.is_(None), "new"), (_changed(stage, d), "changed"), else_="unchanged")
        result.outcomes = [tuple(r) for r in session.execute(
            sa.select(stage.c.row_no, stage.c.code, kind).select_from(stage.outerjoin(d, same))
            .order_by(stage.c.row_no))]
    fresh = _new_rows(stage, source)
    result.new = session.scalar(sa.select(sa.func.count()).select_from(fresh))
    moment = sa.literal(now, d.c.updated_at.type)
    if result.new < staged:  # some codes are stored already: update those that differ
        result.changed = session.execute(
            sa.update(d).values({**{d.c[name]: stage.c[name] for name in FIELDS if name != "code"},
                                 d.c.updated_at: moment})
            .where(same, _changed(stage, d))).rowcount
    if result.new:
        columns = ["source", *FIELDS, "created_at", "updated_at"]
        select = sa.select(sa.literal(source, d.c.source.type), *(stage.c[name] for name in FIELDS), moment, moment)
        if result.new < staged:
            select = select.where(stage.c.row_no.in_(sa.select(fresh.c.row_no)))
        session.execute(sa.insert(d).from_select(columns, select.order_by(stage.c.row_no)))
    result.unchanged = staged - result.new - result.changed
    session.execute(sa.text(f"DROP TABLE {fresh.fullname}"))
    if result.changed or result.new:
        from app.dossiers import stats_cache

        stats_cache.bump()  # cached statistics of the old data are no longer used (stats_cache.py)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Dossier):
            session.expire(obj)  # a dossier loaded earlier must not hide what SQL just wrote


def _new_rows(stage: sa.Table, source: str) -> sa.Table:
    """A temporary table of the staged rows whose code `source` does not have yet (their row numbers)."""
    d = Dossier.__table__
    options = {"postgresql_on_commit": "DROP"} if stage.schema == "pg_temp" else {}
    fresh = sa.Table("dossier_stage_new", sa.MetaData(), sa.Column("row_no", sa.Integer, nullable=False),
                     schema=stage.schema, prefixes=["TEMPORARY"], **options)
    db.session.execute(sa.text(f"DROP TABLE IF EXISTS {fresh.fullname}"))
    db.session.execute(sa.schema.CreateTable(fresh))
    db.session.execute(sa.insert(fresh).from_select(["row_no"], sa.select(stage.c.row_no).where(
        ~sa.exists().where(d.c.source == source, d.c.code == stage.c.code))))
    return fresh


def tune_postgres() -> None:
    """Settings for the big set-based statements, for this transaction only (SET LOCAL): no JIT (compiling a
    plan over a million rows costs seconds and saves nothing here), room for the hash joins and the duplicate count."""
    db.session.execute(sa.text("SET LOCAL jit = off"))
    db.session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
