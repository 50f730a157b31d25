"""Explanations of red indicators and their review: the owner submits versions (each one immutable), a reviewer
(app.scores.access.can_review_explanation) accepts the latest or returns it with a comment, which alerts the owner.

Services flush; the caller commits. A clash (two reviewers at once, a review racing a resubmission) is a StaleEdit
or, when both passed the version check, a StaleDataError / IntegrityError at the flush (core.forms.commit_or_show).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.alerts import services as alerts
from app.alerts.models import Alert
from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, Forbidden, StaleEdit
from app.core.i18n import N_
from app.core.i18n import request_gettext as gettext
from app.core.locking import describes, ensure_version
from app.extensions import db
from app.indicators.models import Indicator
from app.org.models import Unit
from app.scores.access import can_review_explanation
from app.scores.models import Explanation, ExplanationReview, ExplanationVersion
from app.scores.periods import Period

RETURNED_KIND = "explanation_returned"
STATE_LABELS = {
    "none": N_("Chưa giải trình"),
    "submitted": N_("Chờ duyệt"),
    "accepted": N_("Đã chấp nhận"),
    "returned": N_("Đã trả lại"),
}


def explanation_state(explanation: Explanation | None) -> tuple[str, str]:
    """Where an explanation stands, as a code (none / submitted / accepted / returned) and its label."""
    code = "none" if explanation is None else explanation.state
    return code, gettext(STATE_LABELS.get(code, code))


def period_of(explanation: Explanation) -> Period:
    from app.scores.queries import period_of as _period_of

    return _period_of(explanation.period_kind, explanation.period_start)


def current_version(explanation: Explanation) -> ExplanationVersion | None:
    return explanation.versions[-1] if explanation.versions else None


def last_return(explanation: Explanation | None) -> ExplanationReview | None:
    """The comment the owner must answer: the latest review, when it returned the explanation."""
    if explanation is None or explanation.state != "returned" or not explanation.reviews:
        return None
    return explanation.reviews[-1]


@dataclass
class Event:
    """One line of an explanation's history: a version submitted, or a review of one."""

    at: datetime
    who: User | None
    version: ExplanationVersion
    review: ExplanationReview | None = None


def history(explanation: Explanation | None) -> list[Event]:
    """Every version with its author and time and every review with its reviewer, time and decision, oldest first."""
    if explanation is None:
        return []
    events = [Event(v.created_at, v.author, v) for v in explanation.versions]
    events += [Event(r.created_at, r.reviewer, r.version, r) for r in explanation.reviews]
    return sorted(events, key=lambda e: (e.at, e.version.number, e.review is not None))


# --- the owner submits ------------------------------------------------------------------------------------------


def submit(*, unit: Unit, indicator: Indicator, period: Period, reason: str, remedy: str, due_on: date | None,
           actor: User, now: datetime, expected_version: int | None = None) -> Explanation:
    """Record a new version of the explanation and remedial action of a red indicator (the first, or one after a
    return or an edit); it awaits review. Resolves the indicator's alerts and the owner's "returned" alerts.

    `expected_version` is the version of the stored explanation the user saw (0: none was stored); another one means
    someone saved or reviewed meanwhile (StaleEdit, nothing written). None skips the check."""
    from app.scores.accountability import alert_key, can_explain, find_explanation

    if not can_explain(actor, unit, indicator, period):
        raise DomainError(gettext("Chỉ người phụ trách chỉ số (theo phân công, nếu chưa phân công là lãnh đạo đơn "
                                  "vị) mới được giải trình."))
    reason, remedy = (reason or "").strip(), (remedy or "").strip()
    if len(reason) < 10:
        raise DomainError(gettext("Nêu rõ nguyên nhân (giải trình), ít nhất 10 ký tự."), "reason")
    if len(remedy) < 10:
        raise DomainError(gettext("Nêu rõ biện pháp khắc phục, ít nhất 10 ký tự."), "remedy")
    if due_on is None:
        raise DomainError(gettext("Nhập hạn hoàn thành."), "due_on")
    if due_on < period.end_date:
        raise DomainError(gettext("Hạn hoàn thành phải sau kỳ đánh giá (từ %(day)s).",
                                  day=f"{period.end_date:%d/%m/%Y}"), "due_on")
    existing = find_explanation(unit, indicator, period)
    if existing is not None:
        ensure_version(existing, expected_version)
    text = {"reason": reason, "remedy": remedy, "due_on": due_on}
    before = None
    if existing is None:
        existing = Explanation(unit_id=unit.id, indicator_id=indicator.id, period_kind=period.kind,
                               period_start=period.start_date, created_at=now, state="submitted")
        db.session.add(existing)
        number = 1
    else:
        before = {"reason": existing.reason, "remedy": existing.remedy, "due_on": existing.due_on,
                  "state": existing.state}
        if {k: before[k] for k in text} == text:
            if existing.state == "returned":
                raise DomainError(gettext("Nội dung giống bản đã bị trả lại: sửa theo góp ý rồi gửi lại."), "reason")
            return existing  # saved as it was: no new version
        number = (current_version(existing).number if existing.versions else 0) + 1
    existing.reason, existing.remedy, existing.due_on, existing.author_id = reason, remedy, due_on, actor.id
    existing.updated_at, existing.state = now, "submitted"
    existing.versions.append(ExplanationVersion(number=number, reason=reason, remedy=remedy, due_on=due_on,
                                                author_id=actor.id, created_at=now))
    db.session.flush()
    record(actor, "score.explain", existing, before=before, after={**text, "state": "submitted", "number": number},
           now=now)
    key = alert_key(unit, indicator, period)
    alerts.resolve(subject_type="score", subject_key=key, now=now)
    alerts.resolve_cleared(subject_type="explanation", kinds=[RETURNED_KIND],
                           cleared=Alert.subject_key.startswith(key + "|", autoescape=True), now=now)
    return existing


