"""The administrator's page of the working-day calendar (holidays from the `holidays` library, per-day overrides)."""

from flask import Blueprint

bp = Blueprint("workdays", __name__, url_prefix="/admin/calendar")
