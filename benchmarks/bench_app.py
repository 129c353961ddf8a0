"""The app's speed as a user feels it: time to the first screen, and keystroke to
updated list, at 10k, 100k and 1M papers.

    .venv/bin/python benchmarks/bench_app.py                       # 10k and 100k
    .venv/bin/python benchmarks/bench_app.py --sizes 10000 100000 1000000

**First screen**: ``paper-tui FILE`` runs in a pseudo-terminal (120x40) on a
generated file in the arXiv snapshot's layout (``benchmarks/generate.py``); the
clock runs from process start to the first frame that shows the status line,
then ``q`` is sent during the load and the time to exit is measured too (the
app must quit cleanly while a big file is still loading).  Three runs each.

**Keystroke to list**: in process (``App.run_test``, headless), N synthetic
papers with abstracts (the search benchmark's generator) are loaded, then the
search benchmark's queries are typed one character at a time, at most one key per
120 ms.  Per keystroke: *first* is key to the first rows shown (the engine's fast
first results), *final* is key to the complete ranked result shown, *painted* is
key to the list's next repaint after the final rows, with the CPU time the whole
process (UI and search threads) spent meanwhile: on a busy machine the wall-clock
figures are several times the CPU ones.  Moving (``j``, page down, ``G``, ...)
through all N rows is timed key to repaint.  Median and p95 are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_search import QUERIES, machine, make_corpus, pct  # noqa: E402

PAPER_TUI = Path(sys.executable).parent / "paper-tui"
COLUMNS, LINES = 120, 40
PACE = 0.120


# -- first screen ------------------------------------------------------------


def generated_file(size: int, folder: Path) -> Path:
    """A snapshot-layout file of ``size`` papers, generated once per folder."""
    path = folder / f"snapshot_{size}.jsonl"
    if not path.exists():
        command = [sys.executable, str(HERE / "generate.py"), "--n", str(size), "--format", "snapshot"]
        subprocess.run(
            [*command, "-o", str(path)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_screen(path: Path, data_dir: Path) -> tuple[float, float, float]:
    """(seconds to the first frame, its CPU seconds, seconds from ``q`` to exit)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", PAPER_TUI_DATA_DIR=str(data_dir))
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(PAPER_TUI), str(path)], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    shown = cpu = float("nan")
    deadline = start + 30
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
            if b"sort:" in seen:
                shown = time.perf_counter() - start
                cpu = process_cpu(process.pid)
                break
    quit_start = time.perf_counter()
    os.write(master, b"q")
    while process.poll() is None and time.perf_counter() - quit_start < 30:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    process.wait(timeout=30)
    quit_time = time.perf_counter() - quit_start
    os.close(master)
    return shown, cpu, quit_time


# -- keystroke to list -----------------------------------------------------------


