"""Sortable, filterable lists: one facility for every table of the site (and its Excel export).

A `Listing` declares a table's columns (what each sorts by, in memory or in SQL) and filters; `Listing.read(args)`
turns the query string (``?sort=name&dir=desc&q=…&<filter>=…``) into a `ListState`, checking every value against
that whitelist: an unknown column, direction or filter value is ignored (the default order is kept), and nothing
from the address ever reaches SQL as text. The state then sorts and filters rows in memory (`apply`) or a
SQLAlchemy select (`order_select`), and builds the links of the sortable headers, the filter form's hidden fields
and the "Xuất Excel" link, all carrying the same query string so the export matches the screen.

Vietnamese text sorts in dictionary order (a ă â b c d đ e ê …, tones after letters: `vn_sort_key`). Empty values
go last whatever the direction. Templates draw headers and forms with the macros of templates/_listing.html.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from app.core.text import fold, plain, vn_sort_key


def matches(query: str, text: str) -> bool:
    """Whether `query` occurs in `text`, case-insensitively; without diacritics when the query has none."""
    if not query:
        return True
    if fold(query) in fold(text):
        return True
    return query.isascii() and plain(query) in plain(text)


# --- declarations ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A sortable column: `value(row)` for lists in memory, `sql` (a column expression) for selects.

    `text=True` sorts the value as Vietnamese text. `label` is shown in the header and the export."""

    key: str
    label: Any
    value: Callable[[Any], Any] | None = None
    sql: Any = None
    text: bool = False


@dataclass(frozen=True)
class Filter:
    """A filter field: `choice(row)` gives the row's (value, label) or a list of them (in memory); the options are
    `options` when given (a fixed set), else the distinct values of the rows. For selects, `options` lists them and
    `where(value)` is the condition."""

    key: str
    label: Any
    choice: Callable[[Any], Any] | None = None
    options: list[tuple[str, Any]] | None = None
    where: Callable[[str], Any] | None = None


@dataclass(frozen=True)
class Listing:
    """The whitelist of one table: its sortable columns, filters and text search."""

    columns: tuple[Column, ...]
    default: str
    default_desc: bool = False
    filters: tuple[Filter, ...] = ()
    search: Callable[[Any], str] | None = None
    search_sql: Callable[[str], Any] | None = None
    search_label: Any = None

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def read(self, args, path: str = "") -> ListState:
        """The state asked for in `args` (a MultiDict); values outside the whitelist are ignored."""
        sort = args.get("sort", "")
        sort = sort if self.column(sort) is not None else self.default
        direction = args.get("dir", "")
        desc = direction == "desc" if direction in ("asc", "desc") else (self.default_desc and sort == self.default)
        q = (args.get("q", "") or "").strip()[:200] if (self.search or self.search_sql) else ""
        chosen = {}
        for f in self.filters:
            value = (args.get(f.key, "") or "").strip()[:100]
            if value and (f.options is None or value in {str(v) for v, _ in f.options}):
                chosen[f.key] = value
        return ListState(self, sort, desc, q, chosen, args, path)


# --- the state of one request -----------------------------------------------------------------------------------------

_OWN = ("sort", "dir", "q", "page", "format")


