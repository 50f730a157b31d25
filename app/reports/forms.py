from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import Form, choices
from app.reports.services import TEXT_KEYS, TEXT_LABELS


class NewDocumentForm(Form):
    kind = SelectField(_l("Loại văn bản"), choices=choices([("plan", _l("Kế hoạch phân công quý")),
                                                         ("report", _l("Báo cáo kết quả thực hiện Bộ chỉ số quý"))]))
    unit_id = SelectField(_l("Đơn vị ban hành"), coerce=int)
    quarter = StringField(_l("Quý"), validators=[DataRequired(_l("Nhập quý, ví dụ 2026Q4."))],
                          description=_l("Ví dụ 2026Q4, Quý 4/2026 hoặc Q4/2026."),
                          render_kw={"list": "quarter-options", "autocomplete": "off"})


class ActionForm(Form):
    comment = TextAreaField(_l("Ý kiến"), validators=[Optional(), Length(max=4000)])


class VerifyForm(Form):
    file = FileField(_l("Tệp PDF đã ký"), validators=[FileRequired("Chọn một tệp PDF.")])


def texts_form(kind: str, data: dict | None = None) -> Form:
    """The edit form of a draft's texts (one text area per section of the kind of document)."""

    class TextsForm(Form):
        pass

    for key in TEXT_KEYS[kind]:
        rows = 3 if key in ("intro", "closing") else 7 if key == "recipients" else 10
        setattr(TextsForm, key, TextAreaField(TEXT_LABELS[key], validators=[Optional(), Length(max=20000)],
                                              render_kw={"rows": rows, "style": "max-width:none"}))
    return TextsForm(data=data or {})
