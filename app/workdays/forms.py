"""Forms of the calendar page: one override (a day, working or off, a note) and the removal of one."""

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from app.core.forms import Form, VnDateField, choices

KINDS = {"work": "Là ngày làm việc (làm bù)", "off": "Là ngày nghỉ"}


class CalendarDayForm(Form):
    day = VnDateField("Ngày", validators=[InputRequired("Nhập ngày cần điều chỉnh.")])
    is_working_day = SelectField("Ngày này", choices=choices(KINDS.items()), default="work")
    note = StringField("Ghi chú (lý do, căn cứ)", validators=[DataRequired("Nhập ghi chú: lý do hoặc căn cứ điều chỉnh."),
                                                              Length(max=255)],
                       description="Ví dụ: Thông báo số …/TB-BNV về lịch nghỉ Tết; làm bù cho ngày 02/01.")


class ClearDayForm(Form):
    """Only the CSRF token: the day is in the address."""
