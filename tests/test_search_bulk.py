"""The numpy walks and scans, masks and word runs give the answers of the plain walk and the regexes."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paper_tui.corpus import Corpus
from paper_tui.model import Paper
from paper_tui.search import SearchEngine, bulk, fuzzy, vector
from paper_tui.search.fuzzy import FuzzyMemo
from paper_tui.search.index import WORD, Column, WordIndex, words_of
from paper_tui.search.matcher import Hits
from paper_tui.search.patterns import LISTED, SINGLE, column_pattern, text_pattern
from paper_tui.search.vector import Positions
from paper_tui.text import fold

LINES = st.lists(st.text(alphabet="abtr ?-é\x01\tx", max_size=12), min_size=1, max_size=30)
NEEDLES = st.text(alphabet="abtr -x", min_size=1, max_size=5)


def subsequence(needle: str, line: str) -> bool:
    letters = iter(line)
    return all(char in letters for char in needle)


@settings(max_examples=120, deadline=None)
@given(LINES, NEEDLES)
def test_numpy_walk_is_the_subsequence_test(lines: list[str], needle: str) -> None:
    column = Column(lines)
    expected = [i for i, value in enumerate(lines) if subsequence(needle, column.value(i))]
    walked = fuzzy.whole(column, column.text, False, needle)
    assert walked.positions.tolist() == expected
    # Where the walk ended is where the needle's last letter is, inside the paper's line.
    for position, found in zip(walked.positions.tolist(), walked.found.tolist(), strict=True):
        start, end = column.span(position)
        assert start <= found < end and column.text[found] == needle[-1]
    # The str.find walk (cased or non-ASCII needles) agrees.
    by_text = fuzzy.walk(column, column.text, True, needle, *_everything(column))
    assert by_text.positions.tolist() == expected
    assert by_text.found.tolist() == walked.found.tolist()


def _everything(column: Column) -> tuple[Positions, Positions, Positions]:
    return np.arange(len(column), dtype=np.uint32), column.line_starts(), column.line_ends()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet="ab, ?é\x01x", max_size=12), min_size=1, max_size=30),
    st.text(alphabet="ab, x", min_size=1, max_size=4),
    st.sampled_from(["exact", "prefix", "suffix", "equal"]),
    st.booleans(),
)
def test_numpy_line_scans_are_the_regexes(lines: list[str], needle: str, kind: str, listed: bool) -> None:
    column = Column(lines)
    pattern = column_pattern(kind, needle, LISTED if listed else SINGLE)
    expected = [i for i in range(len(lines)) if pattern.search(column.text, *column.span(i))]
    found = vector.line_matches(
        column.letters(), needle.encode(), kind, listed, column.line_starts(), column.line_ends()
    )
    assert found.tolist() == expected


def test_ascii_copy_keeps_offsets_and_frees_the_markers() -> None:
    column = Column(["Balázs \x01 naïve", "日本 tr"])
    data = column.data()
    assert len(data) == len(column.text)
    assert b"\x01" not in data and b"\x02" not in data
    assert [m.start() for m in re.finditer(b"\n", data)] == [
        m.start() for m in re.finditer("\n", column.text)
    ]


def test_what_masks_cannot_answer() -> None:
    assert bulk.maskable("tr") and bulk.maskable("a-b c")
    assert not bulk.maskable("") and not bulk.maskable("?") and not bulk.maskable("é")


@settings(max_examples=120, deadline=None)
@given(st.text(alphabet="ab_9 -.,\t\néZ\x00", max_size=40))
def test_word_runs_are_the_regex_runs(text: str) -> None:
    assert words_of(text) == WORD.findall(text)


@settings(max_examples=120, deadline=None)
@given(
    st.sets(st.integers(0, 19)),
    st.sets(st.integers(0, 19)),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_mask_hits_combine_like_set_hits(
    first: set[int], second: set[int], first_inverted: bool, second_inverted: bool, masked: bool, negate: bool
) -> None:
    size = 20
    plain = Hits(set(first), first_inverted)
    as_mask = Hits(mask=plain.as_mask(size)) if masked else plain
    got = as_mask.union(Hits(set(second), second_inverted))
    if negate:
        got = got.negated()

    def member(p: int) -> bool:
        inside = ((p in first) != first_inverted) or ((p in second) != second_inverted)
        return inside != negate

    candidates = np.array([1, 3, 4, 9, 19], np.uint32)
    assert got.select(0, size, None).tolist() == [p for p in range(size) if member(p)]
    assert got.select(5, 15, None).tolist() == [p for p in range(5, 15) if member(p)]
    assert got.select(0, size, candidates).tolist() == [p for p in candidates.tolist() if member(p)]


def test_year_mask_covers_every_year_and_undated_papers() -> None:
    dates = ["1750-01-01", "1800", "1999-12", "2054-01-01", "2055", "", "n.d.", "2024-05-01"]
    corpus = Corpus(Paper(id=f"x:{n}", title=f"paper {n}", date=d) for n, d in enumerate(dates))
    engine = SearchEngine(corpus, background=False)

    def years(query: str) -> set[str]:
        result = engine.search(query)
        assert result is not None
        return {dates[p] for p in result.positions}

    assert years("year:1700..1800") == {"1750-01-01", "1800"}
    assert years("year:2054..2100") == {"2054-01-01", "2055"}
    assert years("year:1999") == {"1999-12"}
    assert years("!year:1801..2030") == {"1750-01-01", "1800", "2054-01-01", "2055", "", "n.d."}


@settings(max_examples=80, deadline=None)
@given(LINES, NEEDLES)
def test_remembered_walks_extend_to_the_subsequence_test(lines: list[str], needle: str) -> None:
    column = Column(lines)
    memo = FuzzyMemo()
    for end in range(1, len(needle) + 1):  # typed one letter at a time, each walk extending the last
        typed = needle[:end]
        walked = memo.matches("title", column, column.text, False, typed)
        expected = [i for i in range(len(lines)) if subsequence(typed, column.value(i))]
        assert list(walked.positions) == expected


@settings(max_examples=80, deadline=None)
@given(LINES, NEEDLES, st.lists(st.sets(st.integers(0, 29)), min_size=1, max_size=4), st.booleans())
def test_walks_over_narrowing_candidates_hold_every_candidate(
    lines: list[str], needle: str, narrowing: list[set[int]], start_whole: bool
) -> None:
    """Typed letter by letter with ever fewer candidates (as narrowing does), each walk
    extending a remembered one, the walk is right on every candidate."""
    column = Column(lines)
    memo = FuzzyMemo()
    if start_whole:
        memo.matches("title", column, column.text, False, needle[:1])
    allowed = set(range(len(lines)))
    for end in range(1, len(needle) + 1):
        allowed &= narrowing[min(end - 1, len(narrowing) - 1)] | ({0} if end == 1 else set())
        candidates = np.array(sorted(p for p in allowed if p < len(lines)), np.uint32)
        typed = needle[:end]
        walked = memo.matches("title", column, column.text, False, typed, candidates)
        got = set(walked.positions.tolist()) & set(candidates.tolist())
        assert got == {p for p in candidates.tolist() if subsequence(typed, column.value(p))}


def test_letters_across_blocks_find_the_next_occurrence() -> None:
    """Columns past one 64 KiB block, with blocks a letter never occurs in: the
    block-wise search gives what a search of the plain offsets gives."""
    rng = np.random.default_rng(7)
    lines = ["".join(rng.choice(list("abcz "), 70)) for _ in range(1500)]
    lines[200:1300] = ["".join(rng.choice(list("abc "), 70)) for _ in range(1100)]  # no z for ~77 KB
    column = Column(lines)
    letters = column.letters()
    data = np.frombuffer(column.data(), np.uint8)
    begin = np.sort(rng.choice(len(data), 5000, replace=False)).astype(np.uint32)
    for letter in "azq":
        plain = np.flatnonzero(data == ord(letter)).astype(np.uint32)
        assert letters.offsets(ord(letter)).tolist() == plain.tolist()
        assert letters.count(ord(letter)) == len(plain)
        padded = np.append(plain, np.uint32(0xFFFFFFFF))
        expected = padded[np.searchsorted(padded, begin)]
        assert letters.next_at(ord(letter), begin).tolist() == expected.tolist()
        saved = vector.FEW_BLOCKS
        vector.FEW_BLOCKS = 0  # the offsets spelled out, as for keys in many blocks
        try:
            assert letters.next_at(ord(letter), begin).tolist() == expected.tolist()
        finally:
            vector.FEW_BLOCKS = saved
    walked = fuzzy.whole(column, column.text, False, "zaz")
    assert walked.positions.tolist() == [i for i, line in enumerate(lines) if subsequence("zaz", line)]


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.text(alphabet="ab c", max_size=14), min_size=1, max_size=40),
    st.text(alphabet="abc", min_size=1, max_size=2),
    st.sampled_from([1, 3, 32, 1 << 40]),
    st.sampled_from([8, 16, 16384]),
    st.lists(st.integers(0, 60), max_size=6),
)
def test_word_index_sparse_and_dense_words_give_the_same_papers(
    abstracts: list[str], prefix: str, share: int, batch: int, picked: list[int]
) -> None:
    """Words kept as positions and words kept as bitmaps (``DENSE_SHARE`` varied from
    every word dense to none; small batches make words bitmaps while building, and
    some of them positions again at the end): a prefix's papers, any set of words'
    papers and each word's are the papers whose abstract holds them."""
    from paper_tui.search import word_builder

    saved = word_builder.DENSE_SHARE, word_builder.BATCH
    word_builder.DENSE_SHARE, word_builder.BATCH = share, batch
    try:
        words = WordIndex.build(abstracts)
    finally:
        word_builder.DENSE_SHARE, word_builder.BATCH = saved
    assert words is not None
    split = [text.split() for text in abstracts]
    expected = {i for i, ws in enumerate(split) if any(w.startswith(prefix) for w in ws)}
    got = np.flatnonzero(words.mask(range(*words.prefix_range(prefix)), len(abstracts))).tolist()
    assert set(got) == expected
    vocab = list(words.vocab)
    assert vocab == sorted({w for ws in split for w in ws})
    for slot, word in enumerate(vocab):
        assert words.vocab[slot] == word
        assert words.posting(slot).tolist() == [i for i, ws in enumerate(split) if word in ws]
    slots = sorted({n % len(vocab) for n in picked}) if vocab else []
    chosen = {vocab[s] for s in slots}
    got = np.flatnonzero(words.mask(slots, len(abstracts))).tolist()
    assert got == [i for i, ws in enumerate(split) if chosen & set(ws)]
    assert words.postings_size(slots) == sum(len(words.posting(s)) for s in slots)


