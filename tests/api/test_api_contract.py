"""Contract tests: schemathesis generates requests for every operation of /api/v1/openapi.json and runs them against
the live test app (in-process WSGI) with the personal tokens of an officer, a chair and a chair of the sibling
district. No response may break the document, none may be a 500, and none of the sibling's may name a unit of the
other tree."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api import personal
from app.auth.services import create_user, find_user
from app.org.services import descendant_ids, find_unit_by_code
from tests.conftest import DEMO_NOW

MAX_EXAMPLES = 12  # per operation and token: the whole run stays well under a minute
UNIT_KEYS = ("unit_id", "parent_id", "issuing_unit_id", "responsible_unit_id", "team_unit_id")


def _unit_ids(value, *, path: str = ""):
    """Every unit id a JSON answer names (the rows of a peer ranking excepted: peers' totals are public, as on the
    ranks page)."""
    if isinstance(value, dict):
        if path.endswith("/ranks"):
            value = {k: v for k, v in value.items() if k != "rows"}
        for key, item in value.items():
            if key in UNIT_KEYS and isinstance(item, int):
                yield item
            else:
                yield from _unit_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _unit_ids(item)


def _issue(db, username: str) -> str:
    _, plaintext = personal.issue(find_user(username), name="Kiểm thử hợp đồng",
                                  expires_at=DEMO_NOW + timedelta(days=30), now=DEMO_NOW)
    db.session.commit()
    return plaintext


def _run(operation, headers: dict, checks: list) -> int:
    """Hypothesis over one operation with one caller's headers; how many requests it sent."""
    sent = []

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        sent.append(1)
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks, headers=headers)

    run()
    return len(sent)


def test_every_operation_keeps_the_contract(app, quarters, db, clock):
    create_user(username="ba.chair", full_name="Chủ tịch Bác Ái", unit=find_unit_by_code("NT.BA"), role="chair",
                password="mat-khau-thu-nghiem-1")
    db.session.commit()
    app.config["API_RATE_LIMIT"] = 1_000_000  # hypothesis sends many requests a minute
    ns_tree = descendant_ids(find_unit_by_code("NS").id)
    tokens = {"officer": _issue(db, "yenntk"), "chair": _issue(db, "hungdv"), "sibling": _issue(db, "ba.chair")}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    started, calls = time.monotonic(), 0

    for who, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"}

        def outside_tree(ctx, response, case, who=who):
            if who == "sibling" and response.status_code == 200:
                leaked = set(_unit_ids(response.json(), path=case.path)) & ns_tree
                assert not leaked, f"{case.path}: units of the other tree {sorted(leaked)}"

        checks = [not_a_server_error, response_schema_conformance, status_code_conformance,
                  content_type_conformance, outside_tree]
        for operation in operations:
            calls += _run(operation, headers, checks)
    elapsed = time.monotonic() - started
    print(f"schemathesis: {calls} requests in {elapsed:.1f} s")
    assert elapsed < 60


@pytest.mark.parametrize("who", ["officer", "chair"])
def test_documented_examples_answer_200(app, client, quarters, db, clock, who):
    """The example in the document (period=2026-Q3) reads real data for a unit the caller may see."""
    token = _issue(db, {"officer": "yenntk", "chair": "hungdv"}[who])
    unit = find_unit_by_code("NS")
    for tail in ("scorecard", "series", "ranks", "red"):
        r = client.get(f"/api/v1/units/{unit.id}/{tail}?period=2026-Q3", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, (tail, r.get_data(as_text=True))
