"""`folded(column)`: a column's text as models.text.search_key folds it, in SQL, so a search without diacritics or
case ("so y te") finds "Sở Y tế" on SQLite and PostgreSQL alike, with no extra column; `match_rank(code, name,
key)`: how well a unit's code and name fit a search key.

SQLite calls Python (functions each connection registers; one call a row for match_rank, the keys of codes and names
cached). PostgreSQL's lower() folds ASCII only under the C locale and unaccent is an extension, so translate() maps
each Vietnamese letter to its bare small letter, each character of models.text.SEARCH_SPACES to a space, and drops
the Vietnamese combining marks (text stored in NFD), then regexp_replace() makes runs of spaces one; other accented
letters (ç, ñ) fold on SQLite only. translate() costs some 15 µs a name, so match_rank first keeps, with a LIKE (and
for several words a regular expression), the units whose lower-cased text has the key's shape (its vowels and d as any
one letter, a space as a run of punctuation and spaces) and folds only those: a search among 5,000 units then folds a
few, not 10,000. A key of JOINED_MIN letters or more, its spaces left out, is looked for too across the words of the
text from the start of one ("khcn" in "Sở KH&CN", models.text.joins_up), kept alike by a LIKE of its letters in order
and a regular expression allowing separators between them, and ranked below every other match (4)."""
from __future__ import annotations

import sqlite3
import string
import unicodedata
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.functions import FunctionElement

from models.text import SEARCH_SPACES, joined_key, joins_up, search_key

Column = ColumnElement[str] | QueryableAttribute[str]
SQLITE_FUNCTION = "ykien_search_key"
SQLITE_RANK = "ykien_match_rank"
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
_SHAPES = "\u0306\u0302\u031b"  # the breve of ă, the circumflex of â ê ô, the horn of ơ ư
_BASES = [b + shape for b in "aeiouy" for shape in ("", *_SHAPES)
          if not shape or unicodedata.normalize("NFC", b + shape) != b + shape]  # ă â ê ô ơ ư (and ĕ, ŷ: harmless)
_LETTERS = {unicodedata.normalize("NFC", base + tone) for base in _BASES for tone in ("", *_TONES)} | {"đ"}
_VIETNAMESE = sorted({c for letter in _LETTERS for c in (letter, letter.upper()) if len(c) == 1 and not c.isascii()})
# the marks last, with nothing in `to`: translate() drops them
TRANSLATE_FROM = "".join(_VIETNAMESE) + SEARCH_SPACES + _TONES + _SHAPES
TRANSLATE_TO = "".join(search_key(c) for c in _VIETNAMESE) + " " * len(SEARCH_SPACES)
_BARE = frozenset(TRANSLATE_TO) - {" "}  # the letters a Vietnamese letter folds to: a e i o u y d
# a e i o u y d in a regular expression: the characters of lower-cased text in NFC that fold to each ("a" for "ầ" and,
# where lower() folds ASCII only, "Ầ"), not any one letter: "hoa an" then keeps "Hòa An" and not "Hội Nông"
_FOLDS_TO = {bare: "[" + bare + "".join(c for c in _VIETNAMESE if search_key(c) == bare) + "]" for bare in _BARE}


LIKE_ESCAPE = "/"


def like_escaped(text: str) -> str:
    """`text` as a LIKE pattern matching only itself (escape LIKE_ESCAPE)."""
    return "".join(LIKE_ESCAPE + c if c in f"%_{LIKE_ESCAPE}" else c for c in text)


_SEPARATORS = "[ " + "".join("\\" + c if c in string.punctuation else c for c in SEARCH_SPACES) + "]"
_SEPARATOR = _SEPARATORS + "+"


def key_shape(key: str) -> str:
    """A LIKE pattern (escape LIKE_ESCAPE) that the lower-cased text of every unit whose key contains `key` matches,
    for text stored in NFC (one character a letter): its longest word, each of a e i o u y d as any one character, the
    rest as typed. A key's space may stand for ", " or " - " in the text: key_words_shape checks the words' order."""
    longest = max(key.split(" "), key=len)
    return "%" + "".join("_" if c in _BARE else like_escaped(c) for c in longest) + "%"


def key_words_shape(key: str) -> str | None:
    """For a key of several words, a PostgreSQL regular expression that the lower-cased text of every unit whose key
    contains `key` matches: key_shape's letters, and a space as a run of spaces and the characters a key reads as one
    (models.text.SEARCH_SPACES). None for one word (key_shape says it all). Not a LIKE with % for the spaces: that kept
    most names of a directory for "hoa an"; nor the regular expression alone: it scans twice as slowly as LIKE."""
    if " " not in key:
        return None
    return "".join(_FOLDS_TO.get(c) or (_SEPARATOR if c == " " else _literal(c)) for c in key)


def _literal(c: str) -> str:
    """One character of a key in a regular expression (PostgreSQL's and Python's): itself, punctuation escaped."""
    return "\\" + c if not c.isalnum() else c


def joined_shape(joined: str) -> str:
    """A LIKE pattern (escape LIKE_ESCAPE) that the lower-cased text of every unit a joined key (models.text.joined_key)
    joins up matches: its letters in order, anything between them (key_shape's letters)."""
    return "%" + "".join(("_" if c in _BARE else like_escaped(c)) + "%" for c in joined)