def test_word_index_words_made_bitmaps_while_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """A word common in the first batches becomes a bitmap while building: one that
    stays common keeps it (with the batches it skipped as zeros), one that turns
    rare is listed as positions again."""
    from paper_tui.search import word_builder

    monkeypatch.setattr(word_builder, "BATCH", 8)
    monkeypatch.setattr(word_builder, "DENSE_SHARE", 4)
    abstracts = ["early always"] * 8 + ["always"] * 8 + ["other"] * 8 + ["always late"] * 13
    words = WordIndex.build(abstracts)
    assert words is not None
    found = {word: words.posting(slot).tolist() for slot, word in enumerate(words.vocab)}
    assert found["early"] == list(range(8))  # 8 of 37: positions again
    assert found["always"] == [*range(16), *range(24, 37)]
    assert found["late"] == list(range(24, 37))
    assert found["other"] == list(range(16, 24))
    dense = {
        words.vocab[s] for s in range(len(words.vocab)) if words.dense_before[s + 1] > words.dense_before[s]
    }
    assert dense == {"always", "late"}


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.text(alphabet="ab -.(", max_size=24), min_size=1, max_size=12),
    st.from_regex(r"[ab]{1,2}(-[ab]{1,2}){0,2}-?", fullmatch=True),
    st.booleans(),
)
def test_hyphenated_terms_from_the_index_are_the_regex_answer(
    abstracts: list[str], text: str, exact: bool
) -> None:
    """Hyphen chains are indexed: a hyphenated abstract term answered from them
    finds exactly the abstracts its pattern finds."""
    corpus = Corpus(Paper(id=f"x:{n}", title="t", abstract=a) for n, a in enumerate(abstracts))
    engine = SearchEngine(corpus, background=False)
    engine.build_word_index()
    kind = "exact" if exact else "fuzzy"
    pattern = text_pattern(kind, text)
    expected = [n for n, paper in enumerate(corpus) if pattern.search(fold(paper.abstract))]
    result = engine.search(f"abs:{chr(39) if exact else ''}{text}")
    assert result is not None
    assert sorted(result.positions) == expected


