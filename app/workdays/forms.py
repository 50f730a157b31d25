"""Forms of the calendar page: one override (a day, working or off, a note) and the removal of one."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from app.core.forms import Form, choices
from app.core.i18n import N_

KINDS = {"work": N_("Là ngày làm việc (làm bù)"), "off": N_("Là ngày nghỉ")}


class _DateField(DateField):
    """A date typed as 2026-02-14 (the browser's date picker) or 14/02/2026; empty is None, left to InputRequired."""

    def process_formdata(self, valuelist):
        if valuelist and not " ".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class CalendarDayForm(Form):
    day = _DateField(_l("Ngày"), format=["%Y-%m-%d", "%d/%m/%Y"], validators=[InputRequired(_l("Nhập ngày cần điều chỉnh."))],
                     invalid_value_message="Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 14/02/2026.")
    is_working_day = SelectField(_l("Ngày này"), choices=choices((k, _l(v)) for k, v in KINDS.items()), default="work")
    note = StringField(_l("Ghi chú (lý do, căn cứ)"), validators=[DataRequired(_l("Nhập ghi chú: lý do hoặc căn cứ điều chỉnh.")),
                                                              Length(max=255)],
                       description=_l("Ví dụ: Thông báo số …/TB-BNV về lịch nghỉ Tết; làm bù cho ngày 02/01."))


class ClearDayForm(Form):
    """Only the CSRF token: the day is in the address."""
