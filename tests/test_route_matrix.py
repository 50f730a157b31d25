"""The access-control matrix: every route of the URL map × every role × an object of the caller's tree and one of a
sibling tree, against the explicit table below. A route missing from the table fails the suite.

The world (tests/matrix_world.py) is the Ninh Sơn demo plus UBND huyện Bác Ái (NT.BA) with the same roles and the
same kinds of objects; it is built once for this module in its own database (its own SQLite file, or its own
PostgreSQL schema), apart from the per-test database of the other tests.

TABLE FORMAT (TABLE_TEXT below) — one line per route and method; adding a route is adding its line(s):

    <endpoint> [<rule>]  <METHOD>  <anon> <officer> <head> <chair> <admin> <operator> | <officer> <head> <chair> <admin>

- The route is its endpoint; an endpoint with several rules is written with the rule:
  "admin.unit_form /admin/units/new".
- The six codes before "|" are what each role gets on an object of its own tree: the Ninh Sơn user of that role on
  the Ninh Sơn object, and the Bác Ái user of that role on the Bác Ái object (both are checked: same answer).
  Roles: anonymous, officer (yenntk, owner of group II), head (binhnv, head of a commune: the district's objects are
  above his tree), chair (hungdv), district admin (admin), operator (quantri, the province's admin, above both trees;
  anonymous and operator have no "other tree").
- The four codes after "|" are what officer, head, chair and admin get on the object of the OTHER tree (a Ninh Sơn
  user on the Bác Ái object and a Bác Ái user on the Ninh Sơn object). "=" alone: the same as the own-tree codes
  (the address names no object of a tree).
- A code is an HTTP status, or L: 302 to /login?next=<the path asked for>.
- URL parameters are filled by name from the world (unit_id, user_id, assignment_id, dossier_id, document_id, ...,
  see matrix_world._objects); QUERY below adds query-string ids (?plan=, ?unit=) for routes that take them.
- Every POST is sent with an empty form (CSRF is off in the tests). A POST answered L, 401, 403 or 404 must leave
  the database exactly as it was.

Policy: an object outside the caller's tree answers 404 exactly like a missing id (no enumeration); a forbidden
action on a visible object (or a route of a role the caller does not have) is 403; anonymous users are sent to sign
in; /api routes answer 401 problem+json without a token; the dossier routes take unit tokens only (401 for a
session), the read routes (GET) take a personal token or the signed-in session, with the web rights.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests.conftest import DEMO_NOW, PASSWORD, _postgres_url
from tests.matrix_world import OWN_USERS, SIBLING_USERS, build_world

TABLE_TEXT = """
# route (endpoint [rule])                       method anon off head chair admin oper | other tree: off head chair admin
admin.unit_form /admin/units/<int:unit_id>/edit   GET   L 403 403 403 200 200 | 403 403 403 404
admin.unit_form /admin/units/<int:unit_id>/edit   POST  L 403 403 403 302 302 | 403 403 403 404
admin.unit_form /admin/units/new                  GET   L 403 403 403 200 200 | =
admin.unit_form /admin/units/new                  POST  L 403 403 403 422 422 | =
admin.units                                       GET   L 403 403 403 200 200 | =
admin.user_form /admin/users/<int:user_id>/edit   GET   L 403 403 403 200 200 | 403 403 403 404
admin.user_form /admin/users/<int:user_id>/edit   POST  L 403 403 403 302 302 | 403 403 403 404
admin.user_form /admin/users/new                  GET   L 403 403 403 200 200 | =
admin.user_form /admin/users/new                  POST  L 403 403 403 422 422 | =
admin.users_list                                  GET   L 403 403 403 200 200 | =
audit.history                                     GET   L 200 404 200 200 200 | 404 404 404 404
audit.index                                       GET   L 403 403 403 200 200 | =
auth.reauth                                       GET   L 200 200 200 200 200 | =
auth.reauth                                       POST  L 401 401 401 401 401 | =
alerts.acknowledge                                POST  L 302 404 404 404 404 | 404 404 404 404
alerts.index                                      GET   L 200 200 200 200 200 | =
api.get_dossier                                   GET   401 401 401 401 401 401 | 401 401 401 401
api.upsert_dossiers                               POST  401 401 401 401 401 401 | =
api.openapi_document                              GET   200 200 200 200 200 200 | =
api.read_alerts                                   GET   401 200 200 200 200 200 | =
api.read_assignments                              GET   401 200 200 200 200 200 | 404 404 404 404
api.read_catalog                                  GET   401 200 200 200 200 200 | =
api.read_dossier_stats                            GET   401 200 404 200 200 200 | 404 404 404 404
api.read_plans                                    GET   401 200 200 200 200 200 | =
api.read_ranks                                    GET   401 200 200 200 200 200 | 404 404 404 404
api.read_red                                      GET   401 200 200 200 200 200 | 404 404 404 404
api.read_scorecard                                GET   401 200 200 200 200 200 | 404 404 404 404
api.read_series                                   GET   401 200 200 200 200 200 | 404 404 404 404
api.read_unit                                     GET   401 404 404 200 200 200 | 404 404 404 404
api.read_units                                    GET   401 200 200 200 200 200 | =
api.reference                                     GET   200 200 200 200 200 200 | =
api_admin.revoke                                  GET   L 403 403 403 200 200 | 403 403 403 404
api_admin.revoke                                  POST  L 403 403 403 302 302 | 403 403 403 404
api_admin.tokens                                  GET   L 403 403 403 200 200 | =
api_admin.tokens                                  POST  L 403 403 403 422 422 | =
assignments.history                               GET   L 200 200 200 200 200 | 404 404 404 404
assignments.new                                   GET   L 403 403 200 200 200 | 404 404 404 404
assignments.new                                   POST  L 403 403 422 422 422 | 404 404 404 404
assignments.reassign                              GET   L 403 403 200 200 200 | 404 404 404 404
assignments.reassign                              POST  L 403 403 422 422 422 | 404 404 404 404
assignments.table                                 GET   L 200 200 200 200 200 | 404 404 404 404
auth.login                                        GET   200 302 302 302 302 302 | =
auth.login                                        POST  401 302 302 302 302 302 | =
auth.logout                                       POST  302 302 302 302 302 302 | =
auth.profile                                      GET   L 200 200 200 200 200 | =
auth.profile                                      POST  L 302 302 302 302 302 | =
personal_tokens.revoke                            POST  L 404 404 404 404 404 | =
personal_tokens.tokens                            GET   L 200 200 200 200 200 | =
personal_tokens.tokens                            POST  L 422 422 422 422 422 | =
documents.act                                     POST  L 403 403 422 422 422 | 404 404 404 404
documents.detail                                  GET   L 200 200 200 200 200 | 404 404 404 404
documents.index                                   GET   L 200 200 200 200 200 | =
documents.new                                     POST  L 403 422 422 422 422 | =
documents.pdf                                     GET   L 200 200 200 200 200 | 404 404 404 404
documents.preview                                 GET   L 302 302 302 302 302 | 404 404 404 404
documents.save_texts                              POST  L 403 403 422 422 422 | 404 404 404 404
documents.verify_page                             GET   L 200 200 200 200 200 | =
documents.verify_page                             POST  L 422 422 422 422 422 | =
dossiers.claims                                   GET   L 200 200 200 200 200 | =
dossiers.decide                                   POST  L 403 404 302 302 302 | 404 404 404 404
dossiers.detail                                   GET   L 200 404 200 200 200 | 404 404 404 404
dossiers.detail                                   POST  L 422 404 422 422 422 | 404 404 404 404
dossiers.evidence                                 GET   L 200 404 200 200 200 | 404 404 404 404
dossiers.import_confirm                           POST  L 403 403 403 302 302 | =
dossiers.import_page                              GET   L 403 403 403 200 200 | =
dossiers.import_page                              POST  L 403 403 403 422 422 | =
dossiers.index                                    GET   L 200 404 200 200 200 | 404 404 404 404
dossiers.statistics                               GET   L 200 404 200 200 200 | 404 404 404 404
indicators.catalog                                GET   L 200 200 200 200 200 | =
indicators.detail                                 GET   L 200 200 200 200 200 | =
indicators.edit_indicator                         GET   L 403 403 403 403 200 | =
indicators.edit_indicator                         POST  L 403 403 403 403 302 | =
indicators.edit_rule                              GET   L 403 403 403 403 200 | =
indicators.edit_rule                              POST  L 403 403 403 403 302 | =
indicators.new_version                            GET   L 403 403 403 403 200 | =
indicators.new_version                            POST  L 403 403 403 403 422 | =
main.healthz                                      GET   200 200 200 200 200 200 | =
main.set_language                                 POST  400 400 400 400 400 400 | =
main.index                                        GET   L 200 200 200 200 200 | =
org.officer                                       GET   L 200 404 200 200 200 | 404 404 404 404
org.unit                                          GET   L 404 404 200 200 200 | 404 404 404 404
org.units                                         GET   L 200 200 200 200 200 | =
public.badge                                      GET   200 200 200 200 200 200 | 200 200 200 200
public.embed                                      GET   200 200 200 200 200 200 | 200 200 200 200
public.index                                      GET   200 200 200 200 200 200 | =
public.open_data_csv                              GET   200 200 200 200 200 200 | =
public.open_data_json                             GET   200 200 200 200 200 200 | =
public.scoreboard                                 GET   200 200 200 200 200 200 | 200 200 200 200
public.settings                                   GET   L 404 404 200 403 403 | 404 404 404 404
public.settings                                   POST  L 404 404 422 403 403 | 404 404 404 404
scores.entry                                      GET   L 200 403 403 200 200 | 404 404 404 404
scores.entry                                      POST  L 422 403 403 422 422 | 404 404 404 404
scores.explain                                    GET   L 200 200 200 200 200 | 404 404 404 404
scores.explain                                    POST  L 302 403 403 403 403 | 404 404 404 404
scores.import_confirm                             POST  L 403 403 403 302 302 | =
scores.import_page                                GET   L 403 403 403 200 200 | =
scores.import_page                                POST  L 403 403 403 422 422 | =
scores.index                                      GET   L 302 302 302 302 302 | =
scores.overview                                   GET   L 403 200 200 200 200 | =
scores.owner                                      GET   L 200 404 200 200 200 | 404 404 404 404
scores.ranks                                      GET   L 200 200 200 200 200 | 404 404 404 404
scores.red_list                                   GET   L 200 200 200 200 200 | =
scores.review_explanation                         POST  L 403 403 422 403 403 | 404 404 404 404
scores.scorecard                                  GET   L 200 200 200 200 200 | 404 404 404 404
workdays.calendar                                 GET   L 403 403 403 200 200 | =
workdays.calendar                                 POST  L 403 403 403 403 422 | =
workdays.clear                                    POST  L 403 403 403 403 422 | =
"""

# Query-string ids some routes take: endpoint → {query argument: world value}.
QUERY = {
    "assignments.table": {"plan": "plan"},
    "assignments.new": {"plan": "plan", "indicator": "indicator_id"},
    "dossiers.statistics": {"unit": "unit_id"},
    "dossiers.index": {"unit": "unit_id"},
    "scores.entry": {"unit": "unit_id"},
    "api.read_scorecard": {"period": "period_code"},
    "api.read_series": {"period": "period_code"},
    "api.read_ranks": {"period": "period_code"},
    "api.read_red": {"period": "period_code"},
    "api.read_dossier_stats": {"period": "period_code"},
}
METHODS = ("GET", "POST")
ROLES = ("officer", "head", "chair", "admin")


def read_table(text: str) -> dict[str, dict[str, str]]:
    """TABLE_TEXT → {key: {method: "codes | other tree"}}; one line per route and method, "#" starts a comment."""
    table: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        at = next(i for i, w in enumerate(words) if w in METHODS)
        key, method = " ".join(words[:at]), words[at]
        assert method not in table.get(key, {}), f"two lines for {key} {method}"
        table.setdefault(key, {})[method] = " ".join(words[at + 1:])
    return table


TABLE = read_table(TABLE_TEXT)
REFUSED = {"L", "401", "403", "404"}


# --- the world ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A migrated database of its own with the world in it, the clock at DEMO_NOW, one signed-in client per user."""
    import time_machine
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from config import TestConfig

    base = os.environ.get("TEST_DATABASE_URL")
    schema = None
    if base:
        schema = f"m_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(_postgres_url(base, "public"))
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_url(base, schema)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'matrix.db'}"
    config = type("MatrixConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url,
                                                  "SIGNING_DIR": str(tmp_path_factory.mktemp("matrix-keys"))})
    app = create_app(config)
    traveller = time_machine.travel(DEMO_NOW, tick=False)
    traveller.start()
    try:
        with app.app_context():
            upgrade()
            values = build_world(PASSWORD, now=DEMO_NOW)
            db.session.remove()
        clients = {}
        for username in [*OWN_USERS.values(), *SIBLING_USERS.values()]:
            clients[username] = _signed_in(app, username)
        clients[None] = app.test_client()
        yield {"app": app, "values": values, "clients": clients}
    finally:
        traveller.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _signed_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"{username} cannot sign in"
    return client


