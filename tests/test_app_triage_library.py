"""The app and the library file over time: another instance's changes reach the search,
and quitting never silently drops a change that a failed write kept in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import settle
from paper_tui.app.screens.confirm import ConfirmScreen
from paper_tui.library import Library
from paper_tui.paths import library_path
from test_app_triage import ATTENTION, GPT3, on_disk, papers_file, record, running

__all__ = ["papers_file"]  # the fixture, imported for this module's tests


async def test_another_instances_changes_reach_tag_queries(papers_file: Path) -> None:
    async with running(papers_file) as (pilot, screen, library):
        await pilot.press("b")  # the library file exists, and the engine has read the library
        await pilot.press("slash", *"tag:remote", "enter")
        await settle(pilot)
        assert list(screen.shown_positions()) == []
        gpt3 = screen.corpus[3]
        other = Library.open(library_path())  # a second instance on the same file
        other.set_tags([gpt3], ["remote"])
        screen._poll_library()  # what the periodic check does
        await settle(pilot)
        assert library.tags(gpt3.id) == ("remote",)
        assert list(screen.shown_positions()) == [3]
        result = screen.engine.search("tag:remote")
        assert result is not None and list(result.positions) == [3]
    assert record(on_disk(), GPT3)["tags"] == ["remote"]


def _failing_writes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make every library write fail as on a full disk; returns the attempts made."""
    import paper_tui.library.store as store

    attempts: list[Path] = []

    def disk_full(path: Path, data: bytes) -> None:
        attempts.append(path)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "atomic_write", disk_full)
    return attempts


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
async def test_quit_with_unsaved_changes_retries_then_asks(
    papers_file: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    async with running(papers_file) as (pilot, _screen, library):
        attempts = _failing_writes(monkeypatch)
        await pilot.press("b", "j", "r")
        assert not library.flush()  # the background writer's attempts may still be running
        assert library.pending and library.unsaved == 2
        tried = len(attempts)
        await pilot.press(key)
        await pilot.pause()
        assert len(attempts) > tried, "quitting did not try to save once more"
        assert isinstance(pilot.app.screen, ConfirmScreen)
        assert "2 changes are not saved" in pilot.app.screen.question
        assert "quit anyway?" in pilot.app.screen.question
        await pilot.press(key)  # pressed again while asked: still asks, never quits
        await pilot.pause()
        assert pilot.app.is_running and isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("enter")  # the safe answer is focused: stay
        await pilot.pause()
        assert pilot.app.is_running and not isinstance(pilot.app.screen, ConfirmScreen)
        assert library.pending
        await pilot.press("q", "y")  # asked again; yes quits, knowingly dropping them
        await pilot.pause()
        assert not pilot.app.is_running


async def test_quit_saves_a_pending_change_when_the_retry_works(
    papers_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(papers_file) as (pilot, _screen, library):
        with monkeypatch.context() as patch:
            _failing_writes(patch)
            await pilot.press("b")
            assert not library.flush() and library.pending
        await pilot.press("q")  # the disk has room again: the retry saves, no question
        await pilot.pause()
        assert not pilot.app.is_running
    assert record(on_disk(), ATTENTION)["bookmarked"] is True


async def test_window_closed_with_unsaved_changes_keeps_them_in_a_file(
    papers_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hang-up (the terminal window closed) cannot ask: the changes are written beside
    the library as a rescue file instead of being dropped."""
    async with running(papers_file) as (pilot, _screen, library):
        import paper_tui.library.store as store

        real_write = store.atomic_write
        attempts = _failing_writes(monkeypatch)

        def library_file_fails(path: Path, data: bytes) -> None:
            if path == library.path:
                attempts.append(path)
                raise OSError(28, "No space left on device")
            real_write(path, data)

        monkeypatch.setattr(store, "atomic_write", library_file_fails)
        await pilot.press("b")
        assert not library.flush() and library.pending
        app: Any = pilot.app
        app.hang_up()
        await pilot.pause()
        assert not app.is_running
    rescued = sorted(library_path().parent.glob("library.toml.unsaved-*"))
    assert len(rescued) == 1
    kept = Library.open(rescued[0], read_only=True)
    assert [p.title for p in kept.papers()] == [ATTENTION]
    assert not library_path().exists() or ATTENTION not in library_path().read_text()
