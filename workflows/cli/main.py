"""Entry point: `ykien` and its command groups."""
from __future__ import annotations

import typer

from workflows.cli import calendar_cmd, directory_cmd, round_cmd, system_cmd, user_cmd, workflow_cmd

app = typer.Typer(name="ykien", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="ykien: quy trình lấy ý kiến góp ý của Sở Khoa học và Công nghệ.")
app.add_typer(round_cmd.app, name="round", help="Đợt lấy ý kiến: tạo, phát hành, theo dõi, gia hạn, đôn đốc.")
app.add_typer(directory_cmd.app, name="directory", help="Danh bạ cơ quan, đơn vị nhận văn bản.")
app.add_typer(workflow_cmd.app, name="workflow", help="Định nghĩa quy trình (YAML).")
app.add_typer(calendar_cmd.app, name="calendar", help="Lịch ngày làm việc (nghỉ lễ, làm bù).")
app.add_typer(user_cmd.app, name="user", help="Tài khoản cán bộ (admin, staff, leader).")
system_cmd.register(app)


def main() -> None:
    app()
