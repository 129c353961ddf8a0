"""A data directory that is a file, read-only or missing, under the running app.

The app must keep working, say clearly what failed, keep every decision in memory and
write it once the directory is usable again.  We run as root, where chmod does not stop
a write, so a read-only file system is injected (``os.replace`` failing with EROFS).
"""

from __future__ import annotations

import errno
import os
import tomllib
from pathlib import Path

import pytest

from helpers import run_cli, settle
from paper_tui.app.app import PaperApp
from paper_tui.app.run import _open_library
from paper_tui.app.screens.main import Inputs, MainScreen
from paper_tui.app.state import session_key
from paper_tui.paths import sample_path

SIZE = (120, 36)


def launch(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> PaperApp:
    """The app as ``paper-tui FILE`` builds it (run.run_app), on ``data_dir``."""
    monkeypatch.setenv("PAPER_TUI_DATA_DIR", str(data_dir))
    problems: list[str] = []
    library = _open_library(problems)
    path = str(sample_path())
    inputs = Inputs([path], key=session_key([path]), label="sample")
    return PaperApp(inputs, library=library, config_problems=problems)


def messages(app: PaperApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def saved_bookmarks(data_dir: Path) -> int:
    data = tomllib.loads((data_dir / "library.toml").read_text(encoding="utf-8"))
    return sum(bool(record.get("bookmarked")) for record in data.get("papers", {}).values())


async def test_data_dir_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    data_dir.write_text("I am a file, not a directory\n", encoding="utf-8")
    app = launch(data_dir, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and len(screen.corpus) == 119
        await pilot.press("b", "j", "b")
        await pilot.pause()
        said = messages(app)
        assert "NOT SAVED" in said or "not available" in said, said
        assert "Traceback" not in said
        library = screen.library
        if library is not None:  # kept in memory, written once the path is usable
            assert library.is_bookmarked(screen.corpus.paper_id(0))
            data_dir.unlink()
            library.retry()
            assert saved_bookmarks(data_dir) == 2
        await pilot.press("q")
    assert app.return_code in (0, None)
    assert data_dir.exists()


async def test_read_only_data_dir_keeps_decisions_until_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    app = launch(data_dir, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.library is not None

        def read_only(*args: object, **kwargs: object) -> None:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", read_only)  # the library writes with os.replace
            await pilot.press("b", "j", "b", "e", *"a note", "ctrl+s")
            await pilot.pause()
            assert "Read-only file system" in messages(app)
            assert screen.library.pending
            assert not (data_dir / "library.toml").exists()
        screen.library.retry()  # what the app's retry timer does
        assert not screen.library.pending
        assert saved_bookmarks(data_dir) == 2
        await pilot.press("q")


async def test_missing_data_dir_is_created_on_the_first_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"
    app = launch(data_dir, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not data_dir.exists()  # nothing is created until something is written
        await pilot.press("b")
        await pilot.pause()
        assert saved_bookmarks(data_dir) == 1
        await pilot.press("q")


@pytest.mark.parametrize("kind", ["file", "missing"])
def test_export_with_a_data_dir_that_is_a_file_or_missing(tmp_path: Path, kind: str) -> None:
    """A read-only command reads an empty library, says why, and does not crash."""
    target = tmp_path / "data"
    if kind == "file":
        target.write_text("not a directory", encoding="utf-8")
    out = tmp_path / "out.md"
    status, _stdout, err = run_cli("export", "--data-dir", str(target), "--output", str(out))
    assert "Traceback" not in err and "unexpected error" not in err
    assert status in (0, 1), err
    if kind == "file":  # said plainly, naming the path and the reason
        assert str(target / "library.toml") in err and "Not a directory" in err
    assert target.exists() == (kind == "file")