def test_hyphenated_terms_at_word_starts_and_dangling_hyphens() -> None:
    abstracts = [
        "fellow-researchers agree",
        "low-resource tasks",
        "high-low-resource",
        "low- and high-",
        "lower",
    ]
    corpus = Corpus(Paper(id=f"x:{n}", title="t", abstract=a) for n, a in enumerate(abstracts))
    engine = SearchEngine(corpus, background=False)
    engine.build_word_index()

    def found(query: str) -> list[int]:
        result = engine.search(query)
        assert result is not None
        return sorted(result.positions)

    assert found("abs:low-r") == [1, 2]  # a word start: not fel(low-r)esearchers
    assert found("abs:'low-r") == [0, 1, 2]
    assert found("abs:'low-") == [0, 1, 2, 3]
    assert found("abs:high-") == [2, 3]


def test_searches_before_the_letters_are_built_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without letter offsets (a search over a few papers does not build them) walks,
    scans and the ranking pool take the str/regex paths, with the same results."""
    from paper_tui.search import index as index_module

    titles = ["Graph neural networks", "Low-resource speech", "A graph survey", "Neural graphs, revisited"]
    authors = ["Ada Smith, Bo Lee", "Cy Smithers", "Di Graham", "Ed Neu"]
    corpus = Corpus(
        Paper(id=f"x:{n}", title=t, authors=(a,), abstract="text")
        for n, (t, a) in enumerate(zip(titles, authors, strict=True))
    )
    queries = ["graph", "gn", "'graph", "^neural", "graphs$", "a:smith", "'l", "neu gra", "!graph"]
    with_letters = SearchEngine(corpus, background=False)
    expected = {q: list(with_letters.search(q).positions) for q in queries}  # type: ignore[union-attr]
    monkeypatch.setattr(index_module, "INLINE_SHARE", 0)  # never built by a search
    without = SearchEngine(corpus, background=False)
    for query in queries:
        result = without.search(query)
        assert result is not None and list(result.positions) == expected[query], query
    assert not without.matcher().title.letters_ready()
