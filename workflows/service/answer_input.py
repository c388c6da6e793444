"""Check what a unit (or staff for it) types as an answer: comments, a proposal form, a signed PDF.

Every problem names its place ("Ý kiến 2: ...", "Tên nhiệm vụ: ...") and all problems are reported
together, so a form can be shown again with every mistake marked. Nothing is stored here.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from config.calendar_words import not_a_date
from models import limits
from models.errors import InvalidInput
from models.rounds import ResponseKind
from models.text import capfirst, grouped, lowfirst, stored_text
from workflows.definition import ResponseField, ResponseSpec, Terms
from workflows.engine.events import CommentInput
from workflows.service.deadlines import read_date
from workflows.service.draft_upload import pdf_problem

MAX_COMMENTS = 200
MAX_PROPOSALS = 50  # the ceiling of ResponseSpec.max_items
PDF_MAGIC = b"%PDF-"
_NUMBER = re.compile(r"\d{1,18}")
_MONEY = re.compile(r"\d{1,3}([ .,]\d{3})*|\d{1,18}")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_PHONE = re.compile(rf"[0-9 +.\-()]{{6,{limits.PHONE}}}")
CommentRowTyped = tuple[str | None, str | None, str | None] | tuple[str | None, str | None, str | None, str | None]


@dataclass(frozen=True)
class Problem:
    """One mistake in a form: `field` is the form field it belongs to (for marking), `message` names it."""

    field: str
    message: str


class AnswerInvalid(InvalidInput):
    """The answer cannot be accepted as typed; `problems` lists every mistake."""

    code = "answer_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        # each problem is a sentence ending in "."; joined, only the last keeps it (not "… 12.; 3. Kinh phí …")
        super().__init__("; ".join(p.message.rstrip(".") for p in problems) + ".")
        self.problems = problems

    @property
    def fields(self) -> set[str]:
        return {p.field for p in self.problems}


def form_text(value: object) -> str | None:
    """A form field's value as a JSON body or file holds it: text as it is, a whole number as its digits (a figure
    written without quotes); None for what no field holds (a list, an object, null, true or false, a decimal)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def json_kind(value: object) -> str:
    """What a JSON value is, in the words of a refusal ("một danh sách", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "số thập phân"
    if isinstance(value, list):
        return "một danh sách [...]"
    if isinstance(value, dict):
        return "một đối tượng {...}"
    return "chữ hoặc số nguyên"


def clean_text(value: str | None, place: str, limit: int) -> str | None:
    """NFC, trimmed, Windows line ends folded; None when blank. Raises ValueError (InvalidInput) naming `place`
    when the text is longer than `limit` (models.limits) or holds a control character."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{place}: có ký tự không hợp lệ.") from None
    text = stored_text(value)
    limits.check_text(place, text, limit)
    return text or None


def _row_labels(terms: Terms | None) -> dict[str, str]:
    """A comment row's fields as the kind calls them ("nội dung góp ý", "đoạn hồ sơ được thẩm định"); without a
    kind's terms, a consultation's words."""
    verb, document = (terms.verb, lowfirst(terms.document)) if terms is not None else ("góp ý", "dự thảo")
    return {"section": "mục/phần", "comment": f"nội dung {verb}", "proposed": "đề xuất sửa đổi",
            "quote": f"đoạn {document} được {verb}"}


def clean_comments(rows: Iterable[CommentRowTyped], terms: Terms | None = None) -> tuple[CommentInput, ...]:
    """(section, comment, proposed wording[, quote]) rows as typed; blank rows are skipped, rows count from 1.
    The quote is the text of the draft the comment is about, when the unit chose it on the page: a row holding
    one (or a section, or a wording) but no comment is a mistake, never dropped in silence. Problems name the
    fields in the words of the round's kind (`terms`)."""
    labels = _row_labels(terms)
    problems: list[Problem] = []
    comments: list[CommentInput] = []
    for number, row in enumerate(rows, start=1):
        section, text, proposed = row[0], row[1], row[2]
        quote = row[3] if len(row) > 3 else None
        cleaned: list[str | None] = []
        for name, value, limit in (("section", section, limits.SECTION), ("comment", text, limits.COMMENT),
                                   ("proposed", proposed, limits.COMMENT), ("quote", quote, limits.COMMENT)):
            try:
                cleaned.append(clean_text(value, f"Ý kiến {number} ({labels[name]})", limit))
            except ValueError as error:
                problems.append(Problem(f"{name}-{number}", str(error)))
                cleaned.append(value)
        if not any(cleaned):
            continue
        if not cleaned[1]:
            problems.append(Problem(f"comment-{number}", f"Ý kiến {number}: chưa có {labels['comment']}."))
            continue
        comments.append(CommentInput(text=cleaned[1], section=cleaned[0], proposed_wording=cleaned[2],
                                     quote=cleaned[3]))
    if len(comments) > MAX_COMMENTS:
        problems.append(Problem("comments", f"Nhiều nhất {MAX_COMMENTS} ý kiến trong một lần gửi "
                                            f"(đang có {len(comments)})."))
    if problems:
        raise AnswerInvalid(problems)
    return tuple(comments)


