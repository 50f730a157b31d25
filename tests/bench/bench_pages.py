"""Service time and SQL statements of the score-side pages on an existing, filled database (no targets asserted).

    .venv/bin/python tests/bench/bench_pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/gen_db
    .venv/bin/python tests/bench/bench_pages.py --database-url sqlite:////tmp/demo.db --repeat 20

The database is only read (plus the sign-in's own writes). With a generated province (tests/bench/province.py)
the accounts and units come from its manifest; otherwise the Ninh Sơn demo's accounts are used (`flask seed-demo`,
password DEMO_PASSWORD or ninhson766). Prints one English table: median / p95 of the Flask test client's service
time and SQL statements per request. The concurrent p95 target is measured by tests/bench/bench_province.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.bench.bench_scores import StatementCounter, make_app, table  # noqa: E402


def _plan(app, database_url: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """(password, [(username, [urls])]) from the generator's manifest, else from the demo."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.extensions import db
    from app.org.models import Unit

    manifest = None
    try:
        from tests.bench.province import manifest as read_manifest

        manifest = read_manifest(database_url)
    except ImportError:
        pass
    with app.app_context():
        if manifest:
            users, units = manifest["users"], manifest["units"]
            commune, department = units["commune"], units.get("department")
            password = manifest["password"]
            plan = [(users["officer"], ["/", f"/scores/units/{commune}", "/assignments/"]),
                    (users["chair"], ["/", "/scores/overview", f"/scores/units/{commune}",
                                      f"/scores/units/{department}", "/assignments/", "/dossiers/stats"])]
        else:
            ns = db.session.scalar(sa.select(Unit.id).where(Unit.code == "NS"))
            commune = db.session.scalar(sa.select(Unit.id).where(Unit.kind == "commune").order_by(Unit.id))
            if db.session.scalar(sa.select(User.id).where(User.username == "yenntk")) is None:
                raise SystemExit("neither a generator manifest nor the demo in this database")
            password = os.environ.get("DEMO_PASSWORD", "ninhson766")
            plan = [("yenntk", ["/", f"/scores/units/{ns}", "/assignments/"]),
                    ("hungdv", ["/", "/scores/overview", f"/scores/units/{ns}", f"/scores/units/{commune}",
                                "/assignments/", "/dossiers/stats"])]
        db.session.remove()
    return password, plan


def run(database_url: str, repeat: int) -> int:
    app = make_app(database_url)
    counter = StatementCounter()
    counter.attach(app)
    password, plan = _plan(app, database_url)
    rows, failed = [], 0
    for username, urls in plan:
        client = app.test_client()
        login = client.post("/login", data={"username": username, "password": password})
        if login.status_code != 302:
            print(f"login as {username} failed (HTTP {login.status_code})", file=sys.stderr)
            failed += 1
            continue
        for url in urls:
            times, cpu, statements, statuses = [], [], [], set()
            for i in range(repeat + 2):  # two warm-ups (the first fills per-process caches)
                counter.count = 0
                start, start_cpu = time.perf_counter(), time.process_time()
                resp = client.get(url)
                resp.get_data()
                took = (time.perf_counter() - start) * 1000
                took_cpu = (time.process_time() - start_cpu) * 1000
                statuses.add(resp.status_code)
                if i >= 2:
                    times.append(took)
                    cpu.append(took_cpu)
                    statements.append(counter.count)
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            failed += statuses != {200}
            rows.append([username, url, f"{statistics.median(times):.1f}", f"{p95:.1f}", f"{statistics.median(cpu):.1f}",
                         f"{min(statements)}-{max(statements)}", ",".join(map(str, sorted(statuses)))])
            print(f"  {username} {url}: median {statistics.median(times):.1f} ms", file=sys.stderr, flush=True)
    # "app CPU ms": this process's CPU time per request (Python: views, ORM, templates), which other load on the
    # machine barely changes; the wall times include the database's work and any wait for a core
    print(table(["user", "page", "median ms", "p95 ms", "app CPU ms", "SQL", "HTTP"], rows, right={2, 3, 4, 5}))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), required=False)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--at-period-now", action="store_true",
                        help="freeze the app's clock at the manifest's period_now (the running month then has "
                             "dossiers, so the projection and the pressure count real rows)")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or BENCH_DATABASE_URL) is required: a filled database")
    if args.at_period_now:
        _freeze_at_period_now(args.database_url)
    return run(args.database_url, args.repeat)


def _freeze_at_period_now(database_url: str) -> None:
    """The app reads the clock only through app.core.time.now_utc: this bench (an entry point) pins it."""
    from datetime import datetime

    import app.core.time as clock
    from tests.bench.province import manifest as read_manifest

    found = read_manifest(database_url)
    if not found:
        raise SystemExit("--at-period-now needs a generated province (no manifest in this database)")
    moment = datetime.fromisoformat(found["period_now"])
    clock.now_utc = lambda: moment
    print(f"clock frozen at {moment.isoformat()}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
