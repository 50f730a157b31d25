"""`flask alerts scan`."""

import click
from flask.cli import with_appcontext

from app.alerts.models import ALERT_KINDS
from app.core.time import now_utc


@click.group(help="Cảnh báo: hồ sơ sắp trễ, trễ hạn, thiếu phiếu xin lỗi; chỉ số chuyển đỏ.")
def alerts():
    pass


@alerts.command("scan", help="Quét một lần: hồ sơ sắp trễ, trễ hạn, thiếu phiếu xin lỗi, leo thang; chỉ số chuyển đỏ.")
@with_appcontext
def scan_command():
    from app.alerts.jobs import scan_alerts

    result = scan_alerts(now=now_utc())
    labels = {**ALERT_KINDS, "dossier_escalated": "Leo thang lên lãnh đạo", "indicator": "Chỉ số cần giải trình"}
    new = {k: v for k, v in result.items() if k in labels and v}
    if not new:
        click.echo("Không có cảnh báo mới.")
    for kind, count in new.items():
        click.echo(f"  {labels[kind]}: {count} cảnh báo mới")
    if result.get("resolved"):
        click.echo(f"Đã đóng {result['resolved']} cảnh báo (hồ sơ đã xử lý xong hoặc đã có phiếu xin lỗi).")
    if result.get("emailed"):
        click.echo(f"Đã gửi {result['emailed']} thư điện tử.")
