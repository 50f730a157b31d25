"""The scheduler: one list of jobs, run by `flask scheduler run` as its own process (never inside web workers).

Each job is a plain function of `now` that commits once and is safe to run twice or in two processes at once.
"""

from __future__ import annotations

import click


@click.group(help="Bộ lập lịch: chạy các việc định kỳ (quét cảnh báo, gửi thư, tính chỉ số từ hồ sơ).")
def scheduler():
    pass
