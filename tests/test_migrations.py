"""The schema comes only from Alembic: one head, upgrade from empty works, and models agree with it."""

import uuid

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
