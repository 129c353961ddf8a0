"""fzf's "characters in order" over a joined column, every paper advanced at once.

A regex like ``t[^r\\n]*r...`` steps through every character in the regex
interpreter and costs seconds at a million titles.  The greedy walk (find the
first character, then the next after it, ...) decides a subsequence exactly; for
the usual needle (printable ASCII, any case) it is a compiled loop over the
column's ASCII copy (:mod:`kernels`), or while that is not ready one numpy
``searchsorted`` per letter over the column's letter offsets (:mod:`vector`);
otherwise one ``str.find`` per paper in C through ``map``.  Typing adds one character at a time,
so the walk for ``tran`` is kept and ``trans`` continues it with one more step
over the papers still in (:class:`FuzzyMemo`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress, repeat
from operator import ne
from typing import TYPE_CHECKING

import numpy as np

from paper_tui.search import bulk, kernels, vector
from paper_tui.search.vector import Mask, Positions

if TYPE_CHECKING:
    from paper_tui.search.index import Column


#: Candidates at least 1/this of the column are walked as the whole column.
WHOLE_SHARE = 2


@dataclass(frozen=True, slots=True)
class Walk:
    """Papers whose line holds a needle as a subsequence, where the needle's last
    character was found (an offset in the joined text) and where each line ends."""

    positions: Positions
    found: Positions
    ends: Positions


def walk(
    column: Column, text: str, cased: bool, needle: str, papers: Positions, begin: Positions, ends: Positions
) -> Walk:
    """Walk ``needle`` through the lines ``[begin[i], ends[i])`` of ``text``: ``column``'s
    folded text, or its case-kept text when ``cased``."""
    if not cased and bulk.maskable(needle):
        if kernels.usable():
            return Walk(*kernels.walk(column.data(), needle.encode("ascii"), papers, begin, ends))
        if column.letters_usable(len(papers)):
            return Walk(*vector.walk(column.letters(), needle.encode("ascii"), papers, begin, ends))
    return _walk_text(text, needle, papers, begin, ends)


def _walk_text(text: str, needle: str, papers: Positions, begin: Positions, ends: Positions) -> Walk:
    """The same walk with ``str.find`` (needles the byte copy cannot answer: non-ASCII, cased)."""
    chosen, found, limits = papers.tolist(), begin.tolist(), ends.tolist()
    for number, char in enumerate(needle):
        starts = found if number == 0 else [f + 1 for f in found]
        found = list(map(text.find, repeat(char), starts, limits))
        if -1 in found:
            keep = list(map(ne, found, repeat(-1)))
            chosen = list(compress(chosen, keep))
            limits = list(compress(limits, keep))
            found = list(compress(found, keep))
    return Walk(vector.positions(chosen), vector.positions(found), vector.positions(limits))


def whole(column: Column, text: str, cased: bool, needle: str) -> Walk:
    """The walk of ``needle`` over every line of ``column``."""
    starts, ends = column.line_starts(), column.line_ends()  # one version of the column
    everything = np.arange(len(starts), dtype=np.uint32)
    return walk(column, text, cased, needle, everything, starts, ends)


def among(column: Column, text: str, cased: bool, needle: str, papers: Positions) -> Walk:
    """The walk of ``needle`` over the lines of ``papers`` only."""
    starts, ends = column.line_starts()[papers], column.line_ends()[papers]
    return walk(column, text, cased, needle, papers, starts, ends)


def extend(column: Column, text: str, cased: bool, previous: Walk, more: str) -> Walk:
    """Continue a walk with ``more`` characters."""
    if not more or not len(previous.positions):
        return previous
    return walk(column, text, cased, more, previous.positions, previous.found + 1, previous.ends)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A remembered walk and the papers it was walked over (``None``: all of them)."""

    walk: Walk
    domain: Mask | None


class FuzzyMemo:
    """The last few walks of a column, keyed by needle, to extend while typing.

    A walk covers the whole column or only the candidates of the query it was made
    for; typing on narrows the candidates, so a walk over an earlier (larger) set of
    candidates still holds every paper the next keystroke asks about."""

    def __init__(self, size: int = 8) -> None:
        self._walks: OrderedDict[tuple[str, bool, str], _Entry] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._walks.clear()

    def _base(
        self, field: str, cased: bool, needle: str, wanted: Callable[[], Mask | None]
    ) -> tuple[_Entry | None, str]:
        """The remembered walk of the longest prefix of ``needle`` (itself included)
        that covers the ``wanted()`` papers (``None``: every paper)."""
        for length in range(len(needle), 0, -1):
            entry = self._walks.get((field, cased, needle[:length]))
            if entry is not None and (entry.domain is None or _covers(entry.domain, wanted())):
                return entry, needle[:length]
        return None, ""

    def matches(
        self,
        field: str,
        column: Column,
        text: str,
        cased: bool,
        needle: str,
        candidates: Positions | None = None,
    ) -> Walk:
        """The walk of the lines that hold ``needle`` in order: over the whole column,
        or (given ``candidates``) over at least those papers.

        Candidates that are most of the column are walked as the whole column: the
        walk is as long, and it serves any later candidates too."""
        if candidates is not None and len(candidates) * WHOLE_SHARE >= len(column):
            candidates = None
        masks: list[Mask | None] = []

        def wanted() -> Mask | None:
            if not masks:
                masks.append(None if candidates is None else vector.mask_of(candidates, len(column)))
            return masks[0]

        key = (field, cased, needle)
        with self._lock:
            best, base = self._base(field, cased, needle, wanted)
            if best is not None and base == needle:
                self._walks.move_to_end(key)
                return best.walk
        if best is not None and candidates is not None and best.domain is None:
            # A walk of the whole column: only the candidates go on.
            kept = wanted()[best.walk.positions]  # type: ignore[index]
            start = Walk(best.walk.positions[kept], best.walk.found[kept], best.walk.ends[kept])
            best = _Entry(start, wanted())
        if best is not None:
            result = extend(column, text, cased, best.walk, needle[len(base) :])
            domain = best.domain
        elif candidates is None:
            result, domain = whole(column, text, cased, needle), None
        else:
            result, domain = among(column, text, cased, needle, candidates), wanted()
        with self._lock:
            self._walks[key] = _Entry(result, domain)
            while len(self._walks) > self._size:
                self._walks.popitem(last=False)
        return result


def _covers(domain: Mask, wanted: Mask | None) -> bool:
    """Does a walk over ``domain`` hold every ``wanted`` paper?"""
    if wanted is None or len(wanted) != len(domain):
        return False
    return not np.any(wanted & ~domain)
