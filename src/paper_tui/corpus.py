"""The loaded papers: deduplicated by stable id, merged across sources, in file order.

Stored compactly (see :mod:`paper_tui.compact`): id, title, authors and date as
columns of strings; the abstract and every other field as a blob read by offset
from a segment (memory, a temporary file or the parse cache's file).  A
:class:`Paper` is built on demand by ``corpus[i]``; the column reads
(``title(i)`` ...) build nothing.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

from paper_tui.compact import (
    AppendBlobs,
    Blobs,
    PaperBatch,
    decode_categories,
    decode_paper,
    encode_rest,
    join_authors,
    split_authors,
)
from paper_tui.model import Paper, merge


class Corpus:
    """Papers in the order first seen; a second record of a paper merges into the first.

    ``version`` grows by one with every paper added or merged, so that search
    indexes know when to rebuild (and, when it grew by exactly the number of
    papers appended, that they may extend instead).
    """

    def __init__(self, papers: Iterable[Paper] = ()) -> None:
        self._ids: list[str] = []
        self._titles: list[str] = []
        self._authors: list[str] = []
        self._dates: list[str] = []
        self._segment = array("H")
        self._offset = array("Q")
        self._abstract_len = array("I")
        self._rest_len = array("I")
        #: Segment 0 holds the papers added one by one and the merged ones.
        self._own = AppendBlobs()
        self._segments: list[Blobs] = [self._own]
        self._segment_numbers: dict[int, int] = {id(self._own): 0}
        self._index: dict[str, int] = {}
        self.version = 0
        self.merged = 0
        self.extend(papers)

    # -- adding -------------------------------------------------------------

    def add(self, paper: Paper) -> int:
        """Add or merge ``paper``; return its position."""
        position = self._index.get(paper.id)
        if position is None:
            position = len(self._ids)
            self._index[paper.id] = position
            self._ids.append(paper.id)
            self._titles.append("")
            self._authors.append("")
            self._dates.append("")
            self._segment.append(0)
            self._offset.append(0)
            self._abstract_len.append(0)
            self._rest_len.append(0)
        else:
            paper = merge(self[position], paper)
            self.merged += 1
        self._store(position, paper)
        self.version += 1
        return position

    def _store(self, position: int, paper: Paper) -> None:
        abstract = paper.abstract.encode()
        rest = encode_rest(paper)
        self._titles[position] = paper.title
        self._authors[position] = join_authors(paper.authors)
        self._dates[position] = paper.date
        self._segment[position] = 0
        self._offset[position] = self._own.append(abstract + rest)
        self._abstract_len[position] = len(abstract)
        self._rest_len[position] = len(rest)

    def extend(self, papers: Iterable[Paper]) -> None:
        """Add every paper; a :class:`PaperBatch` of new papers is taken column by column."""
        if isinstance(papers, PaperBatch) and self._all_new(papers.ids):
            self._append_batch(papers)
            return
        for paper in papers:
            self.add(paper)

    def _all_new(self, ids: list[str]) -> bool:
        index = self._index
        return index.keys().isdisjoint(ids) and len(set(ids)) == len(ids)

    def _append_batch(self, batch: PaperBatch) -> None:
        number = self._segment_numbers.get(id(batch.blobs))
        if number is None:
            number = len(self._segments)
            self._segments.append(batch.blobs)
            self._segment_numbers[id(batch.blobs)] = number
        start = len(self._ids)
        count = len(batch)
        self._ids.extend(batch.ids)
        self._titles.extend(batch.titles)
        self._authors.extend(batch.authors)
        self._dates.extend(batch.dates)
        self._segment.extend(array("H", [number]) * count)
        self._offset.extend(batch.offsets)
        self._abstract_len.extend(batch.abstract_lengths)
        self._rest_len.extend(batch.rest_lengths)
        self._index.update(zip(batch.ids, range(start, start + count), strict=True))
        self.version += count

    # -- reading ------------------------------------------------------------

    def index_of(self, paper_id: str) -> int | None:
        return self._index.get(paper_id)

    def get(self, paper_id: str) -> Paper | None:
        position = self._index.get(paper_id)
        return None if position is None else self[position]

    # Column reads: what search and the list need, without building a Paper.
    def title(self, position: int) -> str:
        return self._titles[position]

    def authors(self, position: int) -> tuple[str, ...]:
        return split_authors(self._authors[position])

    def abstract(self, position: int) -> str:
        segment = self._segments[self._segment[position]]
        return segment.read(self._offset[position], self._abstract_len[position]).decode()

    def date(self, position: int) -> str:
        return self._dates[position]

    def paper_id(self, position: int) -> str:
        return self._ids[position]

    def categories(self, position: int) -> tuple[str, ...]:
        """The paper's categories, read from the rest of its blob alone (no abstract
        read, no Paper built): what search's category column is made of."""
        segment = self._segments[self._segment[position]]
        start = self._offset[position] + self._abstract_len[position]
        return decode_categories(segment.read(start, self._rest_len[position]))

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, position: int) -> Paper:
        if position < 0:
            position += len(self._ids)
        segment = self._segments[self._segment[position]]
        a_len = self._abstract_len[position]
        blob = segment.read(self._offset[position], a_len + self._rest_len[position])
        return decode_paper(
            self._ids[position],
            self._titles[position],
            self._authors[position],
            self._dates[position],
            blob[:a_len],
            blob[a_len:],
        )

    def __iter__(self) -> Iterator[Paper]:
        for position in range(len(self._ids)):
            yield self[position]

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._index
