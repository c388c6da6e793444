"""The comments of `round respond` checked as the web form checks its rows (service/answer_input.py), each problem
named by the option that carries the comment ("--comment 2: …"), as the command line names every other value, not
by the form's row ("Ý kiến 2 (nội dung góp ý): …")."""
from __future__ import annotations

import re
from collections.abc import Iterable

from models.errors import InvalidInput
from workflows.definition import Terms
from workflows.service.answer_input import AnswerInvalid, CommentInput, CommentRowTyped, Problem, clean_comments

OPTION = "--comment"
_ROW_FIELD = re.compile(r"[a-z]+-(\d+)")  # "comment-2": a part of the second row (its section, text or wording)


def checked_comments(rows: Iterable[CommentRowTyped], terms: Terms | None = None) -> tuple[CommentInput, ...]:
    """clean_comments of the --comment values (in the words of the kind's `terms`); InvalidInput naming each wrong
    one by its option and number."""
    try:
        return clean_comments(rows, terms)
    except AnswerInvalid as error:
        said = "; ".join(_named_by_option(problem).rstrip(".") for problem in error.problems) + "."
        raise InvalidInput(said, error.code) from None


def _named_by_option(problem: Problem) -> str:
    """ "Ý kiến 2 (nội dung góp ý): dài …" as "--comment 2: nội dung góp ý dài …"."""
    subject, _, rest = problem.message.partition(": ")
    row = _ROW_FIELD.fullmatch(problem.field)
    if row is None:  # about the comments together (too many)
        return f"{OPTION}: {problem.message}"
    part = subject[subject.index("(") + 1:-1] + " " if subject.endswith(")") and "(" in subject else ""
    return f"{OPTION} {row[1]}: {part}{rest}"
