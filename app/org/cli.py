"""`flask setup` (the first unit and admin of an empty database), `flask units create|list`."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.auth.services import create_user
from app.core.errors import DomainError
from app.extensions import db
from app.org.models import UNIT_KINDS, Unit
from app.org.services import create_unit, find_unit_by_code, tree_order

KINDS_HELP = "; ".join(f"{code}: {label}" for code, label in UNIT_KINDS.items())


def _commit_or_fail(action):
    """Run the service calls, commit once; a broken rule rolls back and becomes the command's error."""
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None


def _has_units() -> bool:
    return db.session.scalar(sa.select(Unit.id).limit(1)) is not None


@click.command("setup", help="Khởi tạo hệ thống trên cơ sở dữ liệu trống: tạo đơn vị gốc và tài khoản quản trị "
                             "đầu tiên (chạy sau flask db upgrade). Mật khẩu được hỏi hai lần, hoặc lấy từ biến "
                             "môi trường SETUP_ADMIN_PASSWORD.")
@click.option("--unit-code", required=True, help="Mã đơn vị gốc, ví dụ H44.")
@click.option("--unit-name", required=True, help="Tên đơn vị gốc, ví dụ «UBND tỉnh Phú Thọ».")
@click.option("--unit-kind", type=click.Choice(list(UNIT_KINDS)), default="province", show_default=True,
              help=f"Loại đơn vị ({KINDS_HELP}).")
@click.option("--admin", "username", default="admin", show_default=True, help="Tên đăng nhập của quản trị viên.")
@click.option("--admin-name", default="Quản trị hệ thống", show_default=True, help="Họ và tên quản trị viên.")
@click.option("--admin-title", default="", help="Chức vụ của quản trị viên.")
@click.option("--admin-email", default=None, help="Thư điện tử của quản trị viên.")
@click.option("--admin-password", "password", envvar="SETUP_ADMIN_PASSWORD", show_envvar=True,
              help="Mật khẩu quản trị (ít nhất 8 ký tự). Không nên gõ trên dòng lệnh: bỏ trống để được hỏi, "
                   "hoặc đặt biến môi trường.")
@with_appcontext
def setup(unit_code, unit_name, unit_kind, username, admin_name, admin_title, admin_email, password):
    if _has_units():
        raise click.ClickException(
            "Cơ sở dữ liệu đã có đơn vị: flask setup chỉ dùng cho cơ sở dữ liệu trống, không thay đổi gì. "
            "Thêm đơn vị bằng flask units create, thêm tài khoản bằng flask users create.")
    if not password:
        password = click.prompt("Mật khẩu quản trị", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")

    def create():
        unit = create_unit(code=unit_code, name=unit_name, kind=unit_kind, parent=None)
        user = create_user(username=username, full_name=admin_name, unit=unit, role="admin", title=admin_title,
                           password=password, email=admin_email)
        return unit, user

    unit, user = _commit_or_fail(create)
    click.echo(f"Đã tạo đơn vị gốc {unit.code} — {unit.name} ({unit.kind_label}).")
    click.echo(f"Đã tạo tài khoản quản trị {user.username} ({user.full_name}). Đăng nhập để thêm đơn vị, tài khoản "
               "(trang Quản trị), hoặc dùng flask units create và flask users create.")


@click.group(help="Quản lý cây đơn vị.")
def units():
    pass


@units.command("create", help="Tạo đơn vị mới, dưới một đơn vị cấp trên hoặc làm đơn vị gốc.")
@click.argument("code", metavar="MÃ")
@click.option("--name", required=True, help="Tên đơn vị (có dấu), ví dụ «UBND huyện Ninh Sơn».")
@click.option("--kind", type=click.Choice(list(UNIT_KINDS)), required=True, help=f"Loại đơn vị ({KINDS_HELP}).")
@click.option("--parent", "parent_code", default=None, help="Mã đơn vị cấp trên; bỏ trống để tạo một đơn vị gốc.")
@click.option("--order", "sort_order", type=int, default=0, show_default=True,
              help="Thứ tự giữa các đơn vị cùng cấp.")
@with_appcontext
def create(code, name, kind, parent_code, sort_order):
    parent = None
    if parent_code is not None:
        parent = find_unit_by_code(parent_code)
        if parent is None:
            raise click.ClickException(f"Không có đơn vị cấp trên mã «{parent_code}».")
    unit = _commit_or_fail(lambda: create_unit(code=code, name=name, kind=kind, parent=parent, sort_order=sort_order))
    where = f"dưới {parent.code} — {parent.name}" if parent else "là đơn vị gốc"
    click.echo(f"Đã tạo đơn vị {unit.code} — {unit.name} ({unit.kind_label}), {where}.")


@units.command("list", help="Liệt kê đơn vị theo cây: mã, loại, tên.")
@with_appcontext
def list_units():
    ordered = tree_order(list(db.session.scalars(sa.select(Unit))))
    if not ordered:
        click.echo("Chưa có đơn vị nào. Tạo đơn vị gốc và tài khoản quản trị bằng flask setup.")
        return
    depth: dict[int, int] = {}
    for unit in ordered:
        depth[unit.id] = depth.get(unit.parent_id, -1) + 1
    width = max(2 * depth[u.id] + len(u.code) for u in ordered)
    label_width = max(len(u.kind_label) for u in ordered)
    for unit in ordered:
        code = "  " * depth[unit.id] + unit.code
        state = "" if unit.is_active else " [ngừng hoạt động]"
        click.echo(f"{code:<{width}}  {unit.kind_label:<{label_width}}  {unit.name}{state}")
