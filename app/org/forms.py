from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, NumericField, choices
from app.org.models import UNIT_KINDS


class UnitForm(Form):
    code = StringField("Mã đơn vị", validators=[DataRequired("Nhập mã đơn vị."), Length(max=40)])
    name = StringField("Tên đơn vị", validators=[DataRequired("Nhập tên đơn vị."), Length(max=255)])
    kind = SelectField("Loại đơn vị", choices=choices(UNIT_KINDS.items()))
    parent_id = SelectField("Đơn vị cấp trên", coerce=int)
    sort_order = NumericField("Thứ tự hiển thị", default=0, validators=[Optional()])
    is_active = BooleanField("Đang hoạt động", default=True)
