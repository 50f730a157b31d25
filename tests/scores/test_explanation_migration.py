"""Migration 0018: each stored explanation becomes version 1 of itself, awaiting review; downgrade keeps its text."""

import uuid

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.conftest import _postgres_url


def test_0018_moves_each_explanation_into_version_1_and_back(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        url, engine, schema = f"sqlite:///{tmp_path / 'm18.db'}", None, None
    else:
        schema = f"m_{uuid.uuid4().hex[:10]}"
        base = database_url.split("?")[0]
        engine = sa.create_engine(_postgres_url(base, "public"))
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_url(base, schema)
    app = create_app(type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))

    def rows(sql):
        return [tuple(r) for r in db.session.execute(sa.text(sql)).all()]

    try:
        with app.app_context():
            upgrade(revision="0017")
            now = {"now": "2026-11-15 03:00:00"}
            db.session.execute(sa.text("INSERT INTO unit (id, code, name, kind, sort_order, is_active, created_at) "
                                       "VALUES (1, 'NS', 'UBND huyện Ninh Sơn', 'district', 0, true, :now)"), now)
            db.session.execute(sa.text(
                "INSERT INTO \"user\" (id, username, full_name, title, unit_id, role, is_active, password_hash, "
                "created_at, alert_email) VALUES (7, 'yenntk', 'Nguyễn Thị Kim Yến', '', 1, 'officer', true, '', "
                ":now, 'digest')"), now)
            ind = db.session.execute(sa.text("SELECT id FROM indicator WHERE code = 'PROGRESS_ON_TIME'")).scalar()
            db.session.execute(sa.text(
                "INSERT INTO score_explanation (id, unit_id, indicator_id, period_kind, period_start, reason, remedy, "
                "due_on, author_id, created_at, updated_at, version) VALUES (3, 1, :ind, 'month', '2026-10-01', "
                "'Lỗi đồng bộ.', 'Đồng bộ lại.', '2026-12-15', 7, '2026-11-10 01:00:00', :now, 2)"),
                {"ind": ind, **now})
            db.session.commit()
            db.session.remove()
            upgrade(revision="0018")
            assert rows("SELECT state, reason FROM score_explanation") == [("submitted", "Lỗi đồng bộ.")]
            (version,) = rows("SELECT explanation_id, number, reason, remedy, author_id FROM score_explanation_version")
            assert version == (3, 1, "Lỗi đồng bộ.", "Đồng bộ lại.", 7)
            assert rows("SELECT count(*) FROM score_explanation_review") == [(0,)]
            db.session.remove()
            downgrade(revision="0017")
            assert rows("SELECT id, reason, remedy, author_id FROM score_explanation") == [
                (3, "Lỗi đồng bộ.", "Đồng bộ lại.", 7)]
            assert "score_explanation_version" not in sa.inspect(db.engine).get_table_names()
            db.session.remove()
            db.engine.dispose()
    finally:
        if engine is not None:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()
