"""WCAG 2.2 AA in a real browser: axe-core (vendored in tests/browser/vendor, served to the page from 127.0.0.1, never
a CDN) on the main page of every role at 1280 and 390 px. The suite fails on any serious or critical violation
(target-size included), on a horizontal scroll at 390 px, and on headings that skip a level."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, WIDTHS, screenshot, sign_in

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_PATH = "/__axe__/axe.min.js"  # answered by the test itself (route), same origin: the CSP stays as served
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    # target-size is off by default in axe 4.11; the best-practice rules below are checked whatever their impact
    "rules": {"target-size": {"enabled": True}, **{rule: {"enabled": True} for rule in ("empty-table-header",
              "page-has-heading-one", "landmark-one-main", "skip-link")}},
    "resultTypes": ["violations"],
}
STRICT = ("empty-table-header", "page-has-heading-one", "landmark-one-main", "skip-link")


def _explain_page(page) -> str:
    """The first red indicator's explanation page from the red list."""
    page.goto("/scores/red")
    return page.locator("main a[href*='/scores/red/']").first.get_attribute("href")


def _scorecard_page(page) -> str:
    """The district's scorecard (the chair's overview links to it), else the first scorecard linked there."""
    page.goto("/scores/overview")
    links = page.locator("main a[href*='/scores/units/']")
    district = links.filter(has_text="huyện Ninh Sơn")
    return (district if district.count() else links).first.get_attribute("href")


def _ranks_page(page) -> str:
    page.goto("/scores/overview")
    return page.locator("main a[href*='/scores/ranks/']").first.get_attribute("href")


# (user or None for the sign-in page, the path or a function finding it from a page the user sees)
PAGES = {
    "login": (None, "/login"),
    "officer-home": ("yenntk", "/"),
    "officer-explain": ("yenntk", _explain_page),
    "head-home": ("binhnv", "/"),
    "chair-home": ("hungdv", "/"),
    "chair-overview": ("hungdv", "/scores/overview"),
    "chair-scorecard": ("hungdv", _scorecard_page),
    "chair-ranks": ("hungdv", _ranks_page),
    "chair-assignments": ("hungdv", "/assignments/"),
    "chair-dossier-statistics": ("hungdv", "/dossiers/stats"),
    "admin-users": ("admin", "/admin/users"),
}


def _open(page, name: str) -> None:
    user, where = PAGES[name]
    if user:
        sign_in(page, user)
    path = where if isinstance(where, str) else where(page)
    assert path, f"{name}: no link to the page"
    page.goto(path)
    page.wait_for_load_state()


def _axe(page) -> list[dict]:
    page.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page.add_script_tag(url=AXE_PATH)
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}: {node['failureSummary'][:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_main_pages_have_no_serious_accessibility_violation(page, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, name)
    violations = [v for v in _axe(page) if v["impact"] in ("serious", "critical") or v["id"] in STRICT]
    assert not violations, f"{name} at {width} px:\n{_report(violations)}"
    if width <= 400:
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= width, f"{name} scrolls sideways at {width} px ({scroll} px wide)"


HEADINGS = """() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))
  .filter(h => h.getClientRects().length).map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""


@pytest.mark.parametrize("name", list(PAGES))
def test_main_pages_have_one_h1_and_headings_that_skip_no_level(page, name):
    _open(page, name)
    headings = page.evaluate(HEADINGS)
    assert [level for level, _ in headings].count(1) == 1, f"{name}: {headings}"
    assert headings[0][0] == 1, f"{name}: the first heading is not the h1: {headings}"
    jumps = [(a, b) for a, b in zip(headings, headings[1:], strict=False) if b[0] > a[0] + 1]
    assert not jumps, f"{name}: heading levels skipped: {jumps}"
    if name in README_PAGES:
        screenshot(page, f"7-{name}")
        if page.locator("figure.chart").count():
            chart_screenshot(page, f"7-{name}-chart")


README_PAGES = ("officer-home", "head-home", "chair-home", "chair-overview", "chair-scorecard", "chair-ranks",
                "chair-assignments", "chair-dossier-statistics")


def chart_screenshot(page, name: str) -> None:
    """With UPDATE_SCREENSHOTS=1: the screen showing the page's first chart, at 1280 and 390 px."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("figure.chart").first.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))


def test_the_skip_link_is_first_and_shown_on_focus(page):
    sign_in(page, "hungdv")
    page.keyboard.press("Tab")
    link = page.locator(":focus")
    assert link.inner_text() == "Bỏ qua đến nội dung chính"
    assert link.bounding_box()["height"] >= 24 and link.bounding_box()["y"] >= 0
    link.press("Enter")
    assert page.evaluate("location.hash") == "#content"
