"""The main journeys in a real browser (Debian's Chromium, headless) against the live app on 127.0.0.1: what each
user sees, through the real forms (CSRF tokens included). UPDATE_SCREENSHOTS=1 saves the README's screenshots."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot, sign_in


def unread_badge(page) -> int:
    """The unread-alert count in the header (0 when the badge is absent)."""
    badge = page.locator("header .who .badge")
    return int(badge.inner_text()) if badge.count() else 0


def test_an_officer_signs_in_and_sees_her_indicators_with_the_red_one(page):
    sign_in(page, "yenntk")
    assert page.locator("h1").inner_text() == "Chỉ số của tôi"
    assert "Nguyễn Thị Kim Yến" in page.locator("header").inner_text()
    card = page.locator(".card", has=page.locator("h2", has_text="II. Tiến độ, kết quả giải quyết"))
    row = card.locator("tr", has_text="Tỷ lệ hồ sơ xử lý đúng hạn")
    assert row.locator(".pill.band-4").inner_text() == "Yếu"  # the lowest band, drawn red
    assert re.search(r"\d+,\d\d / 20,00", row.inner_text())
    screenshot(page, "1-chi-so-cua-toi")


def test_a_chair_reassigns_a_group_and_the_table_and_history_show_it(page):
    sign_in(page, "hungdv")
    page.goto("/assignments/")
    group = page.locator("tr#row-G\\:I")
    assert "Nguyễn Anh Văn" in group.inner_text()
    group.get_by_role("link", name="Chuyển giao").click()
    performers = page.get_by_role("group", name="Người thực hiện")
    performers.get_by_role("checkbox", name="Nguyễn Anh Văn").uncheck()
    performers.get_by_role("checkbox", name="Trần Thị Thu Hằng").check()
    page.fill("textarea[name=note]", "Đồng chí Văn chuyển công tác.")
    page.get_by_role("button", name="Lưu phân công").click()
    assert "Đã lưu phân công" in page.locator(".flash.success").inner_text()
    group = page.locator("tr#row-G\\:I")
    performer = group.locator("td[data-label='Người thực hiện']")
    assert performer.locator(".history li.current").inner_text().endswith("Trần Thị Thu Hằng")
    assert "Nguyễn Anh Văn" in performer.locator(".history li:not(.current)").inner_text()
    screenshot(page, "2-bang-phan-cong")
    group.get_by_role("link", name="Lịch sử").click()
    history = page.locator("main").inner_text()
    assert "Trần Thị Thu Hằng" in history and "Nguyễn Anh Văn" in history
    assert "Đồng chí Văn chuyển công tác." in history


def test_an_officer_acknowledges_an_alert_and_the_unread_count_drops(page):
    sign_in(page, "yenntk")
    page.get_by_role("link", name=re.compile("^Cảnh báo")).click()
    before = unread_badge(page)
    assert before > 0
    first = page.locator("main tbody tr", has=page.get_by_role("button", name="Đã xem")).first
    message = first.locator("td[data-label='Nội dung']").inner_text()
    first.get_by_role("button", name="Đã xem").click()
    assert page.locator(".flash.success").inner_text() == "Đã xác nhận cảnh báo."
    assert unread_badge(page) == before - 1
    row = page.locator("main tbody tr", has_text=message)
    assert row.locator("td[data-label='Trạng thái']").inner_text() == "Đã xem"
    assert row.get_by_role("button", name="Đã xem").count() == 0
    screenshot(page, "3-canh-bao")


@pytest.fixture
def submitted_report(live_server):
    """The district's quarterly report of the last full quarter, drafted and submitted by the district's admin."""
    from app.auth.services import find_user
    from app.core.time import now_utc, today_vn
    from app.extensions import db
    from app.org.services import find_unit_by_code
    from app.reports import services
    from app.scores.periods import quarter_period

    today = today_vn()
    year, quarter = today.year, (today.month - 1) // 3
    if quarter == 0:
        year, quarter = year - 1, 4
    with live_server.app.app_context():
        admin = find_user("admin")
        doc = services.create_draft(kind="report", unit=find_unit_by_code("NS"), period=quarter_period(year, quarter),
                                    actor=admin, today=today, now=now_utc())
        services.submit(doc, actor=admin, now=now_utc())
        db.session.commit()
        yield doc.id
        db.session.remove()


def test_a_chair_approves_and_signs_the_quarterly_report_and_an_officer_downloads_it(page, live_server,
                                                                                    submitted_report, tmp_path):
    sign_in(page, "hungdv")
    page.goto(f"/documents/{submitted_report}")
    assert page.locator("#status").inner_text() == "Đã trình"
    page.get_by_role("button", name="Duyệt").click()
    assert page.locator("#status").inner_text() == "Đã duyệt"
    page.get_by_role("button", name="Ký số và ban hành").click()
    assert page.locator("#status").inner_text() == "Đã ký ban hành"
    flash = page.locator(".flash.success").inner_text()
    number = re.search(r"Số: (\d+/BC-UBND)", flash).group(1)
    assert "Đoàn Văn Hùng" in page.locator(".facts").inner_text()
    screenshot(page, "4-bao-cao-da-ky")

    officer = page.context.browser.new_context(base_url=live_server.url, accept_downloads=True)
    officer.route("**/*", lambda route: route.continue_() if "//127.0.0.1:" in route.request.url else (
        live_server.offsite.append(route.request.url), route.abort()))
    other = officer.new_page()
    sign_in(other, "yenntk")
    other.goto("/documents/")
    row = other.locator("#documents tbody tr", has_text=number)
    with other.expect_download() as info:
        row.get_by_role("link", name="Tải PDF đã ký").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    officer.close()
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF")
    from app.core.time import now_utc
    from app.reports import signing
    from app.reports.verify import verify_pdf

    def check():
        with live_server.app.app_context():
            return verify_pdf(data, roots=signing.trust_roots(), now=now_utc())

    # pyHanko validates with asyncio.run, which refuses to run beside Playwright's event loop: another thread
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(check).result()
    assert result.ok, result.summary
    assert any("Đoàn Văn Hùng" in s.signer for s in result.signatures)


# the page's own words: a letter outside ASCII (Vietnamese diacritics, đ) outside elements marked translate="no"
# (names, units, the catalog's indicator names, stored alert messages) is a string left untranslated
PAGE_TEXT = """() => { const body = document.body.cloneNode(true);
  body.querySelectorAll('[translate=no], #language').forEach(e => e.remove());
  const attrs = [...body.querySelectorAll('[data-label],[aria-label],[title]')].flatMap(
      e => ['data-label', 'aria-label', 'title'].map(a => e.getAttribute(a) || ''));
  return [document.title, body.innerText, ...attrs].join('\\n'); }"""


def untranslated(page) -> list[str]:
    """Words of the page (text, title, stacked-table labels; not the language switch) still in Vietnamese."""
    return [w for w in re.findall(r"\w+", page.evaluate(PAGE_TEXT))
            if any(not c.isascii() and c.isalpha() for c in w)]


def test_a_page_in_english_from_the_language_switch_and_kept_on_the_account(page, live_server):
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.locator("#language").get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.get_by_label("Username").is_visible() and page.get_by_label("Password").is_visible()
    assert untranslated(page) == []
    screenshot(page, "6-sign-in-en")
    sign_in(page, "yenntk")
    assert page.locator("h1").inner_text() == "My indicators"
    nav = page.get_by_role("navigation", name="Main navigation")
    for label in ("My indicators", "Scores", "Assignments", "Documents"):
        assert nav.get_by_role("link", name=label).is_visible()
    row = page.locator("tr", has_text="Tỷ lệ hồ sơ xử lý đúng hạn")  # the catalog's name: data, not translated
    assert row.locator(".pill.band-4").inner_text() == "Poor"
    assert "Open alerts" in page.locator("main").inner_text()
    assert untranslated(page) == []
    screenshot(page, "6-my-indicators-en")

    # the choice is on the account: a new browser, signed in, is in English; Vietnamese again from the switch
    other = page.context.browser.new_context(base_url=live_server.url, locale="vi-VN")
    again = other.new_page()
    sign_in(again, "yenntk")
    assert again.locator("h1").inner_text() == "My indicators"
    again.locator("#language").get_by_role("button", name="Tiếng Việt").click()
    assert again.locator("h1").inner_text() == "Chỉ số của tôi"
    assert again.locator("html").get_attribute("lang") == "vi"
    other.close()


def test_an_idle_session_expires_and_the_next_click_goes_back_to_sign_in(page, live_server, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "SESSION_IDLE_TIMEOUT", 2)
    sign_in(page, "yenntk")
    assert page.locator("h1").inner_text() == "Chỉ số của tôi"
    time.sleep(3)  # the contract is about wall-clock idleness of a real session
    page.get_by_role("link", name="Điểm số").click()
    assert urlsplit_path(page.url) == "/login"
    assert "hết hạn" in page.locator(".flash").inner_text()
    screenshot(page, "5-het-phien")


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path
