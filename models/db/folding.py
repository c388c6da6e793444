"""`folded(column)`: a column's text as models.text.search_key folds it, in SQL, so a search without diacritics or
case ("so y te") finds "Sở Y tế" on SQLite and PostgreSQL alike, with no extra column. SQLite calls search_key
itself (a function each connection registers); PostgreSQL's lower() folds ASCII only under the C locale and
unaccent is an extension, so its translate() maps each accented Latin letter to its bare small letter and drops
combining marks (text stored in NFD)."""
from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import String, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from models.text import search_key

SQLITE_FUNCTION = "ykien_search_key"
# Latin-1 Supplement, Latin Extended-A and -B, Latin Extended Additional (every Vietnamese letter).
_LATIN = [chr(c) for c in (*range(ord("A"), ord("Z") + 1), *range(0xC0, 0x250), *range(0x1E00, 0x1F00))]
_SINGLE = [(c, search_key(c)) for c in _LATIN]
_MAPPED = [(c, key) for c, key in _SINGLE if len(key) == 1 and key != c and key.isascii()]
_MARKS = "".join(chr(c) for c in range(0x300, 0x370))  # in `from` with nothing in `to`: translate() drops them
TRANSLATE_FROM = "".join(c for c, _ in _MAPPED) + _MARKS
TRANSLATE_TO = "".join(key for _, key in _MAPPED)


class folded(FunctionElement[str]):  # lower case, as the SQL functions of sqlalchemy.func
    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _default(element: folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return str(compiler.process(func.lower(func.translate(column, literal(TRANSLATE_FROM), literal(TRANSLATE_TO))),
                                **kw))


def register_sqlite(connection: sqlite3.Connection) -> None:
    """Give a new SQLite connection the function `folded` calls."""
    connection.create_function(SQLITE_FUNCTION, 1, _sqlite_key, deterministic=True)


def _sqlite_key(value: str | None) -> str | None:
    return None if value is None else search_key(value)
