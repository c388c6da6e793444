"""Fuzz over every `ykien` command: whatever the arguments, no traceback and an exit code of 0, 1 or 2.

The command tree is walked, so a command added later is fuzzed without touching this file. Each command's
arguments come from its click parameters, in two parts:

- a sweep: a working command line, then the same line with one parameter at a time given each nasty value of
  its kind (rich markup and emoji codes, control characters, 19,000 characters of Vietnamese, bytes that are
  not UTF-8, huge and negative numbers, impossible and out-of-range dates, a missing file, a directory,
  /dev/null, a binary or empty file, a name too long), and `--help`;
- random command lines (hypothesis): mostly meaningful values with some meant to break the command (NFD,
  random Unicode, junk options, left-out or repeated parameters, options in any order).

Every command line goes through `workflows.cli.main.main`, as the `ykien` script does, in this process
(tests/cli_in_process.py: typer's CliRunner isolation; a subprocess would cost 1-2 s a line), on a copy, for each
command, of a home prepared once for the module with rounds in several states, which the command lines then change
as they go.

Size: the sweep is fixed; YKIEN_FUZZ_EXAMPLES sets the random command lines per command (default 10; CI is
deterministic: derandomized, no example database). The size of the run (commands, command lines, seconds)
is printed at the end of the module (also without -s) and kept as properties in the JUnit XML. A bigger run:

    YKIEN_FUZZ_EXAMPLES=100 .venv/bin/pytest tests/e2e/test_cli_fuzz.py
"""
from __future__ import annotations

import functools
import os
import shutil
import socket
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from math import isfinite
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import pytest
import typer
from cli_in_process import Outcome, run
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from config.settings import Settings, env_name
from workflows.cli.main import app

FIXTURES = Path(__file__).parents[1] / "fixtures"
EXAMPLES = int(os.environ.get("YKIEN_FUZZ_EXAMPLES", "10"))
START = "2025-11-20T08:30"
PASSWORD = "Mật-khẩu-thử-2025"

# Commands that are not run as they are, and why. Both are run, with the loop that would never return
# replaced by a stand-in that checks it was handed arguments it could use (serve_stand_in, demo_stand_in).
STAND_INS = {
    ("serve",): "serves until Ctrl-C: workflows.scheduler.serve_forever is replaced by a stand-in",
    ("demo",): "runs a 2 s story, and serves until Ctrl-C with --serve: workflows.demo.run_demo is replaced",
}
# Commands not fuzzed at all, with the reason. None today: keep it so.
EXCLUDED: dict[tuple[str, ...], str] = {}


# ---------------------------------------------------------------------------------------------------------
# The command tree


def command_tree() -> dict[tuple[str, ...], Any]:
    """Every command and group of `ykien`, by its path (the root is `()`)."""
    found: dict[tuple[str, ...], Any] = {}

    def walk(path: tuple[str, ...], command: Any) -> None:
        found[path] = command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk((*path, name), sub)

    walk((), typer.main.get_command(app))
    return found


COMMANDS = {path: command for path, command in command_tree().items() if path not in EXCLUDED}


# ---------------------------------------------------------------------------------------------------------
# Values


UNITS = ["SCT", "STC", "SYT", "STP", "SXD", "SNV", "SGDDT", "X-HOAAN", "X-BAOLAC", "P-TANGIANG", "TTTT-VP",
         "LMHTX"]
GROUPS = ["so-ban-nganh", "xa-phuong", "ubnd-tinh", "hiep-hoi", "don-vi-thuoc-so"]
VIETNAMESE = ["Kế hoạch nâng cao năng suất và chất lượng 2026 – 2030", "Sở Tư pháp", "Nông Thị Thanh Huyền",
              "Mục II.2", "TĐC", "đồng ý", "Phạm Phi Long", "Ủy ban nhân dân xã Hòa An", "ý kiến góp ý"]
TRICKY = ["", " ", "\t", "\n", "\r\n", "-", "--", "=", "::", ";", ",", ".", "..", "~", "\\", "/", "*", "?",
          "[/]", "[/x]", "[bold]", "[bold]đậm", "[mục 2] nội dung", "[red]đỏ[/red]", ":smile:", ":thumbs_up:",
          "\x1b[31mđỏ\x1b[0m", "\x07", "\x7f", "\u202eđảo", "\ufeffBOM", "a\u200bb", "%s %d %(x)s", "{title}",
          "{{ x }}", "{% if %}", "<b>x</b>", "' OR 1=1 --", "\"", "'", "🙂", "\U0010ffff", "İ", "ǅ", "ﬀ",
          "Ⅻ", "０", "٣", "²", "-1", "0", "1", "01", "1_000", "1e3", " 2 ", "+3", "nan", "inf", "-inf",
          "1e309", "9" * 40, "-" + "9" * 40, "0x10", "true", "null"]
