"""Form base with Vietnamese messages for WTForms' built-in validators, and error plumbing."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput

from app.core.errors import DomainError, Forbidden, NotFound, StaleEdit
from app.core.i18n import N_

_VI = {
    "This field is required.": "Trường này là bắt buộc.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Not a valid choice": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "«%(value)s» không phải lựa chọn hợp lệ.",
    "'%(value)s' are not valid choices for this field.": "«%(value)s» không phải lựa chọn hợp lệ.",
    "Choices cannot be None.": "Chưa có lựa chọn nào.",
    "Not a valid date value.": "Ngày không hợp lệ.",
    "Not a valid datetime value.": "Ngày giờ không hợp lệ.",
    "Not a valid integer value.": "Cần nhập một số nguyên.",
    "Not a valid decimal value.": "Cần nhập một số.",
    "Not a valid float value.": "Cần nhập một số.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Field must be equal to %(other_name)s.": "Giá trị phải trùng với trường %(other_name)s.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không quá %(max)d ký tự.",
    "Number must be between %(min)s and %(max)s.": "Số phải nằm trong khoảng %(min)s đến %(max)s.",
    "Number must be at least %(min)s.": "Số phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Số không được lớn hơn %(max)s.",
    "The CSRF token is missing.": "Thiếu mã bảo vệ biểu mẫu (CSRF). Hãy tải lại trang và gửi lại.",
    "The CSRF token has expired.": "Mã bảo vệ biểu mẫu đã hết hạn. Hãy tải lại trang và gửi lại.",
    "The CSRF token is invalid.": "Mã bảo vệ biểu mẫu không hợp lệ. Hãy tải lại trang và gửi lại.",
    "The CSRF tokens do not match.": "Mã bảo vệ biểu mẫu không khớp. Hãy tải lại trang và gửi lại.",
    "The CSRF session token is missing.": "Phiên làm việc đã hết. Hãy tải lại trang và gửi lại.",
}


class _Vietnamese:
    def gettext(self, string):
        return _VI.get(string, string)

    def ngettext(self, singular, plural, n):
        return _VI.get(singular if n == 1 else plural, singular if n == 1 else plural)


class Form(FlaskForm):
    """Every form of the app: Vietnamese validator messages."""

    class Meta:
        def get_translations(self, form):
            return _Vietnamese()


_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
DATE_HINT = lazy_gettext("nhập theo dạng ngày/tháng/năm, ví dụ 03/12/2026")


def parse_vn_date(text: str | None) -> date:
    """A date typed as Vietnamese write it, dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy), or as yyyy-mm-dd;
    ValueError with a Vietnamese message otherwise."""
    from flask_babel import gettext

    raw = (text or "").strip()
    if m := _DMY.fullmatch(raw):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _ISO.fullmatch(raw):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        raise ValueError(gettext("Ngày «%(text)s» không hợp lệ: %(hint)s.", text=raw, hint=DATE_HINT))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(gettext("Ngày «%(text)s» không có trên lịch: %(hint)s.", text=raw, hint=DATE_HINT)) from None


class VnDateField(DateField):
    """A date typed and shown as dd/mm/yyyy whatever the browser's language (a text input, not <input type=date>,
    whose display follows the browser's locale), with a numeric keyboard on phones; yyyy-mm-dd is accepted too.
    Empty is None, left to DataRequired/InputRequired/Optional."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "placeholder": "dd/mm/yyyy", "autocomplete": "off",
                     "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}", "maxlength": "10", "size": "10",
                     **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist):
        text = " ".join(valuelist or []).strip()
        if not text:
            self.data = None
            return
        try:
            self.data = parse_vn_date(text)
        except ValueError as exc:
            self.data = None
            raise ValueError(str(exc)) from None

    def validate(self, form, extra_validators=()):
        """A date that could not be read says why (DataRequired would replace it by "enter a date")."""
        if self.process_errors:
            self.errors = list(self.process_errors)
            return False
        return super().validate(form, extra_validators)


def _number_kw(mode: str, kwargs: dict) -> dict:
    return {"inputmode": mode, **(kwargs.pop("render_kw", None) or {})}


class NumericField(IntegerField):
    """A whole number with the phone's numeric keyboard."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, render_kw=_number_kw("numeric", kwargs), **kwargs)


class DecimalText(StringField):
    """A number typed the Vietnamese way ("1.234,5" or "1234.5"; the service parses it), decimal keyboard."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, render_kw=_number_kw("decimal", kwargs), **kwargs)


def show_error(form, exc: DomainError) -> None:
    """Attach a service's error to the field it names, or to the form as a whole."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


FAILED = object()


CONFLICT = N_("Người khác vừa lưu cùng dữ liệu này nên thay đổi của bạn chưa được lưu. Giá trị đang lưu được hiển "
            "thị trên trang: kiểm tra rồi lưu lại nếu cần.")


def commit_or_show(form, action, conflict: str = CONFLICT):
    """Run a service call and commit; on a DomainError roll back, show its message on the form and return FAILED.

    A unique-constraint clash (two people saving the same record at once) rolls back and says so on the form
    (`conflict` is the message, when the caller can say more precisely what clashed). An edit of a record someone
    else changed meanwhile (StaleEdit from the service, or StaleDataError when both passed that check and met at the
    UPDATE) says who changed it, when and what it holds now; `form.stale` keeps that error (the page answers 409).
    """
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from app.core.locking import stale_after_flush
    from app.extensions import db

    form.stale = None
    try:
        result = action()
        db.session.commit()
        return result
    except (NotFound, Forbidden):  # access, not input: answered 404 / 403 by the app, never as a form error
        db.session.rollback()
        raise
    except StaleEdit as exc:
        db.session.rollback()
        form.stale = exc
        show_error(form, exc)
        return FAILED
    except StaleDataError:
        form.stale = stale_after_flush(db.session)
        show_error(form, form.stale)
        return FAILED
    except DomainError as exc:
        db.session.rollback()
        show_error(form, exc)
        return FAILED
    except IntegrityError:
        db.session.rollback()
        form.form_errors.append(gettext(conflict))
        return FAILED


def failed_status(form) -> int:
    """409 when the save clashed with someone else's edit, else 422 (the input itself was refused)."""
    return 409 if getattr(form, "stale", None) is not None else 422
