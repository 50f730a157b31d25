"""The scheduler: one list of jobs, each a function of `now` that commits once; `flask scheduler run --once`."""

from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from app.scheduler import build, jobs


def test_one_list_of_jobs_with_their_triggers(app):
    assert [j.id for j in jobs()] == ["scan-alerts", "daily-digest", "computed-indicators", "heartbeat"]
    scheduler = build(app, BackgroundScheduler)
    digest = scheduler.get_job("daily-digest")
    fire = digest.trigger.get_next_fire_time(None, datetime(2026, 11, 19, 20, 0, tzinfo=UTC))  # 03:00 in Vietnam
    assert fire.astimezone(UTC) == datetime(2026, 11, 20, 0, 30, tzinfo=UTC)  # 07:30 in Vietnam
    assert scheduler.get_job("scan-alerts").trigger.interval.total_seconds() == 15 * 60


def test_every_job_runs_on_an_empty_database_and_twice_changes_nothing(app, db):
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    for job in jobs():
        job.func(now=now)
        job.func(now=now)


def test_run_once_from_the_command_line(runner, db):
    result = runner.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "scan-alerts" in result.output and "daily-digest" in result.output


def test_the_alert_scan_command_says_what_it_did(runner, db):
    result = runner.invoke(args=["alerts", "scan"])
    assert result.exit_code == 0, result.output
    assert "Không có cảnh báo mới." in result.output


def test_a_second_scheduler_runs_no_job_while_the_first_holds_the_lock(runner, db):
    import sqlalchemy as sa

    from app.main.models import Heartbeat
    from app.scheduler import LOCK_KEY, Leadership

    if db.engine.dialect.name != "postgresql":
        assert Leadership(db.engine).acquire() is True  # SQLite: one machine, always the leader
        pytest.skip("the advisory lock is PostgreSQL's; SQLite has one scheduler by construction")
    first = Leadership(db.engine)
    assert first.acquire()
    try:
        assert Leadership(db.engine).acquire() is False
        result = runner.invoke(args=["scheduler", "run", "--once"])
        assert result.exit_code == 1
        assert "Một bộ lập lịch khác đang chạy" in result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Heartbeat)) == 0  # no job ran
    finally:
        first.release()
    with db.engine.connect() as conn:  # released: the lock is free again
        key = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"),
                           {"k": LOCK_KEY}).scalar()
        conn.execute(sa.text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"), {"k": LOCK_KEY})
    assert key is True
    result = runner.invoke(args=["scheduler", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Heartbeat)) == 1
