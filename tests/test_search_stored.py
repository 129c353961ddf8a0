"""The abstract word index kept beside the parse cache: same answers, never stale, never fatal."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run_cli
from paper_tui import cache
from paper_tui.corpus import Corpus
from paper_tui.loading import Loader
from paper_tui.model import Paper, to_json
from paper_tui.search import SearchEngine
from paper_tui.search.index import WordIndex
from paper_tui.search.stored import WordStore, load_words, save_words

WORDS = ["graph", "graphs", "neural", "net", "network", "low-resource", "low", "résumé", "transformer", "a"]
QUERIES = [
    "graph",
    "abs:gr",
    "abs:'raph",
    "abs:net",
    "abs:'work",
    "abs:low-res",
    "abs:'low-",
    "abs:^neur",
    "abs:ork$",
    "resume",
    "!graph abs:net",
    "abs:transformer | abs:low",
    'abs:"neural network"',
    "abs:a",
]


def _corpus(abstracts: list[str]) -> Corpus:
    return Corpus(Paper(id=f"x:{n}", title=f"paper {n}", abstract=a) for n, a in enumerate(abstracts))


def _results(engine: SearchEngine) -> list[list[int]]:
    found = []
    for query in QUERIES:
        result = engine.search(query)
        assert result is not None and not result.partial
        found.append(list(result.positions))
    return found


def _store(tmp_path: Path, size: int, key: str = "k1") -> WordStore:
    return WordStore(tmp_path / "words" / "index.ptw", key, size)


def _mapped(engine: SearchEngine) -> bool:
    """Does the engine search with an index read from a file (not one it built)?"""
    words = engine.matcher().words
    return words is not None and words.mapped and isinstance(words.vocab.text, memoryview)


def _until(condition: Callable[[], bool], timeout: float = 30) -> bool:
    """Wait for a background thread to make ``condition()`` true."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


