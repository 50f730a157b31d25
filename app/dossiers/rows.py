"""One row of a dossier file or API record into a checked DossierInput: columns, dates (Vietnam time), statuses,
channels, flags, units and officers, and every rule a row must keep (named by column, in Vietnamese)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from app.core.tabular import normalise_header
from app.dossiers.models import CLOSED_STATUSES, OPEN_STATUSES, STATUSES
from app.dossiers.services import DossierInput, RowError, RowErrors
from app.dossiers.values import (  # noqa: F401  (ValueProblem, text_of, parse_moment, parse_due: re-exported)
    ValueProblem,
    parse_channel,
    parse_due,
    parse_flag,
    parse_moment,
    parse_status,
    parse_whole,
    shown_value,
    text_of,
)
from app.extensions import db

COLUMNS = ("MaHoSo", "MaTTHC", "TenTTHC", "MaDonViXuLy", "MaDonViTiepNhan", "CanBoXuLy", "KenhThucHien",
           "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTraKetQua", "TrangThai", "SoLanBoSung", "NgayXinLoi",
           "NgayHenTraMoi", "ThanhToanTrucTuyen", "SoHoa", "KetQuaDienTu", "DanhGia")
REQUIRED = ("MaHoSo", "MaTTHC", "MaDonViXuLy", "NgayTiepNhan", "NgayHenTra", "TrangThai")
KNOWN = {normalise_header(c): c for c in COLUMNS}
MAX_LENGTH = {"MaHoSo": 80, "MaTTHC": 40, "TenTTHC": 500}
EXTENSIONS = (".csv", ".xlsx")
PER_KIND = 10  # row errors of one kind in one column shown one by one; the rest in one line

STATUS_NAMES = ", ".join(STATUSES.values())

HINTS = {
    "unknown_unit": "Kiểm tra mã đơn vị trong tệp, hoặc thêm đơn vị (trang Quản trị › Đơn vị, hoặc lệnh "
                    "flask units create).",
    "outside_tree": "Chỉ nhập hồ sơ của các đơn vị thuộc phạm vi bạn quản lý.",
    "unknown_officer": "CanBoXuLy là tên đăng nhập của cán bộ trong hệ thống: kiểm tra tên, hoặc tạo tài khoản "
                       "(Quản trị › Tài khoản), hoặc để trống.",
    "inactive_officer": "Tài khoản đã bị khóa: mở lại tài khoản, hoặc ghi cán bộ đang xử lý hồ sơ.",
    "unknown_status": f"TrangThai ghi một trong: {STATUS_NAMES} (hoặc mã: {', '.join(STATUSES)}).",
}
SUMMARY_TITLES = {
    "unknown_unit": "Đơn vị chưa có trong hệ thống",
    "outside_tree": "Đơn vị nằm ngoài phạm vi quản lý của bạn",
    "unknown_officer": "Cán bộ xử lý chưa có tài khoản",
    "inactive_officer": "Cán bộ xử lý có tài khoản đã bị khóa",
    "unknown_status": "Trạng thái không hợp lệ",
}


# ---------------------------------------------------------------- rows


class Directory:
    """Units by code and officers by username, read once per import (the size of the database, not of the file)."""

    def __init__(self) -> None:
        from app.auth.models import User
        from app.org.models import Unit

        self.units: dict[str, int] = {code: uid for uid, code in db.session.execute(sa.select(Unit.id, Unit.code))}
        folded: dict[str, int | None] = {}
        for code, uid in self.units.items():
            folded[code.casefold()] = None if code.casefold() in folded else uid
        self._folded = folded
        self.users: dict[str, tuple[int, bool]] = {
            name: (uid, active) for uid, name, active in db.session.execute(
                sa.select(User.id, User.username, User.is_active))}

    def unit(self, code: str) -> int | None:
        found = self.units.get(code)
        return found if found is not None else self._folded.get(code.casefold())

    def officer(self, username: str) -> tuple[int, bool] | None:
        return self.users.get(username.lower())


def cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """Known columns with a value: texts stripped, blank cells left out (what parse_record expects)."""
    out = {}
    for column, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        if value is not None and column in COLUMNS:
            out[column] = value
    return out


def parse_record(row: int, values: dict[str, Any], directory: Directory, errors: RowErrors) -> DossierInput | None:
    """One record (column → value, as `cleaned` gives it) checked into a DossierInput; None after adding its
    errors, each naming the row, the column and the value."""
    before = errors.count
    code = text_of(values.get("MaHoSo"))
    bad: set[str] = set()

    def fail(column: str, value: Any, message: str, kind: str = "invalid") -> None:
        bad.add(column)
        errors.add(RowError(row, column, None if value is None else shown_value(value), message, code=kind,
                            record=code or None))

    def text(column: str) -> str:
        value = text_of(values.get(column))
        if not value and column in REQUIRED:
            fail(column, None, f"{column} không được để trống.", "required")
        elif len(value) > MAX_LENGTH.get(column, 200):
            fail(column, value, f"{column} dài {len(value)} ký tự, tối đa {MAX_LENGTH.get(column, 200)}.")
        return value

    def read(column: str, parse: Callable[[Any], Any], default: Any = None) -> Any:
        value = values.get(column)
        if value is None:
            if column in REQUIRED:
                fail(column, None, f"{column} không được để trống.", "required")
            return default
        try:
            return parse(value)
        except ValueProblem as exc:
            fail(column, value, f"{column}: {exc}")
            return default

    text("MaHoSo")
    procedure_code, procedure_name = text("MaTTHC"), text("TenTTHC")
    units = {}
    for column in ("MaDonViXuLy", "MaDonViTiepNhan"):
        unit_code = text(column)
        if unit_code:
            units[column] = directory.unit(unit_code)
            if units[column] is None:
                fail(column, unit_code, f"Không có đơn vị mã «{unit_code}» ({column}).", "unknown_unit")
    handling = units.get("MaDonViXuLy")
    receiving = units.get("MaDonViTiepNhan", handling)  # formats.md: defaults to the handling unit
    officer_id = None
    if username := text("CanBoXuLy"):
        found = directory.officer(username)
        if found is None:
            fail("CanBoXuLy", username, f"Không có tài khoản cán bộ «{username}» (CanBoXuLy).", "unknown_officer")
        elif not found[1]:
            fail("CanBoXuLy", username, f"Tài khoản cán bộ «{username}» đã bị khóa (CanBoXuLy).", "inactive_officer")
        else:
            officer_id = found[0]
    channel = read("KenhThucHien", parse_channel, 1)
    received = read("NgayTiepNhan", parse_moment)
    due = read("NgayHenTra", parse_due)
    finished = read("NgayKetThucXuLy", parse_moment)
    returned = read("NgayTraKetQua", parse_moment)
    apology = read("NgayXinLoi", parse_moment)
    new_due = read("NgayHenTraMoi", parse_due)
    status = None
    if status_text := text("TrangThai"):
        status = parse_status(status_text)
        if status is None:
            fail("TrangThai", status_text, f"Không có trạng thái «{status_text}». {HINTS['unknown_status']}",
                 "unknown_status")
    supplements = read("SoLanBoSung", parse_whole, 0)
    if supplements < 0:
        fail("SoLanBoSung", supplements, "SoLanBoSung không được âm.")
    rating = read("DanhGia", parse_whole)
    if rating is not None and not 1 <= rating <= 5:
        fail("DanhGia", rating, f"DanhGia «{rating}» phải từ 1 đến 5.")
    paid, digitized, e_result = (read(c, parse_flag) for c in ("ThanhToanTrucTuyen", "SoHoa", "KetQuaDienTu"))

    def shown(column: str) -> str:
        return f"«{shown_value(values[column])}»"

    if received is not None:
        for column, moment, what in (("NgayHenTra", due, "ngày hẹn trả"), ("NgayKetThucXuLy", finished, "ngày kết "
                                     "thúc xử lý"), ("NgayTraKetQua", returned, "ngày trả kết quả")):
            if moment is not None and moment < received:
                fail(column, values[column], f"{column} {shown(column)} trước NgayTiepNhan {shown('NgayTiepNhan')}: "
                                             f"{what} không thể trước ngày tiếp nhận.", "order")
    if due is not None and new_due is not None and new_due < due:
        fail("NgayHenTraMoi", values["NgayHenTraMoi"], f"NgayHenTraMoi {shown('NgayHenTraMoi')} trước NgayHenTra "
                                                      f"{shown('NgayHenTra')}: ngày hẹn mới phải sau ngày hẹn cũ.",
             "order")
    if status in CLOSED_STATUSES and finished is None and returned is None and not {
            "NgayKetThucXuLy", "NgayTraKetQua"} & bad:
        fail("NgayKetThucXuLy", None, f"Trạng thái «{STATUSES[status]}» là hồ sơ đã kết thúc: cần NgayKetThucXuLy "
                                      "hoặc NgayTraKetQua.", "status_dates")
    if status in OPEN_STATUSES:
        for column, moment in (("NgayKetThucXuLy", finished), ("NgayTraKetQua", returned)):
            if moment is not None:
                fail(column, values[column], f"Trạng thái «{STATUSES[status]}» là hồ sơ chưa kết thúc nhưng có "
                                             f"{column} {shown(column)}: sửa trạng thái hoặc bỏ ngày này.",
                     "status_dates")
    if errors.count > before:
        return None
    return DossierInput(
        row=row, code=code, procedure_code=procedure_code, procedure_name=procedure_name, handling_unit_id=handling,
        receiving_unit_id=receiving, handling_officer_id=officer_id, channel=channel, received_at=received,
        due_at=due, finished_at=finished, returned_at=returned, status=status, supplement_count=supplements,
        apology_at=apology, new_due_at=new_due, paid_online=paid, digitized=digitized, e_result=e_result,
        rating=rating)
