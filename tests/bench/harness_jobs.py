"""bench_province.py's batch measures: the overdue scan (in this process, rolled back), the dossier import (a child
process, rolled back) beside PostgreSQL COPY of the same file, and the quarterly reports (child processes).

Children are plain subprocesses of this module (`python -m tests.bench.harness_jobs import|report-one ...`): each
prints one JSON line on stdout, its progress on stderr, and the parent reads its resource usage with os.wait4
(ru_maxrss, user and system time of that child and of the processes it waited for).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

IMPORT_SOURCE = "bench-province"  # its own (source, code) space: every row of the file is new


def make_app(url: str):
    """The app with the production defaults (config.Config) on `url`."""
    from app import create_app
    from config import Config

    return create_app(type("BenchProvinceConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))


def run_child(args: list[str], *, env: dict | None = None, capture: bool = True) -> dict:
    """Run a child to completion; its JSON line (when `capture`), exit code, wall time and os.wait4 rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE if capture else None)
    out = proc.stdout.read() if capture else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    wall = time.perf_counter() - start
    result: dict = {}
    for line in reversed(out.decode("utf-8", "replace").splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            break
    return {**result, "exit_code": proc.returncode, "wall_s": wall, "child_maxrss_mb": usage.ru_maxrss / 1024,
            "child_cpu_s": usage.ru_utime + usage.ru_stime}


# ---------------------------------------------------------------------------------------------------------------
# Overdue scan
# ---------------------------------------------------------------------------------------------------------------
def scan(app, *, now: datetime, repeat_count: int = 3) -> dict:
    """The scheduler job's dossier scan at `now`, twice (the first creates alerts, the second finds nothing new),
    in one transaction rolled back at the end; and a bare count of the same overdue condition (best of 3)."""
    import sqlalchemy as sa

    from app.dossiers import lateness as L
    from app.dossiers.models import Dossier
    from app.dossiers.scan import scan_dossiers
    from app.extensions import db

    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))
        count_sql = sa.select(sa.func.count()).select_from(Dossier).where(Dossier.is_open, L.late_at(now))
        bare, overdue = [], 0
        for _ in range(repeat_count):
            start = time.perf_counter()
            overdue = db.session.scalar(count_sql)
            bare.append(time.perf_counter() - start)
        db.session.rollback()
        runs = []
        try:
            for _ in range(2):
                start = time.perf_counter()
                result = scan_dossiers(now=now)
                runs.append({"s": time.perf_counter() - start, "created": dict(result.created),
                             "resolved": result.resolved})
        finally:
            db.session.rollback()
            db.session.remove()
    return {"dossiers": total, "overdue": overdue, "bare_count_s": min(bare), "bare_count_runs_s": bare,
            "first": runs[0], "second": runs[1], "now": now.isoformat(),
            "count_sql": str(count_sql.compile(compile_kwargs={"literal_binds": True}))}


