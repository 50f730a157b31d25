"""PostgreSQL declarative partitioning of `dossier` by month of receipt, as one reversible step each way.

`partition()` turns the table into `dossier PARTITION BY RANGE (received_at)` with one partition per month (Vietnam
time, the statistics' months), some months ahead and a DEFAULT partition; `unpartition()` turns it back into the
model's plain table. Each runs in the caller's transaction (the CLI commits once): all or nothing, rows kept, ids
and their sequence kept.

What a partitioned table cannot have, and what stands in for it:
- its primary key and unique constraints must include the partition key: the key becomes (id, received_at), and
  the unique (source, code) — what the import matches on — moves to a small registry, `dossier_ref(id, source,
  code)` with the unique constraint, kept by triggers: BEFORE INSERT on dossier registers the row (an upsert on id,
  so a row moving to another month's partition re-registers harmlessly), AFTER UPDATE OF source, code follows a
  renamed code, and a statement-level AFTER DELETE drops the entries whose dossier is gone;
- foreign keys to `dossier(id)` (dossier_claim, alert) would need the composite key: they point at
  `dossier_ref(id)` instead, ON DELETE CASCADE as before, and dossier(id) itself references dossier_ref(id).
The import keeps working unchanged: it matches (source, code) against the table and inserts or updates rows; a
duplicate (source, code) is refused by the registry exactly as by the old unique constraint.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core.errors import DomainError
from app.dossiers.lateness import start_of_day
from app.dossiers.models import Dossier
from app.extensions import db

MONTHS_AHEAD = 12
_SYNC = """
CREATE FUNCTION dossier_ref_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dossier_ref (id, source, code) VALUES (NEW.id, NEW.source, NEW.code)
      ON CONFLICT (id) DO UPDATE SET source = EXCLUDED.source, code = EXCLUDED.code;
    RETURN NEW;
  END IF;
  UPDATE dossier_ref SET source = NEW.source, code = NEW.code WHERE id = NEW.id;
  RETURN NEW;
END $$;
CREATE FUNCTION dossier_ref_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM dossier_ref r USING gone WHERE r.id = gone.id AND NOT EXISTS (SELECT 1 FROM dossier d WHERE d.id = gone.id);
  RETURN NULL;
END $$;
CREATE TRIGGER dossier_ref_insert BEFORE INSERT ON dossier FOR EACH ROW EXECUTE FUNCTION dossier_ref_sync();
CREATE TRIGGER dossier_ref_update AFTER UPDATE OF source, code ON dossier FOR EACH ROW
  EXECUTE FUNCTION dossier_ref_sync();
CREATE TRIGGER dossier_ref_delete AFTER DELETE ON dossier REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
  EXECUTE FUNCTION dossier_ref_forget();
"""
_REFERRERS = (("dossier_claim", "fk_dossier_claim_dossier_id_dossier"), ("alert", "fk_alert_dossier_id_dossier"))


def _check_postgres() -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        raise DomainError("Chỉ PostgreSQL mới chia bảng hồ sơ theo tháng (phân vùng); cơ sở dữ liệu này là "
                          f"{db.session.get_bind().dialect.name}: không làm gì.")


def is_partitioned() -> bool:
    _check_postgres()
    return bool(db.session.scalar(sa.text(
        "SELECT c.relkind = 'p' FROM pg_class c WHERE c.oid = to_regclass('dossier')")))


def _month(d: date, add: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


def _ensure_months(parent: str, first: date, last: date) -> int:
    """One partition per month from `first` to `last` (month starts, Vietnam time), created when missing."""
    made, month = 0, first
    while month <= last:
        name = f"dossier_y{month.year}m{month.month:02d}"
        lo, hi = start_of_day(month), start_of_day(_month(month, 1))
        if not db.session.scalar(sa.text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}):
            db.session.execute(sa.text(f'CREATE TABLE "{name}" PARTITION OF {parent} FOR VALUES FROM '
                                       f"('{lo.isoformat()}') TO ('{hi.isoformat()}')"))
            made += 1
        month = _month(month, 1)
    return made


def _compile(element) -> str:
    return str(element.compile(dialect=db.session.get_bind().dialect))


def _add_table_keys(*, partitioned: bool) -> None:
    """The model's indexes and foreign keys on `dossier`, and its keys: (id) and unique (source, code) on the
    plain table, (id, received_at) and the registry's foreign key on the partitioned one."""
    table = Dossier.__table__
    if partitioned:
        db.session.execute(sa.text("ALTER TABLE dossier ADD CONSTRAINT pk_dossier PRIMARY KEY (id, received_at)"))
        db.session.execute(sa.text("ALTER TABLE dossier ADD CONSTRAINT fk_dossier_id_dossier_ref FOREIGN KEY (id) "
                                   "REFERENCES dossier_ref (id)"))
        # what the import looks codes up by (unique in the registry; here per month, for the join)
        db.session.execute(sa.text("CREATE INDEX ix_dossier_source_code ON dossier (source, code)"))
    else:
        db.session.execute(sa.text("ALTER TABLE dossier ADD CONSTRAINT pk_dossier PRIMARY KEY (id)"))
        db.session.execute(sa.text("ALTER TABLE dossier ADD CONSTRAINT uq_dossier_source_code UNIQUE (source, code)"))
    for index in sorted(table.indexes, key=lambda i: i.name):
        db.session.execute(sa.text(_compile(sa.schema.CreateIndex(index))))
    for fk in sorted(table.foreign_key_constraints, key=lambda c: c.name):
        db.session.execute(sa.text(_compile(sa.schema.AddConstraint(fk))))


