"""`folded(column)`: a column's text as models.text.search_key folds it, in SQL, so a search without diacritics or
case ("so y te") finds "Sở Y tế" on SQLite and PostgreSQL alike, with no extra column; `match_rank(code, name,
key)`: how well a unit's code and name fit a search key. SQLite calls Python (functions each connection
registers; one call a row for match_rank, the keys of names cached); PostgreSQL's lower() folds ASCII only under the
C locale and unaccent is an extension, so its translate() maps each accented Latin letter to its bare small letter
and drops combining marks (text stored in NFD)."""
from __future__ import annotations

import sqlite3
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, case, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.functions import FunctionElement

from models.text import search_key

Column = ColumnElement[str] | QueryableAttribute[str]
SQLITE_FUNCTION = "ykien_search_key"
SQLITE_RANK = "ykien_match_rank"
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


class match_rank(FunctionElement[int]):  # lower case, as the SQL functions of sqlalchemy.func
    """0 when the code's key is `key`, 1 when the name's is, 2 when the name's starts with it, 3 when the code's or
    the name's holds it, NULL otherwise (`key`: a models.text.search_key)."""

    type = Integer()
    name = "match_rank"
    inherit_cache = False  # `key` is compiled into the statement's LIKE patterns

    def __init__(self, code: Column, name: Column, key: str) -> None:
        self.key = key
        super().__init__(code, name, literal(key))


@compiles(match_rank)
def _rank_in_sql(element: match_rank, compiler: Any, **kw: Any) -> str:
    code, name, key = element.clauses
    bare_code, bare_name = folded(code), folded(name)
    rank = case((bare_code == key, 0), (bare_name == key, 1), (bare_name.startswith(element.key, autoescape=True), 2),
                (bare_code.contains(element.key, autoescape=True) | bare_name.contains(element.key, autoescape=True),
                 3), else_=None)
    return str(compiler.process(rank, **kw))


@compiles(match_rank, "sqlite")
def _rank_in_sqlite(element: match_rank, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_RANK}({compiler.process(element.clauses, **kw)})"


def register_sqlite(connection: sqlite3.Connection) -> None:
    """Give a new SQLite connection the functions `folded` and `match_rank` call."""
    connection.create_function(SQLITE_FUNCTION, 1, _sqlite_key, deterministic=True)
    connection.create_function(SQLITE_RANK, 3, _sqlite_rank, deterministic=True)


def _sqlite_key(value: str | None) -> str | None:
    return None if value is None else search_key(value)


@lru_cache(maxsize=100_000)
def _cached_key(value: str) -> str:
    """The key of a unit's code or name: the same few thousand are searched again and again."""
    return search_key(value)


def _sqlite_rank(code: str | None, name: str | None, key: str) -> int | None:
    bare_code, bare_name = _cached_key(code or ""), _cached_key(name or "")
    if bare_code == key:
        return 0
    if bare_name == key:
        return 1
    if bare_name.startswith(key):
        return 2
    return 3 if key in bare_code or key in bare_name else None
