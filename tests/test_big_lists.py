"""Big lists: the streaming loader, the parse cache and the compact corpus."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from helpers import run_cli
from paper_tui import cache, loading, parallel
from paper_tui.compact import (
    AppendBlobs,
    EncodedChunk,
    batch_in_memory,
    encode_chunk,
    encode_rest,
)
from paper_tui.corpus import Corpus
from paper_tui.formats import LoadError, load_papers
from paper_tui.loading import Loader
from paper_tui.model import Paper, Source, id_links, make_paper

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paper_tui_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _write(path: Path, n: int, fmt: str = "snapshot", seed: int = 1) -> Path:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        _generator().generate(n, fmt, out, seed=seed, output_name=str(path), jobs=1)
    return path


def _load(path: Path, use_cache: bool = True, batch_size: int = 5000) -> tuple[Corpus, Loader]:
    loader = Loader([str(path)], use_cache=use_cache)
    corpus = Corpus()
    for batch in loader.batches(batch_size):
        corpus.extend(batch)
    return corpus, loader


@pytest.fixture
def small_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cache files of any size, so small generated files exercise the cache."""
    monkeypatch.setattr(cache, "MIN_BYTES", 0)


@pytest.fixture
def small_file(tmp_path: Path, small_cache: None) -> Path:
    return _write(tmp_path / "small.jsonl", 400)


def _entry_files() -> list[Path]:
    folder = cache.entries_dir()
    return sorted(folder.iterdir()) if folder.is_dir() else []


# -- the cache ----------------------------------------------------------------


@pytest.mark.slow
def test_50k_generated_papers_through_the_cache_twice_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "snapshot_50k.jsonl", 50_000)
    assert path.stat().st_size >= cache.MIN_BYTES
    parsed: list[Paper] = []  # what the parser gave, on its way into the cache

    def spy(papers: list[Paper], line_delta: int = 0) -> EncodedChunk:
        parsed.extend(papers)
        return encode_chunk(papers, line_delta)

    monkeypatch.setattr(loading, "encode_chunk", spy)
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 62)  # parse here, where the spy sees it
    first, loader1 = _load(path)
    assert loader1.parsed == [str(path)] and loader1.from_cache == [] and len(parsed) == 50_000
    second, loader2 = _load(path)
    assert loader2.parsed == [] and loader2.from_cache == [str(path)], "second open must not parse"
    assert len(parsed) == 50_000, "second open must not parse"
    assert len(first) == len(second) == 50_000
    assert list(second) == parsed  # field for field, every paper
    assert list(first) == parsed
    for i in (0, 1, 25_000, 49_999):
        assert second.abstract(i) == parsed[i].abstract
        assert second.authors(i) == parsed[i].authors
        assert (second.title(i), second.date(i), second.paper_id(i)) == (
            parsed[i].title,
            parsed[i].date,
            parsed[i].id,
        )
    assert loader2.problems == loader1.problems and loader2.notices == loader1.notices
    assert loader2.progress.done and loader2.progress.papers == 50_000
    assert loader2.progress.bytes_read == loader2.progress.bytes_total


def test_second_open_reads_the_cache_and_gives_the_same_papers(small_file: Path) -> None:
    first, loader = _load(small_file)
    assert loader.parsed == [str(small_file)]
    assert [p.name for p in _entry_files()] == [cache.entry_path(str(small_file)).name]
    second, loader = _load(small_file)
    assert loader.from_cache == [str(small_file)] and loader.parsed == []
    assert list(first) == list(second) == load_papers([str(small_file)]).papers


