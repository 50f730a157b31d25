from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form


class ExplanationForm(Form):
    version = HiddenField()  # the version of the stored explanation the user saw; empty: none was stored
    reason = TextAreaField(_l("Giải trình (nguyên nhân)"), validators=[DataRequired(_l("Nhập nội dung giải trình.")),
                                                                       Length(max=4000)])
    remedy = TextAreaField(_l("Biện pháp khắc phục"), validators=[DataRequired(_l("Nhập biện pháp khắc phục.")),
                                                                  Length(max=4000)])
    due_on = DateField(_l("Hạn hoàn thành"), validators=[DataRequired(_l("Nhập hạn hoàn thành."))])


class ReviewForm(Form):
    """A reviewer's decision on the latest version: the button pressed decides (comment required to return)."""

    version = HiddenField()  # the version of the stored explanation the reviewer saw
    comment = TextAreaField(_l("Góp ý"), validators=[Optional(), Length(max=2000)],
                            description=_l("Bắt buộc khi trả lại: ghi rõ cần sửa gì."))
    accept = SubmitField(_l("Chấp nhận"))
    send_back = SubmitField(_l("Trả lại"))

    @property
    def decision(self) -> str | None:
        return "accepted" if self.accept.data else "returned" if self.send_back.data else None


class ManualEntryForm(Form):
    version = HiddenField()  # the version of the stored value the user saw (0: none); empty: the user saw none
    indicator_id = SelectField("Chỉ số", coerce=int)
    period = StringField("Kỳ", validators=[DataRequired("Nhập kỳ đánh giá.")],
                         description="Tháng 10/2026, quý Quý 3/2026 (hoặc Q3/2026) hoặc năm 2026.")
    numerator = StringField("Tử số", validators=[DataRequired("Nhập tử số.")])
    denominator = StringField("Mẫu số", validators=[DataRequired("Nhập mẫu số.")])
    note = TextAreaField("Ghi chú, nguồn số liệu", validators=[Optional(), Length(max=2000)])
