"""bench_province.py's databases: one PostgreSQL database per data fraction, derived from a base URL, created when
missing, filled by the generator (tests/bench/province.py) or reused when its manifest matches; the `--demo`
fallback (a database holding `flask seed-demo` data); the machine's description for bench-results.json."""

from __future__ import annotations

import os
import platform
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.bench.bench_scores import Unreachable

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "ninhson766")


class MissingData(Exception):
    """--skip-generate and a database without a complete generated dataset."""


def normalise(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0].split("+", 1)[0] in ("postgres", "postgresql")


def label(fraction: float) -> str:
    """0.1 → "province10", 1.0 → "province100"."""
    return f"province{round(fraction * 100):d}"


def derived_url(base: str, fraction: float) -> str:
    url = make_url(normalise(base))
    return url.set(database=f"{url.database or 'postgres'}_{label(fraction)}").render_as_string(hide_password=False)


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def ensure_database(base: str, url: str) -> bool:
    """CREATE DATABASE for `url` through the base URL's connection (or the `postgres` database's, when the base
    database itself does not exist) unless it exists; True when created."""
    name = make_url(url).database
    problem = None
    for admin in (normalise(base), make_url(normalise(base)).set(database="postgres").render_as_string(False)):
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                    return False
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                return True
        except sa.exc.OperationalError as exc:
            problem = problem or exc
        finally:
            engine.dispose()
    raise Unreachable(str(getattr(problem, "orig", problem)).strip().splitlines()[0]) from problem


def _generator():
    try:
        from tests.bench import province
    except ImportError:
        return None
    return province


def generator_available() -> bool:
    return _generator() is not None


def prepare(base: str, fraction: float, *, seed: int, skip_generate: bool, progress=print) -> tuple[str, dict]:
    """The URL of this fraction's database and its manifest: reused when the stored manifest matches seed and
    fraction, else generated (unless skip_generate)."""
    province = _generator()
    if province is None:
        raise MissingData("tests/bench/province.py (the generator, branch bench-gen) is not here: merge it, or use "
                          "--demo on a database filled by `flask seed-demo`")
    url = derived_url(base, fraction)
    if ensure_database(base, url):
        progress(f"  created database {make_url(url).database}")
    stored = province.manifest(url)
    if stored and stored.get("seed") == seed and abs(float(stored.get("fraction", -1)) - fraction) < 1e-9:
        progress(f"  reusing {shown(url)} (seed {seed}, fraction {fraction:g}); migrating it to the newest schema")
        province.migrate(url)
        return url, stored
    if skip_generate:
        raise MissingData(f"{shown(url)} holds no complete dataset for seed {seed}, fraction {fraction:g} "
                          "(--skip-generate): run without it, or tests/bench/province.py")
    progress(f"  generating fraction {fraction:g} (seed {seed}) into {shown(url)} ...")
    # force: this database is the benchmark's own (<dbname>_provinceNN), whatever it holds is replaced
    return url, province.generate(url, fraction=fraction, seed=seed, progress=progress, force=True)


# ---------------------------------------------------------------------------------------------------------------
# --demo: a database with `flask seed-demo` data stands in for the generated province
# ---------------------------------------------------------------------------------------------------------------
def demo_manifest(app, *, now: datetime) -> dict:
    """A manifest shaped like the generator's, from the demo's accounts and units (seeding an empty database)."""
    from flask_migrate import upgrade

    from app.auth.models import User
    from app.demo.services import load_demo
    from app.extensions import db
    from app.org.models import Unit
    from app.scores.models import ScoreRecord

    with app.app_context():
        upgrade()
        if not db.session.scalar(sa.select(sa.func.count()).select_from(Unit)):
            load_demo(DEMO_PASSWORD, now=now, with_scores=True)
            db.session.commit()

        def unit_id(code: str) -> int | None:
            return db.session.scalar(sa.select(Unit.id).where(Unit.code == code))

        commune = db.session.scalar(sa.select(Unit.id).where(Unit.kind == "commune").order_by(Unit.code).limit(1))
        running = date(now.year, 3 * ((now.month - 1) // 3) + 1, 1)  # the last closed quarter's scores
        quarter = db.session.scalar(sa.select(sa.func.max(ScoreRecord.period_start)).where(
            ScoreRecord.period_kind == "quarter", ScoreRecord.period_start < running))
        users = {"officer": "yenntk", "chair": "hungdv", "admin": "admin"}
        missing = [u for u in users.values() if db.session.scalar(sa.select(User.id).where(User.username == u)) is None]
        units = {"province": unit_id("NS"), "commune": commune, "department": unit_id("NS.NV")}
        db.session.remove()
    if missing or quarter is None or units["province"] is None:
        raise MissingData(f"not a demo database (missing {missing or 'NS / quarterly scores'})")
    return {"seed": None, "fraction": 1.0, "demo": True, "password": DEMO_PASSWORD, "users": users, "units": units,
            "quarter": f"{quarter.year}Q{(quarter.month - 1) // 3 + 1}", "period_now": now.date().isoformat(),
            "counts": {}}


# ---------------------------------------------------------------------------------------------------------------
# Manifest helpers and the machine
# ---------------------------------------------------------------------------------------------------------------
def period_now(manifest: dict) -> datetime:
    """The generator's "today" as an aware datetime (10:00 in Vietnam = 03:00 UTC for a bare date)."""
    value = manifest["period_now"]
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(3, 0))
    else:
        text = str(value)
        moment = datetime.fromisoformat(text) if "T" in text or " " in text else \
            datetime.combine(date.fromisoformat(text), time(3, 0))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def machine(url: str) -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    ram_gb = None
    try:
        with open("/proc/meminfo") as fh:
            kb = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal"))
            ram_gb = round(kb / 2**20, 1)
    except (OSError, StopIteration, ValueError):
        pass
    engine = sa.create_engine(normalise(url))
    try:
        with engine.connect() as conn:
            pg = conn.scalar(sa.text("SHOW server_version"))
    except sa.exc.SQLAlchemyError:
        pg = None
    finally:
        engine.dispose()
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram_gb, "postgresql": pg, "python": platform.python_version(),
            "load_avg_at_start": list(os.getloadavg())}
