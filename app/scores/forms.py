from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, VnDateField


class ExplanationForm(Form):
    version = HiddenField()  # the version of the stored explanation the user saw; empty: none was stored
    reason = TextAreaField("Giải trình (nguyên nhân)", validators=[DataRequired("Nhập nội dung giải trình."),
                                                                   Length(max=4000)])
    remedy = TextAreaField("Biện pháp khắc phục", validators=[DataRequired("Nhập biện pháp khắc phục."),
                                                              Length(max=4000)])
    due_on = VnDateField("Hạn hoàn thành", validators=[DataRequired("Nhập hạn hoàn thành.")])


class ManualEntryForm(Form):
    version = HiddenField()  # the version of the stored value the user saw (0: none); empty: the user saw none
    indicator_id = SelectField("Chỉ số", coerce=int)
    period = StringField("Kỳ", validators=[DataRequired("Nhập kỳ đánh giá.")],
                         description="Tháng 10/2026, quý Quý 3/2026 (hoặc Q3/2026) hoặc năm 2026.")
    numerator = StringField("Tử số", validators=[DataRequired("Nhập tử số.")])
    denominator = StringField("Mẫu số", validators=[DataRequired("Nhập mẫu số.")])
    note = TextAreaField("Ghi chú, nguồn số liệu", validators=[Optional(), Length(max=2000)])
