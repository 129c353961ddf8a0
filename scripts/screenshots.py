"""Regenerate the README's screenshots from the bundled sample.

    .venv/bin/python scripts/screenshots.py            # writes screenshots/*.svg

Each shot runs the app headless (``App.run_test``) at a fixed size with a fresh,
empty data directory, drives it with keys as a user would, and saves an SVG.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "screenshots"

#: (file name, terminal size, keys pressed once the sample has loaded)
SHOTS: list[tuple[str, tuple[int, int], tuple[str, ...]]] = [
    ("main-filtered.svg", (120, 36), ("slash", *"'speech", "enter", "j")),
    ("reading-pane.svg", (120, 36), ("j", "j", "j", "enter", "j", "j")),
    ("help.svg", (120, 44), ("question_mark",)),
    ("narrow-80x24.svg", (80, 24), ("slash", *"multilingual", "enter")),
]


async def shoot(name: str, size: tuple[int, int], keys: tuple[str, ...]) -> None:
    from textual.worker import WorkerCancelled

    from paper_tui.app.app import PaperApp

    app = PaperApp()
    async with app.run_test(size=size) as pilot:

        async def settle() -> None:
            for _ in range(4):
                try:
                    await app.workers.wait_for_complete()
                except WorkerCancelled:
                    continue
                await pilot.pause()

        await settle()
        for key in keys:
            await pilot.press(key)
            await settle()
        await pilot.pause(0.3)
        app.save_screenshot(filename=name, path=str(OUT))
    print(f"wrote screenshots/{name}")


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="paper-tui-shots-") as data:
        os.environ["PAPER_TUI_DATA_DIR"] = data  # no user config, library or state
        for name, size, keys in SHOTS:
            asyncio.run(shoot(name, size, keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