def _whole(text: str, money: bool) -> int | None:
    """A whole number as people write it ("24", "-3"; money also "1.500.000.000", "1 500 000 000")."""
    sign, digits = ("-", text[1:].strip()) if text.startswith("-") else ("", text)
    if not (_MONEY if money else _NUMBER).fullmatch(digits):
        return None
    plain = re.sub(r"[ .,]", "", digits)
    return int(sign + plain) if len(plain) <= 18 else None


def _field_value(item: ResponseField, text: str, label: str) -> str:
    """One filled field of the form checked against its kind; ValueError names the field by `label`."""
    shown = text if len(text) <= 40 else text[:40] + "…"
    if item.figure:
        value = _whole(text, money=item.kind == "money")
        if value is None:
            example = {"money": "số tiền (đồng), ví dụ 1.500.000.000", "months": "số tháng, ví dụ 24"}.get(
                item.kind, "số nguyên, ví dụ 12")
            raise ValueError(f"{label}: \"{shown}\" phải là {example}.")
        unit = {"money": " đồng", "months": " tháng"}.get(item.kind, "")
        if item.lowest is not None and value < item.lowest:
            raise ValueError(f"{label}: {grouped(value)}{unit} nhỏ hơn mức tối thiểu {grouped(item.lowest)}{unit}.")
        if item.maximum is not None and value > item.maximum:
            raise ValueError(f"{label}: {grouped(value)}{unit} lớn hơn mức tối đa {grouped(item.maximum)}{unit}.")
        return str(value)
    if item.kind == "date":
        day = read_date(text)
        if day is None:
            raise ValueError(not_a_date(text, label))
        return f"{day:%d/%m/%Y}"
    if item.kind == "email":
        if not _EMAIL.fullmatch(text):
            raise ValueError(f"{label}: \"{shown}\" không phải địa chỉ thư điện tử hợp lệ "
                             "(ví dụ vanthu@caobang.gov.vn).")
        return text
    if item.kind == "phone":
        if not _PHONE.fullmatch(text) or sum(c.isdigit() for c in text) < 6:
            raise ValueError(f"{label}: \"{shown}\" không phải số điện thoại (chữ số, khoảng trắng và + . - ( ), "
                             "ít nhất 6 chữ số).")
        return text
    if item.kind == "choice":
        if text not in item.options:
            raise ValueError(f"{label}: \"{shown}\" không có trong các lựa chọn ({'; '.join(item.options)}).")
        return text
    if item.kind == "text":
        return " ".join(text.split())  # one line
    return text


def field_limit(item: ResponseField) -> int:
    """The longest text a field of a proposal form takes: its definition's max_length, else models.limits.FIELD."""
    return min(item.max_length or limits.FIELD, limits.FIELD_CEILING)


def proposal_input(spec: ResponseSpec, number: int, key: str) -> str:
    """The name of a field of the number-th form, as the web forms name their inputs and mark mistakes:
    p_<key> on a form filled once, p<number>_<key> on a repeatable one."""
    return f"p{number}_{key}" if spec.repeatable else f"p_{key}"


def _some(names: list[str], shown: int = 8) -> str:
    """ "a, b, c" or, past `shown` names, the first ones and how many more ("…, và 12 trường khác")."""
    rest = len(names) - shown
    return ", ".join(names) if rest <= 0 else f"{', '.join(names[:shown])} và {rest} trường khác"


def _blank(values: Mapping[str, str | None]) -> bool:
    return not any(str(v or "").strip() for v in values.values())


FILE_TYPED = ("chỉ nhận tệp chọn để tải lên (trên trang của đơn vị, hoặc --attach khi Sở ghi nhận thay), không "
              "nhận tên tệp hay nội dung gõ vào.")


