"""Upload page: check a file (dry run with a row-level report), then import exactly what was checked."""

from __future__ import annotations

import os
import re
import shutil
import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from app.core.permissions import roles_required
from app.scores.importer import SourceFile, import_files
from app.scores.views import bp

ALLOWED = (".json", ".csv", ".xlsx")
MAX_FILES = 60
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _staging(token: str) -> str:
    if not TOKEN.match(token or ""):
        abort(400)
    return os.path.join(current_app.instance_path, "imports", token)


def _forget_stale_uploads(max_age: float = 24 * 3600) -> None:
    """Checked files that were never confirmed are removed after a day."""
    import time

    root = os.path.join(current_app.instance_path, "imports")
    if not os.path.isdir(root):
        return
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if TOKEN.match(name) and time.time() - os.path.getmtime(path) > max_age:
            shutil.rmtree(path, ignore_errors=True)


def _load(folder: str) -> list[SourceFile]:
    files = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as handle:
            files.append(SourceFile(name.split("__", 1)[-1], handle.read()))
    return files


def _options() -> dict:
    scope = request.form.get("scope")
    return {"period": (request.form.get("period") or "").strip() or None,
            "formality": (request.form.get("formality") or "").strip() or None,
            "scope": scope if scope in ("all", "formality") else None,
            "create_units": request.form.get("create_units") == "1"}


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_page():
    if request.method == "GET":
        return render_template("scores/import.html", report=None, token=None, options={})
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if not uploads:
        flash("Chọn ít nhất một tệp .json (Cổng DVCQG), .csv hoặc .xlsx.", "error")
        return render_template("scores/import.html", report=None, token=None, options=_options()), 422
    if len(uploads) > MAX_FILES:
        flash(f"Tối đa {MAX_FILES} tệp mỗi lần.", "error")
        return render_template("scores/import.html", report=None, token=None, options=_options()), 422
    bad = [f.filename for f in uploads if not f.filename.lower().endswith(ALLOWED)]
    if bad:
        flash(f"Không nhận loại tệp: {', '.join(bad)} (chỉ .json, .csv, .xlsx).", "error")
        return render_template("scores/import.html", report=None, token=None, options=_options()), 422
    _forget_stale_uploads()
    token = uuid.uuid4().hex
    folder = _staging(token)
    os.makedirs(folder)
    for i, upload in enumerate(uploads):
        upload.save(os.path.join(folder, f"{i:03d}__{secure_filename(upload.filename) or 'tep'}"))
    options = _options()
    report = import_files(_load(folder), dry_run=True, actor=current_user, **options)
    if not report.ok:
        shutil.rmtree(folder, ignore_errors=True)
        token = None
    return render_template("scores/import.html", report=report, token=token, options=options), (
        200 if report.ok else 422)


@bp.route("/import/<token>/confirm", methods=["POST"])
@roles_required("admin")
def import_confirm(token: str):
    folder = _staging(token)
    if not os.path.isdir(folder):
        flash("Phiên kiểm tra đã hết hạn hoặc đã được nhập: hãy tải tệp lên lại.", "error")
        return redirect(url_for(".import_page"))
    try:
        report = import_files(_load(folder), actor=current_user, **_options())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not report.ok:
        return render_template("scores/import.html", report=report, token=None, options=_options()), 422
    if report.nothing_new:
        flash("Không có gì mới: dữ liệu đã có đầy đủ.", "info")
    else:
        from app.extensions import db
        from app.scores.accountability import scan_red

        scan_red()
        db.session.commit()
        flash(f"Đã nhập: {report.total('new')} giá trị mới, {report.total('changed')} giá trị thay đổi, "
              f"{report.total('unchanged')} không đổi.", "success")
    return redirect(url_for(".import_page"))
