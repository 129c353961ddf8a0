"""Parsing one big line-per-record file on every core.

Turning a record into a clean :class:`Paper` costs about 0.1 ms of Python (the
arXiv snapshot's bulk path, which makes rows without Papers, about 0.04 ms), so a
million-line snapshot is a minute of one core.  For formats with one record per
line, the file is cut at line ends into slices; worker processes parse slices
and send back :class:`EncodedChunk` s (columns and blob bytes, cheap to pickle,
unlike Paper objects), in file order.  The first slice is small and parsed in
this process while the workers start, so the first papers arrive as fast as in
a plain parse.  Papers, line numbers and skipped-record reports are the same as
a plain parse gives.
"""

from __future__ import annotations

import codecs
import io
import mmap
import multiprocessing
import os
import pickle
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from paper_tui.cache import WrittenChunk, write_into
from paper_tui.compact import EncodedChunk, encode_chunk
from paper_tui.formats import MAX_LINE_CHARS, LoadError, _Fallback, get_format

#: Formats whose every record is exactly one line.
LINE_FORMATS = frozenset({"arxiv-snapshot", "paper-tui-jsonl"})
#: Below this, starting workers costs more than it saves.
MIN_BYTES = 32 * 1024 * 1024
SLICE_BYTES = 4 * 1024 * 1024
FIRST_SLICE_BYTES = 256 * 1024
MAX_WORKERS = 8
#: A blob goes down the pipe's file descriptor as it is (Windows pipes have none).
_RAW_PIPE = sys.platform != "win32"


def shared_end(value: int) -> Any:
    """A counter the workers and this process share (the end of a cache entry's data)."""
    return multiprocessing.get_context("spawn").Value("Q", value)


def workers() -> int:
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, count))


def usable(path: str, format_name: str, size: int) -> bool:
    return path != "-" and format_name in LINE_FORMATS and size >= MIN_BYTES and workers() > 1


@dataclass
class ParsedSlice:
    chunk: EncodedChunk
    #: (line, reason) of skipped records, lines counted from the file's start.
    problems: list[tuple[int, str]] = field(default_factory=list)
    bad_bytes: int = 0
    #: Byte offset where the slice ends.
    end: int = 0
    #: Set when a worker wrote the chunk whole into the cache entry (``chunk`` is
    #: then empty): where, and its columns.
    written: WrittenChunk | None = None


Job = tuple[str, str, str, int, int, int]


def parse_slice(job: Job, compiled: bool = False) -> ParsedSlice:
    """Parse bytes ``start .. start + length`` of a file (whole lines) in this process
    (``compiled``: with the compiled reader where the format has one, see
    :mod:`~paper_tui.formats.compiled`)."""
    path, display, format_name, start, length, first_line = job
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(length)
    delta = first_line - 1
    problems: list[tuple[int, str]] = []

    def report(line: int, reason: str) -> None:
        problems.append((line + delta, reason))

    fmt = get_format(format_name)
    encode_lines = getattr(fmt, "encode_lines", None)
    if encode_lines is not None:  # straight to rows, no Paper objects (arXiv snapshot)
        body = data[len(codecs.BOM_UTF8) :] if start == 0 and data.startswith(codecs.BOM_UTF8) else data
        chunk = encode_lines(body, display, delta, report, compiled)
        if chunk is not None:
            return ParsedSlice(chunk, problems, 0, start + length)
    fallback = _Fallback()
    handler = f"paper_tui_slice_{os.getpid()}_{start}"
    codecs.register_error(handler, fallback)
    text = data.decode("utf-8-sig" if start == 0 else "utf-8", errors=handler)
    stream = io.StringIO(text, newline=None)
    papers = list(fmt.parse(stream, display, report))
    return ParsedSlice(encode_chunk(papers, delta), problems, fallback.count, start + length)


