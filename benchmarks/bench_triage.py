"""Triage speed in the running app (headless): what a key costs from its action to the
redrawn row, and a bulk change over every paper shown.

    .venv/bin/python benchmarks/bench_triage.py                   # 10,000 and 100,000 papers
    .venv/bin/python benchmarks/bench_triage.py --sizes 1000000 --repeat 10

For each corpus size N (synthetic papers with arXiv ids) a fresh data directory holds
a library of ``--records`` decisions; the app runs headless and each action is timed
where the key would call it, so the figures exclude the terminal but include the search
index invalidation, the row redraw and, where said, the library's save (lock, merge,
write, fsync, rename):

- ``b`` (bookmark toggle) on the cursor's paper: on the UI thread (the app writes the
  library on a thread of its own), and until the change is on disk (``Library.flush``);
- ``n`` (next unread) when every paper shown is read but the last (the longest scan);
- ``A`` then yes (bulk mark read) over the first ``--bulk`` papers shown, through the worker.

Times are milliseconds: median and p95 over the repetitions, N of them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from paper_tui.model import Paper, Source, make_paper


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def papers(count: int) -> list[Paper]:
    source = Source("bench")
    return [
        make_paper(
            title=f"A synthetic study number {i} of attention in language models",
            authors=["Ada Lovelace", "Alan Turing"],
            date="2024-01-15",
            arxiv_id=f"{2401 + i // 100000}.{i % 100000:05d}",
            source=source,
        )
        for i in range(count)
    ]


def summary(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"  {name:<34} median {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms   N={len(ms)}"


def timed(action: Callable[[], Any], repeat: int) -> Iterator[float]:
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        yield time.perf_counter() - start


async def bench(size: int, records: int, bulk: int, repeat: int) -> None:
    from paper_tui.app.app import PaperApp
    from paper_tui.app.screens.main import Inputs, MainScreen
    from paper_tui.library import Library

    corpus_papers = papers(size)
    library = Library.open()
    if records:
        library.set_state(corpus_papers[:records], "skipped")
    app = PaperApp(Inputs(papers=lambda: corpus_papers, key="bench", label="bench"), library=library)
    async with app.run_test(size=(120, 40)) as pilot:
        while len(app.screen_stack) < 2 or not isinstance(app.screen, MainScreen) or app.screen._loading:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        print(f"{size:,} papers, library of {len(library):,} records")
        # The app writes on the library's own thread: a key costs the first figure on the
        # UI thread; the second is until the change is on disk (fsynced), as a save reports it.
        print(summary("b: bookmark toggle, UI thread", list(timed(screen.action_toggle_bookmark, repeat))))
        library.flush()

        def toggle_saved() -> None:
            screen.action_toggle_bookmark()
            library.flush()

        print(summary("b: until on disk", list(timed(toggle_saved, repeat))))

        # Every paper read but the last: ``n`` scans the whole list once.
        shown = screen.shown_positions()
        library.set_state([screen.corpus[p] for p in shown[:-1]], "read")
        library.set_state([screen.corpus[shown[-1]]], "unread")

        def next_unread() -> None:
            screen.paper_list.move_to(0)
            screen.action_next_unread()

        print(summary("n: next unread across the list", list(timed(next_unread, repeat))))

        times = []
        for _ in range(max(1, repeat // 5)):
            chosen = [screen.corpus[p] for p in shown[:bulk]]
            library.set_state(chosen, "unread")
            start = time.perf_counter()
            screen._bulk_worker(lambda chosen=chosen: library.set_state(chosen, "read"))  # type: ignore[misc]
            await app.workers.wait_for_complete()
            times.append(time.perf_counter() - start)
        print(summary(f"A: bulk mark read, {min(bulk, len(shown)):,} papers", times))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--records", type=int, default=1000, help="decisions already in the library")
    parser.add_argument("--bulk", type=int, default=1000, help="papers changed by the bulk action")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"bench_triage  {datetime.date.today()}  {machine()}  load {os.getloadavg()[0]:.1f}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["PAPER_TUI_DATA_DIR"] = folder
            asyncio.run(bench(size, args.records, args.bulk, args.repeat))


if __name__ == "__main__":
    main()
