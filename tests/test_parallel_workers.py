"""The parse workers' protocol: a job in, a pickled slice (or the error) out."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from paper_tui import cache, parallel
from paper_tui.compact import FileBlobs, place

FIXTURE = Path(__file__).parent / "fixtures" / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl"


class MemoryBlobs:
    """Blobs held in memory, to read a chunk that was never stored."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, offset: int, length: int) -> bytes:
        return self.data[offset : offset + length]


def _serving() -> tuple[Connection, threading.Thread]:
    """A worker loop on a thread of this process, and our end of its pipe."""
    mine, theirs = multiprocessing.Pipe()
    thread = threading.Thread(target=parallel._serve, args=(theirs,), daemon=True)
    thread.start()
    return mine, thread


def test_a_worker_sends_back_what_parse_slice_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signal, "signal", lambda *_args: None)  # not the main thread
    connection, thread = _serving()
    job = (str(FIXTURE), "sample", "arxiv-snapshot", 0, FIXTURE.stat().st_size, 1)
    connection.send(job)
    part = parallel._receive(connection)
    assert part.chunk == parallel.parse_slice(job).chunk and len(part.chunk) == 200
    connection.send(None)
    thread.join(5)
    assert not thread.is_alive()


def test_a_worker_error_is_raised_where_the_load_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signal, "signal", lambda *_args: None)
    connection, _thread = _serving()
    connection.send((str(tmp_path / "gone.json"), "gone", "arxiv-snapshot", 0, 10, 1))
    with pytest.raises(FileNotFoundError):
        parallel._receive(connection)
    connection.send(None)


def test_a_worker_that_stopped_is_an_os_error() -> None:
    mine, theirs = multiprocessing.Pipe()
    theirs.close()
    with pytest.raises(OSError, match="parse worker stopped"):
        parallel._receive(mine)


def test_a_killed_worker_stops_the_load_with_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(FIXTURE.read_bytes() * 8)  # 1,600 records, 2.3 MB
    monkeypatch.setattr(parallel, "SLICE_BYTES", 100_000)
    monkeypatch.setattr(parallel, "FIRST_SLICE_BYTES", 50_000)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    parts = parallel.parse_file(str(path), "big.json", "arxiv-snapshot", path.stat().st_size, lambda: False)
    assert len(next(parts).chunk) > 0  # parsed here while the workers start
    for child in multiprocessing.active_children():
        child.kill()
    with pytest.raises(OSError, match="parse worker stopped"):
        list(parts)
    assert not multiprocessing.active_children()


def test_a_blob_bigger_than_the_pipe_arrives_whole_and_a_cut_one_is_an_error() -> None:
    mine, theirs = multiprocessing.Pipe()
    blob = bytes(range(256)) * 20_000  # 5 MB: many reads of a socket's buffer
    writer = threading.Thread(target=parallel._write_all, args=(theirs.fileno(), blob))
    writer.start()
    assert parallel._read_exactly(mine.fileno(), len(blob)) == blob
    writer.join(5)
    parallel._write_all(theirs.fileno(), blob[:1000])
    theirs.close()
    with pytest.raises(EOFError):
        parallel._read_exactly(mine.fileno(), 2000)


def test_a_worker_writes_its_chunk_into_the_entry_and_sends_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signal, "signal", lambda *_args: None)
    entry = tmp_path / "entry.ptc"
    entry.write_bytes(b"HEAD")
    end = parallel.shared_end(4)
    mine, theirs = multiprocessing.Pipe()
    thread = threading.Thread(target=parallel._serve, args=(theirs, str(entry), end), daemon=True)
    thread.start()
    job = (str(FIXTURE), "sample", "arxiv-snapshot", 0, FIXTURE.stat().st_size, 1)
    mine.send(job)
    part = parallel._receive(mine)
    mine.send(None)
    thread.join(5)
    expected = parallel.parse_slice(job).chunk
    written = part.written
    assert written is not None and len(part.chunk) == 0 and written.count == 200
    assert end.value == entry.stat().st_size == 4 + len(expected.blob) + len(written.data)
    blobs = FileBlobs(entry)
    batch = cache.stored_batch(blobs, written.count, written.data, written.columns, written.codec)
    assert blobs.read(written.start, len(written.data)) == written.data  # listed where it is
    assert list(batch) == list(place(expected, MemoryBlobs(bytes(expected.blob)), 0))
    blobs.close()


def test_a_chunk_that_cannot_be_written_goes_down_the_pipe(tmp_path: Path) -> None:
    entry = tmp_path / "entry.ptc"
    entry.write_bytes(b"")
    job = (str(FIXTURE), "sample", "arxiv-snapshot", 0, FIXTURE.stat().st_size, 1)
    chunk = parallel.parse_slice(job).chunk
    read_only = os.open(entry, os.O_RDONLY)
    try:
        assert cache.write_into(read_only, parallel.shared_end(0), chunk) is None
    finally:
        os.close(read_only)
