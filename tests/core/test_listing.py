"""core.listing: the query string read against a whitelist, rows sorted and filtered in memory and in SQL,
Vietnamese order, links that keep the state."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.core.listing import Column, Filter, Listing, matches, vn_sort_key


@dataclass
class Row:
    name: str
    points: Decimal | None
    kind: str


ROWS = [Row("Đoàn Văn Hùng", Decimal("3.5"), "chair"), Row("Dương Thị Ánh", Decimal("10"), "officer"),
        Row("Ân Văn Ba", None, "officer"), Row("Ấn Văn Ca", Decimal("1"), "head"), Row("Võ Văn Tư", Decimal("2"),
                                                                                      "officer"),
        Row("An Thị Lan", Decimal("7"), "head"), Row("Ưng Văn Tâm", Decimal("5"), "officer")]

LISTING = Listing(
    columns=(Column("name", "Họ và tên", value=lambda r: r.name, text=True),
             Column("points", "Điểm", value=lambda r: r.points)),
    default="name",
    filters=(Filter("kind", "Vai trò", choice=lambda r: (r.kind, r.kind.upper())),),
    search=lambda r: r.name,
)


def read(**args):
    return LISTING.read(MultiDict(args), "/list")


def test_vietnamese_alphabetical_order():
    words = ["Ưng", "Đoàn", "Dương", "Võ", "Ân", "An", "Ấn", "Ăn", "ầm", "Ba", "đa", "Da", "Ơn", "Ôn", "On", "Uy"]
    assert sorted(words, key=vn_sort_key) == ["An", "Ăn", "ầm", "Ân", "Ấn", "Ba", "Da", "Dương", "đa", "Đoàn", "On",
                                               "Ôn", "Ơn", "Uy", "Ưng", "Võ"]


def test_tones_order_after_letters_and_nfd_sorts_as_nfc():
    tones = ["má", "mà", "ma", "mạ", "mã", "mả"]
    assert sorted(tones, key=vn_sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    import unicodedata
    assert vn_sort_key(unicodedata.normalize("NFD", "Nguyễn Đức")) == vn_sort_key("Nguyễn Đức")
    # case does not order words (only the last tie-break, so that equal keys keep a fixed order)
    assert vn_sort_key("NGUYỄN")[:2] == vn_sort_key("nguyễn")[:2]


@pytest.mark.parametrize(("query", "text", "found"), [
    ("hung", "Đoàn Văn Hùng", True), ("HÙNG", "Đoàn Văn Hùng", True), ("doan", "Đoàn Văn Hùng", True),
    ("hùng", "Đoàn Văn Hưng", False), ("", "x", True), ("tâm", "Ưng Văn Tam", False),
])
def test_search_ignores_case_and_accents_only_when_typed_without(query, text, found):
    assert matches(query, text) is found


@pytest.mark.parametrize(("sort", "direction", "expected"), [
    ("name", "asc", ["An Thị Lan", "Ân Văn Ba", "Ấn Văn Ca", "Dương Thị Ánh", "Đoàn Văn Hùng", "Ưng Văn Tâm",
                     "Võ Văn Tư"]),
    ("name", "desc", ["Võ Văn Tư", "Ưng Văn Tâm", "Đoàn Văn Hùng", "Dương Thị Ánh", "Ấn Văn Ca", "Ân Văn Ba",
                      "An Thị Lan"]),
    ("points", "asc", ["Ấn Văn Ca", "Võ Văn Tư", "Đoàn Văn Hùng", "Ưng Văn Tâm", "An Thị Lan", "Dương Thị Ánh",
                       "Ân Văn Ba"]),
    ("points", "desc", ["Dương Thị Ánh", "An Thị Lan", "Ưng Văn Tâm", "Đoàn Văn Hùng", "Võ Văn Tư", "Ấn Văn Ca",
                        "Ân Văn Ba"]),
])
def test_sort_each_column_both_ways_empty_values_last(sort, direction, expected):
    state = read(sort=sort, dir=direction)
    assert [r.name for r in state.apply(ROWS)] == expected
    assert state.aria_sort(sort) == ("ascending" if direction == "asc" else "descending")
    other = "points" if sort == "name" else "name"
    assert state.aria_sort(other) == "none"


@pytest.mark.parametrize("args", [
    {"sort": "password"}, {"sort": "name; DROP TABLE user"}, {"dir": "sideways"}, {"kind": "nobody"},
    {"sort": "__class__", "dir": "DESC"}, {"unknown": "1"}, {},
])
def test_unknown_parameters_are_ignored(args):
    state = read(**args)
    assert state.sort == "name" and state.desc is False
    rows = state.apply(ROWS)
    assert [r.name for r in rows] == [r.name for r in read().apply(ROWS)]
    assert "nobody" not in state.url() and not state.filtered


@pytest.mark.parametrize(("args", "expected"), [
    ({"kind": "head"}, {"An Thị Lan", "Ấn Văn Ca"}),
    ({"kind": "officer", "q": "van"}, {"Ân Văn Ba", "Võ Văn Tư", "Ưng Văn Tâm"}),
    ({"q": "Thị"}, {"An Thị Lan", "Dương Thị Ánh"}),
    ({"q": "hung", "kind": "chair"}, {"Đoàn Văn Hùng"}),
])
def test_filters_and_search(args, expected):
    state = read(**args)
    assert {r.name for r in state.apply(ROWS)} == expected
    assert state.filtered
    assert state.options["kind"] == [("chair", "CHAIR"), ("head", "HEAD"), ("officer", "OFFICER")]


def test_links_keep_the_page_parameters_and_the_state():
    state = LISTING.read(MultiDict([("plan", "3"), ("page", "4"), ("sort", "points"), ("dir", "desc"),
                                    ("kind", "head"), ("q", "Đoàn")]), "/assignments/")
    header = parse_qs(urlsplit(state.sort_url("points")).query)
    assert header == {"plan": ["3"], "sort": ["points"], "dir": ["asc"], "kind": ["head"], "q": ["Đoàn"]}
    assert parse_qs(urlsplit(state.sort_url("name")).query)["dir"] == ["asc"]
    export = parse_qs(urlsplit(state.export_url()).query)
    assert export["format"] == ["xlsx"] and export["kind"] == ["head"] and export["sort"] == ["points"]
    assert "page" not in export
    assert parse_qs(urlsplit(state.reset_url()).query) == {"plan": ["3"]}
    assert dict(state.hidden()) == {"plan": "3", "sort": "points", "dir": "desc"}


def test_sql_select_is_ordered_and_filtered_by_whitelisted_expressions_only():
    table = sa.table("t", sa.column("name"), sa.column("points"), sa.column("kind"))
    listing = Listing(columns=(Column("name", "Tên", sql=table.c.name), Column("points", "Điểm", sql=table.c.points)),
                      default="name",
                      filters=(Filter("kind", "Loại", options=[("a", "A"), ("b", "B")],
                                      where=lambda v: table.c.kind == v),),
                      search_sql=lambda q: table.c.name.contains(q))
    stmt = sa.select(table)
    state = listing.read(MultiDict({"sort": "points", "dir": "desc", "kind": "b", "q": "x'; --"}), "/")
    sql = str(state.order_select(stmt).compile(compile_kwargs={"literal_binds": True}))
    assert "ORDER BY t.points DESC NULLS LAST" in sql and "t.kind = 'b'" in sql and "x''; --" in sql
    bad = listing.read(MultiDict({"sort": "t.kind", "kind": "c"}), "/")
    sql = str(bad.order_select(stmt).compile())
    assert "ORDER BY t.name ASC" in sql and "kind" not in sql.split("FROM")[1]
