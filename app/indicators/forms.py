from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, VnDateField, choices
from app.indicators.models import VALUE_SOURCES, ZERO_DENOMINATOR


class RuleForm(Form):
    max_points = StringField("Điểm tối đa", validators=[DataRequired("Nhập điểm tối đa.")])
    threshold = StringField("Ngưỡng đạt điểm tối đa (%)", validators=[DataRequired("Nhập ngưỡng.")],
                            description="100 = tính tuyến tính theo tỷ lệ.")
    zero_denominator = SelectField("Khi mẫu số bằng 0", choices=choices(ZERO_DENOMINATOR.items()))


class IndicatorForm(Form):
    name = StringField("Tên chỉ số", validators=[DataRequired("Nhập tên chỉ số."), Length(max=400)])
    definition = TextAreaField("Định nghĩa, cách tính", validators=[Optional(), Length(max=4000)])
    value_source = SelectField("Nguồn số liệu", choices=choices(VALUE_SOURCES.items()))
    is_active = BooleanField("Đang áp dụng", default=True)


class VersionForm(Form):
    name = StringField("Tên phiên bản", validators=[DataRequired("Nhập tên phiên bản."), Length(max=255)])
    effective_from = VnDateField("Áp dụng từ ngày", validators=[DataRequired("Nhập ngày áp dụng.")])
    note = TextAreaField("Ghi chú (căn cứ thay đổi)", validators=[Optional(), Length(max=4000)])