def _clean_one(spec: ResponseSpec, number: int, values: Mapping[str, str | None],
               problems: list[Problem], files: Mapping[str, str] | None = None) -> dict[str, str]:
    """One filled form; its problems are added to `problems`, named "Phiếu <number>: ..." when repeatable.
    A file field takes its value from `files` (by input name: the reference of a file the entry point stored,
    service/attachments), never from what was typed."""
    place = f"Phiếu {number}: " if spec.repeatable else ""
    files = files or {}
    known = {f.key: f for f in spec.fields}
    unknown = [key for key in values if key not in known]
    if unknown:  # one line for them all: a file of another kind's form would give one per field
        shown = [f'"{key if len(key) <= 60 else key[:60] + "…"}"' for key in unknown]
        problems.append(Problem(proposal_input(spec, number, unknown[0]),
                                f"{place}{'Trường' if len(unknown) == 1 else 'Các trường'} {_some(shown, 5)} không có "
                                f"trong mẫu trả lời của đợt này (các trường: {_some(list(known))})."))
    labels = field_places(spec)
    proposal: dict[str, str] = {}
    for item in spec.fields:
        name = proposal_input(spec, number, item.key)
        label = labels[item.key]
        if item.kind == "file":
            if str(values.get(item.key) or "").strip():
                problems.append(Problem(name, f"{place}{label}: {FILE_TYPED}"))
            elif files.get(name):
                proposal[item.key] = files[name]
            elif item.required:
                problems.append(Problem(name, f"{place}{label}: chưa chọn tệp (bắt buộc)."))
            continue
        try:
            text = clean_text(values.get(item.key), label, field_limit(item))
            if text is None:
                if item.required_for(dict(values)):
                    problems.append(Problem(name, f"{place}{label}: chưa điền (bắt buộc)."))
                continue
            proposal[item.key] = _field_value(item, unicodedata.normalize("NFC", text), label)
        except ValueError as error:
            problems.append(Problem(name, f"{place}{error}"))
    filled = {**values, **proposal}  # a file sent fills its heading as a typed field does
    for section in spec.answering_sections():
        if section.required and section not in spec.sections_filled(filled):
            problems.append(Problem(proposal_input(spec, number, section.fields[0].key),
                                    f"{place}{section.heading}: chưa có nội dung (mục bắt buộc)."))
    return proposal


def _input_number(spec: ResponseSpec, name: str) -> int | None:
    """The form number an input name (proposal_input) belongs to; None for a name of no form field."""
    for item in spec.fields:
        if name == f"p_{item.key}" and not spec.repeatable:
            return 1
        head, _, key = name.partition("_")
        if spec.repeatable and key == item.key and head[1:].isdigit() and head.startswith("p"):
            return int(head[1:]) if 0 < int(head[1:]) <= MAX_PROPOSALS else None
    return None


def field_places(spec: ResponseSpec) -> dict[str, str]:
    """How a mistake names each field: its label, after its heading on a form with sections
    ("2.4. Đào tạo nguồn nhân lực … — Số lớp đào tạo, tập huấn")."""
    places = {f.key: f.label for f in spec.fields}
    for section in spec.sections:
        for item in section.fields:
            places[item.key] = f"{section.heading} — {item.label}"
    return places


def clean_proposals(spec: ResponseSpec, items: Sequence[Mapping[str, str | None]],
                    files: Mapping[str, str] | None = None) -> tuple[dict[str, str], ...]:
    """The filled forms (e.g. one Mẫu A1-ĐXNV per task), numbered from 1: known fields only, required ones filled,
    each checked against its kind (number, money, months within their bounds, date, email, phone, one of a
    choice's options, lengths). Blank forms are skipped; at least one is checked, so an empty answer names the
    required fields. More forms than the definition allows (one, unless repeatable) are refused. A file field is
    filled only from `files` (input name -> the stored file's reference), never typed."""
    if spec.kind != "proposals":  # a round of comments has no form to read them against
        raise AnswerInvalid([Problem("proposals", "Đợt này nhận danh sách ý kiến, không nhận phiếu theo mẫu.")])
    problems: list[Problem] = []
    files = files or {}
    items = list(items)
    for name in files:  # a form holding only a file is filled too
        number = _input_number(spec, name)
        while number is not None and len(items) < number:
            items.append({})
    filled = [(number, values) for number, values in enumerate(items, start=1)
              if not _blank(values) or any(_input_number(spec, name) == number for name in files)]
    if not filled:
        filled = [(1, items[0] if items else {})]
    if len(filled) > spec.items_allowed:
        limit = (f"Nhiều nhất {spec.items_allowed} phiếu trong một lần gửi" if spec.repeatable
                 else "Mỗi lần gửi chỉ nhận một phiếu")
        problems.append(Problem("proposals", f"{limit} (đang có {len(filled)})."))
    cleaned = [_clean_one(spec, number, values, problems, files) for number, values in filled]
    if problems:
        raise AnswerInvalid(problems)
    return tuple(proposal for proposal in cleaned if proposal)


