"""`flask scores import FILE... [--dry-run] [--period P] [--create-units] [--formality CODE]`, `flask scores scan-red`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.core.time import now_utc
from app.core.uploads import UploadRefused, current_limits
from app.extensions import db
from app.scores.importer import ImportReport, import_files, read_paths

ROW_ERRORS_PER_FILE = 200


@click.group(help="Điểm số các chỉ số 766: nhập số liệu, quét chỉ số cần giải trình.")
def scores():
    pass


def _where(f, e) -> str:
    if e.row is None:
        row = ""
    elif f.rows_are_units:
        row = f"đơn vị thứ {e.row}" if e.row else "dòng tỉnh (overview)"
    else:
        row = f"dòng {e.row}"
    return ", ".join(x for x in (row, f"cột {e.field}" if e.field else "",
                                 f"giá trị «{e.value}»" if e.value not in (None, "") else "") if x)


def print_report(report: ImportReport) -> None:
    """One line per file; each row error of its own; repeated problems once, with their count and advice."""
    for f in report.files:
        if f.skipped:
            click.echo(f"- {f.name}: {f.skipped}")
            continue
        head = (f"- {f.name} [{f.label}{', kỳ ' + f.period if f.period else ''}"
                f"{', theo TTHC' if f.scope == 'formality' else ''}]")
        if f.errors:
            click.echo(f"{head}: {len(f.errors)} lỗi")
            own = report.row_errors(f)
            for e in own[:ROW_ERRORS_PER_FILE]:
                where = _where(f, e)
                click.echo(f"    ✗ {where + ': ' if where else ''}{e.message_vi}")
            if len(own) > ROW_ERRORS_PER_FILE:
                click.echo(f"    … và {len(own) - ROW_ERRORS_PER_FILE} lỗi khác")
            continue
        r = f.result
        if not report.ok:
            click.echo(f"{head}: {f.rows} dòng hợp lệ (chưa ghi vì tệp khác có lỗi)")
            continue
        click.echo(f"{head}: {r.total} dòng — mới {r.new}, thay đổi {r.changed}, không đổi {r.unchanged}")
        for w in f.warnings[:10]:
            click.echo(f"    ! {w}")
        if r.mismatches:
            click.echo(f"    ! {len(r.mismatches)} điểm của cổng lệch quy tắc danh mục quá 0,01 (giữ điểm của cổng):")
            for m in r.mismatches[:5]:
                click.echo(f"      {m}")
    summaries = report.summaries()
    if summaries:
        click.echo("Lỗi lặp lại (gộp):")
        for s in summaries:
            click.echo(f"  ✗ {s.title}: {s.distinct} trường hợp, {s.count} lỗi trong {s.files} tệp. Ví dụ:")
            for example in s.examples:
                click.echo(f"      {example}")
            if s.distinct > len(s.examples):
                click.echo(f"      … và {s.distinct - len(s.examples)} trường hợp khác")
            if s.hint:
                click.echo(f"    → {s.hint}")
    for unit in report.created_units:
        click.echo(f"+ tạo đơn vị {unit}")


@scores.command("import", help="Nhập tệp số liệu chấm điểm: JSON của Cổng DVCQG (lưu nguyên dạng), CSV hoặc XLSX. "
                               "Thư mục được duyệt toàn bộ. Tất cả hoặc không: có lỗi thì không ghi gì.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và báo cáo, không ghi.")
@click.option("--period", help="Kỳ của tệp JSON khi tệp không tự ghi: 2026-Q3, 2026-08 hoặc 2026.")
@click.option("--formality", help="Mã TTHC của tệp số liệu theo một TTHC, ví dụ 2.000815.")
@click.option("--scope", type=click.Choice(["all", "formality"]),
              help="Phạm vi của tệp JSON khi không có manifest.json: all (toàn đơn vị) hoặc formality (một TTHC).")
@click.option("--create-units", is_flag=True, help="Tạo đơn vị chưa có (theo mã và mã cổng của tệp).")
@click.option("--max-mb", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Nâng giới hạn dung lượng mỗi tệp (MB) cho lần chạy này (mặc định: UPLOAD_MAX_*_MB).")
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Nâng giới hạn số dòng mỗi tệp CSV/XLSX cho lần chạy này (mặc định: UPLOAD_MAX_ROWS).")
@with_appcontext
def import_command(paths, dry_run, period, formality, scope, create_units, max_mb, max_rows):
    limits = current_limits().widened(max_mb=max_mb, max_rows=max_rows)
    try:
        files = read_paths(list(paths), limits)
    except UploadRefused as exc:
        raise click.ClickException(f"{exc} (Dòng lệnh: --max-mb để nâng giới hạn.)") from None
    if not files:
        raise click.ClickException("Không tìm thấy tệp .json, .csv hoặc .xlsx nào.")
    with click.progressbar(length=len(files), label="Đang đọc tệp", file=click.get_text_stream("stderr")) as bar:
        report = import_files(files, period=period, formality=formality, scope=scope, create_units=create_units,
                              dry_run=dry_run, on_file=lambda _src: bar.update(1), max_rows=limits.max_rows)
    alerts = 0
    if report.ok and not dry_run and not report.nothing_new:
        from app.scores.accountability import scan_red

        alerts = scan_red(now=now_utc())  # the import and the alerts it causes commit together
        db.session.commit()
    else:
        db.session.rollback()
    print_report(report)
    if not report.ok:
        raise click.ClickException(f"Có lỗi trong {sum(1 for f in report.files if f.errors)} tệp: "
                                   "không ghi dữ liệu nào. Sửa lỗi rồi nhập lại.")
    if alerts:
        click.echo(f"Đã gửi {alerts} cảnh báo chỉ số cần giải trình.")
    verb = "Sẽ ghi" if dry_run else "Đã ghi"
    if report.nothing_new:
        click.echo("Không có gì mới: dữ liệu đã có đầy đủ.")
    else:
        click.echo(f"{verb}: {report.total('new')} giá trị mới, {report.total('changed')} giá trị thay đổi "
                   f"(giá trị cũ được lưu lại), {report.total('unchanged')} không đổi"
                   f"{', ' + str(len(report.created_units)) + ' đơn vị mới' if report.created_units else ''}."
                   f"{' (chạy thử: chưa ghi gì)' if dry_run else ''}")


@scores.command("scan-red", help="Tìm chỉ số chuyển đỏ / giảm mạnh ở kỳ mới nhất và gửi cảnh báo cho người phụ trách.")
@with_appcontext
def scan_red_command():
    from app.scores.accountability import scan_red

    created = scan_red(now=now_utc())
    db.session.commit()
    click.echo(f"Đã tạo {created} cảnh báo mới." if created else "Không có cảnh báo mới.")
