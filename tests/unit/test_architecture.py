"""The shape of the code base: import contracts that hold and can fail, no import cycle, where our
packages come from, a light CLI start-up."""
from __future__ import annotations

import ast
import configparser
import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from import_cycles import cycles, describe, read_imports

REPO = Path(__file__).resolve().parents[2]
OUR_PACKAGES = ("config", "models", "notifications", "workflows")
# Heavy frameworks only `ykien serve` and the web app need; a plain command must not pay for them.
HEAVY_PACKAGES = ("prefect", "fastapi")
# What only writing or checking a document needs (0.4 s of a read command's 1.7 s of CPU when they were loaded), and
# PostgreSQL's driver, which a command on SQLite never needs
DOCUMENT_PACKAGES = ("docx", "openpyxl", "pyhanko", "lxml", "psycopg")


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


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the contracts in ROOT/.importlinter, importing our packages from ROOT."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), f"{lint_imports} is missing: sync the dev dependency group (uv sync)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
           "COLUMNS": "1000"}
    return subprocess.run([str(lint_imports), "--config", str(root / ".importlinter"), "--no-cache", "--no-logo"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def _contract_names() -> dict[str, str]:
    """Contract id -> name, as .importlinter declares them."""
    parser = configparser.ConfigParser()
    parser.read(REPO / ".importlinter", encoding="utf-8")
    prefix = "importlinter:contract:"
    return {section.removeprefix(prefix): parser[section]["name"]
            for section in parser.sections() if section.startswith(prefix)}


def _plant(path: Path, statement: str) -> None:
    """Add STATEMENT as a module-level import, after the docstring and `from __future__` of PATH."""
    source = path.read_text(encoding="utf-8")
    after = 0
    for node in ast.parse(source).body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and after == 0
        if not (docstring or (isinstance(node, ast.ImportFrom) and node.module == "__future__")):
            break
        after = node.end_lineno or after
    lines = source.splitlines(keepends=True)
    path.write_text("".join([*lines[:after], statement + "\n", *lines[after:]]), encoding="utf-8")


def _copy_of_the_packages(target: Path) -> Path:
    """The four packages (their Python files) and .importlinter, copied under TARGET."""
    def not_python(folder: str, names: list[str]) -> set[str]:
        return {name for name in names if name == "__pycache__"
                or (not name.endswith(".py") and not (Path(folder) / name).is_dir())}

    for package in OUR_PACKAGES:
        shutil.copytree(REPO / package, target / package, ignore=not_python)
    shutil.copy(REPO / ".importlinter", target / ".importlinter")
    return target


# One wrong import per case: (contract id, file, the import, the import as lint-imports reports it).
PLANTED = [
    ("layers", "config/clock.py", "import notifications.message", "config.clock -> notifications.message"),
    ("workflows-layers", "workflows/service/files.py", "from workflows.cli import main",
     "workflows.service.files -> workflows.cli.main"),
    ("workflows-layers", "workflows/service/views.py", "import workflows.web.app",
     "workflows.service.views -> workflows.web.app"),
    ("workflows-layers", "workflows/engine/decide.py", "from workflows.service.app import App",
     "workflows.engine.decide -> workflows.service.app"),
    ("workflows-layers", "workflows/definition/schema.py", "import workflows.engine.decision",
     "workflows.definition.schema -> workflows.engine.decision"),
    ("workflows-layers", "workflows/flows.py", "import workflows.web.app", "workflows.flows -> workflows.web.app"),
    ("entry-points-never-import-models-db", "workflows/cli/round_cmd.py", "from models.db.tables import RoundRow",
     "workflows.cli.round_cmd -> models.db.tables"),
    ("entry-points-never-import-models-db", "workflows/web/routes/dashboard.py",
     "from models.db.unit_of_work import UnitOfWork", "workflows.web.routes.dashboard -> models.db.unit_of_work"),
    ("models-never-import-workflows-or-notifications", "models/rounds.py", "import workflows.web",
     "models.rounds -> workflows.web"),
    ("models-never-import-workflows-or-notifications", "models/text.py", "import notifications.compose",
     "models.text -> notifications.compose"),
    ("notifications-never-import-workflows", "notifications/message.py", "from workflows.service.app import App",
     "notifications.message -> workflows.service.app"),
    ("definition-and-engine-are-pure", "workflows/engine/decide.py", "import sqlalchemy",
     "workflows.engine.decide -> sqlalchemy"),
    ("definition-and-engine-are-pure", "workflows/engine/effects.py", "from models.db.tables import RoundRow",
     "workflows.engine.effects -> models.db.tables"),
    ("definition-and-engine-are-pure", "workflows/definition/schema.py", "import jinja2",
     "workflows.definition.schema -> jinja2"),
    ("definition-and-engine-are-pure", "workflows/definition/validate.py", "import fastapi",
     "workflows.definition.validate -> fastapi"),
    ("definition-and-engine-are-pure", "workflows/engine/timers.py", "import typer",
     "workflows.engine.timers -> typer"),
]
# Cycles that still go through an import inside a function, each with the move that removes it. None left.
KNOWN_HIDDEN_CYCLES: list[set[str]] = []
# What only the web entry point uses never lives in the service (DESIGN.md, "Layout"): forms are classes named
# ...Form (workflows/web/forms/), API schemas are pydantic models named ...In / ...Out (workflows/web/api_schemas.py).
WEB_ONLY_CLASS_SUFFIXES = ("Form", "In", "Out")


def test_lint_imports_passes_on_the_repository() -> None:
    completed = _lint_imports(REPO)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_every_contract_has_a_planted_import_that_breaks_it() -> None:
    assert sorted(_contract_names()) == sorted({contract for contract, *_ in PLANTED})


@pytest.mark.parametrize(("contract", "file", "statement", "reported"), PLANTED,
                         ids=[f"{contract}:{file}:{statement}" for contract, file, statement, _ in PLANTED])
def test_a_planted_wrong_import_breaks_its_contract(tmp_path: Path, contract: str, file: str, statement: str,
                                                    reported: str) -> None:
    copy = _copy_of_the_packages(tmp_path)
    _plant(copy / file, statement)
    completed = _lint_imports(copy)
    output = " ".join((completed.stdout + completed.stderr).split())  # long contract names wrap
    assert completed.returncode == 1, output
    assert f"{_contract_names()[contract]} BROKEN" in output, output
    assert reported in output, f"lint-imports did not read the copy with the planted import:\n{output}"


def test_no_import_cycle_at_module_level() -> None:
    imports = read_imports()
    found = [describe(imports.module_level, cycle) for cycle in cycles(imports.module_level)]
    assert found == [], "import cycles (module:line -> ...):\n" + "\n".join(found)


def test_imports_inside_functions_hide_no_new_cycle() -> None:
    imports = read_imports()
    graph = imports.both()
    new = [describe(graph, cycle) for cycle in cycles(graph)
           if not any(set(cycle) <= known for known in KNOWN_HIDDEN_CYCLES)]
    assert new == [], "import cycles closed by an import inside a function:\n" + "\n".join(new)


def web_shapes_in_service(root: Path = REPO) -> list[str]:
    """Where a module of ROOT/workflows/service imports pydantic or defines a class named like a web form or an
    API schema, as `path:line: what`."""
    found = []
    for path in sorted((root / "workflows" / "service").rglob("*.py")):
        where = path.relative_to(root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported = [node.module or ""]
            else:
                imported = []
            found += [f"{where}:{node.lineno}: imports {name}" for name in imported
                      if name.partition(".")[0] == "pydantic"]
            if isinstance(node, ast.ClassDef) and node.name.endswith(WEB_ONLY_CLASS_SUFFIXES):
                found.append(f"{where}:{node.lineno}: class {node.name}")
    return found


def test_the_service_holds_use_cases_and_queries_only() -> None:
    found = web_shapes_in_service()
    assert found == [], (
        "workflows/service holds use cases and queries only (DESIGN.md, \"Layout\"); a web form (class ...Form) "
        "belongs in workflows/web/forms/, an API schema (pydantic, class ...In / ...Out) in "
        "workflows/web/api_schemas.py, and what both share (such as FormErrors, workflows/service/errors.py) "
        "stays in the service:\n" + "\n".join(found))


def test_the_service_shape_check_sees_a_planted_form_and_schema(tmp_path: Path) -> None:
    shutil.copytree(REPO / "workflows" / "service", tmp_path / "workflows" / "service",
                    ignore=shutil.ignore_patterns("__pycache__"))
    planted = tmp_path / "workflows" / "service" / "files.py"
    _plant(planted, "from pydantic import BaseModel")
    planted.write_text(planted.read_text(encoding="utf-8") + "\n\nclass ExtendForm:\n    pass\n\n\n"
                       "class CloseIn(BaseModel):\n    reason: str\n", encoding="utf-8")
    found = [line.split(": ", 1)[1] for line in web_shapes_in_service(tmp_path)]
    assert found == ["imports pydantic", "class ExtendForm", "class CloseIn"], found


# Modules of workflows/service still allowed to reach the ORM through `uow.session`.
SESSION_PENDING: frozenset[str] = frozenset()  # every service module goes through repositories


def session_uses_in_service(root: Path = REPO) -> list[str]:
    """Where a module of ROOT/workflows/service (other than SESSION_PENDING) reads an attribute named `session`
    (uow.session, self.session, ...), as `path:line: code`."""
    found = []
    for path in sorted((root / "workflows" / "service").rglob("*.py")):
        if path.name in SESSION_PENDING and path.parent == root / "workflows" / "service":
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source, str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "session":
                found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.get_source_segment(source, node)}")
    return found


def test_the_service_reaches_storage_through_repositories_only() -> None:
    found = session_uses_in_service()
    assert found == [], (
        "workflows/service reads and writes through the repositories of the unit of work (uow.rounds, "
        "uow.responses, uow.drafts, ...; models/db/), never through uow.session (STYLE.md: a repository hides the "
        "ORM); add a method named after what it does to the repository instead:\n" + "\n".join(found))


def test_the_session_check_sees_a_planted_use(tmp_path: Path) -> None:
    shutil.copytree(REPO / "workflows" / "service", tmp_path / "workflows" / "service",
                    ignore=shutil.ignore_patterns("__pycache__"))
    planted = tmp_path / "workflows" / "service" / "files.py"
    planted.write_text(planted.read_text(encoding="utf-8") + "\n\ndef _peek(uow):\n"
                       "    return uow.session.get(object, 1)\n", encoding="utf-8")
    found = session_uses_in_service(tmp_path)
    assert [line.split(": ", 1)[1] for line in found] == ["uow.session"], found
    assert found[0].startswith("workflows/service/files.py:")


def test_the_cycle_finder_sees_a_planted_cycle_and_tells_function_level_imports_apart(tmp_path: Path) -> None:
    copy = _copy_of_the_packages(tmp_path)
    # sweep -> commands -> steps -> timers: timers importing sweep closes a cycle.
    _plant(copy / "workflows/service/timers.py", "import workflows.service.sweep")
    (copy / "workflows/service/steps.py").write_text((copy / "workflows/service/steps.py").read_text(
        encoding="utf-8") + "\n\ndef _late() -> None:\n    import workflows.service.sweep  # noqa: F401\n",
        encoding="utf-8")
    imports = read_imports(copy)
    assert "workflows.service.sweep" in imports.function_level["workflows.service.steps"]
    assert "workflows.service.sweep" not in imports.module_level["workflows.service.steps"]
    found = [set(cycle) for cycle in cycles(imports.module_level)]
    assert {"workflows.service.sweep", "workflows.service.commands", "workflows.service.steps",
            "workflows.service.timers"} in found


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


def test_read_commands_on_sqlite_load_no_document_library(tmp_path: Path) -> None:
    env = _clean_env(tmp_path / "home")
    init = subprocess.run([sys.executable, "-c", "from workflows.cli.main import main; main()", "init"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stdout + init.stderr
    for args in (["round", "list"], ["directory", "list"], ["db", "check"]):
        loaded = sorted(set(DOCUMENT_PACKAGES) & _imported_top_level(args, env))
        assert loaded == [], f"`ykien {' '.join(args)}` imports {loaded}"


# Words that are also a state's name but mean something else where the code uses them.
NOT_A_STATE = {
    "draft": "the draft upload field and the `round draft` command",
}
# Registries name their own entries (an effect may share a word with a timer).
REGISTRIES = {"workflows/engine/effects.py", "workflows/engine/guards.py"}


def kind_names() -> set[str]:
    """Every state, timer and workflow name of the shipped kinds, less the engine's own events (the engine
    raises "close" by its class; the shipped closing timer shares the word)."""
    from workflows.engine.events import ENGINE_EVENTS
    from workflows.service.registry import shipped_workflows

    names: set[str] = set()
    for workflow in shipped_workflows().values():
        names.add(workflow.name)
        for name, state in workflow.states.items():
            names.add(name)
            names.update(timer.name for timer in state.timers)
    return names - ENGINE_EVENTS


def string_constants(root: Path, packages: tuple[str, ...], skip: Callable[[str], bool],
                     docstrings: bool = True) -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of every string constant in the packages' modules, less the files `skip` names by their
    path from `root` (and less docstrings unless `docstrings`)."""
    for path in sorted(path for package in packages for path in (root / package).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if skip(relative):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        left_out = set() if docstrings else _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in left_out:
                yield relative, node.lineno, node.value


def kind_names_in_code(root: Path = REPO) -> list[str]:
    """Where a module outside the definitions writes a state, timer or workflow name as a string."""
    names = kind_names() - set(NOT_A_STATE)
    return [f"{relative}:{line}: {text!r}"
            for relative, line, text in string_constants(root, ("workflows",), REGISTRIES.__contains__)
            if text in names]


def test_no_module_outside_the_definitions_names_a_state_a_timer_or_a_workflow() -> None:
    found = kind_names_in_code()
    assert not found, ("these modules name a state, a timer or a workflow; ask the definition instead "
                       "(workflow.allows(status, Capability...), package(), documents_in(), terms):\n"
                       + "\n".join(found))


def test_the_name_check_finds_a_planted_state_name(tmp_path: Path) -> None:
    shutil.copytree(REPO / "workflows", tmp_path / "workflows",
                    ignore=shutil.ignore_patterns("__pycache__", "definitions"))
    planted = tmp_path / "workflows" / "service" / "planted.py"
    planted.write_text('def ready(status: str) -> bool:\n    return status == "consolidated"\n', encoding="utf-8")
    assert kind_names_in_code(tmp_path) == ["workflows/service/planted.py:2: 'consolidated'"]


# The story of seed 000 (a consultation) told by `ykien demo`: its words are that round's.
TELLS_ONE_KIND = {"workflows/demo.py"}


def kind_words() -> set[str]:
    """What each shipped kind calls its round ("đợt lấy ý kiến", "đợt đề xuất nhiệm vụ", ...)."""
    from workflows.service.registry import shipped_workflows

    return {workflow.terms.round.lower() for workflow in shipped_workflows().values()}


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def kind_words_in_code(root: Path = REPO) -> list[str]:
    """Where code or a template shared by every kind writes one kind's name for its round, in what people read."""
    words = kind_words()
    found = [f"{relative}:{line}: {text!r}"
             for relative, line, text in string_constants(
                 root, ("workflows", "notifications"),
                 lambda relative: relative in TELLS_ONE_KIND or "/definitions/" in relative, docstrings=False)
             if any(word in text.lower() for word in words)]
    shared = [*(root / "workflows" / "web" / "templates").rglob("*.html"),
              *(folder for folder in (root / "notifications" / "templates").glob("_*/*") if folder.is_file())]
    for path in sorted(shared):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(word in line.lower() for word in words) and not line.lstrip().startswith("{#"):
                found.append(f"{path.relative_to(root).as_posix()}:{number}: {line.strip()}")
    return found


def test_no_page_message_or_mail_shared_by_every_kind_names_one_kind_s_round() -> None:
    found = kind_words_in_code()
    assert not found, ("these say one kind's name for a round where every kind is shown; say \"đợt\" or use the "
                       "kind's terms.round:\n" + "\n".join(found))


def test_the_kind_words_check_finds_a_planted_message(tmp_path: Path) -> None:
    for package in ("workflows", "notifications"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    planted = tmp_path / "workflows" / "service" / "planted.py"
    planted.write_text('"""Not a message: đợt lấy ý kiến."""\nMESSAGE = "Đã đóng đợt lấy ý kiến."\n',
                       encoding="utf-8")
    template = tmp_path / "workflows" / "web" / "templates" / "planted.html"
    template.write_text("{# đợt lấy ý kiến: a comment #}\n<h1>Các đợt đề xuất nhiệm vụ</h1>\n", encoding="utf-8")
    assert kind_words_in_code(tmp_path) == [
        "workflows/service/planted.py:2: 'Đã đóng đợt lấy ý kiến.'",
        "workflows/web/templates/planted.html:2: <h1>Các đợt đề xuất nhiệm vụ</h1>"]


def test_the_web_app_loads_no_signing_library_until_a_signature_or_a_signed_reply(tmp_path: Path) -> None:
    """pyHanko (and aiohttp, cryptography's certificate checks under it) took 0.5-0.9 s of CPU at every `ykien
    serve` start, through modules that only named the audit action of a signature; it loads with the first
    signature or reply PDF to check."""
    env = _clean_env(tmp_path / "home")
    script = ("import sys\n"
              "from workflows.service.app import build_app\n"
              "from workflows.web.app import create_web_app\n"
              "from workflows.web.routes import signing  # the signing pages' module, as create_web_app imports it\n"
              "create_web_app(build_app())\n"
              "print(sorted({name.split('.')[0] for name in sys.modules} & {'pyhanko', 'pyhanko_certvalidator'}))\n")
    init = subprocess.run([sys.executable, "-c", "from workflows.cli.main import main; main()", "init"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stdout + init.stderr
    built = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=120)
    assert built.returncode == 0, built.stderr[-3000:]
    assert built.stdout.strip() == "[]", built.stdout


def test_a_worker_loads_no_document_builder_until_it_renders_a_pdf(tmp_path: Path) -> None:
    """`ykien worker` imported the document builders (python-docx, openpyxl, the wording; 0.2 s of CPU) at every
    start for its PDF flow, which most workers never run: they load with the first render run."""
    script = ("import sys\n"
              "import workflows.cli.worker_cmd, workflows.prefect_worker, workflows.flows\n"
              "loaded = sorted({name.split('.')[0] for name in sys.modules} & {'docx', 'openpyxl'})\n"
              "loaded += [name for name in ('workflows.service.documents',) if name in sys.modules]\n"
              "print(loaded)\n"
              "assert 'render' in workflows.flows.FLOWS\n")
    loaded = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=_clean_env(tmp_path / "home"),
                            capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert loaded.stdout.strip() == "[]", loaded.stdout
