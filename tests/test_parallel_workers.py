"""The parse workers' protocol: a job in, a pickled slice (or the error) out."""

from __future__ import annotations

import multiprocessing
import signal
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from paper_tui import parallel

FIXTURE = Path(__file__).parent / "fixtures" / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl"


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
