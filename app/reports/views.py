"""Documents pages: list, new draft, the document (texts, workflow, comments), HTML preview, PDF, verification."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.auth.guards import reauth_redirect
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.forms import FAILED, choices, commit_or_show
from app.core.i18n import N_
from app.core.time import now_utc, to_vn, today_vn
from app.extensions import db
from app.org.models import Unit
from app.reports import services
from app.reports.forms import ActionForm, NewDocumentForm, VerifyForm, texts_form
from app.reports.models import Document
from app.scores.periods import suggestions

bp = Blueprint("documents", __name__, url_prefix="/documents")

ACTIONS = {  # the confirmations, translated when flashed
    "submit": (services.submit, N_("Đã trình văn bản để Chủ tịch duyệt.")),
    "approve": (services.approve, N_("Đã duyệt văn bản; có thể ký ban hành.")),
    "return": (services.send_back, N_("Đã trả lại văn bản để sửa.")),
    "comment": (None, N_("Đã ghi ý kiến.")),
    "sign": (None, N_("Đã ký số và ban hành văn bản.")),
    "revise": (None, N_("Đã tạo bản sửa đổi (dự thảo).")),
}


def _document(document_id: int) -> Document:
    try:
        return services.get_for(current_user, document_id)
    except NotFound:
        abort(404)


def _new_form() -> NewDocumentForm:
    form = NewDocumentForm()
    form.unit_id.choices = choices((u.id, u.name) for u in services.units_for_drafting(current_user))
    return form


@bp.route("/")
@login_required
def index():
    form = _new_form()
    if request.method == "GET" and not form.quarter.data:
        form.quarter.data = request.args.get("quarter", "")
    return _index_page(form)


@bp.route("/new", methods=["POST"])
@login_required
def new():
    form = _new_form()
    if not form.unit_id.choices:
        abort(403)
    if form.validate_on_submit():
        now = now_utc()

        def action():
            unit = db.session.get(Unit, form.unit_id.data)
            return services.create_draft(kind=form.kind.data, unit=unit, period=services.parse_quarter(
                form.quarter.data), actor=current_user, today=to_vn(now).date(), now=now)

        doc = commit_or_show(form, action)
        if doc is not FAILED:
            flash(gettext("Đã tạo dự thảo %(kind_label)s %(quarter_label)s của %(unit_name)s.", kind_label=doc.kind_label.lower(), quarter_label=doc.quarter_label, unit_name=doc.unit.name), "success")
            return redirect(url_for(".detail", document_id=doc.id))
    return _index_page(form, status=422)


def _index_page(form, status: int = 200):
    """The documents list (sorted, filtered, or its Excel export) under the new-draft form."""
    from app.core.excel import send_xlsx
    from app.core.listing import listing_state
    from app.reports.listing import LISTING, workbook

    everything = services.documents_for(current_user)
    state = listing_state(LISTING)
    documents = state.apply(everything)
    if request.args.get("format") == "xlsx":
        return send_xlsx(workbook(documents), "van-ban.xlsx")
    return render_template("documents/index.html", documents=documents, form=form, state=state,
                           everything=everything, quarter_options=suggestions(today_vn(), ("quarter",))), status


def _detail(doc: Document, *, texts=None, action_form=None, status: int = 200):
    can_prepare = services.can_prepare(current_user, doc.unit)
    can_decide = services.can_decide(current_user, doc.unit)
    if texts is None and doc.status == "draft" and can_prepare:
        texts = texts_form(doc.kind, doc.texts)
    revision = db.session.scalar(db.select(Document).where(Document.supersedes_id == doc.id))
    return render_template(
        "documents/detail.html", doc=doc, texts=texts, form=action_form or ActionForm(), can_prepare=can_prepare,
        can_decide=can_decide, revision=revision, versions=_versions(doc)), status


def _versions(doc: Document) -> list[Document]:
    """Earlier and later versions of the same document that the user may read."""
    chain, node = [], doc.supersedes
    while node is not None:
        chain.append(node)
        node = node.supersedes
    return [d for d in chain if services.can_read(current_user, d)]


@bp.route("/<int:document_id>")
@login_required
def detail(document_id: int):
    return _detail(_document(document_id))


@bp.route("/<int:document_id>/texts", methods=["POST"])
@login_required
def save_texts(document_id: int):
    doc = _document(document_id)
    form = texts_form(doc.kind, doc.texts)
    if form.validate_on_submit():
        now = now_utc()
        data = {key: form[key].data for key in services.TEXT_KEYS[doc.kind]}
        if commit_or_show(form, lambda: services.update_texts(doc, texts=data, actor=current_user, now=now)) \
                is not FAILED:
            flash(gettext("Đã lưu nội dung dự thảo."), "success")
            return redirect(url_for(".detail", document_id=doc.id))
    return _detail(doc, texts=form, status=422)


@bp.route("/<int:document_id>/<any(submit, approve, return, comment, sign, revise):step>", methods=["POST"])
@login_required
def act(document_id: int, step: str):
    doc = _document(document_id)
    if step in ("approve", "sign"):  # a decision in the user's name: the password typed within REAUTH_MAX_AGE
        if not services.can_decide(current_user, doc.unit):  # rights first: nobody is asked for a password in vain
            raise Forbidden(gettext("Chỉ Chủ tịch, Phó Chủ tịch của đơn vị được duyệt và ký văn bản này."))
        again = reauth_redirect(url_for(".detail", document_id=doc.id), now=now_utc())
        if again is not None:
            return again
    form = ActionForm()
    if not form.validate_on_submit():
        return _detail(doc, action_form=form, status=422)
    now = now_utc()
    comment = form.comment.data or ""
    if step == "sign":
        action = lambda: services.sign(doc, actor=current_user, now=now)  # noqa: E731
    elif step == "revise":
        action = lambda: services.revise(doc, actor=current_user, now=now)  # noqa: E731
    elif step == "comment":
        action = lambda: services.add_comment(doc, actor=current_user, now=now, text=comment)  # noqa: E731
    else:
        service = ACTIONS[step][0]
        action = lambda: service(doc, actor=current_user, now=now, comment=comment)  # noqa: E731
    result = commit_or_show(form, action, conflict=gettext(services.NUMBER_TAKEN) if step == "sign" else
                            gettext("Người khác vừa thay đổi văn bản này; tải lại trang rồi thực hiện lại."))
    if result is FAILED:
        db.session.refresh(doc)
        return _detail(doc, action_form=form, status=422)
    flash(gettext(ACTIONS[step][1]) + (gettext(" Số: %(number)s.", number=doc.number_text) if step == "sign" else ""),
          "success")
    return redirect(url_for(".detail", document_id=result.id))


@bp.route("/<int:document_id>/preview")
@login_required
def preview(document_id: int):
    """The draft as the PDF will read (same template, same content) in the browser."""
    doc = _document(document_id)
    if doc.is_issued:
        return redirect(url_for(".pdf", document_id=doc.id))
    from app.reports import content, render

    try:
        data = content.build(doc, today=to_vn(now_utc()).date())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".detail", document_id=doc.id))
    return render.html(doc.kind, data, static_base=url_for("static", filename=""))


@bp.route("/<int:document_id>/pdf")
@login_required
def pdf(document_id: int):
    """The signed PDF from the archive; for a draft, a "DỰ THẢO" PDF rendered now (never signed)."""
    doc = _document(document_id)
    inline = request.args.get("download") != "1"
    if doc.is_issued:
        return send_file(BytesIO(doc.pdf), mimetype="application/pdf", as_attachment=not inline,
                         download_name=doc.file_name)
    from app.reports import content, render

    try:
        data = render.pdf(doc.kind, content.build(doc, today=to_vn(now_utc()).date())).pdf
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".detail", document_id=doc.id))
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=not inline,
                     download_name=doc.file_name)


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify_page():
    """Upload a PDF: intact or changed after signing, who signed and when, trusted or not."""
    form = VerifyForm()
    result = archived = None
    if form.validate_on_submit():
        from app.reports import signing, verify

        data = form.file.data.read()
        result = verify.verify_pdf(data, roots=signing.trust_roots(), now=now_utc())
        match = db.session.scalar(db.select(Document).where(Document.sha256 == result.sha256))
        archived = match if match is not None and services.can_read(current_user, match) else None
    return render_template("documents/verify.html", form=form, result=result, archived=archived), (
        422 if request.method == "POST" and result is None else 200)
