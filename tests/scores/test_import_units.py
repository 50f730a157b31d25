"""Which unit a portal row is about: a portal id binds to one unit only, names must match, bindings are audited,
files without codes get provisional codes that the first file with the real code replaces."""

import json

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.org.models import Unit
from app.org.services import find_unit_by_code
from app.scores.importer import SourceFile
from app.scores.models import ScoreRecord
from app.scores.units import code_from_name, names_match
from tests.scores.conftest import run_import
from tests.scores.test_import_bad_input import csv_file, trimmed

PROVINCE_ID = "019d2be3-6a88-732b-8b17-b68020c8553a"


def one_unit_file(folder: str, *, code=None, name=None, portal_id=None) -> SourceFile:
    """A real capture cut to its province row and its first unit, whose identity is replaced."""
    def edit(data):
        unit = (data.get("evaluation") or data.get("children"))[0]
        for key, value in (("departmentCode", code), ("departmentName", name), ("departmentId", portal_id)):
            if value is not None:
                unit[key] = value
    return SourceFile(f"{folder}.json", trimmed(folder, keep=1, edit=edit))


def records(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ScoreRecord))


@pytest.fixture
def phu_tho(make_unit):
    """The province as the portal knows it (bound), and one commune of ours not yet bound."""
    province = make_unit("H44", "UBND tỉnh Phú Thọ", kind="province")
    province.portal_id = PROVINCE_ID
    make_unit("H44.07", "Sở Công Thương - Tỉnh Phú Thọ", kind="department", parent="H44")
    make_unit("H44.144", "UBND xã Thanh Thủy", kind="commune", parent="H44")
    return province


def test_a_portal_id_bound_to_another_unit_stops_the_import(phu_tho, db):
    industry = find_unit_by_code("H44.07")
    industry.portal_id = "cong-thuong-id"
    db.session.commit()
    report = run_import([one_unit_file("dossier-digitized", code="H44.144", name="UBND xã Thanh Thủy",
                                       portal_id="cong-thuong-id")], period="2026-Q3")
    assert not report.ok and records(db) == 0
    (error,) = report.files[0].errors
    assert error.code == "portal_id_conflict"
    assert "đã gắn với đơn vị «Sở Công Thương - Tỉnh Phú Thọ» (mã H44.07)" in error.message_vi
    assert find_unit_by_code("H44.144").portal_id is None


def test_a_unit_bound_to_another_portal_id_stops_the_import(phu_tho, db):
    find_unit_by_code("H44.144").portal_id = "thanh-thuy-id"
    db.session.commit()
    report = run_import([one_unit_file("dossier-digitized", code="H44.144", name="UBND xã Thanh Thủy",
                                       portal_id="id-khac")], period="2026-Q3")
    assert [e.code for e in report.files[0].errors] == ["portal_id_conflict"]
    assert records(db) == 0


def test_a_name_that_does_not_match_stops_the_import_and_binds_nothing(phu_tho, db):
    report = run_import([one_unit_file("dossier-digitized", code="H44.144", name="UBND xã Bình Tuyền",
                                       portal_id="binh-tuyen-id")], period="2026-Q3")
    (error,) = report.files[0].errors
    assert error.code == "name_mismatch" and "khác tên trong hệ thống «UBND xã Thanh Thủy»" in error.message_vi
    assert records(db) == 0 and find_unit_by_code("H44.144").portal_id is None


def test_a_matching_name_binds_the_portal_id_and_the_binding_is_audited(phu_tho, db):
    report = run_import([one_unit_file("dossier-digitized", code="H44.144", name="UBND Xã Thanh  Thủy",
                                       portal_id="thanh-thuy-id")], period="2026-Q3")
    assert report.ok, [e.message_vi for f in report.files for e in f.errors]
    assert find_unit_by_code("H44.144").portal_id == "thanh-thuy-id"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "unit.bind_portal_id"))
    assert entry.after == {"code": "H44.144", "portal_id": "thanh-thuy-id"}


@pytest.mark.parametrize(("ours", "theirs", "same"), [
    ("Sở Công Thương", "Sở Công Thương - Tỉnh Phú Thọ", True),
    ("UBND xã Thanh Thủy", "Xã Thanh Thủy", True),
    ("UBND xã Thanh Thủy", "UBND xã Thanh Thủy - Tỉnh Phú Thọ", True),
    ("UBND xã Thanh Thủy", "UBND xã Thanh Sơn", False),
    ("UBND xã Sơn", "UBND xã Sơn Tây", False),
])
def test_names_match(ours, theirs, same):
    assert names_match(ours, theirs) is same


def test_a_file_without_codes_gives_provisional_codes_that_a_later_file_replaces(db):
    first = run_import([SourceFile("transparency.json", trimmed("transparency", keep=2))], period="2026-Q3",
                       create_units=True)
    assert first.ok
    units = db.session.scalars(sa.select(Unit).order_by(Unit.id)).all()
    assert all(u.is_code_provisional and u.code.startswith("TAM.") for u in units)
    assert units[0].code == code_from_name("UBND tỉnh Phú Thọ") == "TAM.TINH-PHU-THO"
    assert "mã tạm" in first.created_units[0]

    second = run_import([SourceFile("tien-do.json", trimmed("dvc-progress-tree", keep=2))], period="2026-Q3",
                        scope="all", create_units=True)
    assert second.ok and not second.created_units
    db.session.expire_all()
    assert [(u.code, u.is_code_provisional) for u in db.session.scalars(sa.select(Unit).order_by(Unit.id))] == [
        ("H44", False), ("H44.01", False), ("H44.03", False)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "unit.code_from_portal")) == 3
    # and now a CSV with the real code finds the unit
    assert run_import([csv_file("H44,2026-09,4,90,100,,")]).ok


def test_in_one_import_a_file_without_codes_takes_them_from_the_others(db):
    report = run_import([SourceFile("transparency.json", trimmed("transparency", keep=2)),
                         SourceFile("so-hoa.json", trimmed("dossier-digitized", keep=2))],
                        period="2026-Q3", create_units=True)
    assert report.ok
    assert sorted(u.code for u in db.session.scalars(sa.select(Unit))) == ["H44", "H44.01", "H44.03"]


def test_kinds_come_from_what_the_portal_says(db):
    assert run_import([SourceFile("tien-do.json", trimmed("dvc-progress-tree", keep=200))], period="2026-Q3",
                      scope="all", create_units=True).ok
    kinds = dict(db.session.execute(sa.select(Unit.kind, sa.func.count()).group_by(Unit.kind)).all())
    assert kinds == {"province": 1, "department": 15, "commune": 148}


def test_the_samples_name_units_consistently():
    """Names are safe to compare: every unit has one name in every capture."""
    from tests.conftest import SAMPLES

    names: dict[str, set] = {}
    for path in SAMPLES.glob("*/*-all.json"):
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
        root = data.get("overview") or data.get("parent")
        for unit in [root, *(data.get("evaluation") or data.get("children"))]:
            names.setdefault(unit["departmentId"], set()).add(unit["departmentName"])
    assert len(names) == 164 and all(len(v) == 1 for v in names.values())
