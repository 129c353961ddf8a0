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
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.uint32]
Mask = npt.NDArray[np.bool_]

#: Past every offset: the letter's "next occurrence" when there is none.
_SENTINEL = np.uint32(0xFFFFFFFF)
_END = np.array([_SENTINEL], np.uint32)
#: The byte values :meth:`Letters.build` covers: digits and (folded) lower-case letters.
_WORDY = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyz")
_COMMA, _SPACE = ord(","), ord(" ")
#: Walk steps over at least this many papers are split in two shards.
SHARD_MIN = 1 << 17
#: Bytes sorted at a time while building: small enough to stay in cache.
_CHUNK = 1 << 22


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
    """Sorted offsets of each byte value in one column's ASCII copy.

    Letters and digits (what nearly every needle is made of) are built together in
    one pass (:meth:`build`, about 20 ns a byte: a stable sort of each chunk by byte
    value gives every letter's offsets in order), in the background or on the first
    walk; other bytes one by one when a needle holds them."""

    def __init__(self, data: bytes) -> None:
        self.data = self._data = np.frombuffer(data, np.uint8)
        self._offsets: dict[int, Positions] = {}
        self._built = False
        self._lock = threading.Lock()

    def build(self) -> None:
        """Build the offsets of every letter and digit now."""
        with self._lock:
            if self._built:
                return
            parts: dict[int, list[Positions]] = {code: [] for code in _WORDY}
            data = self._data
            for lo in range(0, len(data), _CHUNK):
                chunk = data[lo : lo + _CHUNK]
                order = np.argsort(chunk, kind="stable").astype(np.uint32)
                order += np.uint32(lo)
                edges = np.zeros(257, np.int64)
                np.cumsum(np.bincount(chunk, minlength=256), out=edges[1:])
                for code in _WORDY:
                    if edges[code + 1] > edges[code]:
                        parts[code].append(order[edges[code] : edges[code + 1]])
            for code, found in parts.items():
                self._offsets[code] = np.concatenate([*found, _END])
            self._built = True

    @property
    def built(self) -> bool:
        """Are the letters and digits ready (walks need not build them)?"""
        return self._built

    def offsets(self, code: int) -> Positions:
        """Where byte ``code`` occurs, ascending, then a sentinel past every offset."""
        if code in _WORDY:
            self.build()
        found = self._offsets.get(code)
        if found is None:
            found = np.append(np.flatnonzero(self._data == code).astype(np.uint32), _SENTINEL)
            with self._lock:
                self._offsets[code] = found
        return found

    def count(self, code: int) -> int:
        """How many times byte ``code`` occurs (building its offsets if need be)."""
        return len(self.offsets(code)) - 1

    @property
    def nbytes(self) -> int:
        return sum(found.nbytes for found in list(self._offsets.values()))


def step(
    letters: Letters, code: int, papers: Positions, begin: Positions, ends: Positions
) -> tuple[Positions, Positions, Positions]:
    """For each paper, the first ``code`` in ``[begin, end)``: the papers that have one,
    where it is, and their line ends."""
    offsets = letters.offsets(code)
    if len(begin) < SHARD_MIN:
        found = offsets[np.searchsorted(offsets, begin)]
    else:
        # Two halves on two cores: numpy's binary search runs without the GIL.
        half = len(begin) // 2
        other = _shards().submit(_next_of, offsets, begin[half:])
        found = np.concatenate((_next_of(offsets, begin[:half]), other.result()))
    keep = found < ends
    return papers[keep], found[keep], ends[keep]


def _next_of(offsets: Positions, begin: Positions) -> Positions:
    """For each of ``begin``, the first of ``offsets`` at or after it."""
    return offsets[np.searchsorted(offsets, begin)]


_shard_pool: ThreadPoolExecutor | None = None
_shard_lock = threading.Lock()


def _shards() -> ThreadPoolExecutor:
    global _shard_pool
    with _shard_lock:
        if _shard_pool is None:
            _shard_pool = ThreadPoolExecutor(1, thread_name_prefix="paper-tui-walk")
        return _shard_pool


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
    found = letters.offsets(needle[anchor])[:-1]
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
