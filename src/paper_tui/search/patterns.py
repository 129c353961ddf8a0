"""Regexes for terms: one for a joined column (a line per paper), one for a free text.

Column patterns consume the rest of their line, so a scan reports each paper once.
Bare (fuzzy) terms match as a subsequence in columns (fzf's "characters in order")
and as a word or word prefix in free text (abstracts, notes): a scattered
subsequence somewhere in 1,500 characters would match nearly every abstract.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Column styles: a single value per line, or a ``", "``-separated list (authors,
#: categories) where ``^``, ``$`` and ``^...$`` apply to each item.
SINGLE = "single"
LISTED = "list"

_ITEM_START = r"(?:^|(?<=, ))"
_ITEM_END = r"(?=, |$)"


def _fuzzy_line(text: str) -> str:
    parts = [re.escape(text[0])]
    for char in text[1:]:
        escaped = re.escape(char)
        parts.append(f"[^{escaped}\\n]*{escaped}")
    return "".join(parts) + "[^\n]*"


@lru_cache(maxsize=1024)
def column_pattern(kind: str, text: str, style: str) -> re.Pattern[str]:
    """The pattern finding ``text`` of ``kind`` in a joined column."""
    escaped = re.escape(text)
    start = _ITEM_START if style == LISTED else "^"
    end = _ITEM_END if style == LISTED else "$"
    if kind == "fuzzy":
        source = _fuzzy_line(text)
    elif kind == "prefix":
        source = start + escaped + "[^\n]*"
    elif kind == "suffix":
        source = escaped + end + "[^\n]*"
    elif kind == "equal":
        source = start + escaped + end + "[^\n]*"
    else:
        source = escaped + "[^\n]*"
    return re.compile(source, re.MULTILINE)


def word_start(text: str) -> str:
    """``text`` escaped, anchored to a word start when it begins with a word character."""
    escaped = re.escape(text)
    return r"(?<!\w)" + escaped if re.match(r"\w", text) else escaped


@lru_cache(maxsize=1024)
def text_pattern(kind: str, text: str) -> re.Pattern[str]:
    """The pattern finding ``text`` of ``kind`` in a free text (abstract, note, tag)."""
    escaped = re.escape(text)
    if kind == "fuzzy":
        return re.compile(word_start(text))
    if kind == "prefix":
        return re.compile(r"\A" + escaped)
    if kind == "suffix":
        return re.compile(escaped + r"\Z")
    if kind == "equal":
        return re.compile(r"\A" + escaped + r"\Z")
    return re.compile(escaped)


@lru_cache(maxsize=1024)
def contiguous_pattern(text: str, at_word_start: bool) -> re.Pattern[str]:
    """Lines holding ``text`` contiguously (at a word start if asked): ranking tiers."""
    source = word_start(text) if at_word_start else re.escape(text)
    return re.compile(source + "[^\n]*")
