"""Entry point: `ykien` and its command groups."""
from __future__ import annotations

import logging
import sys
from functools import cache
from typing import Any

import typer

from workflows.cli import (
    calendar_cmd,
    db_cmd,
    directory_cmd,
    office_cmd,
    register_cmd,
    round_cmd,
    settings_cmd,
    sign_cmd,
    system_cmd,
    user_cmd,
    worker_cmd,
    workflow_cmd,
)
from workflows.cli.common import EXIT_BAD_INPUT, fit_to_terminal, has_surrogates, undecodable_argument
from workflows.cli.help_layout import install as lay_help_out_for_the_width
from workflows.cli.help_words import install as write_help_in_vietnamese
from workflows.cli.path_values import install as refuse_empty_paths
from workflows.cli.usage_errors import install as say_usage_errors_in_vietnamese

say_usage_errors_in_vietnamese()
write_help_in_vietnamese()
lay_help_out_for_the_width()
refuse_empty_paths()

app = typer.Typer(name="ykien", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="ykien: gửi văn bản tới các cơ quan, đơn vị, theo dõi và tổng hợp trả lời (Sở Khoa học và "
                       "Công nghệ).")
app.add_typer(round_cmd.app, name="round", help="Các đợt (mọi loại): tạo, phát hành, theo dõi, gia hạn, đôn đốc.")
app.add_typer(directory_cmd.app, name="directory", help="Danh bạ cơ quan, đơn vị nhận văn bản.")
app.add_typer(workflow_cmd.app, name="workflow", help="Định nghĩa quy trình (YAML).")
app.add_typer(calendar_cmd.app, name="calendar", help="Lịch ngày làm việc (nghỉ lễ, làm bù).")
app.add_typer(user_cmd.app, name="user", help="Tài khoản cán bộ (admin, staff, leader).")
app.add_typer(office_cmd.app, name="office", help="Danh sách phòng: thêm, đổi mã, đổi tên.")
app.add_typer(db_cmd.app, name="db", help="Cơ sở dữ liệu: kiểm tra, sao lưu, khôi phục.")
app.add_typer(register_cmd.app, name="register", help="Sổ văn bản đi: lấy số, nhập số, hủy số, xuất sổ (XLSX).")
system_cmd.register(app)
settings_cmd.register(app)
sign_cmd.register(app)
worker_cmd.register(app)


@cache
def _commands() -> Any:
    """The click commands of `app`, built once a process. Called itself, a Typer builds every command anew, reading
    each one's signature (about 30 ms for the 77): a process running many command lines, as the tests do, paid that
    on each. Duck-typed: Typer builds its commands on its own copy of click."""
    return typer.main.get_command(app)


def _value_options(args: list[str]) -> set[str]:
    """The names of the options that take a value, for the command that `args` names (as far as it resolves)."""
    command = _commands()
    for arg in args:
        subcommands = getattr(command, "commands", None)
        if not isinstance(subcommands, dict) or arg not in subcommands:
            break
        command = subcommands[arg]
    return {name for param in command.params if getattr(param, "param_type_name", "") == "option"
            and not getattr(param, "is_flag", False) for name in (*param.opts, *param.secondary_opts)}


def main() -> None:
    # Python decodes argv with surrogateescape: bytes that are not UTF-8 arrive as lone surrogates, which
    # would fail later (printing, the database, a file name) with a traceback. Refuse them here, once.
    args = sys.argv[1:]
    problem = undecodable_argument(args, _value_options(args)) if any(map(has_surrogates, args)) else None
    if problem is not None:
        sys.stderr.write(f"Lỗi: {problem}\n")
        sys.exit(EXIT_BAD_INPUT)
    fit_to_terminal()
    # pyHanko logs a signature it cannot trust as a warning with its whole traceback, which Python prints on stderr
    # when no handler is set; the command says the outcome itself ("chưa tin cậy"). serve and worker, which give
    # the root logger a handler, still log these records.
    for library in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(library).addHandler(logging.NullHandler())
    # prog_name: what messages and help call it, however Python was started (-m, -c, the script)
    _commands()(prog_name="ykien")