# --- a reviewer decides -------------------------------------------------------------------------------------------


def review(explanation: Explanation, *, decision: str, comment: str, actor: User, now: datetime,
           expected_version: int | None = None) -> ExplanationReview:
    """Accept the latest version of an explanation, or return it with a comment (the owner is alerted)."""
    if not can_review_explanation(actor, explanation):
        raise Forbidden(gettext("Bạn không có quyền duyệt giải trình này."))
    ensure_version(explanation, expected_version)
    comment = (comment or "").strip()
    if decision not in ("accepted", "returned"):
        raise DomainError(gettext("Chọn «Chấp nhận» hoặc «Trả lại»."))
    if decision == "returned" and len(comment) < 5:
        raise DomainError(gettext("Khi trả lại, ghi rõ cần sửa gì (ít nhất 5 ký tự)."), "comment")
    if len(comment) > 2000:
        raise DomainError(gettext("Góp ý không quá 2000 ký tự."), "comment")
    version = current_version(explanation)
    if explanation.state != "submitted" or version is None:
        raise DomainError(gettext("Giải trình này không ở trạng thái chờ duyệt."))
    before = {"state": explanation.state}
    decided = ExplanationReview(explanation=explanation, version_id=version.id, decision=decision, comment=comment,
                                reviewer_id=actor.id, created_at=now)
    db.session.add(decided)
    explanation.state, explanation.updated_at = decision, now  # the last change (the text's time is its version's)
    db.session.flush()
    record(actor, "score.explain_accept" if decision == "accepted" else "score.explain_return", explanation,
           before=before, after={"state": decision, "number": version.number, "comment": comment}, now=now)
    if decision == "returned":
        _tell_owner(explanation, version, decided, now=now)
    return decided


def _tell_owner(explanation: Explanation, version: ExplanationVersion, decided: ExplanationReview, *,
                now: datetime) -> None:
    """The author of the returned version and whoever answers for the indicator hear of the return."""
    from app.scores.accountability import Responsibility, alert_key

    unit, indicator, period = explanation.unit, explanation.indicator, period_of(explanation)
    people = list(Responsibility(unit).of(indicator, period.end_date).people)
    if version.author is not None and version.author.is_active:
        people.append(version.author)
    reviewer = decided.reviewer.full_name if decided.reviewer is not None else ""
    alerts.raise_once(
        kind=RETURNED_KIND, subject_type="explanation", recipients=people, unit_id=unit.id, now=now,
        subject_key=f"{alert_key(unit, indicator, period)}|{version.number}",
        message=f"{reviewer} trả lại giải trình {indicator.label} của {unit.name} kỳ {period.label}: "
                f"«{decided.comment}». Sửa và gửi lại.",
        link=f"/scores/red/{unit.id}/{indicator.id}/{period.code}")


@describes(Explanation)
def _stale_explanation(e: Explanation) -> StaleEdit:
    """Who last changed the stored explanation (a new version or a review), when, what it says and where it stands."""
    last = max(history(e), key=lambda ev: (ev.at, ev.review is not None), default=None)
    who = last.who if last is not None else e.author
    return StaleEdit(who=who.full_name if who is not None else None, at=last.at if last else e.updated_at, record=e,
                     current=[(gettext("Trạng thái"), explanation_state(e)[1]), (gettext("Giải trình (nguyên nhân)"), e.reason),
                              (gettext("Biện pháp khắc phục"), e.remedy),
                              (gettext("Hạn hoàn thành"), f"{e.due_on:%d/%m/%Y}")])
