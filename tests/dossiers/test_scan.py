"""The overdue scan: the right people once, escalation to the chair, resolution when a dossier finishes,
idempotent, and exactly once when two scans run at the same moment (PostgreSQL)."""

import threading
from datetime import timedelta

import sqlalchemy as sa

from app.alerts.models import Alert
from app.auth.models import User
from app.dossiers.models import Dossier
from app.dossiers.scan import scan_dossiers
from tests.dossiers.conftest import NOW, vn


def alerts(db, *, open_only=True):
    query = (sa.select(Alert.kind, Alert.escalation_level, User.username, Dossier.code)
             .join(Dossier, Dossier.id == Alert.dossier_id).join(User, User.id == Alert.recipient_id))
    if open_only:
        query = query.where(Alert.resolved_at.is_(None))
    return sorted(db.session.execute(query).all())


def test_each_person_hears_of_each_dossier_once(november, db):
    result = scan_dossiers(now=NOW)
    db.session.commit()
    got = alerts(db)
    assert ("dossier_overdue", 0, "thaonp", "A") in got          # the handling officer
    assert ("dossier_overdue", 0, "yenntk", "A") in got          # the owner of indicator 4 of the district
    assert ("dossier_overdue", 1, "hungdv", "A") in got          # overdue for 2+ working days: the chair
    assert ("dossier_overdue", 0, "loidv", "I") in got           # the commune head (head and owner: once)
    assert ("dossier_overdue", 0, "mc.myson", "I") in got
    assert ("dossier_due_soon", 0, "thaonp", "E") in got
    assert ("dossier_apology_missing", 0, "thaonp", "A") in got  # overdue without a letter
    assert not [a for a in got if a[3] in ("C", "F", "H")]        # on time, in time, old: nothing
    assert len(got) == len(set(got)) and result.total == len(got)


def test_a_second_scan_creates_nothing(november, db):
    first = scan_dossiers(now=NOW).total
    db.session.commit()
    assert first > 0 and scan_dossiers(now=NOW).total == 0
    assert scan_dossiers(now=NOW + timedelta(minutes=15)).total == 0


def test_finishing_a_dossier_resolves_its_alerts(november, db):
    scan_dossiers(now=NOW)
    a = db.session.scalar(sa.select(Dossier).where(Dossier.code == "A"))
    a.status, a.is_open, a.finished_at, a.ended_at = "done", False, vn("2026-11-20 11:00"), vn("2026-11-20 11:00")
    db.session.commit()
    scan_dossiers(now=NOW + timedelta(hours=1))
    db.session.commit()
    # what asked for action is closed; the owner of indicator 4 is told it was returned late
    assert [x for x in alerts(db) if x[3] == "A"] == [("dossier_returned_late", 0, "yenntk", "A")]


def test_an_apology_letter_closes_its_alert(november, db):
    scan_dossiers(now=NOW)
    a = db.session.scalar(sa.select(Dossier).where(Dossier.code == "A"))
    a.apology_at = vn("2026-11-20 10:30")
    db.session.commit()
    scan_dossiers(now=NOW + timedelta(hours=1))
    assert not [x for x in alerts(db) if x[3] == "A" and x[0] == "dossier_apology_missing"]


def test_the_owner_sees_the_overdue_dossiers_in_the_notification_centre(november, db, client, auth, clock):
    scan_dossiers(now=NOW)
    db.session.commit()
    clock.move_to(NOW)
    auth.login("yenntk")
    page = client.get("/alerts/").get_data(as_text=True)
    assert "Hồ sơ trễ hạn" in page and "Hồ sơ A (Thủ tục thử) đã quá hạn trả kết quả" in page
    a = db.session.scalar(sa.select(Dossier).where(Dossier.code == "A"))
    assert f"/dossiers/{a.id}" in page  # the link is built when shown, and the owner may open it
    assert client.get(f"/dossiers/{a.id}").status_code == 200


def test_two_scans_at_once_create_every_alert_once(november, db, app):
    """Two sessions scan concurrently (PostgreSQL: real concurrency; SQLite serialises writers)."""
    if db.engine.dialect.name != "postgresql":
        return
    barrier = threading.Barrier(2)
    errors = []

    def scan():
        with app.app_context():
            try:
                barrier.wait()
                scan_dossiers(now=NOW)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    got = alerts(db)
    assert len(got) == len(set(got)) > 0
    assert scan_dossiers(now=NOW).total == 0