ODD_DATES = ["", "00/00/0000", "31/02/2025", "29/02/2025", "32/12/2025", "12/13/2025", "1/1/1", "0001-01-01",
             "9999-12-31", "10000-01-01", "99/99/99999", "2025-13-01", "2025-12-05T08:00", "2025-12-05 25:00",
             "05-12-2025", "5/12", "hôm nay", "ngày mai", "05/12/2025 ", " 05/12/2025", "05 /12/2025",
             "０５/１２/２０２５", "٠٥/١٢/٢٠٢٥", "-5 ngày làm việc", "0 ngày làm việc", "365 ngày làm việc",
             "366 ngày", "1e3 ngày", "năm ngày làm việc", "10 working days", "10 days", "10 NGÀY LÀM VIỆC",
             "10 ngày lam viec", "99999999999999999999 ngày làm việc", "2 ngày làm việc trước", "02/09/2026",
             "01/01/1900", "31/12/2100", "01/01/2101", "2025-W49-5", "2025-339", "20251205"]


def _no_nul(text: str) -> bool:
    return "\x00" not in text  # a command line cannot hold a NUL byte


def weighted(*choices: tuple[int, st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    return st.one_of([strategy for weight, strategy in choices for _ in range(weight)])


TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)  # no lone surrogates
PLAIN = st.one_of(st.sampled_from(VIETNAMESE), st.text(st.characters(codec="ascii", categories=("L", "N")),
                                                       min_size=1, max_size=20))
NFD = st.sampled_from(VIETNAMESE).map(lambda s: unicodedata.normalize("NFD", s))
LONG = st.builds(lambda s, n: s * n, st.sampled_from([*VIETNAMESE, "a", "[/]", "/", "\n"]),
                 st.sampled_from([300, 5000, 20000]))
# Python decodes argv with surrogateescape: this is what bytes that are not UTF-8 look like to the CLI.
NOT_UTF8 = st.binary(min_size=1, max_size=12).map(lambda b: b.decode("utf-8", "surrogateescape")).filter(_no_nul)
HUGE = st.one_of(st.integers(-(10**40), 10**40), st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**100, -1, 0]))
GOOD_DATES = st.one_of(
    st.builds(lambda d, f: d.strftime(f), st.dates(date(2025, 11, 21), date(2026, 6, 30)),
              st.sampled_from(["%d/%m/%Y", "%Y-%m-%d"])),
    st.integers(0, 60).map(lambda n: f"{n} ngày làm việc"))
