"""Compiled loops (numba) for the walks a million papers make per keystroke.

fzf's "characters in order" is a loop per paper: from where the last letter was
found, look for the next one before the line ends.  numpy can only do it a letter
at a time over every paper (a binary search in the letter's offsets, 40-70 ns a
paper on this machine, see :mod:`vector`); compiled, the loop is 10-30 ns a paper
for the whole needle and needs no letter offsets.  numba compiles it on first use
(about a second; kept in numba's cache for later runs) and lets go of the
interpreter lock while it runs, so two columns walk on two cores.

numba is imported and the loops compiled off the interface's thread
(:func:`warm`); until then, or where numba cannot be imported, :func:`ready` is
false and callers take the numpy walk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.uint32]

_state: dict[str, Any] = {}
_lock = threading.Lock()
#: Set once :func:`warm` has started, and once it has finished (whatever its outcome).
_started = threading.Event()
_settled = threading.Event()
#: The longest a search waits for a warm-up under way (import and compile from
#: numba's cache take 1-2 s here) rather than build the numpy walk's letter offsets.
WAIT_SECONDS = 10.0


def ready() -> bool:
    """Are the compiled loops usable now (never waits)?"""
    return "walk" in _state


def usable() -> bool:
    """Are the compiled loops usable, once a warm-up under way has finished?

    Waits (at most :data:`WAIT_SECONDS`) only while :func:`warm` runs on another
    thread: the first keystrokes after a big load would otherwise build the numpy
    walk's letter offsets, seconds and hundreds of megabytes at a million papers."""
    if not ready() and _started.is_set():
        _settled.wait(WAIT_SECONDS)
    return ready()


def warm() -> bool:
    """Import numba and compile the loops (once; seconds the first time on a
    machine, then from numba's cache); True when they are usable."""
    _started.set()
    with _lock:
        if not _settled.is_set():
            try:
                _state.update(_compile())
            except Exception:  # no numba, or it cannot compile here: numpy it is
                _state.clear()
            _settled.set()
        return ready()


def walk(
    data: bytes, needle: bytes, papers: Positions, begin: Positions, ends: Positions
) -> tuple[Positions, Positions, Positions]:
    """The papers whose line ``[begin[i], ends[i])`` of ``data`` holds ``needle`` in
    order, where the needle's last byte was found in each, and their line ends
    (the same as :func:`vector.walk`).  Only when :func:`ready`."""
    compiled: Callable[..., tuple[Positions, Positions, Positions]] = _state["walk"]
    return compiled(*_arrays(data, needle, papers, begin, ends))


def holding(
    data: bytes, needle: bytes, papers: Positions, starts: Positions, ends: Positions, limit: int
) -> Positions:
    """The first ``limit`` of ``papers`` (in order) whose line ``[starts[i], ends[i])``
    of ``data`` holds ``needle`` as is.  Only when :func:`ready`."""
    compiled: Callable[..., Positions] = _state["holding"]
    return compiled(*_arrays(data, needle, papers, starts, ends), limit)


def offsets(data: Any, code: int, count: int) -> Positions:
    """Every offset of byte ``code`` in ``data`` (a uint8 array where it occurs
    ``count`` times), ascending: one pass, no temporary.  Only when :func:`ready`."""
    compiled: Callable[..., Positions] = _state["offsets"]
    return compiled(data, np.uint8(code), count)


def _arrays(data: bytes, needle: bytes, *positions: Positions) -> list[Any]:
    """The loops' arguments as the arrays they were compiled for.  The loops do not
    check bounds: a line end past ``data`` (a copy older than the offsets) raises."""
    ends = positions[-1]
    if len(ends) and int(ends.max()) > len(data):
        raise ValueError("line offsets past the end of the column's copy")
    return [
        np.frombuffer(data, np.uint8),
        np.frombuffer(needle, np.uint8),
        *(np.ascontiguousarray(p, np.uint32) for p in positions),
    ]


def _compile() -> dict[str, Any]:
    import numba  # type: ignore[import-untyped]  # seconds to import: only here

    @numba.njit(cache=True, nogil=True)  # type: ignore[misc]
    def walk_lines(data: Any, needle: Any, papers: Any, begin: Any, ends: Any) -> Any:
        size = len(papers)
        kept = np.empty(size, np.uint32)
        found = np.empty(size, np.uint32)
        limits = np.empty(size, np.uint32)
        count = 0
        letters = len(needle)
        for i in range(size):
            at = np.int64(begin[i])
            end = np.int64(ends[i])
            matched = True
            for number in range(letters):
                if number:
                    at += 1
                code = needle[number]
                while at < end and data[at] != code:
                    at += 1
                if at >= end:
                    matched = False
                    break
            if matched:
                kept[count] = papers[i]
                found[count] = at
                limits[count] = end
                count += 1
        return kept[:count].copy(), found[:count].copy(), limits[:count].copy()

    @numba.njit(cache=True, nogil=True)  # type: ignore[misc]
    def holding_lines(data: Any, needle: Any, papers: Any, starts: Any, ends: Any, limit: Any) -> Any:
        kept = np.empty(min(len(papers), max(limit, 0)), np.uint32)
        count = 0
        size = len(needle)
        for i in range(len(papers)):
            if count >= limit:
                break
            last = np.int64(ends[i]) - size
            at = np.int64(starts[i])
            while at <= last:
                same = True
                for k in range(size):
                    if data[at + k] != needle[k]:
                        same = False
                        break
                if same:
                    kept[count] = papers[i]
                    count += 1
                    break
                at += 1
        return kept[:count].copy()

    @numba.njit(cache=True, nogil=True)  # type: ignore[misc]
    def offsets_of(data: Any, code: Any, count: Any) -> Any:
        found = np.empty(count, np.uint32)
        kept = 0
        for at in range(len(data)):
            if data[at] == code and kept < count:
                found[kept] = at
                kept += 1
        return found[:kept]

    # Compile now, on this thread, for the one signature each is called with.
    empty, byte = np.empty(0, np.uint32), np.zeros(1, np.uint8)
    walk_lines(byte, byte, empty, empty, empty)
    holding_lines(byte, byte, empty, empty, empty, 1)
    offsets_of(byte, np.uint8(0), 1)
    return {"walk": walk_lines, "holding": holding_lines, "offsets": offsets_of}
