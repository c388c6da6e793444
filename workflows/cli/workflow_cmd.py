"""`ykien workflow ...`: list, show and validate workflow definitions."""
from __future__ import annotations

from pathlib import Path

import typer

from workflows.cli.common import EXIT_BAD_INPUT, JSON_OPTION, err_console, error_line, guarded, print_json, say

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_cmd(as_json: bool = JSON_OPTION) -> None:
    """Các quy trình có sẵn; quy trình có lỗi được báo riêng, từng lỗi kèm tệp:dòng:cột."""
    from config.settings import load_settings
    from workflows.service.registry import catalogue

    with guarded(as_json):
        load_settings()  # the department's kinds are found through them: a bad one is said, not its kinds left out
        found = catalogue()
    items = [{"name": wf.name, "title": wf.title, "states": list(wf.states), "folder": str(found.folders[name])}
             for name, wf in found.workflows.items()]
    if not found.broken:
        if as_json:
            print_json(items)
        else:
            for item in items:
                say(f"{item['name']}: {item['title']} ({len(item['states'])} trạng thái)")
        return
    # The usable kinds are still listed; the broken ones are a failure as `workflow validate` reports one: each
    # problem a "Lỗi: FILE:LINE:COL: …" line on stderr, or --json's "broken" beside an "error", and exit 2.
    message = (f"Quy trình chưa dùng được vì có lỗi: {', '.join(found.broken)}. Sửa tệp định nghĩa rồi kiểm tra lại "
               "bằng ykien workflow validate TỆP.")
    if as_json:
        broken = [{"name": name, "file": str(kind.file), "problems": [str(p) for p in kind.problems]}
                  for name, kind in found.broken.items()]
        print_json({"workflows": items, "broken": broken, "error": {"code": "invalid_workflow", "message": message}})
    else:
        for item in items:
            say(f"{item['name']}: {item['title']} ({len(item['states'])} trạng thái)")
        for kind in found.broken.values():
            for problem in kind.problems:
                err_console.print(error_line(str(problem)))
        err_console.print(error_line(message))
    raise typer.Exit(EXIT_BAD_INPUT)


@app.command("show")
def show(name: str = typer.Argument(..., help="Tên quy trình (xem `ykien workflow list`)."),
         as_json: bool = JSON_OPTION) -> None:
    """Sơ đồ trạng thái (Mermaid)."""
    from config.settings import load_settings
    from workflows.definition.mermaid import to_mermaid
    from workflows.service.registry import get_workflow

    with guarded(as_json):
        load_settings()  # as in `workflow list`
        wf = get_workflow(name)
    diagram = to_mermaid(wf)
    if as_json:
        print_json({"name": wf.name, "mermaid": diagram})
    else:
        say(diagram)


@app.command("validate")
def validate(files: list[Path] = typer.Argument(..., help="Các tệp định nghĩa quy trình (YAML)."),
             as_json: bool = JSON_OPTION) -> None:
    """Kiểm tra tệp định nghĩa quy trình; mọi lỗi kèm tệp:dòng:cột."""
    from models.limits import TEXT_FILE_BYTES
    from notifications.compose import check_template_set
    from workflows.cli.text_files import check_input_file, special_file
    from workflows.definition import validate_file
    from workflows.service.registry import engine_registry

    with guarded(as_json):
        registry = engine_registry()
        for file in files:  # a FIFO hung, /dev/zero ran out of memory; a folder or a missing file is validate's to say
            if special_file(file) or file.is_file():
                check_input_file(file, "FILES", "bad_file", TEXT_FILE_BYTES, "của một tệp văn bản")
        problems: list[object] = [p for f in files for p in validate_file(f, registry)]
        for file in files:
            emails = file.parent / file.stem / "emails"  # the kind's own email templates, if it has any
            if emails.is_dir():
                problems.extend(check_template_set(emails))
    if not problems:
        if as_json:
            print_json({"valid": True, "problems": []})
        else:
            say(f"Hợp lệ: {', '.join(str(f) for f in files)}")
        return
    # A failure, as every command's: "Lỗi: …" on stderr (one line a problem, each with file:line:col), or --json's
    # "error" beside the list of problems, and exit 2.
    if as_json:
        message = f"Định nghĩa quy trình có {len(problems)} lỗi: {problems[0]}" + (" …" if len(problems) > 1 else "")
        print_json({"valid": False, "problems": [str(p) for p in problems],
                    "error": {"code": "invalid_workflow", "message": message}})
    else:
        for problem in problems:
            err_console.print(error_line(str(problem)))
    raise typer.Exit(EXIT_BAD_INPUT)
