from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, VnDateField


class ReassignForm(Form):
    version = HiddenField()  # the version of the assignment the user saw (optimistic locking)
    responsible_unit_id = SelectField(_l("Đơn vị phụ trách"), coerce=int)
    cooperating_unit_ids = SelectMultipleField(_l("Đơn vị phối hợp"), coerce=int, validators=[Optional()])
    cooperating_label = StringField(
        _l("Cách ghi đơn vị phối hợp trong kế hoạch"),
        validators=[Optional(), Length(max=400)],
        description=_l("Ví dụ: «Các cơ quan chuyên môn và UBND các xã». Để trống thì liệt kê tên các đơn vị."),
    )
    performer_ids = SelectMultipleField(_l("Người thực hiện"), coerce=int, validators=[Optional()])
    team_unit_id = SelectField(_l("Tổ/bộ phận thực hiện (tất cả thành viên)"), coerce=int)
    effective_from = VnDateField(_l("Hiệu lực từ ngày"), validators=[DataRequired(_l("Nhập ngày hiệu lực."))])
    note = TextAreaField(_l("Ghi chú / lý do"), validators=[Optional(), Length(max=2000)])
    correction_reason = TextAreaField(
        _l("Lý do điều chỉnh hồi tố"), validators=[Optional(), Length(max=2000)],
        description=_l("Chỉ khi ngày hiệu lực trước hôm nay: việc này đổi người chịu trách nhiệm của thời gian đã "
                       "qua, được ghi nhật ký cùng lý do."),
    )
