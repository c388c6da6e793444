"""The accessibility rules of a page that can be read from its HTML alone, checked with the standard library's
parser: `<html lang="vi">`, one `<h1>` and no heading level skipped, `main` and a skip link whose target exists,
every form control named by a label (for/id, wrapping, aria-label or aria-labelledby), every refused field tied
to an error that is on the page and every error beside a field tied to a field, every table header with a scope, no clickable `<a>` without a href or `<div>`
with onclick, no button or link without a name, and no text that points at something by its colour alone.

`broken_rules(html)` returns one line per breach, each naming the element, so a failing test says what to fix.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Controls a person fills or presses; hidden inputs and buttons (named by their text) need no label.
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
# Instructions a reader who does not see colours cannot follow ("see the items in red").
COLOUR_ONLY = ("tô đỏ", "màu đỏ ở trên", "in đỏ")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    line: int
    labels_around: int  # how many <label> elements enclose it
    text: list[str] = field(default_factory=list)

    def describe(self) -> str:
        shown = " ".join(f'{k}="{v}"' for k, v in self.attrs.items() if k in ("id", "name", "type", "class", "href"))
        return f"line {self.line}: <{self.tag} {shown}>"


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.ids: dict[str, int] = {}
        self.label_for: set[str] = set()
        self.headings: list[tuple[int, int, str]] = []  # level, line, text
        self.controls: list[_Element] = []
        self.table_headers: list[_Element] = []
        self.anchors: list[_Element] = []
        self.clickables: list[_Element] = []
        self.landmarks: set[str] = set()
        self.twice: list[str] = []
        self.words: list[str] = []  # the page's text
        self.buttons: list[_Element] = []
        self.field_errors: list[_Element] = []  # the errors shown beside a field
        self.described: set[str] = set()  # every id some element is described by
        self._open: list[_Element] = []
        self._labels_open = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        line = self.getpos()[0]
        for name, value in attrs:  # a browser keeps the first of an attribute written twice and drops the other
            if name in values:
                self.twice.append(f"line {line}: <{tag}> has {name} twice; the browser drops {value!r}")
            values.setdefault(name, value or "")
        element = _Element(tag, values, line, self._labels_open)
        if tag == "html":
            self.lang = values.get("lang")
        if "id" in values:
            self.ids[values["id"]] = self.ids.get(values["id"], 0) + 1
        if "field-error" in values.get("class", "").split():
            self.field_errors.append(element)
        self.described.update(values.get("aria-describedby", "").split())
        if tag == "label":
            self._labels_open += 1
            if values.get("for"):
                self.label_for.add(values["for"])
        if tag in ("main", "nav") or values.get("role") in ("main", "navigation"):
            self.landmarks.add(values.get("role") or tag)
        if tag in ("input", "select", "textarea") and values.get("type", "text") not in UNLABELLED_INPUT_TYPES:
            self.controls.append(element)
        if tag == "th":
            self.table_headers.append(element)
        if tag == "a":
            self.anchors.append(element)
        if tag == "button":
            self.buttons.append(element)
        if "onclick" in values and tag not in ("button", "a", "input"):
            self.clickables.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._labels_open = max(0, self._labels_open - 1)
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                element = self._open[index]
                del self._open[index:]
                if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    self.headings.append((int(tag[1]), element.line, " ".join("".join(element.text).split())))
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text.append(data)
        self.words.append(data)


def _named(control: _Element, reader: _PageReader) -> bool:
    attrs = control.attrs
    if attrs.get("aria-label", "").strip() or attrs.get("title", "").strip():
        return True
    if attrs.get("aria-labelledby"):
        return all(part in reader.ids for part in attrs["aria-labelledby"].split())
    return control.labels_around > 0 or attrs.get("id", "") in reader.label_for


def broken_rules(html: str) -> list[str]:
    """The rules `html` breaks, one line each naming the element and its line; empty when it keeps them all."""
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    broken: list[str] = []
    if reader.lang != "vi":
        broken.append(f'<html lang="{reader.lang}">, not "vi"')
    levels = [level for level, _, _ in reader.headings]
    if levels.count(1) != 1:
        broken.append(f"{levels.count(1)} <h1> on the page: {[t for lv, _, t in reader.headings if lv == 1]}")
    if levels and levels[0] != 1:
        _, line, text = reader.headings[0]
        broken.append(f"line {line}: the first heading is <h{levels[0]}> {text!r}, not the page's <h1>")
    for (before, _, _), (level, line, text) in zip(reader.headings, reader.headings[1:], strict=False):
        if level > before + 1:
            broken.append(f"line {line}: <h{level}> {text!r} follows an <h{before}>, a level skipped")
    if "main" not in reader.landmarks:
        broken.append("no <main>")
    skip = [a for a in reader.anchors if "skip-link" in a.attrs.get("class", "").split()]
    if not skip:
        broken.append("no skip link")
    for link in skip:
        if link.attrs.get("href", "").lstrip("#") not in reader.ids:
            broken.append(f"{link.describe()} leads to no element")
    broken.extend(reader.twice)
    for duplicated in sorted(i for i, n in reader.ids.items() if n > 1):
        broken.append(f'id="{duplicated}" on {reader.ids[duplicated]} elements')
    for control in reader.controls:
        if not _named(control, reader):
            broken.append(f"{control.describe()} has no label")
        if control.attrs.get("aria-invalid") == "true":
            described = control.attrs.get("aria-describedby", "").split()
            if not described or any(part not in reader.ids for part in described):
                broken.append(f"{control.describe()} is refused but describedby {described} is not on the page")
        for part in control.attrs.get("aria-describedby", "").split():
            if part not in reader.ids:
                broken.append(f"{control.describe()} aria-describedby={part!r}, no such id")
    for error in reader.field_errors:
        # an error of the whole form (err-form, focused and announced) stands alone; a field's is tied to it
        if error.attrs.get("id") not in reader.described and error.attrs.get("id") != "err-form":
            broken.append(f"{error.describe()} {''.join(error.text).strip()[:60]!r} describes no field")
    for header in reader.table_headers:
        if header.attrs.get("scope") not in ("col", "row", "colgroup", "rowgroup") and "id" not in header.attrs:
            broken.append(f"{header.describe()} {''.join(header.text).strip()[:40]!r} has no scope")
    for anchor in reader.anchors:
        if "href" not in anchor.attrs and "name" not in anchor.attrs and "id" not in anchor.attrs:
            broken.append(f"{anchor.describe()} is a link to nowhere (a button?)")
    for pressable in reader.buttons + [a for a in reader.anchors if "href" in a.attrs]:
        if not ("".join(pressable.text).strip() or pressable.attrs.get("aria-label", "").strip()
                or pressable.attrs.get("title", "").strip()):
            broken.append(f"{pressable.describe()} has no name: no text, aria-label or title")
    for clickable in reader.clickables:
        broken.append(f"{clickable.describe()} has onclick but is no button")
    shown = " ".join(" ".join(reader.words).split())
    for colour_only in COLOUR_ONLY:
        if colour_only in shown:
            at = shown.index(colour_only)
            broken.append(f"the page points at something by its colour alone: …{shown[max(0, at - 60):at + 20]}…")
    return broken