def check_answer(spec: ResponseSpec, kind: ResponseKind, comments: tuple[CommentInput, ...],
                 proposals: Sequence[Mapping[str, str | None]] = (), terms: Terms | None = None) -> None:
    """The kind of answer must fit the workflow's form and carry what it needs. The answer without content
    ("agree") is named in the kind's words (`terms.agreed`: "Không có đề xuất" for a call); forms sent with it are
    refused on the field "proposals", whatever is in them."""
    agreed = terms.agreed if terms is not None else Terms.model_fields["agreed"].default
    # the kind's words for an answer and for one with content: "ý kiến thẩm định", "Có ý kiến góp ý"
    answer, answered = (terms.answer, terms.answered) if terms is not None else ("ý kiến góp ý", "Có ý kiến góp ý")
    form_answer = terms.answer if terms is not None else "trả lời"  # a form kind's answer, whatever its name
    no_free_comments = f"Đợt này nhận {form_answer} theo mẫu của đợt, không nhận các ý kiến viết tự do."
    problems: list[Problem] = []
    if kind is ResponseKind.AGREE:
        if not spec.allow_agree:
            problems.append(Problem("answer", f"Đợt này không nhận trả lời \"{agreed}\"."))
        elif comments and spec.kind == "proposals":
            problems.append(Problem("answer", no_free_comments))
        elif proposals and spec.kind == "proposals":
            word = terms.answer if terms is not None else "phiếu"
            answered = f"\"{terms.answered}\"" if terms is not None else "trả lời theo mẫu"
            problems.append(Problem("proposals", f"Đã chọn \"{agreed}\" nhưng lại gửi kèm {len(proposals)} {word}: "
                                                 f"hãy chọn {answered} để gửi {word}, hoặc bỏ {word} đã điền."))
        elif comments or proposals:
            problems.append(Problem("answer", f"Đã chọn \"{agreed}\" nhưng lại có nội dung {answer}: "
                                              f"hãy chọn \"{answered}\" hoặc xóa các ý kiến."))
    elif kind is ResponseKind.COMMENTS:
        if spec.kind != "comments":
            problems.append(Problem("answer", no_free_comments))
        elif not comments:
            problems.append(Problem("comment-1", f"Đã chọn \"{answered}\" nhưng chưa nhập ý kiến nào."))
        elif proposals:
            problems.append(Problem("answer", f"{capfirst(answer)} không kèm trả lời theo mẫu."))
    elif kind is ResponseKind.PROPOSALS:
        if spec.kind != "proposals":
            problems.append(Problem("answer", f"Đợt này nhận {answer}, không nhận trả lời theo mẫu."))
        elif comments:
            problems.append(Problem("answer", f"{capfirst(form_answer)} theo mẫu không kèm các ý kiến viết tự do."))
        elif not proposals:
            problems.append(Problem("answer", "Trả lời theo mẫu chưa có nội dung."))
    if problems:
        raise AnswerInvalid(problems)


def reply_too_large(size: int, max_upload_mb: int) -> Problem:
    """The mistake of a reply PDF of `size` bytes over the limit, its size as Vietnamese write it (25,3 MB)."""
    shown = f"{size / 1048576:.1f}".replace(".", ",")
    return Problem("reply_pdf", f"Văn bản trả lời: tệp {shown} MB, vượt giới hạn {max_upload_mb} MB. "
                                "Hãy chọn tệp nhỏ hơn.")


def reply_pdf_problems(content: bytes, max_upload_mb: int, size: int | None = None) -> list[Problem]:
    """The mistakes of a signed official reply: it must be a PDF (by its content and structure, not its name)
    within the size limit. `size` is the size the browser sent when `content` was cut at the limit."""
    size = len(content) if size is None else size
    if size > max_upload_mb * 1024 * 1024:
        return [reply_too_large(size, max_upload_mb)]
    if not content:
        return [Problem("reply_pdf", "Văn bản trả lời: tệp rỗng (0 byte). Hãy chọn đúng tệp PDF đã ký.")]
    if not content.startswith(PDF_MAGIC):
        return [Problem("reply_pdf", "Văn bản trả lời: tệp không phải PDF (nội dung không bắt đầu bằng %PDF-). "
                                     "Hãy chọn bản PDF đã ký.")]
    broken = pdf_problem(content)  # only its first bytes are a PDF's: no reader would open it
    if broken is not None:
        return [Problem("reply_pdf", f"Văn bản trả lời: {broken}. Hãy chọn bản PDF đã ký.")]
    return []


def check_reply_pdf(content: bytes, max_upload_mb: int) -> None:
    """A signed official reply must be a PDF (by its content, not its name) within the size limit."""
    problems = reply_pdf_problems(content, max_upload_mb)
    if problems:
        raise AnswerInvalid(problems)


__all__ = [
    "MAX_COMMENTS",
    "MAX_PROPOSALS",
    "AnswerInvalid",
    "Problem",
    "check_answer",
    "check_reply_pdf",
    "clean_comments",
    "clean_proposals",
    "clean_text",
    "field_limit",
    "field_places",
    "form_text",
    "json_kind",
    "proposal_input",
    "reply_pdf_problems",
    "reply_too_large",
]