BAD_DATES = st.one_of(
    st.sampled_from(ODD_DATES),
    st.builds(lambda d, f: d.strftime(f), st.dates(date(1, 1, 1), date(9999, 12, 31)),
              st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%m/%d/%Y"])),
    st.datetimes().map(lambda d: d.isoformat()),
    st.builds(lambda n, unit: f"{n} {unit}", HUGE | st.integers(-400, 400),
              st.sampled_from(["ngày làm việc", "ngày", "working days", "days", "tuần"])))
HOSTILE = weighted((3, st.sampled_from(TRICKY)), (2, TEXT), (1, NFD), (1, LONG), (1, NOT_UTF8), (1, HUGE.map(str)),
                   (1, BAD_DATES))


@dataclass(frozen=True)
class Workspace:
    """The folder the examples run in (their working directory), with files for the path arguments."""

    root: Path

    def good_paths(self) -> list[str]:
        return ["don-vi.csv", "du-thao.docx", "dự thảo.docx", "phieu.json", "quy-trinh.yaml", "ra", "thu-muc",
                str(self.root / "don-vi.csv"), str(FIXTURES / "kinds" / "survey_grace.yaml")]

    def bad_paths(self) -> list[str]:
        # never an absolute path outside this folder that could be written to: --out writes where it is told
        return ["khong-co.csv", "thu-muc", "rong.csv", "nhi-phan.bin", "danh-sach.json", "thu-muc/khong-co",
                "rong.csv/con", "a" * 300, "tệp\nxuống dòng.csv", "-", ".", "..", "/dev/null", "/proc/self",
                str(FIXTURES / "units_bad_email.csv"), str(FIXTURES / "workflows" / "pitfalls.yaml")]


def relative_junk(text: str) -> str:
    """Random text as a file name in the working directory: no separator, so it never leaves the folder."""
    return text.replace("/", "_").replace("\\", "_").replace("..", "__") or "_"


def meaningful_values(name: str, workspace: Workspace) -> st.SearchStrategy[str] | None:
    """Values that mean something for a parameter of this name, so that examples get past the first check."""
    hints: dict[str, st.SearchStrategy[str]] = {
        "round_id": st.integers(1, 5).map(str), "comment_ids": st.integers(1, 6).map(str),
        "days": st.integers(-30, 30).map(str),
        "unit": st.sampled_from(UNITS), "units": st.sampled_from(UNITS),
        "groups": st.sampled_from(GROUPS), "group": st.sampled_from(GROUPS), "code": st.sampled_from(GROUPS),
        "publish": st.sampled_from(UNITS + GROUPS), "inform": st.sampled_from(UNITS + GROUPS),
        "office": st.sampled_from(["TĐC", "QLKH", "KHTC"]),
        "deadline": GOOD_DATES, "new_deadline": GOOD_DATES, "start": GOOD_DATES, "on": GOOD_DATES,
        "decision": st.sampled_from(["accepted", "partly_accepted", "not_accepted", "noted"]),
        "channel": st.sampled_from(["paper", "phone", "email", "web"]),
        "status": st.sampled_from(["draft", "circulating", "consolidating", "closed"]),
        "workflow": st.sampled_from(["consultation", "proposal_call"]),
        "name": st.sampled_from(["consultation", "proposal_call", "_round"]),
        "timers": st.sampled_from(["remind_before=deadline - 2 working days", "remind_before=off",
                                   "remind_before=deadline - 999 working days", "close=deadline",
                                   "khong_co=off", "x=", "=off", "remind_before"]),
        "comments": st.sampled_from(["Mục II.2::Bổ sung chỉ tiêu::Phấn đấu 50 doanh nghiệp", "Nội dung",
                                     "Mục I::Sửa tên"]),
        "sections": st.sampled_from(["Mục I;Mục II", "Mục I"]),
        "role": st.sampled_from(["admin", "staff", "leader"]),
        "username": st.sampled_from(["canbo", "admin", "pham.long", "nguoi-moi"]),
        "password_env": st.sampled_from(["YKIEN_NEW_PASSWORD", "KHONG_CO_BIEN"]),
        "ministry_letter": st.sampled_from(["1", "2", ""]),
        "department_email": st.sampled_from(["khcn@caobang.gov.vn", "sct@"]),
        "port": st.sampled_from(["8000", "0", "1", "65535", "65536", "-1", "99999", str(2**64)]),
        "interval": st.sampled_from(["30", "0", "-1", "0.001", "nan", "inf", "-inf", "1e308", "1e400", "86400"]),
        "host": st.sampled_from(["127.0.0.1", "localhost", "::1", "0.0.0.0", "nosuch.invalid", "999.1.1.1", ""]),
    }
    for path_name in ("file", "files", "csv_file", "draft", "proposal_file", "home", "out"):
        hints[path_name] = st.sampled_from(workspace.good_paths())
    return hints.get(name)


def value_type(param: Any) -> type:
    """The Python type of one value of a parameter (int for `list[int] | None`); typer keeps the annotation."""
    annotation = param.type_descriptor.annotation
    while get_origin(annotation) in (list, Union, UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    return annotation if isinstance(annotation, type) else str


def hostile_values(param: Any, workspace: Workspace) -> st.SearchStrategy[str]:
    """Values meant to break `param`: of its type but out of range or malformed, or anything at all."""
    kind = value_type(param)
    if kind is int:
        return weighted((2, HUGE.map(str)), (1, HOSTILE))
    if kind is float:
        return weighted((2, st.sampled_from(["nan", "inf", "-inf", "-0.0", "1e-320", "1e308", "1e400"])),
                        (1, HUGE.map(str)), (1, HOSTILE))
    if kind is Path:
        return weighted((3, st.sampled_from(workspace.bad_paths())), (1, HOSTILE.map(relative_junk)))
    if param.name in ("deadline", "new_deadline", "start", "on"):
        return weighted((3, BAD_DATES), (1, HOSTILE))
    return HOSTILE


def values_for(param: Any, workspace: Workspace, hostile: bool) -> st.SearchStrategy[str]:
    if hostile:
        return hostile_values(param, workspace)
    meaningful = meaningful_values(param.name, workspace)
    if meaningful is not None:
        return meaningful
    return weighted((3, PLAIN), (1, NFD)) if value_type(param) is str else hostile_values(param, workspace)


JUNK_OPTIONS = st.one_of(st.sampled_from(["--", "-", "--json", "--help", "-h", "--khong-co", "--title",
                                          "--=", "---", "--by", "-x"]),
                         TEXT.map(lambda s: "--" + s), HOSTILE)


@st.composite
def command_lines(draw: st.DrawFn, path: tuple[str, ...], command: Any, workspace: Workspace) -> list[str]:
    """A command line for `command`: its parameters, some left out, repeated or misplaced, and junk."""
    subcommands = sorted(getattr(command, "commands", {}))
    positional: list[str] = []
    if subcommands:  # a group: one of its commands (whose own arguments are then junk) or anything
        positional.append(draw(st.sampled_from(subcommands) | JUNK_OPTIONS))
        if draw(st.booleans()):
            positional.append(draw(HOSTILE))
    options: list[list[str]] = []
    for param in command.params:
        if param.name == "help":
            continue
        is_option = getattr(param, "param_type_name", "") == "option"
        present = draw(st.floats(0, 1)) < (0.95 if param.required or not is_option else 0.4)
        if not present:
            continue
        multiple = getattr(param, "multiple", False) or param.nargs == -1
        count = draw(st.integers(1, 3)) if multiple else 1
        if is_option and getattr(param, "is_flag", False):
            names = [*param.opts, *param.secondary_opts]
            options.append([draw(st.sampled_from(names))])
            continue
        for _ in range(count):
            # mostly values that get a command going, with one or two meant to break it
            value = draw(values_for(param, workspace, hostile=draw(st.floats(0, 1)) < 0.3))
            if is_option:
                name = draw(st.sampled_from(param.opts))
                options.append([f"{name}={value}"] if draw(st.booleans()) and name.startswith("--")
                               else [name, value])
            else:
                positional.append(value)
    tokens = positional[:]
    for option in draw(st.permutations(options)):  # options go anywhere between the positional arguments
        at = draw(st.integers(0, len(tokens)))
        tokens[at:at] = option
    if draw(st.floats(0, 1)) < 0.15:
        for junk in draw(st.lists(JUNK_OPTIONS, min_size=1, max_size=2)):
            tokens.insert(draw(st.integers(0, len(tokens))), junk)
    if path and command.params and draw(st.floats(0, 1)) < 0.05:
        tokens.append("--help")
    return [*path, *tokens]


# ---------------------------------------------------------------------------------------------------------
# The sweep: one parameter at a time


# A value that gets each parameter past its first check (the others take the first meaningful value above).
BASELINE = {"round_id": "2", "comment_ids": "1", "days": "3", "unit": "SCT", "units": "SCT",
            "groups": "so-ban-nganh", "group": "so-ban-nganh", "code": "nhom-thu", "label": "Nhóm thử nghiệm",
            "publish": "TTTT-VP", "inform": "LMHTX", "office": "TĐC", "deadline": "15/12/2025",
            "new_deadline": "15/12/2025", "start": "2025-12-01", "on": "20/12/2025", "decision": "accepted",
            "channel": "paper", "status": "circulating", "workflow": "consultation", "name": "consultation",
            "timers": "remind_before=off", "comments": "Mục I::Sửa tên", "sections": "Mục I", "role": "staff",
            "username": "nguoi-moi", "password_env": "YKIEN_NEW_PASSWORD", "ministry_letter": "1",
            "department_email": "khcn@caobang.gov.vn", "port": "8000", "interval": "30", "host": "127.0.0.1",
            "file": "du-thao.docx", "files": "quy-trinh.yaml", "csv_file": "don-vi.csv", "draft": "du-thao.docx",
            "proposal_file": "phieu.json", "home": "demo-moi", "out": "ra"}
NASTY_TEXT = ["", "[/x] :smile: [bold]đậm", "\x1b[31m\r\n\t\u202e\x7f", VIETNAMESE[0] * 360,
              "K\udce9 ho\udce1ch"]  # the last: bytes E9 and E1 that are not UTF-8, as Python reads them from argv
NASTY_INT = ["0", "-1", str(2**31), str(2**63), str(10**40)]
NASTY_FLOAT = ["nan", "inf", "-1", "0", "1e400"]
NASTY_PATH = ["khong-co.csv", "thu-muc", "/dev/null", "nhi-phan.bin", "rong.csv", "a" * 300, "rong.csv/con",
              "tệp\nxuống dòng.csv"]
NASTY_DATE = ["31/02/2025", "01/01/2101", "01/01/1900", "99999999999999999999 ngày làm việc", "-5 ngày làm việc",
              "2025-12-05T08:00", "hôm nay"]


def nasty_values(param: Any) -> list[str]:
    kind = value_type(param)
    if param.name in ("deadline", "new_deadline", "start", "on"):
        return NASTY_DATE
    return {int: NASTY_INT, float: NASTY_FLOAT, Path: NASTY_PATH}.get(kind, NASTY_TEXT)


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "option"


def _tokens(param: Any, value: str) -> list[str]:
    return [param.opts[0], value] if _is_option(param) else [value]


def sweep_lines(path: tuple[str, ...], command: Any) -> list[list[str]]:
    """The working line, each parameter given each nasty value of its kind with the others as in the working
    line (an optional option is added for it), and --help."""
    params = [p for p in command.params if p.name != "help" and not getattr(p, "is_flag", False)]
    base = {p.name: BASELINE.get(p.name, "1" if value_type(p) is int else "Phạm Phi Long") for p in params
            if p.required or not _is_option(p)}

    def line(**changed: str) -> list[str]:
        values = {**base, **changed}
        return [*path, *(token for p in params if p.name in values for token in _tokens(p, values[p.name]))]

    lines = [line()] if params else []
    lines += [line(**{p.name: value}) for p in params for value in nasty_values(p)]
    return [*lines, [*path, "--help"]] if path else lines


# Defects this fuzz found in files this change does not own, reported to their owners: a command line that meets
# one is listed at the end of the run instead of failing it. Delete an entry when its defect is fixed.
KNOWN_DEFECTS: dict[str, Callable[[Outcome], bool]] = {}
KNOWN_SEEN: dict[str, list[str]] = {}


def check(outcome: Outcome, setting: str = "") -> None:
    """What must hold for any command line (`setting`: the environment variable it ran with, for the message)."""
    told = f"{setting} {outcome.describe()}".lstrip()
    for defect, met in KNOWN_DEFECTS.items():
        if outcome.error is not None and met(outcome):
            KNOWN_SEEN.setdefault(defect, []).append(f"{setting} {outcome.command_line}".lstrip())
            return
    assert outcome.error is None, told
    assert outcome.code in (0, 1, 2), told
    assert "Traceback" not in outcome.stdout and "Traceback" not in outcome.stderr, told
    if outcome.code == 2:
        assert (outcome.stdout + outcome.stderr).strip(), f"exit 2 without a message\n{told}"


# ---------------------------------------------------------------------------------------------------------
# Stand-ins for the loops that never return


def serve_stand_in(app: Any, interval: float = 30.0, use_prefect: bool = True, stop: Any = None,
                   host: str = "127.0.0.1", port: int = 8000, web: bool = True) -> None:
    """What `serve_forever` needs of its arguments before it would loop: a sweep interval the scheduler
    takes, and (for the web app) an address it can listen on."""
    assert isfinite(interval) and interval > 0, f"interval {interval!r}"
    timedelta(seconds=interval)
    if web:
        assert 0 <= port <= 65535, f"port {port!r}"
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def demo_stand_in(home: Path | None = None, serve: bool = False, host: str = "127.0.0.1", port: int = 8000) -> None:
    """What `run_demo` needs: a home it can create or an empty folder, and an address when it serves."""
    assert home is None or not home.exists() or (home.is_dir() and not any(home.iterdir())), f"home {home}"
    if serve:
        serve_stand_in(None, host=host, port=port)


# ---------------------------------------------------------------------------------------------------------
# The home and the run


@dataclass
class Fuzz:
    """Runs command lines on a home, from the workspace, and times them."""

    workspace: Workspace
    env: dict[str, str | None]
    seconds: list[float]

    def __call__(self, args: list[str]) -> Outcome:
        outcome = run(args, self.env, stdin=f"{PASSWORD}\n{PASSWORD}\n" * 3)  # for any password prompt
        self.seconds.append(outcome.seconds)
        return outcome


def _prepare_files(root: Path) -> None:
    from docx import Document

    (root / "thu-muc").mkdir()
    (root / "rong.csv").write_bytes(b"")
    (root / "nhi-phan.bin").write_bytes(bytes(range(256)) * 8)
    shutil.copyfile(FIXTURES / "units_12.csv", root / "don-vi.csv")
    document = Document()
    document.add_paragraph("Mục I. Dự thảo kế hoạch")
    document.save(str(root / "du-thao.docx"))
    shutil.copyfile(root / "du-thao.docx", root / "dự thảo.docx")
    (root / "phieu.json").write_text('{"title": "Nhiệm vụ thử", "budget": "100"}', encoding="utf-8")
    (root / "danh-sach.json").write_text('[{"title": "A"}, [], 3]', encoding="utf-8")
    shutil.copyfile(FIXTURES / "kinds" / "survey_grace.yaml", root / "quy-trinh.yaml")


def _base_environment(home: Path) -> dict[str, str | None]:
    """Only this module's YKIEN_* settings: the others in this process's environment are removed."""
    env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("YKIEN_")}
    env.update({"YKIEN_HOME": str(home), "YKIEN_NOW": START, "YKIEN_ACTOR": "Phạm Phi Long (TĐC)",
                "YKIEN_NEW_PASSWORD": PASSWORD, "COLUMNS": "200"})
    return env


CREATE = ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", "05/12/2025",
          "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--group", "so-ban-nganh", "--group", "xa-phuong"]