abstract_texts = st.lists(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(abstracts=abstract_texts)
def test_a_stored_index_answers_as_a_freshly_built_one(tmp_path: Path, abstracts: list[str]) -> None:
    corpus = _corpus(abstracts)
    store = WordStore(tmp_path / f"{abs(hash(tuple(abstracts)))}.ptw", "key", len(corpus))
    built = SearchEngine(corpus, background=False, store=store)
    built.build_word_index()  # builds, stores, then searches the mapped copy
    fresh = SearchEngine(corpus, background=False)
    fresh.build_word_index()
    loaded = SearchEngine(corpus, background=False, store=store)
    loaded.build_word_index()
    assert _mapped(loaded) and _mapped(built) and not _mapped(fresh)
    assert _results(loaded) == _results(fresh) == _results(built)
    words = loaded.matcher().words
    assert words is not None and list(words.vocab) == list(fresh.matcher().words.vocab)  # type: ignore[union-attr]


def test_round_trip_keeps_every_array(tmp_path: Path) -> None:
    common = [" ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(n % 5)) for n in range(300)]
    abstracts = [f"{text} rare{n}" for n, text in enumerate(common)]
    words = WordIndex.build(abstracts)
    assert words is not None and len(words.bitmaps) and len(words.postings)  # both kinds of words
    path = tmp_path / "w.ptw"
    assert save_words(words, path, "key")
    back = load_words(path, "key", len(abstracts))
    assert back is not None
    assert bytes(back.vocab.text) == bytes(words.vocab.text) and back.present == words.present
    for name in ("offsets", "postings", "posting_starts", "dense_before", "bitmaps"):
        assert np.array_equal(getattr(back, name), getattr(words, name)), name
    assert [path.name] == os.listdir(tmp_path)  # no temporary file left


def test_saving_removes_what_a_killed_save_left(tmp_path: Path) -> None:
    words = WordIndex.build([f"alpha beta rare{n}" for n in range(50)])
    assert words is not None
    path = tmp_path / "w.ptw"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = path.with_name(f"{path.name}.tmp-{gone.pid}-1a2b")
    orphan.write_bytes(b"half an index")
    assert save_words(words, path, "key")
    assert [path.name] == os.listdir(tmp_path)


def test_another_key_or_size_is_stale_and_rebuilt(tmp_path: Path) -> None:
    corpus = _corpus(["graph network", "low-resource net", "graphs"])
    engine = SearchEngine(corpus, background=False, store=_store(tmp_path, 3, "old"))
    engine.build_word_index()
    assert load_words(_store(tmp_path, 3).path, "old", 3) is not None
    assert load_words(_store(tmp_path, 3).path, "new", 3) is None
    assert load_words(_store(tmp_path, 3).path, "old", 4) is None
    other = _corpus(["transformer", "graph", "a net"])
    rebuilt = SearchEngine(other, background=False, store=_store(tmp_path, 3, "new"))
    rebuilt.build_word_index()
    result = rebuilt.search("abs:transformer")
    assert result is not None and list(result.positions) == [0]  # not the old corpus's index
    assert load_words(_store(tmp_path, 3).path, "new", 3) is not None  # stored under the new key


def _damaged(tmp_path: Path, how: str) -> WordStore:
    abstracts = [f"graph net {n}" if n % 3 else "low-resource transformer" for n in range(200)]
    store = _store(tmp_path, len(abstracts))
    words = WordIndex.build(abstracts)
    assert words is not None and store.save(words)
    data = bytearray(store.path.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "flipped":
        data[len(data) // 3] ^= 0x5A
    elif how == "trailer":
        data[-3] ^= 1
    elif how == "empty":
        data = bytearray()
    else:
        data = bytearray(b"not an index at all" * 10)
    store.path.write_bytes(bytes(data))
    return store


@pytest.mark.parametrize("how", ["truncated", "flipped", "trailer", "empty", "garbage"])
def test_a_damaged_index_is_ignored_and_rebuilt(tmp_path: Path, how: str) -> None:
    store = _damaged(tmp_path, how)
    assert store.load() is None
    abstracts = [f"graph net {n}" if n % 3 else "low-resource transformer" for n in range(200)]
    engine = SearchEngine(_corpus(abstracts), background=False, store=store)
    engine.build_word_index()  # no exception: built, and stored again
    result = engine.search("abs:'low-res")
    assert result is not None and sorted(result.positions) == list(range(0, 200, 3))
    assert store.load() is not None


def test_the_background_thread_maps_a_stored_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from paper_tui.search import matcher

    monkeypatch.setattr(matcher, "DEFER_CHECKS", 0)  # any unindexed abstract: a partial result
    papers = list(_corpus([f"graph network {n}" for n in range(50)]))
    store = _store(tmp_path, len(papers))
    first = SearchEngine(Corpus(papers), store=store)  # the app's engine: builds in a thread
    first.search("graph")
    assert first.wait_for_index(timeout=30) and first.index_ready()
    assert store.load() is not None and not _mapped(SearchEngine(Corpus(papers)))
    # A streaming load: searched while it runs, then told where the index is kept.
    corpus = Corpus(papers[:10])
    second = SearchEngine(corpus)
    second.search("graph")
    corpus.extend(papers[10:])
    second.use_store(store)
    result = second.search("abs:network")  # catches up with the corpus: maps the stored index
    assert result is not None and not result.partial and len(result.positions) == 50
    assert second.wait_for_index(timeout=30) and second.index_ready() and _mapped(second)
    again = second.search("abs:network")
    assert again is not None and sorted(again.positions) == list(range(50))


def test_a_build_for_fewer_papers_never_replaces_an_index_for_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """The race behind a rare failure of the test above: the build a first search
    started (10 papers) ends after the stored index of all 50 was mapped in."""
    from paper_tui.search.matcher import Matcher

    abstracts = [f"graph network {n}" for n in range(50)]
    everything = WordIndex.build(abstracts)
    assert everything is not None
    matcher = Matcher(_corpus(abstracts[:10]), None)
    build = WordIndex.build

    def build_while_mapped(*args: object, **kwargs: object) -> WordIndex | None:
        built = build(*args, **kwargs)  # type: ignore[arg-type]
        matcher.words = everything  # meanwhile, another thread mapped the stored index
        return built

    monkeypatch.setattr(WordIndex, "build", staticmethod(build_while_mapped))
    assert matcher.build_words() is everything and matcher.words is everything
    # And a cancelled build leaves the index alone.
    matcher.words = None
    assert matcher.build_words(cancelled=lambda: True) is None and matcher.words is None


def test_an_index_built_before_the_store_was_known_is_stored(tmp_path: Path) -> None:
    corpus = _corpus([f"graph network {n}" for n in range(30)])
    engine = SearchEngine(corpus)
    engine.search("graph")
    assert engine.wait_for_index(timeout=30) and not _mapped(engine)
    store = _store(tmp_path, len(corpus))
    engine.use_store(store)  # a small file: indexed before its load was over
    assert _until(lambda: _mapped(engine))
    assert store.load() is not None


def test_a_complete_load_with_a_store_maps_the_index_before_any_search(tmp_path: Path) -> None:
    corpus = _corpus([f"graph network {n}" for n in range(40)])
    store = _store(tmp_path, len(corpus))
    SearchEngine(corpus, background=False, store=store).build_word_index()
    engine = SearchEngine(corpus)
    engine.use_store(store)  # what the app calls once the load is over
    assert _until(engine.index_ready) and _mapped(engine)


# -- keyed by the parse cache's entries ------------------------------------------


def _file(tmp_path: Path, name: str, abstracts: list[str]) -> Path:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8") as out:
        for n, abstract in enumerate(abstracts):
            paper = Paper(id=f"{name}:{n}", title=f"Paper {name} {n}", abstract=abstract)
            out.write(json.dumps(to_json(paper)) + "\n")
    return path


def _load(paths: list[Path], use_cache: bool = True) -> tuple[Corpus, Loader]:
    loader = Loader([str(p) for p in paths], use_cache=use_cache)
    corpus = Corpus()
    for batch in loader.batches():
        corpus.extend(batch)
    return corpus, loader


@pytest.fixture
def small_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MIN_BYTES", 0)


def test_the_key_follows_the_files_their_order_and_changes(tmp_path: Path, small_cache: None) -> None:
    a = _file(tmp_path, "a.jsonl", ["graph network"] * 5)
    b = _file(tmp_path, "b.jsonl", ["low-resource"] * 3)
    corpus, loader = _load([a, b])
    store = loader.word_store(len(corpus))
    assert store is not None and store.size == 8
    _again, parsed_again = _load([a, b])  # now from the cache: the same key
    assert parsed_again.from_cache and parsed_again.word_store(8) == store
    _, swapped = _load([b, a])
    other = swapped.word_store(8)
    assert other is not None and other.key != store.key and other.path != store.path
    os.utime(a, ns=(1, 1))  # touched: its cache entry, and the index, are stale
    _, touched = _load([a, b])
    changed = touched.word_store(8)
    assert changed is not None and changed.path == store.path and changed.key != store.key


def test_no_cache_gives_no_store(tmp_path: Path, small_cache: None) -> None:
    a = _file(tmp_path, "a.jsonl", ["graph network"] * 5)
    corpus, loader = _load([a], use_cache=False)
    assert loader.word_store(len(corpus)) is None
    engine = SearchEngine(corpus, background=False, store=loader.word_store(len(corpus)))
    engine.build_word_index()
    assert not cache.words_dir().exists()


def test_a_small_file_without_a_cache_entry_gives_no_store(tmp_path: Path) -> None:
    a = _file(tmp_path, "a.jsonl", ["graph network"] * 5)  # under cache.MIN_BYTES
    corpus, loader = _load([a])
    assert loader.word_store(len(corpus)) is None


def test_cache_info_lists_and_clear_removes_the_index(tmp_path: Path, small_cache: None) -> None:
    a = _file(tmp_path, "a.jsonl", ["graph network", "low-resource tasks"] * 4)
    corpus, loader = _load([a])
    store = loader.word_store(len(corpus))
    assert store is not None
    SearchEngine(corpus, background=False, store=store).build_word_index()
    assert store.path.exists() and store.path.parent == cache.words_dir()
    (indexes,) = cache.word_indexes()
    assert indexes.papers == 8 and str(a.resolve()) in indexes.source and indexes.state == ""
    status, out, _err = run_cli("cache", "info")
    assert status == 0 and "search index of" in out and str(a.resolve()) in out
    os.utime(a, ns=(1, 1))
    assert cache.word_indexes()[0].state == "stale"
    status, out, _err = run_cli("cache", "clear")
    assert status == 0 and "removed 2 cache entries" in out  # the parse entry and the index
    assert not store.path.exists() and cache.word_indexes() == []


async def _open_and_search(path: Path, use_cache: bool = True) -> SearchEngine:
    """Open ``path`` in the app, type a query, wait for the word index; the engine."""
    from helpers import settle
    from paper_tui.app.app import PaperApp
    from paper_tui.app.screens.main import Inputs, MainScreen
    from paper_tui.app.state import session_key

    app = PaperApp(Inputs([str(path)], None, use_cache, key=session_key([str(path)]), label=path.name))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"graph")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        engine = screen.engine
        assert isinstance(engine, SearchEngine)
        assert await asyncio.to_thread(engine.wait_for_index, 30)
        assert screen.shown_positions()
    return engine


async def test_the_app_stores_the_index_then_maps_it_on_the_next_open(
    tmp_path: Path, small_cache: None
) -> None:
    path = _file(tmp_path, "a.jsonl", [f"graph network number{n}" for n in range(60)])
    first = await _open_and_search(path)
    assert _mapped(first)  # built, stored, and mapped back
    (stored,) = cache.word_indexes()
    assert stored.papers == 60 and stored.state == ""
    second = await _open_and_search(path)
    assert _mapped(second)


async def test_the_app_with_no_cache_stores_no_index(tmp_path: Path, small_cache: None) -> None:
    path = _file(tmp_path, "a.jsonl", [f"graph network number{n}" for n in range(60)])
    engine = await _open_and_search(path, use_cache=False)
    assert engine.index_ready() and not _mapped(engine)
    assert not cache.words_dir().exists() and not cache.entries_dir().exists()


def test_list_query_uses_a_stored_index_and_never_builds_one(tmp_path: Path, small_cache: None) -> None:
    a = _file(tmp_path, "a.jsonl", ["graph network", "low-resource tasks", "speech"] * 3)
    assert run_cli("list", str(a), "--query", "abs:'low-res")[0] == 0
    assert not cache.words_dir().exists()  # a one-shot search builds no index
    corpus, loader = _load([a])
    store = loader.word_store(len(corpus))
    assert store is not None
    status, out, _err = run_cli("list", str(a), "--query", "abs:speech", "--format", "jsonl")
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert status == 0 and ids == ["a.jsonl:2", "a.jsonl:5", "a.jsonl:8"]
    # An index stored under this corpus's key is what answers (one where "speech" is
    # in papers 0 and 1 only: the key vouches for it, so it is believed).
    other = WordIndex.build(["speech"] * 2 + [""] * 7)
    assert other is not None and store.save(other)
    status, out, _err = run_cli("list", str(a), "--query", "abs:speech", "--format", "jsonl")
    assert status == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["a.jsonl:0", "a.jsonl:1"]


def test_a_big_append_drops_the_id_and_category_columns_and_they_come_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from paper_tui.search import matcher as matcher_module

    monkeypatch.setattr(matcher_module, "EXTEND_INLINE", 5)

    def paper(n: int) -> Paper:
        return Paper(id=f"x:{n}", title=f"paper {n}", categories=("cs.CL" if n % 2 else "hep-th",))

    corpus = Corpus(paper(n) for n in range(4))
    engine = SearchEngine(corpus, background=False)
    matcher = engine.matcher()
    matcher.column("id"), matcher.column("cat")
    corpus.extend([paper(n) for n in range(4, 6)])  # a few: extended in place
    assert engine.matcher()._cats is not None
    corpus.extend([paper(n) for n in range(6, 20)])  # many: dropped, built again on use
    assert engine.matcher()._cats is None and engine.matcher()._ids is None
    result = engine.search("cat:cs.CL")
    assert result is not None and sorted(result.positions) == list(range(1, 20, 2))
    result = engine.search("id:x:17")
    assert result is not None and list(result.positions) == [17]


def test_export_query_uses_a_stored_index(tmp_path: Path, small_cache: None) -> None:
    a = _file(tmp_path, "a.jsonl", ["graph network", "low-resource tasks", "speech"] * 3)
    corpus, loader = _load([a])
    store = loader.word_store(len(corpus))
    assert store is not None
    status, out, _err = run_cli("export", str(a), "--query", "abs:speech", "--format", "jsonl")
    assert status == 0 and [json.loads(line)["id"] for line in out.splitlines()] == [
        "a.jsonl:2",
        "a.jsonl:5",
        "a.jsonl:8",
    ]
    other = WordIndex.build(["speech"] + [""] * 8)  # believed: it carries this corpus's key
    assert other is not None and store.save(other)
    status, out, _err = run_cli("export", str(a), "--query", "abs:speech", "--format", "jsonl")
    assert status == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["a.jsonl:0"]


BENCH_QUERIES = (
    "transformer",
    "language model",
    "graph neural network",
    "'low-resource !speech",
    "diffusion image",
    "abs:state-of-the",
    "abs:'ing",
    "a:smith year:2020..2023",
)


def test_generated_snapshot_typed_with_the_stored_index_as_with_a_fresh_one(
    tmp_path: Path, small_cache: None
) -> None:
    """A realistic file (the benchmarks' generator): every keystroke of the search
    benchmark's queries gives the same ranked result from the mapped index as from
    one built in memory."""
    import importlib.util
    import sys

    generator = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("paper_tui_generate_stored", generator)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    path = tmp_path / "snapshot.jsonl"
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        module.generate(1500, "snapshot", out, seed=7, output_name=str(path), jobs=1)
    corpus, loader = _load([path])
    store = loader.word_store(len(corpus))
    assert store is not None
    SearchEngine(corpus, background=False, store=store).build_word_index()  # builds, stores
    mapped = SearchEngine(corpus, background=False, store=store)
    fresh = SearchEngine(corpus, background=False)
    fresh.build_word_index()
    assert _mapped(mapped) and not _mapped(fresh)
    compared = 0
    for query in BENCH_QUERIES:
        for end in range(1, len(query) + 1):
            a, b = mapped.search(query[:end]), fresh.search(query[:end])
            assert a is not None and b is not None
            assert list(a.positions) == list(b.positions), query[:end]
            compared += len(a.positions)
    assert compared > 5_000  # the queries match plenty of papers
