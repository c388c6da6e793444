"""Staff passwords are hashed with argon2id at production's cost in a `ykien` process: the tests' own processes
hash at a lower cost (tests/conftest.py), so this is read from a fresh interpreter."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from workflows.service.staff import verify_password

_HASH_AS_YKIEN_DOES = """
from workflows.service.staff import hash_password
print(hash_password("mật khẩu đủ dài"))
"""


def test_a_ykien_process_hashes_with_argon2id_over_64_mib_in_3_passes_and_4_lanes() -> None:
    hashed = subprocess.run([sys.executable, "-c", _HASH_AS_YKIEN_DOES], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2]).stdout.strip()
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), hashed
    assert verify_password(hashed, "mật khẩu đủ dài") and not verify_password(hashed, "mật khẩu khác")


def test_the_tests_own_processes_hash_at_the_lower_cost() -> None:
    from workflows.service.staff import hash_password

    assert hash_password("mật khẩu đủ dài").startswith("$argon2id$v=19$m=8,t=1,p=1$")
