"""Which characters matched: offsets into the text a paper shows, per field.

Folding keeps one character for one, so an offset in the folded text is the same
offset in the shown text.  A bare term in a title or author list is shown where it
sits contiguously (a word start first), else at its tightest scattered alignment,
as fzf does; in an abstract or a note every word-prefix occurrence is shown, and
exact terms show every occurrence.
"""

from __future__ import annotations

import re

from paper_tui.search.patterns import LISTED, SINGLE, column_pattern, text_pattern, word_start
from paper_tui.search.query import Query, Term
from paper_tui.text import fold

#: The fields highlights are given for, and the shown text each is an offset into.
HIGHLIGHT_FIELDS = ("title", "authors", "abstract", "note")


def highlight(texts: dict[str, str], query: Query) -> dict[str, list[int]]:
    """Matched offsets per field of ``texts`` (field -> shown text) for ``query``."""
    found: dict[str, set[int]] = {}
    for term in query.terms:
        if term.negated or term.kind in ("year", "state", "has"):
            continue
        names = (term.field,) if term.field else HIGHLIGHT_FIELDS
        for name in names:
            shown = texts.get(name)
            if not shown:
                continue
            offsets = _offsets(term, name, fold(shown, keep_case=term.case_sensitive))
            if offsets:
                found.setdefault(name, set()).update(offsets)
    return {name: sorted(offsets) for name, offsets in found.items()}


def _offsets(term: Term, name: str, text: str) -> list[int]:
    if name in ("title", "authors"):
        style = LISTED if name == "authors" else SINGLE
        if term.kind == "fuzzy":
            return _fuzzy_offsets(term.text, text)
        if term.kind == "exact":
            return _all_spans(re.compile(re.escape(term.text)), text)
        pattern = column_pattern(term.kind, term.text, style)
        return [i for m in pattern.finditer(text) for i in range(m.start(), m.start() + len(term.text))]
    return _all_spans(text_pattern(term.kind, term.text), text)


def _all_spans(pattern: re.Pattern[str], text: str) -> list[int]:
    return [i for m in pattern.finditer(text) for i in range(m.start(), m.end())]


def _fuzzy_offsets(needle: str, text: str) -> list[int]:
    for pattern in (re.compile(word_start(needle)), re.compile(re.escape(needle))):
        match = pattern.search(text)
        if match:
            return list(range(match.start(), match.end()))
    return _tightest_alignment(needle, text)


def _tightest_alignment(needle: str, text: str) -> list[int]:
    """fzf v1's alignment: the first occurrence forward, then tightened backward."""
    position = 0
    end = -1
    for char in needle:
        end = text.find(char, position)
        if end < 0:
            return []
        position = end + 1
    offsets = []
    position = end
    for char in reversed(needle):
        position = text.rfind(char, 0, position + 1)
        offsets.append(position)
        position -= 1
    return sorted(offsets)
