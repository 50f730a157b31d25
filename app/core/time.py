"""Time helpers: UTC storage, Vietnam time for display."""

from datetime import UTC, date, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "ICT")


def now_utc() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def today_vn() -> date:
    """Today's date in Vietnam."""
    return now_utc().astimezone(VN_TZ).date()


def to_vn(moment: datetime | None) -> datetime | None:
    """Convert an instant to Vietnam time (naive values are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ)
