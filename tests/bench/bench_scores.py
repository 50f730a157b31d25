"""Speed and memory benchmark: portal-sample import, demo load, page renders, peak memory.

Run with `make bench`, or directly:

    .venv/bin/python tests/bench/bench_scores.py                      # fresh temporary SQLite file
    .venv/bin/python tests/bench/bench_scores.py --database-url postgresql://postgres@127.0.0.1:5432/test

A PostgreSQL URL (from --database-url or BENCH_DATABASE_URL) is used through a fresh schema that this script
creates and drops (`options=-csearch_path=...`, as tests/conftest.py does). Prints result tables, then every
target with PASS/FAIL; exits 1 when a target fails, 2 on bad arguments, 3 when PostgreSQL is unreachable.

This file is named bench_*.py on purpose: pytest never collects it. Timing targets live here, not in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "tests" / "fixtures" / "portal-samples"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # `config` lives at the repo root, outside the installed package

# ---------------------------------------------------------------------------------------------------------------
# Targets. Do not loosen one just to pass: a FAIL is a finding to report (or a reason to change the code).
# ---------------------------------------------------------------------------------------------------------------
TARGETS = {
    "import_rows_per_s": 2_000,  # min: score rows written per wall second, sample import (SQLite only)
    "noop_reimport_s": 15.0,  # max: importing the same samples again ("nothing new")
    "demo_load_s": 15.0,  # max: load_demo(password, with_scores=True) + commit
    "page_median_ms": 1_500.0,  # max: median of the timed requests of every page
    "page_statements": 150,  # max: SQL statements executed by one request of every page
    "peak_rss_mb": 1_500.0,  # max: ru_maxrss of this process at the end
}
REPEAT = 5  # timed requests per page, after one warm-up
DEMO_PASSWORD = "bench-password-766"


# ---------------------------------------------------------------------------------------------------------------
# Database: a fresh SQLite file or a fresh PostgreSQL schema, removed afterwards
# ---------------------------------------------------------------------------------------------------------------
class Unreachable(Exception):
    pass


def _postgres_url(base: str, schema: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if base.startswith(prefix):
            base = "postgresql+psycopg://" + base[len(prefix):]
    sep = "&" if "?" in base else "?"
    path = schema if schema == "public" else f"{schema},public"  # shared extensions (btree_gist) live in public
    return f"{base}{sep}options={quote(f'-csearch_path={path}')}"


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0].split("+", 1)[0] in ("postgres", "postgresql")


@contextlib.contextmanager
def fresh_database(base: str | None) -> Iterator[str]:
    """Yield the URL of an empty database; the SQLite file or the PostgreSQL schema is removed on exit."""
    if not base:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_postgres_url(base, "public"))
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            # btree_gist in public, so that dropping this schema never drops it from other schemas' tables
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
    except Exception as exc:
        admin.dispose()
        raise Unreachable(str(exc).splitlines()[0]) from exc
    try:
        yield _postgres_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(url: str):
    from app import create_app
    from config import TestConfig

    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    return create_app(config)


def migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def close(app) -> None:
    """Release every pooled connection (a PostgreSQL schema cannot be dropped while they hold locks)."""
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# ---------------------------------------------------------------------------------------------------------------
# Measuring helpers
# ---------------------------------------------------------------------------------------------------------------
class StatementCounter:
    """Counts SQL statements sent to the engine (before_cursor_execute)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args, **_kwargs) -> None:
        self.count += 1

    def attach(self, app) -> None:
        import sqlalchemy as sa

        from app.extensions import db

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self)


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Check:
    name: str
    value: float | None
    limit: float
    kind: str  # "min" or "max"
    unit: str
    applies: bool = True
    note: str = ""

    @property
    def verdict(self) -> str:
        if not self.applies:
            return "INFO"
        if self.value is None:
            return "FAIL"
        return "PASS" if (self.value >= self.limit if self.kind == "min" else self.value <= self.limit) else "FAIL"


