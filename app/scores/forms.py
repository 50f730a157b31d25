from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, VnDateField


class ExplanationForm(Form):
    version = HiddenField()  # the version of the stored explanation the user saw; empty: none was stored
    reason = TextAreaField(_l("Giải trình (nguyên nhân)"), validators=[DataRequired(_l("Nhập nội dung giải trình.")),
                                                                       Length(max=4000)])
    remedy = TextAreaField(_l("Biện pháp khắc phục"), validators=[DataRequired(_l("Nhập biện pháp khắc phục.")),
                                                                  Length(max=4000)])
    due_on = VnDateField(_l("Hạn hoàn thành"), validators=[DataRequired(_l("Nhập hạn hoàn thành."))])


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
    indicator_id = SelectField(_l("Chỉ số"), coerce=int)
    # shown as a picker of finished months, quarters and years (templates/scores/entry.html); any spelling
    # parse_period reads is accepted too ("11/2026", "T11/2026", "Quý 3/2026", "2026"), e.g. from ?period=
    period = StringField(_l("Kỳ"), validators=[DataRequired(_l("Chọn kỳ đánh giá."))])
    numerator = StringField(_l("Tử số"), validators=[DataRequired(_l("Nhập tử số."))],
                            render_kw={"inputmode": "numeric", "autocomplete": "off"})
    denominator = StringField(_l("Mẫu số"), validators=[DataRequired(_l("Nhập mẫu số."))],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    note = TextAreaField(_l("Ghi chú, nguồn số liệu"), validators=[Optional(), Length(max=2000)])
