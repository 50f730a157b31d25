"""Default rules as the portal scores: indicator 7 full at 50 % (was 98.8 %), metric indicators unscored at 0/0;
their scores re-scored; units may carry a provisional code

Revision ID: 0004
Revises: 0003
"""

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CENT = Decimal("0.01")
# (indicator code, column, value before, value after): applied only where a rule still holds the value before,
# so a rule an administrator changed keeps their value.
CHANGES = [("ONLINE_SUBMITTED", "threshold", Decimal("98.80"), Decimal("50.00"))] + [
    (code, "zero_denominator", "zero", "none") for code in (
        "PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL", "DOSSIER_SYNC", "ORIGINAL_RESULT_AVAILABLE",
        "SO_HOA_GIAY_TO_GIAI_QUYET", "REUSED_DIGITIZED_DATA", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
        "CITIZEN_DATA_CONNECTED_FORMALITY", "CITIZEN_DATA_CONNECTED_DOSSIER")]
NOTES = {"ONLINE_SUBMITTED": (
    "Ngưỡng đạt điểm tối đa chỉ biết là ≤ 98,8% (mọi tệp mẫu đều khớp với 98,8%).",
    "Đủ 6 điểm khi tỷ lệ nộp trực tuyến từ 50% (theo một nguồn công bố; mọi tệp mẫu của cổng đều khớp).")}


def _points(max_points, threshold, policy, numerator, denominator, ratio):
    """The catalog rule as it stood when this revision was written (frozen here, not imported from the app)."""
    if denominator is not None and denominator == 0:
        return {"full": Decimal(max_points).quantize(CENT), "none": None}.get(policy, Decimal("0.00"))
    if numerator is not None and denominator:
        share = Decimal(numerator) * 100 / Decimal(denominator)
    elif ratio is not None:
        share = Decimal(ratio)
    else:
        return None
    share = min(Decimal(1), max(Decimal(0), share) / Decimal(threshold))
    return (Decimal(max_points) * share).quantize(CENT, rounding=ROUND_HALF_UP)


def _apply(forward: bool):
    bind = op.get_bind()
    meta = sa.MetaData()
    indicator = sa.Table("indicator", meta, autoload_with=bind)
    rule = sa.Table("indicator_rule", meta, autoload_with=bind)
    version = sa.Table("catalog_version", meta, autoload_with=bind)
    record = sa.Table("score_record", meta, autoload_with=bind)
    ids = dict(bind.execute(sa.select(indicator.c.code, indicator.c.id)).all())
    touched = set()
    for code, column, before, after in CHANGES:
        old, new = (before, after) if forward else (after, before)
        if code in ids and bind.execute(rule.update().where(rule.c.indicator_id == ids[code], rule.c[column] == old)
                                        .values({column: new})).rowcount:
            touched.add(ids[code])
    for code, (before, after) in NOTES.items():
        old, new = (before, after) if forward else (after, before)
        if code in ids:
            bind.execute(indicator.update().where(indicator.c.id == ids[code], indicator.c.definition == old)
                         .values(definition=new))
    starts = [row.effective_from for row in bind.execute(sa.select(version.c.effective_from)
                                                         .order_by(version.c.effective_from))]
    for ind_id in touched:
        rules = {row.effective_from: row for row in bind.execute(
            sa.select(version.c.effective_from, rule.c.max_points, rule.c.threshold, rule.c.zero_denominator)
            .join(version, version.c.id == rule.c.version_id).where(rule.c.indicator_id == ind_id))}
        rows = bind.execute(sa.select(record.c.id, record.c.period_start, record.c.numerator, record.c.denominator,
                                      record.c.ratio, record.c.max_points, record.c.portal_points)
                            .where(record.c.indicator_id == ind_id)).all()
        for row in rows:
            in_force = [d for d in starts if d <= row.period_start] or starts[:1]
            r = rules.get(in_force[-1])
            if r is None:
                continue
            rule_points = _points(r.max_points, r.threshold, r.zero_denominator, row.numerator, row.denominator,
                                  row.ratio)
            portal = row.portal_points
            bind.execute(record.update().where(record.c.id == row.id).values(
                rule_points=rule_points, points=portal if portal is not None else rule_points,
                is_mismatch=portal is not None and rule_points is not None and abs(portal - rule_points) > CENT))


def upgrade():
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("is_code_provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
    _apply(forward=True)


def downgrade():
    _apply(forward=False)
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("is_code_provisional")
