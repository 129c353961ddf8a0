"""Snapshots of the screens (pytest-textual-snapshot), sealed off: the bundled
sample, a fixed size, a fresh data dir (conftest), the filter unfocused so no
cursor blinks.  Update with ``pytest tests/test_app_snapshots.py --snapshot-update``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from paper_tui.app.app import PaperApp

SnapCompare = Callable[..., bool]


def drive(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Wait for the load, press ``keys``, wait for searches to settle."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(4):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()


@pytest.mark.slow
def test_main_screen_filtered(snap_compare: SnapCompare) -> None:
    keys = ("slash", *"'speech", "enter", "j")
    assert snap_compare(PaperApp(), run_before=drive(*keys), terminal_size=(120, 40))


@pytest.mark.slow
def test_reading_pane_focused(snap_compare: SnapCompare) -> None:
    keys = ("j", "j", "enter", "j", "j")
    assert snap_compare(PaperApp(), run_before=drive(*keys), terminal_size=(120, 40))


@pytest.mark.slow
def test_help_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(PaperApp(), run_before=drive("question_mark"), terminal_size=(120, 40))


@pytest.mark.slow
def test_narrow_layout(snap_compare: SnapCompare) -> None:
    assert snap_compare(PaperApp(), run_before=drive("j"), terminal_size=(80, 24))