# ---------------------------------------------------------------------------------------------------------------
# Import: the CSV, PostgreSQL COPY of it, and the real import service in a child process
# ---------------------------------------------------------------------------------------------------------------
def csv_directory(app) -> tuple[list[str], dict[str, list[str]]]:
    """The communes' codes (handling units of the file) and each one's active officers."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.extensions import db
    from app.org.models import Unit

    with app.app_context():
        units = db.session.execute(sa.select(Unit.id, Unit.code).where(
            Unit.kind == "commune", Unit.is_active.is_(True)).order_by(Unit.code)).all()
        people = db.session.execute(sa.select(User.unit_id, User.username).where(
            User.role == "officer", User.is_active.is_(True)).order_by(User.username)).all()
        db.session.remove()
    code_of = {uid: code for uid, code in units}
    officers: dict[str, list[str]] = {}
    for unit_id, username in people:
        if unit_id in code_of:
            officers.setdefault(code_of[unit_id], []).append(username)
    return [code for _, code in units], officers


def write_import_csv(app, path: Path, rows: int) -> dict:
    from tests.bench.bench_dossiers import write_csv

    units, officers = csv_directory(app)
    if not units:
        raise RuntimeError("no active commune in the database: nothing to import dossiers into")
    start = time.perf_counter()
    size = write_csv(path, rows, units=units, officers=officers)
    return {"rows": rows, "mb": size / 2**20, "write_s": time.perf_counter() - start, "units": len(units),
            "officers": sum(len(v) for v in officers.values())}


def copy_baseline(url: str, path: Path) -> dict:
    """COPY of the same file into a bare temporary table of text columns (psycopg cursor.copy), rolled back."""
    import psycopg
    from sqlalchemy.engine import make_url

    from tests.bench.bench_dossiers import HEADER

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    columns = ", ".join(f"c{i} text" for i in range(HEADER.count(",") + 1))
    with psycopg.connect(conninfo) as conn:
        with conn.cursor() as cur:
            cur.execute(f"CREATE TEMPORARY TABLE bench_copy ({columns})")
            start = time.perf_counter()
            with cur.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy, path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            took = time.perf_counter() - start
            rows = cur.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
        conn.rollback()
    return {"s": took, "rows": rows}


def import_in_child(url: str, path: Path, *, now: datetime) -> dict:
    return run_child([sys.executable, "-m", "tests.bench.harness_jobs", "import", url, str(path), now.isoformat()])


def _child_import(url: str, path: str, now_iso: str) -> dict:
    from app.dossiers.importer import DossierFile, import_dossier_files
    from app.extensions import db
    from tests.bench.bench_dossiers import current_rss_mb
    from tests.bench.bench_scores import rss_mb

    app = make_app(url)
    size = os.path.getsize(path)
    marks = [0]

    def progress(n: int) -> None:
        marks[0] += n
        print(f"    import: {marks[0] / size:4.0%} read", file=sys.stderr, flush=True)

    with app.app_context():
        gc.collect()
        baseline = current_rss_mb()
        start = time.perf_counter()
        report = import_dossier_files([DossierFile(os.path.basename(path), path=path)], now=datetime.fromisoformat(
            now_iso), source=IMPORT_SOURCE, on_progress=_every(size // 10, progress))
        took = time.perf_counter() - start
        peak = rss_mb()
        errors = [f"row {e.row}: {e.message}" for f in report.files for e in f.errors][:5]
        start = time.perf_counter()
        db.session.rollback()
        rolled = time.perf_counter() - start
        db.session.remove()
    return {"s": took, "new": report.total("new"), "changed": report.total("changed"),
            "unchanged": report.total("unchanged"), "ok": report.ok, "errors": errors, "rss_baseline_mb": baseline,
            "rss_peak_mb": peak, "rss_growth_mb": peak - baseline, "rollback_s": rolled}


def _every(step: int, callback):
    """on_progress is told of every chunk read: call `callback` once per `step` bytes."""
    seen = [0, step]

    def told(n: int) -> None:
        seen[0] += n
        if seen[0] >= seen[1]:
            callback(seen[0] - (seen[1] - step))
            seen[1] += step
    return told


# ---------------------------------------------------------------------------------------------------------------
# Quarterly reports
# ---------------------------------------------------------------------------------------------------------------
def flask_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "TEST_CLOCK")}
    env.update(DATABASE_URL=url, FLASK_APP="wsgi.py", FLASK_CONFIG="development", PYTHONPATH=str(REPO_ROOT))
    return env


def report_one(url: str, unit_id: int, quarter: str, today: str) -> dict:
    """One unit's quarterly report (the draft PDF) rendered in a fresh child; the time of the rendering itself and
    the child's peak memory (the app loaded, the report built)."""
    return run_child([sys.executable, "-m", "tests.bench.harness_jobs", "report-one", url, str(unit_id), quarter,
                      today], env=flask_env(url))


def _child_report_one(url: str, unit_id: str, quarter: str, today: str) -> dict:
    from datetime import date

    from app.extensions import db
    from app.org.models import Unit
    from app.reports import services

    app = make_app(url)
    with app.app_context():
        unit = db.session.get(Unit, int(unit_id))
        period = services.parse_quarter(quarter)
        start = time.perf_counter()
        pdf = services.draft_preview("report", unit, period, today=date.fromisoformat(today))
        took = time.perf_counter() - start
        code = unit.code
        db.session.rollback()
    return {"s": took, "unit": code, "pdf_kb": len(pdf) / 1024, "is_pdf": pdf.startswith(b"%PDF")}


def workers_option() -> bool:
    out = subprocess.run([sys.executable, "-m", "flask", "reports", "quarterly", "--help"], cwd=REPO_ROOT,
                         env=flask_env("sqlite://"), capture_output=True, text=True)
    return "--workers" in out.stdout


def report_all(url: str, quarter: str, workdir: Path) -> dict:
    """`flask reports quarterly --all-units --quarter Q -o DIR [--workers 2]`, its progress shown as it goes."""
    with tempfile.TemporaryDirectory(prefix="reports-", dir=workdir) as folder:
        args = [sys.executable, "-m", "flask", "reports", "quarterly", "--all-units", "--quarter", quarter,
                "-o", folder]
        workers = workers_option()
        if workers:
            args += ["--workers", "2"]
        run = run_child(args, env=flask_env(url), capture=False)
        pdfs = [p for p in Path(folder).iterdir() if p.suffix == ".pdf"]
        good = sum(1 for p in pdfs if p.read_bytes()[:4] == b"%PDF")
    cpu = run["child_cpu_s"] / run["wall_s"] if run["wall_s"] else 0.0
    return {**run, "pdfs": len(pdfs), "valid_pdfs": good, "workers_option": workers, "cpu_use": cpu,
            "command": f"flask reports quarterly --all-units --quarter {quarter} -o DIR"
                       + (" --workers 2" if workers else "")}


def main(argv: list[str]) -> int:
    command, *rest = argv
    if command == "import":
        result = _child_import(*rest)
    elif command == "report-one":
        result = _child_report_one(*rest)
    else:
        print(f"unknown command {command}", file=sys.stderr)
        return 2
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
