"""The wheel ships the styles: build it, install it in a fresh venv (no
--system-site-packages, so nothing from this checkout can hide a missing file),
then run ``paper-tui list`` and start the app headless from the install."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = textwrap.dedent(
    """
    import asyncio
    from pathlib import Path

    import paper_tui
    from paper_tui.app.app import PaperApp, styles_dir

    assert styles_dir() == Path(paper_tui.__file__).parent / "styles", styles_dir()

    async def main() -> None:
        app = PaperApp()
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            pane = app.screen.query_one("ReadingPane")
            print("border", pane.styles.border_left[0])
            print("papers", len(app.screen.corpus))

    asyncio.run(main())
    """
)


def run(*argv: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{argv}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_installed_wheel_starts_the_app_with_its_styles(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT, cwd=tmp_path)
    (wheel,) = wheels.glob("paper_tui-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    listed = run(venv / "bin" / "paper-tui", "list", "--limit", "2", cwd=tmp_path)
    assert len(listed.splitlines()) == 2
    assert "paper-tui" in run(venv / "bin" / "paper-tui", "--help", cwd=tmp_path)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    shown = run(python, probe, cwd=tmp_path)  # cwd outside the checkout: nothing imports from it
    assert "border vkey" in shown
    assert "papers 119" in shown
