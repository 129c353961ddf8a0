"""The query language: text -> a small AST of terms, never raising.

Space-separated terms are ANDed and ``|`` between terms ORs them, as in fzf.  A
term is a bare word (fuzzy), an operator form (``'exact``, ``^prefix``,
``suffix$``, ``^whole$``, ``!exclude``, ``"a phrase"``), a field prefix
(``title:``, ``author:``, ``abstract:``, ``id:``, ``cat:``, ``tag:``, ``note:``),
a year (``year:2023``, ``year:2020..2023``) or a library word (``is:read``,
``has:note``).  Terms are folded like corpus text (accents, LaTeX, case) and are
case-sensitive only when they contain an upper-case letter (smart case).

Whatever cannot be read (an open quote, a lone ``!``, ``|`` at either end,
``year:abc``) is read as leniently as possible or ignored, and noted in
:attr:`Query.errors`; :func:`parse_query` never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from paper_tui.text import fold_query

Kind = Literal["fuzzy", "exact", "prefix", "suffix", "equal", "year", "state", "has"]

#: The field a prefix names, by every accepted spelling.
FIELD_NAMES = {
    "title": "title",
    "t": "title",
    "author": "authors",
    "authors": "authors",
    "a": "authors",
    "abstract": "abstract",
    "abs": "abstract",
    "id": "id",
    "cat": "cat",
    "year": "year",
    "tag": "tag",
    "note": "note",
    "is": "is",
    "has": "has",
}
STATES = ("bookmarked", "unread", "read", "skipped")
HAS_WORDS = ("note", "tag", "code", "abstract")

#: Fields searched by a bare (fuzzy) term, and by the exact operators.
FUZZY_FIELDS = ("title", "authors", "abstract", "note")
EXACT_FIELDS = ("title", "authors", "abstract", "note", "id", "cat")

_FIELD_PREFIX = re.compile(r"^([A-Za-z]+):(.*)$", re.DOTALL)
_YEAR_RANGE = re.compile(r"^(\d{1,4})?\.\.(\d{1,4})?$")


@dataclass(frozen=True, slots=True)
class Term:
    """One search term.

    ``text`` is folded (lower-cased unless ``case_sensitive``).  ``field`` is
    ``None`` for the default fields of the kind (:data:`FUZZY_FIELDS` for
    ``fuzzy``, :data:`EXACT_FIELDS` otherwise).  For ``year`` terms the range is
    ``years`` (inclusive) and ``text`` a prefix of the year when only part of a
    year is typed; for ``state`` and ``has`` terms ``text`` is the word.
    """

    kind: Kind
    text: str
    field: str | None = None
    negated: bool = False
    case_sensitive: bool = False
    years: tuple[int, int] | None = None

    def implies(self, other: Term) -> bool:
        """True when every paper matching ``self`` also matches ``other``: what
        narrowing a previous result needs."""
        if (self.kind, self.field, self.negated, self.years) != (
            other.kind,
            other.field,
            other.negated,
            other.years,
        ):
            return False
        if self.negated or self.kind in ("suffix", "equal", "state", "has"):
            return self == other
        if other.case_sensitive and not self.case_sensitive:
            return False
        text = self.text if other.case_sensitive else self.text.lower()
        return text.startswith(other.text)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: an AND of OR-groups of terms."""

    text: str
    groups: tuple[tuple[Term, ...], ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group)

    def narrows(self, previous: Query) -> bool:
        """True when this query can only match a subset of what ``previous``
        matched, so its result can be computed from the previous result."""
        return all(any(_group_implies(new, old) for new in self.groups) for old in previous.groups)


def _group_implies(new: tuple[Term, ...], old: tuple[Term, ...]) -> bool:
    return all(any(term.implies(o) for o in old) for term in new)


