"""The loaded papers: deduplicated by stable id, merged across sources, in file order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from paper_tui.model import Paper, merge


class Corpus:
    """Papers in the order first seen; a second record of a paper merges into the first.

    ``version`` grows with every change so that search indexes know when to rebuild.
    """

    def __init__(self, papers: Iterable[Paper] = ()) -> None:
        self._papers: list[Paper] = []
        self._index: dict[str, int] = {}
        self.version = 0
        self.merged = 0
        self.extend(papers)

    def add(self, paper: Paper) -> int:
        """Add or merge ``paper``; return its position."""
        position = self._index.get(paper.id)
        if position is None:
            position = len(self._papers)
            self._index[paper.id] = position
            self._papers.append(paper)
        else:
            self._papers[position] = merge(self._papers[position], paper)
            self.merged += 1
        self.version += 1
        return position

    def extend(self, papers: Iterable[Paper]) -> None:
        for paper in papers:
            self.add(paper)

    def index_of(self, paper_id: str) -> int | None:
        return self._index.get(paper_id)

    def get(self, paper_id: str) -> Paper | None:
        position = self._index.get(paper_id)
        return None if position is None else self._papers[position]

    # Column reads: what search and the list need, without building a Paper where a
    # compact storage would not have to.
    def title(self, position: int) -> str:
        return self._papers[position].title

    def authors(self, position: int) -> tuple[str, ...]:
        return self._papers[position].authors

    def abstract(self, position: int) -> str:
        return self._papers[position].abstract

    def date(self, position: int) -> str:
        return self._papers[position].date

    def paper_id(self, position: int) -> str:
        return self._papers[position].id

    def __len__(self) -> int:
        return len(self._papers)

    def __getitem__(self, position: int) -> Paper:
        return self._papers[position]

    def __iter__(self) -> Iterator[Paper]:
        return iter(self._papers)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._index
