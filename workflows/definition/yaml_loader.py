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

from config.file_words import line_and_column, refused_character, yaml_syntax_error
from workflows.definition.errors import Problem, WorkflowError

DataPath = tuple[str | int, ...]  # keys and list indexes from the document root

_MERGE_TAG = "tag:yaml.org,2002:merge"
# The most values a definition may hold once its aliases (*name) are expanded: the largest shipped one holds about
# 300. Nine nested aliases of nine items each ("billion laughs") would otherwise be built value by value for hours.
MAX_VALUES = 100_000
# The deepest a value may be nested (a definition's go 6 deep): deeper, PyYAML and the checks run out of stack.
MAX_DEPTH = 40
_TOO_DEEP = f"các khối lồng nhau quá sâu (quá {MAX_DEPTH} tầng); hãy kiểm tra dấu ngoặc [ ], {{ }} và thụt lề"


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
        """How YAML read the text, in Vietnamese: "một số", "số 1020 (hệ đếm 60)", "true (kiểu đúng/sai)"."""
        kind = self.kind
        if kind == "bool":
            return f"{'true' if self.value else 'false'} (kiểu đúng/sai)"
        if kind == "sexagesimal":
            return f"số {self.value} (hệ đếm 60)"
        if kind == "number":
            return "một số" if str(self.value) == self.text else f"số {self.value}"
        if kind == "null":
            return "giá trị rỗng (null)"
        if kind == "date":
            return "một ngày" if self.value.isoformat() == self.text else f"ngày {self.value.isoformat()}"
        return f"kiểu {kind}"


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


def load_yaml(text: str, filename: str, own: bool = False) -> LoadedYaml:
    """Parse one YAML document strictly; syntax errors raise WorkflowError with file:line:col.

    `own`: one of ykien's own files, read by every process at its start: parsed by libyaml when PyYAML has it (its
    pure-Python parser took 61 ms for the shipped definitions, libyaml 9, with the same values and positions). A
    department's file, and one of ours that libyaml refuses, are parsed by PyYAML's own parser, whose errors the
    Vietnamese problems are written for."""
    if own and yaml.__with_libyaml__:
        fast = yaml.CSafeLoader(text)
        try:
            return _built(fast, filename)
        except (yaml.YAMLError, _TooManyValues, RecursionError):
            pass  # said as PyYAML's parser says it, below
        finally:
            fast.dispose()
    try:
        loader = yaml.SafeLoader(text)  # reads the characters first: one YAML refuses (NUL) ends it here
    except yaml.reader.ReaderError as err:
        line, column = line_and_column(text, err.position)
        raise WorkflowError([Problem(filename, line, column, refused_character(err))]) from None
    try:
        return _built(loader, filename)
    except _TooManyValues as err:
        raise WorkflowError([Problem(filename, err.position.line, err.position.column,
                                     f"tệp có quá nhiều giá trị khi mở các alias (*): hơn {MAX_VALUES:,}"
                                     .replace(",", ".") + "; hãy viết đủ từng trường thay vì lồng alias vào "
                                     "nhau")]) from None
    except RecursionError:  # nested far deeper than MAX_DEPTH: PyYAML itself ran out of stack while composing
        raise WorkflowError([Problem(filename, loader.line + 1, loader.column + 1, _TOO_DEEP)]) from None
    except yaml.MarkedYAMLError as err:
        raise WorkflowError([_syntax_problem(filename, err)]) from None
    except yaml.YAMLError as err:
        raise WorkflowError([Problem(filename, None, None, f"lỗi YAML: {err}")]) from None  # no mark to place it
    finally:
        loader.dispose()


def _built(loader: yaml.SafeLoader | yaml.CSafeLoader, filename: str) -> LoadedYaml:
    """The document `loader` reads, built with its positions."""
    node = loader.get_single_node()
    loaded = LoadedYaml(filename, None)
    if node is None:
        loaded.problems.append(Problem(filename, 1, 1, "tệp rỗng"))
        return loaded
    loaded.data = _Builder(loader, loaded).build(node, ())
    return loaded


def _syntax_problem(filename: str, err: yaml.MarkedYAMLError) -> Problem:
    """PyYAML's syntax error in Vietnamese, at its line and column (see config.file_words.yaml_syntax_error)."""
    mark, message = yaml_syntax_error(err)
    if mark is None:
        return Problem(filename, None, None, message)
    return Problem(filename, mark.line + 1, mark.column + 1, message)


class _TooManyValues(Exception):
    """The aliases expand to more than MAX_VALUES values; `position` is the value that went over."""

    def __init__(self, position: Position) -> None:
        super().__init__(position)
        self.position = position


class _Builder:
    """Walks the composed node tree once, building data and recording positions."""

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, loaded: LoadedYaml) -> None:
        self._loader = loader
        self._loaded = loaded
        self._active: set[int] = set()  # node ids on the current path, to stop recursive aliases
        self._built = 0  # values built so far, an alias's each time it is used

    def build(self, node: Node, path: DataPath) -> Any:
        self._built += 1
        if self._built > MAX_VALUES:
            raise _TooManyValues(_position(node))
        self._loaded.positions[path] = _position(node)
        if len(path) > MAX_DEPTH:
            self._error(node, _TOO_DEEP)
            return None
        if id(node) in self._active:
            self._error(node, "không được dùng alias đệ quy (anchor chứa chính nó)")
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
                self._error(key_node, "không dùng được khóa gộp (<<); hãy viết đủ từng trường")
                continue
            if not isinstance(key_node, ScalarNode):
                self._error(key_node, "khóa phải là một tên, không phải danh sách hay khối khóa: giá trị")
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
                        f'khóa "{shown}" bị lặp (đã có ở dòng {first_seen[key].line})',
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
        # plain (unquoted): PyYAML's parser gives the style None, libyaml ""
        if isinstance(node, ScalarNode) and not node.style and not isinstance(value, str):
            self._loaded.coercions[path] = Coercion(node.value, value)
        return _nfc(value)

    def _error(self, node: Node, message: str) -> None:
        pos = _position(node)
        self._loaded.problems.append(Problem(self._loaded.filename, pos.line, pos.column, message))
