"""The draft on the unit's page: a DOCX converted to HTML once per draft version (mammoth), cut down to its
structure, and every heading, paragraph, list item and table labelled with the section it belongs to ("Mục II.2"),
so a unit comments on a part of the draft by choosing it.

What reaches the page is rebuilt from an allow-list: headings, paragraphs, lists, tables (with colspan and
rowspan), bold, italic, underline, strike, sub- and superscript and line breaks, every text escaped. Links keep
their text and lose their target; images become a note (the page never loads one, so no external image and no
file of the server's read through a linked image: mammoth's external file access stays off); scripts, styles,
frames and anything else unknown go with their content. The result is cached as JSON next to the draft file,
keyed by the draft's SHA-256 and the converter's version, so a page view reads a file and never converts.
"""
from __future__ import annotations

import html
import io
import json
import re
import threading
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import mammoth  # type: ignore[import-untyped]

from models import limits
from models.text import capfirst
from workflows.service.app import App
from workflows.service.files import file_in_place
from workflows.service.rounds import draft_location

CONVERTER = 2  # raise when the HTML made changes: a cache of another converter is made again
OPENING = "Phần mở đầu"  # the section of what comes before the first heading (title, căn cứ)
MAX_UNPACKED = 100 * 1024 * 1024  # the XML of a DOCX, unpacked, larger than this is not shown (a zip bomb)
IMAGE_NOTE = "[Hình ảnh: xem trong tệp tải về]"  # every kind's file: a dossier, a plan, a draft
# What each pick button says after the kind's verb ("Góp ý mục này", "Thẩm định đoạn này"). The cache holds a
# marker in its place (_PICK_MARK), never the words: a kind's terms may change after a draft was converted.
PICK_PLACES = {"heading": "mục này", "paragraph": "đoạn này", "item": "đoạn này", "table": "bảng này"}
_PICK_MARK = "<!--pick:{}-->"  # escaped text never holds "<", so the marker is only where the writer put it

# Tags kept (some renamed), tags dropped with everything inside them; any other tag is unwrapped (its text kept).
_KEPT = {"h1": "h1", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h5", "h6": "h6", "p": "p", "ul": "ul", "ol": "ol",
         "li": "li", "table": "table", "thead": "thead", "tbody": "tbody", "tfoot": "tfoot", "tr": "tr", "th": "th",
         "td": "td", "strong": "strong", "b": "strong", "em": "em", "i": "em", "u": "u", "s": "s", "sub": "sub",
         "sup": "sup", "br": "br"}
_DROPPED = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "template",
            "noscript", "textarea", "select", "option", "title", "head", "link", "meta", "base", "form", "input",
            "button", "audio", "video", "source", "canvas", "xml"}
_VOID = {"br", "img", "hr", "wbr", "col", "input", "meta", "link", "base", "source", "area", "param", "embed"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SPAN = re.compile(r"[1-9][0-9]?")

# How a heading is numbered in a Vietnamese plan or decision, by the text it starts with.
_PART = re.compile(r"^(Chương|Phần|PHẦN|CHƯƠNG)\s+([IVXLC]+|\d+)\b")
_ARTICLE = re.compile(r"^(Điều|ĐIỀU)\s+(\d+)\b")
_ROMAN = re.compile(r"^([IVXLC]+)\s*[.:)]\s*\S")
_ARABIC = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)]\s+\S")
_LETTER = re.compile(r"^([a-zđ])\s*\)\s*\S")
_HEADING_MAX = 300  # a bold numbered paragraph longer than this is a paragraph, not a heading


class DraftUnreadable(Exception):
    """The DOCX cannot be shown as HTML (damaged, not a DOCX, too large unpacked)."""


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)


