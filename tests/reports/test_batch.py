"""`flask reports quarterly --all-units --workers N`: the same files whatever N, a line per unit as it finishes, a
summary, a failing unit named with its reason without stopping the others, signing numbered once per unit."""

import re

import pytest
import sqlalchemy as sa

from app.reports import batch
from app.reports.models import Document
from tests.reports.conftest import pdf_text

UNITS = ["NS", "NS.MANOI", "NS.TANSON", "NT.BA"]
NAMES = sorted(f"bao-cao-{code}-2026Q3.pdf" for code in UNITS)


def _quarterly(runner, *extra):
    return runner.invoke(args=["reports", "quarterly", "--all-units", "--quarter", "2026Q3", *extra])


def _progress(output: str) -> list[tuple[int, str]]:
    """(position, unit code) of every progress line."""
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(r"^\[\s*(\d+)/4\] (?:Lỗi — )?(\S+): ", output, re.M)]


def test_the_files_are_the_same_whatever_the_number_of_workers(quarters, db, runner, clock, tmp_path):
    runs = {}
    for workers in (1, 2):
        folder = tmp_path / f"n{workers}"
        result = _quarterly(runner, "--workers", str(workers), "-o", str(folder))
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in folder.iterdir()) == NAMES
        progress = _progress(result.output)
        assert sorted(pos for pos, _ in progress) == [1, 2, 3, 4]  # one line per unit as it finishes
        assert sorted(code for _, code in progress) == sorted(UNITS)
        assert re.search(r"^\[\s*\d/4\] NS: bản dự thảo \(chưa ký\) ghi vào .*\(\d+,\d s\)$", result.output, re.M)
        assert "Xong 4 đơn vị trong " in result.output and "4 thành công, 0 lỗi." in result.output
        assert ("2 tiến trình song song" in result.output) == (workers == 2)
        runs[workers] = folder
    for name in NAMES:
        one, two = runs[1] / name, runs[2] / name
        assert pdf_text(one) == pdf_text(two), name
        assert one.read_bytes() == two.read_bytes(), name  # pure renders: byte for byte
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_unit_is_named_with_its_reason_and_the_others_go_on(quarters, runner, clock, tmp_path, workers):
    folder = tmp_path / "bao-cao"
    (folder / "bao-cao-NS.MANOI-2026Q3.pdf").mkdir(parents=True)  # the file cannot be written: a directory is there
    result = _quarterly(runner, "--workers", str(workers), "-o", str(folder))
    assert result.exit_code == 1, result.output
    assert re.search(r"^\[\s*\d/4\] Lỗi — NS.MANOI: không ghi được tệp .*bao-cao-NS.MANOI-2026Q3.pdf", result.output,
                     re.M), result.output
    assert "3 thành công, 1 lỗi." in result.output
    assert "Lỗi — NS.MANOI (UBND xã Ma Nới): không ghi được tệp" in result.output  # named again after the summary
    for code in ("NS", "NS.TANSON", "NT.BA"):
        assert (folder / f"bao-cao-{code}-2026Q3.pdf").is_file(), code
    assert len(_progress(result.output)) == 4


def test_signing_with_workers_numbers_each_unit_once_in_order(quarters, db, runner, keys, clock, tmp_path):
    result = _quarterly(runner, "--sign", "--workers", "2", "-o", str(tmp_path))
    assert result.exit_code == 1  # two units cannot sign (no chair, no key): named, the others signed
    assert "ký số lần lượt từng đơn vị" in result.output
    assert re.search(r"^\[\s*\d/4\] NS: đã ký số 01/BC-UBND, Đoàn Văn Hùng", result.output, re.M)
    assert "Lỗi — NT.BA: UBND huyện Bác Ái chưa có tài khoản Chủ tịch" in result.output
    assert "1 thành công, 3 lỗi." in result.output
    numbers = db.session.execute(sa.select(Document.unit_id, Document.number).where(Document.status == "signed")).all()
    assert [n for _, n in numbers] == [1]
    again = _quarterly(runner, "--sign", "--workers", "2", "-o", str(tmp_path / "lai"))
    assert "NS: đã ký ban hành số 01/BC-UBND" in again.output and "(không ký lại)" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document).where(Document.number.is_not(None))) == 1


