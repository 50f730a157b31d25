"""The documents list sorted, filtered and exported (core.listing), from the rows `services.documents_for` gives."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.core.excel import Sheet, workbook_bytes
from app.core.listing import Column, Filter, Listing

LISTING = Listing(
    columns=(Column("newest", _l("Mới nhất"), value=lambda d: None),  # the service's order
             Column("kind", _l("Văn bản"), value=lambda d: d.kind_label, text=True),
             Column("unit", _l("Đơn vị"), value=lambda d: d.unit.name, text=True),
             Column("quarter", _l("Quý"), value=lambda d: d.period_start),
             Column("issued", _l("Số, ngày"), value=lambda d: d.issued_on),
             Column("status", _l("Trạng thái"), value=lambda d: d.status_label, text=True)),
    default="newest",
    filters=(Filter("unit", _l("Đơn vị"), choice=lambda d: (d.unit_id, d.unit.name)),
             Filter("kind", _l("Văn bản"), choice=lambda d: (d.kind, gettext(d.kind_label))),
             Filter("status", _l("Trạng thái"), choice=lambda d: (d.status, gettext(d.status_label)))),
    search=lambda d: f"{d.kind_label} {d.unit.name} {d.number_text or ''}", search_label=_l("Tìm văn bản"),
)


def workbook(documents) -> bytes:
    rows = [[d.kind_label, d.unit.name, d.quarter_label, d.number_text or "", d.issued_on, d.status_label,
             d.version] for d in documents]
    return workbook_bytes([Sheet(
        title=gettext("Văn bản"),
        headers=[gettext("Văn bản"), gettext("Đơn vị"), gettext("Quý"), gettext("Số"), gettext("Ngày ban hành"),
                 gettext("Trạng thái"), gettext("Phiên bản")],
        rows=rows, widths=[28, 36, 12, 18, 14, 18, 10], integer_columns={6})])