@dataclass
class ListState:
    listing: Listing
    sort: str
    desc: bool
    q: str
    chosen: dict[str, str]
    args: Any = None
    path: str = ""
    options: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)

    # rows in memory

    def _sort_value(self, column: Column, row: Any) -> Any:
        value = column.value(row) if column.value else None
        return vn_sort_key(value) if column.text and value is not None else value

    def sort_rows(self, rows: Iterable[Any]) -> list[Any]:
        """Rows ordered by the chosen column (stable: equal values keep their order); empty values last."""
        column = self.listing.column(self.sort)
        rows = list(rows)
        if column is None or column.value is None:
            return rows
        keyed = [(self._sort_value(column, r), r) for r in rows]
        if all(k is None for k, _ in keyed):  # a column meaning "the service's order" (e.g. urgency)
            return rows[::-1] if self.desc else rows
        present = [kr for kr in keyed if kr[0] is not None and kr[0] != ""]
        empty = [r for k, r in keyed if k is None or k == ""]
        present.sort(key=lambda kr: kr[0], reverse=self.desc)
        return [r for _, r in present] + empty

    @staticmethod
    def _choices(f: Filter, row: Any) -> list[tuple[Any, Any]]:
        got = f.choice(row) if f.choice else None
        if got is None:
            return []
        return list(got) if isinstance(got, list) else [got]

    def filter_rows(self, rows: Iterable[Any]) -> list[Any]:
        """Rows matching the text search and every chosen filter; fills `options` of the in-memory filters."""
        rows = list(rows)
        for f in self.listing.filters:
            if f.options is not None:
                self.options[f.key] = [(str(v), label) for v, label in f.options]
            elif f.choice is not None:
                seen = {str(v): label for row in rows for v, label in self._choices(f, row) if v not in (None, "")}
                self.options[f.key] = sorted(seen.items(), key=lambda kv: vn_sort_key(str(kv[1])))
        for key in [k for k in self.chosen if k in self.options]:  # a value no row has is ignored, like any unknown
            if self.chosen[key] not in {v for v, _ in self.options[key]}:
                del self.chosen[key]
        out = []
        for row in rows:
            if self.q and self.listing.search and not matches(self.q, self.listing.search(row)):
                continue
            if any(f.choice is not None and f.key in self.chosen
                   and self.chosen[f.key] not in {str(v) for v, _ in self._choices(f, row)}
                   for f in self.listing.filters):
                continue
            out.append(row)
        return out

    def apply(self, rows: Iterable[Any]) -> list[Any]:
        return self.sort_rows(self.filter_rows(rows))

    # SQL selects

    def order_select(self, stmt, *tiebreak):
        """`stmt` filtered (text search, chosen filters) and ordered by the chosen column, then `tiebreak`."""
        for f in self.listing.filters:
            if f.options is not None:
                self.options[f.key] = [(str(v), label) for v, label in f.options]
            if f.where is not None and f.key in self.chosen:
                stmt = stmt.where(f.where(self.chosen[f.key]))
        if self.q and self.listing.search_sql is not None:
            stmt = stmt.where(self.listing.search_sql(self.q))
        column = self.listing.column(self.sort)
        if column is not None and column.sql is not None:
            expr = column.sql.desc() if self.desc else column.sql.asc()
            stmt = stmt.order_by(None).order_by(expr.nulls_last(), *tiebreak)
        return stmt

    # links and forms

    @property
    def _filter_keys(self) -> set[str]:
        return {f.key for f in self.listing.filters}

    @property
    def direction(self) -> str:
        return "desc" if self.desc else "asc"

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.chosen)

    def _pairs(self, **changes) -> list[tuple[str, str]]:
        keep = [(k, v) for k, v in (self.args.items(multi=True) if self.args is not None else [])
                if k not in _OWN and k not in self._filter_keys and k not in changes and v != ""]
        state = {"sort": self.sort, "dir": self.direction, "q": self.q, **self.chosen}
        state.update({k: v for k, v in changes.items()})
        return keep + [(k, str(v)) for k, v in state.items() if v not in (None, "")]

    def url(self, **changes) -> str:
        """This page's address with the listing's state and `changes` (page number dropped)."""
        pairs = self._pairs(**changes)
        return self.path + ("?" + urlencode(pairs) if pairs else "")

    def sort_url(self, key: str) -> str:
        """The header link: sort by `key`, the other way round when it is the column sorted by now."""
        desc = not self.desc if key == self.sort else False
        return self.url(sort=key, dir="desc" if desc else "asc")

    def aria_sort(self, key: str) -> str:
        if key != self.sort:
            return "none"
        return "descending" if self.desc else "ascending"

    def export_url(self) -> str:
        return self.url(format="xlsx")

    def reset_url(self) -> str:
        """The address without search and filters (other parameters such as the period kept)."""
        pairs = [(k, v) for k, v in (self.args.items(multi=True) if self.args is not None else [])
                 if k not in _OWN and k not in self._filter_keys]
        return self.path + ("?" + urlencode(pairs) if pairs else "")

    def hidden(self) -> list[tuple[str, str]]:
        """Parameters the filter form must carry as hidden fields (the page's own, and the sort order)."""
        own = {"q", *(f.key for f in self.listing.filters)}
        return [(k, v) for k, v in self._pairs() if k not in own]


def listing_state(listing: Listing) -> ListState:
    """The state of `listing` for the current request."""
    from flask import request

    return listing.read(request.args, request.path)
