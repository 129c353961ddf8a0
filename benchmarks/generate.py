"""Realistic synthetic paper lists of any size, for the big-list benchmarks.

    python benchmarks/generate.py --n 1000000 --format snapshot -o big.jsonl
    python benchmarks/generate.py --n 50000 --format bibtex -o big.bib --seed 7

Formats: ``snapshot`` (the Kaggle arXiv metadata snapshot's JSON lines, field for
field), ``bibtex`` (``@article`` entries with abstracts and arXiv eprints) and
``jsonl`` (paper-tui's own JSON lines).  The words are real: sentences of
abstracts, pieces of titles, author names and categories come from the files in
``tests/fixtures``, recombined, so cleaning, LaTeX conversion and search see the
text they meet in the wild (``$...$`` math, ``\\'a`` accents, wrapped lines).
Abstracts average about 1,000 characters, titles about 70, three authors.  The
same seed gives the same bytes.  Speed: about a million papers in 20-30 s.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
SNAPSHOT = FIXTURES / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl"
ATOM = FIXTURES / "arxiv_atom" / "query_testing_100.atom.xml"
BIBTEX = FIXTURES / "bibtex" / "pmlr_pgm22.bib"
HF_PAGE = FIXTURES / "hf_papers_search_target_language.txt"

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LICENSES = (
    None,
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-nc-sa/4.0/",
)
#: Titles are cut at these words and glued to another title's tail.
TITLE_JOINS = (" for ", " of ", " with ", " in ", " on ", " via ", ": ", " and ", " from ", " using ")


@dataclass
class Vocabulary:
    """Pieces of real records to recombine."""

    sentences: list[str]
    title_heads: list[str]
    title_tails: list[str]
    names: list[tuple[str, str]]
    categories: list[str]
    comments: list[str]
    journals: list[str]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z$\\])", _squash(text))
    return [p for p in parts if 20 <= len(p) <= 400]


def load_vocabulary() -> Vocabulary:
    """Read the fixtures once: about 2,000 real sentences, 500 titles, 700 names."""
    sentences: list[str] = []
    titles: list[str] = []
    names: list[tuple[str, str]] = []
    categories: set[str] = set()
    comments: list[str] = []
    journals: list[str] = []
    for line in SNAPSHOT.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        sentences += _sentences(record["abstract"])
        titles.append(_squash(record["title"]))
        names += [(parts[1], parts[0]) for parts in record["authors_parsed"] if parts[0] and parts[1]]
        categories.update(record["categories"].split())
        if record.get("comments"):
            comments.append(_squash(record["comments"]))
        if record.get("journal-ref"):
            journals.append(_squash(record["journal-ref"]))
    atom = ATOM.read_text(encoding="utf-8")
    for summary in re.findall(r"<summary>(.*?)</summary>", atom, re.S):
        sentences += _sentences(summary)
    titles += [_squash(t) for t in re.findall(r"<entry>.*?<title>(.*?)</title>", atom, re.S)]
    for name in re.findall(r"<name>(.*?)</name>", atom):
        first, _, last = name.rpartition(" ")
        if first and last:
            names.append((first, last))
    bib = BIBTEX.read_text(encoding="utf-8")
    # An abstract ends at "}," before the next field or at "}" closing the entry.
    for abstract in re.findall(r"abstract = \{(.*?)\},?\n\s*(?:\w+ =|\})", bib, re.S):
        sentences += _sentences(abstract)
    titles += [_squash(t) for t in re.findall(r"\n\s+title = \{(.*?)\},\n", bib, re.S)]
    lines = [ln.strip() for ln in HF_PAGE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    for line in lines:
        (sentences.extend(_sentences(line)) if len(line) > 200 else titles.append(line))
    heads, tails = _title_pieces(titles)
    return Vocabulary(
        sentences=sorted(set(sentences)),
        title_heads=heads,
        title_tails=tails,
        names=sorted(set(names)),
        categories=sorted(categories),
        comments=sorted(set(comments)),
        journals=sorted(set(journals)),
    )


def _title_pieces(titles: list[str]) -> tuple[list[str], list[str]]:
    heads: set[str] = set()
    tails: set[str] = set()
    for title in titles:
        if not 10 <= len(title) <= 200:
            continue
        for join in TITLE_JOINS:
            at = title.find(join)
            if at > 3:
                heads.add(title[:at])
                tails.add(title[at:])
        heads.add(title)
    return sorted(heads), sorted(tails)


class Maker:
    """Builds records from a vocabulary with one seeded random stream."""

    def __init__(self, vocabulary: Vocabulary, seed: int) -> None:
        self.v = vocabulary
        self.rng = random.Random(seed)
        self.uniform = self.rng.random

    def pick(self, items: list[str]) -> str:
        """``rng.choice`` without its overhead: a million records make millions of picks."""
        return items[int(self.uniform() * len(items))]

    def title(self) -> str:
        rng = self.rng
        head = self.pick(self.v.title_heads)
        if rng.random() < 0.6:
            return head + self.pick(self.v.title_tails)
        return head

    def abstract(self) -> str:
        rng = self.rng
        target = int(rng.gauss(1000, 350))
        parts: list[str] = []
        size = 0
        while size < target or not parts:
            sentence = self.pick(self.v.sentences)
            parts.append(sentence)
            size += len(sentence) + 1
        return " ".join(parts)

    def authors(self) -> list[tuple[str, str]]:
        rng = self.rng
        count = min(40, 1 + int(rng.expovariate(0.5)))
        names = self.v.names
        return [names[int(self.uniform() * len(names))] for _ in range(count)]

    def categories(self) -> list[str]:
        count = 1 + int(self.rng.expovariate(1.2))
        return self.rng.sample(self.v.categories, min(count, 3))


_WRAP = re.compile(r"(.{1,78})(?: +|$)")


def wrap(text: str) -> str:
    """Hard-wrap at about 80 columns, as the snapshot's abstracts are."""
    return "\n".join(_WRAP.findall(text)) + "\n"