def _snapshot(app) -> str:
    """A digest of every row of every table (the world is small)."""
    from app.extensions import db

    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{len(rows)}:{rows!r}".encode())
        db.session.remove()
    return digest.hexdigest()


# --- reading the table --------------------------------------------------------------------------------------------


def route_keys(app) -> dict[str, tuple]:
    """Table key → (rule, methods) for every route of the URL map but static files."""
    rules: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            rules.setdefault(rule.endpoint, []).append(rule)
    out = {}
    for endpoint, several in rules.items():
        for rule in several:
            key = endpoint if len(several) == 1 else f"{endpoint} {rule.rule}"
            out[key] = (rule, sorted(m for m in rule.methods if m in METHODS))
    return out


def parse(cell: str) -> tuple[list[str], list[str] | None]:
    """("L 200 ... | 404 ...") → (six own-tree codes, four other-tree codes, or None for "=")."""
    own, _, other = cell.partition("|")
    own_codes, other_codes = own.split(), other.split()
    assert len(own_codes) == 6, f"six own-tree codes expected in {cell!r}"
    if other_codes == ["="]:
        return own_codes, None
    assert len(other_codes) == 4, f"four other-tree codes (or =) expected in {cell!r}"
    return own_codes, other_codes


def fill(app, rule, endpoint: str, values: dict) -> str:
    """The rule's URL with its parameters (and the endpoint's query ids) taken from one tree of the world."""
    missing = [arg for arg in rule.arguments if arg not in values]
    assert not missing, f"{rule.rule}: no world value for {missing}: add one in tests/matrix_world.py"
    args = {arg: values[arg] for arg in rule.arguments}
    query = {name: values[key] for name, key in QUERY.get(endpoint, {}).items()}
    path = app.url_map.bind("localhost").build(endpoint, args)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def answer(response, path: str) -> str:
    """The table code of a response: its status, or L for a redirect to sign in that comes back to `path`."""
    if response.status_code == 302:
        location = urlsplit(response.headers["Location"])
        if location.path == "/login" and parse_qs(location.query).get("next") == [path]:
            return "L"
    return str(response.status_code)


