"""The fuzzy walks' speed-ups give the plain answers: spelled-out letter offsets
kept within their budget, columns walked side by side, freed memory kept."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paper_tui import heap
from paper_tui.corpus import Corpus
from paper_tui.model import Paper
from paper_tui.search import SearchEngine, fuzzy, kernels, matcher, vector
from paper_tui.search.index import Column
from paper_tui.text import fold


def subsequence(needle: str, line: str) -> bool:
    rest = iter(line)
    return all(char in rest for char in needle)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="abcz ,", max_size=40), min_size=1, max_size=60),
    st.lists(st.sampled_from("abcz"), min_size=1, max_size=8),
    st.integers(0, 400),
)
def test_kept_offsets_are_the_offsets_within_any_budget(
    lines: list[str], letters: list[str], budget: int
) -> None:
    """Whatever the budget (none kept, a few, all), the offsets and next occurrences
    are those of the plain byte compare, and what is kept stays within the budget
    (or is the one entry asked for last)."""
    saved = vector.SPELLED_BYTES, vector.FEW_BLOCKS
    vector.SPELLED_BYTES, vector.FEW_BLOCKS = budget, -1  # every search spells out
    try:
        column = Column(lines)
        found = column.letters()
        data = np.frombuffer(column.data(), np.uint8)
        begin = np.arange(0, len(data), 3, dtype=np.uint32)
        for letter in letters:
            plain = np.flatnonzero(data == ord(letter)).astype(np.uint32)
            assert found.offsets(ord(letter)).tolist() == plain.tolist()
            padded = np.append(plain, np.uint32(0xFFFFFFFF))
            assert found._spelled_out(ord(letter)).tolist() == padded.tolist()
            expected = padded[np.searchsorted(padded, begin)]
            assert found.next_at(ord(letter), begin).tolist() == expected.tolist()
            kept = [spelled.nbytes for spelled in found._spelled.values()]
            assert sum(kept) <= budget or len(kept) == 1
    finally:
        vector.SPELLED_BYTES, vector.FEW_BLOCKS = saved


def _corpus(size: int) -> Corpus:
    rng = np.random.default_rng(11)
    words = ["graph", "neural", "network", "diffusion", "model", "learning", "agent", "speech"]
    names = ["Ada Smith", "Bo Lee", "Cy Grant", "Di Nguyen", "Ed Moss"]
    return Corpus(
        Paper(
            id=f"x:{n}",
            title=" ".join(rng.choice(words, 3)),
            authors=tuple(rng.choice(names, 2)),
            abstract="text",
        )
        for n in range(size)
    )


def test_columns_walked_side_by_side_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """A term's title and author searches (and ids, categories) on two threads (as
    at 50k papers and more) find exactly the papers one thread finds, in order."""
    corpus = _corpus(3000)
    queries = ["grn", "smith", "ada", "graph ada", "dl", "!nsm", "mdl | cyg", "gr", "gra", "grap"]
    queries += ["'l", "'smi", "^gra", "!s", "'ada !'lee", "model$", "'x:1"]
    alone = SearchEngine(corpus, background=False)
    monkeypatch.setattr(matcher, "SIDE_BY_SIDE", 10**9)
    expected = {}
    previous = None
    for query in queries:
        previous = alone.search(query, previous=previous)
        assert previous is not None
        expected[query] = list(previous.positions)
    monkeypatch.setattr(matcher, "SIDE_BY_SIDE", 1)
    side = SearchEngine(corpus, background=False)
    previous = None
    for query in queries:
        previous = side.search(query, previous=previous)
        assert previous is not None and list(previous.positions) == expected[query], query
    # And the answer is the subsequence test on either field.
    smith = [
        p
        for p in range(len(corpus))
        if subsequence("smith", corpus[p].title.lower())
        or any(subsequence("smith", a.lower()) for a in corpus[p].authors)
    ]
    assert sorted(expected["smith"]) == smith
    assert smith


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_freed_memory_is_kept_on_linux() -> None:
    """On Linux with glibc the thresholds are raised (and asking twice is harmless)."""
    import ctypes

    try:
        ctypes.CDLL(None).mallopt  # noqa: B018 - musl has none
    except AttributeError:
        pytest.skip("no mallopt in this C library")
    assert heap.keep_freed_memory() is True
    assert heap.keep_freed_memory() is True


LINES = st.lists(st.text(alphabet="abcé ,x\x01", max_size=30), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(LINES, st.text(alphabet="abcx ,", min_size=1, max_size=5), st.lists(st.integers(0, 39), max_size=12))
def test_compiled_walks_are_the_numpy_walks_and_the_subsequence_test(
    lines: list[str], needle: str, chosen: list[int]
) -> None:
    """The compiled loop, the numpy walk and the plain subsequence test agree on every
    paper (where the needle's last letter was found too), over all papers and over
    some, and continuing a walk from where it stopped."""
    assert kernels.warm()
    column = Column(lines)
    data, encoded = column.data(), needle.encode("ascii")
    papers = np.unique(np.array([c % len(lines) for c in chosen] or [0], np.uint32))
    for subset in (np.arange(len(lines), dtype=np.uint32), papers):
        begin, ends = column.line_starts()[subset], column.line_ends()[subset]
        compiled = kernels.walk(data, encoded, subset, begin, ends)
        numpy_walk = vector.walk(column.letters(), encoded, subset, begin, ends)
        for ours, theirs in zip(compiled, numpy_walk, strict=True):
            assert ours.tolist() == theirs.tolist()
        expected = [p for p in subset.tolist() if subsequence(needle, column.value(p))]
        assert compiled[0].tolist() == expected
        # Continued with one more letter from where each paper's walk stopped.
        more = kernels.walk(data, b"a", compiled[0], compiled[1] + 1, compiled[2])
        assert more[0].tolist() == [p for p in subset.tolist() if subsequence(needle + "a", column.value(p))]


def test_walks_without_the_compiled_loops_give_the_same_papers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before numba is ready (or where it is missing) the fuzzy walks take numpy."""
    corpus = _corpus(2000)
    queries = ["grn", "smith", "graph ada", "!nsm", "'l", "mdl | cyg"]
    # Exact terms over few candidates (a compiled check of each line), and not.
    queries += ["graph agent speech 'smi", "graph agent speech !'lee", "graph agent speech 'ph ag", "'ith, b"]
    plain = _same_without_compiled_loops(monkeypatch, corpus, queries)
    assert plain.matcher().title.letters_ready()  # the numpy walk ran


def _same_without_compiled_loops(
    monkeypatch: pytest.MonkeyPatch, corpus: Corpus, queries: list[str]
) -> SearchEngine:
    """Search ``queries`` with the compiled loops, then without: the same results."""
    assert kernels.warm()
    compiled = SearchEngine(corpus, background=False)
    expected = {q: list(compiled.search(q).positions) for q in queries}  # type: ignore[union-attr]
    monkeypatch.setattr(kernels, "ready", lambda: False)
    plain = SearchEngine(corpus, background=False)
    for query in queries:
        result = plain.search(query)
        assert result is not None and list(result.positions) == expected[query], query
    return plain


@settings(max_examples=120, deadline=None)
@given(LINES, st.text(alphabet="abx ,", min_size=1, max_size=3), st.integers(0, 45))
def test_compiled_contiguous_check_is_str_find(lines: list[str], needle: str, limit: int) -> None:
    """The compiled check (the ranking pool's) keeps the first ``limit`` papers whose
    line holds the needle as is, as ``str.find`` on the folded text does."""
    assert kernels.warm()
    column = Column(lines)
    papers = np.arange(len(lines), dtype=np.uint32)
    held = kernels.holding(
        column.data(), needle.encode("ascii"), papers, column.line_starts(), column.line_ends(), limit
    )
    expected = [p for p in range(len(lines)) if needle in column.value(p)][:limit]
    assert held.tolist() == expected


def test_the_pool_is_the_same_with_and_without_the_compiled_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """More matches than the pool holds: ranked the same either way (the app warms
    the compiled loops, ``paper-tui list`` may not)."""
    from paper_tui.search import ranking

    monkeypatch.setattr(ranking, "POOL_SIZE", 40)
    monkeypatch.setattr(ranking, "CHECKED_FIRST", 300)
    queries = ["graph", "net", "mdl", "ada", "'model", "agent speech"]
    _same_without_compiled_loops(monkeypatch, _corpus(3000), queries)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="abz09 -é", max_size=60), min_size=1, max_size=80), st.integers(4, 64))
