"""Upload page: check files (a dry run with a row-level report), then import exactly what was checked.

The checked files wait in instance/imports/<token>/ with a record of who checked them, with which options and
their SHA-256: the confirm step imports those files with those options, for that person only (nothing is re-read
from the confirm form).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.core import staging, uploads
from app.core.permissions import roles_required
from app.core.time import now_utc, today_vn
from app.extensions import db
from app.scores.importer import SourceFile, import_files
from app.scores.periods import suggestions
from app.scores.views import bp

ALLOWED = (".json", ".csv", ".xlsx")
MAX_FILES = 60
FOLDER = "imports"


def _load(folder: str, meta: dict | None = None) -> list[SourceFile]:
    """The staged files (in upload order); with `meta`, only if each is still byte for byte what was checked."""
    files = []
    for name, path in staging.staged(folder):
        with open(path, "rb") as handle:
            files.append(SourceFile(name, handle.read()))
    if meta is not None and [staging.sha256(f.content) for f in files] != meta.get("sha256"):
        return []
    return files


def _options() -> dict:
    scope = request.form.get("scope")
    return {"period": (request.form.get("period") or "").strip()[:40] or None,
            "formality": (request.form.get("formality") or "").strip()[:40] or None,
            "scope": scope if scope in ("all", "formality") else None,
            "create_units": request.form.get("create_units") == "1"}


def _page(report=None, token=None, options=None, status=200):
    return render_template("scores/import.html", report=report, token=token, options=options or {},
                           limits=uploads.current_limits(), period_options=suggestions(today_vn())), status


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_page():
    if request.method == "GET":
        return _page()
    if uploads.request_too_large():  # before the body is read
        flash(uploads.too_large_request(uploads.current_limits()), "error")
        return _page(status=413)
    limits = uploads.current_limits()
    options = _options()
    sent = [f for f in request.files.getlist("files") if f and f.filename]
    refusal = staging.refusal(sent, extensions=ALLOWED, max_files=MAX_FILES, limits=limits,
                              empty="Chọn ít nhất một tệp .json (Cổng DVCQG), .csv hoặc .xlsx.")
    if refusal:
        flash(refusal, "error")
        return _page(options=options, status=422)
    token, folder = staging.stage(FOLDER, sent)
    try:
        files = _load(folder)
        report = import_files(files, dry_run=True, actor=current_user, max_rows=limits.max_rows, **options)
        db.session.rollback()  # a check writes nothing
        if report.ok:
            staging.keep(folder, uploader_id=current_user.id, options=options,
                         digests=[staging.sha256(f.content) for f in files])
        else:
            token = None
    finally:
        if token is None:
            staging.discard(folder)  # a refused (or failed) check keeps nothing
    return _page(report, token, options, 200 if report.ok else 422)


uploads.refuse_large_requests(bp, "scores.import_page", _page)


@bp.route("/import/<token>/confirm", methods=["POST"])
@roles_required("admin")
def import_confirm(token: str):
    folder = staging.folder(FOLDER, token)
    meta = staging.checked(folder, current_user.id)
    if meta is None:
        flash(staging.EXPIRED, "error")
        return redirect(url_for(".import_page"))
    try:
        files = _load(folder, meta)
        if not files:
            flash(staging.CHANGED, "error")
            return redirect(url_for(".import_page"))
        options = meta["options"]
        report = import_files(files, actor=current_user, max_rows=uploads.current_limits().max_rows, **options)
        if not report.ok:
            db.session.rollback()
            return _page(report, None, options, 422)
        if not report.nothing_new:
            from app.scores.accountability import scan_red

            scan_red(now=now_utc())
        db.session.commit()  # the import and the alerts it causes, together
    finally:
        staging.discard(folder)
    if report.nothing_new:
        flash(gettext("Không có gì mới: dữ liệu đã có đầy đủ."), "info")
    else:
        flash(gettext("Đã nhập: %(new)s giá trị mới, %(changed)s giá trị thay đổi, %(unchanged)s không đổi.",
                      new=report.total("new"), changed=report.total("changed"), unchanged=report.total("unchanged")),
              "success")
    return redirect(url_for(".import_page"))
