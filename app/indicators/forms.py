from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, VnDateField, choices
from app.indicators.models import VALUE_SOURCES, ZERO_DENOMINATOR


class RuleForm(Form):
    max_points = StringField(_l("Điểm tối đa"), validators=[DataRequired(_l("Nhập điểm tối đa."))])
    threshold = StringField(_l("Ngưỡng đạt điểm tối đa (%)"), validators=[DataRequired(_l("Nhập ngưỡng."))],
                            description=_l("100 = tính tuyến tính theo tỷ lệ."))
    zero_denominator = SelectField(_l("Khi mẫu số bằng 0"), choices=choices((k, _l(v)) for k, v in ZERO_DENOMINATOR.items()))


class IndicatorForm(Form):
    name = StringField(_l("Tên chỉ số"), validators=[DataRequired(_l("Nhập tên chỉ số.")), Length(max=400)])
    definition = TextAreaField(_l("Định nghĩa, cách tính"), validators=[Optional(), Length(max=4000)])
    value_source = SelectField(_l("Nguồn số liệu"), choices=choices((k, _l(v)) for k, v in VALUE_SOURCES.items()))
    is_active = BooleanField(_l("Đang áp dụng"), default=True)


class VersionForm(Form):
    name = StringField(_l("Tên phiên bản"), validators=[DataRequired(_l("Nhập tên phiên bản.")), Length(max=255)])
    effective_from = VnDateField(_l("Áp dụng từ ngày"), validators=[DataRequired(_l("Nhập ngày áp dụng."))])
    note = TextAreaField(_l("Ghi chú (căn cứ thay đổi)"), validators=[Optional(), Length(max=4000)])
