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
from itertools import repeat

import numpy as np
import numpy.typing as npt

from paper_tui.corpus import Corpus
from paper_tui.search import bulk, vector
from paper_tui.text import fold

WORD = re.compile(r"\w+")
#: Hyphenated chains, and a chain whose last hyphen nothing follows (``low- and``):
#: every occurrence of a :data:`COMPOUND_TERM` lies inside one of them.
COMPOUND = re.compile(r"\w+(?:-\w+)*-(?!\w)|\w+(?:-\w+)+")
COMPOUND_TERM = re.compile(r"\w+(?:-\w+)+-?|\w+-")
#: ASCII bytes -> themselves when ``\w`` would take them, else a space.
_WORD_BYTES = bytes(c if chr(c).isalnum() or c == 95 else 32 for c in range(128)) + b" " * 128
#: A search over more than 1/INLINE_SHARE of a column builds its letter offsets.
INLINE_SHARE = 16
#: Postings per part of the word index, at least (a 64th of them, at most 65 parts).
PART_POSTINGS = 1 << 20
#: Papers per batch while building the word index.
BATCH = 16384
_AFTER_ALL = "\U0010ffff"
_NONE = np.empty(0, np.uint32)


class Column:
    """Folded values of one field, one line per paper, scanned by regex."""

    __slots__ = ("_cased", "_data", "_letters", "_lines", "ends", "starts", "text")

    def __init__(self, values: Iterable[str]) -> None:
        self._cased: str | None = None
        self._data: bytes | None = None
        self._letters: vector.Letters | None = None
        self._lines: tuple[vector.Positions, vector.Positions] | None = None
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
        self._letters = None
        self._lines = None

    def data(self) -> bytes:
        """The folded text as one byte per character (see :func:`bulk.ascii_copy`),
        built on the first bulk mask."""
        if self._data is None:
            self._data = bulk.ascii_copy(self.text)
        return self._data

    def letters(self) -> vector.Letters:
        """Where each letter occurs in :meth:`data` (for the numpy walks), built on first use."""
        letters = self._letters
        if letters is None:
            letters = self._letters = vector.Letters(self.data())
        return letters

    def letters_ready(self) -> bool:
        """Are the letter offsets built (a walk would not wait for them)?"""
        letters = self._letters
        return letters is not None and letters.built

    def letters_usable(self, papers: int) -> bool:
        """May a search over ``papers`` of this column use the letter offsets now?

        Built ones, always; otherwise a search over most of the column builds them
        (a second or two at a million papers, once; the background builder usually
        gets there first), one over a few papers walks the text instead."""
        return self.letters_ready() or papers * INLINE_SHARE > len(self)

    def prepare(self) -> None:
        """Build what the numpy walks use now (in the background) rather than on the first query."""
        self.letters().build()
        self._line_arrays()

    def _line_arrays(self) -> tuple[vector.Positions, vector.Positions]:
        # Copies, not views: a view would stop ``starts`` growing in extend().
        lines = self._lines
        if lines is None:
            starts = np.array(self.starts, np.uint32)
            lines = self._lines = (starts[:-1], starts[1:] - 1)
        return lines

    def line_starts(self) -> vector.Positions:
        """Each line's first offset, as a numpy array."""
        return self._line_arrays()[0]

    def line_ends(self) -> vector.Positions:
        """Each line's end offset (its newline), as a numpy array."""
        return self._line_arrays()[1]

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
    """Folded abstract words -> sorted positions of the papers that use them.

    The postings are laid end to end in vocabulary order, word ``slot``'s positions
    being ``[offsets[slot], offsets[slot + 1])`` of that sequence, kept as a few
    dozen arrays of whole words (``parts``, the sequence index of each part's first
    posting in ``part_starts``) so that building them never holds two copies; the
    words sharing a
    prefix are neighbours in the vocabulary, so a prefix's papers are one slice."""

    vocab: list[str] = field(default_factory=list)
    parts: list[vector.Positions] = field(default_factory=list)
    part_starts: list[int] = field(default_factory=lambda: [0])
    offsets: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
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
                folded = fold(abstract)
                terms = set(words_of(folded))
                if "-" in folded:
                    terms.update(compounds_of(folded))
                deque(map(append, map(lookup, terms), repeat(position)), maxlen=0)
            if position % BATCH == BATCH - 1:
                _flush(batch, table)
                if cancelled():
                    return None
        _flush(batch, table)
        vocab = sorted(table)
        offsets = np.zeros(len(vocab) + 1, np.int64)
        np.cumsum([len(table[w]) for w in vocab], out=offsets[1:])
        part_size = max(PART_POSTINGS, int(offsets[-1]) // 64)
        parts: list[vector.Positions] = []
        part_starts = [0]
        pending: list[vector.Positions] = []
        for slot, word in enumerate(vocab):
            pending.append(np.frombuffer(table.pop(word), np.uint32))  # freed once joined
            if offsets[slot + 1] - part_starts[-1] >= part_size or slot == len(vocab) - 1:
                parts.append(np.concatenate(pending))
                part_starts.append(int(offsets[slot + 1]))
                pending = []
        index = cls(vocab, parts, part_starts, offsets, size, present)
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

    def posting(self, slot: int) -> vector.Positions:
        """The sorted positions of the papers using word ``slot``."""
        return np.concatenate([*self._spans(int(self.offsets[slot]), int(self.offsets[slot + 1])), _NONE])

    def _spans(self, begin: int, end: int) -> Iterator[vector.Positions]:
        """The postings ``[begin, end)`` of the whole sequence, part by part."""
        starts = self.part_starts
        first = bisect_right(starts, begin) - 1
        for number in range(max(first, 0), len(self.parts)):
            lo = starts[number]
            if lo >= end:
                break
            yield self.parts[number][max(begin - lo, 0) : end - lo]

    def postings_size(self, slots: Iterable[int]) -> int:
        """How many positions the words in ``slots`` list together."""
        offsets = self.offsets
        if isinstance(slots, range) and slots.step == 1:
            return int(offsets[slots.stop] - offsets[slots.start]) if slots.stop > slots.start else 0
        return sum(int(offsets[s + 1] - offsets[s]) for s in slots)

    def mask(self, slots: Iterable[int], size: int, lo: int = 0, hi: int | None = None) -> vector.Mask:
        """One boolean per position of ``[0, size)``: papers in ``[lo, hi)`` using any word in ``slots``."""
        mask = np.zeros(max(size, self.size), np.bool_)
        if isinstance(slots, range) and slots.step == 1:
            if slots.stop > slots.start:  # neighbouring words: one run of the postings
                for span in self._spans(int(self.offsets[slots.start]), int(self.offsets[slots.stop])):
                    mask[span] = True
        else:
            offsets = self.offsets
            for slot in slots:
                for span in self._spans(int(offsets[slot]), int(offsets[slot + 1])):
                    mask[span] = True
        mask = mask[:size]
        if lo > 0 or (hi is not None and hi < size):
            mask[:lo] = False
            if hi is not None:
                mask[hi:] = False
        return mask


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


def compounds_of(folded: str) -> list[str]:
    """The hyphenated chains of ``folded`` (``low-resource``, ``state-of-the-art``,
    ``low-`` before a space): indexed too, so that a term with a hyphen is answered
    from the index instead of by reading every abstract that might hold it."""
    return [chain for token in folded.split() if "-" in token for chain in COMPOUND.findall(token)]


def compound_slots(words: WordIndex, text: str, at_start: bool) -> list[int] | None:
    """Vocabulary slots of the chains holding ``text`` (``at_start``: where a word of
    the chain starts), or ``None`` when ``text`` is not a chain the index answers for."""
    if not COMPOUND_TERM.fullmatch(text):
        return None
    vocab = words.vocab
    slots = [slot for slot in words.containing(text) if "-" in vocab[slot]]
    if at_start:
        slots = [slot for slot in slots if vocab[slot].startswith(text) or "-" + text in vocab[slot]]
    return slots


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
