"""A bad-input message names the field as the running command's option ("--deadline: …"), never the service's
field name, and is left alone when the command has no such option."""
from __future__ import annotations

import typer
from typer.testing import CliRunner

from models.errors import InvalidInput
from workflows.cli.common import as_option_named, guarded


def _app(message: str) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def create(deadline: str = typer.Option("", "--deadline"), no_draft_reason: str = typer.Option(
            "", "--no-draft-reason")) -> None:
        with guarded():
            raise InvalidInput(message, "some_code")

    @app.command()
    def other() -> None:  # a second command: typer then wants the command's name
        pass

    return app


def _printed(message: str) -> tuple[int, str]:
    result = CliRunner().invoke(_app(message), ["create"])
    return result.exit_code, " ".join(result.output.split())


def test_the_field_is_written_as_the_option_that_sets_it() -> None:
    assert _printed("deadline: 01/01/2020 đã qua.") == (2, "Lỗi: --deadline: 01/01/2020 đã qua.")
    assert _printed("no_draft_reason: dài quá.") == (2, "Lỗi: --no-draft-reason: dài quá.")
    assert _printed("deadline khai_mac: đã qua.") == (2, "Lỗi: --deadline khai_mac: đã qua.")


def test_a_field_the_command_has_no_option_for_and_a_sentence_are_left_as_they_are() -> None:
    assert _printed("title: không được để trống.") == (2, "Lỗi: title: không được để trống.")
    assert _printed("Đơn vị X: không thuộc đợt.") == (2, "Lỗi: Đơn vị X: không thuộc đợt.")


def test_outside_a_command_nothing_changes() -> None:
    assert as_option_named("deadline: 01/01/2020 đã qua.") == "deadline: 01/01/2020 đã qua."
