"""Streaming load of paper lists in batches, with progress, cancellation and the parse cache.

The app runs :meth:`Loader.batches` in a worker thread and hands each batch to
``Corpus.extend`` on the UI thread; ``paper-tui list`` drains it in one go.  A
batch is a ``Sequence[Paper]``: pass it to ``Corpus.extend`` (which takes a
cached batch's columns without building papers) rather than iterating it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paper_tui import cache, parallel
from paper_tui.compact import AppendBlobs, EncodedChunk, PaperBatch, encode_chunk, place
from paper_tui.formats import (
    FALLBACK_ENCODING,
    Format,
    LoadError,
    OpenedFile,
    Problem,
    expand_paths,
    iter_file,
)
from paper_tui.model import Paper

if TYPE_CHECKING:
    from paper_tui.search.stored import WordStore

DEFAULT_BATCH = 5000
#: The first batch of a load is small, so the list has something to show at once.
FIRST_BATCH = 500


@dataclass
class LoadProgress:
    """How far a load has come.  Written by the loading thread, read by the UI:
    each field is one attribute assignment, so a reader never sees a torn value."""

    papers: int = 0
    bytes_read: int = 0
    bytes_total: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    done: bool = False

    @property
    def elapsed(self) -> float:
        """Seconds since the load started (frozen once it is done)."""
        end = self.finished if self.finished is not None else time.monotonic()
        return max(0.0, end - self.started)

    @property
    def rate(self) -> float:
        """Papers per second so far."""
        elapsed = self.elapsed
        return self.papers / elapsed if elapsed > 0 else 0.0

    @property
    def fraction(self) -> float:
        """0..1 of the bytes to read (1 when there is nothing to read)."""
        if self.done or self.bytes_total <= 0:
            return 1.0
        return min(1.0, self.bytes_read / self.bytes_total)

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far, or None before there is a rate."""
        if self.done:
            return 0.0
        elapsed = self.elapsed
        if self.bytes_read <= 0 or elapsed <= 0 or self.bytes_total <= 0:
            return None
        speed = self.bytes_read / elapsed
        return max(0.0, (self.bytes_total - self.bytes_read) / speed)


