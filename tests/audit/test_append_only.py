"""The audit trail is append-only in the database itself: UPDATE, DELETE (and TRUNCATE on PostgreSQL) are refused,
whoever asks; the demo reset keeps it whole."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.audit.services import record
from app.auth.services import find_user


@pytest.fixture
def entry(db, make_unit):
    unit = make_unit("U", "UBND huyện Thử", "district")
    e = record(None, "unit.update", unit, before={"name": "cũ"}, after={"name": "mới"})
    db.session.commit()
    return e.id


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET action = 'x' WHERE id = :id",
    "UPDATE audit_entry SET actor_id = NULL WHERE id = :id",
    "DELETE FROM audit_entry WHERE id = :id",
    "DELETE FROM audit_entry",
])
def test_the_database_refuses_to_change_or_remove_an_entry(db, entry, statement):
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement), {"id": entry})
        db.session.flush()
    db.session.rollback()
    kept = db.session.get(AuditEntry, entry)
    assert kept.action == "unit.update" and kept.after == {"name": "mới"}


def test_the_orm_cannot_edit_or_delete_an_entry_either(db, entry):
    e = db.session.get(AuditEntry, entry)
    e.after = {"name": "giả mạo"}
    with pytest.raises(sa.exc.DBAPIError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry))
    with pytest.raises(sa.exc.DBAPIError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry).after == {"name": "mới"}


def test_postgresql_refuses_truncate(db, entry):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text("TRUNCATE audit_entry"))
    db.session.rollback()
    assert db.session.get(AuditEntry, entry) is not None


def test_the_trail_is_empty_at_the_start_of_each_test_and_still_guarded(db):
    # the teardown emptied the table of the previous tests, and put the guard back
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
    e = record(None, "system.test", None)
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.text("DELETE FROM audit_entry WHERE id = :id"), {"id": e.id})
    db.session.rollback()


def test_seed_demo_reset_keeps_the_trail_and_its_actors(demo, db, auth, runner, clock):
    auth.login("admin")
    admin_id = find_user("admin").id
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    result = runner.invoke(args=["seed-demo", "--reset"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    login = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "auth.login"))
    assert login.actor_id == admin_id and login.actor_username == "admin" and login.actor_name == "Quản trị hệ thống"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) > before
    reset = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "demo.reset"))
    assert reset.source == "cli" and reset.actor_id is None