def arxiv_id(index: int) -> tuple[str, int, int]:
    """A five-digit arXiv id (the style since 2015), unique per index; also its year and month."""
    month_index, number = divmod(index, 20000)
    year = 2015 + month_index // 12
    month = month_index % 12 + 1
    return f"{year % 100:02d}{month:02d}.{number + 1:05d}", year, month


def snapshot_records(maker: Maker, start: int, count: int) -> Iterator[str]:
    rng = maker.rng
    dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode
    for index in range(start, start + count):
        aid, year, month = arxiv_id(index)
        people = maker.authors()
        authors = ", ".join(f"{first} {last}" for first, last in people[:-1])
        authors = f"{authors} and {people[-1][0]} {people[-1][1]}" if authors else " ".join(people[0])
        day = rng.randint(1, 28)
        versions = [
            {
                "version": f"v{v + 1}",
                "created": f"{WEEKDAYS[(day + v) % 7]}, {day} {MONTHS[month - 1]} {year + v // 2} "
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} GMT",
            }
            for v in range(1 + int(rng.expovariate(1.5)))
        ]
        title = maker.title()
        if len(title) > 70:  # the snapshot wraps long titles with a newline and two spaces
            cut = title.rfind(" ", 0, 70)
            title = title[:cut] + "\n  " + title[cut + 1 :] if cut > 0 else title
        has_doi = rng.random() < 0.35
        record = {
            "id": aid,
            "submitter": " ".join(people[0]),
            "authors": authors,
            "title": title,
            "comments": rng.choice(maker.v.comments) if rng.random() < 0.7 else None,
            "journal-ref": rng.choice(maker.v.journals) if has_doi else None,
            "doi": f"10.{1000 + index % 9000}/synthetic.{index}" if has_doi else None,
            "report-no": None,
            "categories": " ".join(maker.categories()),
            "license": rng.choice(LICENSES),
            "abstract": "  " + wrap(maker.abstract()),
            "versions": versions,
            "update_date": f"{year + len(versions) // 2}-{month:02d}-{day:02d}",
            "authors_parsed": [[last, first, ""] for first, last in people],
        }
        yield dumps(record) + "\n"


