"""The home page of each role in a real browser at 1280 and 390 px: what needs the user now is on it, and the page
never scrolls sideways (wide tables scroll inside their own box)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import WIDTHS, sign_in

HOMES = [
    ("hungdv", "Tổng quan: UBND huyện Ninh Sơn", ("Tổng điểm", "Xếp hạng trong", "Chỉ số chưa giải trình",
                                                  "Đơn vị trực thuộc có chỉ số đỏ", "Điểm theo nhóm chỉ số")),
    ("binhnv", "Bảng điểm: UBND thị trấn Tân Sơn", ("Tổng điểm", "Xếp hạng trong các xã, phường, thị trấn",
                                                   "Chỉ số chưa giải trình")),
    ("yenntk", "Chỉ số của tôi", ("Cần giải trình", "Giải trình (hạn")),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("username", "title", "texts"), HOMES, ids=[h[0] for h in HOMES])
def test_the_home_page_says_what_needs_the_user_now_without_sideways_scrolling(page, username, title, texts, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, username)
    assert page.locator("h1").inner_text() == title
    main = page.locator("main").inner_text()
    for text in texts:
        assert text in main, (username, width, text)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (username, width)


def test_the_chairs_heatmap_has_a_total_column_and_a_legend(page):
    sign_in(page, "hungdv")
    heat = page.locator("table.heat")
    assert heat.locator("thead th").last.inner_text().startswith("Tổng")
    row = heat.locator("tbody tr", has=page.get_by_role("link", name="huyện Ninh Sơn"))
    assert re.fullmatch(r"\d+,\d", row.locator("td").last.inner_text())
    assert page.get_by_role("list", name="Chú giải màu").locator(".pill").count() == 5


def test_the_officers_explain_button_opens_the_explanation_form(page):
    sign_in(page, "yenntk")
    button = page.locator(".todo").get_by_role("link", name="Giải trình (hạn")
    assert button.count() == 1
    assert re.fullmatch(r"Giải trình \(hạn \d\d/\d\d/\d{4}\)", button.inner_text())
    box = button.bounding_box()
    assert box["height"] >= 44  # a tap target, not a link inside a sentence
    button.click()
    assert re.search(r"/scores/red/\d+/\d+/\d{4}-\d\d$", page.url)
    assert page.locator("textarea[name=reason]").is_visible()
