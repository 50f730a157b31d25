"""Alert jobs: plain functions of `now` that commit once; the scheduler runs them, tests call them directly."""

from __future__ import annotations

from datetime import datetime

from app.extensions import db


def scan_alerts(*, now: datetime) -> dict[str, int]:
    """Dossier alerts and red indicators, then the e-mails that must go at once; one commit for the scan."""
    from app.dossiers.scan import scan_dossiers
    from app.scores.accountability import scan_red

    dossiers = scan_dossiers(now=now)
    red = scan_red(now=now)
    db.session.commit()
    sent = send_emails(now=now)
    return {**dossiers.created, "indicator": red, "resolved": dossiers.resolved, "emailed": sent}


def send_emails(*, now: datetime) -> int:
    """Escalations (and everything, for users who want it at once) by e-mail; commits what was marked sent."""
    from app.alerts.email import send_immediate

    sent = send_immediate(now=now)
    db.session.commit()
    return sent


def daily_digest(*, now: datetime) -> int:
    """The 07:30 digest of each user's open alerts not e-mailed yet."""
    from app.alerts.email import send_daily_digest

    sent = send_daily_digest(now=now)
    db.session.commit()
    return sent
