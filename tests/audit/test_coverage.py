"""Every change the trail must show: the action performed → the entry it leaves (action, object, actor, the keys of
before and after, where it came from). Password hashes never appear."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.services import find_user
from app.extensions import db as _db
from app.org.services import find_unit_by_code
from tests.conftest import PASSWORD

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 15)


def _unit_create():
    from app.org.services import create_unit
    return create_unit(code="NS.MOI", name="Đơn vị mới", kind="department", parent=find_unit_by_code("NS"),
                       actor=find_user("admin"))


def _unit_update():
    from app.org.services import update_unit
    unit = find_unit_by_code("NS.VP")
    return update_unit(unit, code=unit.code, name="Văn phòng (tên mới)", kind=unit.kind, parent=unit.parent,
                       is_active=True, actor=find_user("admin"))


def _user_create():
    from app.auth.services import create_user
    return create_user(username="moi", full_name="Cán bộ mới", unit=find_unit_by_code("NS.VP"), role="officer",
                       password="mat-khau-dai-1", actor=find_user("admin"))


def _user_role():
    from app.auth.services import update_user
    user = find_user("yenntk")
    return update_user(user, full_name=user.full_name, title=user.title, unit=user.unit, role="head",
                       is_active=True, actor=find_user("admin"), now=NOW)


def _user_password():
    from app.auth.services import set_password
    user = find_user("yenntk")
    set_password(user, "mat-khau-moi-dai", actor=find_user("admin"), now=NOW)
    return user


def _user_deactivate():
    from app.auth.services import deactivate
    user = find_user("yenntk")
    deactivate(user, actor=find_user("admin"), now=NOW)
    return user


def _rule():
    from app.indicators.models import Indicator
    from app.indicators.services import update_rule
    indicator = _db.session.scalars(sa.select(Indicator).order_by(Indicator.id)).first()
    rule = indicator.rules[0]
    return update_rule(rule, max_points=rule.max_points, threshold=50, zero_denominator="none",
                       actor=find_user("quantri"))


def _indicator():
    from app.indicators.models import Indicator
    from app.indicators.services import update_indicator
    i = _db.session.scalars(sa.select(Indicator).order_by(Indicator.id)).all()[1]
    return update_indicator(i, name=i.name + " (sửa)", definition=i.definition or "", value_source=i.value_source,
                            is_active=True, actor=find_user("quantri"))


def _calendar():
    from app.workdays.services import set_day
    return set_day(date(2026, 12, 26), is_working_day=True, note="Làm bù", actor=find_user("quantri"), now=NOW)


def _reassign():
    from app.assignments.models import Assignment
    from app.assignments.services import reassign
    current = _db.session.scalars(sa.select(Assignment).where(Assignment.effective_to.is_(None))
                                  .order_by(Assignment.id)).first()
    reassign(current, effective_from=TODAY, today=TODAY, responsible=find_unit_by_code("NS.VP"),
             performers=[find_user("yenntk")], actor=find_user("hungdv"))
    return current


def _acknowledge():
    from app.alerts.models import Alert
    from app.alerts.services import acknowledge, raise_once
    raise_once(kind="dossier_returned_late", subject_type="dossier", subject_key="HS-1",
               recipients=[find_user("yenntk")], unit_id=find_unit_by_code("NS.VP").id, message="Hồ sơ trả trễ",
               now=NOW)
    alert = _db.session.scalar(sa.select(Alert))
    acknowledge(alert, find_user("yenntk"), now=NOW)
    return alert


def _import_units():
    from app.scores.importer import SourceFile
    from tests.scores.conftest import run_import
    from tests.scores.test_import_bad_input import trimmed
    report = run_import([SourceFile("transparency.json", trimmed("transparency", keep=2))], period="2026-Q3",
                        create_units=True)
    assert report.ok
    return None


# action performed → (action, object type, actor, before keys, after keys); None: no before/after
CASES = [
    ("unit created", _unit_create, "unit.create", "unit", "admin", None, {"code", "name", "parent_id"}),
    ("unit edited", _unit_update, "unit.update", "unit", "admin", {"name"}, {"name"}),
    ("user created", _user_create, "user.create", "user", "admin", None, {"username", "role", "is_active"}),
    ("role changed", _user_role, "user.update", "user", "admin", {"role"}, {"role"}),
    ("password set", _user_password, "user.set_password", "user", "admin", None, None),
    ("account disabled", _user_deactivate, "user.deactivate", "user", "admin", {"is_active"}, {"is_active"}),
    ("scoring rule edited", _rule, "catalog.rule_update", "indicator_rule", "quantri", {"threshold"},
     {"threshold"}),
    ("indicator edited", _indicator, "catalog.indicator_update", "indicator", "quantri", {"name"}, {"name"}),
    ("calendar day set", _calendar, "calendar.set_day", "calendar_day", "quantri", None, {"is_working_day"}),
    ("assignment handed over", _reassign, "assignment.close", "assignment", "hungdv", {"effective_to"},
     {"effective_to"}),
    ("alert acknowledged", _acknowledge, "alert.acknowledge", "alert", "yenntk", {"acknowledged_at"},
     {"acknowledged_at"}),
]


def _keys(value):
    return None if value is None else set(value)


@pytest.mark.parametrize(("performed", "expected", "object_type", "actor", "before", "after"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_change_leaves_its_entry(demo, db, performed, expected, object_type, actor, before, after):
    obj = performed()
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == expected)
                               .order_by(AuditEntry.id.desc())).first()
    assert entry is not None, f"no {expected} entry"
    assert entry.object_type == object_type
    if obj is not None:
        assert entry.object_id == obj.id
    assert entry.actor_username == actor and entry.actor_id == find_user(actor).id
    assert entry.actor_name == find_user(actor).full_name
    if before is None:
        assert entry.before is None or set(entry.before) >= set()
    else:
        assert before <= _keys(entry.before)
    if after is not None:
        assert after <= _keys(entry.after)
    assert entry.source == "system"  # a service called outside a request, CLI or scheduler
    text = str(entry.before) + str(entry.after)
    assert "password" not in text and "scrypt" not in text and "pbkdf2" not in text


def test_units_created_and_codes_taken_by_an_import_are_audited(db):
    _import_units()
    created = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "unit.create_from_import")).all()
    assert len(created) == 3 and all(e.object_type == "unit" and e.unit_id == e.object_id for e in created)
    assert {"code", "name", "portal_id", "provisional_code"} <= set(created[0].after)


@pytest.mark.parametrize(("steps", "expected"), [
    ([("yenntk", PASSWORD)], ["auth.login"]),
    ([("yenntk", "sai-mat-khau")], ["auth.login_failed"]),
    ([("khongco", "bat-ky")], ["auth.login_failed"]),
    ([("yenntk", PASSWORD), "logout"], ["auth.login", "auth.logout"]),
])
def test_sign_in_failure_and_sign_out_are_audited_with_address_and_browser(demo, db, client, steps, expected):
    for step in steps:
        if step == "logout":
            client.post("/logout", headers={"User-Agent": "Trình duyệt thử/1.0"})
        else:
            client.post("/login", data={"username": step[0], "password": step[1]},
                        headers={"User-Agent": "Trình duyệt thử/1.0"}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("auth.%"))
                                 .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == expected
    first = entries[0]
    assert first.source == "web" and first.ip_address == "203.0.113.7"
    assert first.user_agent == "Trình duyệt thử/1.0"
    if first.action == "auth.login_failed":
        assert first.after == {"username": steps[0][0]} and first.actor_id is None
        assert "sai-mat-khau" not in str(first.after) and "bat-ky" not in str(first.after)
    else:
        assert first.actor_username == "yenntk"


def test_the_user_agent_is_truncated_and_a_trusted_proxy_gives_the_client_address(demo, db, app):
    from app import create_app
    from config import TestConfig

    proxied = create_app(type("Proxied", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SIGNING_DIR": app.config["SIGNING_DIR"],
        "TRUSTED_PROXIES": 1}))
    proxied.test_client().post("/login", data={"username": "yenntk", "password": PASSWORD},
                               headers={"User-Agent": "A" * 400, "X-Forwarded-For": "198.51.100.9"},
                               environ_base={"REMOTE_ADDR": "127.0.0.1"})
    with proxied.app_context():
        from app.extensions import db as proxied_db
        proxied_db.engine.dispose()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "auth.login"))
    assert entry.ip_address == "198.51.100.9" and len(entry.user_agent) == 255


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(demo, db, client):
    client.post("/login", data={"username": "yenntk", "password": PASSWORD},
                headers={"X-Forwarded-For": "198.51.100.9"}, environ_base={"REMOTE_ADDR": "192.0.2.4"})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "auth.login"))
    assert entry.ip_address == "192.0.2.4"


def test_the_scheduler_and_the_command_line_mark_their_entries(demo, db, app, runner):
    from app.audit.services import record, set_source

    with app.app_context():
        set_source("scheduler")
        record(None, "system.job", None)
        db.session.commit()
    result = runner.invoke(args=["seed-demo", "--reset"])
    assert result.exit_code == 0, result.output
    sources = dict(db.session.execute(sa.select(AuditEntry.action, AuditEntry.source)).all())
    assert sources["system.job"] == "scheduler" and sources["demo.reset"] == "cli"


def test_a_form_saved_unchanged_leaves_no_entry_and_a_change_leaves_one(demo, db):
    from app.org.services import update_unit

    unit = find_unit_by_code("NS.VP")
    kept = dict(code=unit.code, name=unit.name, kind=unit.kind, parent=unit.parent, is_active=unit.is_active,
                sort_order=unit.sort_order)
    count = lambda: db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(  # noqa: E731
        AuditEntry.action == "unit.update", AuditEntry.object_id == unit.id))
    update_unit(unit, **kept, actor=find_user("admin"))
    db.session.commit()
    assert count() == 0
    update_unit(unit, **{**kept, "name": "Văn phòng (đổi tên)"}, actor=find_user("admin"))
    db.session.commit()
    assert count() == 1
