"""The processes of this machine as /proc lists them, for tests that check what a process left running (Linux)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
