"""Limits on files people send (upload pages, command line) and the check of an XLSX before it is parsed.

Sizes are refused before anything is read into memory: a request by its Content-Length (Flask's
MAX_CONTENT_LENGTH), a file by its size on disk or in the upload's spool file. An XLSX is opened as a zip and its
central directory alone is checked (entry count, declared sizes, compression ratio, macros, external links,
encryption) before openpyxl reads it, row by row. Python's zipfile never inflates an entry past its declared size,
so the declared sizes bound what parsing can cost.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, replace
from typing import IO

MB = 1024 * 1024

# An XLSX whose zip declares more than this, or an entry inflating more than RATIO times, is not an office's table.
XLSX_MAX_ENTRIES = 2000
XLSX_MAX_UNCOMPRESSED = 300 * MB
XLSX_MAX_RATIO = 200
XLSX_RATIO_FROM = 2 * MB  # small parts (styles, a short sheet) may compress better than RATIO: harmless
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_TYPES = ("macroEnabled", "vbaProject", "application/vnd.ms-office.activeX")


class UploadRefused(ValueError):
    """A file or request refused before it is read; str() is the Vietnamese message (it names the file)."""


@dataclass(frozen=True)
class Limits:
    """What one request / one file may hold (config keys MAX_UPLOAD_MB, UPLOAD_MAX_*)."""

    request_bytes: int = 32 * MB
    json_bytes: int = 8 * MB
    csv_bytes: int = 20 * MB
    xlsx_bytes: int = 10 * MB
    max_files: int = 60
    max_rows: int = 200_000

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(request_bytes=config.get("MAX_CONTENT_LENGTH") or cls.request_bytes,
                   json_bytes=int(config.get("UPLOAD_MAX_JSON_MB", 8) * MB),
                   csv_bytes=int(config.get("UPLOAD_MAX_CSV_MB", 20) * MB),
                   xlsx_bytes=int(config.get("UPLOAD_MAX_XLSX_MB", 10) * MB),
                   max_files=int(config.get("UPLOAD_MAX_FILES", 60)),
                   max_rows=int(config.get("UPLOAD_MAX_ROWS", 200_000)))

    def widened(self, *, max_mb: float | None = None, max_rows: int | None = None) -> Limits:
        """The same limits with every per-file size set to `max_mb` and/or the row cap to `max_rows` (CLI options)."""
        out = self
        if max_mb is not None:
            size = int(max_mb * MB)
            out = replace(out, json_bytes=size, csv_bytes=size, xlsx_bytes=size)
        if max_rows is not None:
            out = replace(out, max_rows=max_rows)
        return out

    def summary(self, max_files: int | None = None) -> str:
        """The limits in one sentence, for an upload page (in the page's language)."""
        from flask_babel import gettext

        from app.core.formatting import local_number

        files = min(max_files or self.max_files, self.max_files)
        return gettext("Giới hạn mỗi lần gửi: tổng %(total)s, tối đa %(files)s tệp; mỗi tệp JSON %(json)s, CSV %(csv)s, "
                       "XLSX %(xlsx)s, tối đa %(rows)s dòng số liệu. Tệp XLSX có macro, liên kết ngoài hoặc mật khẩu "
                       "không được nhận.", total=megabytes(self.request_bytes), files=files,
                       json=megabytes(self.json_bytes), csv=megabytes(self.csv_bytes), xlsx=megabytes(self.xlsx_bytes),
                       rows=local_number(self.max_rows, 0))

    def file_bytes(self, name: str) -> int:
        """The largest file of this kind (by its extension; anything else is read as portal JSON)."""
        lower = name.lower()
        return self.xlsx_bytes if lower.endswith(".xlsx") else self.csv_bytes if lower.endswith(".csv") \
            else self.json_bytes


def current_limits() -> Limits:
    from flask import current_app

    return Limits.from_config(current_app.config)


def megabytes(size: int) -> str:
    """A size as Vietnamese write it: "20 MB", "2,5 MB", "64 kB"."""
    if size < MB:
        return f"{round(size / 1024)} kB"
    value = size / MB
    text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}".replace(".", ",")
    return f"{text} MB"


def too_large_request(limits: Limits) -> str:
    return (f"Tổng dung lượng gửi lên vượt {megabytes(limits.request_bytes)} mỗi lần: không đọc tệp nào. Hãy gửi "
            f"ít tệp hơn mỗi lần, hoặc chia nhỏ tệp.")


def file_refusal(name: str, size: int, limits: Limits) -> str | None:
    """Why a file of this size cannot be read (naming the file and the limit), or None."""
    limit = limits.file_bytes(name)
    if size > limit:
        kind = "XLSX" if name.lower().endswith(".xlsx") else "CSV" if name.lower().endswith(".csv") else "JSON"
        return (f"Tệp «{os.path.basename(name)}» ({megabytes(size)}) vượt giới hạn {megabytes(limit)} cho một tệp "
                f"{kind}: không đọc tệp này. Hãy chia nhỏ tệp.")
    return None


