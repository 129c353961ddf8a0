"""Search speed on a paper file opened the way the app opens it (loader, parse cache, corpus).

    .venv/bin/python benchmarks/generate.py --n 1000000 --format snapshot -o big.jsonl
    .venv/bin/python benchmarks/bench_search_file.py big.jsonl

``bench_search.py`` builds its papers in memory; this one reads a real file (any
format paper-tui reads: a generated arXiv snapshot with abstracts, say) through
:class:`~paper_tui.loading.Loader` and the parse cache into the app's compact
corpus, builds the search indexes as the app's background thread does (timed),
then types the same 143 keystrokes and prints first and final results per
keystroke (median, p95: wall and the process's CPU), the slowest keystrokes, and
the peak resident memory.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", help="a paper file (e.g. from benchmarks/generate.py)")
    parser.add_argument("--no-cache", action="store_true", help="parse the file even if it is cached")
    args = parser.parse_args(argv)
    print(f"bench_search_file: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine)")
    start = time.perf_counter()
    corpus = Corpus()
    for batch in Loader([args.file], use_cache=not args.no_cache).batches(50_000):
        corpus.extend(batch)
    gc.freeze()  # as the app does once a load finishes
    print(
        f"loaded {len(corpus):,} papers in {time.perf_counter() - start:.1f} s; peak RSS {peak_mb():.0f} MB"
    )
    engine = SearchEngine(corpus, background=False)
    start, cpu = time.perf_counter(), time.process_time()
    engine.matcher()
    engine.build_word_index()  # what the app builds in the background
    print(
        f"indexes built in {time.perf_counter() - start:.1f} s ({time.process_time() - cpu:.1f} s CPU); "
        f"peak RSS {peak_mb():.0f} MB"
    )
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
    print(f"peak RSS {peak_mb():.0f} MB")
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
