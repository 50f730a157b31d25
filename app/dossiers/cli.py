"""`flask dossiers ...`: `import FILE... [--dry-run] [--source NAME]`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError, OperationalError

from app.core.errors import DomainError
from app.core.time import now_utc
from app.extensions import db


def n(count: int) -> str:
    """A count as Vietnamese write it: 1.000.000."""
    return f"{count:,}".replace(",", ".")


@click.group(help="Hồ sơ thủ tục hành chính: nhập từ hệ thống một cửa, thống kê, trễ hạn.")
def dossiers():
    pass


def _where(e) -> str:
    return ", ".join(x for x in (f"dòng {e.row}" if e.row is not None else "", f"cột {e.column}" if e.column else "",
                                 f"giá trị «{e.value}»" if e.value not in (None, "") else "") if x)


def print_report(report) -> None:
    """One line per file; each row error of its own (up to a bound); repeated problems once, with their advice."""
    for f in report.files:
        head = f"- {f.name} [{f.label}]"
        if f.errors:
            click.echo(f"{head}: {n(f.errors.count)} lỗi")
            shown, repeated = f.shown_errors()
            for e in shown:
                where = _where(e)
                click.echo(f"    ✗ {where + ': ' if where else ''}{e.message}")
            for more in repeated:
                click.echo(f"    {more}")
            if f.unlisted > 0:
                columns = ", ".join(f"{c}: {n(k)}" for c, k in f.errors.by_column.most_common(5) if c)
                click.echo(f"    … và {n(f.unlisted)} lỗi khác không liệt kê (theo cột: {columns})")
            continue
        r = f.result
        if not report.ok:
            click.echo(f"{head}: {n(f.rows)} dòng đã đọc (chưa ghi vì tệp khác có lỗi)")
            continue
        click.echo(f"{head}: {n(f.rows)} dòng — mới {n(r.new)}, thay đổi {n(r.changed)}, không đổi {n(r.unchanged)}")
        if f.ignored_columns:
            click.echo(f"    ! Bỏ qua cột không thuộc mẫu: {', '.join(f.ignored_columns[:10])}")
    summaries = report.summaries()
    if summaries:
        click.echo("Lỗi lặp lại (gộp):")
        for s in summaries:
            click.echo(f"  ✗ {s.title}: {s.distinct} giá trị, {n(s.count)} dòng trong {s.files} tệp. Ví dụ:")
            for example in s.examples:
                click.echo(f"      {example}")
            if s.distinct > len(s.examples):
                click.echo(f"      … và {s.distinct - len(s.examples)} giá trị khác")
            click.echo(f"    → {s.hint}")


@dossiers.command("import", help="Nhập hồ sơ từ tệp CSV hoặc XLSX của hệ thống một cửa (thư mục được duyệt toàn "
                                 "bộ). Tất cả hoặc không: có lỗi ở bất kỳ dòng nào thì không ghi gì; nhập lại cùng "
                                 "tệp không thay đổi gì.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và báo cáo (số liệu đúng như khi nhập), không ghi.")
@click.option("--source", default=None, help="Tên hệ thống nguồn (mã hồ sơ là duy nhất trong một nguồn); mặc định "
                                             "mot-cua.")
@click.option("--max-mb", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Nâng giới hạn dung lượng mỗi tệp (MB) cho lần chạy này (mặc định: UPLOAD_MAX_CSV_MB, "
                   "UPLOAD_MAX_XLSX_MB).")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Nâng giới hạn số dòng mỗi tệp cho lần chạy này (mặc định: UPLOAD_MAX_ROWS).")
@with_appcontext
def import_command(paths, dry_run, source, max_mb, max_rows):
    from app.core.uploads import UploadRefused, check_paths, current_limits
    from app.dossiers.importer import import_dossier_files, read_paths

    files = read_paths(list(paths))
    if not files:
        raise click.ClickException("Không tìm thấy tệp .csv hoặc .xlsx nào.")
    limits = current_limits().widened(max_mb=max_mb, max_rows=max_rows)
    try:
        check_paths([f.path for f in files if f.file_format], limits)
    except UploadRefused as exc:
        raise click.ClickException(f"{exc} (Dòng lệnh: --max-mb để nâng giới hạn.)") from None
    total = sum(f.size for f in files)
    try:
        with click.progressbar(length=total, label="Đang đọc tệp", file=click.get_text_stream("stderr")) as bar:
            report = import_dossier_files(files, now=now_utc(), source=source, dry_run=dry_run, on_progress=bar.update,
                                          max_rows=limits.max_rows)
        if report.ok and not dry_run:
            db.session.commit()
        else:
            db.session.rollback()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    except IntegrityError:
        db.session.rollback()
        from app.dossiers.services import CONCURRENT

        raise click.ClickException(CONCURRENT) from None
    except OperationalError as exc:
        db.session.rollback()
        raise click.ClickException(f"Không ghi được vào cơ sở dữ liệu (đang bận vì một lần nhập khác, hoặc không truy "
                                   f"cập được): không ghi gì, hãy chạy lại. Chi tiết: {exc.orig}") from None
    print_report(report)
    if not report.ok:
        raise click.ClickException(f"Có lỗi trong {sum(1 for f in report.files if f.errors)} tệp: không ghi dữ liệu "
                                   "nào. Sửa lỗi rồi nhập lại.")
    if report.nothing_new:
        click.echo(f"Không có gì thay đổi: {n(report.total('unchanged'))} hồ sơ đã có đầy đủ, không ghi gì.")
        return
    verb = "Sẽ ghi" if dry_run else "Đã ghi"
    click.echo(f"{verb}: {n(report.total('new'))} hồ sơ mới, {n(report.total('changed'))} hồ sơ thay đổi, "
               f"{n(report.total('unchanged'))} không đổi (nguồn «{report.source}»)."
               f"{' (chạy thử: chưa ghi gì)' if dry_run else ''}")


def _partition_step(step) -> None:
    import time

    started = time.perf_counter()
    try:
        result = step()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(f"Xong trong {time.perf_counter() - started:,.1f} giây: {n(result['rows'])} hồ sơ giữ nguyên.")


@dossiers.command("partition", help="(PostgreSQL) Chia bảng hồ sơ theo tháng tiếp nhận (phân vùng), giữ nguyên mọi "
                                    "hồ sơ; chạy lại trên bảng đã chia thì chỉ thêm các tháng tới. Khóa bảng trong "
                                    "lúc chạy: chạy ngoài giờ làm việc.")
@click.option("--months-ahead", type=click.IntRange(min=1, max=120), default=12, show_default=True,
              help="Số tháng tới có sẵn phân vùng.")
@with_appcontext
def partition_command(months_ahead):
    from app.core.time import today_vn
    from app.dossiers.partitioning import partition

    _partition_step(lambda: partition(today=today_vn(), months_ahead=months_ahead, progress=click.echo))


@dossiers.command("unpartition", help="(PostgreSQL) Gộp bảng hồ sơ đã chia theo tháng trở lại một bảng thường, giữ "
                                      "nguyên mọi hồ sơ.")
@with_appcontext
def unpartition_command():
    from app.dossiers.partitioning import unpartition

    _partition_step(lambda: unpartition(progress=click.echo))
