"""Deterministic province-scale data for the benchmarks of issue 16 (not collected by pytest).

    .venv/bin/python tests/bench/province.py --database-url postgresql://postgres@127.0.0.1:5432/gen_db
        [--fraction 0.1] [--seed 766] [--force]

1 province, 20 departments, 150 communes; 3,000 accounts (one password for all, hashed once); the catalog of
migration 0002; one plan per unit assigning its indicators to its officers, with handovers; monthly portal scores
for the 48 months before `period_now` (plus the quarters and years they complete); 2,000,000 dossiers received over
the 12 months before `period_now`, about 7 % late and about 20,000 still open. `fraction` scales the dossiers and
the score months (ceil(48 × fraction), at most 48); units, accounts, catalog and assignments never change.

PostgreSQL is written with COPY (psycopg 3), everything else with batched inserts (SQLite: small fractions, for the
test). Everything is written in one transaction; the manifest (table `bench_dataset`, outside the app's models) is
written after it commits, so a database whose run stopped half-way holds no manifest. The pieces live in
tests/bench/province_data/. Python API: generate(url, fraction=, seed=, progress=, force=) and manifest(url).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
for _path in (str(REPO_ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)  # `config` lives at the repo root; the pieces beside this file

import sqlalchemy as sa  # noqa: E402
from province_data import dossiers, load, names, scores, world  # noqa: E402

PERIOD_NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)  # 15/11/2026 10:00 in Vietnam, the data's "now"
LAST_MONTH = date(2026, 10, 1)  # the last closed month before PERIOD_NOW
QUARTER = "2026Q3"  # the last closed quarter
SCORE_MONTHS = 48
SEED = 766


class NotEmpty(Exception):
    """The database already holds data and force was not given."""


def engine_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_app(url: str):
    from app import create_app
    from config import TestConfig

    return create_app(type("ProvinceConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": engine_url(url)}))


def score_months(fraction: float) -> int:
    return max(1, min(SCORE_MONTHS, math.ceil(SCORE_MONTHS * fraction - 1e-9)))


def _catalog(conn) -> tuple[list[dict], dict[str, int], dict]:
    from app.indicators.scoring import Rule, round2

    indicators = [dict(r._mapping) for r in conn.execute(sa.text(
        "SELECT i.id, i.code, g.code AS \"group\", i.levels FROM indicator i JOIN indicator_group g "
        "ON g.id = i.group_id WHERE i.is_active ORDER BY g.sort_order, i.sort_order, i.id"))]
    groups = dict(conn.execute(sa.text("SELECT code, id FROM indicator_group")).all())
    rules: dict = {}
    for start, ind, top, threshold, zero in conn.execute(sa.text(
            "SELECT v.effective_from, r.indicator_id, r.max_points, r.threshold, r.zero_denominator "
            "FROM indicator_rule r JOIN catalog_version v ON v.id = r.version_id")):
        start = start if isinstance(start, date) else date.fromisoformat(str(start))
        # as Decimal with 2 places whatever the driver gives (SQLite: float), so the rows are the same everywhere
        rules.setdefault(start, {})[ind] = Rule(round2(Decimal(str(top))), round2(Decimal(str(threshold))), zero)
    if not indicators or not rules:
        raise RuntimeError("The indicator catalog is missing (migration 0002 installs it).")
    return indicators, groups, rules


def migrate(database_url: str) -> None:
    """Bring a reused dataset's schema to the newest revision (new indexes, tables and triggers; the rows stay)."""
    from flask_migrate import upgrade

    from app.extensions import db

    app = make_app(database_url)
    with app.app_context():
        try:
            upgrade()
        finally:
            db.session.remove()
            db.engine.dispose()


def generate(database_url: str, *, fraction: float = 1.0, seed: int = SEED, progress: Callable[[str], None] = print,
             force: bool = False) -> dict:
    """Fill the database with the province dataset and return its manifest (also stored in `bench_dataset`).

    Migrates an empty database first. Refuses (NotEmpty) a database holding rows in the app's tables unless
    `force`, which empties them (the catalog stays).
    """
    if not fraction > 0:
        raise ValueError("fraction must be > 0")
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from app.extensions import db

    started = time.perf_counter()
    app = make_app(database_url)
    with app.app_context():
        try:
            progress("Migrations: bringing the schema to the newest revision")
            upgrade()  # a no-op at head; an older benchmark database gets the new indexes and tables first
            manifest = _fill(db, fraction=fraction, seed=seed, progress=progress, force=force,
                             password_hash=generate_password_hash(names.PASSWORD, method="scrypt"))
            manifest["seconds"] = round(time.perf_counter() - started, 1)
            with db.engine.begin() as conn:
                load.write_manifest(conn, manifest, datetime.now(UTC).isoformat(timespec="seconds"))
            progress(f"Done in {manifest['seconds']} s; manifest written to {load.MANIFEST_TABLE}.")
            return manifest
        finally:
            db.session.remove()
            db.engine.dispose()


