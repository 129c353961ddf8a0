"""The parse cache: a second open of a big file reads columns back instead of parsing.

One entry per source file, under ``paths.cache_dir()/parsed/``, named by a hash
of the file's resolved path.  An entry is valid while the file's size and
``mtime_ns``, the format it was read as, and the parser version (this module's
format number, the program version and the format registry) are unchanged;
otherwise it is rebuilt, silently, on the next open.

Entry layout (all integers little-endian)::

    b"PTCACHE1"
    chunk*            blobs of the chunk's papers (abstract + rest, see compact.py),
                      and its columns (ids, titles, authors, dates: UTF-8 joined by
                      NUL, or JSON if a value holds a NUL) followed by its
                      arrays (offsets u64, abstract lengths u32, rest lengths u32);
                      parse workers write blobs as they finish, so the blobs and
                      columns of chunks may be interleaved in any order
    meta              JSON: the stamp, the chunk directory with a CRC-32 of each
                      chunk's columns and arrays, problems and notices
    trailer           u64 meta offset, u64 meta length, b"PTCEND01"

Entries are written to a temporary name and renamed into place, so a reader sees
a whole entry or none.  A truncated or damaged entry fails the checks and is
rebuilt.  The abstracts are then read by offset from the entry's file, which is
what keeps a million papers in a few hundred megabytes.

Beside the entries, ``words/`` keeps the search engine's abstract word index of a
loaded set of files (see :mod:`paper_tui.search.stored`), named by a hash of the
files' resolved paths in order and keyed by their entries' :attr:`CacheReader.key`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import sys
import threading
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paper_tui import __version__
from paper_tui.compact import Blobs, EncodedChunk, FileBlobs, PaperBatch, encode_chunk, place, pwrite_all
from paper_tui.formats import Problem, format_names, get_format
from paper_tui.model import Paper

#: Bump when the layout above, the compact encoding or what parsing gives changes
#: (3: lone surrogates shown as U+FFFD, DOIs cleaned before use; 4: a lone 8-bit
#: C1 introducer no longer takes the rest of the text away; 5: the usual arXiv links
#: kept as null, chunks written by parse workers; 6: citations, font switches and TeX
#: quotes converted).
CACHE_FORMAT = 6
MAGIC = b"PTCACHE1"
END = b"PTCEND01"
TRAILER = struct.Struct("<QQ8s")
SUFFIX = ".ptc"
#: Files smaller than this parse faster than a cache entry pays for itself.
MIN_BYTES = 1024 * 1024

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class CacheCorrupt(Exception):
    """An entry that failed a check while being read."""


def entries_dir() -> Path:
    from paper_tui.paths import cache_dir

    return cache_dir() / "parsed"


def entry_path(source: str) -> Path:
    resolved = str(Path(source).resolve())
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return entries_dir() / f"{digest}{SUFFIX}"


def parser_version(format_name: str) -> str:
    """What the parsed result depends on besides the file itself."""
    fmt = get_format(format_name)
    return f"{CACHE_FORMAT}/{__version__}/{getattr(fmt, 'version', 0)}/{','.join(format_names())}"


@dataclass(frozen=True)
class Stamp:
    """The source file as it was when parsed."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, source: str) -> Stamp:
        info = os.stat(source)
        return cls(str(Path(source).resolve()), info.st_size, info.st_mtime_ns)

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns}


def entry_key(stamp: dict[str, Any], format_name: str, parser: str) -> str:
    """What one entry's papers are a function of: the file as it was, the format it
    was read as and the parser version (part of the word index's key)."""
    return _dumps([stamp, format_name, parser])


# ---------------------------------------------------------------------------
# Reading


