"""The dossier import's staging and quick paths write and read exactly what the plain paths do: PostgreSQL's binary
COPY against the executemany it replaced (same staged values, same stored dossiers, same errors) on tricky text,
and dates read by position against the regular expressions, on every form and mistake of the table below."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.dossiers import services, staging, values
from app.dossiers.importer import DossierFile, import_dossier_files
from app.dossiers.models import Dossier
from app.dossiers.services import FIELDS, DossierInput
from app.dossiers.values import ValueProblem, parse_moment

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
HEADER = "MaHoSo,MaTTHC,TenTTHC,MaDonViXuLy,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,TrangThai,DanhGia"

# Texts that break a hand-made COPY text stream or a CSV writer: tabs, newlines, backslashes, quotes, the text
# format's NULL marker and end-of-data line, Vietnamese in both normal forms (the import composes NFC).
TRICKY = [
    "a\tb", "dòng 1\ndòng 2", "dòng 1\r\ndòng 2", "C:\\hồ sơ\\", "\\N", "\\.", "NULL", "null", "",
    'trích "dẫn"', "'nháy đơn'", "Thủ tục đăng ký khai sinh — Ủy ban", "Nguyễn Thị Ánh", "Nguye\u0302\u0303n",
    "😀 biểu tượng", "x" * 500, ";,|", " khoảng trắng ",
]


def _input(i: int, text: str, **extra) -> DossierInput:
    received = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    return DossierInput(row=i + 2, code=f"T-{i:03d}", procedure_code="1.000001", procedure_name=text,
                        handling_unit_id=extra.pop("unit"), receiving_unit_id=extra.pop("receiving"),
                        received_at=received, due_at=datetime(2026, 10, 5, 16, 59, 59, tzinfo=UTC),
                        status="processing", **extra)


def _staged(db, rows: list[DossierInput], method: str | None) -> list[tuple]:
    dialect = db.session.get_bind().dialect.name
    stage = staging.stage_table(dialect, FIELDS)
    db.session.execute(sa.text(f"DROP TABLE IF EXISTS {stage.fullname}"))
    db.session.execute(sa.schema.CreateTable(stage))
    staging.stage_rows(stage, dialect, [r.values() for r in rows], method=method)
    out = [tuple(r) for r in db.session.execute(sa.select(stage).order_by(stage.c.row_no))]
    db.session.execute(sa.text(f"DROP TABLE {stage.fullname}"))
    return out


@pytest.fixture
def postgres(db):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the binary COPY path exists only on PostgreSQL (run with TEST_DATABASE_URL)")
    return db


@pytest.fixture
def units(demo):
    from app.org.services import find_unit_by_code

    return find_unit_by_code("NS.TP").id, find_unit_by_code("NS.MC").id


def test_copy_stages_exactly_what_executemany_staged(postgres, units):
    db = postgres
    rows = [_input(i, text, unit=units[0], receiving=units[1], rating=1 + i % 5 if i % 2 else None,
                   paid_online=(None, True, False)[i % 3], handling_officer_id=None, channel=1 + i % 3,
                   supplement_count=i, finished_at=None)
            for i, text in enumerate(TRICKY)]
    copied, inserted = _staged(db, rows, None), _staged(db, rows, "insert")
    assert copied == inserted
    assert [r[FIELDS.index("procedure_name") + 1] for r in copied] == TRICKY
    assert [r[0] for r in copied] == [r.row for r in rows]
    assert copied[0][FIELDS.index("received_at") + 1] == datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    db.session.rollback()


def test_copy_types_follow_the_dossier_columns():
    stage = staging.stage_table("postgresql", FIELDS)
    types = dict(zip([c.name for c in stage.columns], staging.copy_types(stage), strict=True))
    assert types["row_no"] == "int4" and types["channel"] == "int2" and types["rating"] == "int2"
    assert types["received_at"] == "timestamptz" and types["is_open"] == "bool" and types["code"] == "text"


def _csv(lines: list[str]) -> DossierFile:
    return DossierFile("hoso.csv", content="\n".join((HEADER, *lines, "")).encode("utf-8"))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _import(db, file: DossierFile, monkeypatch, method: str | None):
    real = staging.stage_rows
    monkeypatch.setattr(services, "stage_rows", lambda stage, dialect, batch: real(stage, dialect, batch,
                                                                                   method=method))
    report = import_dossier_files([file], now=NOW)
    stored = [tuple(getattr(d, n) for n in ("code", *FIELDS[1:])) for d in
              db.session.scalars(sa.select(Dossier).order_by(Dossier.code))]
    errors = [(e.row, e.column, e.value, e.message, e.code) for f in report.files for e in f.errors]
    db.session.rollback()
    return stored, errors, (report.total("new"), report.total("changed"), report.total("unchanged"))


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "with-errors"])
def test_an_import_through_copy_stores_and_reports_what_executemany_did(postgres, demo, monkeypatch, broken):
    db = postgres
    texts = [t for t in TRICKY if t.strip()]
    lines = [f"T-{i:03d},1.000001,{_quoted(text)},NS.TP,01/10/2026 08:00,05/10/2026,,Đang xử lý,{1 + i % 5}"
             for i, text in enumerate(texts)]
    if broken:  # a duplicate code (found in SQL, on the staged rows) and a bad date (found while reading)
        lines += [lines[0], "T-999,1.000001,x,NS.TP,31/02/2026,05/10/2026,,Đang xử lý,"]
    copied = _import(db, _csv(lines), monkeypatch, None)
    inserted = _import(db, _csv(lines), monkeypatch, "insert")
    assert copied == inserted
    stored, errors, counts = copied
    if broken:
        assert not stored and counts == (0, 0, 0)
        assert {e[4] for e in errors} == {"duplicate", "invalid"}
        assert any("tháng 2/2026 không có ngày 31" in e[3] for e in errors)
    else:
        assert not errors and counts == (len(texts), 0, 0)
        expected = [t.strip().replace("Nguye\u0302\u0303n", "Nguyễn") for t in texts]
        # (a doubled quote inside a quoted cell reads as the sniffed dialect says: the same on both paths above)
        assert [s[2] for s in stored if '"' not in s[2]] == [t for t in expected if '"' not in t]


# ---------------------------------------------------------------- dates read by position


DATES = [
    "30/09/2026 14:05", "30/09/2026", "01/01/1990", "31/12/2100 23:59", "29/02/2028 00:00", "29/02/2026",
    "31/04/2026", "00/10/2026", "10/00/2026", "10/13/2026", "32/01/2026", "01/01/1989", "01/01/2101",
    "30/09/2026 24:00", "30/09/2026 23:60", "30/09/2026 7:05", "3/09/2026 14:05", "30-09-2026 14:05",
    "30.09.2026", "30/09/2026T14:05", "30/09/2026 14h05", "30/09/2026 14:05:07", "30/09/2026,14:05",
    "٣٠/٠٩/٢٠٢٦", "３０/０９/２０２６", "+1/09/2026", "1_/09/2026", " 30/09/2026", "30/09/2026 ", "ab/cd/efgh",
    "2026-09-30T14:05:00+07:00", "2026-09-30 14:05:00+07:00", "2026-09-30T24:05:00+07:00",
    "2026-09-30T14:05:60+07:00", "2026-02-30T14:05:00+07:00", "2026-09-30T14:05:00+07:30", "2026-09-30T14:05:00Z",
    "2026-09-30", "2026-09-30T14:05", "2026-09-30T14:05:00.5+07:00", "14:05 30/09/2026", "14h05, ngày 30/09/2026",
    "1989-12-31T23:59:59+07:00", "2026/09/30 14:05", "", "30/09/2026 14:5 ",
]


def _plain(text: str, due: bool):
    """What the regular expressions alone make of `text`: the moment, or the Vietnamese reason."""
    try:
        return values._parsetext_of(text.strip(), due)
    except ValueProblem as exc:
        return str(exc)


@pytest.mark.parametrize("due", [False, True], ids=["moment", "due"])
@pytest.mark.parametrize("text", DATES)
def test_a_date_read_by_position_is_what_the_full_reading_gives(text, due):
    quick = values._quick(text, due)
    plain = _plain(text, due)
    assert quick is None or quick == plain
    assert quick is None or (quick.tzinfo is UTC and quick.utcoffset().total_seconds() == 0)
    try:
        got = parse_moment(text, due=due)
    except ValueProblem as exc:
        got = str(exc)
    assert got == plain


def test_the_usual_forms_take_the_quick_path():
    assert values._quick("30/09/2026 14:05", False) == datetime(2026, 9, 30, 7, 5, tzinfo=UTC)
    assert values._quick("30/09/2026", True) == datetime(2026, 9, 30, 16, 59, 59, tzinfo=UTC)
    assert values._quick("30/09/2026", False) == datetime(2026, 9, 29, 17, 0, tzinfo=UTC)
    assert values._quick("2026-09-30T14:05:00+07:00", False) == datetime(2026, 9, 30, 7, 5, tzinfo=UTC)
    assert values._quick("31/04/2026", False) is None  # no such day: the full reading names the problem
