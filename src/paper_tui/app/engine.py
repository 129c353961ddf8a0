"""The app's view of the search engine: what it calls, typed as protocols, and
the one place that constructs the engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from paper_tui import search
from paper_tui.corpus import Corpus


class Result(Protocol):
    """A search result: corpus positions best first."""

    @property
    def positions(self) -> Sequence[int]: ...

    @property
    def total(self) -> int: ...

    @property
    def provisional(self) -> bool: ...


class Engine(Protocol):
    def search(
        self, query: str, *, cancelled: Callable[[], bool] = ..., previous: Any = ...
    ) -> Result | None: ...

    def first_results(self, query: str, limit: int = ...) -> Result: ...

    def highlights(self, position: int, query: str) -> dict[str, list[int]]: ...

    def invalidate(self) -> None: ...


def make_engine(corpus: Corpus, library: object | None) -> Engine:
    """The search engine over ``corpus`` (and the library, for ``is:``/``tag:``/``note:``)."""
    engine_class: Any = getattr(search, "SearchEngine", None)
    if engine_class is None:  # the ranking engine has not landed in this tree yet
        return _SubstringEngine(corpus)
    engine: Engine = engine_class(corpus, library=library)
    return engine


class _Found:
    def __init__(self, positions: Sequence[int], provisional: bool = False) -> None:
        self.positions = positions
        self.total = len(positions)
        self.provisional = provisional


class _SubstringEngine:
    """Every term as a folded substring, file order: until SearchEngine is available."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def search(self, query: str, *, cancelled: Callable[[], bool] = bool, previous: Any = None) -> _Found:
        return _Found(search.search_corpus(self.corpus, query))

    def first_results(self, query: str, limit: int = 50) -> _Found:
        return _Found(search.search_corpus(self.corpus, query)[:limit], provisional=True)

    def highlights(self, position: int, query: str) -> dict[str, list[int]]:
        return {}

    def invalidate(self) -> None:
        pass