def slices(path: str, size: int) -> Iterator[tuple[int, int, int]]:
    """``(start, length, first line)`` of slices ending at line ends.

    The file is mapped, not read: a cut is the last newline before a slice's end, and
    lines are counted by numpy (a gigabyte snapshot would cost this process seconds
    of ``read`` and ``bytes.count`` while the workers wait for their first lines).
    A line longer than :data:`~paper_tui.formats.MAX_LINE_CHARS` stops the load with
    one :class:`~paper_tui.formats.LoadError`, as the one-core reader does, instead
    of being read whole into memory."""
    if size <= 0:
        return
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        size = min(size, len(view))
        import numpy

        buffer = numpy.empty(_COUNT_STEP, numpy.bool_)
        start = 0
        line = 1
        want = FIRST_SLICE_BYTES
        while start < size:
            end = min(size, start + want)
            if end < size:
                cut = view.rfind(b"\n", start, end)
                if cut < 0:  # a line longer than a slice: on to its end
                    cut = view.find(b"\n", end, start + MAX_LINE_CHARS)
                    if cut < 0 and size - start >= MAX_LINE_CHARS:
                        raise LoadError(
                            path,
                            f"a line longer than {MAX_LINE_CHARS >> 20}M characters: not a paper list",
                            line,
                        )
                end = cut + 1 if cut >= 0 else size
            yield start, end - start, line
            line += _newlines(view, start, end, buffer)
            start = end
            want = SLICE_BYTES


#: Bytes compared at a time when counting newlines: the comparison's output fits in
#: the core's cache, and is made into the same buffer each time.
_COUNT_STEP = 256 * 1024


def _newlines(view: mmap.mmap, start: int, end: int, buffer: Any) -> int:
    """Newlines in ``view[start:end]``, counted in place (numpy: a tenth of bytes.count).

    The comparison goes into one small buffer, step by step: a 4 MB comparison
    made afresh for every slice cost this process a page fault per 4 KB, and a
    second or more of its CPU per million papers, on the cores the workers use.
    ``buffer`` is a boolean array of :data:`_COUNT_STEP` items."""
    import numpy

    count = 0
    for first in range(start, end, _COUNT_STEP):
        size = min(_COUNT_STEP, end - first)
        data = numpy.frombuffer(view, numpy.uint8, size, first)
        out = buffer[:size]
        numpy.equal(data, 10, out=out)
        count += int(numpy.count_nonzero(out))
        del data  # the map cannot close while an array looks at it
    if hasattr(view, "madvise"):
        # Unmap the pages just read from this process (the page cache keeps them for
        # the workers): else a whole snapshot would count as this process's memory.
        first = start - start % mmap.PAGESIZE
        view.madvise(mmap.MADV_DONTNEED, first, end - first)
    return count


def _serve(connection: Connection, sink: str | None = None, end: Any = None, compiled: bool = False) -> None:
    """A worker: parse each job received and send back the slice, until ``None``.

    With a ``sink`` (the parse cache entry being written) and ``end`` (the shared
    end of its data, see :meth:`~paper_tui.cache.CacheWriter.share_end`), the worker
    writes each slice's chunk into the entry itself and sends back where, with its
    columns encoded as the entry stores them: the blobs (abstracts and the rest, 1.5
    GB a million papers) then never cross a pipe, and the loading process neither
    reads nor writes them (4 to 5 s of its kernel time at a million papers, taken
    from the two cores the workers parse on), nor encodes the columns.

    Else a slice goes as a message, the slice pickled without its blob but with the
    blob's size, then the blob's bytes written straight to the pipe: the loading
    process reads them into one buffer (``Connection.recv_bytes`` gathers a big
    message in a BytesIO that grows, piece by piece: three copies of every blob, 1 s
    of its CPU per million papers).  A Pool cost more: its pickler writes through a
    growing BytesIO in 64 KB frames (8 ms of a 4 MB chunk), and its worker-handler
    thread spins while a big result sits in the pipe (0.3 s of the loading process's
    CPU per 100k papers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the loading process's to handle
    target = -1
    if sink is not None and end is not None:
        try:
            target = os.open(sink, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        except OSError:
            target = -1  # blobs go down the pipe, and the loading process writes them
    try:
        while True:
            try:
                job = connection.recv()
            except EOFError:
                return
            if job is None:
                return
            blob: bytes | bytearray = b""
            try:
                part = parse_slice(job, compiled)
                if target >= 0 and len(part.chunk):
                    part.written = write_into(target, end, part.chunk)
                    if part.written is not None:
                        part.chunk = EncodedChunk()  # its columns travel in part.written
                blob, part.chunk.blob = part.chunk.blob, b""
                payload = pickle.dumps((True, part, len(blob)), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as error:  # sent back to be raised where the load can report it
                try:
                    payload = pickle.dumps((False, error, 0))
                except Exception:
                    payload = pickle.dumps((False, RuntimeError(repr(error)), 0))
                connection.send_bytes(payload)
                continue
            connection.send_bytes(payload)
            if not blob:
                continue
            if _RAW_PIPE:
                _write_all(connection.fileno(), blob)
            else:
                connection.send_bytes(blob)
    finally:
        if target >= 0:
            os.close(target)


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytearray:
    """``size`` bytes from ``fd``, read into one buffer."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    done = 0
    while done < size:
        count = os.readv(fd, [view[done:]])
        if count == 0:
            raise EOFError
        done += count
    return buffer


