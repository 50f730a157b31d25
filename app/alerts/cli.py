"""`flask alerts scan`."""

import click


@click.group(help="Cảnh báo: hồ sơ sắp trễ, trễ hạn, thiếu phiếu xin lỗi; chỉ số chuyển đỏ.")
def alerts():
    pass
