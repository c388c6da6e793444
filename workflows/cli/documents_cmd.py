"""`ykien round documents|submit|export`: the official documents, the submission package, exports."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from workflows.cli.common import ACTOR_OPTION, JSON_OPTION, actor_name, console, guarded, open_app, print_json

OUT_OPTION = typer.Option(Path("."), "--out", help="Thư mục ghi tệp.")


def register(app: typer.Typer) -> None:
    app.command("documents")(documents)
    app.command("submit")(submit)
    app.command("export")(export)


def _write(folder: Path, name: str, content: bytes) -> Path:
    """Write through a temporary name so a crash never leaves half a file under the real name."""
    from workflows.service.files import file_in_place

    target = folder / name
    with file_in_place(target) as partial:
        partial.write_bytes(content)
    return target


def documents(round_id: int, out: Path = OUT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Soạn các văn bản của đợt (công văn xin ý kiến, đôn đốc, bảng tổng hợp, báo cáo ...) theo Nghị định 30."""
    from workflows.service.documents import round_documents

    with guarded(as_json):
        rendered = round_documents(open_app(), round_id)
    written = [_write(out, d.filename, d.content) for d in rendered]
    if as_json:
        print_json([{"title": d.title, "path": str(p)} for d, p in zip(rendered, written)])
    else:
        for document, path in zip(rendered, written):
            console.print(f"{document.title}: {path}")


def submit(round_id: int, actor: Optional[str] = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Lập hồ sơ trình (tờ trình, dự thảo đã chỉnh lý, bảng tổng hợp, danh sách đơn vị) và ghi nhận đã trình."""
    from workflows.service.submission import submit_round

    with guarded(as_json):
        package = submit_round(open_app(), round_id, actor_name(actor))
    if as_json:
        print_json({"path": str(package.path), "sha256": package.sha256, "files": package.files})
    else:
        console.print(f"Đã lập hồ sơ trình: {package.path}")
        for name in package.files:
            console.print(f"  - {name}")


def export(round_id: int, out: Path = OUT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Xuất đợt ra XLSX (đơn vị, ý kiến và cách xử lý) và nhật ký ra CSV (mở được bằng Excel)."""
    from notifications.documents import audit_csv
    from workflows.service.documents import unit_list_workbook
    from workflows.service.views import audit_trail

    with guarded(as_json):
        ykien = open_app()
        workbook = unit_list_workbook(ykien, round_id)
        events, _ = audit_trail(ykien, round_id)
    paths = [_write(out, f"dot-{round_id}.xlsx", workbook), _write(out, f"dot-{round_id}-nhat-ky.csv", audit_csv(events))]
    if as_json:
        print_json([str(p) for p in paths])
    else:
        for path in paths:
            console.print(f"Đã ghi {path}")