@dataclass
class Bench:
    backend: str
    phases: list[tuple[str, str, str]] = field(default_factory=list)  # (measure, value, note)
    memory: list[tuple[str, str]] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def phase(self, measure: str, value: str, note: str = "") -> None:
        self.phases.append((measure, value, note))
        print(f"  {measure}: {value}{'  (' + note + ')' if note else ''}", flush=True)

    def mark_memory(self, after: str) -> None:
        self.memory.append((after, f"{rss_mb():,.0f} MB"))


def table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    right = right or set()
    widths = [max(len(str(x)) for x in [h, *(r[i] for r in rows)]) for i, h in enumerate(headers)]

    def line(cells) -> str:
        padded = (str(c).rjust(w) if i in right else str(c).ljust(w)
                  for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def fmt_s(seconds: float) -> str:
    return f"{seconds:,.2f} s"


# ---------------------------------------------------------------------------------------------------------------
# Phases
# ---------------------------------------------------------------------------------------------------------------
def phase_import(app, bench: Bench, counter: StatementCounter) -> None:
    import sqlalchemy as sa

    from app.extensions import db
    from app.scores.importer import import_files, read_paths
    from app.scores.models import ScoreRecord

    print("1. Sample import", flush=True)
    files = read_paths([str(SAMPLES)])
    size = sum(len(f.content) for f in files)
    bench.phase("portal sample files", f"{len(files)} files, {size / 2**20:,.1f} MB", str(SAMPLES))
    with app.app_context():
        counter.count = 0
        start = time.perf_counter()
        dry = import_files(files, create_units=True, dry_run=True)
        db.session.rollback()  # as the entry points do: a dry run writes, then rolls back
        took = time.perf_counter() - start
        bench.phase("dry run on the empty database", fmt_s(took),
                    f"{dry.total('new'):,} rows would be new, {counter.count:,} SQL statements")
        db.session.remove()

        counter.count = 0
        start = time.perf_counter()
        report = import_files(files, create_units=True)
        db.session.commit()
        took = time.perf_counter() - start
        written = report.total("new") + report.total("changed")
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(ScoreRecord))
        if not report.ok:
            bad = sum(1 for f in report.files if f.errors)
            bench.errors.append(f"sample import reported errors in {bad} files: nothing was written")
        rate = written / took if took else 0.0
        bench.phase("import (create units)", fmt_s(took),
                    f"{written:,} rows written ({stored:,} stored), {len(report.created_units)} units created, "
                    f"{counter.count:,} SQL statements")
        bench.phase("import throughput", f"{rate:,.0f} rows/s")
        bench.checks.append(Check("sample import throughput", rate, TARGETS["import_rows_per_s"], "min", "rows/s",
                                  applies=bench.backend == "sqlite",
                                  note="" if bench.backend == "sqlite" else "target is defined for SQLite"))
        db.session.remove()

        counter.count = 0
        start = time.perf_counter()
        again = import_files(files, create_units=True)
        db.session.commit()
        took = time.perf_counter() - start
        if not again.nothing_new:
            bench.errors.append("re-importing the samples was not a no-op")
        bench.phase("re-import (no-op)", fmt_s(took),
                    f"nothing new: {again.nothing_new}, {counter.count:,} SQL statements")
        bench.checks.append(Check("no-op re-import", took, TARGETS["noop_reimport_s"], "max", "s"))
        db.session.remove()

        counter.count = 0
        start = time.perf_counter()
        dry = import_files(files, create_units=True, dry_run=True)
        db.session.rollback()
        took = time.perf_counter() - start
        bench.phase("dry run after the import", fmt_s(took),
                    f"nothing new: {dry.nothing_new}, {counter.count:,} SQL statements")
        db.session.remove()
    bench.mark_memory("1. sample import (3 imports + 2 dry runs)")


def phase_tracemalloc(base_url: str | None, bench: Bench) -> None:
    """The same import under tracemalloc, in its own fresh database (tracemalloc slows it down ~4x, so the timed
    import above runs without it)."""
    from app.scores.importer import import_files, read_paths

    with fresh_database(base_url) as url:
        app = make_app(url)
        try:
            migrate(app)
            files = read_paths([str(SAMPLES)])
            with app.app_context():
                tracemalloc.start()
                try:
                    start = time.perf_counter()
                    import_files(files, create_units=True)
                    from app.extensions import db

                    db.session.commit()
                    took = time.perf_counter() - start
                    _current, peak = tracemalloc.get_traced_memory()
                finally:
                    tracemalloc.stop()
        finally:
            close(app)
    bench.phase("tracemalloc peak during the import", f"{peak / 2**20:,.1f} MB",
                f"separate fresh database; {took:,.1f} s with tracing on")
    bench.memory.append(("   tracemalloc peak, sample import (Python heap)", f"{peak / 2**20:,.1f} MB"))
    bench.mark_memory("1b. import under tracemalloc")


