"""Small helpers shared by tests."""

from __future__ import annotations

import io
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from paper_tui.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run ``paper-tui ARGV`` in process; return (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app's workers (loading, searching) are done and the screen caught up."""
    for _ in range(6):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue  # a newer search replaced it; wait for that one
        await pilot.pause()
