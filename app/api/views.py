"""JSON API for other systems (`/api/v1`): token-authenticated, CSRF-exempt (no cookie is ever accepted here)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
