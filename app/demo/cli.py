"""`flask seed-demo [--reset]`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.time import now_utc
from app.demo import data, services
from app.extensions import db


@click.command("seed-demo", help="Nạp dữ liệu mẫu huyện Ninh Sơn (chạy lại không nhân đôi dữ liệu).")
@click.option("--reset", is_flag=True, help="Xóa dữ liệu mẫu cũ rồi nạp lại từ đầu.")
@click.option("--if-empty", is_flag=True, help="Chỉ nạp khi cơ sở dữ liệu chưa có đơn vị nào (dùng cho make run).")
@with_appcontext
def seed_demo(reset: bool, if_empty: bool):
    password = current_app.config["DEMO_PASSWORD"]
    if if_empty and not reset and services.has_units():
        click.echo("Cơ sở dữ liệu đã có dữ liệu, không nạp dữ liệu mẫu.")
        _print_logins(password)
        return
    try:
        if reset:
            services.reset_demo()
        counts = services.load_demo(password, now=now_utc(), with_scores=True)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _demo_keys()
    if any(counts.values()):
        click.echo(f"Đã nạp dữ liệu mẫu: {counts['units']} đơn vị, {counts['users']} tài khoản, "
                   f"{counts['assignments']} phân công, {counts['scores']} giá trị điểm, {counts['dossiers']} hồ sơ.")
    else:
        click.echo("Dữ liệu mẫu đã có đầy đủ, không thay đổi gì.")
    _print_logins(password)


def _demo_keys() -> None:
    """The demo CA and the demo chair's signing key (instance/keys by default; never committed), once."""
    from app.demo.keys import ensure_demo_keys

    directory = Path(current_app.config["SIGNING_DIR"])
    chair = next(o for o in data.OFFICERS if o[4] == "chair")
    if ensure_demo_keys(directory, chair=(chair[0], chair[1]), unit=data.DISTRICT[:2], now=now_utc()):
        click.echo(f"Đã tạo khóa ký số DEMO (không có giá trị pháp lý) cho {chair[1]} và con dấu "
                   f"{data.DISTRICT[1]} trong {directory}.")


def _print_logins(password: str) -> None:
    if not services.demo_loaded():
        return
    click.echo(f"Tài khoản mẫu (mật khẩu: {password}):")
    for username, full_name, title, _, _ in data.OFFICERS:
        if username in ("quantri", "admin", "hungdv", "vanna", "yenntk", "hungtv", "haontc", "hatlt", "binhnv"):
            click.echo(f"  {username:<8} {full_name} — {title}")
