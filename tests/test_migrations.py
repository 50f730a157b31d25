"""The schema comes only from Alembic: one head, upgrade from empty works, and models agree with it."""

import uuid
from decimal import Decimal

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.conftest import _postgres_url


def test_migrations_have_a_single_head(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == [], f"models differ from the migrations: {diff}"


def test_upgrade_from_empty_installs_catalog_and_downgrade_returns_to_empty(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        engine = None
    else:
        schema = f"m_{uuid.uuid4().hex[:10]}"
        base = database_url.split("?")[0]
        engine = sa.create_engine(_postgres_url(base, "public"))
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_url(base, schema)
    app = create_app(type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        with app.app_context():
            upgrade()
            inspector = sa.inspect(db.engine)
            assert {"unit", "user", "indicator", "indicator_rule", "plan", "assignment", "audit_entry"} <= set(
                inspector.get_table_names())
            count = db.session.execute(sa.text("SELECT count(*) FROM indicator")).scalar()
            assert count == 21  # 1..19, 16b and the province-level PUBLISH_ON_TIME
            upgrade()  # idempotent: already at head
            db.session.remove()
            downgrade(revision="base")
            remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert remaining == set()
            db.session.remove()
            db.engine.dispose()
    finally:
        if engine is not None:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


def test_0004_moves_the_default_rules_and_rescores_what_was_stored(database_url, tmp_path):
    """Indicator 7 stored at 98,8 % becomes full at 50 %; a metric 0/0 scored 0 becomes unscored; and back."""
    if database_url.startswith("sqlite"):
        url, engine, schema = f"sqlite:///{tmp_path / 'm4.db'}", None, None
    else:
        schema = f"m_{uuid.uuid4().hex[:10]}"
        base = database_url.split("?")[0]
        engine = sa.create_engine(_postgres_url(base, "public"))
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_url(base, schema)
    app = create_app(type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))

    def scalar(sql, **params):
        return db.session.execute(sa.text(sql), params).scalar()

    try:
        with app.app_context():
            upgrade(revision="0003")
            ids = dict(db.session.execute(sa.text("SELECT code, id FROM indicator")).all())
            db.session.execute(sa.text("INSERT INTO unit (id, code, name, kind, sort_order, is_active, created_at) "
                                       "VALUES (1, 'NS', 'UBND huyện Ninh Sơn', 'district', 0, true, :now)"),
                               {"now": "2026-11-01 00:00:00"})
            rows = [(1, "I:ONLINE_SUBMITTED", ids["ONLINE_SUBMITTED"], 60, 100, "60.00", "3.64"),
                    (2, "I:DOSSIER_SYNC", ids["DOSSIER_SYNC"], 0, 0, "0.00", "0.00")]
            for rid, key, ind, num, den, ratio, pts in rows:
                db.session.execute(sa.text(
                    "INSERT INTO score_record (id, unit_id, subject_key, indicator_id, period_kind, period_start, "
                    "period_end, formality_code, source, numerator, denominator, ratio, points, rule_points, "
                    "max_points, is_mismatch, note, created_at, updated_at) VALUES (:id, 1, :key, :ind, 'month', "
                    "'2026-09-01', '2026-09-30', '', 'manual', :num, :den, :ratio, :pts, :pts, "
                    ":max, false, '', :now, :now)"),
                    {"id": rid, "key": key, "ind": ind, "num": num, "den": den, "ratio": ratio, "pts": pts,
                     "max": "6.00", "now": "2026-11-01 00:00:00"})
            db.session.commit()
            db.session.remove()
            upgrade()
            assert Decimal(str(scalar("SELECT threshold FROM indicator_rule WHERE indicator_id = :i",
                                      i=ids["ONLINE_SUBMITTED"]))) == Decimal(50)
            assert Decimal(str(scalar("SELECT points FROM score_record WHERE id = 1"))) == Decimal("6.00")
            assert scalar("SELECT points FROM score_record WHERE id = 2") is None
            assert scalar("SELECT zero_denominator FROM indicator_rule WHERE indicator_id = :i",
                          i=ids["DOSSIER_SYNC"]) == "none"
            db.session.remove()
            downgrade(revision="0003")
            assert Decimal(str(scalar("SELECT points FROM score_record WHERE id = 1"))) == Decimal("3.64")
            assert Decimal(str(scalar("SELECT points FROM score_record WHERE id = 2"))) == Decimal("0.00")
            db.session.remove()
            db.engine.dispose()
    finally:
        if engine is not None:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()
