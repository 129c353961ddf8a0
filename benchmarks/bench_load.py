"""Big lists: load time (first open and from the parse cache), memory, search once loaded.

    .venv/bin/python benchmarks/bench_load.py                         # 100k and 1M
    .venv/bin/python benchmarks/bench_load.py --sizes 100000,1000000,2700000 --runs 3

For each size N, ``benchmarks/generate.py`` writes N papers in the arXiv snapshot's
layout (kept in --dir and reused).  Each measurement runs in a fresh process with
its own empty data directory, the way a user starts ``paper-tui``:

* first open: the cache is empty, the file is parsed and the cache entry written;
* cached open: the same file again, served from the cache entry.

Per open it prints the time to the first batch in the corpus (what the list can
paint first; the app's own first paint is measured by the app benchmark), the time
until every paper is in the corpus, the process's peak resident memory
(``ru_maxrss``; parse workers, when a big file is parsed on every core, are
reported apart) and CPU time of all its processes.  Once the cached corpus is loaded it builds the
search engine's indexes (--search-sizes) and types the search benchmark's queries
one character at a time, printing median and p95 per keystroke.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Targets from the issue, for the verdict column.
TARGET_FIRST_OPEN_1M = 20.0
TARGET_CACHED_1M = 3.0
TARGET_RSS_1M_MB = 1000.0
TARGET_RSS_27M_MB = 2500.0


def machine() -> str:
    sys.path.insert(0, str(HERE))
    from bench_search import machine as cores_and_cpu

    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cores_and_cpu()}{memory}"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# ---------------------------------------------------------------------------
# One measurement, in its own process.


def measure(path: str, search: bool) -> dict[str, Any]:
    """Load ``path`` into a corpus as the app does; figures as a dict."""
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT / "src"))
    from paper_tui.corpus import Corpus
    from paper_tui.loading import Loader

    loader = Loader([path])
    corpus = Corpus()
    first_batch = None
    for batch in loader.batches():
        corpus.extend(batch)
        if first_batch is None:
            first_batch = time.perf_counter() - start
    loaded = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # parse workers, once reaped
    figures: dict[str, Any] = {
        "papers": len(corpus),
        "first_batch_s": first_batch,
        "loaded_s": loaded,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime + workers.ru_utime + workers.ru_stime,
        "workers_peak_rss_mb": workers.ru_maxrss / 1024,
        "from_cache": bool(loader.from_cache),
        # A paper read back whole, to show the blobs are there (and what it costs).
        "read_paper_us": _read_cost(corpus),
    }
    if search:
        figures.update(_search(corpus))
    return figures


def _read_cost(corpus: Any) -> float:
    step = max(1, len(corpus) // 1000)
    positions = range(0, len(corpus), step)
    start = time.perf_counter()
    for position in positions:
        corpus[position]
    return (time.perf_counter() - start) / max(1, len(positions)) * 1e6


def _search(corpus: Any) -> dict[str, Any]:
    try:
        from paper_tui.search import SearchEngine
    except ImportError:
        return {}
    sys.path.insert(0, str(HERE))
    from bench_search import type_queries

    engine = SearchEngine(corpus, background=False)
    start = time.perf_counter()
    engine.matcher()
    columns = time.perf_counter() - start
    start = time.perf_counter()
    engine.build_word_index()
    words = time.perf_counter() - start
    times, _complete = type_queries(engine)
    engine.close()
    return {
        "index_columns_s": columns,
        "index_words_s": words,
        "keystrokes": len(times["final"]),
        "first_median_ms": statistics.median(times["first"]) * 1000,
        "first_p95_ms": _pct(times["first"], 0.95) * 1000,
        "final_median_ms": statistics.median(times["final"]) * 1000,
        "final_p95_ms": _pct(times["final"], 0.95) * 1000,
        "peak_rss_with_search_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------
# The driver.


def run_child(path: Path, data_dir: Path, search: bool, timeout: float) -> dict[str, Any]:
    env = dict(os.environ, PAPER_TUI_DATA_DIR=str(data_dir))
    command = [sys.executable, __file__, "--measure", str(path)] + (["--search"] if search else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ensure_file(size: int, folder: Path) -> Path:
    path = folder / f"snapshot_{size}.jsonl"
    if not path.exists():
        print(f"generating {size:,} papers ...", flush=True)
        temp = path.with_suffix(".tmp")
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--n",
                str(size),
                "--format",
                "snapshot",
                "-o",
                str(temp),
            ],
            check=True,
        )
        temp.rename(path)
    return path


def _summary(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:8.2f}"
    return f"{statistics.median(values):8.2f} (p95 {_pct(values, 0.95):.2f}, N={len(values)})"


def bench(size: int, folder: Path, runs: int, search: bool, timeout: float) -> None:
    path = ensure_file(size, folder)
    megabytes = path.stat().st_size / 1e6
    print(f"\n== N={size:,} snapshot papers, {megabytes:,.0f} MB   (load average {load_average()})")
    data_dir = Path(tempfile.mkdtemp(prefix="bench-load-", dir=folder))
    try:
        first = run_child(path, data_dir, False, timeout)
        cached = [run_child(path, data_dir, search and i == runs - 1, timeout) for i in range(runs)]
        entry = sum(f.stat().st_size for f in (data_dir / "cache").rglob("*") if f.is_file())
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    assert not first["from_cache"] and all(c["from_cache"] for c in cached)
    assert first["papers"] == size and all(c["papers"] == size for c in cached)
    print("                            first open     cached open")
    for label, key, digits in (
        ("first batch (s)", "first_batch_s", 2),
        ("fully loaded (s)", "loaded_s", 2),
        ("peak RSS (MB)", "peak_rss_mb", 0),
        ("CPU, all processes (s)", "cpu_s", 2),
        ("a worker's peak RSS (MB)", "workers_peak_rss_mb", 0),
    ):
        if key not in first:
            continue
        values = [c[key] for c in cached]
        print(f"  {label:<24} {first[key]:8.{digits}f}       {_summary(values)}")
    print(f"  {'corpus[i] (us)':<24} {first['read_paper_us']:8.1f}       {cached[-1]['read_paper_us']:8.1f}")
    print(f"  cache entry: {entry / 1e6:,.0f} MB; papers/s first open: {size / first['loaded_s']:,.0f}")
    last = cached[-1]
    if "keystrokes" in last:
        print(
            f"  search once loaded: index columns {last['index_columns_s']:.2f} s, abstract words "
            f"{last['index_words_s']:.2f} s; per keystroke ({last['keystrokes']} keystrokes) first results "
            f"median {last['first_median_ms']:.1f} ms, p95 {last['first_p95_ms']:.1f} ms; complete result "
            f"median {last['final_median_ms']:.1f} ms, p95 {last['final_p95_ms']:.1f} ms; "
            f"peak RSS with search indexes {last['peak_rss_with_search_mb']:.0f} MB"
        )
    sys.stdout.flush()


def build_entry(path: str, size: int) -> None:
    """Write a cache entry of ``size`` generated papers for the stand-in file ``path``
    (in this process's data directory), without parsing: for a cached open at sizes
    whose first open the machine cannot afford."""
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(HERE))
    from generate import Maker, arxiv_id, load_vocabulary
    from paper_tui.cache import CacheWriter
    from paper_tui.model import Paper, Source

    maker = Maker(load_vocabulary(), 1)
    writer = CacheWriter(path, "arxiv-snapshot")
    for start in range(0, size, 5000):
        papers = []
        for index in range(start, min(size, start + 5000)):
            aid, year, month = arxiv_id(index)
            papers.append(
                Paper(
                    id=f"arxiv:{aid}",
                    title=maker.title(),
                    authors=tuple(f"{first} {last}" for first, last in maker.authors()),
                    abstract=maker.abstract(),
                    date=f"{year}-{month:02d}-{index % 28 + 1:02d}",
                    arxiv_id=aid,
                    links=(("abs", f"https://arxiv.org/abs/{aid}"), ("pdf", f"https://arxiv.org/pdf/{aid}")),
                    categories=tuple(maker.categories()),
                    sources=(Source(path, index + 1),),
                    extras=(("comment", "12 pages, 3 figures"),),
                )
            )
        writer.write_batch(papers)
    if not writer.commit([], []):
        raise SystemExit("could not write the cache entry")


def bench_cached_only(size: int, folder: Path, runs: int, timeout: float) -> None:
    stand_in = folder / f"stand_in_{size}.jsonl"  # any file over the cache's minimum size
    generator = [sys.executable, str(HERE / "generate.py"), "--n", "1000", "--jobs", "1", "-o", str(stand_in)]
    subprocess.run(generator, check=True, capture_output=True)
    print(f"\n== N={size:,} papers, cached open only (entry built from generated papers, not parsed)")
    print(f"   (load average {load_average()})")
    data_dir = Path(tempfile.mkdtemp(prefix="bench-load-", dir=folder))
    try:
        env = dict(os.environ, PAPER_TUI_DATA_DIR=str(data_dir))
        command = [sys.executable, __file__, "--build-entry", str(stand_in), "--n", str(size)]
        subprocess.run(command, env=env, check=True, timeout=timeout)
        cached = [run_child(stand_in, data_dir, False, timeout) for _ in range(runs)]
        entry = sum(f.stat().st_size for f in (data_dir / "cache").rglob("*") if f.is_file())
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        stand_in.unlink()
    assert all(c["from_cache"] and c["papers"] == size for c in cached)
    for label, key in (
        ("first batch (s)", "first_batch_s"),
        ("fully loaded (s)", "loaded_s"),
        ("peak RSS (MB)", "peak_rss_mb"),
        ("CPU (s)", "cpu_s"),
    ):
        print(f"  {label:<24} {_summary([c[key] for c in cached])}")
    print(f"  cache entry: {entry / 1e6:,.0f} MB")
    sys.stdout.flush()


def _reader_bytes() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from paper_tui.formats import compiled

    return compiled.MIN_BYTES


def warm_reader() -> str:
    """Compile the snapshot's compiled reader now if this machine has not yet (the app
    does it in the background after the first big file, which it reads the usual
    way): the figures are those of every later first open."""
    sys.path.insert(0, str(ROOT / "src"))
    from paper_tui.formats import compiled

    if compiled.ready():
        return "compiled (from numba's cache)"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "paper_tui.formats.compiled"], check=False)
    took = time.perf_counter() - started
    if done.returncode:
        return "the usual way (numba could not compile it)"
    return f"compiled now, once for this machine ({took:.0f} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated paper counts")
    parser.add_argument("--runs", type=int, default=3, help="cached opens per size")
    parser.add_argument("--search-sizes", default="100000,1000000", help="sizes to measure search at")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "paper-tui-bench"))
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per measurement")
    parser.add_argument(
        "--cached-only",
        default="",
        metavar="SIZES",
        help="sizes to measure a cached open at, from an entry built without parsing",
    )
    parser.add_argument("--measure", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--build-entry", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--search", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.search)))
        return 0
    if args.build_entry:
        build_entry(args.build_entry, args.n)
        return 0
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"paper-tui load benchmark, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()}")
    print(f"snapshot reader for files of {_reader_bytes() >> 20} MB or more: {warm_reader()}")
    search_sizes = {int(s) for s in args.search_sizes.split(",") if s}
    for size in (int(s) for s in args.sizes.split(",") if s):
        bench(size, folder, max(1, args.runs), size in search_sizes, args.timeout)
    for size in (int(s) for s in args.cached_only.split(",") if s):
        bench_cached_only(size, folder, max(1, args.runs), args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
