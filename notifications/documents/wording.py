"""The wording of each document: a YAML file of Jinja2 texts that a department may override.

A wording file maps keys to one text ("title: ...") or to a list of paragraphs ("body: [...]").
A paragraph is a text, or a mapping {text, each, bold, italic, align, indent}; `each` repeats it
over a list variable with `item`, `number`, `count` and `last` set. A paragraph that renders
empty is left out, so "{% if ... %}" switches sentences on and off.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.sandbox
import yaml

from notifications.documents import vietnamese
from notifications.documents.specs import SPECS, WordingSpec

TEMPLATE_DIR = Path(__file__).parent / "templates"
LOOP_VARIABLES = frozenset({"item", "number", "count", "last"})
ALIGNMENTS = ("left", "center", "right", "justify")
_PARAGRAPH_KEYS = ("text", "each", "bold", "italic", "align", "indent")


class WordingError(ValueError):
    """A wording file is missing, malformed or uses a name the document does not provide."""


@dataclass(frozen=True)
class Text:
    """One Jinja2 text of a wording file, with the place it came from for error messages."""

    source: str
    where: str
    template: jinja2.Template

    def render(self, context: Mapping[str, Any]) -> str:
        try:
            rendered = self.template.render(context)
        except jinja2.TemplateError as error:
            raise WordingError(f"{self.where}: {error}") from error
        return " ".join(vietnamese.nfc(rendered).split())


@dataclass(frozen=True)
class ParagraphTemplate:
    text: Text
    each: str | None = None
    bold: bool = False
    italic: bool = False
    align: str = "justify"
    indent: bool = True


@dataclass(frozen=True)
class Paragraph:
    """A rendered body paragraph, ready for the layout."""

    text: str
    bold: bool = False
    italic: bool = False
    align: str = "justify"
    indent: bool = True


@dataclass(frozen=True)
class Wording:
    """The loaded wording of one document."""

    name: str
    path: str
    texts: Mapping[str, Text]
    blocks: Mapping[str, tuple[ParagraphTemplate, ...]]

    def text(self, key: str, context: Mapping[str, Any]) -> str:
        return self.texts[key].render(context)

    def paragraphs(self, key: str, context: Mapping[str, Any]) -> list[Paragraph]:
        """Render one block; lists named by `each` give one paragraph per item."""
        out: list[Paragraph] = []
        for spec in self.blocks[key]:
            if spec.each is None:
                contexts: list[Mapping[str, Any]] = [context]
            else:
                items = list(context[spec.each])
                contexts = [
                    {**context, "item": item, "number": index + 1, "count": len(items),
                     "last": index == len(items) - 1}
                    for index, item in enumerate(items)
                ]
            for values in contexts:
                text = spec.text.render(values)
                if text:
                    out.append(Paragraph(text, spec.bold, spec.italic, spec.align, spec.indent))
        return out


def load_wording(name: str, override_dir: Path | None = None) -> Wording:
    """The wording `name`: the department's copy in `override_dir` if it has one, else ours."""
    if name not in SPECS:
        raise WordingError(f"unknown document wording {name!r} (known: {', '.join(sorted(SPECS))})")
    path = TEMPLATE_DIR / f"{name}.yaml"
    if override_dir is not None and (override_dir / f"{name}.yaml").is_file():
        path = override_dir / f"{name}.yaml"
    try:
        status = os.stat(path)
    except OSError as error:
        raise WordingError(f"{path}: cannot read the wording file ({error.strerror})") from error
    return _load(str(path), (status.st_mtime_ns, status.st_size), SPECS[name])


def default_wording_path(name: str) -> Path:
    """The wording file shipped with ykien, to copy into an override directory."""
    return TEMPLATE_DIR / f"{name}.yaml"


