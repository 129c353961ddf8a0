"""Search speed while typing: first and final results per keystroke, and fzf for scale.

    .venv/bin/python benchmarks/bench_search.py                      # 10k and 100k
    .venv/bin/python benchmarks/bench_search.py --sizes 1000000 --fzf-limit 2

For each size N, N synthetic papers (real sentences, titles and names recombined
by ``benchmarks/generate.py``) are searched twice: titles and authors only, and
with abstracts.  Each query is typed one character at a time; per keystroke the
script times ``first_results`` (keystroke -> first matches to paint) and
``first_results`` + ``search(previous=...)`` (keystroke -> the complete ranked
result), as the app's worker does them, and prints median and p95.  Index build
time and the memory the indexes take are printed too.  Then ``fzf --filter`` runs
the complete queries on the same text (one line per paper), and our final-result
time for the complete query is printed as a ratio of fzf's (one-shot, reading
included, as fzf is used from a shell): typed (the last keystroke, narrowing the
previous result) and one-shot (the same query afresh, indexes built).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from generate import Maker, load_vocabulary
from paper_tui.corpus import Corpus
from paper_tui.model import Paper
from paper_tui.search import SearchEngine, SearchResult

#: Typed one character at a time.  All but the last two are fzf syntax too.
QUERIES = (
    "transformer",
    "language model",
    "graph neural network",
    "'low-resource !speech",
    "diffusion image",
    "reinforcement learning agent",
    "a:smith year:2020..2023",
    "t:^learning",
)
FZF_QUERIES = QUERIES[:6]


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return f"{os.cpu_count()} cores, {model or platform.machine()}, Python {platform.python_version()}"


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def index_mb(engine: SearchEngine) -> tuple[float, float]:
    """Bytes held by the columns (with their ASCII copies) and by the word index,
    in MB (sys.getsizeof of every string and array they own)."""
    matcher = engine.matcher()
    columns = 0
    for column in (matcher.title, matcher.authors, matcher.column("id"), matcher.column("cat")):
        columns += sys.getsizeof(column.text) + sys.getsizeof(column.starts) + sys.getsizeof(column.ends)
        data = column._data  # the ASCII copy the numpy walks use, once built
        columns += sys.getsizeof(data) if data is not None else 0
        letters = column._letters  # the letter offsets of the numpy walks
        columns += letters.nbytes if letters is not None else 0
    words = 0
    index = matcher.words
    if index is not None:
        words += index.nbytes
    return columns / 2**20, words / 2**20


def make_corpus(size: int, abstracts: bool, seed: int = 1) -> Corpus:
    maker = Maker(load_vocabulary(), seed)
    papers = []
    for number in range(size):
        title = maker.title()
        authors = tuple(f"{first} {last}" for first, last in maker.authors())
        abstract = maker.abstract() if abstracts else ""
        year = 2007 + number * 19 // max(size, 1)
        papers.append(
            Paper(
                id=f"arxiv:{year % 100:02d}{number % 12 + 1:02d}.{number:07d}",
                title=title,
                authors=authors,
                abstract=abstract,
                date=f"{year}-{number % 12 + 1:02d}-01",
                categories=tuple(maker.categories()),
            )
        )
    return Corpus(papers)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(value: float) -> str:
    return f"{value * 1000:7.1f}"


Timings = dict[str, list[float]]


def type_queries(
    engine: SearchEngine, keys: list[tuple[float, str, int]] | None = None
) -> tuple[Timings, dict[str, float]]:
    """Per-keystroke first and final latencies (wall, and CPU time of the process:
    nothing else runs in it); the final wall time of each complete query.  ``keys``,
    when given, gets each keystroke's final wall time, text typed and match count."""
    times: Timings = {"first": [], "final": [], "first cpu": [], "final cpu": []}
    complete: dict[str, float] = {}
    for query in QUERIES:
        previous: SearchResult | None = None
        for end in range(1, len(query) + 1):
            typed = query[:end]
            start, start_cpu = time.perf_counter(), time.process_time()
            engine.first_results(typed)
            first, first_cpu = time.perf_counter(), time.process_time()
            previous = engine.search(typed, previous=previous)
            final, final_cpu = time.perf_counter(), time.process_time()
            times["first"].append(first - start)
            times["final"].append(final - start)
            times["first cpu"].append(first_cpu - start_cpu)
            times["final cpu"].append(final_cpu - start_cpu)
            if keys is not None and previous is not None:
                keys.append((final - start, typed, previous.total))
        complete[query] = times["final"][-1]
    return times, complete


