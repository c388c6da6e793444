"""The shape of the code base: import layers, where our packages come from, a light CLI start-up."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OUR_PACKAGES = ("config", "models", "notifications", "workflows")
# Heavy frameworks only `ykien serve` and the web app need; a plain command must not pay for them.
HEAVY_PACKAGES = ("prefect", "fastapi")


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a fresh install: our settings come only from a temporary home."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("YKIEN_")}
    env["YKIEN_HOME"] = str(home)
    env.pop("PREFECT_API_URL", None)
    return env


def _imported_top_level(args: list[str], env: dict[str, str]) -> set[str]:
    """Run `ykien ARGS` as the console script does, under -X importtime; return the top-level
    packages it imported. The command itself must succeed."""
    entry = "import sys; from workflows.cli.main import main; sys.argv[0] = 'ykien'; sys.exit(main())"
    completed = subprocess.run([sys.executable, "-X", "importtime", "-c", entry, *args], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, f"ykien {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr[-3000:]}"
    modules = set()
    for line in completed.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "imported package":
                modules.add(name.split(".", 1)[0])
    assert "workflows" in modules, "the -X importtime trace did not record our own imports"
    return modules


def test_import_layers_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), f"{lint_imports} is missing: sync the dev dependency group (uv sync)"
    completed = subprocess.run([str(lint_imports), "--config", str(REPO / ".importlinter")], cwd=REPO,
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize("package", OUR_PACKAGES)
def test_generic_package_names_resolve_to_this_repository(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None, f"{package} is a namespace package, not ours"
    location = Path(module.__file__).resolve()
    assert location.is_relative_to(REPO), f"{package} is imported from {location}, not from {REPO}"
    assert location == REPO / package / "__init__.py"


def test_importing_the_cli_does_not_load_prefect_or_fastapi() -> None:
    probe = ("import json, sys; import workflows.cli.main; "
             f"print(json.dumps([name for name in {list(HEAVY_PACKAGES)!r} if name in sys.modules]))")
    completed = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]", f"imported at start-up: {completed.stdout.strip()}"


def test_help_and_round_list_start_without_prefect_or_fastapi(tmp_path: Path) -> None:
    env = _clean_env(tmp_path / "home")
    init = subprocess.run([sys.executable, "-c", "from workflows.cli.main import main; main()", "init"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stdout + init.stderr
    for args in (["--help"], ["round", "list"]):
        heavy = sorted(set(HEAVY_PACKAGES) & _imported_top_level(args, env))
        assert heavy == [], f"`ykien {' '.join(args)}` imports {heavy} at start-up"
