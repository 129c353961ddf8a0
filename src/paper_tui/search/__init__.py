"""Search over papers: the query language and the ranking engine (no Textual here)."""

from __future__ import annotations

from paper_tui.corpus import Corpus
from paper_tui.text import fold


def search_corpus(corpus: Corpus, query: str) -> list[int]:
    """Positions of the papers matching ``query``, best first."""
    terms = [fold(t) for t in query.split()]
    hits = []
    for position, paper in enumerate(corpus):
        text = fold(" ".join((paper.title, *paper.authors, paper.abstract)))
        if all(term in text for term in terms):
            hits.append(position)
    return hits
