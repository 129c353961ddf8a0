"""Sort orders for the list (no Textual here).

``relevance`` is the search engine's order and only means something while a
query is active; ``file`` is the order papers were read; ``newest`` puts the
latest date first (undated last); ``title`` is alphabetical, case- and
accent-insensitive.  Ties keep file order.  Whole-corpus orders are computed once
per corpus version and reused, so sorting a result is one keyed sort.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Sequence
from typing import Protocol

SORTS = ("relevance", "file", "newest", "title")
LABELS = {"relevance": "relevance", "file": "file order", "newest": "newest first", "title": "title"}


class SortableCorpus(Protocol):
    version: int

    def __len__(self) -> int: ...

    def title(self, position: int) -> str: ...

    def date(self, position: int) -> str: ...


def next_sort(current: str, query_active: bool) -> str:
    """The order after ``current`` when the user presses the sort key."""
    choices = SORTS if query_active else SORTS[1:]
    if current not in choices:
        return choices[0]
    return choices[(choices.index(current) + 1) % len(choices)]


def effective_sort(chosen: str, query_active: bool) -> str:
    """Relevance without a query is file order."""
    return "file" if chosen == "relevance" and not query_active else chosen


class Sorter:
    """Sorts result positions; keeps a rank array per order and corpus version."""

    def __init__(self, corpus: SortableCorpus) -> None:
        self.corpus = corpus
        self._ranks: dict[str, tuple[int, array[int], array[int]]] = {}
        self._lock = threading.Lock()

    def _order(self, order: str) -> tuple[array[int], array[int]]:
        """(positions in this order, rank of each position) for the whole corpus."""
        corpus = self.corpus
        with self._lock:
            cached = self._ranks.get(order)
            if cached is not None and cached[0] == corpus.version:
                return cached[1], cached[2]
            count = len(corpus)
            if order == "newest":
                dates = [corpus.date(i) for i in range(count)]
                # reverse=True keeps equal dates in file order; "" sorts last.
                ordered = sorted(range(count), key=dates.__getitem__, reverse=True)
            else:
                from paper_tui.text import fold

                titles = [fold(corpus.title(i)).casefold() for i in range(count)]
                ordered = sorted(range(count), key=titles.__getitem__)
            positions = array("l", ordered)
            rank = array("l", [0]) * count
            for r, position in enumerate(positions):
                rank[position] = r
            self._ranks[order] = (corpus.version, positions, rank)
            return positions, rank

    def sort(self, positions: Sequence[int], order: str, *, whole: bool = False) -> Sequence[int]:
        """``positions`` in ``order``.  ``whole`` says they are every paper (a faster path)."""
        if order == "relevance":
            return positions
        if order == "file":
            return positions if whole else sorted(positions)
        ordered, rank = self._order(order)
        if whole and len(positions) == len(ordered):
            return ordered
        return sorted(positions, key=rank.__getitem__)
