"""fzf's "characters in order" over a joined column, one ``str.find`` per paper per character.

A regex like ``t[^r\\n]*r...`` steps through every character in the regex
interpreter and costs seconds at a million titles.  The greedy walk (find the
first character, then the next after it, ...) decides a subsequence exactly, and
``map(text.find, ...)`` runs it in C.  Typing adds one character at a time, so
the walk for ``tran`` is kept and ``trans`` continues it with a single find per
remaining paper (:class:`FuzzyMemo`).
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, ne


@dataclass(frozen=True, slots=True)
class Walk:
    """Papers whose line holds a needle as a subsequence, and where each walk ended."""

    positions: Sequence[int]
    found: Sequence[int]  # offset of the needle's last character in the joined text
    ends: Sequence[int]  # offset just past each paper's line


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
            begin = list(map(add, found, repeat(1)))
    return Walk(positions, found, ends)


def stored(found: Walk) -> Walk:
    """The walk in arrays, to keep: a million Python ints in a list cost 36 MB."""
    return Walk(array("q", found.positions), array("q", found.found), array("q", found.ends))


def extend(text: str, previous: Walk, more: str) -> Walk:
    """Continue a walk with ``more`` characters."""
    if not more:
        return previous
    return walk(text, more, previous.positions, list(map(add, previous.found, repeat(1))), previous.ends)


class FuzzyMemo:
    """The last few walks over a whole column, keyed by needle, to extend while typing."""

    def __init__(self, size: int = 8) -> None:
        self._walks: OrderedDict[tuple[str, bool, str], Walk] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._walks.clear()

    def cost(self, field: str, cased: bool, needle: str, size: int) -> int:
        """About how many finds :meth:`matches` would run (``size``: the column's length)."""
        walks = self._walks
        for length in range(len(needle), 0, -1):
            found = walks.get((field, cased, needle[:length]))
            if found is not None:
                return len(found.positions) * (len(needle) - length)
        return size * len(needle)

    def matches(
        self, field: str, cased: bool, text: str, needle: str, starts: Sequence[int], ends: Sequence[int]
    ) -> Sequence[int]:
        """Positions (over the whole column) whose line holds ``needle`` in order."""
        key = (field, cased, needle)
        with self._lock:
            best: Walk | None = self._walks.get(key)
            if best is not None:
                self._walks.move_to_end(key)
                return best.positions
            base = ""
            for length in range(len(needle) - 1, 0, -1):
                found = self._walks.get((field, cased, needle[:length]))
                if found is not None:
                    best, base = found, needle[:length]
                    break
        if best is None:
            result = walk(text, needle, range(len(ends)), starts, ends)
        else:
            result = extend(text, best, needle[len(base) :])
        result = stored(result)
        with self._lock:
            self._walks[key] = result
            while len(self._walks) > self._size:
                self._walks.popitem(last=False)
        return result.positions
