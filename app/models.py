"""Import every model module so that metadata is complete (used by the factory and Alembic)."""

from app.alerts.models import Alert  # noqa: F401,E402
from app.api.models import ApiRateCounter, ApiToken, UserToken  # noqa: F401
from app.assignments.models import Assignment, Plan  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.auth.models import User  # noqa: F401
from app.dossiers.models import Dossier, DossierClaim, DossierDataVersion, DossierStatsCache  # noqa: F401
from app.indicators.models import CatalogVersion, Indicator, IndicatorGroup, IndicatorRule  # noqa: F401
from app.main.models import Heartbeat  # noqa: F401
from app.org.models import Unit  # noqa: F401
from app.public.models import PublicHit, UnitPublication  # noqa: F401
from app.reports.models import Document, DocumentComment  # noqa: F401,E402
from app.scores.models import Explanation, ImportBatch, ScoreRecord, ScoreRevision  # noqa: F401,E402
from app.workdays.models import CalendarDay  # noqa: F401
