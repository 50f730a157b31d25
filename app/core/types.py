"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware instant, stored in UTC and read back as aware UTC on every database.

    PostgreSQL's timestamptz does this itself; SQLite keeps only the wall-clock digits it is given, so an instant
    given in Vietnam time would be stored 7 hours off. Naive values are taken as UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