SETUP = [
    CREATE,  # 1: a draft
    CREATE, ["round", "launch", "2", "--no-draft-reason", "Thử nghiệm không kèm dự thảo"],  # 2: circulating, with answers
    ["round", "respond", "2", "SCT", "--comment", "Mục II.2::Bổ sung chỉ tiêu::Phấn đấu 50 doanh nghiệp"],
    ["round", "respond", "2", "STP", "--agree"],
    CREATE, ["round", "launch", "3", "--no-draft-reason", "Thử nghiệm không kèm dự thảo"],  # 3: consolidating, with comments
    ["round", "respond", "3", "SCT", "--comment", "Mục I::Sửa tên", "--comment", "Mục II::Thêm chỉ tiêu"],
    ["round", "close", "3"],
    ["user", "add", "canbo", "--name", "Phạm Phi Long", "--role", "staff", "--office", "TĐC"],
]


@dataclass
class Prepared:
    home: Path  # copied for each command
    workspace: Workspace
    seconds: dict[tuple[str, ...], list[float]]  # by command: how long each of its lines took


@pytest.fixture(scope="module")
def prepared(initialised_home: Path, tmp_path_factory: pytest.TempPathFactory,
             request: pytest.FixtureRequest) -> Iterator[Prepared]:
    """A home with rounds in several states, and the workspace; serve and demo stand in. Prints the size."""
    root = tmp_path_factory.mktemp("fuzz")
    home = root / "home"
    shutil.copytree(initialised_home, home)
    workspace = root / "work"
    workspace.mkdir()
    _prepare_files(workspace)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workspace)
        patch.setattr("workflows.scheduler.serve_forever", serve_stand_in)
        patch.setattr("workflows.demo.run_demo", demo_stand_in)
        # A process builds the click commands from the Typer app once; here that is once, not once a line.
        patch.setattr(typer.main, "get_command", functools.cache(typer.main.get_command))
        for args in SETUP:
            outcome = run(args, _base_environment(home))
            assert outcome.code == 0 and outcome.error is None, outcome.describe()
        done = Prepared(home, Workspace(workspace), {})
        started = time.perf_counter()
        yield done
        elapsed = time.perf_counter() - started
    report(request, summary(done.seconds, elapsed))
    for defect, lines in KNOWN_SEEN.items():
        report(request, f"CLI fuzz: known defect, {len(lines)} command lines: {defect}; e.g. {lines[0]}")