def cases(world, key: str, method: str, table: dict):
    """(caller label, client, path, expected) for every caller × tree of one table cell."""
    app, values = world["app"], world["values"]
    rule, _methods = route_keys(app)[key]
    own_codes, other_codes = parse(table[key][method])
    own_path = fill(app, rule, rule.endpoint, values["own"])
    sib_path = fill(app, rule, rule.endpoint, values["sibling"])
    clients = world["clients"]
    paths = [("own", own_path)] + ([("sibling", sib_path)] if sib_path != own_path else [])
    out = []
    for tree, path in paths:
        out.append((f"anonymous on {tree}", clients[None], path, own_codes[0]))
        out.append((f"operator on {tree}", clients[OWN_USERS["operator"]], path, own_codes[5]))
    for i, role in enumerate(ROLES, 1):
        other = own_codes[i] if other_codes is None else other_codes[i - 1]
        out.append((f"{role} {OWN_USERS[role]} on own", clients[OWN_USERS[role]], own_path, own_codes[i]))
        out.append((f"{role} {SIBLING_USERS[role]} on own", clients[SIBLING_USERS[role]], sib_path, own_codes[i]))
        out.append((f"{role} {OWN_USERS[role]} on other", clients[OWN_USERS[role]], sib_path, other))
        out.append((f"{role} {SIBLING_USERS[role]} on other", clients[SIBLING_USERS[role]], own_path, other))
    return out