class _Sanitiser(HTMLParser):
    """mammoth's HTML to a tree of allowed tags only; text arrives unescaped and is escaped again on output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self._stack: list[_Node] = [self.root]
        self._dropping = 0
        # Per open tag of the source: its name and what it did (pushed a node, dropped its content, or nothing).
        self._opened: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._void(tag)
            return
        if self._dropping or tag in _DROPPED:
            self._dropping += 1
            self._opened.append((tag, "drop"))
            return
        kept = _KEPT.get(tag)
        if kept is None:
            self._opened.append((tag, "unwrap"))
            return
        node = _Node(kept, {k: v for k, v in attrs if k in ("colspan", "rowspan") and kept in ("td", "th")
                            and v is not None and _SPAN.fullmatch(v)})
        self._stack[-1].children.append(node)
        self._stack.append(node)
        self._opened.append((tag, "push"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self._void(tag)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def _void(self, tag: str) -> None:
        if self._dropping:
            return
        if tag == "br":
            self._stack[-1].children.append(_Node("br"))
        elif tag == "img":
            self._stack[-1].children.append(_Node("em", {"class": "d-image"}, [IMAGE_NOTE]))

    def handle_endtag(self, tag: str) -> None:
        """Closes the latest open tag of that name and any left open inside it; a stray end tag is ignored."""
        names = [name for name, _ in self._opened]
        if tag in _VOID or tag not in names:
            return
        while self._opened:
            name, action = self._opened.pop()
            if action == "drop":
                self._dropping -= 1
            elif action == "push":
                self._stack.pop()
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        if not self._dropping and data:
            self._stack[-1].children.append(data)


def _text(node: _Node | str, skip_lists: bool = False) -> str:
    if isinstance(node, str):
        return node
    if skip_lists and node.tag in ("ul", "ol"):
        return ""
    if node.tag == "br":
        return " "
    return "".join(_text(child, skip_lists) for child in node.children)


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _table_text(node: _Node) -> str:
    rows = [row for row in _walk(node) if row.tag == "tr"]
    return " / ".join(" | ".join(_plain(_text(cell)) for cell in row.children
                                 if isinstance(cell, _Node) and cell.tag in ("td", "th")) for row in rows)


def _walk(node: _Node) -> Iterator[_Node]:
    for child in node.children:
        if isinstance(child, _Node):
            yield child
            yield from _walk(child)


def _all_bold(node: _Node) -> bool:
    """Every letter of the paragraph is inside <strong> (how a plan typed without heading styles marks them)."""
    def bare(child: _Node | str) -> bool:
        if isinstance(child, str):
            return bool(child.strip())
        return child.tag != "strong" and any(bare(c) for c in child.children)
    return any(isinstance(c, _Node) and c.tag == "strong" for c in _walk(node)) and not any(
        bare(child) for child in node.children)


class _Numbering:
    """The label of each heading from its own numbering: "I." then "1." then "a)" give "Mục I", "Mục I.1",
    "Mục I.1.a"; "Chương II" and "Điều 5" (decisions, regulations) give "Chương II", "Điều 5", "Điều 5, khoản 2",
    "Điều 5, khoản 2, điểm a". A heading without a number is labelled by its own words."""

    def __init__(self) -> None:
        self.part: str | None = None
        self.roman: str | None = None
        self.article: str | None = None
        self.arabic: str | None = None
        self.letter: str | None = None

    def label(self, text: str, level: int) -> tuple[str, int] | None:
        """The label of a heading and its depth (1 to 4); None when `text` carries no numbering."""
        if match := _PART.match(text):
            self.part, self.roman, self.article, self.arabic, self.letter = (
                f"{match.group(1).capitalize()} {match.group(2)}", None, None, None, None)
            return self.part, 1
        if match := _ARTICLE.match(text):
            self.article, self.arabic, self.letter = f"Điều {match.group(2)}", None, None
            return self.article, 2
        if match := _ROMAN.match(text):
            self.roman, self.article, self.arabic, self.letter = match.group(1), None, None, None
            return self._numbered(), 1 if self.part is None else 2
        if match := _ARABIC.match(text):
            self.arabic, self.letter = match.group(1), None
            return self._numbered(), 3 if self.part is not None and self.roman is not None else 2
        if match := _LETTER.match(text):
            self.letter = match.group(1)
            return self._numbered(), 3
        return None

    def _numbered(self) -> str:
        if self.article is not None:
            words = [self.article] + ([f"khoản {self.arabic}"] if self.arabic else []) + (
                [f"điểm {self.letter}"] if self.letter else [])
            return ", ".join(words)
        parts = [p for p in (self.roman, self.arabic, self.letter) if p]
        label = "Mục " + ".".join(parts) if parts else ""
        return f"{self.part}, {label}" if self.part and label else (self.part or label)

    def unnumbered(self, text: str) -> str:
        words = _plain(text)
        return words if len(words) <= 80 else words[:79].rstrip() + "…"


@dataclass(frozen=True)
class Block:
    """A part of the draft a unit can comment on: its number on the page, its section and its text."""

    number: int
    kind: str  # heading | paragraph | item | table
    section: str
    quote: str


@dataclass(frozen=True)
class DraftHtml:
    """The draft as the page shows it: `html` to read, `html_pick` with a button per part to comment on, each
    button's words still a marker (see `picking`)."""

    html: str
    html_pick: str
    sections: tuple[str, ...]  # the labels of the headings, in document order
    blocks: dict[int, Block]

    def picking(self, verb: str) -> str:
        """The HTML with a button per part, each saying the kind's `verb` ("Góp ý đoạn này")."""
        page = self.html_pick
        for kind in PICK_PLACES:
            page = page.replace(_PICK_MARK.format(kind), html.escape(pick_words(verb, kind)))
        return page

    def block(self, number: int) -> Block | None:
        return self.blocks.get(number)


