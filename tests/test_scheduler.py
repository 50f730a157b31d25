"""The scheduler: one list of jobs, each a function of `now` that commits once; `flask scheduler run --once`."""

from datetime import UTC, datetime

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