def test_a_touched_file_is_parsed_again_and_cached_again(small_file: Path) -> None:
    expected = list(_load(small_file)[0])
    info = small_file.stat()
    os.utime(small_file, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    corpus, loader = _load(small_file)
    assert loader.parsed == [str(small_file)] and list(corpus) == expected
    assert _load(small_file)[1].from_cache == [str(small_file)]


def test_a_changed_file_gives_its_new_papers(small_file: Path, tmp_path: Path) -> None:
    _load(small_file)
    more = _write(tmp_path / "more.jsonl", 410)  # the same 400 papers and 10 more
    small_file.write_bytes(more.read_bytes())
    corpus, loader = _load(small_file)
    assert loader.parsed == [str(small_file)] and len(corpus) == 410


def _damage_truncate(entry: Path) -> None:
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2])


def _damage_empty(entry: Path) -> None:
    entry.write_bytes(b"")


def _damage_garbage(entry: Path) -> None:
    entry.write_bytes(os.urandom(5000))


def _damage_trailer(entry: Path) -> None:
    data = bytearray(entry.read_bytes())
    data[-30:-20] = b"\xff" * 10
    entry.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_damage_truncate, _damage_empty, _damage_garbage, _damage_trailer])
def test_a_damaged_entry_is_rebuilt_silently(small_file: Path, damage: object) -> None:
    expected = list(_load(small_file)[0])
    entry = cache.entry_path(str(small_file))
    damage(entry)  # type: ignore[operator]
    corpus, loader = _load(small_file)
    assert list(corpus) == expected
    assert loader.parsed == [str(small_file)] and not loader.problems and not loader.notices
    again, loader = _load(small_file)
    assert loader.from_cache == [str(small_file)] and list(again) == expected


def test_a_chunk_damaged_midway_falls_back_to_parsing_without_duplicates(small_file: Path) -> None:
    expected = list(_load(small_file, batch_size=100)[0])
    entry = cache.entry_path(str(small_file))
    reader = cache.CacheReader.open(str(small_file), None)
    assert reader is not None and len(reader.meta["chunks"]) == 4
    _count, start, _columns, _arrays, _crc, _codec = reader.meta["chunks"][2]
    reader.blobs.close()
    data = bytearray(entry.read_bytes())
    data[start + 10 : start + 20] = b"XXXXXXXXXX"  # inside the third chunk's columns
    entry.write_bytes(bytes(data))
    corpus, loader = _load(small_file, batch_size=100)
    assert list(corpus) == expected and corpus.merged == 0
    assert loader.progress.papers == 400 and loader.parsed == [str(small_file)]
    assert _load(small_file)[1].from_cache == [str(small_file)]


def test_no_cache_neither_reads_nor_writes_it(small_file: Path) -> None:
    _corpus, loader = _load(small_file, use_cache=False)
    assert loader.parsed == [str(small_file)] and _entry_files() == []
    status, out, _err = run_cli("list", "--no-cache", str(small_file), "--limit", "3")
    assert status == 0 and len(out.splitlines()) == 3 and _entry_files() == []
    _load(small_file)
    assert len(_entry_files()) == 1
    _corpus, loader = _load(small_file, use_cache=False)
    assert loader.parsed == [str(small_file)] and loader.from_cache == []


def test_a_killed_load_s_unfinished_entry_is_removed_by_the_next_one(small_file: Path) -> None:
    final = cache.entry_path(str(small_file))
    final.parent.mkdir(parents=True, exist_ok=True)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        orphan = final.with_name(f"{final.name}.tmp-{gone.pid}-7f00")
        orphan.write_bytes(b"PTCACHE1" + b"\0" * 1000)  # what a load killed midway leaves
        busy = final.with_name(f"{final.name}.tmp-{running.pid}-7f00")
        busy.write_bytes(b"PTCACHE1")  # another instance, writing it now
        other = final.with_name(f"other{cache.SUFFIX}.tmp-{gone.pid}-7f00")
        other.write_bytes(b"PTCACHE1")  # another file's: left to its own next load
        assert "unfinished" in run_cli("cache", "info")[1]
        corpus, loader = _load(small_file)
        assert len(corpus) == 400 and loader.parsed == [str(small_file)]
        assert not orphan.exists() and busy.exists() and other.exists() and final.exists()
    finally:
        running.kill()
        running.wait()


