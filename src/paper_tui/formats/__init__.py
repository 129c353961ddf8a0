"""Input formats behind one small registry: sniff, parse to papers, report bad records.

Each format module defines a ``FORMAT`` object with ``name``, ``description``,
``extensions``, ``sniff(head, path) -> float`` (0 = not this, 1 = certainly this)
and ``parse(stream, path, report) -> Iterator[Paper]``; ``report(line, reason)``
records a skipped record and parsing goes on.  A problem that stops a whole file
raises :class:`LoadError`.
"""

from __future__ import annotations

import codecs
import glob
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol, cast

from paper_tui.model import Paper

Report = Callable[[int, str], None]


class Format(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    def sniff(self, head: str, path: str) -> float: ...

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]: ...


class LoadError(Exception):
    """A file that cannot be read at all: names the file and, where it helps, the line."""

    def __init__(self, path: str, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that was skipped, and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class LoadResult:
    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Things the user should know that are not errors (an empty feed, a fallback encoding).
    notices: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _registry() -> list[Format]:
    from paper_tui.formats import registry

    return registry.FORMATS


def format_names() -> list[str]:
    return [f.name for f in _registry()]


def get_format(name: str) -> Format:
    for fmt in _registry():
        if fmt.name == name:
            return fmt
    raise KeyError(name)


HEAD_BYTES = 64 * 1024
FALLBACK_ENCODING = "cp1252"


def detect_format(head: str, path: str) -> Format | None:
    """The format whose sniffer is surest of ``head`` (the file's first characters)."""
    best: tuple[float, Format] | None = None
    for fmt in _registry():
        score = fmt.sniff(head, path)
        if score > 0 and (best is None or score > best[0]):
            best = (score, fmt)
    return best[1] if best else None


# ---------------------------------------------------------------------------
# Decoding: UTF-8 (BOM or not); bytes that are not UTF-8 are read as Windows-1252
# and counted, so the user is told.


class _Fallback:
    """A codecs error handler that decodes bad bytes as cp1252 and counts them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, error: UnicodeError) -> tuple[str, int]:
        if not isinstance(error, UnicodeDecodeError):
            raise error
        bad = error.object[error.start : error.end]
        self.count += len(bad)
        return bytes(bad).decode(FALLBACK_ENCODING, errors="replace"), error.end


class CountingReader(io.RawIOBase):
    """Counts the bytes read through it, for progress reports."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


#: The longest line read.  A record of a paper list is a few KB (a whole JSON document
#: is read with ``read()``, not by lines); a longer line is garbage (a binary tail, a file
#: without line ends), and holding it in memory is what must not happen: the load stops
#: with one clear error instead.
MAX_LINE_CHARS = 16 << 20


class LineLimitedStream:
    """Text whose lines stop at :data:`MAX_LINE_CHARS`: a longer one raises :class:`LoadError`
    naming the line, after reading no more than the limit of it.  It offers what the
    formats use of a text file: iteration, ``readline``, ``read``, ``close`` and ``with``."""

    def __init__(self, inner: io.TextIOWrapper, path: str) -> None:
        self._inner = inner
        self._path = path
        self._line = 0

    def __enter__(self) -> LineLimitedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._inner.closed

    def read(self, size: int | None = -1, /) -> str:
        return self._inner.read(size)

    def readline(self, size: int | None = -1, /) -> str:
        limit = MAX_LINE_CHARS if size is None or size < 0 else min(size, MAX_LINE_CHARS)
        line = self._inner.readline(limit)
        self._line += 1
        if len(line) >= MAX_LINE_CHARS and not line.endswith("\n"):
            where = "<stdin>" if self._path == "-" else self._path
            raise LoadError(
                where, f"a line longer than {MAX_LINE_CHARS >> 20}M characters: not a paper list", self._line
            )
        return line

    def __iter__(self) -> LineLimitedStream:
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close(self) -> None:
        self._inner.close()


@dataclass
class OpenedFile:
    path: str
    head: str
    stream: IO[str]
    counter: CountingReader
    size: int
    fallback: _Fallback


_handler_serial = 0


def open_text(path: str) -> OpenedFile:
    """Open ``path`` (``-`` is standard input) for reading text, with checks that
    give one clear :class:`LoadError`: missing, a directory, unreadable, empty, binary."""
    global _handler_serial
    if path == "-":
        data = sys.stdin.buffer.read()
        raw: IO[bytes] = io.BytesIO(data)
        size = len(data)
    else:
        p = Path(path)
        if not p.exists():
            raise LoadError(path, "no such file")
        if p.is_dir():
            raise LoadError(path, "is a directory")
        try:
            raw = open(p, "rb")  # noqa: SIM115 - closed by the caller through OpenedFile
            size = os.fstat(raw.fileno()).st_size
        except OSError as error:
            raise LoadError(path, f"cannot read: {error.strerror or error}") from None
    try:
        first = raw.read(HEAD_BYTES)
    except OSError as error:
        raw.close()
        raise LoadError(path, f"cannot read: {error.strerror or error}") from None
    if not first.strip(b" \t\r\n\xef\xbb\xbf"):
        raw.close()
        raise LoadError(path, "the file is empty")
    if b"\x00" in first:
        raw.close()
        raise LoadError(path, "this looks like a binary file, not a paper list")
    raw.seek(0)
    fallback = _Fallback()
    _handler_serial += 1
    handler_name = f"paper_tui_fallback_{_handler_serial}"
    codecs.register_error(handler_name, fallback)
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors=handler_name, newline=None)
    stream = cast(IO[str], LineLimitedStream(text, path))
    head = first.decode("utf-8-sig", errors="replace")
    return OpenedFile(path, head, stream, counter, size, fallback)


