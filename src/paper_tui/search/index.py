"""Search indexes: folded columns scanned in C, and a word index for abstracts.

A :class:`Column` is one field of every paper, folded (see :func:`paper_tui.text.fold`)
and joined by newlines, so that ``str.find`` and compiled regexes scan a million
titles without a Python loop per paper; ``starts`` maps a paper's position to its
line.  Abstracts are too big to join at a million papers (a gigabyte), so a
:class:`WordIndex` keeps, per folded word, the sorted positions of the papers whose
abstract has it; word-prefix and substring lookups go through the sorted
vocabulary.  :func:`build_index` builds everything at once so the result can be
kept with the parse cache; the engine builds the columns on first use and the word
index in the background.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, repeat

from paper_tui.corpus import Corpus
from paper_tui.search import bulk
from paper_tui.text import fold

WORD = re.compile(r"\w+")
#: ASCII bytes -> themselves when ``\w`` would take them, else a space.
_WORD_BYTES = bytes(c if chr(c).isalnum() or c == 95 else 32 for c in range(128)) + b" " * 128
#: Papers per batch while building the word index.
BATCH = 16384
_AFTER_ALL = "\U0010ffff"


class Column:
    """Folded values of one field, one line per paper, scanned by regex."""

    __slots__ = ("_cased", "_counts", "_data", "ends", "starts", "text")

    def __init__(self, values: Iterable[str]) -> None:
        self._cased: str | None = None
        self._data: bytes | None = None
        self._counts: dict[int, int] = {}
        # Offsets into the text: 4 bytes each (a column's text stays far below 4 GB).
        self.starts = array("I", [0])
        self.ends = array("I")  # starts[1:], so that bisect_right(ends, offset) is the position
        self.text = ""
        self.extend(values)

    def extend(self, values: Iterable[str]) -> None:
        """Append more papers' values (a streaming load)."""
        raw = [v.replace("\n", " ") for v in values]
        if not raw:
            return
        offset = self.starts[-1]
        for value in raw:
            offset += len(value) + 1
            self.starts.append(offset)
            self.ends.append(offset)
        self.text += "\n".join(fold(v) for v in raw) + "\n"
        self._cased = self._data = None
        self._counts = {}

    def data(self) -> bytes:
        """The folded text as one byte per character (see :func:`bulk.ascii_copy`),
        built on the first bulk mask."""
        if self._data is None:
            self._data = bulk.ascii_copy(self.text)
        return self._data

    def letters_present(self, needle: str) -> int:
        """How many bytes of :meth:`data` are one of ``needle``'s characters (for costs)."""
        data = self.data()
        counts = self._counts
        total = 0
        for code in set(needle.encode("ascii")):
            if code not in counts:
                counts[code] = data.count(code)
            total += counts[code]
        return total

    def __len__(self) -> int:
        return len(self.starts) - 1

    def span(self, position: int) -> tuple[int, int]:
        """The value's start and end offsets in :attr:`text` (end excludes the newline)."""
        return self.starts[position], self.starts[position + 1] - 1

    def value(self, position: int) -> str:
        """The folded value of the paper at ``position``."""
        start, end = self.span(position)
        return self.text[start:end]

    def cased_text(self, originals: Callable[[], Iterable[str]]) -> str:
        """The case-kept folding, built on the first case-sensitive search."""
        if self._cased is None:
            self._cased = "\n".join(fold(v.replace("\n", " "), keep_case=True) for v in originals()) + "\n"
        return self._cased

    def scan(self, pattern: re.Pattern[str], lo: int, hi: int, text: str | None = None) -> list[int]:
        """Positions in ``[lo, hi)`` whose line ``pattern`` matches, in order.

        ``pattern`` must consume the rest of its line (end in ``[^\\n]*``) so that
        each line is reported once.
        """
        if lo >= hi:
            return []
        source = self.text if text is None else text
        offsets = [m.start() for m in pattern.finditer(source, self.starts[lo], self.starts[hi])]
        return list(map(bisect_right, repeat(self.ends), offsets, repeat(lo), repeat(hi)))

    def scan_first(
        self, pattern: re.Pattern[str], lo: int, hi: int, wanted: int, text: str | None = None
    ) -> Iterator[int]:
        """Like :meth:`scan` but lazy: stop as soon as the caller has enough."""
        source = self.text if text is None else text
        ends = self.ends
        for match in pattern.finditer(source, self.starts[lo], self.starts[hi]):
            yield bisect_right(ends, match.start(), lo, hi)
            wanted -= 1
            if wanted <= 0:
                return


