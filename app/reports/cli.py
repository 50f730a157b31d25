"""`flask reports plan|quarterly --unit CODE|--all-units --quarter 2026Q3 [-o PATH] [--sign]`, `flask reports verify`.

The command line is the operator's: `--sign` takes the document through submission and approval to the signature of
the unit's chair (or `--signer`), each step recorded. Many units are rendered here, with a progress bar, never in a
web request.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.errors import DomainError
from app.core.time import now_utc, to_vn
from app.extensions import db
from app.org.models import Unit
from app.org.services import find_unit_by_code
from app.reports import services
from app.reports.models import Document
from app.reports.texts import COMMITTEE_KINDS


@click.group(help="Kế hoạch, báo cáo quý (PDF theo Nghị định 30/2020, ký số PAdES) và kiểm tra chữ ký số.")
def reports():
    pass


def _units(kind: str, code: str | None, all_units: bool, period) -> list[Unit]:
    if bool(code) == all_units:
        raise click.UsageError("Chọn đúng một trong --unit MÃ hoặc --all-units.")
    if code:
        unit = find_unit_by_code(code)
        if unit is None:
            raise click.ClickException(f"Không có đơn vị mã «{code}».")
        return [unit]
    from app.assignments.models import Assignment
    from app.scores.models import ScoreRecord

    if kind == "plan":
        ids = sa.select(Assignment.scope_unit_id).distinct()
    else:
        ids = sa.select(ScoreRecord.unit_id).distinct().where(
            ScoreRecord.period_kind == "quarter", ScoreRecord.period_start == period.start_date)
    return list(db.session.scalars(sa.select(Unit).where(
        Unit.id.in_(ids), Unit.is_active.is_(True), Unit.kind.in_(COMMITTEE_KINDS)).order_by(Unit.code)))


def _signer(unit: Unit, username: str | None, now) -> User:
    """--signer, else the unit's chair who has a signing key (the chair before a deputy)."""
    from app.auth.services import find_user
    from app.reports import signing

    if username:
        user = find_user(username)
        if user is None:
            raise DomainError(f"Không có tài khoản «{username}».")
        return user
    people = [u for u in db.session.scalars(sa.select(User).where(User.unit_id == unit.id, User.is_active.is_(True)))
              if services.can_decide(u, unit)]
    people.sort(key=lambda u: (services.wording.is_deputy_title(u.title), u.full_name))
    if not people:
        raise DomainError(f"{unit.name} chưa có tài khoản Chủ tịch hoặc Phó Chủ tịch để ký.")
    for person in people:
        try:
            signing.signer_credential(person, now=now)
            return person
        except DomainError:
            continue
    return people[0]  # signing reports why this chair's key cannot be used


def _one(kind: str, unit: Unit, period, *, sign: bool, signer_name: str | None, target: Path) -> str:
    """Render (and sign) one unit's document into `target`; returns what was done, raises DomainError."""
    now = now_utc()
    today = to_vn(now).date()
    doc = services.find_document(kind, unit, period)
    if doc is not None and doc.is_issued and doc.status == "signed":
        target.write_bytes(doc.pdf)
        note = " (không ký lại)" if sign else ""
        return f"đã ký ban hành số {doc.number_text} ngày {doc.issued_on:%d/%m/%Y}{note}: ghi bản đã ký vào {target}"
    if not sign:
        target.write_bytes(services.draft_preview(kind, unit, period, today=today))
        return f"bản dự thảo (chưa ký) ghi vào {target}"
    signer = _signer(unit, signer_name, now)
    if doc is None:
        doc = services.create_draft(kind=kind, unit=unit, period=period, actor=signer, today=today, now=now)
    services.issue_now(doc, signer=signer, now=now, note="Ký qua dòng lệnh (flask reports).")
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(services.NUMBER_TAKEN) from None
    target.write_bytes(doc.pdf)
    return f"đã ký số {doc.number_text}, {signer.full_name}; SHA-256 {doc.sha256[:16]}…: {target}"