def test_letters_found_one_at_a_time_are_the_letters_built_together(lines: list[str], chunk: int) -> None:
    """With the compiled walks, a letter's offsets are found when an exact term first
    asks (a chunk of the copy at a time); they, and the counts, are those the
    one-pass build gives, with many blocks and chunks."""
    saved = vector._CHUNK
    vector._CHUNK = chunk
    try:
        column = Column(lines)
        built = vector.Letters(column.data())
        built.build()
        assert kernels.warm()
        lazy = vector.Letters(column.data())
        for code in b"abz09-":
            assert lazy.count(code) == built.count(code)
            assert lazy.offsets(code).tolist() == built.offsets(code).tolist()
        assert not lazy.built
        # Without the compiled loops a byte that is no letter is found by numpy, a
        # chunk at a time (letters then come from the one-pass build).
        ready = kernels.ready
        kernels.ready = lambda: False  # type: ignore[assignment]
        try:
            plain = vector.Letters(column.data())
            assert plain.offsets(ord("-")).tolist() == built.offsets(ord("-")).tolist()
            assert not plain.built
        finally:
            kernels.ready = ready  # type: ignore[assignment]
    finally:
        vector._CHUNK = saved


def test_index_builders_shorten_the_switch_interval_while_they_run() -> None:
    """While a background builder runs Python, a search thread gets the interpreter
    back within half a millisecond; the interval is restored when the last ends."""
    import threading

    from paper_tui.search import engine

    before = sys.getswitchinterval()
    inside: list[float] = []
    gate, entered = threading.Event(), threading.Event()

    def slow() -> None:
        inside.append(sys.getswitchinterval())
        entered.set()
        gate.wait(5)

    first = threading.Thread(target=engine._briskly(slow))
    first.start()
    assert entered.wait(5)
    engine._briskly(lambda: inside.append(sys.getswitchinterval()))()
    assert sys.getswitchinterval() == engine.BUILD_SWITCH_INTERVAL  # the first still runs
    gate.set()
    first.join(5)
    assert inside == [engine.BUILD_SWITCH_INTERVAL, engine.BUILD_SWITCH_INTERVAL]
    assert sys.getswitchinterval() == before


