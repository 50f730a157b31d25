"""Long operations are all-or-nothing: a failure in the middle (injected) leaves the database exactly as before.

Each case runs an operation through its entry point (CLI command, page or job) and makes a step late in it fail.
The failing step first notes what the transaction holds, so each case also proves the failure struck after the
operation had written something, which must then be gone (no intermediate commit anywhere)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from tests.conftest import DEMO_NOW, PASSWORD
from tests.dossiers.test_import import HEADER, ROWS

SAMPLES = Path(__file__).parent / "fixtures" / "portal-samples" / "dvc-progress-tree"


def snapshot() -> dict[str, tuple]:
    """Rows per table, and for the tables people edit in place the sum of their versions (an UPDATE shows)."""
    out = {}
    for table in _db.metadata.sorted_tables:
        columns = [sa.func.count()]
        if "version" in table.c:
            columns.append(sa.func.coalesce(sa.func.sum(table.c.version), 0))
        out[table.name] = tuple(_db.session.execute(sa.select(*columns).select_from(table)).one())
    return out


class Injected(RuntimeError):
    pass


def _fail_midway(monkeypatch, target: str, seen: list):
    def boom(*_args, **_kwargs):
        seen.append(snapshot())  # what the transaction holds at the moment of failure
        raise Injected("lỗi giả lập giữa chừng")

    monkeypatch.setattr(target, boom)


def score_import(runner, **_):
    return runner.invoke(args=["scores", "import", "--create-units", str(SAMPLES)])


def dossier_import(runner, tmp_path, **_):
    path = tmp_path / "hoso.csv"
    path.write_text("\n".join((HEADER, *ROWS, "")), encoding="utf-8")
    return runner.invoke(args=["dossiers", "import", str(path)])


def demo_load(runner, **_):
    return runner.invoke(args=["seed-demo"])


def log_in(client, **_):
    assert client.post("/login", data={"username": "hungdv", "password": PASSWORD}).status_code == 302


def reassignment(client, **_):
    from app.assignments.models import Assignment
    from app.auth.services import find_user
    from app.org.services import find_unit_by_code

    current = _db.session.scalar(sa.select(Assignment).where(Assignment.subject_key == "G:V",
                                                            Assignment.effective_to.is_(None)))
    return client.post(f"/assignments/{current.id}/reassign", data={
        "responsible_unit_id": find_unit_by_code("NS.NV").id, "performer_ids": [find_user("vanna").id],
        "team_unit_id": 0, "effective_from": "2026-12-01", "version": current.version})


def late_dossiers(runner, tmp_path, **_):
    """Dossiers, one of them late, and no alert yet: the scan has alerts to raise."""
    from app.alerts.models import Alert

    assert dossier_import(runner, tmp_path).exit_code == 0
    _db.session.execute(sa.delete(Alert))
    _db.session.commit()


def alert_scan(**_):
    from app.alerts.jobs import scan_alerts

    return scan_alerts(now=DEMO_NOW)


# operation, fixture it needs, what is done (and committed) before it, the step made to fail (late in the
# operation, after it has written)
OPERATIONS = {
    "score import (flask scores import)": (score_import, None, None, "app.scores.accountability.scan_red"),
    "dossier import (flask dossiers import)": (dossier_import, "demo", None, "app.audit.services.record"),
    "demo load (flask seed-demo)": (demo_load, None, None, "app.demo.services._load_dossiers"),
    "reassignment (page)": (reassignment, "demo", log_in, "app.assignments.services.record"),
    "alert scan (scheduler job)": (alert_scan, "demo", late_dossiers, "app.scores.accountability.scan_red"),
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_failure_in_the_middle_leaves_the_database_as_before(name, request, app, db, runner, client, clock,
                                                               tmp_path, monkeypatch):
    operation, fixture, prepare, step = OPERATIONS[name]
    if fixture:
        request.getfixturevalue(fixture)
    if prepare:
        prepare(runner=runner, client=client, tmp_path=tmp_path)
    before = snapshot()
    seen: list[dict] = []
    _fail_midway(monkeypatch, step, seen)
    with contextlib.suppress(Injected):  # a job lets the error through; CLI and pages report it
        operation(runner=runner, client=client, tmp_path=tmp_path)
    db.session.rollback()  # what ending the request, command or job does with an unfinished transaction
    assert seen, "the injected failure was not reached"
    assert seen[0] != before, "the failure struck before the operation wrote anything: move it later"
    assert snapshot() == before
