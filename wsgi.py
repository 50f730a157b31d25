"""WSGI entry point: `flask` finds the app here; gunicorn serves `wsgi:app`."""

from app import create_app

app = create_app()
