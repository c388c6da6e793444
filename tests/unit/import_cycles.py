"""Import cycles among config, models, notifications and workflows, read from the source with `ast`.

Imports at module level (in class bodies, `if` and `try` blocks too) run when the module is imported:
a cycle through them is the real problem. Imports inside a function run on call; a cycle through one
of them is a cycle someone hid with a lazy import. `if TYPE_CHECKING:` imports never run and are left out.
Run `python tests/unit/import_cycles.py` for both lists.
"""
from __future__ import annotations

import ast
import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "models", "notifications", "workflows")
# importer -> imported -> line of the import statement
Graph = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Imports:
    """Our modules and the imports between them, module-level and function-level apart."""

    modules: frozenset[str]
    module_level: Graph
    function_level: Graph

    def both(self) -> Graph:
        merged: Graph = {name: dict(targets) for name, targets in self.function_level.items()}
        for name, targets in self.module_level.items():
            merged.setdefault(name, {}).update(targets)
        return merged


def read_imports(root: Path = REPO, packages: Iterable[str] = PACKAGES) -> Imports:
    files: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                files[_module_name(path.relative_to(root))] = path
    module_level: Graph = {}
    function_level: Graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node, in_function in _imports(tree, in_function=False):
            for target in _targets(node, package):
                imported = _known_module(target, files)
                if imported is not None and imported != name:
                    graph = function_level if in_function else module_level
                    graph.setdefault(name, {}).setdefault(imported, node.lineno)
    return Imports(frozenset(files), module_level, function_level)


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle for each group of modules that import each other (Tarjan's strongly connected components),
    as the path from the group's first module back to it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.get(module, {}):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(_shortest_cycle(graph, group) for group in groups)


def describe(graph: Graph, cycle: list[str]) -> str:
    """`a:12 -> b:3 -> a`: each module with the line of its import of the next."""
    steps = [f"{module}:{graph[module][cycle[(i + 1) % len(cycle)]]}" for i, module in enumerate(cycle)]
    return " -> ".join([*steps, cycle[0]])


def _shortest_cycle(graph: Graph, group: set[str]) -> list[str]:
    start = min(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for imported in sorted(graph.get(module, {})):
            if imported == start:
                path = [module]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if imported in group and imported not in came_from:
                came_from[imported] = module
                queue.append(imported)
    raise AssertionError(f"no cycle through {start}")  # unreachable: the group is strongly connected


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(node: ast.AST, in_function: bool) -> Iterable[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from _imports(ast.Module(body=child.orelse, type_ignores=[]), in_function)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from _imports(child, nested)


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """What the statement may name: `from a import b` is module a.b or a name in a."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*parent, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" for alias in node.names]


def _known_module(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def main() -> int:
    imports = read_imports()
    print(f"{len(imports.modules)} modules; imports between them: "
          f"{sum(map(len, imports.module_level.values()))} at module level, "
          f"{sum(map(len, imports.function_level.values()))} inside functions")
    found = cycles(imports.module_level)
    print(f"cycles through module-level imports: {len(found)}")
    for cycle in found:
        print("  " + describe(imports.module_level, cycle))
    merged = imports.both()
    hidden = [cycle for cycle in cycles(merged) if cycle not in found]
    print(f"cycles that need an import inside a function: {len(hidden)}")
    for cycle in hidden:
        print("  " + describe(merged, cycle))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