def test_cache_info_and_clear(small_file: Path, tmp_path: Path) -> None:
    status, out, _err = run_cli("cache", "info")
    assert status == 0 and "entries: 0 files, 0 papers" in out
    assert run_cli("list", str(small_file), "--limit", "1")[0] == 0
    status, out, _err = run_cli("cache", "info")
    size = cache.entry_path(str(small_file)).stat().st_size
    assert status == 0 and "entries: 1 file, 400 papers" in out and f"({size} bytes)" in out
    assert str(small_file.resolve()) in out and "[stale]" not in out
    small_file.write_bytes(small_file.read_bytes() + b"\n")
    assert "[stale]" in run_cli("cache", "info")[1]
    status, out, _err = run_cli("cache", "clear")
    assert status == 0 and out.startswith("removed 1 cache entry")
    assert _entry_files() == [] and "entries: 0 files" in run_cli("cache", "info")[1]


def test_cache_info_reports_an_unreadable_entry(small_file: Path) -> None:
    _load(small_file)
    cache.entry_path(str(small_file)).write_bytes(b"not a cache")
    status, out, _err = run_cli("cache", "info")
    assert status == 0 and "[unreadable]" in out


def test_an_unwritable_cache_directory_costs_only_the_cache(small_file: Path) -> None:
    cache.entries_dir().parent.mkdir(parents=True, exist_ok=True)
    cache.entries_dir().write_text("a file where the folder should be")
    corpus, loader = _load(small_file)
    assert len(corpus) == 400 and loader.parsed == [str(small_file)]


def test_small_files_are_not_cached(tmp_path: Path) -> None:
    path = _write(tmp_path / "tiny.jsonl", 50)
    assert path.stat().st_size < cache.MIN_BYTES
    _corpus, loader = _load(path)
    _corpus, loader = _load(path)
    assert loader.parsed == [str(path)] and _entry_files() == []


# -- the loader -----------------------------------------------------------------


def test_cancel_stops_the_load_and_leaves_no_entry(small_file: Path) -> None:
    loader = Loader([str(small_file)])
    batches = loader.batches(50)
    next(batches)
    loader.cancel()
    assert list(batches) == []
    assert loader.progress.done and loader.progress.papers == 50
    assert _entry_files() == []


def test_batches_stream_file_by_file_with_progress(small_file: Path, tmp_path: Path) -> None:
    other = _write(tmp_path / "other.bib", 120, fmt="bibtex", seed=3)
    loader = Loader([str(small_file), str(other)])
    sizes = [len(batch) for batch in loader.batches(150)]
    assert sizes == [150, 150, 100, 120]
    progress = loader.progress
    assert progress.done and progress.papers == 520 and progress.eta == 0.0
    assert progress.bytes_read == progress.bytes_total == small_file.stat().st_size + other.stat().st_size
    assert progress.rate > 0 and progress.fraction == 1.0


