"""Parse speed per input format: papers per second on generated files of N papers.

    .venv/bin/python benchmarks/bench_parse.py                  # N = 100000, 3 runs each
    .venv/bin/python benchmarks/bench_parse.py --n 20000 --runs 5 --formats bibtex,ris

The papers come from ``benchmarks/generate.py`` (real sentences, titles and names
from the fixtures recombined; snapshot, BibTeX and JSON lines are its own writers).
The same generated records are written here as Atom, RSS, Hugging Face daily-papers
JSON, RIS, CSV and Markdown, so every format parses comparable papers.  Each run is
a whole ``load_papers`` (open, decode, sniff, parse, clean) in this process; the
script prints the median and p95 of the runs, N, the file size, and the machine.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from generate import generate
from paper_tui.formats import load_papers

Record = dict[str, Any]


def _names(record: Record) -> list[tuple[str, str]]:
    """(first, last) pairs."""
    return [(first, last) for last, first, _ in record["authors_parsed"]]


def _date(record: Record) -> str:
    return str(record["update_date"])


def write_atom(records: list[Record], out: io.TextIOBase) -> None:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" ')
    out.write('xmlns:arxiv="http://arxiv.org/schemas/atom">\n')
    for r in records:
        authors = "".join(f"<author><name>{escape(f'{f} {last}')}</name></author>" for f, last in _names(r))
        cats = "".join(f'<category term="{c}"/>' for c in r["categories"].split())
        out.write(
            f"<entry><id>http://arxiv.org/abs/{r['id']}v1</id><title>{escape(r['title'])}</title>"
            f"<summary>{escape(r['abstract'])}</summary>{authors}<published>{_date(r)}T00:00:00Z</published>"
            f'<link href="http://arxiv.org/pdf/{r["id"]}v1" title="pdf" rel="related"/>{cats}'
            f"<arxiv:comment>{escape(r['comments'] or '')}</arxiv:comment></entry>\n"
        )
    out.write("</feed>\n")


def write_rss(records: list[Record], out: io.TextIOBase) -> None:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>t</title>\n')
    for r in records:
        out.write(
            f"<item><title>{escape(r['title'])}</title><link>https://huggingface.co/papers/{r['id']}</link>"
            f"<description>{escape(r['abstract'])}</description>"
            f"<pubDate>{r['versions'][0]['created']}</pubDate></item>\n"
        )
    out.write("</channel></rss>\n")


def write_hf_json(records: list[Record], out: io.TextIOBase) -> None:
    items = [
        {
            "paper": {
                "id": r["id"],
                "authors": [{"name": f"{f} {last}", "hidden": False} for f, last in _names(r)],
                "publishedAt": f"{_date(r)}T00:00:00.000Z",
                "title": r["title"],
                "summary": r["abstract"],
                "upvotes": 3,
            },
            "publishedAt": f"{_date(r)}T12:00:00.000Z",
            "title": r["title"],
        }
        for r in records
    ]
    json.dump(items, out, ensure_ascii=False, indent=1)


def write_ris(records: list[Record], out: io.TextIOBase) -> None:
    for r in records:
        lines = ["TY  - JOUR", f"TI  - {' '.join(r['title'].split())}"]
        lines += [f"AU  - {last}, {f}" for f, last in _names(r)]
        lines += [f"PY  - {_date(r)[:4]}", f"DA  - {_date(r).replace('-', '/')}"]
        lines += [f"AB  - {' '.join(r['abstract'].split())}", f"UR  - https://arxiv.org/abs/{r['id']}"]
        if r["doi"]:
            lines.append(f"DO  - {r['doi']}")
        out.write("\n".join(lines) + "\nER  - \n\n")


def write_csv(records: list[Record], out: io.TextIOBase) -> None:
    writer = csv.writer(out)
    writer.writerow(
        ["Key", "Publication Year", "Author", "Title", "DOI", "Url", "Abstract Note", "Manual Tags"]
    )
    for r in records:
        writer.writerow(
            [
                r["id"],
                _date(r)[:4],
                "; ".join(f"{last}, {f}" for f, last in _names(r)),
                r["title"],
                r["doi"] or "",
                f"https://arxiv.org/abs/{r['id']}",
                r["abstract"],  # hard-wrapped: multi-line quoted cells
                r["categories"].replace(" ", "; "),
            ]
        )


def write_markdown(records: list[Record], out: io.TextIOBase) -> None:
    out.write("# Papers\n\n")
    for r in records:
        title = " ".join(r["title"].split())
        out.write(
            f"- ({_date(r)[:7]}) **{title}** [paper](https://arxiv.org/abs/{r['id']}) | [code](https://github.com/x/{r['id']})\n"
        )


WRITERS: dict[str, tuple[str, Callable[[list[Record], io.TextIOBase], None]]] = {
    "atom": (".atom.xml", write_atom),
    "rss": (".rss.xml", write_rss),
    "hf-json": (".json", write_hf_json),
    "ris": (".ris", write_ris),
    "csv": (".csv", write_csv),
    "markdown": (".md", write_markdown),
}
GENERATED = {
    "arxiv-snapshot": ("snapshot", ".jsonl"),
    "bibtex": ("bibtex", ".bib"),
    "paper-tui-jsonl": ("jsonl", ".jsonl"),
}
ALL = [*GENERATED, *WRITERS]


def make_files(n: int, formats: list[str], directory: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    snapshot_path = directory / "snapshot.jsonl"
    for name in formats:
        if name in GENERATED:
            kind, suffix = GENERATED[name]
            path = directory / f"{kind}{suffix}"
            if not path.exists():
                with open(path, "w", encoding="utf-8", newline="\n") as out:
                    generate(n, kind, out, seed=1, output_name=str(path))
            files[name] = path
    needs_records = [name for name in formats if name in WRITERS]
    if needs_records:
        if not snapshot_path.exists():
            with open(snapshot_path, "w", encoding="utf-8", newline="\n") as out:
                generate(n, "snapshot", out, seed=1)
        with open(snapshot_path, encoding="utf-8") as stream:
            records = [json.loads(line) for line in stream]
        for name in needs_records:
            suffix, writer = WRITERS[name]
            path = directory / f"{name}{suffix}"
            with open(path, "w", encoding="utf-8", newline="\n") as out:
                writer(records, out)  # type: ignore[arg-type]
            files[name] = path
    return files


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="papers per file (default 100000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per format (default 3)")
    parser.add_argument("--formats", default=",".join(ALL), help="comma-separated format names")
    parser.add_argument("--dir", default="", help="keep generated files here (default: a temporary dir)")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in ALL]
    if unknown:
        parser.error(f"unknown formats: {', '.join(unknown)} (known: {', '.join(ALL)})")
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(args.dir or temporary)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        files = make_files(args.n, formats, directory)
        print(f"generated {len(files)} files of N={args.n} papers in {time.perf_counter() - started:.0f} s")
        print(f"{'format':<16} {'N':>7} {'MB':>6} {'median p/s':>11} {'p95 p/s':>9} {'median s':>9} runs")
        for name in formats:
            path = files[name]
            seconds: list[float] = []
            count = 0
            for _ in range(args.runs):
                gc.collect()
                start = time.perf_counter()
                result = load_papers([str(path)], name)
                seconds.append(time.perf_counter() - start)
                count = len(result.papers)
                del result
            median = statistics.median(seconds)
            slow = percentile(seconds, 0.95)  # p95 of the run times: the slow end
            size = path.stat().st_size / 1e6
            print(
                f"{name:<16} {count:>7} {size:>6.0f} {count / median:>11,.0f} {count / slow:>9,.0f} "
                f"{median:>9.2f} {args.runs}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
