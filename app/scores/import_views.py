"""Upload page: check files (a dry run with a row-level report), then import exactly what was checked.

The checked files wait in instance/imports/<token>/ with a record of who checked them, with which options and
their SHA-256: the confirm step imports those files with those options, for that person only (nothing is re-read
from the confirm form).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import staging
from app.core.permissions import roles_required
from app.core.time import now_utc
from app.extensions import db
from app.scores.importer import SourceFile, import_files
from app.scores.views import bp

ALLOWED = (".json", ".csv", ".xlsx")
MAX_FILES = 60
META = staging.META
FOLDER = "imports"


def _staging(token: str) -> str:
    return staging.folder(FOLDER, token)


def _forget_stale_uploads() -> None:
    staging.forget_stale(FOLDER)


_safe_name, _sha = staging.safe_name, staging.sha256


def _load(folder: str, meta: dict | None = None) -> list[SourceFile]:
    """The staged files (in upload order); with `meta`, only if each is still byte for byte what was checked."""
    files = []
    for name in sorted(n for n in os.listdir(folder) if n != META):
        with open(os.path.join(folder, name), "rb") as handle:
            files.append(SourceFile(name.split("__", 1)[-1], handle.read()))
    if meta is not None and [_sha(f.content) for f in files] != meta.get("sha256"):
        return []
    return files


def _options() -> dict:
    scope = request.form.get("scope")
    return {"period": (request.form.get("period") or "").strip()[:40] or None,
            "formality": (request.form.get("formality") or "").strip()[:40] or None,
            "scope": scope if scope in ("all", "formality") else None,
            "create_units": request.form.get("create_units") == "1"}


def _page(report=None, token=None, options=None, status=200):
    return render_template("scores/import.html", report=report, token=token, options=options or {}), status


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_page():
    if request.method == "GET":
        return _page()
    options = _options()
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if not uploads:
        flash("Chọn ít nhất một tệp .json (Cổng DVCQG), .csv hoặc .xlsx.", "error")
        return _page(options=options, status=422)
    if len(uploads) > MAX_FILES:
        flash(f"Tối đa {MAX_FILES} tệp mỗi lần.", "error")
        return _page(options=options, status=422)
    bad = [f.filename for f in uploads if not f.filename.lower().endswith(ALLOWED)]
    if bad:
        flash(f"Không nhận loại tệp: {', '.join(bad)} (chỉ .json, .csv, .xlsx).", "error")
        return _page(options=options, status=422)
    _forget_stale_uploads()
    token = uuid.uuid4().hex
    folder = _staging(token)
    os.makedirs(folder)
    try:
        for i, upload in enumerate(uploads):
            upload.save(os.path.join(folder, f"{i:03d}__{_safe_name(upload.filename)}"))
        files = _load(folder)
        report = import_files(files, dry_run=True, actor=current_user, **options)
        db.session.rollback()  # a check writes nothing
        if report.ok:
            with open(os.path.join(folder, META), "w", encoding="utf-8") as handle:
                json.dump({"uploader_id": current_user.id, "options": options,
                           "sha256": [_sha(f.content) for f in files]}, handle)
        else:
            token = None
    finally:
        if token is None:
            shutil.rmtree(folder, ignore_errors=True)  # a refused (or failed) check keeps nothing
    return _page(report, token, options, 200 if report.ok else 422)


@bp.route("/import/<token>/confirm", methods=["POST"])
@roles_required("admin")
def import_confirm(token: str):
    folder = _staging(token)
    meta = None
    if os.path.isfile(os.path.join(folder, META)):
        with open(os.path.join(folder, META), encoding="utf-8") as handle:
            meta = json.load(handle)
    if meta is None or meta.get("uploader_id") != current_user.id:
        flash("Phiên kiểm tra đã hết hạn hoặc đã được nhập: hãy tải tệp lên lại.", "error")
        return redirect(url_for(".import_page"))
    try:
        files = _load(folder, meta)
        if not files:
            flash("Tệp đã kiểm tra bị thay đổi trên máy chủ: hãy tải tệp lên và kiểm tra lại.", "error")
            return redirect(url_for(".import_page"))
        options = meta["options"]
        report = import_files(files, actor=current_user, **options)
        if not report.ok:
            db.session.rollback()
            return _page(report, None, options, 422)
        if not report.nothing_new:
            from app.scores.accountability import scan_red

            scan_red(now=now_utc())
        db.session.commit()  # the import and the alerts it causes, together
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if report.nothing_new:
        flash("Không có gì mới: dữ liệu đã có đầy đủ.", "info")
    else:
        flash(f"Đã nhập: {report.total('new')} giá trị mới, {report.total('changed')} giá trị thay đổi, "
              f"{report.total('unchanged')} không đổi.", "success")
    return redirect(url_for(".import_page"))
