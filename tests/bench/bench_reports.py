"""Quarterly report benchmark: one unit's phases and peak memory, then every unit with 1 and 2 worker processes.

    .venv/bin/python tests/bench/bench_reports.py --database-url postgresql://postgres@127.0.0.1:5432/gen_db
    .venv/bin/python tests/bench/bench_reports.py --database-url URL --unit BN --unit BN.P001 --workers 2 --limit 20

Read-only: drafts are rendered to a temporary folder, nothing is signed or saved. The database must hold quarterly
scores (the province generator, tests/bench/province.py, or the demo). One unit is measured in a fresh subprocess
(its peak RSS is that process's own): content (SQL statements counted), charts (matplotlib), HTML (Jinja),
WeasyPrint (layout and PDF); the first unit of a process pays the font and style sheet loading. All units run
through `app.reports.batch.run_all`, the code behind `flask reports quarterly --all-units --workers N`.

Exit codes: 0 every target met, 1 a target missed (or a unit failed), 2 bad arguments.
This file is named bench_*.py on purpose: pytest never collects it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

TARGETS = {"unit_s": 3.0, "unit_rss_mb": 300.0, "all_units_s": 300.0}  # all units: with 2 workers
NOW = "2026-11-15T03:00:00+00:00"  # the generator's period_now: the reports are dated by it


def make_app(url: str):
    from app import create_app
    from config import Config

    return create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))


def child(url: str, codes: list[str], quarter: str) -> None:
    """In a fresh process: each unit's phases (seconds, SQL statements), then this process's peak RSS, as JSON."""
    import sqlalchemy as sa

    app = make_app(url)
    with app.app_context():
        from app.extensions import db
        from app.org.services import find_unit_by_code
        from app.reports import content, render, services
        from app.reports.models import Document

        statements = [0]
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
        period, today = services.parse_quarter(quarter), datetime.fromisoformat(NOW).date()
        rows = []
        for code in codes:
            unit = find_unit_by_code(code)
            started, cpu = time.perf_counter(), time.process_time()
            doc = Document(kind="report", unit=unit, period_start=period.start_date, period_end=period.end_date,
                           version=1, status="draft", title="Báo cáo",
                           texts=content.default_texts("report", unit, period, today=today))
            statements[0] = 0
            t0 = time.perf_counter()
            data = content.build(doc, today=today)
            t1 = time.perf_counter()
            for chart in (data.total_chart, data.rank_chart):
                if chart is not None:
                    chart.svg()  # drawn once; the template takes it from the chart cache
            t2 = time.perf_counter()
            text = render.html("report", data, static_base="")
            t3 = time.perf_counter()
            pdf = render.pdf_of_html(text, draft=True).pdf
            t4 = time.perf_counter()
            db.session.rollback()
            db.session.expunge_all()
            rows.append({"unit": code, "content": t1 - t0, "sql": statements[0], "charts": t2 - t1, "html": t3 - t2,
                         "weasyprint": t4 - t3, "total": t4 - started, "cpu": time.process_time() - cpu,
                         "pdf_kb": len(pdf) / 1024})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "peak_rss_mb": peak}))


def one_unit(url: str, codes: list[str], quarter: str) -> dict:
    args = [sys.executable, __file__, "--database-url", url, "--quarter", quarter, "--child", *codes]
    started = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=REPO_ROOT).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started
    return result


def all_units(url: str, quarter: str, workers: int, limit: int | None) -> dict:
    from app.reports import batch
    from app.reports.cli import _units

    app = make_app(url)
    with app.app_context(), tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        from app.reports import services

        period = services.parse_quarter(quarter)
        units = _units("report", None, True, period)[:limit]
        now = datetime.fromisoformat(NOW)
        tasks = [batch.Task("report", u.id, u.code, u.name, quarter, str(Path(folder) / batch.file_name(
            "report", u.code, quarter)), now) for u in units]
        from app.extensions import db

        db.session.rollback()  # no transaction (nor its locks) held open while the workers run
        cpu0 = os.times()
        started = time.perf_counter()

        def progress(position, outcome):
            if position % 25 == 0 or not outcome.ok:
                print(f"    [{position}/{len(tasks)}] {outcome.code} {'ok' if outcome.ok else outcome.message} "
                      f"{outcome.seconds:.1f} s", flush=True)

        outcomes = batch.run_all(tasks, workers=workers, config=batch.worker_config(app.config), on_done=progress)
        wall = time.perf_counter() - started
        cpu1 = os.times()
        size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system) + (cpu1.children_user - cpu0.children_user) + (
        cpu1.children_system - cpu0.children_system)
    return {"units": len(tasks), "failed": [f"{o.code}: {o.message}" for o in outcomes if not o.ok], "wall": wall,
            "cpu": cpu, "mb": size, "per_unit": [o.seconds for o in outcomes]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--unit", action="append", help="unit code(s) for the one-unit phases (default: the "
                                                        "province's root and its first commune)")
    parser.add_argument("--workers", default="1,2", help="worker counts for the all-units runs, e.g. 1,2 (0: skip)")
    parser.add_argument("--limit", type=int, help="only the first N units in the all-units runs")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or BENCH_DATABASE_URL) is required: a database with quarterly scores")
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if args.child is not None:
        child(url, args.child, args.quarter)
        return 0
    codes = args.unit or _default_units(url)
    failures = []
    print(f"== one unit, fresh process ({args.quarter}; peak RSS of that process)")
    result = one_unit(url, codes, args.quarter)
    print(f"  {'unit':10} {'content':>8} {'SQL':>4} {'charts':>7} {'HTML':>6} {'WeasyPrint':>10} {'total':>7} {'CPU':>6} {'PDF':>7}")
    for r in result["rows"]:
        print(f"  {r['unit']:10} {r['content']:7.2f}s {r['sql']:4d} {r['charts']:6.2f}s {r['html']:5.2f}s "
              f"{r['weasyprint']:9.2f}s {r['total']:6.2f}s {r['cpu']:5.2f}s {r['pdf_kb']:5.0f}kB")
    print(f"  process: {result['process_s']:.1f} s including interpreter and app start, peak RSS "
          f"{result['peak_rss_mb']:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall "
          "times stretch on a shared machine; CPU is this process's own)")
    slowest = max(r["total"] for r in result["rows"])
    failures += _check("one unit (slowest, in process)", slowest, TARGETS["unit_s"], "s")
    failures += _check("one-unit process peak RSS", result["peak_rss_mb"], TARGETS["unit_rss_mb"], "MB")
    for workers in [int(w) for w in args.workers.split(",") if int(w) > 0]:
        print(f"== all units, --workers {workers}" + (f" (first {args.limit})" if args.limit else ""))
        run = all_units(url, args.quarter, workers, args.limit)
        per = sorted(run["per_unit"])
        print(f"  {run['units']} units in {run['wall']:.1f} s wall, {run['cpu']:.1f} s CPU (this process and its "
              f"workers), median {per[len(per) // 2]:.2f} s a unit, {run['mb']:.0f} MB of PDF; "
              f"largest process so far {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
        failures += [f"unit failed: {f}" for f in run["failed"]]
        if workers == 2 and not args.limit:
            failures += _check("all units, 2 workers", run["wall"], TARGETS["all_units_s"], "s")
    print("\n".join(["== FAIL", *failures]) if failures else "== all targets met")
    return 1 if failures else 0


def _check(name: str, value: float, limit: float, unit: str) -> list[str]:
    verdict = "PASS" if value <= limit else "FAIL"
    print(f"  {verdict} {name}: {value:.2f} {unit} (target <= {limit:g} {unit})")
    return [] if verdict == "PASS" else [f"{name}: {value:.2f} {unit} > {limit:g} {unit}"]


def _default_units(url: str) -> list[str]:
    """The root unit (the largest report) and the first commune."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        root = conn.execute(sa.text("SELECT code FROM unit WHERE parent_id IS NULL ORDER BY code LIMIT 1")).scalar()
        commune = conn.execute(sa.text("SELECT code FROM unit WHERE kind = 'commune' ORDER BY code LIMIT 1")).scalar()
    engine.dispose()
    return [c for c in (root, commune) if c]


if __name__ == "__main__":
    sys.exit(main())
