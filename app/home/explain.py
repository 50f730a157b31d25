"""When a red indicator must be explained, and the state of its explanation as the home pages show it.

The deadline is not in Decision 766: it is configured (EXPLANATION_DEADLINE_MONTHS, default 1: by the end of the
month after the period, e.g. 31/12/2026 for Tháng 11/2026).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext

from app.core.formatting import vn_date
from app.scores.models import Explanation
from app.scores.periods import Period


def explanation_deadline(period: Period, months_after: int = 1) -> date:
    """The last day of the month `months_after` months after the period's last month."""
    y, m = divmod(period.end_date.year * 12 + period.end_date.month - 1 + months_after, 12)
    return date(y, m + 1, calendar.monthrange(y, m + 1)[1])


@dataclass(frozen=True)
class ExplanationState:
    """What the owner of a red indicator still has to do: `key` for code and tests, `label` and `css` for pages."""

    key: str  # "missing" | "overdue" | "returned" | "submitted" | "accepted"
    label: str
    css: str  # badge class
    deadline: date
    needs_action: bool

    @property
    def urgency(self) -> int:
        """0 = overdue, 1 = to explain or sent back, 2 = explained (sort key)."""
        return {"overdue": 0, "missing": 1, "returned": 1}.get(self.key, 2)


def explanation_state(explanation: Explanation | None, deadline: date, today: date) -> ExplanationState:
    """The one place that reads an explanation's state for the home pages: none yet (to explain, or overdue), sent
    back by the reviewer (to correct), waiting for review, or accepted (app.scores.review keeps the review state)."""
    if explanation is None:
        if today > deadline:
            return ExplanationState("overdue", gettext("Quá hạn giải trình (hạn %(day)s)", day=vn_date(deadline)),
                                    "warn", deadline, True)
        return ExplanationState("missing", gettext("Chưa giải trình, hạn %(day)s", day=vn_date(deadline)),
                                "warn", deadline, True)
    if explanation.state == "returned":
        return ExplanationState("returned", gettext("Giải trình bị trả lại: sửa và gửi lại, hạn %(day)s",
                                                    day=vn_date(deadline)), "warn", deadline, True)
    if explanation.state == "accepted":
        return ExplanationState("accepted", gettext("Giải trình đã được chấp nhận, hạn khắc phục %(day)s",
                                                    day=vn_date(explanation.due_on)), "ok", explanation.due_on, False)
    return ExplanationState("submitted", gettext("Đã giải trình, chờ duyệt; hạn khắc phục %(day)s",
                                                 day=vn_date(explanation.due_on)), "ok", explanation.due_on, False)