def test_a_column_extended_while_its_copy_is_made_keeps_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """A streaming load extends a column while a search (or the background builder)
    makes its ASCII copy from the old text: the copy must not be kept, or a compiled
    walk would read past its end (the papers appended would be missed)."""
    import threading

    from paper_tui.search import bulk

    column = Column(["graph one", "graph two"])
    started, release = threading.Event(), threading.Event()
    plain_copy = bulk.ascii_copy

    def slow_copy(text: str) -> bytes:
        started.set()
        release.wait(5)
        return plain_copy(text)

    monkeypatch.setattr(bulk, "ascii_copy", slow_copy)
    copier = threading.Thread(target=column.data)
    copier.start()
    assert started.wait(5)
    extender = threading.Thread(target=column.extend, args=(["zebra three"],))
    extender.start()
    release.set()
    copier.join(5)
    extender.join(5)
    monkeypatch.setattr(bulk, "ascii_copy", plain_copy)
    assert len(column.data()) == len(column.text) and len(column) == 3
    assert kernels.warm()
    assert fuzzy.whole(column, column.text, False, "zebra").positions.tolist() == [2]


def test_an_id_column_rebuilt_for_papers_that_arrived_waits_outside_the_lock() -> None:
    """The id column is built while papers stream in: built again for the new size,
    and that build (which waits while a search runs) never holds the matcher's lock,
    which the search needs (held, the two waited for each other for ever)."""
    papers = list(_corpus(40))
    corpus = Corpus(papers[:10])
    found = SearchEngine(corpus, background=False).matcher()
    owned: list[bool] = []

    def paused() -> bool:
        owned.append(found._lock._is_owned())  # type: ignore[attr-defined]
        if len(owned) == 1:  # papers arrive during the first build
            corpus.extend(papers[10:])
            found.extend()
        return False

    column = found.column("id", paused)
    assert len(column) == 40 and column.value(39) == fold(papers[39].id)
    assert len(owned) >= 2 and not any(owned)


def test_papers_appended_while_the_columns_are_made_keep_them_aligned() -> None:
    """A streaming load appends papers from another thread while the matcher builds
    or extends its columns: every column holds exactly the papers of the size it
    took, so that line i is paper i (an authors column one batch ahead of the
    titles got that batch twice, and every later paper the wrong authors)."""
    from paper_tui.search.matcher import Matcher

    papers = list(_corpus(60))

    class Growing(Corpus):
        """Appends a batch the first time a title is read (as the loader would)."""

        pending: list[list[Paper]] = []

        def title(self, position: int) -> str:
            if self.pending:
                self.extend(self.pending.pop(0))
            return super().title(position)

    corpus = Growing(papers[:20])
    corpus.pending = [papers[20:30]]
    found = Matcher(corpus, None)
    assert len(found.title) == len(found.authors) == found.size == 20
    corpus.pending = [papers[40:]]
    corpus.extend(papers[30:40])
    found.extend()  # takes 40 papers; 20 more arrive meanwhile
    found.extend()  # and those now
    assert len(found.title) == len(found.authors) == found.size == len(corpus) == 60
    for position in range(60):
        assert found.authors.value(position) == fold(", ".join(corpus.authors(position)))
        assert found.title.value(position) == fold(corpus.title(position))
