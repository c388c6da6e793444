"""The warm PDF server's folders in the temporary directory: one whose process was killed is removed by the next
server, with the socket its LibreOffice left in /tmp; one whose process lives is kept. Real processes, real locks."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from notifications.pdf_folders import PREFIX, HeldFolder, office_pipe, remove_abandoned

# A process that makes a folder, opens LibreOffice's socket for its profile as LibreOffice would, says where, and
# waits to be killed.
_HOLDER = """
import socket, sys, time
from pathlib import Path
from notifications.pdf_folders import HeldFolder, office_pipe
folder = HeldFolder(Path(sys.argv[1]))
pipe = socket.socket(socket.AF_UNIX)
pipe.bind(str(office_pipe(folder.profile)))
print(folder.path, flush=True)
time.sleep(600)
"""


_SWEEP = """
import sys
from pathlib import Path
from notifications.pdf_folders import remove_abandoned
print(remove_abandoned(Path(sys.argv[1])))
"""
REPOSITORY = Path(__file__).resolve().parents[2]


class Holder:
    def __init__(self, parent: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", _HOLDER, str(parent)], stdout=subprocess.PIPE,
                                        text=True, cwd=REPOSITORY)
        assert self.process.stdout is not None
        self.folder = Path(self.process.stdout.readline().strip())
        assert self.folder.is_dir(), self.process.wait(10)
        self.pipe = office_pipe(self.folder / "profile")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def holders(tmp_path: Path) -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        if holder.process.poll() is None:
            holder.kill()
        holder.pipe.unlink(missing_ok=True)


def test_a_killed_process_s_folder_and_socket_are_removed_and_a_living_one_s_kept(
        tmp_path: Path, holders: list[Holder]) -> None:
    killed, living = Holder(tmp_path), Holder(tmp_path)
    holders += [killed, living]
    older = tmp_path / f"{PREFIX}made-before-the-lock"  # no lock file: whose it is cannot be told
    older.mkdir()
    killed.kill()
    assert killed.folder.is_dir() and killed.pipe.is_socket()  # what a SIGKILL leaves

    assert remove_abandoned(tmp_path) == 1
    assert not killed.folder.exists() and not killed.pipe.exists()
    assert living.folder.is_dir() and living.pipe.is_socket() and older.is_dir()

    living.kill()
    assert remove_abandoned(tmp_path) == 1
    assert not living.folder.exists() and not living.pipe.exists()
    assert remove_abandoned(tmp_path) == 0


def test_a_folder_is_held_from_the_moment_its_lock_file_has_its_name(tmp_path: Path) -> None:
    """Made, held and removed in this process: another process sweeping finds it held, never free."""
    folder = HeldFolder(tmp_path)
    swept = subprocess.run([sys.executable, "-c", _SWEEP, str(tmp_path)], capture_output=True, text=True, check=True,
                           cwd=REPOSITORY)
    assert swept.stdout.strip() == "0" and folder.path.is_dir()
    assert sorted(entry.name for entry in folder.path.iterdir()) == ["held"]
    with socket.socket(socket.AF_UNIX) as pipe:
        pipe.bind(str(office_pipe(folder.profile)))
        folder.remove()
    assert not folder.path.exists() and not office_pipe(folder.profile).exists()
