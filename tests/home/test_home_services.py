"""Home pages by role, as data: the chair's headline, heatmap and red list; a commune or office head's headline; an
officer's indicators by urgency with the explanation deadline. The `scored` world: Ninh Sơn (NS) 88/100 in
October 2026 (98 in September), its indicator 4 red (8/20, -10); Tân Sơn 100; Ma Nới half of every ratio."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.auth.services import find_user
from app.home import explain, services
from app.home.heatmap import by_group, legend
from app.home.officer import officer_home
from app.indicators.models import Indicator
from app.org.services import find_unit_by_code, units_in_scope
from app.scores import accountability
from app.scores.periods import month_period, quarter_period, year_period
from tests.scores.factories import put

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 15)
OCT = month_period(2026, 10)


@pytest.mark.parametrize(("period", "months_after", "deadline"), [
    (month_period(2026, 10), 1, date(2026, 11, 30)),
    (month_period(2026, 11), 1, date(2026, 12, 31)),
    (month_period(2026, 12), 1, date(2027, 1, 31)),
    (month_period(2027, 1), 1, date(2027, 2, 28)),
    (month_period(2026, 10), 2, date(2026, 12, 31)),
    (month_period(2026, 10), 0, date(2026, 10, 31)),
    (quarter_period(2026, 3), 1, date(2026, 10, 31)),
    (year_period(2026), 1, date(2027, 1, 31)),
])
def test_the_explanation_deadline_is_the_end_of_a_month_after_the_period(period, months_after, deadline):
    assert explain.explanation_deadline(period, months_after) == deadline


class _Explained:
    due_on = date(2026, 12, 15)

    def __init__(self, state="submitted"):
        self.state = state


@pytest.mark.parametrize(("explanation", "today", "key", "label", "needs_action"), [
    (None, date(2026, 11, 15), "missing", "Chưa giải trình, hạn 30/11/2026", True),
    (None, date(2026, 11, 30), "missing", "Chưa giải trình, hạn 30/11/2026", True),
    (None, date(2026, 12, 1), "overdue", "Quá hạn giải trình (hạn 30/11/2026)", True),
    (_Explained(), date(2026, 12, 1), "submitted", "Đã giải trình, chờ duyệt; hạn khắc phục 15/12/2026", False),
    (_Explained("accepted"), date(2026, 12, 1), "accepted", "Giải trình đã được chấp nhận, hạn khắc phục 15/12/2026",
     False),
    (_Explained("returned"), date(2026, 11, 20), "returned", "Giải trình bị trả lại: sửa và gửi lại, hạn 30/11/2026",
     True),
])
def test_the_state_of_an_explanation(app, explanation, today, key, label, needs_action):
    with app.test_request_context():
        state = explain.explanation_state(explanation, date(2026, 11, 30), today)
    assert (state.key, state.label, state.needs_action) == (key, label, needs_action)


def test_overdue_comes_before_due_before_explained():
    urgencies = [explain.ExplanationState(k, "", "", date(2026, 11, 30), k != "submitted").urgency
                 for k in ("overdue", "missing", "submitted")]
    assert urgencies == sorted(urgencies) and len(set(urgencies)) == 3


def _chair_home(username="hungdv", today=TODAY):
    user = find_user(username)
    root = services.home_root(user)
    return services.chair_home(user, root, units_in_scope(user, active_only=True), today=today)


class TestChairHome:
    def test_the_headline_has_the_total_its_change_the_rank_and_the_reds_not_explained(self, scored, app):
        with app.test_request_context():
            page = _chair_home()
        h = page.headline
        assert page.root.code == "NS" and page.period == OCT
        assert (h.total, h.previous_total, h.change) == (Decimal(88), Decimal(98), Decimal(-10))
        assert h.rank is not None and (h.rank.rank, h.rank.of) == (1, 1)
        assert [r.item.indicator.code for r in h.unexplained] == ["PROGRESS_ON_TIME"]
        red = h.unexplained[0]
        assert red.state.deadline == date(2026, 11, 30) and red.item.accountable.label == "Nguyễn Thị Kim Yến"

    def test_the_heatmap_has_a_row_per_scored_unit_with_groups_and_total(self, scored, app):
        with app.test_request_context():
            heat = _chair_home().heatmap
        rows = {row.unit.code: row for row in heat.rows}
        assert set(rows) == {"NS", "NS.TANSON", "NS.MANOI"}  # units without scores are left out
        assert [c.label for c in heat.columns] == ["I", "II", "III.1", "III.2", "IV.1", "IV.2", "V"]
        assert sum(c.max_points for c in heat.columns) == Decimal(100)
        assert [rows[c].total for c in ("NS", "NS.TANSON")] == [Decimal(88), Decimal(100)]
        assert Decimal(50) <= rows["NS.MANOI"].total < Decimal(88)  # half of every ratio (thresholds below 100%)
        ns = rows["NS"]
        assert ns.cells[1].text == "8,0" and ns.cells[1].css == "band-4"  # group II = indicator 4's 8 points
        assert ns.total_cell.text == "88,0" and "band" in ns.total_cell.css

    def test_the_red_list_puts_what_is_not_explained_first(self, scored, app, db):
        put("NS.TANSON", 2026, 10, "DOSSIER_SYNC", 10, 100)  # a second red, in a commune
        db.session.commit()
        accountability.save_explanation(
            unit=find_unit_by_code("NS"), indicator=_ind(db, "PROGRESS_ON_TIME"), period=OCT,
            reason="Lỗi đồng bộ dữ liệu từ một cửa.", remedy="Đồng bộ lại, theo dõi hằng ngày.",
            due_on=date(2026, 12, 15), actor=find_user("yenntk"), now=NOW)
        db.session.commit()
        with app.test_request_context():
            page = _chair_home()
        assert [(r.unit.code, r.state.key) for r in page.reds] == [("NS.TANSON", "missing"), ("NS", "submitted")]
        assert [u.code for u in page.units_below_with_reds] == ["NS.TANSON"]
        assert page.headline.unexplained == [] and len(page.headline.reds) == 1

    def test_a_unit_without_scores_gives_an_empty_home(self, demo, app):
        with app.test_request_context():
            page = _chair_home()
        assert page.period is None and page.headline is None and page.heatmap is None


def _ind(db, code):
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == code))


@pytest.mark.parametrize(("username", "tree"), [
    ("hungdv", True), ("admin", True), ("quantri", True),  # chair and admins: their tree
    ("binhnv", False),  # a commune head: his commune
    ("phuclv", False),  # an office head: the district's scorecard, the office's reds
])
def test_who_gets_the_tree_home(scored, app, username, tree):
    user = find_user(username)
    assert services.is_tree_leader(user, services.home_root(user)) is tree


class TestUnitHome:
    def test_a_commune_head_sees_his_communes_headline_and_rank_among_the_communes(self, scored, app):
        user = find_user("binhnv")
        with app.test_request_context():
            page = services.unit_home(user, services.home_root(user), today=TODAY)
        h = page.headline
        assert page.is_own_scorecard and page.unit.code == "NS.TANSON"
        assert h.total == Decimal(100) and (h.rank.rank, h.rank.of) == (1, 2)
        assert "xã, phường, thị trấn" in h.peers.label and "Ninh Sơn" in h.peers.label
        assert [row.unit.code for row in page.heatmap.rows] == ["NS.TANSON"] and h.reds == []

    def test_an_office_head_sees_the_reds_his_office_owns(self, scored, app):
        user = find_user("phuclv")
        with app.test_request_context():
            page = services.unit_home(user, services.home_root(user), today=TODAY)
        assert not page.is_own_scorecard and page.unit.code == "NS"
        assert [r.item.indicator.code for r in page.headline.reds] == ["PROGRESS_ON_TIME"]


class TestOfficerHome:
    def _home(self, username, today=TODAY):
        return officer_home(find_user(username), today=today, now=NOW, soon_days=1)

    def test_the_red_indicator_is_to_explain_with_its_deadline(self, scored, app):
        with app.test_request_context():
            page = self._home("yenntk")
            todo = page.todo
        assert [r.indicator.code for r in todo] == ["PROGRESS_ON_TIME"]
        assert todo[0].red.state.key == "missing" and todo[0].red.state.deadline == date(2026, 11, 30)
        assert page.cards[0].rows[0].indicator.code == "PROGRESS_ON_TIME"

    def test_past_the_deadline_it_is_overdue(self, scored, app):
        with app.test_request_context():
            todo = self._home("yenntk", today=date(2026, 12, 2)).todo
        assert todo[0].red.state.key == "overdue"

    def test_once_explained_it_shows_the_explained_state_and_leaves_the_list(self, scored, app, db):
        accountability.save_explanation(
            unit=find_unit_by_code("NS"), indicator=_ind(db, "PROGRESS_ON_TIME"), period=OCT,
            reason="Lỗi đồng bộ dữ liệu từ một cửa.", remedy="Đồng bộ lại, theo dõi hằng ngày.",
            due_on=date(2026, 12, 31), actor=find_user("yenntk"), now=NOW)
        db.session.commit()
        with app.test_request_context():
            page = self._home("yenntk")
            assert page.todo == []
            assert [r.red.state.label for r in page.explained] == ["Đã giải trình, chờ duyệt; hạn khắc phục 31/12/2026"]

    def test_the_one_stop_members_only_red_indicator_comes_first(self, scored, app, db):
        put("NS", 2026, 10, "REUSED_DIGITIZED_DATA", 10, 100)  # IV.1, the team's third group in the catalog
        db.session.commit()
        with app.test_request_context():
            page = self._home("minhpv")
        first = page.cards[0]
        assert first.assignment.group.code == "IV.1" and first.rows[0].indicator.code == "REUSED_DIGITIZED_DATA"
        assert [r.indicator.code for r in page.todo] == ["REUSED_DIGITIZED_DATA"]


def test_the_legend_follows_the_configured_bands(app):
    bands = legend()
    assert [b.label for b in bands] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert bands[0].high is None and bands[-1].css == "band-4" and bands[-1].low == 0


def test_a_heatmap_row_is_left_out_only_when_the_unit_has_no_score(scored, app):
    with app.test_request_context():
        heat = by_group([find_unit_by_code(c) for c in ("NS", "NS.LAMSON")], OCT)
    assert [row.unit.code for row in heat.rows] == ["NS"]
