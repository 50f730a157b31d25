"""`flask dossiers ...`."""

import click


@click.group(help="Hồ sơ thủ tục hành chính: nhập từ hệ thống một cửa, thống kê, trễ hạn.")
def dossiers():
    pass