class CacheReader:
    """A valid entry, open; :meth:`batches` yields its papers chunk by chunk."""

    def __init__(self, path: Path, blobs: FileBlobs, meta: dict[str, Any], meta_offset: int) -> None:
        self.path = path
        self.blobs = blobs
        self.meta = meta
        self._meta_offset = meta_offset
        self.count: int = int(meta["count"])
        self.format_name: str = str(meta["format"])
        self.problems = [Problem(str(p), int(line), str(m)) for p, line, m in meta["problems"]]
        self.notices = [str(n) for n in meta["notices"]]
        self.key = entry_key(meta["stamp"], self.format_name, str(meta["parser"]))

    @classmethod
    def open(cls, source: str, input_format: str | None) -> CacheReader | None:
        """The valid entry for ``source``, or None.  A damaged entry is removed."""
        path = entry_path(source)
        try:
            blobs = FileBlobs(path)
        except OSError:
            return None
        try:
            reader = cls._check(path, blobs, source, input_format)
        except (CacheCorrupt, OSError, ValueError, KeyError, TypeError, struct.error):
            blobs.close()
            _remove(path)
            return None
        if reader is None:
            blobs.close()
        return reader

    @classmethod
    def _check(
        cls, path: Path, blobs: FileBlobs, source: str, input_format: str | None
    ) -> CacheReader | None:
        size = os.fstat(blobs.fd).st_size
        if size < len(MAGIC) + TRAILER.size or blobs.read(0, len(MAGIC)) != MAGIC:
            raise CacheCorrupt("not a cache entry")
        meta_offset, meta_length, end = TRAILER.unpack(blobs.read(size - TRAILER.size, TRAILER.size))
        if end != END or meta_offset + meta_length + TRAILER.size != size:
            raise CacheCorrupt("truncated")
        meta = json.loads(blobs.read(meta_offset, meta_length))
        if not isinstance(meta, dict) or meta.get("cache_format") != CACHE_FORMAT:
            raise CacheCorrupt("another layout")
        if meta["stamp"] != Stamp.of(source).as_json():
            return None  # the file changed: stale, rebuilt by the caller
        name = str(meta["format"])
        if input_format and name != input_format:
            return None
        try:
            if meta["parser"] != parser_version(name):
                return None
        except KeyError:
            return None  # a format this version no longer has
        for _count, start, columns, arrays, _crc, _codec in meta["chunks"]:
            if not len(MAGIC) <= start <= start + columns + arrays <= meta_offset:
                raise CacheCorrupt("chunk out of bounds")
        return cls(path, blobs, meta, meta_offset)

    def batches(self, skip_chunks: int = 0) -> Iterator[PaperBatch]:
        """Each chunk as a batch; :class:`CacheCorrupt` if one fails its checksum."""
        for count, start, columns, arrays, crc, codec in self.meta["chunks"][skip_chunks:]:
            data = self.blobs.read(start, columns + arrays)
            if len(data) != columns + arrays or zlib.crc32(data) != crc:
                raise CacheCorrupt("checksum")
            yield stored_batch(self.blobs, count, data, columns, codec)


#: How a chunk's columns are stored: NUL-joined (splitting is 3x faster than JSON) or JSON.
NUL_JOINED, JSON_LIST = 0, 1


def stored_chunk(chunk: EncodedChunk | PaperBatch) -> tuple[bytes, int, int, int]:
    """A chunk's columns and arrays as an entry stores them (its offsets already
    placed): the bytes, the columns' length, their codec and the CRC-32 of it all."""
    values = [*chunk.ids, *chunk.titles, *chunk.authors, *chunk.dates]
    joined = "\0".join(values)
    if joined.count("\0") == max(0, len(values) - 1):
        columns, codec = joined.encode("utf-8", "surrogatepass"), NUL_JOINED
    else:
        columns, codec = _dumps([chunk.ids, chunk.titles, chunk.authors, chunk.dates]).encode(), JSON_LIST
    arrays = (chunk.offsets, chunk.abstract_lengths, chunk.rest_lengths)
    data = columns + b"".join(column.tobytes() for column in arrays)
    return data, len(columns), codec, zlib.crc32(data)


