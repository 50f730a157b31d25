"""The scheduler: one list of jobs, run by `flask scheduler run` as its own process (never inside web workers).

Each job is a plain function of `now` that commits once and is safe to run twice or in two processes at once
(alerts are unique in the database; e-mails are marked sent in the same transaction that finds them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.time import VN_TZ, now_utc

log = logging.getLogger(__name__)
LOCK_KEY = 766_016  # the PostgreSQL advisory lock the running scheduler holds: (this, the schema's hash)
STANDBY_SECONDS = 30


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable  # takes now=...
    trigger: str  # "interval" or "cron"
    args: dict
    description: str


def jobs() -> list[Job]:
    """The one list of scheduled jobs."""
    from app.alerts import jobs as alert_jobs
    from app.dossiers import jobs as dossier_jobs
    from app.main.health import scheduler_heartbeat

    return [
        Job("scan-alerts", alert_jobs.scan_alerts, "interval", {"minutes": 15},
            "quét hồ sơ sắp trễ / trễ hạn / thiếu phiếu xin lỗi, chỉ số chuyển đỏ; gửi ngay thư leo thang"),
        Job("daily-digest", alert_jobs.daily_digest, "cron", {"hour": 7, "minute": 30},
            "thư tổng hợp cảnh báo hằng ngày lúc 07:30"),
        Job("computed-indicators", dossier_jobs.compute_indicators, "interval", {"hours": 1},
            "tính các chỉ số từ hồ sơ (4, 7, 10, 11, 12, 19) cho kỳ đang chạy và kỳ trước"),
        Job("heartbeat", scheduler_heartbeat, "interval", {"minutes": 1},
            "nhịp tim của bộ lập lịch (để /healthz biết bộ lập lịch còn chạy)"),
    ]


def run_job(app, job: Job) -> None:
    """Run one job in its own app context with the current time; a failure is logged, never kills the loop."""
    with app.app_context():
        from app.audit.services import set_source
        from app.extensions import db

        set_source("scheduler")
        try:
            result = job.func(now=now_utc())
            log.info("job %s done: %s", job.id, result)
        except Exception:  # a job must not stop the scheduler
            db.session.rollback()
            log.exception("job %s failed", job.id)
        finally:
            db.session.remove()


def build(app, scheduler_cls=None):
    """An APScheduler with every job of `jobs()` (Vietnam time zone for the cron ones)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = (scheduler_cls or BlockingScheduler)(timezone=VN_TZ)
    for job in jobs():
        scheduler.add_job(run_job, job.trigger, args=(app, job), id=job.id, name=job.description,
                          coalesce=True, max_instances=1, misfire_grace_time=600, **job.args)
    return scheduler


class Leadership:
    """The one-scheduler rule: on PostgreSQL a session advisory lock held on a connection of its own for the life
    of the process, so a second scheduler (another host, a restart that overlaps) waits instead of running jobs
    twice; the lock goes with the connection when the process dies. SQLite is one machine: always the leader."""

    def __init__(self, engine):
        self.engine = engine
        self.connection = None
        self.held = False

    def acquire(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        import sqlalchemy as sa

        self.held = bool(self.connection.execute(sa.text(
            "SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"), {"k": LOCK_KEY}).scalar())
        if not self.held:
            self.release()
        return self.held

    def release(self) -> None:
        """Unlock, then give the connection back (a pooled connection would otherwise keep the lock)."""
        if self.connection is not None:
            if self.held:
                import sqlalchemy as sa

                self.connection.execute(sa.text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"),
                                        {"k": LOCK_KEY})
            self.connection.close()
            self.connection, self.held = None, False


@click.group(help="Bộ lập lịch: chạy các việc định kỳ (quét cảnh báo, gửi thư, tính chỉ số từ hồ sơ).")
def scheduler():
    pass


@scheduler.command("run", help="Chạy bộ lập lịch (một tiến trình riêng; chỉ chạy một tiến trình như vậy).")
@click.option("--once", is_flag=True, help="Chạy mỗi việc một lần rồi thoát.")
@with_appcontext
def run_command(once: bool):
    import time

    from app.extensions import db

    app = current_app._get_current_object()
    leader = Leadership(db.engine)
    if once and not leader.acquire():
        raise click.ClickException("Một bộ lập lịch khác đang chạy (đang giữ khóa): không chạy các việc lần này "
                                   "để tránh chạy trùng.")
    if once:
        for job in jobs():
            click.echo(f"- {job.id}: {job.description}")
            run_job(app, job)
        leader.release()
        return
    while not leader.acquire():
        click.echo(f"Một bộ lập lịch khác đang chạy: tiến trình này chờ, thử lại sau {STANDBY_SECONDS} giây.")
        time.sleep(STANDBY_SECONDS)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    click.echo("Bộ lập lịch đang chạy (Ctrl+C để dừng):")
    for job in jobs():
        click.echo(f"  - {job.id}: {job.description}")
    scheduler_ = build(app)
    run_job(app, next(job for job in jobs() if job.id == "heartbeat"))  # /healthz sees it at once, not in a minute
    try:
        scheduler_.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Đã dừng bộ lập lịch.")
    finally:
        leader.release()


@scheduler.command("list", help="Liệt kê các việc định kỳ.")
def list_command():
    for job in jobs():
        when = ", ".join(f"{k}={v}" for k, v in job.args.items())
        click.echo(f"{job.id:<22} {job.trigger:<9} {when:<22} {job.description}")