def pick_words(verb: str, kind: str) -> str:
    """What the button under a part of kind `kind` says in the kind's verb: "Góp ý mục này", "Phản biện bảng này"."""
    return f"{capfirst(verb)} {PICK_PLACES[kind]}"


class _Writer:
    """Serialises the tree twice (with and without buttons), numbering the blocks and labelling them."""

    def __init__(self) -> None:
        self.numbering = _Numbering()
        self.section = OPENING
        self.sections: list[str] = []
        self.blocks: dict[int, Block] = {}
        self.read: list[str] = []
        self.pick: list[str] = []

    def both(self, text: str) -> None:
        self.read.append(text)
        self.pick.append(text)

    def _block(self, kind: str, quote: str) -> Block:
        block = Block(len(self.blocks) + 1, kind, self.section, quote[:limits.COMMENT])
        self.blocks[block.number] = block
        if self.section not in self.sections:
            self.sections.append(self.section)
        return block

    def _button(self, block: Block) -> None:
        words = _PICK_MARK.format(block.kind)  # the kind's words go in when the page is made (DraftHtml.picking)
        self.pick.append(
            f'<button type="submit" form="answer-form" name="pick" value="{block.number}" class="secondary d-pick" '
            f'formnovalidate aria-label="{words}: {html.escape(block.section)}">{words}</button>')

    def _open(self, block: Block, tag: str, classes: str) -> None:
        self.both(f'<{tag} class="{classes}" id="d-{block.number}" data-section="{html.escape(block.section)}">')

    def top(self, nodes: Sequence[_Node | str]) -> None:
        for node in nodes:
            if isinstance(node, str):
                if node.strip():  # text loose at the top: a paragraph of its own
                    self.top([_Node("p", children=[node])])
                continue
            if node.tag in _HEADINGS or (node.tag == "p" and self._bold_heading(node)):
                self.heading(node)
            elif node.tag == "p":
                if _plain(_text(node)):
                    block = self._block("paragraph", _plain(_text(node)))
                    self._open(block, "div", "d-block")
                    self.inline(node)
                    self._button(block)
                    self.both("</div>")
            elif node.tag in ("ul", "ol"):
                self.list(node)
            elif node.tag == "table":
                block = self._block("table", _table_text(node))
                self._open(block, "div", "d-block d-table")
                self.both('<div class="d-scroll">')
                self.inline(node)
                self.both("</div>")
                self._button(block)
                self.both("</div>")
            else:  # inline markup at the top level
                self.top([_Node("p", children=[node])])

    @staticmethod
    def _bold_heading(node: _Node) -> bool:
        text = _plain(_text(node))
        return 0 < len(text) <= _HEADING_MAX and _all_bold(node) and _Numbering().label(text, 0) is not None

    def heading(self, node: _Node) -> None:
        text = _plain(_text(node))
        if not text:
            return
        level = int(node.tag[1]) if node.tag in _HEADINGS else 0
        found = self.numbering.label(text, level)
        if found is not None:
            self.section, depth = found
        else:
            self.section, depth = self.numbering.unnumbered(text), max(1, min(level, 4))
        block = self._block("heading", text)
        tag = f"h{min(6, depth + 2)}"  # the page's own h1 and h2 stay above the draft's headings
        self._open(block, "div", "d-block d-heading")
        self.both(f"<{tag}>")
        for child in node.children:
            self.inline(child)
        self.both(f"</{tag}>")
        self._button(block)
        self.both("</div>")

    def list(self, node: _Node) -> None:
        self.both(f"<{node.tag}>")
        for item in node.children:
            if not isinstance(item, _Node):
                continue
            if item.tag != "li":
                self.inline(item)
                continue
            own = _plain(_text(item, skip_lists=True))
            block = self._block("item", own) if own else None
            if block is not None:
                self._open(block, "li", "d-item")
            else:
                self.both("<li>")
            nested = [c for c in item.children if isinstance(c, _Node) and c.tag in ("ul", "ol")]
            for child in item.children:
                if not (isinstance(child, _Node) and child.tag in ("ul", "ol")):
                    self.inline(child)
            if block is not None:
                self._button(block)
            for sub in nested:
                self.list(sub)
            self.both("</li>")
        self.both(f"</{node.tag}>")

    def inline(self, node: _Node | str) -> None:
        if isinstance(node, str):
            self.both(html.escape(node, quote=False))
            return
        if node.tag == "br":
            self.both("<br>")
            return
        attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in node.attrs.items())
        self.both(f"<{node.tag}{attrs}>")
        for child in node.children:
            self.inline(child)
        self.both(f"</{node.tag}>")


def sanitised(markup: str) -> DraftHtml:
    """mammoth's HTML as the page shows it (see the module's docstring)."""
    parser = _Sanitiser()
    parser.feed(markup)
    parser.close()
    writer = _Writer()
    writer.top(parser.root.children)
    return DraftHtml("".join(writer.read), "".join(writer.pick), tuple(writer.sections), writer.blocks)


