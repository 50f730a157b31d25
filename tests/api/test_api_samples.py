"""Every unit of the portal samples: the API's scorecard is the scorecard page's, figure for figure.

The 33 captures of one province are imported as they are (164 units made), then for every unit
`GET /api/v1/units/<id>/scorecard?period=2026-Q3` is compared with the page's service: published total, maximum,
previous total, rank and peers, and every group's published total (each comparison costs two scorecards with their
peers' ranks, ~0.3 s: the month and the year would triple the suite's longest file). The running year 2026 is not
closed on 15/11/2026: the API refuses it (422), the page shows it as running.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.api import personal
from app.org.models import Unit
from app.scores.importer import read_paths
from app.scores.pages import scorecard_page
from app.scores.periods import parse_period
from tests.conftest import DEMO_NOW, SAMPLES
from tests.scores.conftest import run_import

PERIOD = "2026-Q3"


def _number(value):
    return None if value is None else float(value)


def test_every_sample_unit_answers_the_scorecard_page_figures(app, db, make_user, client, clock):
    report = run_import(read_paths([str(SAMPLES)]), create_units=True)
    assert report.ok and len(report.created_units) == 164
    root = db.session.scalar(sa.select(Unit).where(Unit.parent_id.is_(None)))
    operator = make_user("vanhanh", root, role="admin")  # the province's operator sees every sample unit
    _, token = personal.issue(operator, name="So sánh mẫu", expires_at=DEMO_NOW + timedelta(days=30), now=DEMO_NOW)
    db.session.commit()
    app.config["API_RATE_LIMIT"] = 100_000  # ~500 requests in a minute: this test is about figures, not the limit
    headers = {"Authorization": f"Bearer {token}"}

    compared, differences = 0, []
    units = db.session.scalars(sa.select(Unit).order_by(Unit.id)).all()
    for code in (PERIOD,):
        period = parse_period(code)
        for unit in units:
            page = scorecard_page(unit, period.kind, period, with_details=False)
            response = client.get(f"/api/v1/units/{unit.id}/scorecard?period={code}", headers=headers)
            if page.card is None or page.card.total is None:
                assert response.status_code == 404, (unit.code, code, response.get_data(as_text=True))
                continue
            assert response.status_code == 200, (unit.code, code, response.get_data(as_text=True))
            body = response.get_json()
            api = (body["total"], body["max_points"], body["previous_total"],
                   body["rank"]["rank"] if body["rank"] else None, body["rank"]["of"] if body["rank"] else None,
                   {g["code"]: g["points"] for g in body["groups"]})
            shown = (_number(page.card.total), _number(page.card.max_points), _number(page.card.previous_total),
                     page.rank.rank if page.rank else None, page.rank.of if page.rank else None,
                     {g.group.code: _number(g.points) for g in page.card.groups})
            compared += 1
            if api != shown:
                differences.append((unit.code, code, api, shown))
    assert differences == []
    assert compared == 164  # every sample unit has published figures for the quarter
    running = client.get(f"/api/v1/units/{root.id}/scorecard?period=2026", headers=headers)
    assert running.status_code == 422 and running.get_json()["type"] == "urn:chiso766:problem:ky-chua-ket-thuc"