def bibtex_records(maker: Maker, start: int, count: int) -> Iterator[str]:
    rng = maker.rng
    for index in range(start, start + count):
        aid, year, month = arxiv_id(index)
        people = maker.authors()
        key = f"{people[0][1].split()[-1].strip('{}').lower()}{year}x{index}"
        author = " and ".join(f"{last}, {first}" for first, last in people)
        yield (
            f"@article{{{key},\n"
            f"  title = {{{maker.title()}}},\n"
            f"  author = {{{author}}},\n"
            f"  journal = {{{rng.choice(maker.v.journals) if rng.random() < 0.4 else 'arXiv preprint'}}},\n"
            f"  year = {{{year}}},\n"
            f"  month = {MONTHS[month - 1].lower()},\n"
            f"  eprint = {{{aid}}},\n"
            f"  archivePrefix = {{arXiv}},\n"
            f"  primaryClass = {{{maker.categories()[0]}}},\n"
            f"  abstract = {{{maker.abstract()}}}\n"
            "}\n\n"
        )


def jsonl_records(maker: Maker, start: int, count: int, output: str) -> Iterator[str]:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    rng = maker.rng
    for index in range(start, start + count):
        aid, year, month = arxiv_id(index)
        record = {
            "id": f"arxiv:{aid}",
            "title": maker.title(),
            "authors": [f"{first} {last}" for first, last in maker.authors()],
            "abstract": maker.abstract(),
            "date": f"{year}-{month:02d}-{rng.randint(1, 28):02d}",
            "arxiv_id": aid,
            "doi": "",
            "links": {"abs": f"https://arxiv.org/abs/{aid}", "pdf": f"https://arxiv.org/pdf/{aid}"},
            "categories": maker.categories(),
            "sources": [{"file": output, "line": index + 1}],
            "extras": {},
        }
        yield dumps(record) + "\n"


SHARD = 20000
_vocabulary: Vocabulary | None = None


def _shard(job: tuple[str, int, int, int, str]) -> str:
    """Records ``start`` to ``start + count`` as one string; its own seeded stream, so
    the output does not depend on how many processes share the work."""
    global _vocabulary
    fmt, seed, start, count, output_name = job
    if _vocabulary is None:
        _vocabulary = load_vocabulary()
    maker = Maker(_vocabulary, seed * 1_000_003 + start // SHARD)
    records: Iterator[str] = {
        "snapshot": lambda: snapshot_records(maker, start, count),
        "bibtex": lambda: bibtex_records(maker, start, count),
        "jsonl": lambda: jsonl_records(maker, start, count, output_name),
    }[fmt]()
    return "".join(records)


def generate(
    n: int, fmt: str, out: TextIO, seed: int = 1, output_name: str = "generated.jsonl", jobs: int = 0
) -> None:
    """Write ``n`` papers in ``fmt`` to ``out``, in shards spread over ``jobs`` processes
    (0: one per core)."""
    work = [(fmt, seed, start, min(SHARD, n - start), output_name) for start in range(0, n, SHARD)]
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(work) == 1:
        for job in work:
            out.write(_shard(job))
        return
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        for text in pool.imap(_shard, work):
            out.write(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, required=True, help="number of papers")
    parser.add_argument("--format", choices=("snapshot", "bibtex", "jsonl"), default="snapshot")
    parser.add_argument("-o", "--output", required=True, help="file to write (- for standard output)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same file)")
    parser.add_argument("--jobs", type=int, default=0, help="processes to use (default: one per core)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.output == "-":
        generate(args.n, args.format, sys.stdout, args.seed, jobs=args.jobs)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            generate(args.n, args.format, out, args.seed, args.output, args.jobs)
        size = Path(args.output).stat().st_size
        print(
            f"wrote {args.n} papers ({args.format}, {size / 1e6:.1f} MB) to {args.output} "
            f"in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
