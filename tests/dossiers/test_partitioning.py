"""`flask dossiers partition` / `unpartition` (PostgreSQL): every row, id, claim and alert survives both ways, and
the import, the scan and the statistics keep working on the partitioned table; SQLite refuses clearly."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.dossiers import partitioning, stats
from app.dossiers.models import Dossier, DossierClaim
from app.org.services import find_unit_by_code
from app.scores.periods import month_period
from app.workdays.services import calendar_around
from tests.dossiers.conftest import NOW
from tests.dossiers.test_stats_cache import direct


def is_postgres(db) -> bool:
    return db.engine.dialect.name == "postgresql"


def snapshot(db):
    rows = db.session.execute(sa.select(Dossier.id, Dossier.source, Dossier.code, Dossier.received_at,
                                        Dossier.status).order_by(Dossier.id)).all()
    claims = db.session.execute(sa.select(DossierClaim.id, DossierClaim.dossier_id)).all()
    return rows, claims


def relkind(db) -> str:
    return db.session.scalar(sa.text("SELECT relkind FROM pg_class WHERE oid = to_regclass('dossier')"))


@pytest.fixture
def restore(db):
    """Whatever happens in the test, the session's schema is plain again afterwards."""
    yield
    db.session.rollback()
    if is_postgres(db) and partitioning.is_partitioned():
        partitioning.unpartition(progress=lambda _m: None)
        db.session.commit()


def test_sqlite_refuses_in_vietnamese(runner, db):
    if is_postgres(db):
        pytest.skip("SQLite only: on PostgreSQL the command partitions (tested below)")
    for command in ("partition", "unpartition"):
        result = runner.invoke(args=["dossiers", command])
        assert result.exit_code == 1
        assert "Chỉ PostgreSQL mới chia bảng hồ sơ theo tháng" in result.output


def test_partition_and_back_keep_everything_and_everything_works(november, db, runner, restore, clock):
    if not is_postgres(db):
        pytest.skip("declarative partitioning is PostgreSQL only (SQLite refuses: the test above)")
    from app.alerts.models import Alert
    from app.auth.services import find_user
    from app.dossiers.claims import file_claim
    from app.dossiers.scan import scan_dossiers
    from tests.dossiers.test_import import ROWS, csv_file, run

    late = db.session.scalar(sa.select(Dossier).where(Dossier.code == "A"))
    file_claim(late, author=find_user("thaonp"), reason="Lỗi đồng bộ", evidence=None, now=NOW, today=NOW.date())
    scan_dossiers(now=NOW)
    db.session.commit()
    before, alerts = snapshot(db), db.session.scalar(sa.select(sa.func.count()).select_from(Alert))

    result = runner.invoke(args=["dossiers", "partition"])
    assert result.exit_code == 0, result.output
    assert "phân vùng theo tháng" in result.output
    assert relkind(db) == "p" and snapshot(db) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alert)) == alerts
    months = db.session.scalar(sa.text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'dossier'::regclass"))
    assert months >= 13  # October 2026 … twelve months ahead, and the default partition

    # the import inserts and matches codes; a second run changes nothing; the registry keeps codes unique
    first = run(csv_file(*ROWS))
    assert first.ok and (first.total("new"), first.total("changed")) == (3, 0)
    assert run(csv_file(*ROWS)).nothing_new
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.text("INSERT INTO dossier (source, code, procedure_code, procedure_name, "
                                   "handling_unit_id, receiving_unit_id, channel, received_at, due_at, status, "
                                   "is_open, supplement_count, created_at, updated_at) SELECT source, code, "
                                   "procedure_code, procedure_name, handling_unit_id, receiving_unit_id, channel, "
                                   "received_at + interval '40 days', due_at + interval '40 days', status, "
                                   "is_open, supplement_count, created_at, updated_at FROM dossier "
                                   "WHERE code = 'A'"))
    # a dossier received later moves to another month's partition and keeps its id, claim and alerts
    db.session.execute(sa.update(Dossier).where(Dossier.id == late.id).values(
        received_at=Dossier.received_at + sa.text("interval '5 days'")))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DossierClaim)
                             .where(DossierClaim.dossier_id == late.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alert).where(Alert.dossier_id == late.id)) > 0
    # the scan and the statistics work (and agree with a direct count)
    scan_dossiers(now=NOW)
    c = stats.Window.of(month_period(2026, 11), now=NOW, calendar=calendar_around(NOW.date()))
    _children, top = stats.subtree_map(find_unit_by_code("NS"))
    got = {u: counts for u, counts in stats.counts_by_unit(top.keys(), c).items() if any(counts.values())}
    assert got == direct(top.keys(), c)
    db.session.commit()
    # deleting a dossier takes its claims and alerts with it, as before
    db.session.execute(sa.delete(Dossier).where(Dossier.code == "I"))
    db.session.commit()
    assert db.session.scalar(sa.text("SELECT count(*) FROM dossier_ref WHERE code = 'I'")) == 0
    middle = snapshot(db)

    result = runner.invoke(args=["dossiers", "unpartition"])
    assert result.exit_code == 0, result.output
    assert relkind(db) == "r" and snapshot(db) == middle
    with db.engine.connect() as conn:  # exactly the model's table again
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
    again = runner.invoke(args=["dossiers", "unpartition"])
    assert again.exit_code == 1 and "chưa được chia theo tháng" in again.output