@cache
def _load(path: str, _version: tuple[int, int], spec: WordingSpec) -> Wording:
    label = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as handle:
            root = yaml.compose(handle, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        raise WordingError(f"{where}: {error.problem}") from error
    if not isinstance(root, yaml.MappingNode):
        raise WordingError(f"{label}:1:1: expected a mapping of texts")
    texts: dict[str, Text] = {}
    blocks: dict[str, tuple[ParagraphTemplate, ...]] = {}
    for key_node, value_node in _pairs(root, label):
        key = key_node.value
        if key in spec.texts:
            texts[key] = _text(value_node, label, spec, loop=False)
        elif key in spec.blocks:
            blocks[key] = _block(value_node, label, spec)
        elif key in spec.retired:
            continue
        else:
            known = sorted(spec.texts | spec.blocks)
            raise WordingError(f"{_where(label, key_node)}: unknown key {key!r}{_suggest(key, known)}")
    for key, source in spec.defaults:
        if key not in texts:
            texts[key] = _default_text(key, source, label, spec)
    missing = sorted((spec.texts - texts.keys()) | (spec.blocks - blocks.keys()))
    if missing:
        raise WordingError(f"{label}: missing keys: {', '.join(missing)}")
    return Wording(spec.name, path, texts, blocks)


def _pairs(node: yaml.MappingNode, label: str) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    seen: dict[str, yaml.Node] = {}
    pairs = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise WordingError(f"{_where(label, key_node)}: keys must be plain names")
        if key_node.value in seen:
            first = seen[key_node.value].start_mark.line + 1
            raise WordingError(f"{_where(label, key_node)}: duplicate key {key_node.value!r} (first on line {first})")
        seen[key_node.value] = key_node
        pairs.append((key_node, value_node))
    return pairs


def _block(node: yaml.Node, label: str, spec: WordingSpec) -> tuple[ParagraphTemplate, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise WordingError(f"{_where(label, node)}: expected a list of paragraphs")
    return tuple(_paragraph(item, label, spec) for item in node.value)


def _paragraph(node: yaml.Node, label: str, spec: WordingSpec) -> ParagraphTemplate:
    if isinstance(node, yaml.ScalarNode):
        return ParagraphTemplate(_text(node, label, spec, loop=False))
    if not isinstance(node, yaml.MappingNode):
        raise WordingError(f"{_where(label, node)}: a paragraph is a text or a mapping with 'text'")
    fields = dict((key.value, (key, value)) for key, value in _pairs(node, label))
    for key, (key_node, _) in fields.items():
        if key not in _PARAGRAPH_KEYS:
            raise WordingError(
                f"{_where(label, key_node)}: unknown paragraph key {key!r}{_suggest(key, _PARAGRAPH_KEYS)}"
            )
    if "text" not in fields:
        raise WordingError(f"{_where(label, node)}: paragraph has no 'text'")
    each = _string(fields["each"][1], label) if "each" in fields else None
    if each is not None and each not in spec.lists:
        raise WordingError(
            f"{_where(label, fields['each'][1])}: {each!r} is not a list of this document"
            f"{_suggest(each, sorted(spec.lists))}"
        )
    align = _string(fields["align"][1], label) if "align" in fields else "justify"
    if align not in ALIGNMENTS:
        raise WordingError(f"{_where(label, fields['align'][1])}: align must be one of {', '.join(ALIGNMENTS)}")
    return ParagraphTemplate(
        text=_text(fields["text"][1], label, spec, loop=each is not None),
        each=each,
        bold=_flag(fields, "bold", False, label),
        italic=_flag(fields, "italic", False, label),
        align=align,
        indent=_flag(fields, "indent", True, label),
    )


def _flag(fields: Mapping[str, tuple[yaml.Node, yaml.Node]], key: str, default: bool, label: str) -> bool:
    if key not in fields:
        return default
    node = fields[key][1]
    if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool"):
        raise WordingError(f"{_where(label, node)}: {key} must be true or false")
    return node.value.lower() in ("true", "yes", "on")


def _string(node: yaml.Node, label: str) -> str:
    if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"):
        raise WordingError(f"{_where(label, node)}: expected a quoted text")
    return str(node.value)


def _text(node: yaml.Node, label: str, spec: WordingSpec, *, loop: bool) -> Text:
    source = _string(node, label)
    where = _where(label, node)
    env = environment()
    try:
        parsed = env.parse(source)
        template = env.from_string(source)
    except jinja2.TemplateSyntaxError as error:
        raise WordingError(f"{label}:{node.start_mark.line + error.lineno}: {error.message}") from error
    allowed = spec.variables | (LOOP_VARIABLES if loop else frozenset())
    for variable in sorted(jinja2.meta.find_undeclared_variables(parsed)):
        if variable not in allowed:
            raise WordingError(f"{where}: unknown variable {variable!r}{_suggest(variable, sorted(allowed))}")
    return Text(source, where, template)


def _default_text(key: str, source: str, label: str, spec: WordingSpec) -> Text:
    """A text the file leaves out and ykien supplies (a key added after the file was copied)."""
    env = environment()
    parsed = env.parse(source)
    unknown = sorted(jinja2.meta.find_undeclared_variables(parsed) - spec.variables)
    if unknown:  # a mistake in specs.py, not in the department's file
        raise WordingError(f"{label}: the default text of {key!r} uses unknown variables {', '.join(unknown)}")
    return Text(source, f"{label} ({key}, mặc định)", env.from_string(source))


def counts(pairs: Any, noun: str) -> str:
    """[["tiếp thu", 2], ["tiếp thu một phần", 0], ["không tiếp thu", 1]] | counts("ý kiến") ->
    "tiếp thu 02 ý kiến, không tiếp thu 01 ý kiến": the counts that are not zero, in order."""
    return ", ".join(f"{label} {vietnamese.quantity(int(number))} {noun}" for label, number in pairs if number)


def _where(label: str, node: yaml.Node) -> str:
    return f"{label}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def _suggest(word: str, known: Any) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of document wording: sandboxed (departments edit these files), strict,
    no HTML escaping (python-docx writes XML itself), Vietnamese filters."""
    env = jinja2.sandbox.SandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
    )
    env.filters.update(
        date=vietnamese.short_date,
        long_date=vietnamese.long_date,
        quantity=vietnamese.quantity,
        legal_basis=vietnamese.legal_basis,
        no_end_mark=vietnamese.without_end_mark,
        lower_first=lambda text: text[:1].lower() + text[1:],
        counts=counts,
    )
    return env

