"""Registers the command groups on the app (`flask users ...`, `flask seed-demo`, ...)."""

from flask import Flask


def register(app: Flask) -> None:
    from app.auth.cli import users
    from app.demo.cli import seed_demo
    from app.indicators.cli import catalog
    from app.scores.cli import scores

    for command in (users, seed_demo, catalog, scores):
        app.cli.add_command(command)
