"""The province benchmark's helpers (tests/bench/harness_*.py): what they compute, never how fast anything is."""

from __future__ import annotations

import csv
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.scores.periods import parse_period
from tests.bench import harness_db, harness_http
from tests.bench.bench_dossiers import write_csv
from tests.bench.bench_province import page_plan


@pytest.mark.parametrize(("values", "p", "expected"), [
    ([5.0], 95, 5.0),
    (list(range(1, 101)), 95, 95),
    (list(range(1, 101)), 50, 50),
    ([3, 1, 2], 100, 3),
    (list(range(1, 21)), 95, 19),  # nearest rank: ceil(0.95 × 20) = 19th
])
def test_percentile_is_nearest_rank(values, p, expected):
    assert harness_http.percentile(values, p) == expected


@pytest.mark.parametrize(("base", "fraction", "expected"), [
    ("postgresql+psycopg://postgres@127.0.0.1:5432/test", 0.1, "postgresql+psycopg://postgres@127.0.0.1:5432/test_province10"),
    ("postgresql://postgres@127.0.0.1:5432/test", 1.0, "postgresql+psycopg://postgres@127.0.0.1:5432/test_province100"),
    ("postgres://u:secret@db:5433/bench", 1.0, "postgresql+psycopg://u:secret@db:5433/bench_province100"),
])
def test_each_fraction_gets_its_own_database(base, fraction, expected):
    assert harness_db.derived_url(base, fraction) == expected


@pytest.mark.parametrize(("value", "iso"), [
    ("2026-11-15T03:00:00+00:00", "2026-11-15T03:00:00+00:00"),
    ("2026-11-15", "2026-11-15T03:00:00+00:00"),  # a bare date: 10:00 in Vietnam
])
def test_period_now_is_an_aware_instant(value, iso):
    assert harness_db.period_now({"period_now": value}).isoformat() == iso


def test_page_plan_asks_for_a_period_the_stats_page_understands():
    plan = page_plan({"units": {"commune": 7, "province": 1}, "quarter": "2026Q3"})
    stats = next(path for name, _who, path in plan if name == "dossier stats")
    period = stats.split("period=")[1]
    assert parse_period(period).label == "Quý III/2026"
    assert [who for _n, who, _p in plan] == ["officer", "chair", "chair", "chair", "chair"]
    assert "/scores/units/7" in [p for _n, _w, p in plan]


def test_import_csv_names_each_units_own_officers(tmp_path):
    path = tmp_path / "hoso.csv"
    officers = {"T.X01": ["a1", "a2"], "T.X02": ["b1"], "T.X03": []}
    write_csv(path, 300, units=["T.X01", "T.X02", "T.X03"], officers=officers)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 300
    for row in rows:
        assert row["CanBoXuLy"] in ("", *officers[row["MaDonViXuLy"]])
    assert {r["CanBoXuLy"] for r in rows if r["MaDonViXuLy"] == "T.X01"} == {"", "a1", "a2"}
    assert len({r["MaHoSo"] for r in rows}) == 300


def test_import_csv_default_is_unchanged(tmp_path):
    """bench_dossiers.py's own file stays the same: twelve communes, eight officers in turn."""
    path = tmp_path / "hoso.csv"
    write_csv(path, 24)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["MaDonViXuLy"] for r in rows[:3]] == ["BX.X01", "BX.X02", "BX.X03"]
    assert [r["CanBoXuLy"] for r in rows[:4]] == ["", "canbo02", "canbo03", ""]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802  (http.server's name)
        status = 500 if self.path == "/broken" else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture()
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield harness_http.Client("127.0.0.1", server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("path", "errors", "statuses"), [("/", 0, {"200": 30}), ("/broken", 30, {"500": 30})])
def test_load_counts_every_request_and_every_non_200(local_server, path, errors, statuses):
    row = harness_http.load(local_server, path, requests=30, concurrency=4, warmup=1)
    assert row["requests"] == 30
    assert row["errors"] == errors
    assert row["statuses"] == statuses
    assert not row["cut_short"]
    assert row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