def _run(kind: str, unit_code, all_units, quarter, output, sign, signer_name):
    try:
        period = services.parse_quarter(quarter)
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint="--quarter") from None
    units = _units(kind, unit_code, all_units, period)
    if not units:
        raise click.ClickException("Không có đơn vị nào để lập văn bản cho quý này.")
    many = all_units
    if many:
        folder = Path(output or ".")
        folder.mkdir(parents=True, exist_ok=True)
    failures, lines = [], []
    with click.progressbar(units, label=f"Lập {len(units)} văn bản", show_pos=True,
                           item_show_func=lambda u: u.code if u else "") if many else _plain(units) as bar:
        for unit in bar:
            name = f"{'ke-hoach' if kind == 'plan' else 'bao-cao'}-{unit.code}-{period.start_date.year}" \
                   f"Q{(period.start_date.month - 1) // 3 + 1}.pdf"
            target = folder / name if many else Path(output or name)
            try:
                lines.append(f"{unit.code}: {_one(kind, unit, period, sign=sign, signer_name=signer_name, target=target)}")
            except DomainError as exc:
                db.session.rollback()
                failures.append(f"{unit.code}: {exc.message}")
    for line in lines:
        click.echo(line)
    for line in failures:
        click.echo(f"Lỗi — {line}", err=True)
    if failures:
        raise SystemExit(1)


class _plain:
    """A stand-in for click.progressbar when there is a single unit."""

    def __init__(self, items):
        self.items = items

    def __enter__(self):
        return self.items

    def __exit__(self, *exc):
        return False


def _options(command):
    command = click.option("--signer", "signer_name", help="Tên đăng nhập người ký (mặc định: Chủ tịch của đơn vị).")(
        command)
    command = click.option("--sign", is_flag=True, help="Trình, duyệt và ký số (PAdES), cấp số văn bản, lưu trữ.")(
        command)
    command = click.option("-o", "--output", help="Tệp PDF (một đơn vị) hoặc thư mục (--all-units).")(command)
    command = click.option("--quarter", required=True, help="Quý, ví dụ 2026Q3.")(command)
    command = click.option("--all-units", is_flag=True, help="Mọi UBND có phân công (kế hoạch) hoặc có điểm quý "
                                                             "(báo cáo).")(command)
    return click.option("--unit", "unit_code", help="Mã đơn vị, ví dụ NS.")(command)


@reports.command("plan", help="Kế hoạch phân công quý (bảng phân công đang hiệu lực kèm theo).")
@_options
@with_appcontext
def plan(unit_code, all_units, quarter, output, sign, signer_name):
    _run("plan", unit_code, all_units, quarter, output, sign, signer_name)


@reports.command("quarterly", help="Báo cáo kết quả thực hiện Bộ chỉ số quý.")
@_options
@with_appcontext
def quarterly(unit_code, all_units, quarter, output, sign, signer_name):
    _run("report", unit_code, all_units, quarter, output, sign, signer_name)


@reports.command("verify", help="Kiểm tra chữ ký số của một tệp PDF (nguyên vẹn, người ký, thời gian, tin cậy).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def verify_command(file):
    from app.reports import signing, verify

    data = Path(file).read_bytes()
    result = verify.verify_pdf(data, roots=signing.trust_roots(), now=now_utc())
    click.echo(f"Tệp: {file}\nSHA-256: {result.sha256}")
    for i, sig in enumerate(result.signatures, 1):
        when = f"{sig.signed_at:%d/%m/%Y %H:%M:%S} (giờ Việt Nam)" if sig.signed_at else "không rõ"
        click.echo(f"Chữ ký {i} ({sig.field}): {sig.signer}\n  Chứng thư: {sig.subject}\n  Thời gian ký: {when}\n"
                   f"  Kết quả: {sig.verdict}" + ("\n  Lưu ý: chứng thư DEMO, không có giá trị pháp lý." if sig.is_demo
                                                 else ""))
    archived = db.session.scalar(sa.select(Document).where(Document.sha256 == result.sha256))
    if archived is not None:
        click.echo(f"Khớp văn bản lưu trữ: {archived.kind_label} số {archived.number_text} của {archived.unit.name}.")
    click.echo(("HỢP LỆ: " if result.ok else "KHÔNG HỢP LỆ: ") + result.summary)
    if not result.ok:
        raise SystemExit(1)
