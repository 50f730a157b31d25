"""One row of a dossier file or API record into a checked DossierInput: columns, dates (Vietnam time), statuses,
channels, flags, units and officers, and every rule a row must keep (named by column, in Vietnamese)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from app.core.tabular import normalise_header
from app.core.time import VN_TZ
from app.dossiers.models import CHANNELS, CLOSED_STATUSES, OPEN_STATUSES, STATUSES
from app.dossiers.services import DossierInput, RowError, RowErrors
from app.extensions import db

COLUMNS = ("MaHoSo", "MaTTHC", "TenTTHC", "MaDonViXuLy", "MaDonViTiepNhan", "CanBoXuLy", "KenhThucHien",
           "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTraKetQua", "TrangThai", "SoLanBoSung", "NgayXinLoi",
           "NgayHenTraMoi", "ThanhToanTrucTuyen", "SoHoa", "KetQuaDienTu", "DanhGia")
REQUIRED = ("MaHoSo", "MaTTHC", "MaDonViXuLy", "NgayTiepNhan", "NgayHenTra", "TrangThai")
KNOWN = {normalise_header(c): c for c in COLUMNS}
MAX_LENGTH = {"MaHoSo": 80, "MaTTHC": 40, "TenTTHC": 500}
EXTENSIONS = (".csv", ".xlsx")
PER_KIND = 10  # row errors of one kind in one column shown one by one; the rest in one line
YEARS = (1990, 2100)
DATE_FORMS = "viết 30/09/2026, 30/09/2026 14:05 hoặc 2026-09-30T14:05:00+07:00"

STATUS_KEYS = {normalise_header(name): code for code, name in STATUSES.items()} | {
    normalise_header(code): code for code in STATUSES}
STATUS_NAMES = ", ".join(STATUSES.values())
CHANNEL_KEYS = {str(n): n for n in CHANNELS} | {normalise_header(name): n for n, name in CHANNELS.items()}
FLAG_KEYS = {"1": True, "0": False, "co": True, "khong": False, "true": True, "false": False}

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


# ---------------------------------------------------------------- values


class ValueProblem(ValueError):
    """A cell that cannot be read; str() is the Vietnamese reason."""


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text if len(text) <= 60 else text[:59] + "…"


def text_of(value: Any) -> str:
    """A code or name cell as text (an XLSX number 4.0 reads "4")."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?"
                  r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)
_VN = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?", re.IGNORECASE)
_VN_TIME_FIRST = re.compile(r"(\d{1,2})[:hg](\d{2})(?::(\d{2}))?,?\s+(?:ngày\s+)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})",
                            re.IGNORECASE)


_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_CACHE_SIZE = 4_096
_moments: dict[tuple[str, bool], datetime] = {}


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise ValueProblem(f"«{text}» không phải múi giờ hợp lệ.")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _moment(shown: str, y: int, m: int, d: int, hh: int | None, mm: int | None, ss: int | None, us: int = 0,
            zone: timezone | None = None, *, due: bool) -> datetime:
    if not 1 <= m <= 12:
        raise ValueProblem(f"«{shown}» không đúng: không có tháng {m} (ngày viết theo thứ tự ngày/tháng/năm, ví dụ 30/09/2026).")
    if not YEARS[0] <= y <= YEARS[1]:
        raise ValueProblem(f"«{shown}» không đúng: năm {y} nằm ngoài khoảng hợp lý ({YEARS[0]}–{YEARS[1]}).")
    if not 1 <= d <= (_DAYS[m] if m != 2 else 29 if calendar.isleap(y) else 28):
        raise ValueProblem(f"«{shown}» không đúng: tháng {m}/{y} không có ngày {d}.")
    if hh is None:  # a date alone: the start of that day, or its end for a due date (due that day = on time)
        hh, mm, ss = (23, 59, 59) if due else (0, 0, 0)
    if hh > 23 or (mm or 0) > 59 or (ss or 0) > 59:
        raise ValueProblem(f"«{shown}» không đúng: giờ phải từ 00:00 đến 23:59.")
    return datetime(y, m, d, hh, mm or 0, ss or 0, us, tzinfo=zone or VN_TZ).astimezone(UTC)