def send(client, method: str, path: str):
    return client.get(path) if method == "GET" else client.post(path, data={})


def observe(world, key: str, method: str, table: dict = TABLE) -> list[tuple[str, str, str, str]]:
    """(caller, path, expected, got) for every case of one cell; refused POSTs must not change the database."""
    app = world["app"]
    todo = cases(world, key, method, table)
    if key == "auth.logout":  # signing out ends the session: fresh clients, signed in for this route only
        fresh = {id(c): _signed_in(app, u) for u, c in world["clients"].items() if u is not None}
        todo = [(who, fresh.get(id(c), c), path, code) for who, c, path, code in todo]
    refused = [c for c in todo if c[3] in REFUSED]
    rest = [c for c in todo if c[3] not in REFUSED]
    before = _snapshot(app) if method == "POST" and refused else None
    seen = [(who, path, code, answer(send(client, method, path), path)) for who, client, path, code in refused]
    if before is not None and _snapshot(app) != before:
        seen.append(("refused callers together", "", "no change", "database changed"))
    seen += [(who, path, code, answer(send(client, method, path), path)) for who, client, path, code in rest]
    return seen


def table_gaps(app, table: dict) -> list[str]:
    """What the table and the URL map disagree on: routes (or methods) without a line, lines naming none."""
    routes = route_keys(app)
    gaps = [f"no line for {key} {m}" for key, (_rule, methods) in routes.items() for m in methods
            if m not in table.get(key, {})]
    gaps += [f"a line for {key} {m}, which is no route" for key, cells in table.items() for m in cells
             if key not in routes or m not in routes[key][1]]
    return sorted(gaps)