def test_missing_files_fail_at_once(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        Loader([str(tmp_path / "nope.jsonl")])
    with pytest.raises(LoadError, match="holds no paper list"):
        Loader([str(tmp_path)])


def test_bad_records_are_reported_the_same_from_the_cache(small_file: Path) -> None:
    lines = small_file.read_text(encoding="utf-8").splitlines(keepends=True)
    small_file.write_text("".join([*lines[:10], "{not json\n", *lines[10:]]), encoding="utf-8")
    _corpus, first = _load(small_file)
    _corpus, second = _load(small_file)
    assert second.from_cache and first.problems == second.problems and len(first.problems) == 1
    assert first.problems[0].line == 11


# -- the compact corpus ---------------------------------------------------------------


def _paper(n: int, **fields: object) -> Paper:
    base: dict[str, object] = {
        "title": f"Paper number {n}",
        "authors": [f"Ada Lovelace {n}", "Émile Borel"],
        "abstract": f"An abstract with accents é and math $x^{n}$ https://github.com/a/b{n}",
        "date": "2024-01-02",
        "arxiv_id": f"2401.{n:05d}",
        "categories": ["cs.CL", "cs.LG"],
        "extras": {"comments": "12 pages"},
        "source": Source("a.jsonl", n),
    }
    base.update(fields)
    return make_paper(**base)  # type: ignore[arg-type]


def test_corpus_keeps_every_field_and_merges_by_id() -> None:
    papers = [_paper(n) for n in range(5)]
    corpus = Corpus(papers)
    assert list(corpus) == papers and corpus.version == 5 and len(corpus) == 5
    assert corpus[-1] == papers[-1] and corpus.get(papers[2].id) == papers[2]
    with pytest.raises(IndexError):
        corpus[5]
    richer = _paper(2, abstract="A much longer abstract " * 10, source=Source("b.bib", 7))
    assert corpus.add(richer) == 2 and corpus.merged == 1 and corpus.version == 6
    assert corpus.abstract(2) == richer.abstract
    assert corpus[2].sources == (Source("a.jsonl", 2), Source("b.bib", 7))
    assert corpus.index_of(papers[4].id) == 4 and papers[0].id in corpus and "x" not in corpus


def test_the_usual_arxiv_links_are_kept_as_null_and_made_again() -> None:
    usual = _paper(1, abstract="No links here.", doi="10.1000/x1")
    assert usual.links == id_links("2401.00001", "10.1000/x1")
    assert json.loads(encode_rest(usual))[2] is None
    with_code = _paper(2)  # a GitHub link from its abstract
    assert json.loads(encode_rest(with_code))[2] == [list(link) for link in with_code.links]
    no_arxiv = _paper(3, arxiv_id="", doi="10.1000/x3", abstract="Plain.")
    assert json.loads(encode_rest(no_arxiv))[2] == [list(link) for link in no_arxiv.links]
    corpus = Corpus([usual, with_code, no_arxiv])
    assert list(corpus) == [usual, with_code, no_arxiv]


def test_corpus_takes_a_batch_of_new_papers_and_merges_a_batch_of_known_ones() -> None:
    blobs = AppendBlobs()
    corpus = Corpus([_paper(0)])
    corpus.extend(batch_in_memory([_paper(1), _paper(2)], blobs))
    assert [p.id for p in corpus] == [_paper(n).id for n in range(3)] and corpus.version == 3
    corpus.extend(batch_in_memory([_paper(3), _paper(1, title="")], blobs))
    assert len(corpus) == 4 and corpus.merged == 1 and corpus.version == 5
    assert corpus.title(1) == "Paper number 1" and corpus.authors(3) == ("Ada Lovelace 3", "Émile Borel")


def test_blobs_spill_to_a_file_and_read_back() -> None:
    blobs = AppendBlobs(spill_bytes=1000)
    papers = [_paper(n) for n in range(40)]
    batch = batch_in_memory(papers, blobs)
    assert blobs.size > 1000 and list(batch) == papers and batch[3:5] == papers[3:5]


# -- parsing on every core ----------------------------------------------------------


def test_parallel_parse_gives_what_a_plain_parse_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_cache: None
) -> None:
    path = _write(tmp_path / "snapshot.jsonl", 1500)
    lines = path.read_bytes().splitlines(keepends=True)
    broken = b'{"id": "broken\n'
    latin = lines[700].replace(b"the ", "th\xe9 ".encode("cp1252"), 1)
    path.write_bytes(b"".join([*lines[:300], broken, *lines[300:700], latin, *lines[701:]]))
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 62)
    plain, plain_loader = _load(path, use_cache=False)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "SLICE_BYTES", 200_000)
    monkeypatch.setattr(parallel, "FIRST_SLICE_BYTES", 50_000)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    assert len(list(parallel.slices(str(path), path.stat().st_size))) > 5
    fast, fast_loader = _load(path)
    assert list(fast) == list(plain) and len(fast) == 1500
    assert fast_loader.problems == plain_loader.problems and fast_loader.problems[0].line == 301
    assert fast_loader.notices == plain_loader.notices and "not UTF-8" in fast_loader.notices[0]
    cached, cached_loader = _load(path)
    assert cached_loader.from_cache == [str(path)] and list(cached) == list(plain)
    assert cached_loader.problems == plain_loader.problems
    # Without a cache entry to write into, the workers send their blobs down the pipe.
    piped, piped_loader = _load(path, use_cache=False)
    assert list(piped) == list(plain) and piped_loader.problems == plain_loader.problems


