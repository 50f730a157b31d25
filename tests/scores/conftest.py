"""Score fixtures: a few months of hand-made records for the Ninh Sơn demo."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.indicators.models import Indicator
from app.org.services import find_unit_by_code
from app.scores.periods import month_period
from app.scores.services import ScoreInput, upsert

# (unit, month, indicator code) → (numerator, denominator); anything not listed gets a full score.
MONTHS = [(2024, 3), (2024, 4), (2024, 9), (2024, 10), (2026, 8), (2026, 9), (2026, 10)]


@pytest.fixture
def scored(demo, db):
    """NS and two communes, every indicator full except a few chosen values; NS's indicator 4 falls in 2026-10."""
    indicators = db.session.scalars(sa.select(Indicator)).all()
    progress = {(2024, 3): (90, 100), (2024, 4): (60, 100), (2024, 9): (70, 100), (2024, 10): (85, 100),
                (2026, 8): (95, 100), (2026, 9): (90, 100), (2026, 10): (40, 100)}
    items = []
    for unit_code, scale in (("NS", 1), ("NS.TANSON", 1), ("NS.MANOI", 2)):
        unit = find_unit_by_code(unit_code)
        for y, m in MONTHS:
            for ind in indicators:
                num, den = (100 // scale, 100)
                if unit_code == "NS" and ind.code == "PROGRESS_ON_TIME":
                    num, den = progress[(y, m)]
                items.append(ScoreInput(unit=unit, period=month_period(y, m), source="portal", indicator=ind,
                                        group=ind.group, numerator=Decimal(num), denominator=Decimal(den)))
    upsert(items, None)
    db.session.commit()
    return date(2026, 10, 1)


@pytest.fixture
def ninh_son(make_unit):
    """Just the units the bad files name (much cheaper than the whole demo): NT > NS > NS.LAMSON."""
    make_unit("NT", "UBND tỉnh Ninh Thuận", kind="province")
    make_unit("NS", "UBND huyện Ninh Sơn", kind="district", parent="NT")
    make_unit("NS.LAMSON", "UBND xã Lâm Sơn", kind="commune", parent="NS")


def run_import(files, **options):
    """Import as the entry points do: commit what was written, or roll back a dry run or a refused import."""
    from app.extensions import db
    from app.scores.importer import import_files

    report = import_files(files, **options)
    if report.ok and not options.get("dry_run"):
        db.session.commit()
    else:
        db.session.rollback()
    return report
