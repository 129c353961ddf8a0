"""Every file system call of a library save, failed one at a time: nothing is ever lost.

A save is recorded once to list its calls (open, write, fsync, link, replace, the
directory fsync ...).  Then, for each call in turn, the same save runs with that call
failing (a write fails after storing half of its bytes): the file on disk must be the
previous library or the new one, whole and readable, no temporary file may be left,
and the change must be written by the next retry.  The library's own tests cover
SIGKILL during saves and two writers (test_library_processes.py).
"""

from __future__ import annotations

import errno
import os
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from paper_tui.library import Library
from paper_tui.library import files as library_files
from paper_tui.model import Paper, Source, make_paper

NOTE = ("the first note, long enough to span more than one write " * 40).strip()


def paper(n: int) -> Paper:
    return make_paper(title=f"Saved Paper {n}", arxiv_id=f"2403.{n:05d}", source=Source("t", n))


class _File:
    """A file object whose ``write`` goes through the spy."""

    def __init__(self, real: Any, spy: Spy) -> None:
        self._real = real
        self._spy = spy

    def __enter__(self) -> _File:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()

    def write(self, data: bytes) -> int:
        if self._spy.hit("write"):
            self._real.write(data[: len(data) // 2])  # half of it reaches the disk
            self._real.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return int(self._real.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class Spy:
    """Counts the library's file system calls; fails the one numbered ``fail_at``."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.fail_at = fail_at
        self.calls: list[str] = []

    def hit(self, name: str) -> bool:
        self.calls.append(name)
        return len(self.calls) - 1 == self.fail_at

    def wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if self.hit(name):
                raise OSError(errno.EIO, f"injected failure of {name}")
            return real(*args, **kwargs)

        return call

    @contextmanager
    def installed(self, patch: pytest.MonkeyPatch) -> Iterator[Spy]:
        real_open = open

        def spied_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if self.hit("open"):
                raise OSError(errno.EIO, "injected failure of open")
            return _File(real_open(path, mode, *args, **kwargs), self)

        patch.setattr(library_files, "open", spied_open, raising=False)
        for name in ("open", "fsync", "link", "replace"):  # os itself: the library's module uses it
            label = "os.open" if name == "open" else name
            patch.setattr(os, name, self.wrap(label, getattr(os, name)))
        yield self


def on_disk(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def make_change(lib: Library) -> None:
    lib.toggle_bookmark([paper(2)])


def saved_state(lib_path: Path) -> Library:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    lib.set_note(paper(1), NOTE)
    return lib


def record_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    lib_path = tmp_path / "probe" / "library.toml"
    lib_path.parent.mkdir()
    lib = saved_state(lib_path)
    with monkeypatch.context() as patch, Spy().installed(patch) as spy:
        make_change(lib)
    assert not lib.pending
    return spy.calls


def test_a_save_is_recorded_with_its_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_calls(tmp_path, monkeypatch)
    assert {"write", "fsync", "replace"} <= set(calls), calls


def test_each_failing_call_leaves_a_whole_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_calls(tmp_path, monkeypatch)
    for index, name in enumerate(calls):
        lib_path = tmp_path / f"case{index}" / "library.toml"
        lib_path.parent.mkdir()
        lib = saved_state(lib_path)
        before = lib_path.read_bytes()
        with monkeypatch.context() as patch, Spy(fail_at=index).installed(patch):
            make_change(lib)
        now = lib_path.read_bytes()
        if now != before:  # the failure came after the rename: the new file is whole
            assert on_disk(lib_path)["papers"].keys() == {paper(1).id, paper(2).id}, name
        assert on_disk(lib_path)["papers"][paper(1).id]["note"] == NOTE, name
        leftovers = [p.name for p in lib_path.parent.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == [], (name, leftovers)
        assert lib.is_bookmarked(paper(2).id), name  # kept in memory
        assert lib.retry(), name
        again = Library.open(lib_path)
        assert again.is_bookmarked(paper(1).id) and again.is_bookmarked(paper(2).id), name
