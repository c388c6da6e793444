"""`match_rank(code_key, name_key, key)`: how well a unit's code and name fit a search key, in SQL, the same on SQLite
and PostgreSQL: 0 when the code's key is `key`, 1 when the name's is, 2 when the name's starts with it, 3 when the
code's or the name's holds it, 4 when `key` without its spaces joins up the words of the code's or the name's
(models.text.joins_up: "khcn" and "KH&CN"), NULL otherwise.

It compares the keys stored beside the code and the name (models.db.tables.SEARCH_KEYS: models.text.search_key, made
in Python when the row is written), not the code and the name: a search once folded every name it could fit, in SQL,
at each keystroke (PostgreSQL's translate(), some 15 µs a name: 90 ms in a round of 5,000 units). A joined key's
regular expression runs only on the keys that hold its letters in order (a LIKE first); SQLAlchemy gives SQLite the
REGEXP it needs (Python's re, which reads joined_pattern as PostgreSQL does)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, or_
from sqlalchemy.orm import QueryableAttribute

from models.text import joined_key

Column = ColumnElement[str] | QueryableAttribute[str]
LIKE_ESCAPE = "/"


def like_escaped(text: str) -> str:
    """`text` as a LIKE pattern matching only itself (escape LIKE_ESCAPE)."""
    return "".join(LIKE_ESCAPE + c if c in f"%_{LIKE_ESCAPE}" else c for c in text)


def joined_pattern(joined: str) -> str:
    """The regular expression a key (models.text.search_key) matches when `joined` joins it up (models.text.joins_up):
    from the start or a space, its letters with one space or none between them."""
    return "(^| )" + " ?".join(_literal(c) for c in joined)


def _literal(c: str) -> str:
    """One character of a key in a regular expression (PostgreSQL's and Python's): itself, punctuation escaped."""
    return "\\" + c if not c.isalnum() else c


def match_rank(code_key: Column, name_key: Column, key: str) -> ColumnElement[int | None]:
    """The rank (above) of a row by its stored keys; `key` is a models.text.search_key of what was typed."""
    start, inside = f"{like_escaped(key)}%", f"%{like_escaped(key)}%"
    ranks = [(code_key == key, 0), (name_key == key, 1), (name_key.like(start, escape=LIKE_ESCAPE), 2),
             (or_(code_key.like(inside, escape=LIKE_ESCAPE), name_key.like(inside, escape=LIKE_ESCAPE)), 3)]
    joined = joined_key(key)
    if joined is not None:
        in_order, pattern = "%" + "%".join(like_escaped(c) for c in joined) + "%", joined_pattern(joined)
        ranks.append((or_(*(and_(column.like(in_order, escape=LIKE_ESCAPE), column.regexp_match(pattern))
                            for column in (code_key, name_key))), 4))
    return case(*ranks, else_=None)
