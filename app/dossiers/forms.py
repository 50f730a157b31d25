from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, choices


class ClaimForm(Form):
    reason = TextAreaField(_l("Mô tả lỗi dữ liệu"), validators=[DataRequired(_l("Nêu rõ lỗi dữ liệu.")), Length(max=4000)],
                           description=_l("Ví dụ: hồ sơ đã trả kết quả ngày 12/11 nhưng hệ thống một cửa đồng bộ lên cổng ngày 15/11."))
    evidence = FileField(_l("Minh chứng (PDF, PNG, JPG; tối đa 5 MB)"), validators=[Optional()])


class DecisionForm(Form):
    decision = RadioField(_l("Quyết định"), choices=choices([("accept", "Xác nhận lỗi dữ liệu"),
                                                         ("reject", "Không chấp nhận")]),
                          validators=[DataRequired(_l("Chọn quyết định."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])
