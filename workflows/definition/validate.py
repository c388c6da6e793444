"""Load and validate a workflow definition, reporting every problem as file:line:col: message."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from workflows.definition.errors import Problem, WorkflowError, sort_problems
from workflows.definition.schema import NAME_PATTERN, TransitionDef, Workflow
from workflows.definition.yaml_loader import LoadedYaml, load_yaml
from workflows.definition.yaml_loader import DataPath

__all__ = ["Problem", "Registry", "WorkflowError", "load_workflow", "load_workflow_text", "validate_file"]

_NAME_RE = re.compile(NAME_PATTERN)


@dataclass(frozen=True)
class Registry:
    """Names the engine implements; a definition may use only these.

    templates: the message kinds notifications can compose (keys of `templates:`); None skips the check.
    """

    guards: frozenset[str]
    effects: frozenset[str]
    events: frozenset[str]
    templates: frozenset[str] | None = None


def load_workflow(path: Path, registry: Registry) -> Workflow:
    """Read and validate a definition file; raise WorkflowError listing every problem."""
    text = _read(Path(path))
    if isinstance(text, Problem):
        raise WorkflowError([text])
    return load_workflow_text(text, str(path), registry)


def load_workflow_text(text: str, filename: str, registry: Registry) -> Workflow:
    """Validate definition text; filename is used in messages and must match the workflow name."""
    workflow, problems = _check(text, filename, registry)
    if problems or workflow is None:
        raise WorkflowError(problems)
    return workflow


def validate_file(path: Path, registry: Registry) -> list[Problem]:
    """Every problem in a definition file, in file order; empty when it is valid."""
    text = _read(Path(path))
    if isinstance(text, Problem):
        return [text]
    try:
        return _check(text, str(path), registry)[1]
    except WorkflowError as err:  # YAML syntax: nothing more can be checked
        return err.problems


def _read(path: Path) -> str | Problem:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        return Problem(str(path), None, None, f"not UTF-8 text: {err.reason} at byte {err.start}")
    except OSError as err:
        return Problem(str(path), None, None, f"cannot read the file: {err.strerror or err}")


def _check(text: str, filename: str, registry: Registry) -> tuple[Workflow | None, list[Problem]]:
    loaded = load_yaml(text, filename)
    problems = list(loaded.problems)
    if loaded.data is None:
        return None, sort_problems(problems)
    if not isinstance(loaded.data, dict):
        problems.append(loaded.problem((), "a workflow definition must be a mapping (name: ..., states: ...)"))
        return None, sort_problems(problems)
    coercion_problems, explained = _check_coercions(loaded)
    problems += coercion_problems
    workflow: Workflow | None = None
    try:
        workflow = Workflow.model_validate(loaded.data)
    except ValidationError as err:
        # a value YAML misread is reported once, as such, not again by the schema
        problems += [
            _schema_problem(loaded, e)
            for e in err.errors()
            if _data_path(loaded.data, tuple(e["loc"])) not in explained
        ]
    problems += _Semantics(loaded, filename, registry, explained).check()
    return workflow, sort_problems(problems)


# --- YAML 1.1 surprises -------------------------------------------------------------------------


def _check_coercions(loaded: LoadedYaml) -> tuple[list[Problem], set[DataPath]]:
    """Report scalars YAML read as bool/number/null/date where text is expected; put the text back.

    Returns the problems and the paths they explain (keys and values).
    """
    problems = []
    explained: set[DataPath] = set(loaded.key_coercions)
    for path, coercion in loaded.key_coercions.items():
        problems.append(
            loaded.problem(
                path,
                f"key '{coercion.text}' is read as {coercion.describe()} by YAML; quote it: \"{coercion.text}\"",
                prefer_key=True,
            )
        )
    for path, coercion in loaded.coercions.items():
        expected = _type_at(path)
        if expected is bool:
            if isinstance(coercion.value, bool) and coercion.text not in ("true", "false"):
                problems.append(
                    loaded.problem(
                        path,
                        f"value '{coercion.text}' is read as {coercion.describe()} by YAML; write true or false",
                    )
                )
            continue  # true/false are right here; other types are reported by the schema
        if coercion.value is None:
            # where null is not allowed the schema says so; where it is, an empty value is still a slip
            if _accepts_none(path):
                problems.append(loaded.problem(path, "empty value (YAML null): give a value or leave the field out"))
                explained.add(path)
            continue
        if expected is not None:
            problems.append(
                loaded.problem(
                    path,
                    f"value '{coercion.text}' is read as {coercion.describe()} by YAML; "
                    f"quote it: \"{coercion.text}\"",
                )
            )
            explained.add(path)
        _set(loaded.data, path, coercion.text)
    return problems, explained


def _set(data: Any, path: DataPath, value: Any) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _strip(tp: Any) -> Any:
    """Annotated[T, ...] -> T; T | None -> T."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _type_at(path: Iterable[str | int]) -> Any:
    """The schema type expected at a data path (Optional and Annotated removed), or None if unknown."""
    return _strip(_annotation_at(path))