def fzf_times(corpus: Corpus, abstracts: bool, limit: int) -> dict[str, float]:
    fzf = shutil.which("fzf")
    if not fzf or limit <= 0:
        return {}
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        for paper in corpus:
            parts = [paper.title, ", ".join(paper.authors)]
            if abstracts:
                parts.append(paper.abstract.replace("\n", " "))
            handle.write(" | ".join(parts) + "\n")
        path = handle.name
    times = {}
    try:
        for query in FZF_QUERIES[:limit]:
            start = time.perf_counter()
            with open(path, "rb") as source:
                subprocess.run([fzf, "--filter", query], stdin=source, stdout=subprocess.DEVNULL, check=False)
            times[query] = time.perf_counter() - start
    finally:
        os.unlink(path)
    return times


def run(size: int, abstracts: bool, fzf_limit: int) -> None:
    label = "titles+authors+abstracts" if abstracts else "titles+authors"
    print(f"\n== N={size:,} papers, {label}")
    corpus = make_corpus(size, abstracts)
    gc.collect()
    before = rss_mb()
    engine = SearchEngine(corpus, background=False)
    start = time.perf_counter()
    engine.matcher()
    columns = time.perf_counter() - start
    start = time.perf_counter()
    engine.build_word_index()  # what the app builds in the background
    words = time.perf_counter() - start
    gc.freeze()  # as the app does once a load finishes: no full-collection pauses over the corpus
    after_words = rss_mb()
    column_mb, words_mb = index_mb(engine)
    print(
        f"index build: title/author columns {columns:.2f} s, id/category columns and abstract words "
        f"{words:.2f} s; index memory: columns {column_mb:.0f} MB, words {words_mb:.0f} MB; "
        f"process RSS {after_words:.0f} MB (was {before:.0f} MB with the corpus alone)"
    )
    times, complete = type_queries(engine)
    column_mb, _ = index_mb(engine)
    print(
        "columns after typing (with the ASCII copies and letter offsets the walks use): "
        f"{column_mb:.0f} MB; RSS {rss_mb():.0f} MB"
    )
    count = len(times["first"])
    print(f"keystrokes: {count} over {len(QUERIES)} queries (ms)   median      p95      max")
    for name, values in times.items():
        figures = f"{ms(statistics.median(values))}  {ms(pct(values, 0.95))}  {ms(max(values))}"
        print(f"  {name + ' results':<38} {figures}")
    fzf = fzf_times(corpus, abstracts, fzf_limit)
    if fzf:
        print("complete query             typed (ms) one-shot (ms) fzf --filter (ms) typed/fzf one-shot/fzf")
        ratios, shot_ratios = [], []
        for query, theirs in fzf.items():
            engine.forget_recent()
            start = time.perf_counter()
            engine.search(query)
            shot = time.perf_counter() - start
            ours = complete[query]
            ratios.append(ours / theirs)
            shot_ratios.append(shot / theirs)
            print(
                f"  {query:<26} {ms(ours)}     {ms(shot)}        {ms(theirs)}      "
                f"{ours / theirs:6.3f}     {shot / theirs:6.3f}"
            )
        print(
            f"  median ratio ours/fzf: typed {statistics.median(ratios):.3f}, "
            f"one-shot {statistics.median(shot_ratios):.3f}"
        )
    engine.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated paper counts")
    parser.add_argument(
        "--mode", choices=("both", "titles", "abstracts"), default="both", help="which texts to search"
    )
    parser.add_argument(
        "--fzf-limit", type=int, default=len(FZF_QUERIES), help="run fzf on at most this many queries"
    )
    args = parser.parse_args(argv)
    print(f"bench_search: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine)")
    for size in (int(s) for s in args.sizes.split(",")):
        if args.mode in ("both", "titles"):
            run(size, False, args.fzf_limit)
        if args.mode in ("both", "abstracts"):
            run(size, True, args.fzf_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