def summary(sizes: dict[tuple[str, ...], list[float]], elapsed: float) -> str:
    commands = {key: times for key, times in sizes.items() if key[:1] != ("setting",)}
    lines = sum(len(times) for times in commands.values())
    settings_lines = sum(len(times) for key, times in sizes.items() if key not in commands)
    slowest = sorted(((sum(t), " ".join(p) or "ykien") for p, t in commands.items()), reverse=True)[:3]
    return (f"CLI fuzz: {len(commands)} commands, {lines} command lines (sweep, and {EXAMPLES} random lines asked "
            f"per command), {len(sizes) - len(commands)} settings with {settings_lines} values; {elapsed:.1f} s in "
            "all; slowest: " + ", ".join(f"{name} {seconds:.1f} s" for seconds, name in slowest))


def report(request: pytest.FixtureRequest, line: str) -> None:
    """A line on the terminal, also when pytest captures the output."""
    terminal = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if terminal is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        terminal.write_line(line)


@pytest.fixture
def fuzz(prepared: Prepared, tmp_path: Path, request: pytest.FixtureRequest) -> Fuzz:
    """A fresh copy of the prepared home for one test: what one command does never changes another's run."""
    home = tmp_path / "home"
    shutil.copytree(prepared.home, home)
    params = request.node.callspec.params
    key = params["path"] if "path" in params else ("setting", params["variable"])
    return Fuzz(prepared.workspace, _base_environment(home), prepared.seconds.setdefault(key, []))


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: " ".join(p) or "ykien")
def test_any_command_line_exits_0_1_or_2_without_a_traceback(
        fuzz: Fuzz, path: tuple[str, ...], record_property: Callable[[str, object], None]) -> None:
    command = COMMANDS[path]

    @given(args=command_lines(path, command, fuzz.workspace))
    def any_command_line(args: list[str]) -> None:
        check(fuzz(args))

    for args in sweep_lines(path, command):
        any_command_line = example(args=args)(any_command_line)
    settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                    HealthCheck.filter_too_much])(any_command_line)()
    record_property("command lines", len(fuzz.seconds))
    record_property("seconds", round(sum(fuzz.seconds), 2))