def _accepts_none(path: Iterable[str | int]) -> bool:
    tp = _annotation_at(path)
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)


def _annotation_at(path: Iterable[str | int]) -> Any:
    tp: Any = Workflow
    for part in path:
        tp = _strip(tp)
        if typing.get_origin(tp) is list and not isinstance(part, int):
            tp = _strip(typing.get_args(tp)[0])  # the single-mapping form of a list of transitions
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = tp.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return None
            tp = info.annotation
        elif typing.get_origin(tp) is list:
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    return tp


# --- schema errors ------------------------------------------------------------------------------


def _data_path(data: Any, loc: tuple[str | int, ...]) -> DataPath:
    """Map a pydantic loc onto the data, skipping parts the data does not have (e.g. normalised [0])."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
            path.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            path.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and part == loc[-1]:
            path.append(part)  # a missing or unknown field: keep its name for the message
            break
    return tuple(path)


def _schema_problem(loaded: LoadedYaml, error: Any) -> Problem:
    kind = error["type"]
    loc = tuple(error["loc"])
    path = _data_path(loaded.data, loc)
    value = error.get("input")
    if kind == "missing":
        field = loc[-1]
        return loaded.problem(path[:-1], f"missing field '{field}'", prefer_key=True)
    if kind == "extra_forbidden":
        field = str(loc[-1])
        model = _type_at(path[:-1])
        if typing.get_origin(model) is list:
            model = _strip(typing.get_args(model)[0])
        allowed = sorted(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []
        hint = _did_you_mean(field, allowed) or (f" (allowed: {', '.join(allowed)})" if allowed else "")
        return loaded.problem(path, f"unknown field '{field}'{hint}", prefer_key=True)
    if kind == "value_error":
        message = str(error["ctx"]["error"])
    elif kind == "string_type":
        message = f"expected a quoted string, got {_show(value)}"
    elif kind == "bool_type":
        message = f"expected true or false, got {_show(value)}"
    elif kind == "list_type":
        if _type_at(path) == list[TransitionDef]:
            message = (
                f"expected a transition {{ to: ..., guard: ..., effects: [...] }} or a list of them, "
                f"got {_show(value)}"
            )
        else:
            message = f"expected a list [...], got {_show(value)}"
    elif kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        message = f"expected a mapping {{ ... }}, got {_show(value)}"
    elif kind in ("literal_error", "enum"):
        message = f"{_show(value)} is not allowed here; expected {error['ctx']['expected']}"
    elif kind == "string_pattern_mismatch":
        message = f"{_show(value)} is not a valid name: use lowercase letters, digits and underscores"
    elif kind == "string_too_short":
        message = "must not be empty"
    else:
        message = error["msg"]
    return loaded.problem(path, message)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)


def _did_you_mean(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


# --- cross-references ---------------------------------------------------------------------------


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


class _Semantics:
    """Checks that need the whole file: names, targets, registry look-ups, reachability.

    Works on the raw data, defensively, so that it still reports when the schema failed.
    """

    def __init__(self, loaded: LoadedYaml, filename: str, registry: Registry, explained: set[DataPath]) -> None:
        self.loaded = loaded
        self.explained = explained  # paths whose YAML misreading is reported already
        self.data: dict[str, Any] = loaded.data
        self.filename = filename
        self.registry = registry
        self.problems: list[Problem] = []
        self.states = _mapping(self.data.get("states"))

    def report(self, path: DataPath, message: str, *, prefer_key: bool = False) -> None:
        if path in self.explained:
            return
        self.problems.append(self.loaded.problem(path, message, prefer_key=prefer_key))

    def check(self) -> list[Problem]:
        self.check_name()
        self.check_initial()
        self.check_templates()
        for name in ("templates", "documents"):
            for key in _mapping(self.data.get(name)):
                self.check_key((name, key), "a kind")
        for state_name, state in self.states.items():
            self.check_key(("states", state_name), "a state name")
            if isinstance(state, dict):
                self.check_state(state_name, state)
        self.check_graph()
        return self.problems

    def check_key(self, path: DataPath, what: str) -> None:
        key = path[-1]
        if key == "" or path in self.loaded.null_keys:
            self.report(path, f"empty key: {what} is needed here", prefer_key=True)
        elif not _NAME_RE.match(str(key)):
            self.report(
                path, f"'{key}' is not a valid name: use lowercase letters, digits and underscores", prefer_key=True
            )

    def check_name(self) -> None:
        name = self.data.get("name")
        stem = Path(self.filename).stem
        if isinstance(name, str) and name != stem:
            self.report(("name",), f"name '{name}' must equal the file name '{stem}'")

    def check_initial(self) -> None:
        initial = self.data.get("initial")
        if isinstance(initial, str) and self.states and initial not in self.states:
            self.report(("initial",), f"unknown state \"{initial}\"{_did_you_mean(initial, self.states)}")

    def check_templates(self) -> None:
        known = self.registry.templates
        if known is None:
            return
        for kind in _mapping(self.data.get("templates")):
            if kind and kind not in known:
                self.report(
                    ("templates", kind),
                    f"unknown message kind \"{kind}\"{_did_you_mean(kind, known)}",
                    prefer_key=True,
                )

    def check_names(self, path: DataPath, values: Any, kind: str, known: frozenset[str]) -> None:
        seen: set[str] = set()
        for i, value in _items(values):
            if not isinstance(value, str):
                continue  # the schema reports it
            if value in seen:
                self.report(path + (i,), f"{kind} \"{value}\" is listed twice")
            seen.add(value)
            if value not in known:
                self.report(path + (i,), f"unknown {kind} \"{value}\"{_did_you_mean(value, known)}")

    def check_state(self, state_name: str, state: dict[str, Any]) -> None:
        base: DataPath = ("states", state_name)
        self.check_names(base + ("entry",), state.get("entry"), "effect", self.registry.effects)
        transitions = _mapping(state.get("transitions"))
        for event, alternatives in transitions.items():
            self.check_transitions(base + ("transitions", event), event, alternatives)
        self.check_timers(base, state, transitions)
        final = state.get("final", False)
        if not isinstance(final, bool):
            return  # the schema reports it; whether the state may be stuck is unknown
        if final and transitions:
            self.report(
                base + ("transitions",),
                f"final state '{state_name}' has transitions: a final state ends the round; "
                "remove them or set final: false",
                prefer_key=True,
            )
        if not final and not state.get("transitions"):
            self.report(
                base,
                f"state '{state_name}' is not final but has no transitions, so a round would be stuck "
                "there: add a transition or set final: true",
                prefer_key=True,
            )

    def check_transitions(self, path: DataPath, event: str, alternatives: Any) -> None:
        if event == "" or path in self.loaded.null_keys:
            self.report(path, "transition without an event name", prefer_key=True)
        elif event not in self.registry.events:
            self.report(
                path, f"unknown event \"{event}\"{_did_you_mean(event, self.registry.events)}", prefer_key=True
            )
        if isinstance(alternatives, dict):
            self.check_transition(path, alternatives)
            return
        if isinstance(alternatives, list) and not alternatives:
            self.report(path, f"event '{event}' has an empty list of transitions")
        unguarded_at: int | None = None
        for i, alternative in _items(alternatives):
            if unguarded_at is not None:
                self.report(
                    path + (i,),
                    f"this alternative is never used: alternative {unguarded_at + 1} before it has no guard",
                )
            if isinstance(alternative, dict):
                self.check_transition(path + (i,), alternative)
                if alternative.get("guard") is None and unguarded_at is None:
                    unguarded_at = i

    def check_transition(self, path: DataPath, transition: dict[str, Any]) -> None:
        target = transition.get("to")
        if isinstance(target, str) and target not in self.states:
            self.report(path + ("to",), f"unknown state \"{target}\"{_did_you_mean(target, self.states)}")
        guard = transition.get("guard")
        if isinstance(guard, str) and guard not in self.registry.guards:
            self.report(path + ("guard",), f"unknown guard \"{guard}\"{_did_you_mean(guard, self.registry.guards)}")
        self.check_names(path + ("effects",), transition.get("effects"), "effect", self.registry.effects)

    def check_timers(self, base: DataPath, state: dict[str, Any], transitions: dict[str, Any]) -> None:
        seen: dict[str, int] = {}
        for i, timer in _items(state.get("timers")):
            if not isinstance(timer, dict):
                continue
            path = base + ("timers", i)
            name = timer.get("name")
            if isinstance(name, str):
                if name in seen:
                    self.report(path + ("name",), f"timer name '{name}' is used twice in this state")
                seen.setdefault(name, i)
            event = timer.get("event")
            if isinstance(event, str):
                if event not in self.registry.events:
                    self.report(
                        path + ("event",),
                        f"unknown event \"{event}\"{_did_you_mean(event, self.registry.events)}",
                    )
                elif event not in transitions:
                    self.report(
                        path + ("event",),
                        f"timer event '{event}' has no transition in state '{base[-1]}': "
                        f"add transitions: {{ {event}: ... }} or fire another event",
                    )
            self.check_names(path + ("effects",), timer.get("effects"), "effect", self.registry.effects)

    def graph(self) -> dict[str, set[str]] | None:
        """State -> states one transition away; None when something malformed makes it unreliable."""
        graph: dict[str, set[str]] = {}
        for name, state in self.states.items():
            if not isinstance(state, dict) or not isinstance(state.get("final", False), bool):
                return None
            transitions = state.get("transitions", {})
            if not isinstance(transitions, dict):
                return None
            graph[name] = set()
            for alternatives in transitions.values():
                options = [alternatives] if isinstance(alternatives, dict) else alternatives
                if not isinstance(options, list):
                    return None
                for alternative in options:
                    target = alternative.get("to") if isinstance(alternative, dict) else None
                    if not isinstance(alternative, dict) or not isinstance(target, (str, type(None))):
                        return None
                    if target is not None:
                        if target not in self.states:
                            return None  # reported as an unknown state
                        graph[name].add(target)
        return graph

    def check_graph(self) -> None:
        graph = self.graph()
        if graph is None:
            return  # the schema problems already reported would only cause noise here
        initial = self.data.get("initial")
        if isinstance(initial, str) and initial in self.states:
            reachable = _closure(graph, {initial})
            for name in self.states:
                if name not in reachable:
                    self.report(
                        ("states", name),
                        f"state '{name}' cannot be reached from the initial state '{initial}'",
                        prefer_key=True,
                    )
        finals = {name for name, state in self.states.items() if state.get("final") is True}
        if self.states and not finals:
            self.report(
                ("states",), "no state is final: set final: true on the state(s) where a round ends", prefer_key=True
            )
            return
        for name, state in self.states.items():
            stuck = not state.get("final") and not state.get("transitions")  # reported already
            if not stuck and not (_closure(graph, {name}) & finals):
                self.report(
                    ("states", name),
                    f"no final state can be reached from state '{name}': a round entering it never ends",
                    prefer_key=True,
                )


def _closure(graph: dict[str, set[str]], start: set[str]) -> set[str]:
    seen = set(start)
    todo = list(start)
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