async def keystrokes(size: int, state_dir: Path, typing: bool = True) -> dict[str, list[float]]:
    """Per-keystroke first, final and painted latencies at ``size`` papers."""
    from textual.worker import WorkerCancelled

    from paper_tui.app.app import PaperApp
    from paper_tui.app.screens.main import Inputs, MainScreen
    from paper_tui.app.state import StateStore

    papers = list(make_corpus(size, abstracts=True))
    inputs = Inputs(papers=lambda: papers, key="bench", label="bench")
    app = PaperApp(inputs, state=StateStore(state_dir / "state.toml"))
    times: dict[str, list[float]] = {"first": [], "final": [], "painted": [], "cpu": [], "move": []}
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        while screen._loading or len(screen.corpus) < size:
            await asyncio.sleep(0.05)
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        wait_for_index = getattr(screen.engine, "wait_for_index", None)
        if wait_for_index is not None and typing:  # the abstract index builds in the background once
            await asyncio.get_running_loop().run_in_executor(None, wait_for_index)
        events: list[tuple[float, int, bool]] = []
        painted: list[float] = []
        show_rows = screen._show_rows
        paper_list = screen.paper_list
        render_lines = paper_list.render_lines

        def hooked_show(*args: Any, **kwargs: Any) -> None:
            show_rows(*args, **kwargs)
            events.append((time.perf_counter(), screen._generation, bool(args[2])))

        def hooked_render(*args: Any, **kwargs: Any) -> Any:
            strips = render_lines(*args, **kwargs)
            painted.append(time.perf_counter())
            return strips

        screen._show_rows = hooked_show  # type: ignore[method-assign]
        paper_list.render_lines = hooked_render  # type: ignore[method-assign]
        # Moving through all N rows: j, page down, G, g; key to the list repainted.
        for key in ("j", "j", "pagedown", "pagedown", "G", "k", "pageup", "g") * 3:
            painted.clear()
            start = time.perf_counter()
            await pilot.press(key)
            while not painted and time.perf_counter() - start < 5:
                await asyncio.sleep(0.001)
            if painted:
                times["move"].append(painted[0] - start)
        await pilot.press("slash")
        for query in QUERIES if typing else ():
            screen.filter_bar.input.value = ""
            await pilot.pause(0.3)
            for char in query:
                events.clear()
                painted.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                await pilot.press("space" if char == " " else char)
                generation = screen._generation
                deadline = start + 20
                final = None
                while final is None and time.perf_counter() < deadline:
                    await asyncio.sleep(0.002)
                    final = next((t for t, g, p in events if g == generation and not p), None)
                if final is None:
                    continue
                first = min(t for t, g, _ in events if g == generation)
                times["first"].append(first - start)
                times["final"].append(final - start)
                while not any(t > final for t in painted) and time.perf_counter() < deadline:
                    await asyncio.sleep(0.002)
                after = [t for t in painted if t > final]
                if after:
                    times["painted"].append(after[0] - start)
                    times["cpu"].append(time.process_time() - start_cpu)
                await asyncio.sleep(max(0.0, PACE - (time.perf_counter() - start)))
        await pilot.press("escape", "q")
    return times


def row(label: str, values: list[float]) -> str:
    if not values:
        return f"  {label:<22} (no samples)"
    return (
        f"  {label:<22} median {statistics.median(values) * 1000:7.1f} ms   "
        f"p95 {pct(values, 0.95) * 1000:7.1f} ms   N={len(values)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="launches per size for the first screen")
    parser.add_argument("--data", type=Path, default=None, help="keep generated files here (default: temp)")
    parser.add_argument("--skip-keys", action="store_true", help="only the first-screen figures")
    parser.add_argument(
        "--moves-only", type=int, default=0, metavar="N", help="from N papers up, time moves but not typing"
    )
    args = parser.parse_args(argv)
    print(f"paper-tui app benchmark, {datetime.date.today()}, {machine()}")
    print(f"TEXTUAL_FPS={os.environ.get('TEXTUAL_FPS', 'default (60)')}")
    print("load average at start: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="bench-app-") as temp:
        folder = args.data or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            print(f"\n{size:,} papers (load average {os.getloadavg()[0]:.1f})")
            path = generated_file(size, folder)
            data_dir = Path(temp) / f"data-{size}"
            launches = [first_screen(path, data_dir) for _ in range(args.runs)]
            shown = [s for s, _, _ in launches]
            cpus = [c for _, c, _ in launches]
            quits = [q for _, _, q in launches]
            print(f"  file {path.stat().st_size / 1e6:,.0f} MB")
            print(row("first screen", shown))
            print(row("  its CPU time", cpus))
            print(row("q during load -> exit", quits))
            if not args.skip_keys:
                typing = not (args.moves_only and size >= args.moves_only)
                times = asyncio.run(keystrokes(size, Path(temp), typing))
                print(row("key -> first rows", times["first"]))
                print(row("key -> final rows", times["final"]))
                print(row("key -> painted", times["painted"]))
                print(row("  its CPU time", times["cpu"]))
                print(row("move key -> painted", times["move"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