def test_bad_worker_counts_are_refused(quarters, runner, tmp_path):
    result = _quarterly(runner, "--workers", "0", "-o", str(tmp_path))
    assert result.exit_code == 2 and "số tiến trình phải từ 1 trở lên" in result.output


def test_worker_configuration_keeps_what_pickles(app):
    config = batch.worker_config({"SQLALCHEMY_DATABASE_URI": "sqlite://", "HOOK": lambda: None, "lower": 1,
                                  "BANDS": (("Tốt", 0.8),)})
    assert config == {"SQLALCHEMY_DATABASE_URI": "sqlite://", "BANDS": (("Tốt", 0.8),)}
    assert batch.file_name("plan", "NS", "2026Q4") == "ke-hoach-NS-2026Q4.pdf"
    assert batch.default_workers() >= 1


def _statements(db, code: str, period) -> int:
    """SQL statements to build one unit's report content (no PDF)."""
    from app.org.services import find_unit_by_code
    from app.reports import content
    from tests.reports.conftest import TODAY

    unit = find_unit_by_code(code)
    doc = Document(kind="report", unit=unit, period_start=period.start_date, period_end=period.end_date, version=1,
                   status="draft", title="Báo cáo", texts=content.default_texts("report", unit, period, today=TODAY))
    count = [0]

    def counter(*_args, **_kwargs):
        count[0] += 1

    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        content.build(doc, today=TODAY)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
        db.session.rollback()
    return count[0]


def test_the_reports_queries_do_not_grow_with_peers_and_sub_units(quarters, db):
    """No N+1: five more scored communes under NS (peers of NS.MANOI, rows of NS's rank table) add no statement."""
    from decimal import Decimal

    from app.indicators.models import Indicator
    from app.org.services import find_unit_by_code
    from app.scores.periods import quarter_period
    from app.scores.services import ScoreInput, upsert

    before = {code: _statements(db, code, quarters) for code in ("NS", "NS.MANOI")}
    indicators = db.session.scalars(sa.select(Indicator)).all()
    upsert([ScoreInput(unit=find_unit_by_code(code), period=quarter_period(2026, q), source="portal", indicator=ind,
                       group=ind.group, numerator=Decimal(share), denominator=Decimal(100))
            for share, code in enumerate(("NS.HOASON", "NS.LAMSON", "NS.LUONGSON", "NS.MYSON", "NS.NHONSON"), 60)
            for q in (2, 3) for ind in indicators], None)
    db.session.commit()
    after = {code: _statements(db, code, quarters) for code in ("NS", "NS.MANOI")}
    assert after == before


def test_a_draft_in_the_batch_writes_nothing(quarters, db, clock, tmp_path):
    """Workers render drafts side by side on one SQLite file: a draft that wrote (the statistics cache) would hold
    the write lock through its whole render and another worker's write would fail with "database is locked"."""
    from datetime import UTC, datetime

    from app.org.services import find_unit_by_code

    writes = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
            writes.append(statement.split("\n", 1)[0])

    unit = find_unit_by_code("NS")
    task = batch.Task(kind="report", unit_id=unit.id, code="NS", name=unit.name, quarter="2026Q3",
                      target=str(tmp_path / "ns.pdf"), now=datetime(2026, 10, 5, 2, tzinfo=UTC))
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        outcome = batch.run_one(task)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert outcome.ok, outcome.message
    assert writes == []
    assert (tmp_path / "ns.pdf").read_bytes().startswith(b"%PDF")


def test_sqlite_writers_wait_for_each_other():
    """A write waits SQLITE_BUSY_TIMEOUT seconds (30 by default) for another process's, not pysqlite's 5."""
    from types import SimpleNamespace

    from app import sqlite_busy_timeout

    app = SimpleNamespace(config={"SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/x.db", "SQLITE_BUSY_TIMEOUT": 30.0,
                                  "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}})
    sqlite_busy_timeout(app)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "connect_args": {"timeout": 30.0}}
    app = SimpleNamespace(config={"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/db",
                                  "SQLALCHEMY_ENGINE_OPTIONS": {}})
    sqlite_busy_timeout(app)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {}
