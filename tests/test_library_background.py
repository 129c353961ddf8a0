"""Background saves (what the app uses): a change is in memory at once, the write runs on
a thread of its own, serialized, and a change is reported saved only once it is on disk."""

from __future__ import annotations

import os
import random
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

import paper_tui.library.store as store
from paper_tui.library import Library
from test_library_processes import check_saved, kill_during, paper, say


def on_disk(path: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_a_change_made_during_a_slow_write_is_shown_at_once_and_written_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.toml"
    lib = Library.open(path)
    writes: list[int] = []
    lib.save_in_background(lambda: writes.append(lib.saved_version))
    real_write = store.atomic_write
    entered, release = threading.Event(), threading.Event()

    def slow_write(target: Path, data: bytes) -> None:
        entered.set()
        assert release.wait(10), "the test never released the write"
        real_write(target, data)

    monkeypatch.setattr(store, "atomic_write", slow_write)
    assert lib.toggle_bookmark([paper(1)]) == "bookmarked 1 paper"
    assert entered.wait(10), "the writer thread never wrote"
    # The disk is busy with the first write: the next change must not wait for it.
    assert lib.set_note(paper(2), "second") == "saved the note"
    assert lib.note(paper(2).id) == "second" and lib.is_bookmarked(paper(1).id)
    assert lib.saved_version < lib.version and not path.exists()
    release.set()
    assert lib.flush()
    assert lib.saved_version == lib.version and writes
    saved = on_disk(path)["papers"]
    assert saved[paper(1).id]["bookmarked"] is True
    assert saved[paper(2).id]["note"] == "second" and saved[paper(2).id]["title"] == "Paper number 2"
    assert Library.open(path).note(paper(2).id) == "second"
    assert lib.stop_background_saves()


def test_a_failed_background_write_is_pending_and_the_next_change_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.toml"
    lib = Library.open(path)
    lib.save_in_background()
    real_write = store.atomic_write

    def disk_full(target: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "atomic_write", disk_full)
    lib.toggle_bookmark([paper(1)])
    assert not lib.flush() and lib.pending and lib.unsaved == 1
    assert any("No space left" in n for n in lib.take_notices())
    monkeypatch.setattr(store, "atomic_write", real_write)
    lib.toggle_bookmark([paper(2)])  # wakes the writer: the retry of both
    assert lib.flush() and not lib.pending
    assert set(on_disk(path)["papers"]) == {paper(1).id, paper(2).id}
    lib.close()


def test_undo_redo_and_two_libraries_with_background_saves(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    mine, theirs = Library.open(path), Library.open(path)
    mine.save_in_background()
    theirs.save_in_background()
    for n in range(20):
        mine.toggle_bookmark([paper(n)])
        theirs.set_note(paper(100 + n), f"theirs {n}")
    mine.undo()
    mine.redo()
    assert mine.flush() and theirs.flush()
    both = Library.open(path)
    assert all(both.is_bookmarked(paper(n).id) for n in range(20))
    assert all(both.note(paper(100 + n).id) == f"theirs {n}" for n in range(20))
    assert {p.title for p in both.papers()} >= {"Paper number 19", "Paper number 119"}
    mine.close()
    theirs.close()


def background_saver(path: Path, round_: int) -> Callable[[int], None]:
    """A stream of changes with background saves, each reported only once a write that
    included it has finished (``saved_version``)."""

    def work(fd: int) -> None:
        lib = Library.open(path)
        waiting: list[tuple[int, str]] = []
        lock = threading.Lock()

        def written() -> None:
            with lock:
                done = [line for version, line in waiting if version <= lib.saved_version]
                waiting[:] = [(v, line) for v, line in waiting if v > lib.saved_version]
            for line in done:
                say(fd, line)

        lib.save_in_background(written)
        say(fd, "ready")
        for i in range(10_000):
            n = round_ * 1000 + i
            with lock:  # the change and its version together, before the writer can report it
                if i % 2 == 0:
                    lib.set_note(paper(n), f"note {n}")
                    waiting.append((lib.version, f"saved note {n}"))
                else:
                    lib.toggle_bookmark([paper(n)])
                    waiting.append((lib.version, f"saved bookmark {n}"))
            time.sleep(0.001)

    return work


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
def test_sigkill_during_background_saves_never_loses_a_reported_save(tmp_path: Path) -> None:
    path = tmp_path / "library.toml"
    rng = random.Random(7)
    reported: list[str] = []
    for round_ in range(15):
        reported += kill_during(background_saver(path, round_), rng.uniform(0.02, 0.2))
        lib = Library.open(path)
        assert lib.notices == [], lib.notices
        check_saved(lib, reported)
    assert check_saved(Library.open(path), reported) > 15
