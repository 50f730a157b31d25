"""Dossier fixtures: a hand-made month of dossiers at the Ninh Sơn demo, seen on Friday 20/11/2026 at 10:00."""

from datetime import UTC, datetime

import pytest

from app.core.time import VN_TZ

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ).astimezone(UTC)


def vn(text: str) -> datetime:
    """'2026-11-10 16:30' in Vietnam time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.fixture
def make_dossier(db):
    """Factory: a dossier handled by a unit (code), received/due/ended given in Vietnam time."""
    from app.auth.services import find_user
    from app.dossiers.models import OPEN_STATUSES, Dossier
    from app.org.services import find_unit_by_code

    def make(code: str, unit: str, received: str, due: str, ended: str | None = None, *, status: str | None = None,
             officer: str | None = None, supplements: int = 0, apology: str | None = None, channel: int = 1,
             **extra) -> Dossier:
        status = status or ("returned" if ended else "processing")
        handling = find_unit_by_code(unit)
        dossier = Dossier(code=code, procedure_code="1.000001", procedure_name="Thủ tục thử", handling_unit=handling,
                          receiving_unit=handling, handling_officer=find_user(officer) if officer else None,
                          channel=channel, received_at=vn(received), due_at=vn(due),
                          finished_at=vn(ended) if ended else None, ended_at=vn(ended) if ended else None,
                          status=status, is_open=status in OPEN_STATUSES, supplement_count=supplements,
                          apology_at=vn(apology) if apology else None, created_at=NOW, updated_at=NOW, **extra)
        db.session.add(dossier)
        db.session.flush()
        return dossier

    return make


@pytest.fixture
def november(demo, db, make_dossier):
    """Nine dossiers whose November 2026 figures are worked out by hand in test_statistics.py."""
    make_dossier("A", "NS.TP", "2026-10-20 08:00", "2026-10-30 16:30", officer="thaonp")              # carried, late
    make_dossier("B", "NS.TP", "2026-10-25 08:00", "2026-11-05 16:30", "2026-11-03 09:00")             # carried, early
    make_dossier("C", "NS.TP", "2026-11-02 08:00", "2026-11-10 16:30", "2026-11-10 09:00")             # on time
    make_dossier("D", "NS.TP", "2026-11-03 08:00", "2026-11-06 16:30", "2026-11-12 09:00")             # late
    make_dossier("E", "NS.TP", "2026-11-16 08:00", "2026-11-23 16:30", officer="thaonp")              # due soon
    make_dossier("F", "NS.TP", "2026-11-17 08:00", "2026-12-01 16:30", officer="thaonp")              # in time
    make_dossier("G", "NS.TP", "2026-11-04 08:00", "2026-11-18 16:30", "2026-11-17 09:00", supplements=2)  # late
    make_dossier("H", "NS.TP", "2026-10-01 08:00", "2026-10-10 16:30", "2026-10-09 09:00")             # October
    make_dossier("I", "NS.MYSON", "2026-11-10 08:00", "2026-11-12 16:30", officer="mc.myson")         # commune, late
    db.session.commit()
