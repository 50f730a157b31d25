"""`flask catalog install|show`."""

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.indicators import services


@click.group(help="Danh mục chỉ số Quyết định 766.")
def catalog():
    pass


@catalog.command("install", help="Cài danh mục 766 mặc định (bỏ qua phần đã có).")
@with_appcontext
def install():
    changed = services.install_default_catalog()
    db.session.commit()
    click.echo("Đã cài danh mục chỉ số 766." if changed else "Danh mục chỉ số 766 đã có sẵn, không thay đổi.")


@catalog.command("show", help="In danh mục và quy tắc chấm đang áp dụng.")
@with_appcontext
def show():
    from app.core.time import today_vn

    rules = services.rules_on(today_vn())
    for group in services.catalog():
        click.echo(f"{group.code:<6} {group.name}")
        for ind in group.indicators:
            r = rules.get(ind.id)
            rule = f"{r.max_points} điểm, ngưỡng {r.threshold}%" if r else "chưa có quy tắc"
            click.echo(f"   {ind.number or '-':>4}  {ind.code:<36} {rule}")