def _point_referrers(target: str | None) -> None:
    """dossier_claim and alert reference `target` (id), ON DELETE CASCADE; None only drops their keys."""
    for table, name in _REFERRERS:
        db.session.execute(sa.text(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"'))
        if target:
            db.session.execute(sa.text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" FOREIGN KEY (dossier_id) '
                                       f"REFERENCES {target} (id) ON DELETE CASCADE"))


def _begin() -> tuple[int, str]:
    """Lock the table, count it, and free its id sequence from it (the new table takes the sequence over)."""
    db.session.execute(sa.text("LOCK TABLE dossier IN ACCESS EXCLUSIVE MODE"))
    rows = db.session.scalar(sa.text("SELECT count(*) FROM dossier"))
    sequence = db.session.scalar(sa.text("SELECT pg_get_serial_sequence('dossier', 'id')"))
    db.session.execute(sa.text(f"ALTER SEQUENCE {sequence} OWNED BY NONE"))
    return rows, sequence


def _finish(rows: int, sequence: str, progress) -> dict[str, int]:
    db.session.execute(sa.text(f"ALTER SEQUENCE {sequence} OWNED BY dossier.id"))
    copied = db.session.scalar(sa.text("SELECT count(*) FROM dossier"))
    if copied != rows:
        raise DomainError(f"Số hồ sơ sau khi chép ({copied}) khác trước ({rows}): đã hủy, không thay đổi gì.")
    db.session.execute(sa.text("ANALYZE dossier"))
    progress("đã tạo khóa, chỉ mục, ràng buộc và cập nhật thống kê của bảng")
    return {"rows": rows}


def partition(*, today: date, months_ahead: int = MONTHS_AHEAD, progress=print) -> dict[str, int]:
    """Turn `dossier` into a table partitioned by month of receipt (see the module's docstring); when it already
    is, only add the months missing up to `months_ahead` after `today`."""
    from app.core.time import to_vn

    if is_partitioned():
        made = _ensure_months("dossier", _month(today), _month(today, months_ahead))
        progress(f"bảng hồ sơ đã được chia theo tháng; thêm {made} phân vùng tháng tới")
        return {"rows": 0, "partitions_added": made}
    rows, sequence = _begin()
    first_seen, last_seen = db.session.execute(sa.text("SELECT min(received_at), max(received_at) FROM dossier")).one()
    db.session.execute(sa.text("CREATE TABLE dossier_ref (id integer CONSTRAINT pk_dossier_ref PRIMARY KEY, "
                               "source varchar(40) NOT NULL, code varchar(80) NOT NULL, "
                               "CONSTRAINT uq_dossier_ref_source_code UNIQUE (source, code))"))
    db.session.execute(sa.text("INSERT INTO dossier_ref (id, source, code) SELECT id, source, code FROM dossier"))
    _point_referrers("dossier_ref")
    progress(f"đã ghi sổ đăng ký mã hồ sơ (dossier_ref): {rows:,} hồ sơ".replace(",", "."))
    db.session.execute(sa.text("CREATE TABLE dossier_new (LIKE dossier INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                               "PARTITION BY RANGE (received_at)"))
    first = _month(to_vn(first_seen).date() if first_seen else today)
    last = _month(max(today, to_vn(last_seen).date() if last_seen else today), months_ahead)
    made = _ensure_months("dossier_new", first, last)
    db.session.execute(sa.text("CREATE TABLE dossier_default PARTITION OF dossier_new DEFAULT"))
    progress(f"đã tạo {made} phân vùng theo tháng ({first:%m/%Y} – {last:%m/%Y}) và phân vùng mặc định")
    db.session.execute(sa.text("INSERT INTO dossier_new SELECT * FROM dossier"))
    progress(f"đã chép {rows:,} hồ sơ sang bảng phân vùng".replace(",", "."))
    db.session.execute(sa.text("DROP TABLE dossier"))
    db.session.execute(sa.text("ALTER TABLE dossier_new RENAME TO dossier"))
    _add_table_keys(partitioned=True)
    db.session.execute(sa.text(_SYNC))
    return _finish(rows, sequence, progress) | {"partitions_added": made}


def unpartition(*, progress=print) -> dict[str, int]:
    """Turn the partitioned `dossier` back into the model's plain table (the registry and its triggers go)."""
    if not is_partitioned():
        raise DomainError("Bảng hồ sơ chưa được chia theo tháng: không có gì để gộp lại.")
    rows, sequence = _begin()
    db.session.execute(sa.text("CREATE TABLE dossier_new (LIKE dossier INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    db.session.execute(sa.text("INSERT INTO dossier_new SELECT * FROM dossier"))
    progress(f"đã chép {rows:,} hồ sơ sang bảng thường".replace(",", "."))
    _point_referrers(None)
    db.session.execute(sa.text("DROP TABLE dossier"))  # its partitions and triggers go with it
    db.session.execute(sa.text("DROP TABLE dossier_ref"))
    db.session.execute(sa.text("DROP FUNCTION dossier_ref_sync(), dossier_ref_forget()"))
    db.session.execute(sa.text("ALTER TABLE dossier_new RENAME TO dossier"))
    _add_table_keys(partitioned=False)
    _point_referrers("dossier")
    return _finish(rows, sequence, progress)
