"""Best first: a bounded pool of matches scored with rapidfuzz, the rest in file order.

Scoring every match at a million papers takes seconds, so at most
:data:`POOL_SIZE` matches are scored: all of them when there are few, else the
first matches (in file order) that hold a query term contiguously in the title.
The score puts an exact title first, then title over authors over abstract and
notes, contiguous over scattered (a term held whole in the abstract over a title
holding its letters scattered), word start over mid-word; rapidfuzz measures how
tight a scattered match is (``partial_ratio``) and, as the tie breaker, how close
the whole title is to the query (``ratio``).  Equal scores keep file order.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress, islice, repeat
from operator import ge

import numpy as np
from rapidfuzz import fuzz

from paper_tui.search import bulk, kernels, vector
from paper_tui.search.matcher import Cancel, Matcher
from paper_tui.search.patterns import LISTED, SINGLE, column_pattern, contiguous_pattern
from paper_tui.search.query import Query, Term
from paper_tui.search.vector import Positions
from paper_tui.text import fold

POOL_SIZE = 500
#: Matches checked one by one for a pool term before looking it up in every title
#: (with ``str.find``, or the compiled loop of :mod:`kernels`: the same pool).
CHECKED_FIRST = 1 << 16
#: Pool terms are looked up in every title when their rarest letter occurs at most
#: this many times (or once per paper).
LOOKUP_LETTERS = 1 << 20

EXACT_TITLE = 1000.0
TITLE_STARTS_WITH_QUERY = 150.0
TITLE_WORD_START = 300.0
TITLE_AT_START = 20.0
TITLE_MID_WORD = 200.0
TITLE_SCATTERED = 100.0
AUTHOR_WORD_START = 180.0
AUTHOR_MID_WORD = 140.0
AUTHOR_SCATTERED = 60.0
#: A term held as a whole word (from its start) in the abstract: above a title whose
#: letters are merely scattered, as "contiguous before scattered" says.
ABSTRACT_WORD_START = 160.0
ABSTRACT_MID_WORD = 110.0
ELSEWHERE = 40.0


def ranking_terms(query: Query) -> list[Term]:
    """Terms that say what the user is looking for (not exclusions, not library words,
    not ids or categories: a paper matches those or not, so matches keep file order)."""
    return [
        t
        for t in query.terms
        if not t.negated
        and t.kind in ("fuzzy", "exact", "prefix", "suffix", "equal")
        and t.field not in ("id", "cat")
    ]


def rank(matcher: Matcher, query: Query, matched: Positions, cancelled: Callable[[], bool]) -> Positions:
    """``matched`` (in file order) reordered best first."""
    terms = ranking_terms(query)
    if not terms or len(matched) <= 1:
        return matched
    pool = matched.tolist() if len(matched) <= POOL_SIZE else _pool(matcher, terms, matched)
    if cancelled():
        raise Cancel
    whole = " ".join(t.text.lower() for t in terms)
    scored = np.array(sorted(pool, key=lambda p: _key(matcher, terms, whole, p)), np.uint32)
    if len(pool) == len(matched):
        return scored
    rest = np.ones(len(matched), np.bool_)
    rest[np.searchsorted(matched, np.sort(scored))] = False
    return np.concatenate((scored, matched[rest]))


def _pool(matcher: Matcher, terms: list[Term], matched: Positions) -> list[int]:
    """Up to POOL_SIZE matches most likely to rank high: those holding a query term
    contiguously in the title, then the first matches in file order."""
    title_terms = [t for t in terms if t.field in (None, "title")]
    chosen: dict[int, None] = {}
    for term in sorted(title_terms, key=lambda t: -len(t.text)):
        for position in _contiguous(matcher, term.text.lower(), matched):
            chosen[position] = None
            if len(chosen) >= POOL_SIZE:
                return list(chosen)
    for position in matched[: 2 * POOL_SIZE].tolist():
        chosen[position] = None
        if len(chosen) >= POOL_SIZE:
            break
    return list(chosen)


def _contiguous(matcher: Matcher, text: str, matched: Positions) -> list[int]:
    """Up to POOL_SIZE of ``matched`` (in file order) whose title holds ``text`` as is.

    The first matches are checked one by one (``str.find`` per title, in C): a
    common term fills the pool from them at once.  A rarer one is then looked up in
    every title with numpy (:func:`vector.line_matches`), whose cost follows its
    rarest letter, not the number of matches."""
    title = matcher.title
    if kernels.ready() and bulk.maskable(text):
        # Compiled: the same check, 20-50 times faster (55 ms -> 2 ms at 65k).
        head_array = matched[:CHECKED_FIRST]
        held = kernels.holding(
            title.data(),
            text.encode("ascii"),
            head_array,
            title.line_starts()[head_array],
            title.line_ends()[head_array],
            POOL_SIZE,
        )
        first: list[int] = held.tolist()
        if len(first) >= POOL_SIZE or len(matched) <= CHECKED_FIRST:
            return first
        return _looked_up(matcher, text, matched, first)
    head = matched[:CHECKED_FIRST].tolist()
    starts, ends = title.starts, title.ends
    spots = map(title.text.find, repeat(text), map(starts.__getitem__, head), map(ends.__getitem__, head))
    # Lazily: a common term fills the pool from the first few hundred.
    hits = list(islice(compress(head, map(ge, spots, repeat(0))), POOL_SIZE))
    if len(hits) >= POOL_SIZE or len(matched) <= CHECKED_FIRST or not bulk.maskable(text):
        return hits
    return _looked_up(matcher, text, matched, hits)


def _looked_up(matcher: Matcher, text: str, matched: Positions, hits: list[int]) -> list[int]:
    """The pool's ``text`` looked up in every title (numpy), or ``hits`` (found in
    the first matches) when that costs more than the ranking gains."""
    title = matcher.title
    if not title.letters_usable(len(title)):
        return hits
    letters, needle = title.letters(), text.encode("ascii")
    if letters.count(needle[vector.rarest(letters, needle)]) > max(LOOKUP_LETTERS, len(title)):
        return hits  # every letter is common: a lookup would cost more than the ranking gains
    lines = vector.line_matches(letters, needle, "exact", False, title.line_starts(), title.line_ends())
    found: list[int] = lines[vector.mask_of(matched, matcher.size)[lines]][:POOL_SIZE].tolist()
    return found


def _key(matcher: Matcher, terms: list[Term], whole: str, position: int) -> tuple[float, float, int]:
    title = matcher.title.value(position)
    authors: str | None = None
    abstract: str | None = None
    score = 0.0
    if title == whole:
        score += EXACT_TITLE
    elif title.startswith(whole):
        score += TITLE_STARTS_WITH_QUERY
    for term in terms:
        text = term.text.lower()
        if term.field in (None, "title"):
            found = _title_score(term, text, title)
            if found:
                score += found
                continue
        if term.field in (None, "authors"):
            if authors is None:
                authors = matcher.authors.value(position)
            found = _author_score(term, text, authors)
            if found:
                score += found
                continue
        if term.field in (None, "abstract") and term.kind != "equal":
            if abstract is None:
                abstract = fold(matcher.corpus.abstract(position))
            found = _abstract_score(text, abstract)
            if found:
                score += found
                continue
        score += ELSEWHERE
    return (-score, -fuzz.ratio(whole, title), position)


def _abstract_score(text: str, abstract: str) -> float:
    """A term found as it is in the (folded) abstract: at a word start, or mid-word."""
    spot = abstract.find(text)
    if spot < 0:
        return 0.0
    if spot == 0 or not abstract[spot - 1].isalnum():
        return ABSTRACT_WORD_START
    later = contiguous_pattern(text, True).search(abstract)
    return ABSTRACT_WORD_START if later is not None else ABSTRACT_MID_WORD


def _title_score(term: Term, text: str, title: str) -> float:
    spot = title.find(text)
    if spot >= 0:
        if spot == 0:
            return TITLE_WORD_START + TITLE_AT_START
        word_start = not title[spot - 1].isalnum()
        if not word_start:
            later = contiguous_pattern(text, True).search(title)
            word_start = later is not None
        return TITLE_WORD_START if word_start else TITLE_MID_WORD
    if column_pattern(term.kind, text, SINGLE).search(title):
        # rapidfuzz: how tightly the scattered characters sit together.
        return TITLE_SCATTERED + fuzz.partial_ratio(text, title) / 2
    return 0.0


def _author_score(term: Term, text: str, authors: str) -> float:
    spot = authors.find(text)
    if spot >= 0:
        word_start = spot == 0 or not authors[spot - 1].isalnum()
        return AUTHOR_WORD_START if word_start else AUTHOR_MID_WORD
    if column_pattern(term.kind, text, LISTED).search(authors):
        return AUTHOR_SCATTERED + fuzz.partial_ratio(text, authors) / 4
    return 0.0
