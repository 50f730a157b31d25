"""The explanation review journey in a real browser: the officer explains her red indicator, the chair sends it back
with a comment, the officer sees the comment on the page and in her alerts, with the history of the explanation."""

from __future__ import annotations

from datetime import timedelta

from app.core.time import today_vn
from tests.browser.conftest import screenshot, sign_in

ROW = "Tỷ lệ hồ sơ xử lý đúng hạn"
COMMENT = "Nêu rõ số hồ sơ trễ hạn và ngày khắc phục xong."


def _red_row(page):
    page.goto("/scores/red")
    return page.locator("tr", has_text=ROW).filter(has_text="UBND huyện Ninh Sơn").first


def _sign_out(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def test_the_chair_sends_an_explanation_back_and_the_owner_sees_the_comment_and_the_alert(page):
    sign_in(page, "yenntk")
    _red_row(page).get_by_role("link", name="Giải trình").click()
    page.fill("textarea[name=reason]", "Nhiều hồ sơ đất đai tồn từ tháng trước chuyển sang.")
    page.fill("textarea[name=remedy]", "Rà soát hằng ngày, nhắc việc trước hạn 2 ngày.")
    page.fill("input[name=due_on]", (today_vn() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Gửi giải trình").click()
    assert "chờ lãnh đạo duyệt" in page.locator(".flash.success").inner_text()
    _sign_out(page)

    sign_in(page, "hungdv")
    row = _red_row(page)
    assert "Chờ duyệt" in row.inner_text() and "Nguyễn Thị Kim Yến" in row.inner_text()
    row.get_by_role("link", name="Duyệt").click()
    assert page.locator("textarea[name=reason]").count() == 0  # the chair reviews, he no longer edits the text
    page.get_by_role("button", name="Trả lại").click()  # no comment: refused, nothing sent back
    assert "Khi trả lại, ghi rõ cần sửa gì" in page.locator("main").inner_text()
    page.fill("textarea[name=comment]", COMMENT)
    screenshot(page, "giai-trinh-duyet")
    page.get_by_role("button", name="Trả lại").click()
    assert "Đã trả lại giải trình" in page.locator(".flash.success").inner_text()
    _sign_out(page)

    sign_in(page, "yenntk")
    page.goto("/alerts/")
    alert = page.locator("tr", has_text="Giải trình bị trả lại, cần sửa và gửi lại").first
    assert COMMENT in alert.inner_text()
    alert.get_by_role("link").first.click()
    returned = page.locator("#returned-comment")
    assert COMMENT in returned.inner_text() and "Đoàn Văn Hùng" in returned.inner_text()
    history = page.locator("section", has=page.locator("h2", has_text="Lịch sử giải trình")).inner_text()
    assert "Gửi phiên bản 1" in history and "Trả lại phiên bản 1" in history and "Nguyễn Thị Kim Yến" in history
    assert page.locator("textarea[name=reason]").count() == 1  # she revises and resubmits
    screenshot(page, "giai-trinh-tra-lai")
