"""Dossier pages: statistics per unit and period, lists behind each count, a dossier and who holds it, claims."""

from flask import Blueprint

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")