@dataclass
class WordIndex:
    """Folded abstract words -> sorted positions of the papers that use them."""

    vocab: list[str] = field(default_factory=list)
    postings: list[array[int]] = field(default_factory=list)
    size: int = 0  # papers indexed: positions [0, size)
    #: One byte per paper: 1 when it has an abstract (so the rest are never read).
    present: bytearray = field(default_factory=bytearray)
    _vocab_text: str = ""
    _vocab_starts: array[int] = field(default_factory=lambda: array("q"))

    @classmethod
    def build(
        cls, abstracts: Iterable[str], cancelled: Callable[[], bool] = lambda: False
    ) -> WordIndex | None:
        """Index ``abstracts`` (in position order); ``None`` if cancelled.

        The inner loop is ``map`` over C callables (no Python frame per word): each
        word's list of the current batch is looked up and appended to in C, and
        batches move into compact arrays every :data:`BATCH` papers.
        """
        table: dict[str, array[int]] = {}
        batch: defaultdict[str, list[int]] = defaultdict(list)
        lookup = batch.__getitem__
        append = list.append
        present = bytearray()
        size = 0
        for position, abstract in enumerate(abstracts):
            size = position + 1
            present.append(1 if abstract else 0)
            if abstract:
                deque(map(append, map(lookup, set(words_of(fold(abstract)))), repeat(position)), maxlen=0)
            if position % BATCH == BATCH - 1:
                _flush(batch, table)
                if cancelled():
                    return None
        _flush(batch, table)
        vocab = sorted(table)
        index = cls(vocab, [table[w] for w in vocab], size, present)
        index._link()
        return index

    def _link(self) -> None:
        self._vocab_text = "\n".join(self.vocab) + "\n"
        starts = array("q", [0])
        offset = 0
        for word in self.vocab:
            offset += len(word) + 1
            starts.append(offset)
        self._vocab_starts = starts

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Vocabulary slots of the words starting with ``prefix``."""
        return bisect_left(self.vocab, prefix), bisect_left(self.vocab, prefix + _AFTER_ALL)

    def containing(self, part: str) -> list[int]:
        """Vocabulary slots of the words containing ``part``."""
        pattern = re.compile("[^\n]*" + re.escape(part) + "[^\n]*")
        starts = self._vocab_starts
        return [bisect_right(starts, m.start()) - 1 for m in pattern.finditer(self._vocab_text)]

    def postings_size(self, slots: Iterable[int]) -> int:
        """How many positions the words in ``slots`` list together."""
        return sum(len(self.postings[s]) for s in slots)

    def union(self, slots: Iterable[int], lo: int = 0, hi: int | None = None) -> set[int]:
        """Positions in ``[lo, hi)`` of papers using any word in ``slots``."""
        result: set[int] = set()
        whole = lo == 0 and (hi is None or hi >= self.size)
        for slot in slots:
            posting = self.postings[slot]
            if whole:
                result.update(posting)
            else:
                first = bisect_left(posting, lo)
                last = len(posting) if hi is None else bisect_left(posting, hi, first)
                result.update(posting[first:last])
        return result


@dataclass
class Index:
    """Everything :func:`build_index` makes; picklable, so it can be cached."""

    version: int
    title: Column
    authors: Column
    words: WordIndex | None = None


def words_of(folded: str) -> list[str]:
    """The runs of word characters in ``folded`` (what :data:`WORD` finds).

    Most abstracts fold to ASCII; for them ``translate`` + ``split`` in C is about
    ten times faster than the regex."""
    if folded.isascii():
        return folded.encode().translate(_WORD_BYTES).decode().split()
    return WORD.findall(folded)


def _flush(batch: defaultdict[str, list[int]], table: dict[str, array[int]]) -> None:
    for word, positions in batch.items():
        posting = table.get(word)
        if posting is None:
            table[word] = posting = array("I")
        posting.extend(positions)
    batch.clear()


def title_values(corpus: Corpus, lo: int = 0) -> Iterator[str]:
    return (corpus.title(i) for i in range(lo, len(corpus)))


def author_values(corpus: Corpus, lo: int = 0) -> Iterator[str]:
    return (", ".join(corpus.authors(i)) for i in range(lo, len(corpus)))


def abstract_values(corpus: Corpus, lo: int = 0) -> Iterator[str]:
    return (corpus.abstract(i) for i in range(lo, len(corpus)))


def build_index(corpus: Corpus) -> Index:
    """Build every index of ``corpus`` now (titles, authors, abstract words)."""
    index = Index(corpus.version, Column(title_values(corpus)), Column(author_values(corpus)))
    index.words = WordIndex.build(abstract_values(corpus))
    return index


def mask_positions(lo: int, hi: int, excluded: Iterable[int]) -> list[int]:
    """Positions in ``[lo, hi)`` except ``excluded``, in order, without a Python loop per position."""
    mask = bytearray(b"\x01") * (hi - lo)
    for position in excluded:
        if lo <= position < hi:
            mask[position - lo] = 0
    return list(compress(range(lo, hi), mask))
