"""Install the default Decision 766 catalog (groups, indicators, first rule version) in every database.

Revision ID: 0002
Revises: 0001
"""

from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERSION_NAME = "Quyết định 766/QĐ-TTg (áp dụng từ 01/8/2022)"


def _levels(levels):
    levels = list(levels or ("province", "department", "commune"))
    if "commune" in levels and "district" not in levels:
        levels.insert(levels.index("commune"), "district")
    return ",".join(levels)


def upgrade():
    # The data module is plain Python (no models), so this revision stays valid as the models change.
    from app.indicators import catalog_data

    bind = op.get_bind()
    meta = sa.MetaData()
    groups = sa.Table("indicator_group", meta, autoload_with=bind)
    indicators = sa.Table("indicator", meta, autoload_with=bind)
    versions = sa.Table("catalog_version", meta, autoload_with=bind)
    rules = sa.Table("indicator_rule", meta, autoload_with=bind)
    if bind.execute(sa.select(sa.func.count()).select_from(groups)).scalar():
        return
    group_ids = {}
    for order, g in enumerate(catalog_data.GROUPS, 1):
        group_ids[g["code"]] = bind.execute(groups.insert().values(
            code=g["code"], name=g["name"], portal_group=g.get("portal_group"), sort_order=order,
        ).returning(groups.c.id)).scalar_one()
    version_id = bind.execute(versions.insert().values(
        name=VERSION_NAME, effective_from=date(2022, 8, 1), created_at=datetime.now(timezone.utc),
        note="Danh mục mặc định theo Quyết định 766/QĐ-TTg và cách chấm của Cổng DVCQG.",
    ).returning(versions.c.id)).scalar_one()
    for order, i in enumerate(catalog_data.INDICATORS, 1):
        ind_id = bind.execute(indicators.insert().values(
            group_id=group_ids[i["group"]], number=i.get("number"), code=i["code"], name=i["name"],
            portal_code=i.get("portal_code"), levels=_levels(i.get("levels")),
            value_source=i.get("value_source", "portal"), direction="up", definition=i.get("note") or "",
            sort_order=order, is_active=True,
        ).returning(indicators.c.id)).scalar_one()
        bind.execute(rules.insert().values(
            version_id=version_id, indicator_id=ind_id, max_points=i["max_points"],
            threshold=i.get("threshold", 100), zero_denominator=i.get("zero_denominator", "zero"),
        ))


def downgrade():
    bind = op.get_bind()
    for table in ("indicator_rule", "catalog_version", "indicator", "indicator_group"):
        bind.execute(sa.text(f"DELETE FROM {table}"))
