"""Fixtures of the API tests: quarter scores of the sample units."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.org.services import find_unit_by_code

# The sample units: the district, two of its communes and the sibling district (its peer in the ranking).
SAMPLE = ("NS", "NS.TANSON", "NS.MANOI", "NT.BA")


@pytest.fixture
def quarters(demo, db):
    """Quarter scores of the sample units for 2026-Q2 and 2026-Q3, each unit at its own level; NS's indicator 4
    falls to 40 % in Q3 (red)."""
    from app.indicators.models import Indicator
    from app.scores.periods import quarter_period
    from app.scores.services import ScoreInput, upsert

    indicators = db.session.scalars(sa.select(Indicator)).all()
    items = []
    for n, code in enumerate(SAMPLE):
        unit = find_unit_by_code(code)
        for quarter in (2, 3):
            for ind in indicators:
                num = 100 - 7 * n
                if code == "NS" and ind.code == "PROGRESS_ON_TIME" and quarter == 3:
                    num = 40
                items.append(ScoreInput(unit=unit, period=quarter_period(2026, quarter), source="portal",
                                        indicator=ind, group=ind.group, numerator=Decimal(num),
                                        denominator=Decimal(100)))
    upsert(items, None)
    db.session.commit()
