"""The wording of each document: a YAML file of Jinja2 texts that a department may override.

A wording file maps keys to one text ("title: ...") or to a list of paragraphs ("body: [...]").
A paragraph is a text, or a mapping {text, each, bold, italic, align, indent}; `each` repeats it
over a list variable with `item`, `number`, `count` and `last` set. A paragraph that renders
empty is left out, so "{% if ... %}" switches sentences on and off.
"""
from __future__ import annotations

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

from config.choice_words import did_you_mean, either
from config.file_stamps import FileStamp, file_stamp
from config.file_words import line_and_column, not_utf8, refused_character
from config.os_words import os_reason
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
            raise WordingError(f"{self.where}: lỗi khi điền mẫu Jinja2: {error}") from error
        return vietnamese.with_blanks(" ".join(vietnamese.nfc(rendered).split()))


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
        raise WordingError(f"không có tệp lời văn \"{name}\" (các tệp lời văn có: {', '.join(sorted(SPECS))})")
    path = TEMPLATE_DIR / f"{name}.yaml"
    if override_dir is not None and (override_dir / f"{name}.yaml").is_file():
        path = override_dir / f"{name}.yaml"
    try:
        stamp = file_stamp(path)
    except OSError as error:
        raise WordingError(f"{path}: không đọc được tệp lời văn ({os_reason(error)})") from error
    return _load(str(path), stamp, SPECS[name])


def default_wording_path(name: str) -> Path:
    """The wording file shipped with ykien, to copy into an override directory."""
    return TEMPLATE_DIR / f"{name}.yaml"


@cache
def _load(path: str, _version: FileStamp, spec: WordingSpec) -> Wording:
    label = os.path.basename(path)
    root = _compose(_read(path, label), label)
    if not isinstance(root, yaml.MappingNode):
        raise WordingError(f"{label}:1:1: tệp lời văn phải là một khối khóa: giá trị, mỗi khóa là một lời văn "
                           "hoặc một danh sách các đoạn văn")
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
            raise WordingError(f"{_where(label, key_node)}: không có khóa \"{key}\"{did_you_mean(key, known)}")
    shipped = TEMPLATE_DIR / f"{spec.name}.yaml"
    for key in spec.shipped_defaults - texts.keys():
        if path != str(shipped):  # a department's older copy: the shipped file's text
            texts[key] = load_wording(spec.name).texts[key]
    for key, source in spec.defaults:
        if key not in texts:
            texts[key] = _default_text(key, source, label, spec)
    missing = sorted((spec.texts - texts.keys()) | (spec.blocks - blocks.keys()))
    if missing:
        raise WordingError(f"{label}: thiếu khóa: {', '.join(missing)}")
    return Wording(spec.name, path, texts, blocks)


