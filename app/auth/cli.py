"""`flask users create|set-password|deactivate|unlock|list`."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.auth import services
from app.auth.models import ROLES, User
from app.core.errors import DomainError
from app.core.time import now_utc
from app.extensions import db
from app.org.services import find_unit_by_code


@click.group(help="Quản lý tài khoản cán bộ.")
def users():
    pass


def _get(username: str) -> User:
    user = services.find_user(username)
    if user is None:
        raise click.ClickException(f"Không có tài khoản «{username}».")
    return user


def _commit_or_fail(action):
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None


@users.command("create", help="Tạo tài khoản mới.")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Họ và tên (có dấu).")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị công tác, ví dụ NS.VP.")
@click.option("--role", type=click.Choice(list(ROLES)), default="officer", show_default=True)
@click.option("--title", default="", help="Chức vụ.")
@click.option("--email", default=None)
@click.password_option("--password", prompt="Mật khẩu", confirmation_prompt="Nhập lại mật khẩu")
@with_appcontext
def create(username, full_name, unit_code, role, title, email, password):
    unit = find_unit_by_code(unit_code)
    if unit is None:
        raise click.ClickException(f"Không có đơn vị mã «{unit_code}».")
    user = _commit_or_fail(lambda: services.create_user(
        username=username, full_name=full_name, unit=unit, role=role, title=title, password=password, email=email))
    click.echo(f"Đã tạo tài khoản {user.username} ({user.full_name}, {user.role_label}, {unit.name}).")


@users.command("set-password", help="Đặt lại mật khẩu.")
@click.argument("username")
@click.password_option("--password", prompt="Mật khẩu mới", confirmation_prompt="Nhập lại mật khẩu")
@with_appcontext
def set_password(username, password):
    user = _get(username)
    _commit_or_fail(lambda: services.set_password(user, password, now=now_utc()))
    click.echo(f"Đã đổi mật khẩu của {user.username}.")


@users.command("deactivate", help="Vô hiệu hóa tài khoản (giữ nguyên lịch sử).")
@click.argument("username")
@with_appcontext
def deactivate(username):
    user = _get(username)
    if not user.is_active:
        click.echo(f"Tài khoản {user.username} đã bị vô hiệu hóa từ trước.")
        return
    _commit_or_fail(lambda: services.deactivate(user, now=now_utc()))
    click.echo(f"Đã vô hiệu hóa tài khoản {user.username} ({user.full_name}).")


@users.command("unlock", help="Mở khóa đăng nhập (xóa các lần đăng nhập sai đang đếm) của một tài khoản.")
@click.argument("username")
@with_appcontext
def unlock(username):
    from app.auth import throttle

    removed = _commit_or_fail(lambda: throttle.clear(username))
    click.echo(f"Đã mở khóa đăng nhập của «{throttle.normalise(username)}» (xóa {removed} lần đăng nhập sai).")


@users.command("list", help="Liệt kê tài khoản.")
@with_appcontext
def list_users():
    for u in db.session.scalars(sa.select(User).order_by(User.username)):
        state = "" if u.is_active else " [vô hiệu]"
        click.echo(f"{u.username:<12} {u.role:<8} {u.unit.code:<14} {u.full_name}{state}")
