"""Papers in a compact form: a few columns in memory, the rest as bytes by offset.

A million Paper objects take about 1.6 GB; most of it is abstracts and fields the
list and search never read.  So a paper is split into what search and the list
read on every keystroke (id, title, authors, date: kept as Python strings) and
a *blob*: the abstract's UTF-8 bytes followed by the rest as compact JSON.  Blobs
live in a :class:`Blobs` segment (memory, a temporary file, or a cache file) and
are read back by ``(offset, abstract length, rest length)`` with ``os.pread``,
which costs page cache rather than this process's resident memory.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, overload

from paper_tui.model import Paper, Source, id_links

#: Joins a paper's authors in the authors column (cleaning removes control characters).
AUTHOR_SEP = "\x1f"
#: An in-memory segment moves to a temporary file past this size.
SPILL_BYTES = 64 * 1024 * 1024

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_loads = json.loads


class Blobs(Protocol):
    """Bytes addressed by offset: where abstracts and rarely read fields live."""

    def read(self, offset: int, length: int) -> bytes: ...


class FileBlobs:
    """A read-only view of a file by offset (a cache file, or one being written).

    Holds the file open, so the data stays readable even if the file is replaced
    or removed (``paper-tui cache clear`` while the app runs)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, fd: int | None = None) -> None:
        self.fd = -1  # set first: __del__ runs even when the open below fails
        if fd is None:
            if path is None:
                raise ValueError("FileBlobs needs a path or a file descriptor")
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self.fd = fd

    def read(self, offset: int, length: int) -> bytes:
        return os.pread(self.fd, length, offset)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        try:
            self.close()
        except OSError:
            pass


def pwrite_all(fd: int, data: bytes | bytearray, offset: int) -> None:
    """Write all of ``data`` at ``offset`` (``os.pwrite`` may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        if written <= 0:
            raise OSError("nothing written")
        view = view[written:]
        offset += written


class AppendBlobs:
    """An appendable segment: a bytearray that moves to an unnamed temporary file
    once it passes :data:`SPILL_BYTES`, so a big uncached load stays compact.

    Safe for one appending thread and readers in others (a lock guards the move)."""

    def __init__(self, spill_bytes: int = SPILL_BYTES) -> None:
        self._memory: bytearray | None = bytearray()
        self._file: Any = None
        self._size = 0
        self._spill = spill_bytes
        self._lock = threading.Lock()

    def append(self, data: bytes) -> int:
        """Store ``data``; return its offset."""
        offset = self._size
        with self._lock:
            if self._memory is not None:
                self._memory += data
                if len(self._memory) > self._spill:
                    self._to_file()
            else:
                os.pwrite(self._file.fileno(), data, offset)
            self._size += len(data)
        return offset

    def _to_file(self) -> None:
        assert self._memory is not None
        try:
            handle = tempfile.TemporaryFile(prefix="paper-tui-")  # noqa: SIM115 - lives with the segment
            handle.write(self._memory)
            handle.flush()
        except OSError:
            self._spill = sys.maxsize  # no room on disk: stay in memory rather than fail the load
            return
        self._file = handle
        self._memory = None

    def read(self, offset: int, length: int) -> bytes:
        with self._lock:
            if self._memory is not None:
                return bytes(self._memory[offset : offset + length])
            data: bytes = os.pread(self._file.fileno(), length, offset)
            return data

    @property
    def size(self) -> int:
        return self._size


def join_authors(authors: Sequence[str]) -> str:
    return AUTHOR_SEP.join(a.replace(AUTHOR_SEP, " ") for a in authors)


def split_authors(joined: str) -> tuple[str, ...]:
    return tuple(joined.split(AUTHOR_SEP)) if joined else ()


def encode_rest(paper: Paper, line_delta: int = 0) -> bytes:
    """Every field but id, title, authors, date and abstract, as compact JSON.

    The links are ``null`` for an arXiv paper whose links are just its
    :func:`~paper_tui.model.id_links`.  ``line_delta`` is added to source lines: a
    worker that parsed a slice of a file counts lines from the slice's start."""
    links = paper.links
    return _dumps(
        [
            paper.arxiv_id,
            paper.doi,
            None if paper.arxiv_id and links == id_links(paper.arxiv_id, paper.doi) else links,
            paper.categories,
            [[s.path, s.line + line_delta] for s in paper.sources],
            paper.extras,
        ]
    ).encode()