# ---------------------------------------------------------------------------
# Paths: files, directories (every loadable file in them), globs, "-".


def expand_paths(args: Iterable[str]) -> list[str]:
    """Files named by ``args``.  A directory gives the files in it that a format
    claims by extension; a pattern with ``*?[`` is globbed; ``-`` is standard input.
    Names that match nothing are kept so that loading reports them."""
    extensions = {ext for fmt in _registry() for ext in fmt.extensions}
    out: list[str] = []
    for arg in args:
        if arg == "-":
            out.append(arg)
        elif os.path.isdir(arg):
            found = sorted(
                str(p)
                for p in Path(arg).rglob("*")
                if p.is_file() and not p.name.startswith(".") and _has_extension(p.name, extensions)
            )
            if not found:
                raise LoadError(arg, "the directory holds no paper list this program reads")
            out.extend(found)
        elif any(c in arg for c in "*?[") and not os.path.exists(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise LoadError(arg, "no file matches this pattern")
            out.extend(m for m in matches if os.path.isfile(m))
        else:
            out.append(arg)
    return out


def _has_extension(name: str, extensions: set[str]) -> bool:
    lower = name.lower()
    return any(lower.endswith(ext) for ext in extensions)


def iter_file(path: str, format_name: str | None = None) -> tuple[OpenedFile, Format]:
    """Open ``path`` and choose its format (forced by ``format_name``, else sniffed)."""
    opened = open_text(path)
    if format_name:
        try:
            fmt = get_format(format_name)
        except KeyError:
            opened.stream.close()
            raise LoadError(path, f"unknown format {format_name!r}") from None
    else:
        found = detect_format(opened.head, path)
        if found is None:
            opened.stream.close()
            names = ", ".join(format_names())
            raise LoadError(path, f"not a paper list this program reads (formats: {names})")
        fmt = found
    return opened, fmt


def load_file(
    path: str,
    format_name: str | None = None,
    result: LoadResult | None = None,
) -> LoadResult:
    """Parse one file into ``result`` (a new one if not given)."""
    result = result if result is not None else LoadResult()
    opened, fmt = iter_file(path, format_name)
    display = "<stdin>" if path == "-" else path

    def report(line: int, reason: str) -> None:
        result.problems.append(Problem(display, line, reason))

    before = len(result.papers)
    try:
        with opened.stream:
            result.papers.extend(fmt.parse(opened.stream, display, report))
    except LoadError:
        raise
    except (UnicodeError, OSError) as error:
        raise LoadError(display, f"cannot read: {error}") from None
    result.files.append(display)
    if opened.fallback.count:
        result.notices.append(
            f"{display}: {opened.fallback.count} bytes were not UTF-8 and were read as {FALLBACK_ENCODING}"
        )
    if len(result.papers) == before:
        result.notices.append(f"{display}: no papers in this {fmt.description}")
    return result


def load_papers(paths: Iterable[str], format_name: str | None = None) -> LoadResult:
    """Load every file named by ``paths`` (see :func:`expand_paths`) into one result.

    Raises :class:`LoadError` on the first file that cannot be read at all.
    """
    result = LoadResult()
    for path in expand_paths(paths):
        load_file(path, format_name, result)
    return result