# ---------------------------------------------------------------------------------------------------------
# Settings: the environment is input too


SETTINGS = {env_name(field): info.annotation for field, info in Settings.model_fields.items()}
NASTY_SETTING = ["", "[/x] :smile:", "K\udce9", "-1", "a" * 300]
NASTY_SETTING_OF = {
    "YKIEN_HOME": ["/dev/null", "/proc/self", "rong.csv/con"], "YKIEN_CALENDAR_FILE": ["/dev/null", "nhi-phan.bin"],
    "YKIEN_WORKFLOWS_DIR": ["/dev/null", "thu-muc"], "YKIEN_NOW": ["0001-01-01T00:00", "9999-12-31T23:59+00:00"],
    "YKIEN_DATABASE_URL": ["postgresql://u:p@[x/db", "foo://x", "postgresql+psycopg://u:mat-khau@127.0.0.1:1/db"],
    "YKIEN_SMTP_URL": ["smtp://u:p@[::1", "ftp://x", "smtp://x:99999"],
}
SETTING_COMMANDS = [["settings"], ["round", "list"], ["round", "show", "2"], ["tick", "--json"]]
# Read by the commands themselves rather than by the settings: each with commands that use it.
OTHER_VARIABLES = {
    "YKIEN_ACTOR": [["round", "remind", "2"], ["directory", "groups", "add", "nhom-moi", "Nhóm mới"]],
    "YKIEN_NEW_PASSWORD": [["user", "add", "nguoi-moi", "--name", "Người mới", "--role", "admin"]],
}


@pytest.mark.parametrize("variable", sorted([*SETTINGS, *OTHER_VARIABLES]))
def test_any_setting_in_the_environment_exits_0_1_or_2_without_a_traceback(
        fuzz: Fuzz, variable: str, record_property: Callable[[str, object], None]) -> None:
    values = [*NASTY_SETTING, *NASTY_SETTING_OF.get(variable, [])]
    if SETTINGS.get(variable) in (int, int | None):
        values += ["nan", str(2**63)]
    commands = OTHER_VARIABLES.get(variable, SETTING_COMMANDS)
    for at, value in enumerate(values):  # each value with one of the commands, in turn
        fuzz.env[variable] = value
        check(fuzz(commands[at % len(commands)]), setting=f"{variable}={value[:60]!r}")
    record_property("values", len(values))
