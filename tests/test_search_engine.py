"""The search engine on hand-made papers: every operator and field, folding, ranking,
match positions, the library words, narrowing and cancelling."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paper_tui.corpus import Corpus
from paper_tui.model import Paper
from paper_tui.search import SearchEngine, search_corpus


def paper(
    title: str,
    authors: Iterable[str] = (),
    abstract: str = "",
    *,
    pid: str = "",
    date: str = "",
    categories: Iterable[str] = (),
    code: str = "",
) -> Paper:
    return Paper(
        id=pid or f"title:{title}",
        title=title,
        authors=tuple(authors),
        abstract=abstract,
        date=date,
        categories=tuple(categories),
        links=(("code", code),) if code else (),
    )


PAPERS = [
    paper(
        "Attention Is All You Need",
        ["Ashish Vaswani", "Noam Shazeer"],
        "We propose the Transformer, based solely on attention.",
        pid="arxiv:1706.03762",
        date="2017-06-12",
        categories=["cs.CL", "cs.LG"],
        code="https://github.com/tensorflow/tensor2tensor",
    ),
    paper(
        "Graph Neural Networks: A Review",
        ["Jie Zhou", "Ganqu Cui"],
        "Lots of learning tasks require dealing with graph data.",
        pid="arxiv:1812.08434",
        date="2018-12-20",
        categories=["cs.LG"],
    ),
    paper(
        "Low-Resource Speech Recognition",
        ["Balázs Kovács"],
        "Speech models for low-resource languages; 3 $\\times$ faster.",
        pid="doi:10.1000/speech",
        date="2021-03-01",
        categories=["eess.AS"],
    ),
    paper(
        "Low-resource Machine Translation",
        ["Ana Smith", "Bob Jones"],
        "We train and retrain LLM systems for low-resource pairs.",
        pid="arxiv:2203.00001",
        date="2022-05-05",
        categories=["cs.CL"],
    ),
    paper("Diffusion Models Beat GANs", ["Prafulla Dhariwal"], "", pid="arxiv:2105.05233", date="2021-05-11"),
]


class FakeLibrary:
    """What the engine reads from a library: states, bookmarks, tags, notes."""

    def __init__(self) -> None:
        self.states: dict[str, str] = {}
        self.marks: set[str] = set()
        self.tagged: dict[str, tuple[str, ...]] = {}
        self.notes: dict[str, str] = {}

    def state(self, pid: str) -> str:
        return self.states.get(pid, "unread")

    def is_bookmarked(self, pid: str) -> bool:
        return pid in self.marks

    def tags(self, pid: str) -> tuple[str, ...]:
        return self.tagged.get(pid, ())

    def note(self, pid: str) -> str:
        return self.notes.get(pid, "")


@pytest.fixture
def corpus() -> Corpus:
    return Corpus(PAPERS)


def titles(corpus: Corpus, query: str, library: FakeLibrary | None = None) -> list[str]:
    return [corpus[p].title for p in search_corpus(corpus, query, library)]


def found(corpus: Corpus, query: str, library: FakeLibrary | None = None) -> set[str]:
    return set(titles(corpus, query, library))


ATTENTION, GRAPH, SPEECH, TRANSLATION, DIFFUSION = (p.title for p in PAPERS)


def test_empty_query_lists_everything_in_file_order(corpus: Corpus) -> None:
    result = SearchEngine(corpus, background=False).search("")
    assert result is not None
    assert list(result.positions) == [0, 1, 2, 3, 4] and result.total == 5


def test_bare_term_is_fuzzy_in_title_and_authors(corpus: Corpus) -> None:
    assert found(corpus, "gnnrev") == {GRAPH}  # characters in order, not adjacent
    assert found(corpus, "vaswni") == {ATTENTION}
    assert found(corpus, "dmbg") == {DIFFUSION}
    assert found(corpus, "veirnetwg") == set()  # same letters, wrong order


def test_bare_term_is_word_or_word_prefix_in_abstract(corpus: Corpus) -> None:
    assert found(corpus, "solel") == {ATTENTION}  # word prefix in the abstract
    assert found(corpus, "olely") == set()  # mid-word in the abstract does not count
    assert found(corpus, "retrain") == {TRANSLATION}


def test_exact_operator_searches_every_field(corpus: Corpus) -> None:
    assert found(corpus, "'olely") == {ATTENTION}  # mid-word substring in the abstract
    assert found(corpus, "'1706.037") == {ATTENTION}  # the id
    assert found(corpus, "'eess") == {SPEECH}  # a category
    assert found(corpus, "'shazeer") == {ATTENTION}  # an author
    assert found(corpus, "'gnn") == set()  # no contiguous "gnn" anywhere


def test_prefix_suffix_and_whole_field(corpus: Corpus) -> None:
    assert found(corpus, "^low") == {SPEECH, TRANSLATION}
    assert found(corpus, "^bob") == {TRANSLATION}  # the start of any author's name
    assert found(corpus, "review$") == {GRAPH}
    assert found(corpus, "smith$") == {TRANSLATION}
    assert found(corpus, "^diffusion models beat gans$") == {DIFFUSION}
    assert found(corpus, "^diffusion models$") == set()


def test_exclusion_and_phrases(corpus: Corpus) -> None:
    assert found(corpus, "'low-resource !speech") == {TRANSLATION}
    assert found(corpus, "!'speech !attention") == {GRAPH, TRANSLATION, DIFFUSION}
    assert found(corpus, '"graph neural"') == {GRAPH}
    assert found(corpus, '"neural graph"') == set()
    assert found(corpus, '!"graph data"') == {ATTENTION, SPEECH, TRANSLATION, DIFFUSION}


def test_or_between_terms(corpus: Corpus) -> None:
    assert found(corpus, "'gans | 'review") == {DIFFUSION, GRAPH}
    assert found(corpus, "'gans | 'review ^graph") == {GRAPH}


def test_field_prefixes(corpus: Corpus) -> None:
    assert found(corpus, "t:attention") == {ATTENTION}
    assert found(corpus, "title:'speech") == {SPEECH}
    assert found(corpus, "a:jones") == {TRANSLATION}
    assert found(corpus, "author:vaswani") == {ATTENTION}
    assert found(corpus, "abs:attention") == {ATTENTION}
    assert found(corpus, "abstract:graph") == {GRAPH}
    assert found(corpus, "abs:review") == set()  # in a title only
    assert found(corpus, "t:transformer") == set()  # in an abstract only
    assert found(corpus, "id:1812") == {GRAPH}
    assert found(corpus, "id:doi:") == {SPEECH}
    assert found(corpus, "cat:cs.lg") == {ATTENTION, GRAPH}
    assert found(corpus, "cat:^cs.CL$") == {ATTENTION, TRANSLATION}


def test_years(corpus: Corpus) -> None:
    assert found(corpus, "year:2021") == {SPEECH, DIFFUSION}
    assert found(corpus, "year:2018..2021") == {GRAPH, SPEECH, DIFFUSION}
    assert found(corpus, "year:2021..") == {SPEECH, TRANSLATION, DIFFUSION}
    assert found(corpus, "year:..2017") == {ATTENTION}
    assert found(corpus, "!year:2021") == {ATTENTION, GRAPH, TRANSLATION}
    assert found(corpus, "year:202") == {SPEECH, TRANSLATION, DIFFUSION}


def test_smart_case(corpus: Corpus) -> None:
    assert found(corpus, "'LLM") == {TRANSLATION}
    assert found(corpus, "'Llm") == set()
    assert found(corpus, "'llm") == {TRANSLATION}
    assert found(corpus, "'Low-Resource") == {SPEECH}
    assert found(corpus, "'low-resource") == {SPEECH, TRANSLATION}


def test_accents_and_latex_fold(corpus: Corpus) -> None:
    assert found(corpus, "balazs") == {SPEECH}
    assert found(corpus, "Kovacs") == {SPEECH}
    assert found(corpus, "kovács") == {SPEECH}
    assert found(corpus, "$\\times$") == {SPEECH}
    assert found(corpus, "'times") == {SPEECH}


def test_malformed_queries_search_sensibly(corpus: Corpus) -> None:
    assert found(corpus, '"low-resource machine') == {TRANSLATION}  # open quote
    assert found(corpus, "! 'gans") == {DIFFUSION}  # lone !
    assert found(corpus, "| 'gans |") == {DIFFUSION}
    assert found(corpus, "year:abc 'gans") == {DIFFUSION}
    assert len(titles(corpus, "!")) == 5


def test_ranking_exact_title_first() -> None:
    corpus = Corpus(
        [
            paper("Attention Is All You Need in Speech Separation"),
            paper("Is Attention All You Need?"),
            paper("Attention Is All You Need"),
            paper("Attention Is Not All You Need"),
        ]
    )
    assert titles(corpus, "attention is all you need")[0] == "Attention Is All You Need"


def test_ranking_word_start_above_mid_word() -> None:
    corpus = Corpus([paper("Subnetwork Pruning"), paper("Network Pruning at Scale")])
    assert titles(corpus, "network") == ["Network Pruning at Scale", "Subnetwork Pruning"]


def test_ranking_title_above_authors_above_abstract() -> None:
    corpus = Corpus(
        [
            paper("Image Models", abstract="A diffusion process for images."),
            paper("Sampling Tricks", ["Diffusion Lab"]),
            paper("Diffusion Models"),
        ]
    )
    assert titles(corpus, "diffusion") == ["Diffusion Models", "Sampling Tricks", "Image Models"]


def test_ranking_contiguous_above_scattered() -> None:
    corpus = Corpus([paper("Gradient Approximation Pathways"), paper("Graph Pathways")])
    assert titles(corpus, "graph") == ["Graph Pathways", "Gradient Approximation Pathways"]


def test_ranking_ties_keep_file_order() -> None:
    corpus = Corpus([paper("Same Title", pid=f"arxiv:0000.000{i}") for i in range(5)])
    assert search_corpus(corpus, "same") == [0, 1, 2, 3, 4]


def test_highlights_are_offsets_in_shown_text(corpus: Corpus) -> None:
    engine = SearchEngine(corpus, background=False)
    assert engine.highlights(0, "need") == {"title": [21, 22, 23, 24]}
    assert engine.highlights(3, "a:jones") == {"authors": [15, 16, 17, 18, 19]}
    # A word prefix in the abstract ("train", not the "train" inside "retrain").
    assert engine.highlights(3, "abs:train") == {"abstract": [3, 4, 5, 6, 7]}
    assert engine.highlights(3, "abs:'train") == {"abstract": [3, 4, 5, 6, 7, 15, 16, 17, 18, 19]}
    # Accents folded: offsets point into the accented name as shown.
    assert engine.highlights(2, "a:kovacs") == {"authors": [7, 8, 9, 10, 11, 12]}
    assert engine.highlights(0, "!attention") == {}
    assert engine.highlights(0, "") == {}


def test_fuzzy_highlight_is_the_tightest_alignment() -> None:
    engine = SearchEngine(Corpus([paper("Transformer")]), background=False)
    # t at 0, f at 5, then the first r after it (7), tightened backwards.
    assert engine.highlights(0, "tfr") == {"title": [0, 5, 7]}
    assert engine.highlights(0, "form") == {"title": [5, 6, 7, 8]}


def test_library_words_and_fields(corpus: Corpus) -> None:
    library = FakeLibrary()
    library.states = {"arxiv:1706.03762": "read", "arxiv:1812.08434": "skipped"}
    library.marks = {"arxiv:2105.05233"}
    library.tagged = {"arxiv:1812.08434": ("To-Read", "gnn")}
    library.notes = {"doi:10.1000/speech": "Compare with Whisper baselines."}
    assert found(corpus, "is:read", library) == {ATTENTION}
    assert found(corpus, "is:skipped", library) == {GRAPH}
    assert found(corpus, "is:unread", library) == {SPEECH, TRANSLATION, DIFFUSION}
    assert found(corpus, "is:bookmarked", library) == {DIFFUSION}
    assert found(corpus, "!is:bookmarked is:unread", library) == {SPEECH, TRANSLATION}
    assert found(corpus, "tag:to", library) == {GRAPH}
    assert found(corpus, "tag:^gnn$", library) == {GRAPH}
    # Tags are case-blind (the library keeps them lower case): a capital finds them too.
    assert found(corpus, "tag:GNN", library) == found(corpus, "tag:To-Read", library) == {GRAPH}
    assert found(corpus, "has:tag", library) == {GRAPH}
    assert found(corpus, "has:note", library) == {SPEECH}
    assert found(corpus, "note:whisper", library) == {SPEECH}
    assert found(corpus, "whisper", library) == {SPEECH}  # bare terms search notes too
    assert found(corpus, "'baselines", library) == {SPEECH}
    engine = SearchEngine(corpus, library, background=False)
    assert engine.highlights(2, "whisper") == {"note": [13, 14, 15, 16, 17, 18, 19]}


def test_without_a_library(corpus: Corpus) -> None:
    assert len(titles(corpus, "is:unread")) == 5
    for query in ("is:read", "is:bookmarked", "has:note", "has:tag", "tag:x", "note:x"):
        assert titles(corpus, query) == [], query


def test_has_code_and_abstract(corpus: Corpus) -> None:
    assert found(corpus, "has:code") == {ATTENTION}
    assert found(corpus, "!has:abstract") == {DIFFUSION}


def test_invalidate_sees_library_and_corpus_changes(corpus: Corpus) -> None:
    library = FakeLibrary()
    engine = SearchEngine(corpus, library, background=False)
    first = engine.search("is:bookmarked")
    assert first is not None and first.total == 0
    library.marks.add("arxiv:1812.08434")
    engine.invalidate()
    after = engine.search("is:bookmarked", previous=first)
    assert after is not None and list(after.positions) == [1]
    corpus.add(paper("Graph Transformers", pid="arxiv:2401.00001"))
    grown = engine.search("'graph")
    assert grown is not None and set(grown.positions) == {1, 5}


def test_first_results_are_matches_in_file_order(corpus: Corpus) -> None:
    engine = SearchEngine(corpus, background=False)
    first = engine.first_results("'low", limit=1)
    assert first.provisional and list(first.positions) == [2]
    full = engine.search("'low")
    assert full is not None and not full.provisional and full.total == 2


def test_cancelled_search_returns_none(corpus: Corpus) -> None:
    assert SearchEngine(corpus, background=False).search("graph", cancelled=lambda: True) is None


def test_word_index_and_direct_checks_agree(corpus: Corpus) -> None:
    plain = SearchEngine(corpus, background=False)
    indexed = SearchEngine(corpus, background=False)
    indexed.build_word_index()
    queries = (
        "solel",
        "'olely",
        "abs:train",
        "'low-resource",
        "low-res",
        "'LLM",
        "abs:^we",
        "$\\times$",
        "!has:abstract",
        "'w-reso",
        "'-resource",
        "abs:'ely on att",
        "abs:^we propose the",
        "'n attention.",
        "abs:solely on",
        "abs:'faster.$",
        "abs:^we train and retrain llm systems for low-resource pairs.$",
    )
    expected = {"abs:'ely on att": [0], "abs:^we propose the": [0], "abs:'faster.$": [2], "'w-reso": [2, 3]}
    for query in queries:
        a, b = plain.search(query), indexed.search(query)
        assert a is not None and b is not None
        assert list(a.positions) == list(b.positions), query
        if query in expected:
            assert sorted(b.positions) == expected[query], query
    assert search_corpus(corpus, queries[-1]) == [3]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aeilnrst \"'^$!|:\\{}LTyear.0129á")), max_size=24))
def test_no_query_raises(text: str) -> None:
    engine = SearchEngine(Corpus(PAPERS), background=False)
    result = engine.search(text)
    assert result is not None and result.total == len(result.positions)
    engine.first_results(text)
    for position in result.positions[:2]:
        engine.highlights(position, text)


def test_background_index_gives_the_same_results(corpus: Corpus) -> None:
    engine = SearchEngine(corpus)  # builds the word index in a thread
    before = engine.search("solel | 'olely")
    assert engine.wait_for_index(timeout=30)
    engine.forget_recent()
    after = engine.search("solel | 'olely")
    assert before is not None and after is not None
    assert list(before.positions) == list(after.positions) == [0]
    engine.close()


def test_unindexed_abstracts_are_deferred_while_the_index_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the word index still building (the app, a big file), abstracts too many to
    read at a keystroke are left out and the result says so; once the index is built
    the same query finds them, and the partial result was not reused meanwhile."""
    from paper_tui.search import matcher as matcher_module

    monkeypatch.setattr(matcher_module, "DEFER_CHECKS", 2)
    papers = [Paper(id=f"x:{n}", title=f"paper {n}", abstract="plain words") for n in range(6)]
    papers += [Paper(id="x:a", title="other", abstract="a zeolite study"), Paper(id="x:b", title="zeolite")]
    engine = SearchEngine(Corpus(papers), background=False)
    engine.matcher().defer_checks = True  # as when the index builds in the background
    first = engine.search("zeol")
    assert first is not None and first.partial and not engine.index_ready()
    assert [papers[p].id for p in first.positions] == ["x:b"]  # the title match only
    engine.build_word_index()
    assert engine.index_ready()
    again = engine.search("zeol", previous=first)
    assert again is not None and not again.partial
    assert sorted(papers[p].id for p in again.positions) == ["x:a", "x:b"]
