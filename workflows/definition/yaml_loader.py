"""A strict YAML loader: duplicate keys are errors, every node keeps its line and column,
and every unquoted scalar that YAML 1.1 turned into something other than text is recorded.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from workflows.definition.errors import Problem, WorkflowError

DataPath = tuple[str | int, ...]  # keys and list indexes from the document root

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Position:
    """1-based line and column of a node in the source text."""

    line: int
    column: int


@dataclass(frozen=True)
class Coercion:
    """An unquoted scalar that YAML 1.1 resolved to a non-string value."""

    text: str  # as written in the file
    value: Any  # what YAML made of it

    @property
    def kind(self) -> str:
        """bool, sexagesimal, number, null or date."""
        if isinstance(self.value, bool):
            return "bool"
        if isinstance(self.value, int) and ":" in self.text:
            return "sexagesimal"
        if isinstance(self.value, (int, float)):
            return "number"
        if self.value is None:
            return "null"
        if isinstance(self.value, (dt.date, dt.datetime)):
            return "date"
        return type(self.value).__name__

    def describe(self) -> str:
        """How YAML read the text, e.g. "the number 1020 (sexagesimal)"."""
        kind = self.kind
        if kind == "bool":
            return f"boolean {'true' if self.value else 'false'}"
        if kind == "sexagesimal":
            return f"the number {self.value} (sexagesimal)"
        if kind == "number":
            return f"the number {self.value}"
        if kind == "null":
            return "null (empty)"
        if kind == "date":
            return f"the date {self.value.isoformat()}"
        return f"a {kind}"


@dataclass
class LoadedYaml:
    """Plain data (dicts, lists, scalars) plus where each part came from.

    Mapping keys are always text: a key YAML read as another type keeps the text as written
    and is listed in key_coercions, or in null_keys when YAML read it as null (`~:`, `null:`).
    """

    filename: str
    data: Any
    positions: dict[DataPath, Position] = field(default_factory=dict)  # value nodes
    key_positions: dict[DataPath, Position] = field(default_factory=dict)  # the key holding each value
    coercions: dict[DataPath, Coercion] = field(default_factory=dict)
    key_coercions: dict[DataPath, Coercion] = field(default_factory=dict)
    null_keys: set[DataPath] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)  # duplicate keys and the like
    origins: dict[DataPath, str] = field(default_factory=dict)  # paths that came from another file (extends)

    def position(self, path: DataPath, *, prefer_key: bool = False) -> Position:
        """Where path is, or its nearest known ancestor; prefer_key points at the key rather than the value."""
        for end in range(len(path), -1, -1):
            sub = path[:end]
            if prefer_key and sub in self.key_positions:
                return self.key_positions[sub]
            if sub in self.positions:
                return self.positions[sub]
        return Position(1, 1)

    def problem(self, path: DataPath, message: str, *, prefer_key: bool = False) -> Problem:
        """A Problem located at path, in the file that path came from."""
        pos = self.position(path, prefer_key=prefer_key)
        return Problem(self.origin(path), pos.line, pos.column, message)

    def origin(self, path: DataPath) -> str:
        """The file the part at path was written in (a base file for what was inherited)."""
        for end in range(len(path), -1, -1):
            sub = path[:end]
            if sub in self.origins:
                return self.origins[sub]
            if sub in self.positions:
                return self.filename
        return self.filename


def merge_loaded(base: LoadedYaml, child: LoadedYaml) -> LoadedYaml:
    """The child's data laid over the base's: mappings merge key by key, anything else the child replaces.

    Every inherited part keeps its position and is reported in the base file.
    """
    merged = LoadedYaml(child.filename, _merge(base.data, child.data),
                        problems=base.problems + child.problems, null_keys=set(child.null_keys))
    inherited = {path for path in base.positions if _inherited(child.data, path)}
    for name in ("positions", "key_positions", "coercions", "key_coercions"):
        target: dict[DataPath, Any] = getattr(merged, name)
        target.update({path: value for path, value in getattr(base, name).items() if path in inherited})
        target.update(getattr(child, name))
    merged.null_keys |= {path for path in base.null_keys if path in inherited}
    merged.origins.update({path: base.filename for path in inherited})
    return merged


def _merge(base: Any, child: Any) -> Any:
    if isinstance(base, dict) and isinstance(child, dict):
        out = dict(base)
        for key, value in child.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    return child


def _inherited(child: Any, path: DataPath) -> bool:
    """Whether the part at path of the merged data comes from the base (the child does not write it)."""
    node = child
    for part in path:
        if not isinstance(node, dict):
            return False  # the child replaced the whole list or value
        if part not in node:
            return True
        node = node[part]
    return False


def _position(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def load_yaml(text: str, filename: str) -> LoadedYaml:
    """Parse one YAML document strictly; syntax errors raise WorkflowError with file:line:col."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        loaded = LoadedYaml(filename, None)
        if node is None:
            loaded.problems.append(Problem(filename, 1, 1, "the file is empty"))
            return loaded
        loaded.data = _Builder(loader, loaded).build(node, ())
        return loaded
    except yaml.MarkedYAMLError as err:
        raise WorkflowError([_syntax_problem(filename, err)]) from None
    except yaml.YAMLError as err:
        raise WorkflowError([Problem(filename, None, None, f"YAML error: {err}")]) from None
    finally:
        loader.dispose()


