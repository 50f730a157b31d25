"""Upload page for dossier files: check (a dry run with a row-level report), then import exactly what was checked.

The checked files wait in instance/dossier-imports/<token>/ with a record of who checked them, with which options
and their SHA-256: the confirm step imports those files with those options, for that person only (nothing is
re-read from the confirm form). An admin imports only dossiers of units in their own tree (enforced by the service).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError

from app.core import staging, uploads
from app.core.errors import DomainError
from app.core.permissions import roles_required
from app.core.time import now_utc
from app.dossiers.importer import EXTENSIONS, DossierFile, import_dossier_files
from app.dossiers.services import CONCURRENT
from app.dossiers.views import bp
from app.extensions import db

MAX_FILES = 20
FOLDER = "dossier-imports"


def _load(folder: str) -> list[DossierFile]:
    """The staged files, in upload order, read from disk as streams."""
    return [DossierFile(name, path=path) for name, path in staging.staged(folder)]


def _page(report=None, token=None, options=None, status=200):
    return render_template("dossiers/import.html", report=report, token=token, options=options or {},
                           limits=uploads.current_limits()), status


def _run(files, options, *, dry_run: bool):
    """The import (a check when `dry_run`), or None after flashing why it could not run; never commits."""
    try:
        return import_dossier_files(files, now=now_utc(), source=options["source"], actor=current_user,
                                    dry_run=dry_run, max_rows=uploads.current_limits().max_rows)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return None


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_page():
    if request.method == "GET":
        return _page()
    if uploads.request_too_large():  # before the body is read
        flash(uploads.too_large_request(uploads.current_limits()), "error")
        return _page(status=413)
    options = {"source": (request.form.get("source") or "").strip()[:80] or None}
    sent = [f for f in request.files.getlist("files") if f and f.filename]
    refusal = staging.refusal(sent, extensions=EXTENSIONS, max_files=MAX_FILES, limits=uploads.current_limits(),
                              empty="Chọn ít nhất một tệp .csv hoặc .xlsx.")
    if refusal:
        flash(refusal, "error")
        return _page(options=options, status=422)
    token, folder = staging.stage(FOLDER, sent)
    report = None
    try:
        files = _load(folder)
        report = _run(files, options, dry_run=True)
        db.session.rollback()  # a check writes nothing
        if report is not None and report.ok:
            staging.keep(folder, uploader_id=current_user.id, options=options, digests=[f.sha256() for f in files])
        else:
            token = None
    finally:
        if token is None:
            staging.discard(folder)  # a refused (or failed) check keeps nothing
    if report is None:
        return _page(options=options, status=422)
    return _page(report, token, options, 200 if report.ok else 422)


uploads.refuse_large_requests(bp, "dossiers.import_page", _page)


@bp.route("/import/<token>/confirm", methods=["POST"])
@roles_required("admin")
def import_confirm(token: str):
    folder = staging.folder(FOLDER, token)
    meta = staging.checked(folder, current_user.id)
    if meta is None:
        flash(staging.EXPIRED, "error")
        return redirect(url_for(".import_page"))
    try:
        files = _load(folder)
        if [f.sha256() for f in files] != meta.get("sha256"):
            flash(staging.CHANGED, "error")
            return redirect(url_for(".import_page"))
        options = meta["options"]
        report = _run(files, options, dry_run=False)
        if report is None:
            return redirect(url_for(".import_page"))
        if not report.ok:  # the data changed since the check (a unit removed, an account locked...)
            db.session.rollback()
            return _page(report, None, options, 422)
        db.session.commit()
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()
        flash(gettext(CONCURRENT) if isinstance(exc, IntegrityError) else gettext(
            "Cơ sở dữ liệu đang bận (một lần nhập khác đang ghi): không ghi gì. Hãy tải tệp lên và nhập lại sau ít "
            "phút."), "error")
        return redirect(url_for(".import_page"))
    finally:
        staging.discard(folder)
    if report.nothing_new:
        flash(gettext("Không có gì thay đổi: %(total)s hồ sơ đã có đầy đủ.", total=report.total('unchanged')), "info")
    else:
        flash(gettext("Đã nhập: %(new)s hồ sơ mới, %(changed)s hồ sơ thay đổi, %(unchanged)s không đổi.",
                      new=report.total("new"), changed=report.total("changed"), unchanged=report.total("unchanged")), "success")
    return redirect(url_for(".import_page"))
