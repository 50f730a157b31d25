"""Two people saving the same record at once: a clear message with the value now stored, never a 500."""

from datetime import date

import sqlalchemy as sa

from app.auth.services import find_user
from app.indicators.models import Indicator
from app.org.services import find_unit_by_code


def test_two_people_explaining_at_once_get_a_message_with_the_saved_text(scored, db, client, auth, monkeypatch):
    """The second save does not see the first (as when both press «Lưu» together): a message, not a 500."""
    from datetime import UTC, datetime

    from app.scores import accountability
    from app.scores.periods import month_period

    ns = find_unit_by_code("NS")
    progress = db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))
    accountability.save_explanation(unit=ns, indicator=progress, period=month_period(2026, 10),
                                    reason="Lỗi đồng bộ từ một cửa trong 5 ngày.", remedy="Đồng bộ lại toàn bộ hồ sơ.",
                                    due_on=date(2026, 12, 1), actor=find_user("yenntk"),
                                    now=datetime(2026, 11, 15, tzinfo=UTC))
    db.session.commit()
    real = accountability.find_explanation
    calls = []

    def not_yet_visible(*args):
        calls.append(args)
        return None if len(calls) <= 2 else real(*args)  # the page's form and the service see none

    monkeypatch.setattr(accountability, "find_explanation", not_yet_visible)
    auth.login("yenntk")
    response = client.post(f"/scores/red/{ns.id}/{progress.id}/2026-10", data={
        "reason": "Nguyên nhân do tôi viết cùng lúc.", "remedy": "Biện pháp do tôi viết cùng lúc.",
        "due_on": "2026-12-15"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Người khác vừa lưu cùng dữ liệu này" in html
    assert "Giải trình hiện tại" in html and "Lỗi đồng bộ từ một cửa trong 5 ngày." in html
    assert "Nguyễn Thị Kim Yến" in html
