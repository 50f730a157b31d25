"""`flask reports plan|quarterly --unit CODE|--all-units --quarter 2026Q3 [-o PATH] [--sign]`, `flask reports verify`.

The command line is the operator's: `--sign` takes the document through submission and approval to the signature of
the unit's chair (or `--signer`), each step recorded. Many units are rendered here (in `--workers` processes, see
reports.batch), never in a web request: a line as each unit finishes, a summary, exit code 1 if any unit failed.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.core.errors import DomainError
from app.core.formatting import vn_number
from app.core.time import now_utc
from app.extensions import db
from app.org.models import Unit
from app.org.services import find_unit_by_code
from app.reports import batch, services
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


def _run(kind: str, unit_code, all_units, quarter, output, sign, signer_name, workers=None):
    try:
        period = services.parse_quarter(quarter)
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint="--quarter") from None
    if workers is not None and workers < 1:
        raise click.BadParameter("số tiến trình phải từ 1 trở lên.", param_hint="--workers")
    units = _units(kind, unit_code, all_units, period)
    if not units:
        raise click.ClickException("Không có đơn vị nào để lập văn bản cho quý này.")
    now = now_utc()  # the one clock reading: every unit's document is dated by it
    code = f"{period.start_date.year}Q{(period.start_date.month - 1) // 3 + 1}"
    if all_units:
        folder = Path(output or ".")
        folder.mkdir(parents=True, exist_ok=True)
    tasks = [batch.Task(kind, u.id, u.code, u.name, code,
                        str(folder / batch.file_name(kind, u.code, code) if all_units
                            else Path(output or batch.file_name(kind, u.code, code))),
                        now, sign, signer_name) for u in units]
    workers = workers or batch.default_workers()
    if not all_units:
        outcome = batch.run_one(tasks[0])
        if not outcome.ok:
            click.echo(f"Lỗi — {outcome.code}: {outcome.message}", err=True)
            raise SystemExit(1)
        click.echo(f"{outcome.code}: {outcome.message}")
        return
    parallel = workers > 1 and len(tasks) > 1 and not sign
    click.echo(f"Lập {len(tasks)} văn bản" + (f", {min(workers, len(tasks))} tiến trình song song" if parallel else "")
               + (" (ký số lần lượt từng đơn vị: số văn bản cấp theo thứ tự)" if sign and workers > 1 else "") + ".")
    width = len(str(len(tasks)))

    def progress(position: int, outcome: batch.Outcome) -> None:
        head = f"[{position:>{width}}/{len(tasks)}] {'' if outcome.ok else 'Lỗi — '}{outcome.code}"
        click.echo(f"{head}: {outcome.message} ({vn_number(outcome.seconds, 1)} s)", err=not outcome.ok)

    db.session.rollback()  # hold no transaction (nor its locks) open while the units are produced
    started = time.perf_counter()
    outcomes = batch.run_all(tasks, workers=workers if parallel else 1,
                             config=batch.worker_config(current_app.config), on_done=progress)
    failed = [o for o in outcomes if not o.ok]
    click.echo(f"Xong {len(outcomes)} đơn vị trong {_duration(time.perf_counter() - started)}: "
               f"{len(outcomes) - len(failed)} thành công, {len(failed)} lỗi.")
    for o in sorted(failed, key=lambda o: o.code):
        click.echo(f"Lỗi — {o.code} ({o.name}): {o.message}", err=True)
    if failed:
        raise SystemExit(1)


def _duration(seconds: float) -> str:
    """"4 phút 05 giây", "12,3 giây"."""
    if seconds < 60:
        return f"{vn_number(seconds, 1)} giây"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} phút {rest:02d} giây"


def _options(command):
    command = click.option("--signer", "signer_name", help="Tên đăng nhập người ký (mặc định: Chủ tịch của đơn vị).")(
        command)
    command = click.option("--sign", is_flag=True, help="Trình, duyệt và ký số (PAdES), cấp số văn bản, lưu trữ.")(
        command)
    command = click.option("--workers", type=int, default=None,
                           help="Số tiến trình lập văn bản song song với --all-units (mặc định: số CPU; 1 = lần lượt "
                                "trong tiến trình này).")(command)
    command = click.option("-o", "--output", help="Tệp PDF (một đơn vị) hoặc thư mục (--all-units).")(command)
    command = click.option("--quarter", required=True, help="Quý, ví dụ 2026Q3.")(command)
    command = click.option("--all-units", is_flag=True, help="Mọi UBND có phân công (kế hoạch) hoặc có điểm quý "
                                                             "(báo cáo).")(command)
    return click.option("--unit", "unit_code", help="Mã đơn vị, ví dụ NS.")(command)


@reports.command("plan", help="Kế hoạch phân công quý (bảng phân công đang hiệu lực kèm theo).")
@_options
@with_appcontext
def plan(unit_code, all_units, quarter, output, workers, sign, signer_name):
    _run("plan", unit_code, all_units, quarter, output, sign, signer_name, workers)


@reports.command("quarterly", help="Báo cáo kết quả thực hiện Bộ chỉ số quý.")
@_options
@with_appcontext
def quarterly(unit_code, all_units, quarter, output, workers, sign, signer_name):
    _run("report", unit_code, all_units, quarter, output, sign, signer_name, workers)


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