def test_a_parallel_load_whose_entry_fails_keeps_every_paper_and_leaves_no_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_cache: None
) -> None:
    path = _write(tmp_path / "snapshot.jsonl", 1200)
    plain, _loader = _load(path, use_cache=False)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "SLICE_BYTES", 200_000)
    monkeypatch.setattr(parallel, "FIRST_SLICE_BYTES", 50_000)
    monkeypatch.setattr(parallel, "workers", lambda: 2)

    def full_disk(self: cache.CacheWriter, chunk: EncodedChunk) -> object:
        deadline = time.monotonic() + 30
        while self.temp.stat().st_size <= len(cache.MAGIC) and time.monotonic() < deadline:
            time.sleep(0.01)  # until a worker has written a chunk into the entry
        raise OSError(28, "No space left on device")

    read_back: list[int] = []
    stored_batch = cache.stored_batch

    def spy(*args: Any) -> Any:
        read_back.append(args[1])
        return stored_batch(*args)

    # The first slice, parsed here, cannot be written: the entry is given up, while
    # the workers go on writing their chunks into its (removed, still open) file.
    monkeypatch.setattr(cache.CacheWriter, "write_chunk", full_disk)
    monkeypatch.setattr(cache, "stored_batch", spy)
    fast, loader = _load(path)
    assert list(fast) == list(plain) and len(fast) == 1200
    assert read_back and sum(read_back) < 1200  # the workers' chunks, read from the entry
    assert loader.parsed == [str(path)] and _entry_files() == []
    again, again_loader = _load(path)
    assert again_loader.from_cache == [] and list(again) == list(plain)


def test_slices_end_at_line_ends_even_past_a_long_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "SLICE_BYTES", 100)
    monkeypatch.setattr(parallel, "FIRST_SLICE_BYTES", 10)
    text = b"short\n" + b"x" * 450 + b"\n" + b"a\n" * 80 + b"no newline at the end"
    path = tmp_path / "lines.txt"
    path.write_bytes(text)
    parts = list(parallel.slices(str(path), len(text)))
    assert b"".join(text[s : s + n] for s, n, _ in parts) == text
    assert all(text[s + n - 1 : s + n] == b"\n" for s, n, _ in parts[:-1])
    assert [line for _s, _n, line in parts] == [1 + text[:s].count(b"\n") for s, _n, _l in parts]


def test_a_value_holding_a_nul_is_cached_faithfully(tmp_path: Path, small_cache: None) -> None:
    # Cleaning removes control characters, but the cache must not depend on it.
    papers = [_paper(1), _paper(2)]
    odd = Paper(id="title:odd", title="A \x00 title", authors=("Nul\x00Name",), abstract="x\x00y")
    writer = cache.CacheWriter(str(_write(tmp_path / "any.jsonl", 3)), "arxiv-snapshot")
    first = writer.write_batch(papers)
    second = writer.write_batch([odd])
    assert writer.commit([], [])
    assert list(first) == papers and list(second) == [odd]
    reader = cache.CacheReader.open(str(tmp_path / "any.jsonl"), None)
    assert reader is not None
    assert [list(batch) for batch in reader.batches()] == [papers, [odd]]
