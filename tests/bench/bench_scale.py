"""Scale benchmark (PostgreSQL): the overdue scan and the province statistics on a database already holding
millions of dossiers (the province generator, tests/bench/province.py: --fraction 1 for 2M, 5 for 10M),
partitioned or not.

    .venv/bin/python tests/bench/bench_scale.py --database-url postgresql+psycopg://postgres@127.0.0.1/scale2m_db

Measures, at the data's "today" (the generator's period_now from bench_dataset; else just after the latest
receipt or end in it):
  bare count   SELECT count(*) of the overdue condition (open, past due or >1 supplement) — the floor
  scan         scan_dossiers(now), first run (creates the alerts) and again (nothing new: the steady state,
               median of 3 runs after ANALYZE alert as autovacuum would do), with their SQL statement counts; both rolled back,
               so the database is left as it was
  stats        unit_statistics of the province for the running month, the previous month, the quarter and the
               year: cold (empty cache) and warm (what every later reader gets), median of 5 warm runs
Targets (issue 16, at 2M dossiers): scan < 2 s and within 3x of the bare count; statistics warm < 30 ms.
Exits 1 when a target fails. Prints an English table; this file is not collected by pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.bench.bench_scores import close, make_app, table  # noqa: E402

TARGETS = {"scan_s": 2.0, "scan_over_count": 3.0, "stats_warm_ms": 30.0}


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def period_now():
    """The generator's "today" (tests/bench/province.py stores its manifest in bench_dataset), else None."""
    import sqlalchemy as sa

    from app.extensions import db

    if not sa.inspect(db.engine).has_table("bench_dataset"):
        return None
    manifest = db.session.scalar(sa.text("SELECT manifest FROM bench_dataset ORDER BY id DESC LIMIT 1"))
    if isinstance(manifest, str):
        manifest = json.loads(manifest)
    return datetime.fromisoformat(manifest["period_now"]) if manifest and manifest.get("period_now") else None


@contextlib.contextmanager
def counting(engine):
    """Count the SQL statements run inside the block: yields a one-item list filled in as they run."""
    import sqlalchemy as sa

    seen = [0]

    def count(*_args):
        seen[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def run(url: str, *, scan_only: bool = False) -> int:
    import sqlalchemy as sa

    from app.dossiers import lateness as L
    from app.dossiers import stats
    from app.dossiers.models import Dossier, DossierStatsCache
    from app.dossiers.scan import scan_dossiers
    from app.extensions import db
    from app.org.models import Unit
    from app.scores.periods import month_period, quarter_period, year_period
    from app.workdays.services import calendar_around

    app = make_app(url)
    rows, failures = [], []
    with app.app_context():
        now = period_now()
        if now is None:  # no manifest: the data's "today", when nothing in it lies in the future
            latest = db.session.scalar(sa.text("SELECT max(greatest(received_at, coalesce(ended_at, received_at))) "
                                               "FROM dossier"))
            now = latest + timedelta(minutes=1)
        print(f"now = {now:%Y-%m-%d %H:%M} UTC")
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))
        is_partitioned = db.session.scalar(sa.text(
            "SELECT relkind = 'p' FROM pg_class WHERE relname = 'dossier' AND relnamespace = "
            "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"))
        print(f"{total:,} dossiers, {'partitioned' if is_partitioned else 'one table'}")
        overdue = sa.select(sa.func.count()).select_from(Dossier).where(Dossier.is_open, L.late_at(now))
        db.session.scalar(overdue)
        count_s, late = timed(lambda: db.session.scalar(overdue))
        rows.append(["bare count of overdue", f"{count_s * 1000:,.0f} ms", f"{late:,} overdue"])
        with counting(db.engine) as first_n:
            first_s, first = timed(lambda: scan_dossiers(now=now))
        rows.append(["scan, first (creates alerts)", f"{first_s * 1000:,.0f} ms",
                     f"{first.total:,} alerts, {first_n[0]} statements"])
        db.session.execute(sa.text("ANALYZE alert"))  # autovacuum's job in production; rolled back with the rest
        repeats = []
        for _ in range(3):
            with counting(db.engine) as again_n:
                repeats.append(timed(lambda: scan_dossiers(now=now)))
        again_s, again = statistics.median(s for s, _ in repeats), repeats[-1][1]
        rows.append(["scan, again (steady state)", f"{again_s * 1000:,.0f} ms",
                     f"median of 3 ({', '.join(f'{s * 1000:,.0f}' for s, _ in repeats)}), "
                     f"{again.total:,} new alerts, {again_n[0]} statements"])
        db.session.rollback()
        province = db.session.scalar(sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
        calendar = calendar_around(now.date())
        today = now.astimezone(L.VN_TZ).date()
        previous = (today.replace(day=1) - timedelta(days=1))
        periods = [("running month", month_period(today.year, today.month)),
                   ("previous month", month_period(previous.year, previous.month)),
                   ("quarter", quarter_period(today.year, (today.month - 1) // 3 + 1)),
                   ("year", year_period(today.year))]
        for label, period in periods if not scan_only else []:
            db.session.execute(sa.delete(DossierStatsCache))
            cold_s, _ = timed(lambda p=period: stats.unit_statistics(province, p, now=now, calendar=calendar))
            db.session.commit()
            warm = [timed(lambda p=period: stats.unit_statistics(province, p, now=now, calendar=calendar))[0]
                    for _ in range(5)]
            warm_ms = statistics.median(warm) * 1000
            rows.append([f"stats {label}, cold", f"{cold_s * 1000:,.0f} ms", ""])
            rows.append([f"stats {label}, warm", f"{warm_ms:,.1f} ms", "median of 5"])
            if warm_ms > TARGETS["stats_warm_ms"]:
                failures.append(f"stats {label} warm {warm_ms:.1f} ms > {TARGETS['stats_warm_ms']} ms")
        db.session.execute(sa.delete(DossierStatsCache))
        db.session.commit()
    close(app)
    print(table(["measure", "time", "note"], rows, right={1}))
    scan_s = max(first_s, again_s)
    if scan_s > TARGETS["scan_s"]:
        failures.append(f"scan {scan_s:.2f} s > {TARGETS['scan_s']} s")
    if again_s > TARGETS["scan_over_count"] * max(count_s, 0.001):
        failures.append(f"steady scan {again_s:.2f} s > {TARGETS['scan_over_count']}x bare count {count_s:.3f} s")
    for failure in failures:
        print("FAIL", failure)
    print("PASS" if not failures else f"{len(failures)} target(s) missed")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scan-only", action="store_true", help="skip the statistics")
    args = parser.parse_args(argv)
    return run(args.database_url, scan_only=args.scan_only)


if __name__ == "__main__":
    sys.exit(main())
