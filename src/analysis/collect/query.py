"""Boolean keyword queries in the Media Cloud style, matched on whole words, case-insensitively."""

# Syntax (as in Media Cloud and other Lucene-style search boxes):
#
# - a word matches that word (``Bekasi``); a trailing ``*`` matches any word starting with the rest
#   (``kerjasama*``); a quoted phrase matches those words in a row (``"sister city"``);
# - ``AND``, ``OR`` and ``NOT`` combine them; they are operators only in capitals (``and`` is a
#   word); ``NOT`` binds tightest, then ``AND``, then ``OR``; two terms side by side mean ``AND``;
#   ``a NOT b`` means ``a AND NOT b``;
# - parentheses group: ``"kerja sama" AND (Bekasi OR Depok OR "sister city")``.
#
# Matching is on words: both the query and the text are split into runs of letters and digits
# (``\w+``) and case-folded, so ``Bekasi`` matches "BEKASI," but not "Bekasinya", and
# ``"kerja sama"`` matches "kerja-sama" but not "kerjasama". A malformed query raises
# :class:`~analysis.errors.UserError` naming the problem and its position.

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.errors import UserError

__all__ = ["Query", "parse_query", "words_of"]

_WORD = re.compile(r"\w+")
_BARE_WORD = re.compile(r'[^\s()"]+')
_OPERATORS = ("AND", "OR", "NOT")


def words_of(text: str) -> list[str]:
    """The case-folded ``\\w+`` words of a text, the unit queries match on."""
    return _WORD.findall(text.casefold())


@dataclass(frozen=True)
class _Term:
    words: tuple[str, ...]
    prefix: bool  # the last word matches as a prefix (``kerjasama*``)

    def matches(self, words: list[str]) -> bool:
        n = len(self.words)
        for start in range(len(words) - n + 1):
            if all(words[start + i] == w for i, w in enumerate(self.words[:-1])):
                last = words[start + n - 1]
                if last == self.words[-1] or (self.prefix and last.startswith(self.words[-1])):
                    return True
        return False

    def __str__(self) -> str:
        text = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.words) > 1 else text


@dataclass(frozen=True)
class _Not:
    operand: object

    def matches(self, words: list[str]) -> bool:
        return not self.operand.matches(words)

    def __str__(self) -> str:
        return f"NOT {self.operand}"


@dataclass(frozen=True)
class _All:
    operands: tuple

    def matches(self, words: list[str]) -> bool:
        return all(o.matches(words) for o in self.operands)

    def __str__(self) -> str:
        return "(" + " AND ".join(map(str, self.operands)) + ")"


@dataclass(frozen=True)
class _Any:
    operands: tuple

    def matches(self, words: list[str]) -> bool:
        return any(o.matches(words) for o in self.operands)

    def __str__(self) -> str:
        return "(" + " OR ".join(map(str, self.operands)) + ")"


@dataclass(frozen=True)
class Query:
    """A parsed query; ``matches(text)`` tells whether a text satisfies it."""

    source: str
    root: object

    def matches(self, text: str) -> bool:
        """Whether ``text`` (e.g. title and body of an article) satisfies the query."""
        return self.root.matches(words_of(text))

    def __str__(self) -> str:
        return str(self.root)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """``(kind, value, position)`` with kind ``(``, ``)``, ``op``, ``phrase`` or ``word``."""
    out, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return out
        char = text[pos]
        if char in "()":
            out.append((char, char, pos))
            pos += 1
        elif char == '"':
            end = text.find('"', pos + 1)
            if end < 0:
                raise UserError(
                    f"query {text!r}: the quote at character {pos + 1} is never "
                    'closed; close the phrase with another "'
                )
            out.append(("phrase", text[pos + 1 : end], pos))
            pos = end + 1
        else:
            word = _BARE_WORD.match(text, pos).group(0)
            out.append(("op" if word in _OPERATORS else "word", word, pos))
            pos += len(word)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0

    def error(self, what: str, position: int | None = None) -> UserError:
        where = f" at character {position + 1}" if position is not None else " at the end"
        return UserError(
            f"query {self.text!r}: {what}{where}; write terms joined by AND, OR, "
            'NOT, phrases in "double quotes", groups in (parentheses)'
        )

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self):
        if not self.tokens:
            raise UserError(
                'the query is empty; give words or phrases, e.g. "kerja sama" AND (Bekasi OR Depok)'
            )
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            raise self.error(
                "unexpected ')' with no '(' before it"
                if token[0] == ")"
                else f"unexpected {token[1]!r}",
                token[2],
            )
        return node

    def parse_or(self):
        operands = [self.parse_and()]
        while (token := self.peek()) is not None and token[:2] == ("op", "OR"):
            self.i += 1
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else _Any(tuple(operands))

    def parse_and(self):
        operands = [self.parse_unary()]
        while (token := self.peek()) is not None and token[0] != ")" and token[:2] != ("op", "OR"):
            if token[:2] == ("op", "AND"):
                self.i += 1
            operands.append(self.parse_unary())
        return operands[0] if len(operands) == 1 else _All(tuple(operands))

    def parse_unary(self):
        token = self.peek()
        if token is None:
            previous = self.tokens[self.i - 1]
            raise self.error(f"{previous[1]!r} needs a term after it")
        kind, value, position = token
        if kind == "op" and value == "NOT":
            self.i += 1
            return _Not(self.parse_unary())
        if kind == "op":
            raise self.error(f"{value} needs a term before it", position)
        if kind == ")":
            raise self.error("a term is missing before ')'", position)
        self.i += 1
        if kind == "(":
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing[0] != ")":
                raise self.error(
                    f"the '(' at character {position + 1} is never closed",
                    closing[2] if closing else None,
                )
            self.i += 1
            return node
        return self.term(value, position, phrase=kind == "phrase")

    def term(self, value: str, position: int, *, phrase: bool) -> _Term:
        prefix = value.endswith("*")
        words = words_of(value.rstrip("*") if prefix else value)
        if not words:
            what = "an empty phrase" if phrase else f"the term {value!r} has no letters or digits"
            raise self.error(what, position)
        return _Term(tuple(words), prefix)


def parse_query(text: str) -> Query:
    """Parse a Media Cloud-style Boolean query (see the module docstring for the syntax).

    Raises:
        UserError: for an empty query, an unclosed quote or parenthesis, an operator without
            its terms, or a term without letters or digits; the message gives the position.
    """
    if not isinstance(text, str):
        raise UserError(f"the query must be text, got {type(text).__name__}")
    return Query(text, _Parser(text).parse())
