"""Real processes: SIGKILL in the middle of a stream of saves, and two writers at once."""

from __future__ import annotations

import os
import random
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from paper_tui.library import Library
from paper_tui.model import Paper, Source, make_paper

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")

KILLS = 30


def paper(n: int) -> Paper:
    return make_paper(title=f"Paper number {n}", arxiv_id=f"2401.{n:05d}", source=Source("t", n))


def start(work: Callable[[int], None]) -> tuple[int, int]:
    """Fork a child running ``work(write_fd)``; return (pid, read end of its pipe)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        status = 1
        try:
            os.close(read_fd)
            work(write_fd)
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def say(fd: int, text: str) -> None:
    os.write(fd, f"{text}\n".encode())


def read_all(fd: int, timeout: float = 60.0) -> bytes:
    """Everything the child writes until it exits; fails (never hangs) after ``timeout``."""
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, "the child did not finish in time"
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def wait_for_line(fd: int, timeout: float = 10.0) -> bytes:
    """Block until the child wrote something (its first line), return what was read."""
    ready, _, _ = select.select([fd], [], [], timeout)
    assert ready, "the child never started"
    return os.read(fd, 65536)


def saver(path: Path, round_: int) -> Callable[[int], None]:
    """A stream of saves of round ``round_``: notes, bookmarks and a bulk tag, each reported."""

    def work(fd: int) -> None:
        lib = Library.open(path)
        say(fd, "ready")
        for i in range(10_000):
            n = round_ * 1000 + i
            if i % 3 == 0:
                lib.set_note(paper(n), f"note {n}")
                kind = "note"
            elif i % 3 == 1:
                lib.toggle_bookmark([paper(n)])
                kind = "bookmark"
            else:
                lib.add_tags([paper(n), paper(n + 500)], [f"t{n}"])
                kind = "tags"
            if not lib.pending:
                say(fd, f"saved {kind} {n}")

    return work


def kill_during(work: Callable[[int], None], seconds: float) -> list[str]:
    """Run ``work`` in a child, SIGKILL it ``seconds`` after its first line; its lines."""
    pid, fd = start(work)
    try:
        first = wait_for_line(fd)
        time.sleep(seconds)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    # Each line is one write() to the pipe, so a kill never cuts one; reads may.
    return (first + read_all(fd)).decode().splitlines()


def check_saved(lib: Library, lines: list[str]) -> int:
    count = 0
    for line in lines:
        if not line.startswith("saved "):
            continue
        _, kind, number = line.split()
        n = int(number)
        if kind == "note":
            assert lib.note(paper(n).id) == f"note {n}", line
        elif kind == "bookmark":
            assert lib.is_bookmarked(paper(n).id), line
        else:
            assert f"t{n}" in lib.tags(paper(n).id) and f"t{n}" in lib.tags(paper(n + 500).id), line
        count += 1
    return count


@pytest.mark.slow
def test_sigkill_during_saves_never_loses_a_reported_save(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    rng = random.Random(5)
    reported: list[str] = []
    for round_ in range(KILLS):
        reported += kill_during(saver(path, round_), rng.uniform(0.0, 0.15))
        lib = Library.open(path)
        assert lib.notices == [], lib.notices
        check_saved(lib, reported)
    assert check_saved(Library.open(path), reported) > KILLS  # the stream really saved things
    assert not list(tmp_path.glob("library.toml.broken-*"))
    # A killed writer may leave its temporary files; the next save clears them.
    Library.open(path).toggle_bookmark([paper(999_999)])
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_two_processes_saving_at_once_keep_all_changes(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    go_read, go_write = os.pipe()

    def writer(first: int) -> Callable[[int], None]:
        def work(fd: int) -> None:
            lib = Library.open(path)
            say(fd, "ready")
            os.read(go_read, 1)  # both start together
            for n in range(first, first + 25):
                lib.toggle_bookmark([paper(n)])
                lib.set_note(paper(n), f"from {first}")
            lib.undo()  # the last note goes again, in this process only
            say(fd, "done" if not lib.pending else "pending")

        return work

    children = [start(writer(first)) for first in (100, 200)]
    outputs = []
    try:
        for _, fd in children:
            wait_for_line(fd)
        os.write(go_write, b"gg")
        outputs = [read_all(fd).decode().splitlines() for _, fd in children]
    finally:
        for pid, _ in children:
            if not outputs:  # something failed: never leave a child behind
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            assert outputs == [] or status == 0
    assert outputs == [["done"], ["done"]]

    lib = Library.open(path)
    for first in (100, 200):
        for n in range(first, first + 25):
            assert lib.is_bookmarked(paper(n).id), n
            assert lib.note(paper(n).id) == ("" if n == first + 24 else f"from {first}"), n
    assert len(lib) == 50