def _fill(db, *, fraction: float, seed: int, progress, force: bool, password_hash: str) -> dict:
    from app.core.types import UTCDateTime

    metadata = db.metadata
    months = score_months(fraction)
    total = dossiers.scaled(fraction)
    with db.engine.begin() as conn:
        if not load.is_empty(conn, metadata):
            if not force:
                raise NotEmpty("The database already holds data; pass force=True (--force) to replace it.")
            progress("Emptying the app's tables (force)")
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")  # the index rebuilds after COPY
        load.clear_manifest(conn)
        load.empty(conn, metadata)
        indicators, groups, rules = _catalog(conn)
        people = world.build(seed, password_hash, indicators)
        picks = people.picks
        progress(f"Writing: seed {seed}, fraction {fraction}, {months} score months, {total:,} dossiers")
        writer = load.Writer(conn, metadata, progress)
        writer.write("unit", world.UNIT_COLUMNS, people.unit_rows)
        writer.write("user", world.USER_COLUMNS, people.user_rows, secret="password_hash")
        writer.write("plan", world.PLAN_COLUMNS, people.plan_rows)
        writer.write("assignment", world.ASSIGNMENT_COLUMNS, people.assignment_rows)
        writer.write("assignment_performer", world.PERFORMER_COLUMNS, people.performer_rows)
        admin = next(r[0] for r in people.user_rows if r[1] == "quantri")
        batches, records = scores.build(seed, LAST_MONTH, months, people.units, indicators, groups, rules, admin,
                                        red=(picks["units"]["commune"], "PROGRESS_ON_TIME"))
        writer.write("import_batch", scores.BATCH_COLUMNS, batches)
        writer.write("score_record", scores.RECORD_COLUMNS, records)
        writer.write("dossier", dossiers.COLUMNS, dossiers.generate(seed, PERIOD_NOW, total, people.units))
        load.set_sequences(conn, writer.counts)
        stats = conn.execute(sa.text(
            "SELECT count(*) FILTER (WHERE is_open), count(*) FILTER (WHERE is_open AND due_at < :now), "
            "count(*) FILTER (WHERE NOT is_open AND ended_at > due_at), count(*) FILTER (WHERE apology_at IS NOT "
            "NULL), count(*) FILTER (WHERE supplement_count > 0) FROM dossier").bindparams(
                sa.bindparam("now", PERIOD_NOW, type_=UTCDateTime()))).one()
    started = time.perf_counter()
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in writer.counts:
            conn.exec_driver_sql(f'ANALYZE "{table}"')
    progress(f"  ANALYZE {time.perf_counter() - started:.1f} s")
    first = scores.month_list(LAST_MONTH, months)[0]
    return {
        "seed": seed, "fraction": fraction, "counts": dict(writer.counts), "password": names.PASSWORD,
        "users": picks["users"], "units": picks["units"], "quarter": QUARTER,
        "period_now": PERIOD_NOW.isoformat(), "today": "2026-11-15",
        "score_months": {"count": months, "first": f"{first[0]}-{first[1]:02d}", "last": LAST_MONTH.strftime("%Y-%m")},
        "dossiers": {"open": stats[0], "open_overdue": stats[1], "closed_late": stats[2], "with_apology": stats[3],
                     "with_supplement": stats[4]},
        "digest": writer.digest.hexdigest(),
        "rows_per_s": {t: round(writer.counts[t] / s) if s else None for t, s in writer.timings.items()},
    }


def manifest(database_url: str) -> dict | None:
    """The stored manifest when this database holds a complete generated dataset, else None."""
    engine = sa.create_engine(engine_url(database_url))
    try:
        with engine.connect() as conn:
            return load.read_manifest(conn)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    import json
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="target database (default: $BENCH_DATABASE_URL)")
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="empty the app's tables of a non-empty database first")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or BENCH_DATABASE_URL) is required")
    try:
        result = generate(args.database_url, fraction=args.fraction, seed=args.seed, force=args.force)
    except NotEmpty as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