def convert_docx(content: bytes) -> DraftHtml:
    """A DOCX's body as sanitised HTML with its sections; DraftUnreadable when it is not a DOCX one can show."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist() if not i.filename.startswith("word/media/"))
    except (zipfile.BadZipFile, OSError) as error:
        raise DraftUnreadable("Tệp không phải DOCX đọc được.") from error
    if unpacked > MAX_UNPACKED:
        raise DraftUnreadable("Tệp quá lớn để hiển thị trên trang.")
    no_image = mammoth.images.img_element(lambda image: {"alt": image.alt_text or ""})  # never reads the image
    try:
        result = mammoth.convert_to_html(io.BytesIO(content), convert_image=no_image, external_file_access=False)
    except Exception as error:  # mammoth raises whatever its XML and zip readers raise on a damaged file
        raise DraftUnreadable("Tệp bị hỏng hoặc không đọc được.") from error
    return sanitised(result.value)


# --- the cache next to the draft ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DraftPreview:
    """What the page says of the draft: its HTML (a DOCX), or why it can only be downloaded."""

    kind: str  # docx | pdf | other
    html: DraftHtml | None = None
    problem: str | None = None


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


def cache_location(app: App, round_id: int, version: int, filename: str) -> Path:
    """The cached HTML of a draft file: beside it, under the home."""
    draft = draft_location(app, round_id, version, filename)
    return draft.with_name(f".{draft.name}.html.json")


def _encode(sha256: str, html_: DraftHtml | None, problem: str | None) -> str:
    data: dict[str, Any] = {"converter": CONVERTER, "sha256": sha256}
    if html_ is None:
        data["problem"] = problem
    else:
        data.update(html=html_.html, html_pick=html_.html_pick, sections=list(html_.sections),
                    blocks=[[b.number, b.kind, b.section, b.quote] for b in html_.blocks.values()])
    return json.dumps(data, ensure_ascii=False)


def _decode(text: str, sha256: str) -> DraftPreview | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("converter") != CONVERTER or data.get("sha256") != sha256:
        return None
    if "problem" in data:
        return DraftPreview("docx", problem=str(data["problem"]))
    blocks = {int(n): Block(int(n), str(kind), str(section), str(quote)) for n, kind, section, quote in data["blocks"]}
    return DraftPreview("docx", DraftHtml(str(data["html"]), str(data["html_pick"]),
                                          tuple(str(s) for s in data["sections"]), blocks))


def draft_preview(app: App, round_id: int, version: int, filename: str | None,
                  sha256: str | None) -> DraftPreview | None:
    """The draft version's HTML, converted on first use and then read from its cache; None without a draft file."""
    if not filename:
        return None
    suffix = Path(filename).suffix.lower()
    if suffix == ".pdf":
        return DraftPreview("pdf")
    if suffix != ".docx":
        return DraftPreview("other")
    source = draft_location(app, round_id, version, filename)
    cache = cache_location(app, round_id, version, filename)
    key = sha256 or ""
    with _lock(cache):
        if cache.is_file():
            found = _decode(cache.read_text("utf-8"), key)
            if found is not None:
                return found
        if not source.is_file():
            return DraftPreview("docx", problem="Không tìm thấy tệp.")
        try:
            converted: DraftHtml | None = convert_docx(source.read_bytes())
            problem = None
        except DraftUnreadable as error:
            converted, problem = None, str(error)
        with file_in_place(cache) as partial:
            partial.write_text(_encode(key, converted, problem), "utf-8")
    return DraftPreview("docx", converted, problem)


def section_order(labels: Iterable[str]) -> dict[str, int]:
    """Each label's place in the document, keyed as `section_rank` compares them."""
    order: dict[str, int] = {}
    for label in labels:
        order.setdefault(_key(label), len(order))
    return order


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def section_rank(section: str | None, order: dict[str, int]) -> int | None:
    """Where a comment's section stands in the draft: its label's place, or that of the longest label it starts
    with ("Mục II.2, điểm a" under "Mục II.2", never "Mục II.20" under "Mục II.2"); None when it names none."""
    if not section or not order:
        return None
    key = _key(section)
    if key in order:
        return order[key]
    best: tuple[int, int] | None = None
    for label, rank in order.items():
        if key.startswith(label) and not key[len(label)].isalnum() and (best is None or len(label) > best[0]):
            best = (len(label), rank)
    return best[1] if best is not None else None


__all__ = ["CONVERTER", "OPENING", "Block", "DraftHtml", "DraftPreview", "DraftUnreadable", "cache_location",
           "convert_docx", "draft_preview", "pick_words", "sanitised", "section_order", "section_rank"]
