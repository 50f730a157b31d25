"""Forms of the calendar page: one override (a day, working or off, a note) and the removal of one."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from app.core.forms import Form, VnDateField, choices
from app.core.i18n import N_

KINDS = {"work": N_("Là ngày làm việc (làm bù)"), "off": N_("Là ngày nghỉ")}


class CalendarDayForm(Form):
    day = VnDateField(_l("Ngày"), validators=[InputRequired(_l("Nhập ngày cần điều chỉnh."))])
    is_working_day = SelectField(_l("Ngày này"), choices=choices((k, _l(v)) for k, v in KINDS.items()), default="work")
    note = StringField(_l("Ghi chú (lý do, căn cứ)"), validators=[DataRequired(_l("Nhập ghi chú: lý do hoặc căn cứ điều chỉnh.")),
                                                              Length(max=255)],
                       description=_l("Ví dụ: Thông báo số …/TB-BNV về lịch nghỉ Tết; làm bù cho ngày 02/01."))


class ClearDayForm(Form):
    """Only the CSRF token: the day is in the address."""
