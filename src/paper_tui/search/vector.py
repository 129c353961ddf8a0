"""Positions and letter walks as numpy arrays: one C loop per step, not one Python call per paper.

At a million papers anything that calls a Python-level function per paper (a
``str.find`` through ``map``, a set insert, ``compress``) costs 0.1-0.5 s a pass,
and a query typed letter by letter makes several passes per keystroke.  Here sets
of papers are sorted ``uint32`` position arrays or boolean masks, and fzf's
"characters in order" walk advances every paper at once:

* :class:`Letters` keeps, per column, the sorted offsets of each byte value in the
  column's ASCII copy (built on the first query that uses the letter);
* a walk step is then one ``searchsorted``: for every paper the first occurrence of
  the next letter at or after where the previous letter was found, which is a match
  when it falls before the paper's line end.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from paper_tui import heap
from paper_tui.search import kernels

Positions = npt.NDArray[np.uint32]
Mask = npt.NDArray[np.bool_]

#: Past every offset: the letter's "next occurrence" when there is none.
_SENTINEL = np.uint32(0xFFFFFFFF)
#: Occurrences are kept per block of 2**16 bytes, as 2-byte offsets within it.
_BLOCK_BITS = 16
_LOW_MASK = np.uint32((1 << _BLOCK_BITS) - 1)
_NO_LOWS = np.empty(0, np.uint16)
#: Searches touching more blocks than this spell the offsets out (see next_at).
FEW_BLOCKS = 32
#: The byte values :meth:`Letters.build` covers: digits and (folded) lower-case letters.
_WORDY = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyz")
_COMMA, _SPACE = ord(","), ord(" ")
#: Bytes sorted at a time while building: small enough to stay in cache.
_CHUNK = 1 << 22
#: Columns at least this big keep the process's freed memory for reuse
#: (:mod:`paper_tui.heap`): their walks make and drop arrays of megabytes.
BIG_COLUMN = 8 << 20
#: Spelled-out offsets kept per column for the letters used last (a needle's
#: letters come back as it is retyped or extended): 4 bytes an occurrence.
SPELLED_BYTES = 64 << 20


def positions(values: Sequence[int] | Iterable[int] | Positions | None) -> Positions:
    """``values`` (sorted positions: an array, a range, a list...) as a ``uint32`` array,
    without a copy when they already are one."""
    if values is None:
        return np.empty(0, np.uint32)
    if isinstance(values, np.ndarray):
        return values if values.dtype == np.uint32 else values.astype(np.uint32)
    if isinstance(values, array) and values.typecode == "I" and values.itemsize == 4:
        return np.frombuffer(values, np.uint32) if len(values) else np.empty(0, np.uint32)
    if isinstance(values, range):
        return np.arange(values.start, values.stop, values.step, dtype=np.uint32)
    return np.fromiter(values, np.uint32)


def as_array(found: Positions) -> array[int]:
    """Positions as an ``array('I')``: a plain sequence of ints for callers (no numpy scalars)."""
    result = array("I")
    result.frombytes(np.ascontiguousarray(found, np.uint32).tobytes())
    return result


def mask_of(found: Positions, size: int) -> Mask:
    """One boolean per position of ``[0, size)``: true for ``found``."""
    mask = np.zeros(size, np.bool_)
    mask[found[found < size] if len(found) and int(found[-1]) >= size else found] = True
    return mask


def selected(mask: Mask, lo: int, hi: int, candidates: Positions | None) -> Positions:
    """The positions ``mask`` marks among ``candidates`` (or in ``[lo, hi)``), in order."""
    if candidates is not None:
        inside = (
            candidates[candidates < len(mask)]
            if len(candidates) and int(candidates.max()) >= len(mask)
            else candidates
        )
        return inside[mask[inside]]
    return (np.flatnonzero(mask[lo:hi]) + lo).astype(np.uint32)


class Letters:
    """Where each byte value occurs in one column's ASCII copy, in half the memory of offsets.

    The copy is cut into blocks of 64 KiB; a byte's occurrences are kept as their
    2-byte offsets within their block (``low``, ascending), with the index of each
    block's first occurrence (``first``): 2 bytes an occurrence instead of 4, which
    at a million titles is 170 MB saved.  Finding the next occurrence is then a
    binary search within one block, an array of a few kilobytes that stays in cache.

    Letters and digits (what nearly every needle is made of) are built together in
    one pass (:meth:`build`: a stable sort of each chunk by byte value gives every
    letter's offsets in order), in the background or on the first walk; other bytes
    one by one when a needle holds them."""

    def __init__(self, data: bytes) -> None:
        self.data = np.frombuffer(data, np.uint8)
        self._blocks = (len(data) >> _BLOCK_BITS) + 1
        self._low: dict[int, npt.NDArray[np.uint16]] = {}
        self._first: dict[int, npt.NDArray[np.int64]] = {}
        self._built = False
        self._histogram: npt.NDArray[np.int64] | None = None
        self._lock = threading.Lock()
        self._spelled: OrderedDict[int, Positions] = OrderedDict()
        self._spelled_lock = threading.Lock()
        if len(data) >= BIG_COLUMN:
            heap.keep_freed_memory()

    def build(self) -> None:
        """Build the occurrences of every letter and digit now."""
        with self._lock:
            if self._built:
                return
            lows: dict[int, list[npt.NDArray[np.uint16]]] = {code: [] for code in _WORDY}
            counts = {code: np.zeros(self._blocks, np.int64) for code in _WORDY}
            data = self.data
            for lo in range(0, len(data), _CHUNK):
                chunk = data[lo : lo + _CHUNK]
                order = np.argsort(chunk, kind="stable").astype(np.uint32)
                order += np.uint32(lo)
                edges = np.zeros(257, np.int64)
                np.cumsum(np.bincount(chunk, minlength=256), out=edges[1:])
                for code in _WORDY:
                    if edges[code + 1] > edges[code]:
                        found = order[edges[code] : edges[code + 1]]
                        lows[code].append((found & _LOW_MASK).astype(np.uint16))
                        counts[code] += np.bincount(found >> _BLOCK_BITS, minlength=self._blocks)
            for code in _WORDY:
                self._store(code, np.concatenate(lows[code]) if lows[code] else _NO_LOWS, counts[code])
            self._built = True

    def _store(self, code: int, low: npt.NDArray[np.uint16], counts: npt.NDArray[np.int64]) -> None:
        first = np.zeros(self._blocks + 1, np.int64)
        np.cumsum(counts, out=first[1:])
        self._low[code], self._first[code] = low, first

    def _split(self, code: int) -> tuple[npt.NDArray[np.uint16], npt.NDArray[np.int64]]:
        if code in _WORDY and not self._built and not kernels.ready():
            # The numpy walks step through most letters: all of them in one pass.
            # With the compiled walks, only exact terms ask, for a letter or two.
            self.build()
        low = self._low.get(code)
        if low is None:
            with self._lock:
                if code not in self._low:
                    found = self._find(code)
                    counts = np.bincount(found >> _BLOCK_BITS, minlength=self._blocks).astype(np.int64)
                    self._store(code, (found & _LOW_MASK).astype(np.uint16), counts)
                low = self._low[code]
        return low, self._first[code]

    def _find(self, code: int) -> Positions:
        """The offsets of one byte value (under the lock): a compiled pass, or numpy
        a chunk at a time (a compare of the whole copy would make a temporary as big
        as the column, 78 MB at a million titles)."""
        data = self.data
        if kernels.ready():
            return kernels.offsets(data, code, int(self._counted()[code]))
        parts = [
            (np.flatnonzero(data[lo : lo + _CHUNK] == code) + lo).astype(np.uint32)
            for lo in range(0, len(data), _CHUNK)
        ]
        return np.concatenate(parts) if parts else np.empty(0, np.uint32)

    @property
    def built(self) -> bool:
        """Are the letters and digits ready (walks need not build them)?"""
        return self._built

    def count(self, code: int) -> int:
        """How many times byte ``code`` occurs (without building its offsets)."""
        low = self._low.get(code)
        if low is not None:
            return len(low)
        with self._lock:
            return int(self._counted()[code])

    def _counted(self) -> npt.NDArray[np.int64]:
        """How many times each byte value occurs (under the lock; counted on first
        use, a chunk at a time: ``bincount`` of the whole copy makes an 8-byte
        temporary per byte)."""
        if self._histogram is None:
            counts = np.zeros(256, np.int64)
            for lo in range(0, len(self.data), _CHUNK):
                counts += np.bincount(self.data[lo : lo + _CHUNK], minlength=256)
            self._histogram = counts
        return self._histogram

    def offsets(self, code: int) -> Positions:
        """Every offset where byte ``code`` occurs, ascending (a view: do not write to it)."""
        return self._spelled_out(code)[:-1]

    def _spelled_out(self, code: int) -> Positions:
        """The offsets of ``code`` as 4-byte values, with a sentinel past the end,
        kept for the letters used last (within :data:`SPELLED_BYTES`)."""
        with self._spelled_lock:
            spelled = self._spelled.get(code)
            if spelled is not None:
                self._spelled.move_to_end(code)
                return spelled
        low, first = self._split(code)
        total = len(low)
        spelled = np.empty(total + 1, np.uint32)
        spelled[:total] = low
        spelled[total] = _SENTINEL
        # Each block's base added in place: three passes over the offsets, where
        # shifting and or-ing made five.  One call, not one per block: a per-block
        # loop lets go of the interpreter lock a thousand times, and while another
        # thread runs (the side walk, the index builder) each time costs a wait.
        bases = np.arange(self._blocks, dtype=np.uint32) << np.uint32(_BLOCK_BITS)
        spelled[:total] += np.repeat(bases, np.diff(first))
        with self._spelled_lock:
            self._spelled[code] = spelled
            held = sum(kept.nbytes for kept in self._spelled.values())
            while held > SPELLED_BYTES and len(self._spelled) > 1:
                held -= self._spelled.popitem(last=False)[1].nbytes
        return spelled

    def next_at(self, code: int, begin: Positions) -> Positions:
        """For each of ``begin`` (ascending), the first offset at or after it where
        ``code`` occurs, or a sentinel past every offset when there is none."""
        low, first = self._split(code)
        total = len(low)
        if not total or not len(begin):
            return np.full(len(begin), _SENTINEL, np.uint32)
        blocks = begin >> np.uint32(_BLOCK_BITS)
        # The keys of each block are one run (they ascend): one search per block,
        # when they are in a few blocks.  Over many, the offsets are spelled out for
        # one search in all: a numpy call per block would give the interpreter lock
        # away a thousand times, and another busy thread (the index builder) holds it
        # for up to 5 ms each time it gets it.
        edges = np.searchsorted(blocks, np.arange(self._blocks + 1, dtype=np.uint32))
        touched = np.flatnonzero(edges[1:] > edges[:-1])
        if len(touched) > FEW_BLOCKS:
            spelled = self._spelled_out(code)
            return spelled[np.searchsorted(spelled, begin)]
        within = (begin & _LOW_MASK).astype(np.uint16)
        index = np.empty(len(begin), np.int64)
        for block in touched.tolist():
            k0, k1, o0, o1 = edges[block], edges[block + 1], first[block], first[block + 1]
            index[k0:k1] = np.searchsorted(low[o0:o1], within[k0:k1]) + o0
        # An index past its block's occurrences is the next non-empty block's first.
        at = np.minimum(index, total - 1)
        block_of = (np.searchsorted(first, at, "right") - 1).astype(np.uint32)
        found = (block_of << np.uint32(_BLOCK_BITS)) | low[at].astype(np.uint32)
        found[index >= total] = _SENTINEL
        return found

    @property
    def nbytes(self) -> int:
        kept = sum(low.nbytes + self._first[code].nbytes for code, low in list(self._low.items()))
        with self._spelled_lock:
            return kept + sum(spelled.nbytes for spelled in self._spelled.values())


def step(
    letters: Letters, code: int, papers: Positions, begin: Positions, ends: Positions
) -> tuple[Positions, Positions, Positions]:
    """For each paper, the first ``code`` in ``[begin, end)``: the papers that have one,
    where it is, and their line ends."""
    found = letters.next_at(code, begin)
    keep = found < ends
    return papers[keep], found[keep], ends[keep]


def walk(
    letters: Letters, needle: bytes, papers: Positions, begin: Positions, ends: Positions
) -> tuple[Positions, Positions, Positions]:
    """Walk ``needle`` through each paper's line ``[begin, end)``: the papers that hold
    it in order, where its last letter was found, and their line ends."""
    found = begin
    for number, code in enumerate(needle):
        papers, found, ends = step(letters, code, papers, found if number == 0 else found + 1, ends)
        if not len(papers):
            break
    return papers, found, ends


def occurrences(letters: Letters, needle: bytes) -> npt.NDArray[np.int64]:
    """Every offset where ``needle`` starts in the column, ascending.

    The rarest letter of the needle gives the candidates (its offsets, shifted to
    where the needle would start); each other letter then keeps those whose byte
    at its place is right: a gather and a compare per letter, no scan of the text."""
    data = letters.data
    anchor = rarest(letters, needle)
    found = letters.offsets(needle[anchor])
    checked = {anchor}
    # The neighbour first, on the 4-byte offsets as they are: it keeps few.
    if anchor + 1 < len(needle):  # a letter is never the last byte (a newline is)
        found = found[data[found + 1] == needle[anchor + 1]]
        checked.add(anchor + 1)
    elif anchor > 0:
        found = found[(found > 0) & (data[np.maximum(found, 1) - 1] == needle[anchor - 1])]
        checked.add(anchor - 1)
    starts = found.astype(np.int64) - anchor
    starts = starts[(starts >= 0) & (starts + len(needle) <= len(data))]
    for number, code in enumerate(needle):
        if number not in checked and len(starts):
            starts = starts[data[starts + number] == code]
    return starts


def rarest(letters: Letters, needle: bytes) -> int:
    """Where in ``needle`` its rarest letter or digit is (0 when it has none)."""
    wordy = [number for number, code in enumerate(needle) if code in _WORDY]
    return min(wordy, key=lambda number: letters.count(needle[number])) if wordy else 0


def scan_steps(letters: Letters, needle: bytes, kind: str, listed: bool, lines: int) -> int:
    """About how many array elements :func:`line_matches` goes through for
    ``needle`` in a column of ``lines`` lines."""
    if not listed and kind in ("prefix", "suffix", "equal"):
        return lines
    return letters.count(needle[rarest(letters, needle)])


def line_matches(
    letters: Letters,
    needle: bytes,
    kind: str,
    listed: bool,
    line_starts: Positions,
    line_ends: Positions,
) -> Positions:
    """The lines (papers) of a column holding ``needle`` as ``kind`` says: anywhere
    (``exact``), at the start (``prefix``), at the end (``suffix``) or as the whole
    (``equal``) of the line, or when ``listed``, of any ``", "``-separated item."""
    if not listed and kind in ("prefix", "suffix", "equal"):
        return _anchored(letters.data, needle, kind, line_starts, line_ends)
    starts = occurrences(letters, needle)
    lines = np.searchsorted(line_starts, starts, "right") - 1
    data = letters.data
    if kind in ("prefix", "equal"):
        at_start = starts == line_starts[lines]
        if listed:
            behind = np.maximum(starts - 2, 0)
            at_start |= (starts >= 2) & (data[behind] == _COMMA) & (data[behind + 1] == _SPACE)
        starts, lines = starts[at_start], lines[at_start]
    if kind in ("suffix", "equal"):
        ends = starts + len(needle)
        at_end = ends == line_ends[lines]
        if listed:
            ahead = np.minimum(ends, len(data) - 2)
            at_end |= (data[ahead] == _COMMA) & (data[ahead + 1] == _SPACE)
        lines = lines[at_end]
    if not len(lines):
        return np.empty(0, np.uint32)
    first = np.ones(len(lines), np.bool_)  # each line once: occurrences come in order
    first[1:] = lines[1:] != lines[:-1]
    return lines[first].astype(np.uint32)


def _anchored(
    data: npt.NDArray[np.uint8], needle: bytes, kind: str, starts: Positions, ends: Positions
) -> Positions:
    """Lines starting with, ending with or equal to ``needle``: a look at each line's
    own bytes, one letter at a time, for the lines still in."""
    size = len(needle)
    lines = np.flatnonzero(ends - starts >= size if kind != "equal" else ends - starts == size)
    at = (starts[lines] if kind != "suffix" else ends[lines] - size).astype(np.int64)
    for number, code in enumerate(needle):
        keep = data[at + number] == code
        lines, at = lines[keep], at[keep]
    return lines.astype(np.uint32)