def decode_categories(rest: bytes) -> tuple[str, ...]:
    """Only the categories of a blob's rest (see :func:`encode_rest`): no Paper built."""
    return tuple(_loads(rest)[3])


def decode_paper(pid: str, title: str, authors: str, date: str, abstract: bytes, rest: bytes) -> Paper:
    """The :class:`Paper` that columns plus a blob stand for, field for field."""
    arxiv_id, doi, links, categories, sources, extras = _loads(rest)
    return Paper(
        id=pid,
        title=title,
        authors=split_authors(authors),
        abstract=abstract.decode(),
        date=date,
        arxiv_id=arxiv_id,
        doi=doi,
        links=id_links(arxiv_id, doi) if links is None else tuple((k, v) for k, v in links),
        categories=tuple(categories),
        sources=tuple(Source(p, line) for p, line in sources),
        extras=tuple((k, v) for k, v in extras),
    )


class PaperBatch(Sequence[Paper]):
    """Papers in columns plus blob references: what :class:`Loader` yields and
    ``Corpus.extend`` takes without building a Paper per row."""

    def __init__(self, blobs: Blobs) -> None:
        self.blobs = blobs
        self.ids: list[str] = []
        self.titles: list[str] = []
        self.authors: list[str] = []
        self.dates: list[str] = []
        self.offsets = array("Q")
        self.abstract_lengths = array("I")
        self.rest_lengths = array("I")

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Paper: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Paper]: ...

    def __getitem__(self, index: int | slice) -> Paper | Sequence[Paper]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        offset = self.offsets[index]
        a_len = self.abstract_lengths[index]
        blob = self.blobs.read(offset, a_len + self.rest_lengths[index])
        return decode_paper(
            self.ids[index],
            self.titles[index],
            self.authors[index],
            self.dates[index],
            blob[:a_len],
            blob[a_len:],
        )

    def add_row(
        self, pid: str, title: str, authors: str, date: str, offset: int, a_len: int, r_len: int
    ) -> None:
        self.ids.append(pid)
        self.titles.append(title)
        self.authors.append(authors)
        self.dates.append(sys.intern(date))
        self.offsets.append(offset)
        self.abstract_lengths.append(a_len)
        self.rest_lengths.append(r_len)


@dataclass
class EncodedChunk:
    """Papers encoded for storage, not yet placed: blob offsets count from 0.
    Small to send between processes (a parse worker builds these)."""

    ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    #: Abstracts and rests back to back (bytes from the bulk path: no copy to make).
    blob: bytes | bytearray = field(default_factory=bytearray)
    offsets: array[int] = field(default_factory=lambda: array("Q"))
    abstract_lengths: array[int] = field(default_factory=lambda: array("I"))
    rest_lengths: array[int] = field(default_factory=lambda: array("I"))

    def __len__(self) -> int:
        return len(self.ids)


def encode_chunk(papers: Sequence[Paper], line_delta: int = 0) -> EncodedChunk:
    chunk = EncodedChunk()
    blob = bytearray()
    for paper in papers:
        abstract = paper.abstract.encode()
        rest = encode_rest(paper, line_delta)
        chunk.ids.append(paper.id)
        chunk.titles.append(paper.title)
        chunk.authors.append(join_authors(paper.authors))
        chunk.dates.append(paper.date)
        chunk.offsets.append(len(blob))
        chunk.abstract_lengths.append(len(abstract))
        chunk.rest_lengths.append(len(rest))
        blob += abstract
        blob += rest
    chunk.blob = blob
    return chunk


def place(chunk: EncodedChunk, blobs: Blobs, base: int) -> PaperBatch:
    """A batch of ``chunk``'s papers whose blob was stored in ``blobs`` at ``base``."""
    batch = PaperBatch(blobs)
    batch.ids = chunk.ids
    batch.titles = chunk.titles
    batch.authors = chunk.authors
    batch.dates = list(map(sys.intern, chunk.dates))
    batch.offsets = array("Q", map(base.__add__, chunk.offsets)) if base else chunk.offsets
    batch.abstract_lengths = chunk.abstract_lengths
    batch.rest_lengths = chunk.rest_lengths
    return batch


def batch_in_memory(papers: Sequence[Paper], blobs: AppendBlobs) -> PaperBatch:
    """Papers into a batch whose blobs go to ``blobs``."""
    chunk = encode_chunk(papers)
    return place(chunk, blobs, blobs.append(bytes(chunk.blob)))
