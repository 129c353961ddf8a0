"""fzf's "characters in order" over a joined column, one ``str.find`` per paper per character.

A regex like ``t[^r\\n]*r...`` steps through every character in the regex
interpreter and costs seconds at a million titles.  The greedy walk (find the
first character, then the next after it, ...) decides a subsequence exactly, and
``map(text.find, ...)`` runs it in C.  Typing adds one character at a time, so
the walk for ``tran`` is kept and ``trans`` continues it with a single find per
remaining paper (:class:`FuzzyMemo`).  When a bulk byte mask (:mod:`bulk`) would
be cheaper than walking, as for the first letter or two over a whole column, the
memo takes the mask's answer instead and later letters walk from its papers.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, ne

from paper_tui.search.bulk import FIND_NS
from paper_tui.search.bulk import positions as positions_of


@dataclass(frozen=True, slots=True)
class Walk:
    """Papers whose line holds a needle as a subsequence, and where each walk ended
    (``found`` and ``ends`` are ``None`` when a bulk mask decided, without walking)."""

    positions: Sequence[int]
    found: Sequence[int] | None  # offset of the needle's last character in the joined text
    ends: Sequence[int] | None  # offset just past each paper's line
    mask: bytes | None = None  # the bulk mask's answer, one byte per paper


def walk(
    text: str, needle: str, positions: Sequence[int], starts: Sequence[int], ends: Sequence[int]
) -> Walk:
    """Walk ``needle`` through the lines ``[starts[i], ends[i])`` of ``text``."""
    found: Sequence[int] = []
    begin: Sequence[int] = starts
    last = len(needle) - 1
    for number, char in enumerate(needle):
        found = list(map(text.find, repeat(char), begin, ends))
        if -1 in found:
            keep = list(map(ne, found, repeat(-1)))
            positions = list(compress(positions, keep))
            ends = list(compress(ends, keep))
            found = list(compress(found, keep))
        if number < last:
            begin = _after(found, char, needle[number + 1])
    return Walk(positions, found, ends)


def _after(found: Sequence[int], char: str, following: str) -> Sequence[int]:
    """Where to look for ``following`` after ``char`` was found at ``found``: the same
    offsets when the letters differ (the letter there is not ``following``), which
    saves an addition per paper; one further when the letter repeats."""
    return found if following != char else list(map(add, found, repeat(1)))


def stored(found: Walk) -> Walk:
    """The walk in arrays, to keep: a million Python ints in a list cost 36 MB."""
    if found.found is None or found.ends is None:
        return Walk(array("I", found.positions), None, None, found.mask)
    return Walk(array("I", found.positions), array("I", found.found), array("I", found.ends))


def extend(text: str, previous: Walk, more: str, last: str) -> Walk:
    """Continue a walk (whose needle ended with ``last``) with ``more`` characters."""
    if not more:
        return previous
    assert previous.found is not None and previous.ends is not None
    return walk(text, more, previous.positions, _after(previous.found, last, more[0]), previous.ends)


class FuzzyMemo:
    """The last few walks over a whole column, keyed by needle, to extend while typing."""

    def __init__(self, size: int = 8) -> None:
        self._walks: OrderedDict[tuple[str, bool, str], Walk] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._walks.clear()

    def _base(self, field: str, cased: bool, needle: str) -> tuple[Walk | None, str]:
        """The remembered walk of the longest prefix of ``needle`` (itself included)."""
        walks = self._walks
        for length in range(len(needle), 0, -1):
            found = walks.get((field, cased, needle[:length]))
            if found is not None:
                return found, needle[:length]
        return None, ""

    def cost(self, field: str, cased: bool, needle: str, size: int) -> float:
        """About how long (ns) walking for ``needle`` would take (``size``: the column's length)."""
        with self._lock:
            best, base = self._base(field, cased, needle)
        if best is None:
            return size * len(needle) * FIND_NS
        if best.found is None:  # a mask's answer: walk its papers from their line starts
            return 0.0 if base == needle else len(best.positions) * len(needle) * FIND_NS
        return len(best.positions) * (len(needle) - len(base)) * FIND_NS

    def matches(
        self,
        field: str,
        cased: bool,
        text: str,
        needle: str,
        starts: Sequence[int],
        ends: Sequence[int],
        mask: Callable[[], bytes] | None = None,
        mask_cost: float = 0.0,
    ) -> Walk:
        """The walk (over the whole column) of the lines that hold ``needle`` in order.

        ``mask``, when given, answers the same in bulk (one byte per line) in about
        ``mask_cost`` ns; it is used when walking (or extending a remembered walk)
        would take longer."""
        key = (field, cased, needle)
        with self._lock:
            best, base = self._base(field, cased, needle)
            if best is not None and base == needle:
                self._walks.move_to_end(key)
                return best
        if mask is not None and mask_cost < self.cost(field, cased, needle, len(ends)):
            answer = mask()
            result = Walk(positions_of(answer), None, None, answer)
        elif best is None:
            result = walk(text, needle, range(len(ends)), starts, ends)
        elif best.found is None:
            chosen = best.positions
            result = walk(
                text,
                needle,
                chosen,
                list(map(starts.__getitem__, chosen)),
                list(map(ends.__getitem__, chosen)),
            )
        else:
            result = extend(text, best, needle[len(base) :], base[-1])
        result = stored(result)
        with self._lock:
            self._walks[key] = result
            while len(self._walks) > self._size:
                self._walks.popitem(last=False)
        return result
