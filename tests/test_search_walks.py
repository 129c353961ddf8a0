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
from paper_tui.search import SearchEngine, matcher, vector
from paper_tui.search.index import Column


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
    """A fuzzy term's title and author walks on two threads (as at 50k papers and
    more) find exactly the papers one thread finds, in the same order."""
    corpus = _corpus(3000)
    queries = ["grn", "smith", "ada", "graph ada", "dl", "!nsm", "mdl | cyg", "gr", "gra", "grap"]
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