def _syntax_problem(filename: str, err: yaml.MarkedYAMLError) -> Problem:
    mark = err.problem_mark or err.context_mark
    parts = [p for p in (err.context, err.problem) if p]
    message = "YAML syntax error: " + ", ".join(parts) if parts else "YAML syntax error"
    if err.context_mark is not None and err.problem_mark is not None and err.context:
        message += f" (started at line {err.context_mark.line + 1})"
    if mark is None:
        return Problem(filename, None, None, message)
    return Problem(filename, mark.line + 1, mark.column + 1, message)


class _Builder:
    """Walks the composed node tree once, building data and recording positions."""

    def __init__(self, loader: yaml.SafeLoader, loaded: LoadedYaml) -> None:
        self._loader = loader
        self._loaded = loaded
        self._active: set[int] = set()  # node ids on the current path, to stop recursive aliases

    def build(self, node: Node, path: DataPath) -> Any:
        self._loaded.positions[path] = _position(node)
        if id(node) in self._active:
            self._error(node, "a recursive alias (an anchor that contains itself) is not allowed")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._scalar(node, path)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: MappingNode, path: DataPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self._error(key_node, "merge keys (<<) are not supported; write the fields out")
                continue
            if not isinstance(key_node, ScalarNode):
                self._error(key_node, "a key must be a plain name, not a list or mapping")
                continue
            key = self._key(key_node, path)
            pos = _position(key_node)
            if key in first_seen:
                shown = key_node.value
                self._loaded.problems.append(
                    Problem(
                        self._loaded.filename,
                        pos.line,
                        pos.column,
                        f"duplicate key '{shown}' (first defined at line {first_seen[key].line})",
                    )
                )
                continue
            first_seen[key] = pos
            self._loaded.key_positions[(*path, key)] = pos
            result[key] = self.build(value_node, (*path, key))
        return result

    def _key(self, key_node: ScalarNode, path: DataPath) -> str:
        value = self._loader.construct_object(key_node)
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        key = unicodedata.normalize("NFC", key_node.value)
        if value is None:
            self._loaded.null_keys.add((*path, key))
        else:
            self._loaded.key_coercions[(*path, key)] = Coercion(key_node.value, value)
        return key

    def _scalar(self, node: Node, path: DataPath) -> Any:
        value = self._loader.construct_object(node)
        if isinstance(node, ScalarNode) and node.style is None and not isinstance(value, str):
            self._loaded.coercions[path] = Coercion(node.value, value)
        return _nfc(value)

    def _error(self, node: Node, message: str) -> None:
        pos = _position(node)
        self._loaded.problems.append(Problem(self._loaded.filename, pos.line, pos.column, message))
