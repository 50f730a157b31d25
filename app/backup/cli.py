"""`flask backup [--output PATH]` and `flask restore PATH [--force]` (app/backup/services.py; the manifest in manifest.py, the engines in sqlite.py and postgres.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from app.backup import services
from app.core.time import now_utc, to_vn


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@click.command("backup", help="Sao lưu toàn bộ cơ sở dữ liệu và kho văn bản đã ký vào một tệp (không gồm khóa ký).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Tệp sao lưu (mặc định: instance/backups/chiso766-YYYYmmdd-HHMMSS.tar).")
@with_appcontext
def backup(output: str | None):
    from flask import current_app

    now = now_utc()
    if output is None:
        folder = Path(current_app.instance_path) / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        output = folder / f"chiso766-{to_vn(now):%Y%m%d-%H%M%S}.tar"
    try:
        manifest = services.create_backup(Path(output), now=now, echo=click.echo)
    except services.BackupError as exc:
        raise click.ClickException(exc.message) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"Không đọc được cơ sở dữ liệu để sao lưu: {reason}") from None
    click.echo(f"Đã sao lưu vào «{output}»: {len(manifest['tables'])} bảng, {_number(manifest['rows'])} dòng, "
               f"{manifest['signed_documents']} văn bản đã ký; phiên bản cơ sở dữ liệu {manifest['alembic_revision']}. "
               f"Khóa ký số và SECRET_KEY không nằm trong bản sao lưu: giữ chúng riêng.")


@click.command("restore", help="Khôi phục một bản sao lưu vào cơ sở dữ liệu đang cấu hình, rồi kiểm tra số dòng và "
                               "chữ ký số của mọi văn bản đã ký.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Cho phép thay dữ liệu đang có trong cơ sở dữ liệu đích.")
@with_appcontext
def restore(path: str, force: bool):
    try:
        summary = services.restore_backup(Path(path), force=force, now=now_utc(), echo=click.echo)
    except services.BackupError as exc:
        raise click.ClickException(exc.message) from None
    if summary.problems:
        for problem in summary.problems:
            click.echo(f"  - {problem}", err=True)
        raise click.ClickException(f"Khôi phục KHÔNG khớp bản sao lưu: {len(summary.problems)} sai lệch (liệt kê ở "
                                   f"trên). Không dùng cơ sở dữ liệu này trước khi xử lý.")
    click.echo(f"Khôi phục xong và đã kiểm tra: {summary.tables} bảng, {_number(summary.rows)} dòng khớp bảng kê; "
               f"{summary.documents} văn bản đã ký: tệp PDF khớp SHA-256, chữ ký số hợp lệ {summary.signatures_valid}/"
               f"{summary.documents}, tin cậy {summary.signatures_trusted}/{summary.documents}.")
    for note in summary.notes:
        click.echo(f"Lưu ý: {note}")


# No "is the database at the head" check before these two: a database behind the code is backed up before
# `flask db upgrade`, and the restore target may be empty, missing or not migrated yet.
backup.needs_database = False
restore.needs_database = False