def parse_moment(value: Any, *, due: bool = False) -> datetime:
    """A date and time as aware UTC: ISO 8601 or Vietnamese 30/09/2026 [14:05], an Excel date cell; a time without
    a zone is Vietnam time. A date alone is 00:00, or 23:59:59 for a due date (`due`). ValueProblem otherwise."""
    if isinstance(value, datetime):  # an Excel date-time cell: Vietnam time, to the second
        moment = value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value
        if moment.microsecond:
            moment = (moment + timedelta(microseconds=500_000)).replace(microsecond=0)
        return _moment(_shown(value), moment.year, moment.month, moment.day, moment.hour, moment.minute,
                       moment.second, zone=moment.tzinfo, due=due)
    if isinstance(value, date):  # an Excel date cell without a time
        return _moment(_shown(value), value.year, value.month, value.day, None, None, None, due=due)
    if isinstance(value, time):
        raise ValueProblem(f"Ô chỉ có giờ «{value}», thiếu ngày: {DATE_FORMS}.")
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueProblem(f"«{_shown(value)}» là số, không phải ngày: {DATE_FORMS} (trong Excel: định dạng ô là "
                           "Date).")
    key = (value, due)
    moment = _moments.get(key)
    if moment is None:  # the same dates repeat over many rows (due dates above all): remember the last few
        if len(_moments) >= _CACHE_SIZE:
            _moments.clear()
        moment = _moments[key] = _parsetext_of(value.strip(), due)
    return moment


def parse_due(value: Any) -> datetime:
    """A due date: a date alone means the end of that day."""
    return parse_moment(value, due=True)


def _parsetext_of(text: str, due: bool) -> datetime:
    if match := _ISO.fullmatch(text):
        y, m, d, hh, mi, ss, frac, zone = match.groups()
        return _moment(text, int(y), int(m), int(d), _int(hh), _int(mi), _int(ss), int((frac or "0").ljust(6, "0")),
                       _zone(zone), due=due)
    if match := _VN.fullmatch(text):
        d, m, y, hh, mi, ss = match.groups()
        return _moment(text, int(y), int(m), int(d), _int(hh), _int(mi), _int(ss), due=due)
    if match := _VN_TIME_FIRST.fullmatch(text):
        hh, mi, ss, d, m, y = match.groups()
        return _moment(text, int(y), int(m), int(d), int(hh), int(mi), _int(ss), due=due)
    raise ValueProblem(f"«{_shown(text)}» không phải ngày giờ: {DATE_FORMS}.")


def _int(text: str | None) -> int | None:
    return int(text) if text is not None else None


_WHOLE = re.compile(r"[+-]?\d{1,9}")


def parse_whole(value: Any) -> int:
    """A whole number typed as such: 2, "2", 2.0 (an Excel cell); ValueProblem otherwise."""
    if isinstance(value, bool):
        raise ValueProblem(f"«{value}» không phải số nguyên.")
    if value.__class__ is str and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = text_of(value)
    if _WHOLE.fullmatch(text):
        return int(text)
    raise ValueProblem(f"«{_shown(value)}» không phải số nguyên.")


def parse_flag(value: Any) -> bool:
    """1/0 (also có/không, true/false)."""
    if value in ("1", "0") or value.__class__ in (bool, int, float) and value in (0, 1):
        return bool(int(value))
    key = normalise_header(text_of(value))
    if key in FLAG_KEYS:
        return FLAG_KEYS[key]
    raise ValueProblem(f"«{_shown(value)}» không hợp lệ: ghi 1 (có) hoặc 0 (không).")


def parse_channel(value: Any) -> int:
    if value in ("1", "2", "3") or value.__class__ in (int, float) and value in (1, 2, 3):
        return int(value)
    key = normalise_header(text_of(value))
    if key in CHANNEL_KEYS:
        return CHANNEL_KEYS[key]
    raise ValueProblem(f"«{_shown(value)}» không hợp lệ: KenhThucHien ghi 1 (trực tiếp), 2 (trực tuyến) hoặc 3 (bưu "
                       "chính công ích).")


_status_cache: dict[str, str | None] = {}


def parse_status(value: Any) -> str | None:
    """A status code from its Vietnamese name (without case or diacritics) or its code; None when unknown."""
    text = text_of(value)
    if text not in _status_cache:
        if len(_status_cache) > 1_000:
            _status_cache.clear()
        _status_cache[text] = STATUS_KEYS.get(normalise_header(text))
    return _status_cache[text]


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
        errors.add(RowError(row, column, None if value is None else _shown(value), message, code=kind,
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
        return f"«{_shown(values[column])}»"

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
