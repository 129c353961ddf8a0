"""Search speed on a paper file opened the way the app opens it (loader, parse cache, corpus).

    .venv/bin/python benchmarks/generate.py --n 1000000 --format snapshot -o big.jsonl
    .venv/bin/python benchmarks/bench_search_file.py big.jsonl

``bench_search.py`` builds its papers in memory; this one reads a real file (any
format paper-tui reads: a generated arXiv snapshot with abstracts, say) through
:class:`~paper_tui.loading.Loader` and the parse cache into the app's compact
corpus, builds the search indexes as the app's background thread does (timed:
until ``index_ready()``, the abstract word index, and until every index is built),
then types the same 143 keystrokes and prints first and final results per
keystroke (median, p95: wall and the process's CPU), the slowest keystrokes, and
the peak resident memory.

The word index is kept beside the parse cache as the app keeps it: the first run
on a file builds and stores it, a second run maps the stored one (``--no-store``:
build it without storing or reading it, the figure before it was kept).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bench_search import QUERIES, machine, pct, type_queries
from paper_tui.corpus import Corpus
from paper_tui.loading import Loader
from paper_tui.search import SearchEngine


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_now() -> str:
    """Resident memory now, and how much of it is pages of mapped files (the stored
    word index, which the kernel may drop and read again)."""
    fields: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        return "?"
    return f"{fields.get('VmRSS', 0):.0f} MB ({fields.get('RssFile', 0):.0f} MB of mapped files)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", help="a paper file (e.g. from benchmarks/generate.py)")
    parser.add_argument("--no-cache", action="store_true", help="parse the file even if it is cached")
    parser.add_argument(
        "--no-store", action="store_true", help="build the word index, neither reading nor storing it"
    )
    args = parser.parse_args(argv)
    print(f"bench_search_file: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine)")
    start = time.perf_counter()
    corpus = Corpus()
    loader = Loader([args.file], use_cache=not args.no_cache)
    for batch in loader.batches(50_000):
        corpus.extend(batch)
    gc.freeze()  # as the app does once a load finishes
    print(
        f"loaded {len(corpus):,} papers in {time.perf_counter() - start:.1f} s; peak RSS {peak_mb():.0f} MB"
    )
    store = None if args.no_store else loader.word_store(len(corpus))
    stored = store is not None and store.path.exists()
    # As the app: title and author columns on the first search, the rest in a thread.
    engine = SearchEngine(corpus, store=store)
    start, cpu = time.perf_counter(), time.process_time()
    matcher = engine.matcher()
    columns = time.perf_counter() - start
    while not engine.index_ready():
        time.sleep(0.005)
    ready, ready_cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.wait_for_index()
    words = matcher.words
    how = "none kept" if store is None else "mapped from the stored file" if stored else "built, then stored"
    print(
        f"title and author columns in {columns:.2f} s; word index ({how}) ready after "
        f"{ready:.2f} s ({ready_cpu:.2f} s CPU); every index after "
        f"{time.perf_counter() - start:.1f} s ({time.process_time() - cpu:.1f} s CPU); "
        f"peak RSS {peak_mb():.0f} MB, now {rss_now()}"
    )
    if words is not None:
        on_disk = store.path.stat().st_size / 2**20 if store is not None and store.path.exists() else 0
        print(f"word index: {len(words.vocab):,} words, {words.nbytes / 2**20:.0f} MB; file {on_disk:.0f} MB")
    keys: list[tuple[float, str, int]] = []
    times, _ = type_queries(engine, keys)
    print(f"keystrokes: {len(keys)} over {len(QUERIES)} queries (ms)   median      p95      max")
    for name in ("first", "final", "final cpu"):
        values = times[name]
        print(
            f"  {name + ' results':<38} {statistics.median(values) * 1000:7.1f}  "
            f"{pct(values, 0.95) * 1000:7.1f}  {max(values) * 1000:7.1f}"
        )
    print("slowest keystrokes (final, wall ms):")
    for final, typed, total in sorted(keys, reverse=True)[:8]:
        print(f"  {final * 1000:7.1f}  {typed!r} ({total:,} matches)")
    print(f"peak RSS {peak_mb():.0f} MB, now {rss_now()}")
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
