from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, choices


class ClaimForm(Form):
    reason = TextAreaField("Mô tả lỗi dữ liệu", validators=[DataRequired("Nêu rõ lỗi dữ liệu."), Length(max=4000)],
                           description="Ví dụ: hồ sơ đã trả kết quả ngày 12/11 nhưng hệ thống một cửa đồng bộ lên "
                                       "cổng ngày 15/11.")
    evidence = FileField("Minh chứng (PDF, PNG, JPG; tối đa 5 MB)", validators=[Optional()])


class DecisionForm(Form):
    decision = RadioField("Quyết định", choices=choices([("accept", "Xác nhận lỗi dữ liệu"),
                                                         ("reject", "Không chấp nhận")]),
                          validators=[DataRequired("Chọn quyết định.")])
    note = TextAreaField("Ghi chú", validators=[Optional(), Length(max=2000)])