def stored_batch(blobs: Blobs, count: int, data: bytes, columns: int, codec: int) -> PaperBatch:
    """The batch a chunk's stored columns and arrays (see :func:`stored_chunk`) describe,
    its blobs in ``blobs``; :class:`CacheCorrupt` if they do not add up."""
    try:
        ids, titles, authors, dates = _decode_columns(data[:columns], count, codec)
        offsets = array("Q")
        offsets.frombytes(data[columns : columns + 8 * count])
        abstract_lengths = array("I")
        abstract_lengths.frombytes(data[columns + 8 * count : columns + 12 * count])
        rest_lengths = array("I")
        rest_lengths.frombytes(data[columns + 12 * count : columns + 16 * count])
    except (ValueError, TypeError) as error:
        raise CacheCorrupt(str(error)) from None
    if not len(ids) == len(titles) == len(authors) == len(dates) == len(offsets) == count:
        raise CacheCorrupt("column lengths")
    batch = PaperBatch(blobs)
    batch.ids = ids
    batch.titles = titles
    batch.authors = authors
    # A few thousand distinct dates: one string each, not one per paper (60 MB a million).
    batch.dates = list(map(sys.intern, dates))
    batch.offsets = offsets
    batch.abstract_lengths = abstract_lengths
    batch.rest_lengths = rest_lengths
    return batch


def _decode_columns(data: bytes, count: int, codec: int) -> list[list[str]]:
    if codec == JSON_LIST:
        columns: list[list[str]] = json.loads(data)
        return columns
    if codec != NUL_JOINED:
        raise CacheCorrupt("unknown column codec")
    values = data.decode("utf-8", "surrogatepass").split("\0") if count else []
    if len(values) != 4 * count:
        raise CacheCorrupt("column count")
    return [values[i * count : (i + 1) * count] for i in range(4)]


def discard(reader: CacheReader) -> None:
    """Remove a damaged entry.  Its file stays open for the batches already handed out."""
    _remove(reader.path)


# ---------------------------------------------------------------------------
# Writing


