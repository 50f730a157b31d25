"""Registers the command groups on the app (`flask users ...`, `flask setup`, `flask units ...`, `flask seed-demo`, ...).

Every command registered here reads click's messages in Vietnamese and first checks that the database exists
and is migrated (app.core.cli); Flask's own `flask db`, `run`, `shell` and `routes` are left as they are.
"""

from flask import Flask

from app.core.cli import install_vietnamese_messages, prepare_command


def register(app: Flask) -> None:
    install_vietnamese_messages()  # before the commands are imported: click.Path translates when it is built

    from app.alerts.cli import alerts
    from app.auth.cli import users
    from app.backup.cli import backup, restore
    from app.demo.cli import seed_demo
    from app.dossiers.cli import dossiers
    from app.indicators.cli import catalog
    from app.org.cli import setup, units
    from app.reports.cli import reports
    from app.scheduler import scheduler
    from app.scores.cli import scores

    for command in (setup, units, users, seed_demo, catalog, scores, dossiers, alerts, scheduler, reports,
                    backup, restore):
        prepare_command(command)
        app.cli.add_command(command)
