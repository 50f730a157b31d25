from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.auth.models import ALERT_EMAIL
from app.core.forms import Form, choices


class LoginForm(Form):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(_l("Nhập tên đăng nhập."))])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Nhập mật khẩu."))])


class ReauthForm(Form):
    """Type the password again before approving or signing."""

    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Nhập mật khẩu."))],
                             render_kw={"autocomplete": "current-password", "autofocus": True})


class UserForm(Form):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(_l("Nhập tên đăng nhập.")), Length(max=60)])
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Nhập họ và tên.")), Length(max=120)])
    title = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("Thư điện tử"), validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ thư không hợp lệ."))])
    unit_id = SelectField(_l("Đơn vị"), coerce=int)
    role = SelectField(_l("Vai trò"))
    is_active = BooleanField(_l("Đang hoạt động"), default=True)
    # The policy (length, common passwords, the username) is app.auth.passwords, checked by the services.
    password = PasswordField(_l("Mật khẩu (để trống nếu không đổi)"), validators=[Optional()])
    confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[EqualTo("password", _l("Hai mật khẩu không khớp."))])


class ProfileForm(Form):
    """The signed-in user's own settings: e-mail, how alerts arrive by e-mail, and a new password."""

    email = StringField(_l("Thư điện tử"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                        validators=[Optional(), Length(max=255), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ thư không hợp lệ."))])
    alert_email = RadioField(_l("Nhận cảnh báo qua thư điện tử"), choices=choices((k, _l(v)) for k, v in ALERT_EMAIL.items()), default="digest")
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[Optional()],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("Mật khẩu mới (để trống nếu không đổi)"), validators=[Optional()],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[EqualTo("password", _l("Hai mật khẩu không khớp."))],
                            render_kw={"autocomplete": "new-password"})
