"""Search over papers: the query language and the ranking engine (no Textual here).

::

    engine = SearchEngine(corpus, library)
    first = engine.first_results("transformer !speech")      # paint at once
    result = engine.search("transformer !speech", previous=last, cancelled=worker_cancelled)
    engine.highlights(result.positions[0], result.query)     # {"title": [0, 1, ...], ...}
"""

from __future__ import annotations

from paper_tui.search.engine import SearchEngine, SearchResult, search_corpus
from paper_tui.search.index import Index, build_index
from paper_tui.search.marks import LibraryView
from paper_tui.search.query import Query, Term, parse_query

__all__ = [
    "Index",
    "LibraryView",
    "Query",
    "SearchEngine",
    "SearchResult",
    "Term",
    "build_index",
    "parse_query",
    "search_corpus",
]