def _receive(connection: Connection) -> ParsedSlice:
    try:
        ok, value, size = pickle.loads(connection.recv_bytes())
        if ok and size:  # else the blob was empty, or a worker wrote it into the entry
            if _RAW_PIPE:
                value.chunk.blob = _read_exactly(connection.fileno(), size)
            else:
                value.chunk.blob = connection.recv_bytes()
    except (EOFError, ConnectionError):  # killed, or out of memory
        raise OSError("a parse worker stopped") from None
    if not ok:
        raise value
    part: ParsedSlice = value
    return part


def parse_file(
    path: str,
    display: str,
    format_name: str,
    size: int,
    cancelled: Callable[[], bool],
    sink: tuple[str, Any] | None = None,
    compiled: bool = False,
) -> Iterator[ParsedSlice]:
    """Every slice of ``path`` parsed, in file order.

    Slice ``i`` goes to worker ``i % workers``, so each worker's results come back
    in its jobs' order and are read in file order; a worker has at most three
    queued.  The first slice is parsed here while the workers start.  ``sink`` is
    a cache entry being written, which the workers write chunks into, and the shared
    end of its data (see :func:`_serve`); slices they wrote have
    :attr:`ParsedSlice.written` set.  ``compiled``: the workers read with the
    compiled reader (the first slice is parsed here the usual way, without numba)."""
    count = workers()
    context = multiprocessing.get_context("spawn")  # fork is unsafe from the app's threads
    crew: list[tuple[BaseProcess, Connection]] = []
    order: deque[Connection] = deque()
    try:
        for _ in range(count):
            mine, theirs = context.Pipe()
            args = (theirs, *(sink or (None, None)), compiled)
            worker: BaseProcess = context.Process(target=_serve, args=args, daemon=True)
            worker.start()
            theirs.close()
            crew.append((worker, mine))

        sent = 0

        def send(part: tuple[int, int, int]) -> None:
            nonlocal sent
            connection = crew[sent % count][1]
            try:
                connection.send((path, display, format_name, *part))
            except ConnectionError:  # its worker was killed
                raise OSError("a parse worker stopped") from None
            order.append(connection)
            sent += 1

        parts = slices(path, size)
        first = next(parts, None)
        if first is None:
            return
        for part in parts:  # queue a few slices so workers start while the first is parsed here
            send(part)
            if len(order) >= count:
                break
        yield parse_slice((path, display, format_name, *first))
        for part in parts:
            if cancelled():
                return
            send(part)
            if len(order) > 2 * count:
                yield _receive(order.popleft())
        while order:
            if cancelled():
                return
            yield _receive(order.popleft())
    finally:
        for process, connection in crew:
            process.terminate()
            connection.close()
        for process, _connection in crew:
            process.join()
