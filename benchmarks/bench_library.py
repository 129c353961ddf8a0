"""Library speed: opening, one change (saved at once, fsynced), undo, and exporting.

    .venv/bin/python benchmarks/bench_library.py                 # 100, 1,000 and 10,000 records
    .venv/bin/python benchmarks/bench_library.py --sizes 50000 --changes 20

For each size N a library of N records (bookmarks, states, tags, a note on one in
five, full bibliographic fields) is written to a temporary directory on the same
file system as ``--dir`` (default: the system temporary directory), then timed:
opening it, a change (toggle a bookmark: lock, re-read, merge, write a temporary
file, fsync, rename, fsync the directory, keep the backup), an undo, and an export
of every record to BibTeX and Markdown.  Opening is timed twice: parsing the TOML
(the cached parse removed first) and from the cached parse (the usual start).  Times
are milliseconds: median and p95 over the repetitions, N of them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from paper_tui.export import to_bibtex, to_markdown
from paper_tui.library import Entry, Library, snapshot
from paper_tui.library.entry import now_stamp
from paper_tui.library.schema import encode
from paper_tui.model import Paper, Source, make_paper


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def record(n: int) -> Entry:
    return Entry(
        id=f"arxiv:2401.{n:05d}",
        state=("unread", "read", "skipped")[n % 3],
        bookmarked=n % 2 == 0,
        tags=(f"topic{n % 40}", "to-read") if n % 4 else (),
        note=f"Note about paper {n}.\nSecond line." if n % 5 == 0 else "",
        updated=now_stamp(),
        title=f"A study of synthetic paper number {n} with a realistic title length",
        authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
        date="2024-01-15",
        arxiv_id=f"2401.{n:05d}",
        categories=("cs.CL", "cs.LG"),
        links=(("code", f"https://github.com/example/p{n}"),),
    )


def paper(n: int) -> Paper:
    return make_paper(title=f"Paper {n}", arxiv_id=f"2402.{n:05d}", source=Source("bench"))


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def line(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"  {name:<34} {statistics.median(times):9.2f} {p95:9.2f}   N={len(times)}"


def bench(size: int, changes: int, base: Path) -> None:
    with tempfile.TemporaryDirectory(dir=base) as folder:
        path = Path(folder) / "library.toml"
        entries = {e.id: e for e in (record(n) for n in range(size))}
        path.write_text(encode(entries), encoding="utf-8")
        os.environ["PAPER_TUI_DATA_DIR"] = folder  # the cached parse goes to FOLDER/cache
        print(f"\n== N={size:,} records, file {path.stat().st_size / 1024:,.0f} KiB")
        print(f"  {'(ms)':<34} {'median':>9} {'p95':>9}")
        repeat = max(3, min(20, 20_000 // size))
        cached = snapshot.snapshot_path(path)

        def cold_open() -> None:
            cached.unlink(missing_ok=True)
            Library.open(path)

        print(line("open, parsing the TOML", timed(cold_open, repeat)))
        print(line("open, from the cached parse", timed(lambda: Library.open(path), repeat)))
        lib = Library.open(path)
        counter = iter(range(10**9))
        print(
            line(
                "change (toggle bookmark, saved)",
                timed(lambda: lib.toggle_bookmark([paper(next(counter))]), changes),
            )
        )
        print(line("undo (saved)", timed(lib.undo, changes)))
        papers = lib.papers()
        print(line("export BibTeX, every record", timed(lambda: to_bibtex(papers, lib), 3)))
        print(line("export Markdown, every record", timed(lambda: to_markdown(papers, lib), 3)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--changes", type=int, default=50, help="changes (and undos) timed per size")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()), help="where to write")
    args = parser.parse_args()
    print(f"bench_library: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine)")
    print(f"directory: {args.dir}")
    for size in args.sizes:
        bench(size, args.changes, args.dir)


if __name__ == "__main__":
    main()
