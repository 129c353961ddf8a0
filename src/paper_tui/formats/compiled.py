"""arXiv snapshot lines read by a compiled loop (numba): the first open of a big file.

A parse worker spent 30 to 45 us of Python a record: msgspec's decode, then the
cleaning of each field (a few walks in C each, with Python between them), then the
row.  Here one compiled pass per chunk (:mod:`paper_tui.formats.compiled_loop`)
reads each line's JSON and, for the usual record, writes its whole row: the id,
title, authors and date columns, and the stored blob (the abstract, then the rest
as the compact JSON :func:`~paper_tui.compact.encode_rest` writes), each field
cleaned as :func:`~paper_tui.text.clean_text`, :func:`~paper_tui.text.clean_block`
and the LaTeX conversion clean it, for the cases it knows: whitespace folded,
groups' braces and ties, escaped ``& % _ #``, macros the conversion leaves as they
are, math kept as written; a DOI of the usual shape normalized, a version date or
``update_date`` of the usual shape made ISO, categories split.

Anything else is left to Python, which gives the same answer by definition:
a line that is not the snapshot's plain JSON (a value of another type, an escape
in a key, a key given twice), an id that is not a plain new-style one, a control
character or an invisible or special space, a lone surrogate, markup in a name, a
title the conversion changes another way, goes the usual way whole (as if there
were no loop); a line whose abstract needs the conversion's regexes (accents,
known macros, TeX quotes, ``$$``, a paragraph break, a link the paper's links
take), or whose DOI, date or categories are of another shape, is finished in
Python from the fields the loop read.  Tests (hypothesis among them) check that
every chunk is byte for byte what the usual way gives.

numba costs a worker about 0.8 s to import and load the loop, so it is used only
for files of :data:`MIN_BYTES` or more, and only once the loop is in numba's cache
(:func:`ready`): compiling it takes about 45 s of one core, done once per machine
and version in a background process at the lowest priority (:func:`warm_later`,
started by the first such file, which is read the usual way).  Where numba cannot
be imported or compile, there is no reader and the usual way does all.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

_state: dict[str, Any] = {}

#: Files smaller than this are read the usual way: a worker takes 0.8 s to import
#: numba and load the loop, which the loop saves back over about 60,000 records.
MIN_BYTES = 256 * 1024 * 1024
_LOOP = Path(__file__).with_name("compiled_loop.py")

#: The fields written per line, in this order, each ended by a NUL.
FIELDS = (
    "id",
    "title",
    "authors",
    "created",
    "update_date",
    "doi",
    "categories",
    "comments",
    "journal_ref",
    "report_no",
)
#: Keys of a record, as the loop numbers them (0: any other key).
_KEYS = (
    b"id",
    b"title",
    b"authors",
    b"abstract",
    b"categories",
    b"doi",
    b"comments",
    b"journal-ref",
    b"report-no",
    b"versions",
    b"update_date",
    b"authors_parsed",
)
#: Bits of a line's ``present``: which of the optional fields a record gives.
HAS_CREATED = 1  # the first version's date, not empty
HAS_UPDATE = 2  # update_date not null
HAS_DOI = 4  # not empty
HAS_COMMENTS = 8
HAS_JOURNAL_REF = 16
HAS_REPORT_NO = 32

#: A line's status: read here (its row whole); left for the usual way; read here,
#: but its row is finished the Python way (from its fields).
READ, USUAL, NEED = 0, 1, 2
#: An abstract's status: cleaned here; as read (for the Python way to clean);
#: cleaned here, holding a URL the paper's links may take (Python makes them).
CLEANED, RAW, LINKS = 0, 1, 2

#: ``(data, display as JSON, line delta) -> arrays``: see :func:`reader`.
Reader = Callable[[bytes, bytes, int], tuple[Any, ...]]


def reader() -> Reader | None:
    """The compiled reader (numba imported and the loop loaded from numba's cache,
    or compiled now when it is not there), or ``None`` where it is not to be had.

    It takes a chunk of whole snapshot lines (UTF-8, checked), the file's name as a
    JSON string and the line delta, and gives numpy arrays, per line that is not
    blank: start, end and number; status (:data:`READ`: its row is whole;
    :data:`USUAL`; :data:`NEED`); the :data:`HAS_CREATED` bits and the rest, the
    abstract's status (:data:`CLEANED`, :data:`RAW`) and length, the rest's length,
    where its blob starts; then the columns of every line (id, title, authors,
    date, each ended by a NUL; empty for lines not read whole), the blobs of the
    lines read whole, and for the :data:`NEED` lines their :data:`FIELDS` (each
    ended by a NUL) and abstracts, laid end to end."""
    if "read" not in _state:
        try:
            _state["read"] = _compile()
        except Exception:  # no numba, or it cannot compile here: the usual way
            _state["read"] = None
    found: Reader | None = _state["read"]
    return found


#: What a byte inside a JSON string is to the loops: 0 a character kept as it is
#: (most bytes: one table look-up, one test), else one to look at.
_STRING_CLASS = np.array(
    [
        2 if c == 0x22 else 3 if c == 0x5C else 1 if c < 0x20 or c >= 0x7F or chr(c) in "{}~`" else 0
        for c in range(256)
    ],
    np.uint8,
)
#: The same for an abstract's cleaning: 0 kept as it is, 1 a blank, 2 else.
_ABSTRACT_CLASS = np.array(
    [1 if c in (0x20, 0x0A) else 2 if chr(c) in "\\{}~`$([:" else 0 for c in range(256)], np.uint8
)


def ready() -> bool:
    """Has the loop been compiled on this machine (into numba's cache, beside it)?

    The first compile takes about 45 s of one core: it is never done by the parse
    workers of a load (see :func:`warm_later`)."""
    marker = _marker()
    return marker is not None and marker.exists()


def _marker() -> Path | None:
    """The file that says the loop of this version is in numba's cache."""
    try:
        from importlib.metadata import version

        stat = _LOOP.stat()
        versions = f"{version('paper-tui')} {version('numba')} {sys.version_info[:2]}"
        key = f"{versions} {stat.st_mtime_ns} {stat.st_size}"
    except Exception:  # not installed, no numba
        return None
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return _LOOP.parent / "__pycache__" / f"compiled_loop.ready-{digest}"


def warm_later() -> bool:
    """Compile the loop in a process of its own at the lowest priority, once (it
    then serves the next big file); False where that cannot start."""
    marker = _marker()
    if marker is None or marker.exists():
        return False
    lock = marker.with_name(marker.name + ".warming")
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        try:
            owner = int(lock.read_text() or "0")
        except (OSError, ValueError):
            owner = 0
        if owner and _alive(owner):
            return False  # another process is compiling it
        process = subprocess.Popen(
            [sys.executable, "-m", "paper_tui.formats.compiled"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        lock.write_text(str(process.pid))
    except OSError:
        return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _warm() -> int:
    """``python -m paper_tui.formats.compiled``: compile the loop, say so."""
    if hasattr(os, "nice"):
        os.nice(19)  # the cores are the app's and its loads' first
    marker = _marker()
    if reader() is None or marker is None:
        return 1
    marker.write_text("")
    lock = marker.with_name(marker.name + ".warming")
    lock.unlink(missing_ok=True)
    for old in marker.parent.glob("compiled_loop.ready-*"):  # those of earlier versions
        if old.name != marker.name and not old.name.endswith(".warming"):
            old.unlink(missing_ok=True)
    return 0


def _key_table() -> tuple[Any, Any]:
    """The keys as one byte array and their offsets (``offsets[k] .. offsets[k + 1]``)."""
    joined = b"".join(_KEYS)
    offsets = np.zeros(len(_KEYS) + 1, np.int64)
    offsets[1:] = np.cumsum([len(key) for key in _KEYS])
    return np.frombuffer(joined, np.uint8).copy(), offsets


def _compile() -> Reader:
    from paper_tui.formats.compiled_loop import read as loop  # numba: 0.6 s to import
    from paper_tui.formats.compiled_loop import work_size

    buffers = [np.empty(0, np.uint8)]

    def read(data: bytes, display: bytes, line_delta: int) -> tuple[Any, ...]:
        count = data.count(b"\n") + 1
        need = work_size(len(data), count, len(display))
        if len(buffers[0]) < need:  # grown for the biggest chunk, then reused
            buffers[0] = np.empty(need + need // 4, np.uint8)
        arrays = (np.frombuffer(data, np.uint8), np.frombuffer(display, np.uint8))
        return loop(*arrays, line_delta, count, buffers[0])  # type: ignore[no-any-return]

    # Compile now (or load from numba's cache) for the one signature it is called with
    # (a bytes object's read-only view).
    read(b'{"id":"0704.0001","authors_parsed":[["A","B",""]]}\n', b'"x"', 0)
    return read


if __name__ == "__main__":
    sys.exit(_warm())