def phase_demo(app, bench: Bench, counter: StatementCounter) -> None:
    from app.core.time import now_utc
    from app.demo.services import load_demo
    from app.extensions import db

    print("2. Demo load", flush=True)
    with app.app_context():
        counter.count = 0
        start = time.perf_counter()
        counts = load_demo(DEMO_PASSWORD, now=now_utc(), with_scores=True)
        db.session.commit()
        took = time.perf_counter() - start
        db.session.remove()
    bench.phase("load_demo(with_scores=True)", fmt_s(took),
                f"{counts['scores']:,} score rows, {counts['units']} units, {counts['users']} users, "
                f"{counts['assignments']} assignments, {counter.count:,} SQL statements")
    if not counts["scores"]:
        bench.errors.append("the demo loaded no scores")
    bench.checks.append(Check("demo load", took, TARGETS["demo_load_s"], "max", "s"))
    bench.mark_memory("2. demo load")


def page_plan(app) -> list[tuple[str, list[str]]]:
    import sqlalchemy as sa

    from app.auth.models import User
    from app.extensions import db
    from app.indicators.models import Indicator
    from app.org.models import Unit

    with app.app_context():
        ns = db.session.scalar(sa.select(Unit.id).where(Unit.code == "NS"))
        yen = db.session.scalar(sa.select(User.id).where(User.username == "yenntk"))
        ind4 = db.session.scalar(sa.select(Indicator.id).where(Indicator.number == "4"))
        db.session.remove()
    if None in (ns, yen, ind4):
        raise RuntimeError(f"demo ids not found: NS={ns}, yenntk={yen}, indicator 4={ind4}")
    return [
        ("yenntk", ["/", f"/scores/owners/{yen}", f"/scores/units/{ns}"]),
        ("hungdv", ["/scores/overview", f"/scores/ranks/{ns}", "/assignments/", f"/indicators/{ind4}"]),
        ("admin", [f"/scores/units/{ns}?format=xlsx"]),
    ]


def phase_pages(app, bench: Bench, counter: StatementCounter, repeat: int) -> None:
    print(f"3. Pages (1 warm-up + {repeat} timed requests each, signed in through the test client)", flush=True)
    for username, urls in page_plan(app):
        client = app.test_client()  # requests run outside any app context, like production: a fresh session each
        login = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        if login.status_code != 302:
            bench.errors.append(f"login as {username} failed (HTTP {login.status_code})")
            continue
        for url in urls:
            times, statements, statuses, size = [], [], set(), 0
            for i in range(repeat + 1):
                counter.count = 0
                start = time.perf_counter()
                resp = client.get(url)
                body = resp.get_data()
                took = (time.perf_counter() - start) * 1000
                statuses.add(resp.status_code)
                size = len(body)
                if i:  # the first request is the warm-up
                    times.append(took)
                    statements.append(counter.count)
            row = {"user": username, "url": url, "median": statistics.median(times), "max": max(times),
                   "min_sql": min(statements), "sql": max(statements), "kb": size / 1024,
                   "status": ",".join(str(s) for s in sorted(statuses)),
                   "type": "xlsx" if "spreadsheetml" in resp.mimetype else resp.mimetype.split("/")[-1]}
            bench.pages.append(row)
            print(f"  {username:<7} {url:<32} median {row['median']:8,.0f} ms  max {row['max']:8,.0f} ms  "
                  f"{row['sql']:5,} SQL  HTTP {row['status']}", flush=True)
            label = f"{username} {url}"
            if statuses != {200}:
                bench.errors.append(f"{label} answered HTTP {row['status']}")
            elif "format=xlsx" in url and (row["type"] != "xlsx" or not body.startswith(b"PK")):
                bench.errors.append(f"{label} did not return an XLSX workbook ({resp.mimetype})")
            bench.checks.append(Check(f"page median  {label}", row["median"], TARGETS["page_median_ms"], "max", "ms"))
            bench.checks.append(Check(f"statements   {label}", row["sql"], TARGETS["page_statements"], "max",
                                      "statements"))
    bench.mark_memory("3. page renders")


# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
def report(bench: Bench, label: str) -> int:
    print()
    print(f"== Benchmark results: {label}")
    print()
    print(table(["Measure", "Value", "Detail"], [list(p) for p in bench.phases], right={1}))
    print()
    rows = [[p["user"], p["url"], f"{p['median']:,.0f} ms", f"{p['max']:,.0f} ms",
             str(p["sql"]) if p["sql"] == p["min_sql"] else f"{p['min_sql']}-{p['sql']}", f"{p['kb']:,.0f} KB",
             p["type"], p["status"]] for p in bench.pages]
    print(table(["User", "Page", "Median", "Max", "SQL/request", "Size", "Type", "HTTP"], rows, right={2, 3, 4, 5}))
    if bench.pages:
        slow = sorted(bench.pages, key=lambda p: -p["median"])[:3]
        print()
        print("Slowest pages: " + "; ".join(f"{p['url']} ({p['user']}) {p['median']:,.0f} ms, {p['sql']} SQL"
                                           for p in slow))
    print()
    bench.checks.append(Check("peak RSS", rss_mb(), TARGETS["peak_rss_mb"], "max", "MB"))
    print(table(["Peak memory after phase", "ru_maxrss"], [list(m) for m in bench.memory], right={1}))
    print()
    rows = []
    for c in bench.checks:
        value = "—" if c.value is None else f"{c.value:,.0f}" if c.unit != "s" else f"{c.value:,.2f}"
        limit = f"{c.limit:,.0f}" if c.unit != "s" else f"{c.limit:,.2f}"
        rows.append([c.verdict, c.name, f"{value} {c.unit}", f"{'>=' if c.kind == 'min' else '<='} {limit} {c.unit}",
                     c.note])
    for e in bench.errors:
        rows.append(["FAIL", e, "", "", "functional error"])
    print(table(["Result", "Target", "Measured", "Limit", "Note"], rows, right={2}))
    failed = sum(1 for c in bench.checks if c.verdict == "FAIL") + len(bench.errors)
    print()
    print(f"{label}: {'FAIL' if failed else 'PASS'} — {failed} of {len(bench.checks) + len(bench.errors)} "
          f"targets failed")
    return 1 if failed else 0


def run(base_url: str | None, repeat: int, with_tracemalloc: bool) -> int:
    backend = "postgresql" if base_url else "sqlite"
    bench = Bench(backend)
    with fresh_database(base_url) as url:
        shown = f"{base_url}, fresh schema" if base_url else url
        print(f"== Benchmark on {backend}: {shown}", flush=True)
        app = make_app(url)
        try:
            counter = StatementCounter()
            migrate(app)
            counter.attach(app)
            bench.mark_memory("0. app created and migrated")
            phase_import(app, bench, counter)
            if with_tracemalloc:
                phase_tracemalloc(base_url, bench)
            phase_demo(app, bench, counter)
            phase_pages(app, bench, counter, repeat)
        finally:
            close(app)
    return report(bench, f"{backend} ({shown})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL URL to benchmark in a fresh schema (default: BENCH_DATABASE_URL, else a "
                             "fresh temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=REPEAT, help=f"timed requests per page (default {REPEAT})")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the extra import under tracemalloc (saves about a minute)")
    args = parser.parse_args(argv)
    if args.database_url and not is_postgres(args.database_url):
        parser.error("--database-url must be a PostgreSQL URL; omit it for a fresh temporary SQLite file")
    if not SAMPLES.is_dir():
        parser.error(f"portal samples not found: {SAMPLES}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        return run(args.database_url, args.repeat, not args.no_tracemalloc)
    except Unreachable as exc:
        print(f"PostgreSQL is unreachable at {args.database_url}: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