def joined_words_shape(joined: str) -> str:
    """A PostgreSQL regular expression that the lower-cased text of every unit a joined key joins up matches: from the
    start or a separator, its letters (a e i o u y d as any one letter) with separators or none between them; the
    cheaper joined_shape keeps the rows it reads."""
    letters = [_FOLDS_TO.get(c) or _literal(c) for c in joined]
    return f"(^|{_SEPARATORS})" + f"{_SEPARATORS}*".join(letters)


def joined_pattern(joined: str) -> str:
    """The regular expression a folded key (models.text.search_key) matches when `joined` joins it up
    (models.text.joins_up): from the start or a space, its letters with one space or none between them."""
    return "(^| )" + " ?".join(_literal(c) for c in joined)


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
    spaced = func.lower(func.translate(column, literal(TRANSLATE_FROM), literal(TRANSLATE_TO)))
    return str(compiler.process(func.btrim(func.regexp_replace(spaced, literal(" {2,}"), literal(" "), literal("g")),
                                           literal(" ")), **kw))


class match_rank(FunctionElement[int]):  # lower case, as the SQL functions of sqlalchemy.func
    """0 when the code's key is `key`, 1 when the name's is, 2 when the name's starts with it, 3 when the code's or
    the name's holds it, 4 when `key` without its spaces joins up the words of the code's or the name's
    (models.text.joins_up: "khcn" and "KH&CN"), NULL otherwise (`key`: a models.text.search_key)."""

    type = Integer()
    name = "match_rank"
    inherit_cache = False  # the key is compiled into the statement's LIKE patterns

    def __init__(self, code: Column, name: Column, key: str) -> None:
        self.search = key  # not `key`: a column element's key is its name in a result
        super().__init__(code, name, literal(key))


@compiles(match_rank)
def _rank_in_sql(element: match_rank, compiler: Any, **kw: Any) -> str:
    """CASE tries its conditions in order: the cheap LIKE on the key's shape first, then the words' order; for the
    units it keeps, the code and the name folded once each (a subquery PostgreSQL does not flatten, OFFSET 0) and
    compared four ways."""
    code, name, key = element.clauses
    typed = element.search

    def sql(clause: Any) -> str:
        return str(compiler.process(clause, **kw))

    shape, start, inside = (sql(literal(pattern)) for pattern in
                            (key_shape(typed), f"{like_escaped(typed)}%", f"%{like_escaped(typed)}%"))
    escape = f"ESCAPE '{LIKE_ESCAPE}'"
    words = key_words_shape(typed)
    in_order = sql(literal(words)) if words is not None else None

    joined = joined_key(typed)

    def has_shape(column: str) -> str:
        return f"(lower({column}) LIKE {shape} {escape}{f' AND lower({column}) ~ {in_order}' if in_order else ''})"

    def kept_for(column: str) -> str:
        """A joined key's LIKE keeps every row the key's shape keeps too (a row the key fits has its letters in
        order), so it goes first: a row that fits neither costs one LIKE, as without it."""
        if joined is None:
            return has_shape(column)
        return (f"(lower({column}) LIKE {sql(literal(joined_shape(joined)))} {escape} AND ({has_shape(column)} "
                f"OR lower({column}) ~ {sql(literal(joined_words_shape(joined)))}))")

    kept = f"{kept_for(sql(code))} OR {kept_for(sql(name))}"
    joins = ""
    if joined is not None:
        pattern = sql(literal(joined_pattern(joined)))
        joins = f"WHEN bare.code ~ {pattern} OR bare.name ~ {pattern} THEN 4 "
    return (f"CASE WHEN {kept} THEN "
            f"(SELECT CASE WHEN bare.code = {sql(key)} THEN 0 WHEN bare.name = {sql(key)} THEN 1 "
            f"WHEN bare.name LIKE {start} {escape} THEN 2 "
            f"WHEN bare.code LIKE {inside} {escape} OR bare.name LIKE {inside} {escape} THEN 3 {joins}END "
            f"FROM (SELECT {sql(folded(code))} AS code, {sql(folded(name))} AS name OFFSET 0) AS bare) END")


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
def _cached_keys(value: str) -> tuple[str, str]:
    """The key of a unit's code or name, and the key without spaces (most rows are told apart from a joined key by
    it alone): the same few thousand are searched again and again."""
    key = search_key(value)
    return key, key.replace(" ", "")


def _sqlite_rank(code: str | None, name: str | None, key: str) -> int | None:
    (bare_code, flat_code), (bare_name, flat_name) = _cached_keys(code or ""), _cached_keys(name or "")
    if bare_code == key:
        return 0
    if bare_name == key:
        return 1
    if bare_name.startswith(key):
        return 2
    if key in bare_code or key in bare_name:
        return 3
    joined = _joined(key)
    if joined is None or (joined not in flat_code and joined not in flat_name):
        return None
    return 4 if joins_up(joined, bare_code) or joins_up(joined, bare_name) else None


@lru_cache(maxsize=1_000)
def _joined(key: str) -> str | None:
    return joined_key(key)