class CacheWriter:
    """Builds an entry while a file is parsed: :meth:`write_batch` per batch, then
    :meth:`commit` (or :meth:`abort`).  The batches it returns read their blobs
    from the entry being written, so nothing is held twice in memory.

    Every write goes at a place taken from the end of the entry's data, so parse
    workers may write blobs into the entry at the same time (see :meth:`share_end`
    and :func:`paper_tui.parallel._serve`): only the chunk directory says where a
    chunk's columns are, and the columns say where each blob is."""

    def __init__(self, source: str, format_name: str) -> None:
        self.source = source
        self.format_name = format_name
        self.stamp = Stamp.of(source)
        self.final = entry_path(source)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        remove_orphans(self.final)
        self.temp = self.final.with_name(f"{self.final.name}.tmp-{os.getpid()}-{id(self):x}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        self._fd = os.open(self.temp, flags, 0o644)
        #: The end of the data written so far (an object with ``value`` and
        #: ``get_lock()``: this process's own, or one shared with parse workers).
        self._end: Any = _End(0)
        try:
            self._write(MAGIC)
            self.blobs = FileBlobs(self.temp)
        except OSError:
            self.abort()
            raise
        self._chunks: list[list[int]] = []
        self.count = 0
        #: Set by a successful :meth:`commit` (see :func:`entry_key`).
        self.key: str | None = None

    def share_end(self, end: Any) -> None:
        """Take places from ``end`` (a counter shared with the processes that write
        blobs into :attr:`temp`), starting it at the end of what is written."""
        with self._end.get_lock():
            end.value = self._end.value
            self._end = end

    def _write(self, data: bytes | bytearray) -> int:
        """Write ``data`` at a place taken from the end; its offset."""
        offset = take_place(self._end, len(data))
        pwrite_all(self._fd, data, offset)
        return offset

    def write_batch(self, papers: Sequence[Paper]) -> PaperBatch:
        """Write ``papers`` as one chunk; return them as a batch backed by the entry."""
        return self.write_chunk(encode_chunk(papers))

    def write_chunk(self, chunk: EncodedChunk) -> PaperBatch:
        """Write an encoded chunk; return its papers as a batch backed by the entry."""
        return self.add_chunk(chunk, self._write(chunk.blob))

    def add_chunk(self, chunk: EncodedChunk, base: int) -> PaperBatch:
        """Write the columns of a chunk whose blob is in the entry at ``base``;
        return its papers as a batch backed by the entry."""
        batch = place(chunk, self.blobs, base)
        data, columns, codec, crc = stored_chunk(batch)
        self._list(WrittenChunk(len(chunk), self._write(data), data, columns, codec, crc))
        return batch

    def add_written(self, written: WrittenChunk) -> PaperBatch:
        """List a chunk a parse worker wrote whole into the entry (see
        :func:`write_into`); return its papers as a batch backed by the entry."""
        batch = stored_batch(self.blobs, written.count, written.data, written.columns, written.codec)
        self._list(written)
        return batch

    def _list(self, written: WrittenChunk) -> None:
        columns = written.columns
        self._chunks.append(
            [written.count, written.start, columns, len(written.data) - columns, written.crc, written.codec]
        )
        self.count += written.count

    def commit(self, problems: Sequence[Problem], notices: Sequence[str]) -> bool:
        """Finish the entry and move it into place; False (and no entry) if the
        source changed while it was read or the entry could not be written."""
        try:
            if Stamp.of(self.source) != self.stamp:
                self.abort()
                return False
            meta = _dumps(
                {
                    "cache_format": CACHE_FORMAT,
                    "stamp": self.stamp.as_json(),
                    "format": self.format_name,
                    "parser": parser_version(self.format_name),
                    "count": self.count,
                    "chunks": self._chunks,
                    "problems": [[p.path, p.line, p.message] for p in problems],
                    "notices": list(notices),
                }
            ).encode()
            offset = take_place(self._end, 0)  # the meta goes at the end of the data
            self._write(meta + TRAILER.pack(offset, len(meta), END))
            # No fsync: a crash can at worst leave a short file, which the trailer
            # check rejects; syncing a gigabyte would cost seconds on every first open.
            os.close(self._fd)
            self._fd = -1
            os.replace(self.temp, self.final)
            self.key = entry_key(self.stamp.as_json(), self.format_name, parser_version(self.format_name))
            return True
        except OSError:
            self.abort()
            return False

    def abort(self) -> None:
        """Drop the entry (batches already handed out stay readable: their file is open)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
        _remove(self.temp)


@dataclass
class WrittenChunk:
    """A chunk a parse worker wrote whole into an entry being written: its blob, then
    its columns and arrays (``data``, see :func:`stored_chunk`) at ``start``."""

    count: int
    start: int
    data: bytes
    columns: int
    codec: int
    crc: int


def write_into(fd: int, end: Any, chunk: EncodedChunk) -> WrittenChunk | None:
    """Write ``chunk`` (blob, columns and arrays) into an entry being written, open
    as ``fd``, at places taken from its shared ``end`` (see :meth:`CacheWriter.share_end`);
    ``None`` if it could not be written (a full disk: the caller sends it on).

    Run by a parse worker, so that the loading process neither receives nor writes
    the chunk's bytes: it lists the chunk and reads its columns back from ``data``."""
    blob = chunk.blob
    base = take_place(end, len(blob))
    placed = EncodedChunk(
        chunk.ids,
        chunk.titles,
        chunk.authors,
        chunk.dates,
        b"",
        array("Q", map(base.__add__, chunk.offsets)),
        chunk.abstract_lengths,
        chunk.rest_lengths,
    )
    data, columns, codec, crc = stored_chunk(placed)
    start = take_place(end, len(data))
    try:
        pwrite_all(fd, blob, base)
        pwrite_all(fd, data, start)
    except OSError:
        return None  # the places taken stay holes: nothing lists them
    return WrittenChunk(len(chunk), start, data, columns, codec, crc)


def take_place(end: Any, size: int) -> int:
    """Take ``size`` bytes at the end of an entry's data (``end``: a counter with
    ``value`` and ``get_lock()``, maybe shared with parse workers); their offset."""
    with end.get_lock():
        offset = int(end.value)
        end.value = offset + size
    return offset


class _End:
    """The end of an entry's data when no other process writes into it."""

    def __init__(self, value: int) -> None:
        self.value = value
        self._lock = threading.Lock()

    def get_lock(self) -> threading.Lock:
        return self._lock


def remove_orphans(final: Path) -> int:
    """Remove the unfinished files of ``final`` (``final.tmp-PID-...``) whose writing
    process is gone: a load killed midway (a crash, ``kill -9``, a power cut) leaves
    one, as big as the entry would have been (gigabytes for the arXiv snapshot), which
    nothing would read again.  Another running process's file is left alone (a second
    instance opening the same file).  Returns how many were removed."""
    removed = 0
    try:
        candidates = list(final.parent.glob(f"{final.name}.tmp-*"))
    except OSError:
        return 0
    for path in candidates:
        pid_text = path.name[len(final.name) + len(".tmp-") :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            path.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (or might: when in doubt, it does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, ValueError, OverflowError):
        return True  # another user's process, or no way to ask: keep its file
    return True


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# ---------------------------------------------------------------------------
# The size report and clearing


@dataclass
class EntryInfo:
    path: Path
    bytes: int
    source: str
    papers: int
    #: "" when valid; else why it will be rebuilt (or "unreadable").
    state: str


def entries() -> list[EntryInfo]:
    """Every entry in the cache, with what it holds."""
    return _listing(entries_dir(), SUFFIX, _describe)


def _listing(folder: Path, suffix: str, describe: Callable[[Path, int], EntryInfo]) -> list[EntryInfo]:
    """Each file of ``folder``: ``describe``-d when it ends in ``suffix``, else unfinished."""
    if not folder.is_dir():
        return []
    found: list[EntryInfo] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        size = path.stat().st_size
        if not path.name.endswith(suffix):
            found.append(EntryInfo(path, size, "", 0, "unfinished"))
            continue
        found.append(describe(path, size))
    return found


def _trailer_meta(path: Path, size: int, end: bytes) -> Any:
    """The JSON meta of a file ending in ``TRAILER`` with marker ``end``."""
    with open(path, "rb") as handle:
        handle.seek(size - TRAILER.size)
        meta_offset, meta_length, marker = TRAILER.unpack(handle.read(TRAILER.size))
        if marker != end:
            raise CacheCorrupt("truncated")
        handle.seek(meta_offset)
        return json.loads(handle.read(meta_length))


def _state(stamps: list[Any]) -> str:
    """Empty while every source is as stamped; else why the file will be rebuilt."""
    try:
        if any(Stamp.of(str(stamp["path"])).as_json() != stamp for stamp in stamps):
            return "stale"
    except OSError:
        return "source gone"
    return ""


def _describe(path: Path, size: int) -> EntryInfo:
    try:
        meta = _trailer_meta(path, size, END)
        source = str(meta["stamp"]["path"])
        papers = int(meta["count"])
    except (OSError, ValueError, KeyError, TypeError, struct.error, CacheCorrupt):
        return EntryInfo(path, size, "", 0, "unreadable")
    return EntryInfo(path, size, source, papers, _state([meta["stamp"]]))


# ---------------------------------------------------------------------------
# Search word indexes (written and read by paper_tui.search.stored)

WORDS_SUFFIX = ".ptw"
#: The trailer marker of a stored word index (paper_tui.search.stored.END).
WORDS_END = b"PTWEND01"


def words_dir() -> Path:
    from paper_tui.paths import cache_dir

    return cache_dir() / "words"


def words_path(sources: Sequence[str]) -> Path:
    """The word index file of a load of ``sources``, in this order."""
    resolved = "\n".join(str(Path(source).resolve()) for source in sources)
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return words_dir() / f"{digest}{WORDS_SUFFIX}"


def word_indexes() -> list[EntryInfo]:
    """Every stored word index; ``source`` names its files, ``papers`` counts its papers."""
    return _listing(words_dir(), WORDS_SUFFIX, _describe_words)


def _describe_words(path: Path, size: int) -> EntryInfo:
    try:
        meta = _trailer_meta(path, size, WORDS_END)
        stamps = list(meta["sources"])
        papers = int(meta["size"])
        names = [str(stamp["path"]) for stamp in stamps]
    except (OSError, ValueError, KeyError, TypeError, struct.error, CacheCorrupt):
        return EntryInfo(path, size, "", 0, "unreadable")
    source = (names[0] if names else "?") + (f" and {len(names) - 1} more" if len(names) > 1 else "")
    return EntryInfo(path, size, f"search index of {source}", papers, _state(stamps))


def clear() -> tuple[int, int]:
    """Remove every entry and stored word index (and unfinished ones); return
    (files removed, bytes freed)."""
    removed = freed = 0
    for folder, suffix in ((entries_dir(), SUFFIX), (words_dir(), WORDS_SUFFIX)):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and suffix in path.name:
                size = path.stat().st_size
                try:
                    path.unlink()
                except OSError:
                    continue
                removed += 1
                freed += size
    return removed, freed
