"""Corpus.categories reads a paper's categories without building the Paper."""

from __future__ import annotations

from paper_tui.compact import decode_categories, encode_rest
from paper_tui.corpus import Corpus
from paper_tui.model import Paper


def test_categories_column_read_matches_the_paper() -> None:
    papers = [
        Paper(id="arxiv:1", title="One", abstract="a long abstract", categories=("cs.CL", "cs.LG")),
        Paper(id="arxiv:2", title="Two", categories=()),
        Paper(id="arxiv:3", title="Three", abstract="x", categories=("stat.ML",)),
    ]
    corpus = Corpus(papers)
    assert [corpus.categories(i) for i in range(len(corpus))] == [p.categories for p in papers]
    corpus.add(Paper(id="arxiv:2", title="Two", categories=("math.CO",)))  # merged into the second
    assert corpus.categories(1) == corpus[1].categories
    assert decode_categories(encode_rest(papers[0])) == ("cs.CL", "cs.LG")
