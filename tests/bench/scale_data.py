"""Bulk dossiers for the scale benchmark (PostgreSQL only): N deterministic dossiers over the 12 months before
NOW, written by INSERT … SELECT generate_series inside the server (no client round trip), in chunks with progress.

    .venv/bin/python tests/bench/scale_data.py --database-url postgresql+psycopg://postgres@127.0.0.1/scale_db \\
        --dossiers 10000000

The database must be migrated and hold the demo (`flask seed-demo`): its units and officers handle the dossiers;
units are added under the province until there are 170 (20 departments + 150 communes, as issue 16's province).
About 1 % of the dossiers are open (most received in the last 20 days), about 7 % of the closed ones ended late.
The stand-in for tests/bench/province.py (branch bench-gen) until that generator is merged.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
UNITS = 170
CHUNK = 1_000_000

# r1, r2, r3: three deterministic pseudo-random fractions of the row number g (multiplicative hashing)
_ROWS = """
WITH u AS (SELECT array_agg(id ORDER BY id) AS ids FROM unit WHERE kind IN ('commune', 'department', 'ward', 'town')),
     o AS (SELECT array_agg(id ORDER BY id) AS ids FROM "user" WHERE role = 'officer'),
     s AS (SELECT g, ((g * 2654435761) % 4294967296) / 4294967296.0 AS r1,
                     ((g * 2246822519) % 4294967296) / 4294967296.0 AS r2,
                     ((g * 3266489917) % 4294967296) / 4294967296.0 AS r3,
                     :now - (:n - g) * (interval '365 days' / :n) - interval '1 minute' AS rec
           FROM generate_series(:lo, :hi) AS g),
     t AS (SELECT s.*, 1 + floor(r1 * 15)::int AS days,
                  (rec > :now - interval '20 days' AND r2 < 0.18) OR r2 < 0.0005 AS open FROM s)
INSERT INTO dossier (source, code, procedure_code, procedure_name, handling_unit_id, receiving_unit_id,
                     handling_officer_id, channel, received_at, due_at, finished_at, returned_at, ended_at, status,
                     is_open, supplement_count, created_at, updated_at)
SELECT 'mot-cua', 'G' || lpad(g::text, 10, '0'), '1.' || lpad((g % 400)::text, 6, '0'),
       'Thủ tục ' || (g % 400), u.ids[1 + (g * 7) % cardinality(u.ids)], u.ids[1 + (g * 7) % cardinality(u.ids)],
       o.ids[1 + (g * 13) % cardinality(o.ids)], 1 + g % 3, rec, rec + days * interval '1 day',
       CASE WHEN NOT open THEN least(rec + days * (0.3 + r3 * 0.75) * interval '1 day', :now) END,
       CASE WHEN NOT open AND r2 < 0.90 THEN least(rec + days * (0.3 + r3 * 0.75) * interval '1 day', :now) END,
       CASE WHEN NOT open THEN least(rec + days * (0.3 + r3 * 0.75) * interval '1 day', :now) END,
       CASE WHEN open THEN (CASE WHEN r3 < 0.1 THEN 'supplement' ELSE 'processing' END)
            WHEN r2 < 0.90 THEN 'returned' WHEN r2 < 0.95 THEN 'done' WHEN r2 < 0.98 THEN 'rejected'
            ELSE 'withdrawn' END,
       open, CASE WHEN r1 > 0.995 THEN 2 WHEN r1 > 0.9 THEN 1 ELSE 0 END, :now, :now
FROM t, u, o
"""


def ensure_units(conn, progress=print) -> int:
    """Add communes under the province until the tree has UNITS units below it (idempotent)."""
    province = conn.execute(sa.text("SELECT id FROM unit WHERE parent_id IS NULL ORDER BY id LIMIT 1")).scalar_one()
    have = conn.execute(sa.text("SELECT count(*) FROM unit WHERE kind IN ('commune', 'department', 'ward', 'town')")
                        ).scalar_one()
    for i in range(have, UNITS):
        conn.execute(sa.text("INSERT INTO unit (code, name, kind, parent_id, is_code_provisional, sort_order, "
                             "is_active, created_at) VALUES (:c, :n, 'commune', :p, false, :i, true, :now)"),
                     {"c": f"BX.S{i:03d}", "n": f"Xã thử {i:03d}", "p": province, "i": 1000 + i, "now": NOW})
    progress(f"units: {max(have, UNITS)} (added {max(0, UNITS - have)})")
    return province


def load(url: str, dossiers: int, progress=print) -> float:
    """Insert `dossiers` dossiers (codes G0000000001…) in chunks; returns the seconds taken."""
    engine = sa.create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        ensure_units(conn, progress)
        # plain indexes are rebuilt once at the end (a sort), not maintained row by row (keys stay: pk, unique)
        indexes = conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dossier' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'dossier'::regclass)")).all()
        for name, _definition in indexes:
            conn.execute(sa.text(f'DROP INDEX "{name}"'))
    for lo in range(1, dossiers + 1, CHUNK):
        hi = min(dossiers, lo + CHUNK - 1)
        with engine.begin() as conn:
            conn.execute(sa.text(_ROWS), {"lo": lo, "hi": hi, "n": dossiers, "now": NOW})
        progress(f"dossiers {hi:,}/{dossiers:,}  {time.perf_counter() - started:.0f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for _name, definition in indexes:
            conn.execute(sa.text(definition))
        progress(f"indexes rebuilt  {time.perf_counter() - started:.0f} s")
        conn.execute(sa.text("VACUUM ANALYZE dossier"))
    engine.dispose()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--dossiers", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    seconds = load(args.database_url, args.dossiers)
    print(f"loaded {args.dossiers:,} dossiers in {seconds:.0f} s ({args.dossiers / seconds:,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