def test_every_route_has_a_line_and_every_line_a_route(world):
    """A new route without its line fails here; so does a line (or a method) whose route is gone."""
    assert table_gaps(world["app"], TABLE) == []


def test_a_new_route_without_its_line_is_caught(world):
    from flask import Flask

    app = Flask("probe")
    app.url_map = world["app"].url_map.__class__()
    for rule in world["app"].url_map.iter_rules():
        app.url_map.add(rule.empty())
    app.add_url_rule("/audit/<int:entry_id>", "audit.entry", lambda entry_id: "", methods=["GET", "POST"])
    assert table_gaps(app, TABLE) == ["no line for audit.entry GET", "no line for audit.entry POST"]
    stale = {**TABLE, "gone.page": {"GET": "L 200 200 200 200 200 | ="}}
    assert table_gaps(world["app"], stale) == ["a line for gone.page GET, which is no route"]


def test_a_wrong_line_fails(world):
    """The matrix can fail: a line saying an officer may open another district's dossier is refuted."""
    wrong = {**TABLE, "dossiers.detail": {"GET": "L 200 404 200 200 200 | 200 404 404 404"}}
    seen = [(who, code, got) for who, _path, code, got in observe(world, "dossiers.detail", "GET", wrong)
            if code != got]
    assert ("officer yenntk on other", "200", "404") in seen


def test_a_token_reads_only_its_own_tree(world):
    """/api/v1 takes a unit's token, never a session: another district's dossier answers 404 like a missing one."""
    own, sibling = world["values"]["own"], world["values"]["sibling"]
    client = world["clients"][None]
    for mine, other in ((own, sibling), (sibling, own)):
        headers = {"Authorization": f"Bearer {mine['api_token']}"}
        assert client.get(f"/api/v1/dossiers/{mine['code']}", headers=headers).status_code == 200
        response = client.get(f"/api/v1/dossiers/{other['code']}", headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
        assert client.get("/api/v1/dossiers/KHONG-CO", headers=headers).status_code == 404


@pytest.mark.parametrize("key", sorted(TABLE))
def test_route_answers_every_role_as_the_table_says(world, key):
    wrong = [f"{method} {path} as {who}: expected {code}, got {got}"
             for method in sorted(TABLE[key]) for who, path, code, got in observe(world, key, method) if code != got]
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize(("target", "expected"), [
    ("/dossiers/?bucket=open_late", "/dossiers/?bucket=open_late"),
    ("https://evil.example/", "/alerts/"),
    ("//evil.example/", "/alerts/"),
    ("/\\evil.example", "/alerts/"),
    ("/\t/evil.example", "/alerts/"),
    ("/%09/evil.example", "/alerts/"),
    ("/%2F/evil.example", "/alerts/"),
    ("javascript:alert(1)", "/alerts/"),
])
def test_acknowledging_an_alert_follows_next_as_strictly_as_sign_in(world, target, expected):
    """One check (app.core.params.safe_next) for every `next` the app follows."""
    alert_id = world["values"]["own"]["alert_id"]
    response = world["clients"][OWN_USERS["officer"]].post(f"/alerts/{alert_id}/ack", data={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == expected
