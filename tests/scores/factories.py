"""Helpers to make score records in tests."""

from decimal import Decimal

import sqlalchemy as sa

from app.indicators.models import Indicator
from app.org.services import find_unit_by_code
from app.scores.periods import month_period
from app.scores.services import ScoreInput, upsert


def put(unit_code: str, year: int, month: int, code: str, num, den, source="portal"):
    from app.extensions import db

    ind = db.session.scalar(sa.select(Indicator).where(Indicator.code == code))
    item = ScoreInput(unit=find_unit_by_code(unit_code), period=month_period(year, month), source=source,
                      indicator=ind, group=ind.group, numerator=Decimal(num), denominator=Decimal(den))
    return upsert([item], None)
