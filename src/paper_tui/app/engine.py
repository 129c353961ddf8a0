"""The app's view of the search engine: what it calls, typed as protocols, and
the one place that constructs the engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from paper_tui.corpus import Corpus


class Result(Protocol):
    """A search result: corpus positions best first."""

    @property
    def positions(self) -> Sequence[int]: ...

    @property
    def total(self) -> int: ...

    @property
    def provisional(self) -> bool: ...

    @property
    def partial(self) -> bool: ...


class Engine(Protocol):
    def search(
        self, query: str, *, cancelled: Callable[[], bool] = ..., previous: Any = ...
    ) -> Result | None: ...

    def first_results(self, query: str, limit: int = ...) -> Result: ...

    def highlights(self, position: int, query: str) -> dict[str, list[int]]: ...

    def invalidate(self) -> None: ...

    def index_ready(self) -> bool: ...

    def use_store(self, store: Any) -> None: ...


def make_engine(corpus: Corpus, library: object | None, store: Any = None) -> Engine:
    """The search engine over ``corpus`` (and the library, for ``is:``/``tag:``/``note:``);
    ``store``: where the word index of a complete corpus is kept (``WordStore``).

    Imported here, not at the top: the search modules are not needed to paint the
    first screen, and the load worker builds the engine off the UI thread."""
    from paper_tui.search import SearchEngine

    engine: Engine = SearchEngine(corpus, library=library, store=store)  # type: ignore[arg-type]
    return engine