def split_tokens(text: str) -> list[str]:
    """Split on whitespace outside double quotes; an open quote runs to the end."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif char.isspace() and not quoted:
            if current:
                tokens.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


@lru_cache(maxsize=256)
def parse_query(text: str) -> Query:
    """Parse ``text``; never raises.  Cached: the app and the CLI parse the same strings."""
    groups: list[list[Term]] = []
    errors: list[str] = []
    pending_or = False
    for token in split_tokens(text):
        if token == "|":
            if not groups or pending_or:
                errors.append("'|' needs a term on both sides")
            pending_or = bool(groups)
            continue
        term = _parse_term(token, errors)
        if term is None:
            continue
        if pending_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if pending_or:
        errors.append("'|' needs a term on both sides")
    return Query(text, tuple(tuple(g) for g in groups), tuple(errors))


def _parse_term(token: str, errors: list[str]) -> Term | None:
    negated = False
    if token.startswith("!"):
        negated, token = True, token[1:]
    field: str | None = None
    match = _FIELD_PREFIX.match(token)
    if match and match.group(1).lower() in FIELD_NAMES:
        field = FIELD_NAMES[match.group(1).lower()]
        token = match.group(2)
        if token.startswith("!") and not negated:
            negated, token = True, token[1:]
    if field in ("year", "is", "has"):
        return _parse_word_field(field, token, negated, errors)
    kind, body = _operator(token, negated)
    if field in ("id", "cat") and kind == "fuzzy":
        kind = "exact"  # scattered letters in an id or a category mean nothing
    case_sensitive = body != body.lower()
    folded = fold_query(body, keep_case=case_sensitive)
    if not folded:
        if token or negated:
            errors.append(f"nothing to search for in {('!' if negated else '') + token!r}")
        return None
    return Term(kind, folded, field, negated, case_sensitive)


def _operator(token: str, negated: bool) -> tuple[Kind, str]:
    """The match kind of an operator form, and the text it applies to."""
    if token.startswith('"'):
        return "exact", token[1:-1] if len(token) > 1 and token.endswith('"') else token[1:]
    if token.startswith("'"):
        return "exact", token[1:]
    # A term written in LaTeX (``$\times$``) keeps its dollars as text, not as an anchor.
    latex = "\\" in token or token.startswith("$")
    if token.startswith("^"):
        body = token[1:]
        if body.endswith("$") and len(body) > 1 and not latex:
            return "equal", body[:-1]
        return "prefix", body
    if token.endswith("$") and len(token) > 1 and not latex:
        return "suffix", token[:-1]
    # fzf: ``!term`` excludes papers containing ``term`` exactly.
    return ("exact" if negated else "fuzzy"), token


def _parse_word_field(field: str, value: str, negated: bool, errors: list[str]) -> Term | None:
    word = value.strip().lower()
    if not word:
        return None  # ``year:`` half typed: no constraint yet
    if field == "year":
        return _parse_year(word, negated, errors)
    if field == "is":
        matches = [s for s in STATES if s.startswith(word)]
        if word in STATES or len(matches) == 1:
            return Term("state", word if word in STATES else matches[0], None, negated)
        errors.append(f"is:{value} is not one of " + ", ".join(STATES))
        return None
    matches = [h for h in HAS_WORDS if h.startswith(word)]
    if len(matches) == 1:
        return Term("has", matches[0], None, negated)
    errors.append(f"has:{value} is not one of " + ", ".join(HAS_WORDS))
    return None


def _parse_year(word: str, negated: bool, errors: list[str]) -> Term | None:
    if word.isdigit() and len(word) <= 4:
        if len(word) == 4:
            year = int(word)
            return Term("year", word, None, negated, years=(year, year))
        # Part of a year while typing: ``year:202`` is the 2020s.
        low = int(word.ljust(4, "0"))
        high = int(word.ljust(4, "9"))
        return Term("year", word, None, negated, years=(low, high))
    match = _YEAR_RANGE.match(word)
    if match and (match.group(1) or match.group(2)):
        low = int(match.group(1)) if match.group(1) else 0
        high = int(match.group(2)) if match.group(2) else 9999
        if low > high:
            low, high = high, low
        return Term("year", word, None, negated, years=(low, high))
    errors.append(f"year:{word} is not a year or a range like 2020..2023")
    return None
