from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, NumericField, choices
from app.org.models import UNIT_KINDS


class UnitForm(Form):
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(_l("Nhập mã đơn vị.")), Length(max=40)])
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(_l("Nhập tên đơn vị.")), Length(max=255)])
    kind = SelectField(_l("Loại đơn vị"), choices=choices((k, _l(v)) for k, v in UNIT_KINDS.items()))
    parent_id = SelectField(_l("Đơn vị cấp trên"), coerce=int)
    sort_order = NumericField(_l("Thứ tự hiển thị"), default=0, validators=[Optional()])
    is_active = BooleanField(_l("Đang hoạt động"), default=True)
