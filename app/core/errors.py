"""Domain errors carry a Vietnamese message meant for the user."""


class DomainError(Exception):
    """A rule was broken; `message` is shown to the user as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist or is outside the user's scope: both answer 404, so ids cannot be enumerated."""


class Forbidden(DomainError):
    """The object is visible to the user but they may not do this (403)."""


class StaleEdit(DomainError):
    """Someone saved the record after the user loaded it: who, when and what is stored now; nothing was written.

    `current` is a list of (label, value) pairs shown to the user; `record` is the record as stored now (for a closed
    assignment, the one that replaced it), so that the page can offer to reapply the user's input on it.
    """

    def __init__(self, *, who: str | None, at, current: list[tuple[str, str]], record=None):
        from flask_babel import gettext

        from app.core.formatting import local_date
        from app.core.time import to_vn

        moment = to_vn(at) if at is not None else None
        when = (gettext("%(time)s ngày %(date)s", time=f"{moment:%H:%M}", date=local_date(moment.date()))
                if moment is not None else gettext("vừa rồi"))
        values = "; ".join(f"{gettext(label)}: {value}" for label, value in current) or "—"
        super().__init__(gettext(
            "Bản ghi đã được %(who)s sửa lúc %(when)s trong khi bạn đang sửa. Giá trị hiện tại: %(values)s. Thay đổi "
            "của bạn chưa được lưu; nội dung bạn nhập vẫn giữ nguyên trên biểu mẫu: kiểm tra rồi lưu lại nếu vẫn muốn "
            "áp dụng.", who=who or gettext("người khác"), when=when, values=values))
        self.who, self.at, self.current, self.record = who, at, current, record
