"""Building the abstract word index (:class:`~paper_tui.search.index.WordIndex`).

The inner loop is ``map`` over C callables (no Python frame per word): each word's
list of the current batch is looked up and appended to in C, and every
:data:`BATCH` papers the batch moves into compact form: the positions of a rare
word into an ``array("I")``, a common word's into its bitmap (a bit a paper).  A
word is made a bitmap as soon as it is used by more than 1/DENSE_SHARE of the
papers read so far, so the common words, most of the postings, never pile up as
4-byte positions (at a million papers: about 0.3 GB of them, against 90 MB of
bitmaps).  The index is laid out from both at the end, each word's form freed once
copied.
"""

from __future__ import annotations

from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from itertools import repeat

import numpy as np
import numpy.typing as npt

from paper_tui.search.index import Vocabulary, WordIndex, compounds_of, release_memory, words_of
from paper_tui.text import fold

#: A word used by more than 1/DENSE_SHARE of the papers keeps a bitmap (a bit a
#: paper) rather than their positions (4 bytes each), which would take more.
DENSE_SHARE = 32
#: Papers per batch while building the word index (a multiple of 8: a batch's
#: bits are whole bytes of a bitmap).
BATCH = 16384


class _Bits:
    """A common word's papers so far: packed bits from paper 0, and how many."""

    __slots__ = ("count", "data")

    def __init__(self, data: bytearray, count: int) -> None:
        self.data = data
        self.count = count

    @classmethod
    def of(cls, positions: array[int], end: int) -> _Bits:
        """The bits of ``positions``, all below ``end`` (a multiple of 8)."""
        flags = np.zeros(end, np.bool_)
        flags[np.frombuffer(positions, np.uint32)] = True
        return cls(bytearray(np.packbits(flags).tobytes()), len(positions))

    def add(self, positions: list[int], start: int, chunk: npt.NDArray[np.bool_]) -> None:
        """Add ``positions``, each in ``[start, start + len(chunk))``; ``start`` is a
        multiple of 8 at or past the bits so far (the papers between do not use the
        word).  ``chunk`` is scratch space."""
        self.data += bytes(start // 8 - len(self.data))
        chunk[:] = False
        chunk[np.array(positions, np.int64) - start] = True
        self.data += np.packbits(chunk).tobytes()
        self.count += len(positions)

    def positions(self, size: int) -> npt.NDArray[np.uint32]:
        return np.flatnonzero(np.unpackbits(np.frombuffer(self.data, np.uint8), count=size)).astype(np.uint32)


def build_words(abstracts: Iterable[str], cancelled: Callable[[], bool] = lambda: False) -> WordIndex | None:
    """Index ``abstracts`` (in position order); ``None`` if cancelled."""
    table: dict[str, array[int]] = {}
    bitmaps: dict[str, _Bits] = {}
    batch: defaultdict[str, list[int]] = defaultdict(list)
    lookup = batch.__getitem__
    append = list.append
    present = bytearray()
    size = flushed = 0
    for position, abstract in enumerate(abstracts):
        size = position + 1
        present.append(1 if abstract else 0)
        if abstract:
            folded = fold(abstract)
            terms = set(words_of(folded))
            if "-" in folded:
                terms.update(compounds_of(folded))
            deque(map(append, map(lookup, terms), repeat(position)), maxlen=0)
        if position % BATCH == BATCH - 1:
            _flush(batch, table, bitmaps, flushed, size, last=False)
            flushed = size
            if cancelled():
                return None
    _flush(batch, table, bitmaps, flushed, size, last=True)
    return _assemble(table, bitmaps, size, bytes(present))


def _flush(
    batch: defaultdict[str, list[int]],
    table: dict[str, array[int]],
    bitmaps: dict[str, _Bits],
    start: int,
    end: int,
    last: bool,
) -> None:
    """Move the batch of papers ``[start, end)`` into ``table`` and ``bitmaps``."""
    chunk = np.zeros(end - start, np.bool_)
    for word, positions in batch.items():
        bits = bitmaps.get(word)
        if bits is not None:
            bits.add(positions, start, chunk)
            continue
        posting = table.get(word)
        if posting is None:
            table[word] = posting = array("I")
        posting.extend(positions)
        if not last and len(posting) * DENSE_SHARE > end:  # ``end``: a multiple of 8 here
            bitmaps[word] = _Bits.of(table.pop(word), end)
    batch.clear()


def _assemble(
    table: dict[str, array[int]], bitmaps: dict[str, _Bits], size: int, present: bytes
) -> WordIndex:
    """Lay out the index: each word's positions or bits are freed once copied, so
    the two forms are never both whole in memory (the bitmaps first: they hold
    most of the papers)."""
    words = sorted(table.keys() | bitmaps.keys())
    counts = np.fromiter(
        (len(table[word]) if word in table else bitmaps[word].count for word in words), np.int64, len(words)
    )
    dense = counts * DENSE_SHARE > size
    offsets = _cumulated(counts)
    posting_starts = _cumulated(np.where(dense, 0, counts))
    dense_before = _cumulated(dense.astype(np.int64))
    row_bytes = (size + 7) // 8
    rows = np.zeros((int(dense_before[-1]), row_bytes), np.uint8)
    flags = np.zeros(row_bytes * 8, np.bool_)
    for slot in np.flatnonzero(dense).tolist():
        word, row = words[slot], rows[dense_before[slot]]
        bits = bitmaps.pop(word, None)
        if bits is not None:
            row[: len(bits.data)] = np.frombuffer(bits.data, np.uint8)
        else:
            flags[:] = False
            flags[np.frombuffer(table.pop(word), np.uint32)] = True
            row[:] = np.packbits(flags)
    del flags
    release_memory()  # so that the postings below can reuse what was freed
    postings = np.empty(int(posting_starts[-1]), np.uint32)
    for slot in np.flatnonzero(~dense).tolist():
        word = words[slot]
        bits = bitmaps.pop(word, None)  # common early on, not in the end
        found = bits.positions(size) if bits is not None else np.frombuffer(table.pop(word), np.uint32)
        postings[posting_starts[slot] : posting_starts[slot + 1]] = found
    release_memory()
    return WordIndex(
        Vocabulary.of(words), offsets, postings, posting_starts, dense_before, rows, size, present
    )


def _cumulated(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``[0, counts[0], counts[0] + counts[1], ...]``."""
    total = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=total[1:])
    return total