class Loader:
    """Load ``paths`` (files, directories, globs, ``-``) in batches.

    The constructor expands the paths and raises :class:`LoadError` for a file
    that is missing or unreadable, so a bad command line fails at once.  A file
    that turns out to be empty, binary or of no known format raises
    :class:`LoadError` from :meth:`batches` when its turn comes.
    """

    def __init__(
        self,
        paths: Sequence[str],
        input_format: str | None = None,
        use_cache: bool = True,
    ) -> None:
        self.files: list[str] = expand_paths(paths)
        self.input_format = input_format
        self.use_cache = use_cache
        self.problems: list[Problem] = []
        self.notices: list[str] = []
        #: Files that could not be read at all, when there were others to read.
        self.skipped: list[LoadError] = []
        self._cancelled = threading.Event()
        #: Files served from the parse cache, and files parsed, in this load.
        self.from_cache: list[str] = []
        self.parsed: list[str] = []
        #: Per file read to its end, in order: its cache entry's key (None: no entry).
        self._entry_keys: list[str | None] = []
        self._sizes: dict[str, int] = {}
        for path in self.files:
            try:
                self._sizes[path] = _check_readable(path)
            except LoadError as error:
                if len(self.files) == 1:
                    raise
                self._skip(error)
        if not self._sizes:
            raise self.skipped[0]  # nothing to read
        self.files = [path for path in self.files if path in self._sizes]
        self.progress = LoadProgress(bytes_total=sum(self._sizes.values()))

    def _skip(self, error: LoadError, papers: int = 0) -> None:
        """Report a file that cannot be read (or read on) while the others load, in
        :attr:`skipped` and a notice (``list --strict`` fails on it); the load goes on."""
        what = (
            f"the rest of the file was skipped ({papers:,} papers read)" if papers else "the file was skipped"
        )
        self.skipped.append(error)
        self.notices.append(f"{error}: {what}")

    def cancel(self) -> None:
        """Ask :meth:`batches` to stop; it returns at its next paper."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def batches(self, batch_size: int = DEFAULT_BATCH) -> Iterator[Sequence[Paper]]:
        """Papers in batches of up to ``batch_size``, file by file, in file order.

        Safe to run in a worker thread (it touches nothing shared but
        :attr:`progress`, :attr:`problems` and :attr:`notices`).  The last batch
        of each file is yielded before the next file is opened.
        """
        self.progress.started = time.monotonic()
        read = 0
        try:
            for path in self.files:
                if self.cancelled:
                    return
                if len(self.files) == 1:
                    yield from self._file_batches(path, max(1, batch_size))
                    read += 1
                    continue
                # One file of several that cannot be read (a bad feed in a directory, an
                # empty file) is reported and passed over; the others still load.
                base = self.progress.bytes_read
                papers = self.progress.papers
                try:
                    yield from self._file_batches(path, max(1, batch_size))
                except LoadError as error:
                    self._skip(error, self.progress.papers - papers)
                    self._entry_keys.append(None)
                    self.progress.bytes_read = base + self._sizes[path]
                else:
                    read += 1
            if not read and self.skipped and not self.cancelled:
                raise self.skipped[0]  # not one of the files could be read
        finally:
            self.progress.finished = time.monotonic()
            self.progress.done = True

    def word_store(self, papers: int) -> WordStore | None:
        """Where the search word index of the corpus this load made (``papers`` long)
        is kept; None unless every file was read to its end and has a parse cache
        entry (files under :data:`cache.MIN_BYTES`, standard input, ``--no-cache``)."""
        keys = self._entry_keys
        if not self.use_cache or self.cancelled or len(keys) != len(self.files) or None in keys:
            return None
        from paper_tui.search.stored import WORDS_FORMAT, WordStore

        digest = hashlib.sha256(json.dumps([WORDS_FORMAT, keys]).encode()).hexdigest()
        stamps = tuple(json.loads(key)[0] for key in keys if key is not None)
        return WordStore(cache.words_path(self.files), digest, papers, stamps)

    def load_all(self) -> list[Paper]:
        """Every paper, for callers that do not stream (tests, small scripts)."""
        papers: list[Paper] = []
        for batch in self.batches():
            papers.extend(batch)
        return papers

    # -- one file ----------------------------------------------------------

    def _file_batches(self, path: str, batch_size: int) -> Iterator[Sequence[Paper]]:
        base_read = self.progress.bytes_read
        size = self._sizes[path]
        skip = 0
        if self.use_cache and path != "-" and size >= cache.MIN_BYTES:
            reader = cache.CacheReader.open(path, self.input_format)
            if reader is not None:
                try:
                    for batch in reader.batches():
                        if self.cancelled:
                            return
                        skip += len(batch)
                        self._advance(len(batch), base_read + size * skip // max(1, reader.count))
                        yield batch
                    self.from_cache.append(path)
                    self._entry_keys.append(reader.key)
                    self.problems.extend(reader.problems)
                    self.notices.extend(reader.notices)
                    self.progress.bytes_read = base_read + size
                    return
                except cache.CacheCorrupt:
                    # Damaged midway: parse the file, passing over what was already given.
                    cache.discard(reader)
        yield from self._parse(path, batch_size, base_read, skip)

    def _parse(self, path: str, batch_size: int, base_read: int, skip: int) -> Iterator[Sequence[Paper]]:
        opened, fmt = iter_file(path, self.input_format)
        display = "<stdin>" if path == "-" else path
        writer = self._writer(path, fmt.name, opened.size)
        memory = AppendBlobs()
        self.parsed.append(path)
        problems_before = len(self.problems)
        notices_before = len(self.notices)

        #: The entry being written, which parse workers write blobs into.
        entry = writer.blobs if writer is not None else None

        def store(chunk: EncodedChunk, written: cache.WrittenChunk | None) -> PaperBatch:
            nonlocal writer
            if written is not None and entry is not None:  # a worker wrote it into the entry
                if writer is not None:
                    return writer.add_written(written)
                # The entry was given up, but its file is still open: read it from there.
                return cache.stored_batch(entry, written.count, written.data, written.columns, written.codec)
            if writer is not None:
                try:
                    return writer.write_chunk(chunk)
                except OSError:  # a full disk costs the cache, never the load
                    writer.abort()
                    writer = None
            return place(chunk, memory, memory.append(bytes(chunk.blob)))

        if parallel.usable(path, fmt.name, opened.size):
            opened.stream.close()  # the workers read the file themselves
            sink = None
            if writer is not None:
                end = parallel.shared_end(0)
                writer.share_end(end)
                sink = (str(writer.temp), end)
            chunks = self._parallel_chunks(path, display, fmt.name, opened.size, sink)
        else:
            chunks = self._chunks(opened, fmt, display, batch_size)
        count = 0
        bad_bytes = 0
        try:
            for chunk, position, bad, written in chunks:
                if self.cancelled:
                    return
                bad_bytes += bad
                papers = written.count if written is not None else len(chunk)
                if not papers:
                    continue
                count += papers
                batch = _after(store(chunk, written), count, skip)
                if batch:
                    self._advance(len(batch), base_read + position)
                    yield batch
        except LoadError:
            raise
        except (UnicodeError, OSError) as error:
            raise LoadError(display, f"cannot read: {error}") from None
        finally:
            if writer is not None and (self.cancelled or sys.exc_info()[0] is not None):
                writer.abort()
                writer = None
        self.progress.bytes_read = base_read + opened.size
        if bad_bytes:
            self.notices.append(
                f"{display}: {bad_bytes} bytes were not UTF-8 and were read as {FALLBACK_ENCODING}"
            )
        if count == 0:
            self.notices.append(f"{display}: no papers in this {fmt.description}")
        if writer is not None:
            writer.commit(self.problems[problems_before:], self.notices[notices_before:])
        self._entry_keys.append(writer.key if writer is not None else None)

    def _chunks(
        self, opened: OpenedFile, fmt: Format, display: str, batch_size: int
    ) -> Iterator[tuple[EncodedChunk, int, int, cache.WrittenChunk | None]]:
        """Parse in this thread: (chunk, bytes read so far, bad bytes, None) per batch."""

        def report(line: int, reason: str) -> None:
            self.problems.append(Problem(display, line, reason))

        pending: list[Paper] = []
        limit = batch_size if self.progress.papers else min(batch_size, FIRST_BATCH)
        with opened.stream:
            for paper in fmt.parse(opened.stream, display, report):
                if self.cancelled:
                    return
                pending.append(paper)
                if len(pending) >= limit:
                    yield encode_chunk(pending), opened.counter.bytes_read, 0, None
                    pending = []
                    limit = batch_size
        yield encode_chunk(pending), opened.size, opened.fallback.count, None

    def _parallel_chunks(
        self, path: str, display: str, format_name: str, size: int, sink: tuple[str, Any] | None
    ) -> Iterator[tuple[EncodedChunk, int, int, cache.WrittenChunk | None]]:
        """Parse on every core: (chunk, bytes read so far, bad bytes, the chunk as a
        worker wrote it into the cache entry or None) per slice."""
        parts = parallel.parse_file(
            path, display, format_name, size, lambda: self.cancelled, sink, _compiled(format_name, size)
        )
        for part in parts:
            self.problems.extend(Problem(display, line, reason) for line, reason in part.problems)
            yield part.chunk, part.end, part.bad_bytes, part.written

    def _writer(self, path: str, format_name: str, size: int) -> cache.CacheWriter | None:
        if not self.use_cache or path == "-" or size < cache.MIN_BYTES:
            return None
        try:
            return cache.CacheWriter(path, format_name)
        except OSError:
            return None  # an unwritable cache directory: load without it

    def _advance(self, papers: int, bytes_read: int) -> None:
        self.progress.papers += papers
        self.progress.bytes_read = min(bytes_read, self.progress.bytes_total or bytes_read)


def _after(batch: PaperBatch, count: int, skip: int) -> Sequence[Paper]:
    """The part of ``batch`` (which ends at paper ``count``) past the first ``skip`` papers."""
    if not batch:
        return batch
    first = count - len(batch)
    if first >= skip:
        return batch
    return batch[skip - first :] if count > skip else []


def _check_readable(path: str) -> int:
    """The size of ``path`` (0 for standard input); :class:`LoadError` if it cannot be read."""
    if path == "-":
        return 0
    if not os.path.exists(path):
        raise LoadError(path, "no such file")
    if os.path.isdir(path):
        raise LoadError(path, "is a directory")
    try:
        with open(path, "rb"):
            pass
        return os.stat(path).st_size
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror or error}") from None


def _compiled(format_name: str, size: int) -> bool:
    """Shall the parse workers read this file with the compiled reader?  Only a big
    arXiv snapshot, once the reader has been compiled on this machine; the first such
    file starts its compiling in the background, for the next."""
    if format_name != "arxiv-snapshot":
        return False
    from paper_tui.formats import compiled

    if size < compiled.MIN_BYTES:
        return False
    if compiled.ready():
        return True
    compiled.warm_later()
    return False
