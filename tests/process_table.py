"""The processes of this machine as /proc lists them, for tests that check what a process left running, and a
signal aimed at one of a process's threads (Linux)."""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

TGKILL = {"x86_64": 234, "aarch64": 131}  # the syscall's number: Python can aim a signal at a thread of its own only


@dataclass(frozen=True)
class ProcessEntry:
    pid: int
    state: str  # "R", "S", ... "Z" for a zombie: ended, not yet reaped by its parent
    parent: int
    group: int


def processes() -> list[ProcessEntry]:
    """Every process readable now (one that ends while it is read is left out)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found.append(ProcessEntry(int(stat.parent.name), fields[0], int(fields[1]), int(fields[2])))
    return found


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    return [entry.pid for entry in processes() if entry.parent == pid]


def group_running(group: int) -> bool:
    """Whether a process of the process group still runs (a zombie does not)."""
    return any(entry.group == group and entry.state != "Z" for entry in processes())


def signal_another_thread(pid: int, signum: int) -> None:
    """`signum` to a thread of process `pid` other than its main one (tgkill), as the kernel may hand a process's
    signal to any of its threads; skips the test where tgkill's number is not known."""
    others = sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid)
    assert others, f"process {pid} runs no thread besides its main one"
    number = TGKILL.get(os.uname().machine)
    if number is None:
        pytest.skip(f"tgkill's number on {os.uname().machine} is not listed")
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(number, pid, others[0], signum) == 0, os.strerror(ctypes.get_errno())