def stream_size(stream: IO[bytes]) -> int:
    """The size of a seekable stream (an upload's spool file), read without reading it."""
    position = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def check_paths(paths: list[str], limits: Limits) -> None:
    """UploadRefused for the first file on disk larger than its kind allows (the command line's check)."""
    for path in paths:
        refusal = file_refusal(path, os.path.getsize(path), limits)
        if refusal:
            raise UploadRefused(refusal)


def rows_refusal(max_rows: int) -> str:
    return (f"Tệp có hơn {max_rows:,} dòng số liệu (giới hạn mỗi tệp): không ghi gì. Hãy chia tệp thành nhiều tệp "
            "nhỏ hơn.").replace(",", ".")


# ---------------------------------------------------------------- XLSX


NOT_XLSX = "Tệp XLSX hỏng hoặc không phải Excel (.xlsx)."


def xlsx_problem(stream: IO[bytes]) -> str | None:
    """Why this XLSX must not be parsed (Vietnamese), or None; reads the zip's central directory only.

    The stream is left at its start.
    """
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(OLE_MAGIC):
        return ("Tệp Excel này được đặt mật khẩu (mã hóa) hoặc là định dạng .xls cũ: hãy bỏ mật khẩu và lưu lại dạng "
                "Excel Workbook (*.xlsx).")
    if not head.startswith(b"PK"):
        return NOT_XLSX
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            problem = _zip_problem(archive, entries)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError):
        problem = NOT_XLSX
    stream.seek(0)
    return problem


def _zip_problem(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> str | None:
    if len(entries) > XLSX_MAX_ENTRIES:
        return f"Tệp XLSX có {len(entries)} phần bên trong (tối đa {XLSX_MAX_ENTRIES}): không phải bảng số liệu."
    total = sum(e.file_size for e in entries)
    if total > XLSX_MAX_UNCOMPRESSED:
        return (f"Tệp XLSX khi giải nén lên tới {megabytes(total)} (tối đa {megabytes(XLSX_MAX_UNCOMPRESSED)}): "
                "tệp nén bất thường (zip bomb) hoặc quá lớn, không đọc.")
    for e in entries:
        if e.file_size > XLSX_RATIO_FROM and e.file_size > XLSX_MAX_RATIO * max(e.compress_size, 1):
            return (f"Phần «{e.filename}» của tệp XLSX nén bất thường ({e.file_size // max(e.compress_size, 1)} lần, "
                    f"tối đa {XLSX_MAX_RATIO}): tệp nén độc hại (zip bomb), không đọc.")
        if e.flag_bits & 0x1:
            return "Tệp XLSX có phần bị mã hóa: hãy bỏ mật khẩu rồi lưu lại."
    names = {e.filename.lower() for e in entries}
    if "[content_types].xml" not in names or not any(n.startswith("xl/") for n in names):
        return NOT_XLSX
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/activex/") for n in names):
        return "Tệp Excel có macro (VBA/ActiveX): không nhận. Hãy lưu lại dạng Excel Workbook (*.xlsx) không macro."
    if any(n.startswith("xl/externallinks/") for n in names):
        return ("Tệp Excel có liên kết tới tệp khác (External links): không nhận. Trong Excel: Dữ liệu › Sửa liên kết "
                "› Ngắt liên kết (Data › Edit Links › Break Link), rồi lưu lại.")
    types = next(e for e in entries if e.filename.lower() == "[content_types].xml")
    if types.file_size > MB:
        return NOT_XLSX
    content_types = archive.read(types).decode("utf-8", "replace")
    if any(marker in content_types for marker in MACRO_TYPES):
        return "Tệp Excel có macro (VBA/ActiveX): không nhận. Hãy lưu lại dạng Excel Workbook (*.xlsx) không macro."
    if "externalLink" in content_types:
        return ("Tệp Excel có liên kết tới tệp khác (External links): không nhận. Trong Excel: Dữ liệu › Sửa liên kết "
                "› Ngắt liên kết (Data › Edit Links › Break Link), rồi lưu lại.")
    return None


# ---------------------------------------------------------------- upload pages


def refuse_large_requests(bp, endpoint: str, render_page) -> None:
    """On blueprint `bp`, a request over MAX_UPLOAD_MB to the upload page `endpoint` gets that page back with the
    reason (status 413), not a bare error page; it is refused by its Content-Length, before the body is read (also
    when the CSRF check is the first to look at the form). Elsewhere on `bp`, and for anyone who may not see the
    page, the usual 413 page."""
    from flask import flash, render_template, request
    from flask_login import current_user

    @bp.errorhandler(413)
    def too_large(_error):
        if request.endpoint == endpoint and getattr(current_user, "is_authenticated", False) and current_user.is_admin:
            flash(too_large_request(current_limits()), "error")
            return render_page(status=413)
        return render_template("errors/error.html", code=413), 413


def request_too_large() -> bool:
    """Whether the current request declares a body over MAX_UPLOAD_MB (checked before the form is parsed)."""
    from flask import request

    return (request.content_length or 0) > current_limits().request_bytes
