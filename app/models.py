"""Import every model module so that metadata is complete (used by the factory and Alembic)."""

from app.assignments.models import Assignment, Plan  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.auth.models import User  # noqa: F401
from app.indicators.models import CatalogVersion, Indicator, IndicatorGroup, IndicatorRule  # noqa: F401
from app.org.models import Unit  # noqa: F401