def _read(path: str, label: str) -> str:
    """The file's text; unreadable bytes are a WordingError at their line."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise WordingError(f"{path}: không đọc được tệp lời văn ({os_reason(error)})") from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise WordingError(f"{label}:{line}: {not_utf8(error.start + 1)}") from None


def _compose(text: str, label: str) -> yaml.Node | None:
    """The YAML node tree of `text`; a syntax error, or a character YAML refuses (NUL), is a WordingError."""
    try:
        loader = yaml.SafeLoader(text)  # checks the characters first: a NUL is refused here, not while parsing
    except yaml.reader.ReaderError as error:
        line, column = line_and_column(text, error.position)
        raise WordingError(f"{label}:{line}:{column}: {refused_character(error)}") from None
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        raise WordingError(f"{where}: lỗi cú pháp YAML: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise WordingError(f"{label}: lỗi YAML: {error}") from None
    finally:
        loader.dispose()


def _pairs(node: yaml.MappingNode, label: str) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    seen: dict[str, yaml.Node] = {}
    pairs = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise WordingError(f"{_where(label, key_node)}: khóa phải là một tên, không phải danh sách hay khối "
                               "khóa: giá trị")
        if key_node.value in seen:
            first = seen[key_node.value].start_mark.line + 1
            raise WordingError(f"{_where(label, key_node)}: khóa \"{key_node.value}\" bị lặp (đã có ở dòng {first})")
        seen[key_node.value] = key_node
        pairs.append((key_node, value_node))
    return pairs


def _block(node: yaml.Node, label: str, spec: WordingSpec) -> tuple[ParagraphTemplate, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise WordingError(f"{_where(label, node)}: phải là một danh sách các đoạn văn [...], không phải {_show(node)}")
    return tuple(_paragraph(item, label, spec) for item in node.value)


def _paragraph(node: yaml.Node, label: str, spec: WordingSpec) -> ParagraphTemplate:
    if isinstance(node, yaml.ScalarNode):
        return ParagraphTemplate(_text(node, label, spec, loop=False))
    if not isinstance(node, yaml.MappingNode):
        raise WordingError(f"{_where(label, node)}: đoạn văn phải là một chuỗi trong ngoặc kép hoặc một khối "
                           f"khóa: giá trị có khóa \"text\", không phải {_show(node)}")
    fields = dict((key.value, (key, value)) for key, value in _pairs(node, label))
    for key, (key_node, _) in fields.items():
        if key not in _PARAGRAPH_KEYS:
            raise WordingError(
                f"{_where(label, key_node)}: đoạn văn không có khóa \"{key}\"{did_you_mean(key, _PARAGRAPH_KEYS)}"
            )
    if "text" not in fields:
        raise WordingError(f"{_where(label, node)}: đoạn văn thiếu khóa \"text\"")
    each = _string(fields["each"][1], label) if "each" in fields else None
    if each is not None and each not in spec.lists:
        raise WordingError(
            f"{_where(label, fields['each'][1])}: văn bản này không có danh sách \"{each}\""
            f"{did_you_mean(each, sorted(spec.lists))}"
        )
    align = _string(fields["align"][1], label) if "align" in fields else "justify"
    if align not in ALIGNMENTS:
        raise WordingError(f"{_where(label, fields['align'][1])}: align phải là {either(ALIGNMENTS)}, "
                           f"không phải \"{align}\"{did_you_mean(align, ALIGNMENTS)}")
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
        raise WordingError(f"{_where(label, node)}: {key} phải là true hoặc false, không phải {_show(node)}")
    return node.value.lower() in ("true", "yes", "on")


def _string(node: yaml.Node, label: str) -> str:
    if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"):
        raise WordingError(f"{_where(label, node)}: phải là một chuỗi trong ngoặc kép, không phải {_show(node)}")
    return str(node.value)


def _text(node: yaml.Node, label: str, spec: WordingSpec, *, loop: bool) -> Text:
    source = _string(node, label)
    where = _where(label, node)
    env = environment()
    try:
        parsed = env.parse(source)
        template = env.from_string(source)
    except jinja2.TemplateSyntaxError as error:
        raise WordingError(f"{label}:{node.start_mark.line + error.lineno}: lỗi cú pháp mẫu Jinja2: "
                           f"{error.message}") from error
    allowed = spec.variables | (LOOP_VARIABLES if loop else frozenset())
    for variable in sorted(jinja2.meta.find_undeclared_variables(parsed)):
        if variable not in allowed:
            raise WordingError(f"{where}: không có biến \"{variable}\"{did_you_mean(variable, sorted(allowed))}")
    return Text(source, where, template)


def _default_text(key: str, source: str, label: str, spec: WordingSpec) -> Text:
    """A text the file leaves out and ykien supplies (a key added after the file was copied)."""
    env = environment()
    parsed = env.parse(source)
    unknown = sorted(jinja2.meta.find_undeclared_variables(parsed) - spec.variables)
    if unknown:  # a mistake in specs.py, not in the department's file
        raise WordingError(f"{label}: lời văn mặc định của khóa \"{key}\" dùng biến không có: {', '.join(unknown)}")
    return Text(source, f"{label} ({key}, mặc định)", env.from_string(source))


def counts(pairs: Any, noun: str) -> str:
    """[["tiếp thu", 2], ["tiếp thu một phần", 0], ["không tiếp thu", 1]] | counts("ý kiến") ->
    "tiếp thu 02 ý kiến, không tiếp thu 01 ý kiến": the counts that are not zero, in order."""
    return ", ".join(f"{label} {vietnamese.quantity(int(number))} {noun}" for label, number in pairs if number)


def _where(label: str, node: yaml.Node) -> str:
    return f"{label}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def _show(node: yaml.Node) -> str:
    """A value as the messages name it: text in double quotes, a mapping or a list by what it is."""
    if isinstance(node, yaml.MappingNode):
        return "một khối khóa: giá trị"
    if isinstance(node, yaml.SequenceNode):
        return "một danh sách"
    if node.tag == "tag:yaml.org,2002:null":
        return "giá trị rỗng (null)"
    if node.tag == "tag:yaml.org,2002:str":
        return f'"{node.value}"'
    return str(node.value)


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

