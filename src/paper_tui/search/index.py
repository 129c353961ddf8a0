"""Search indexes: folded columns scanned in C, and a word index for abstracts.

A :class:`Column` is one field of every paper, folded (see :func:`paper_tui.text.fold`)
and joined by newlines, so that ``str.find`` and compiled regexes scan a million
titles without a Python loop per paper; ``starts`` maps a paper's position to its
line.  Abstracts are too big to join at a million papers (a gigabyte), so a
:class:`WordIndex` keeps, per folded word, the papers whose abstract has it (sorted
positions, or a bitmap for a common word); word-prefix and substring lookups go
through the sorted :class:`Vocabulary`.  :func:`build_index` builds everything at
once; the engine builds the columns on first use and the word index in the
background, and keeps the word index beside the parse cache
(:mod:`paper_tui.search.stored`), from where later opens map it.
"""

from __future__ import annotations

import ctypes
import re
import sys
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import numpy.typing as npt

from paper_tui.corpus import Corpus
from paper_tui.search import bulk, kernels, vector
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
_AFTER_ALL = "\U0010ffff"
_NONE = np.empty(0, np.uint32)


class Column:
    """Folded values of one field, one line per paper, scanned by regex."""

    __slots__ = ("_cased", "_data", "_letters", "_lines", "_lock", "ends", "starts", "text")

    def __init__(self, values: Iterable[str]) -> None:
        # extend() (a streaming load) and the derived copies built by searches and the
        # background builder in other threads: a copy made from the old text must not
        # be kept after extend() dropped it (a walk would read past its end).
        self._lock = threading.RLock()
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
        added = "\n".join(fold(v) for v in raw) + "\n"
        with self._lock:
            offset = self.starts[-1]
            for value in raw:
                offset += len(value) + 1
                self.starts.append(offset)
                self.ends.append(offset)
            self.text += added
            self._cased = self._data = None
            self._letters = None
            self._lines = None

    def data(self) -> bytes:
        """The folded text as one byte per character (see :func:`bulk.ascii_copy`),
        built on the first bulk mask."""
        data = self._data
        if data is None:
            with self._lock:
                if self._data is None:
                    self._data = bulk.ascii_copy(self.text)
                data = self._data
        return data

    def letters(self) -> vector.Letters:
        """Where each letter occurs in :meth:`data` (for the numpy walks), built on first use."""
        letters = self._letters
        if letters is None:
            with self._lock:
                if self._letters is None:
                    self._letters = vector.Letters(self.data())
                letters = self._letters
        return letters

    def letters_ready(self) -> bool:
        """Are the letter offsets built, or not needed for walks (compiled), so that a
        search need not wait for them?"""
        if kernels.ready():
            return True  # the walks are compiled; exact terms find a letter's offsets on demand
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
        # Exact terms look up their rarest letter's offsets (found one letter at a
        # time on demand until this is done; 190 MB at a million papers' titles
        # and authors, which a first exact term would otherwise wait 0.1-0.3 s for).
        self.letters().build()
        self._line_arrays()

    def _line_arrays(self) -> tuple[vector.Positions, vector.Positions]:
        # Copies, not views: a view would stop ``starts`` growing in extend().
        lines = self._lines
        if lines is None:
            with self._lock:
                if self._lines is None:
                    starts = np.array(self.starts, np.uint32)
                    self._lines = (starts[:-1], starts[1:] - 1)
                lines = self._lines
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
        cased = self._cased
        if cased is None:
            with self._lock:
                if self._cased is None:
                    folded = (fold(v.replace("\n", " "), keep_case=True) for v in originals())
                    self._cased = "\n".join(folded) + "\n"
                cased = self._cased
        return cased

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


class Vocabulary:
    """Sorted words, stored as UTF-8 with a newline after each, and where each starts.

    What the word index needs of a list of str (``len``, ``vocab[slot]``, iteration,
    ``bisect``), without an object per word: a few bytes a word instead of about 70,
    and readable as it is from a memory-mapped file (see :mod:`paper_tui.search.stored`).
    UTF-8 keeps code-point order, so the bytes are as sorted as the words."""

    __slots__ = ("starts", "text")

    def __init__(self, text: bytes | memoryview, starts: npt.NDArray[np.int64]) -> None:
        self.text = text
        #: ``starts[slot]`` is word ``slot``'s first byte; ``starts[-1]`` the end.
        self.starts = starts

    @classmethod
    def of(cls, words: list[str]) -> Vocabulary:
        """The vocabulary of ``words`` (sorted, distinct, none holding a newline)."""
        encoded = [word.encode("utf-8", "surrogatepass") + b"\n" for word in words]
        starts = np.zeros(len(encoded) + 1, np.int64)
        np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)), out=starts[1:])
        return cls(b"".join(encoded), starts)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, slot: int) -> str:
        if not 0 <= slot < len(self.starts) - 1:
            raise IndexError(slot)
        return str(self.text[self.starts[slot] : self.starts[slot + 1] - 1], "utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        text = str(self.text[: self.starts[-1]], "utf-8", "surrogatepass")
        return iter(text.split("\n")[:-1])

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Slots of the words starting with ``prefix``."""
        return bisect_left(self, prefix), bisect_left(self, prefix + _AFTER_ALL)

    def containing(self, part: str) -> list[int]:
        """Slots of the words containing ``part``."""
        needle = re.escape(part.encode("utf-8", "surrogatepass"))
        pattern = re.compile(b"[^\n]*" + needle + b"[^\n]*")
        found = np.fromiter((m.start() for m in pattern.finditer(self.text)), np.int64)
        slots: list[int] = (np.searchsorted(self.starts, found, "right") - 1).tolist()
        return slots

    @property
    def nbytes(self) -> int:
        return len(self.text) + self.starts.nbytes


@dataclass
class WordIndex:
    """Folded abstract words -> the papers that use them.

    The words sharing a prefix are neighbours in the sorted :attr:`vocab`, so a
    prefix's papers are one run of slots.  A word used by at most 1/32 of the papers
    (``word_builder.DENSE_SHARE``) lists their sorted positions (4 bytes each), laid
    end to end in vocabulary order in :attr:`postings` (word ``slot``'s are
    ``postings[posting_starts[slot]:posting_starts[slot + 1]]``); a commoner word
    keeps a bitmap instead (one bit a paper: smaller from there on, and a prefix's
    common words are OR-ed a row at a time rather than scattered), the rows in
    vocabulary order too (``dense_before[slot]`` is the row of a dense word)."""

    vocab: Vocabulary = field(default_factory=lambda: Vocabulary.of([]))
    #: How many papers use each word, cumulated: ``offsets[slot + 1] - offsets[slot]``.
    offsets: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    postings: vector.Positions = field(default_factory=lambda: _NONE)
    posting_starts: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    dense_before: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    #: One row of ``(size + 7) // 8`` bytes per dense word (``np.packbits`` order).
    bitmaps: npt.NDArray[np.uint8] = field(default_factory=lambda: np.zeros((0, 0), np.uint8))
    size: int = 0  # papers indexed: positions [0, size)
    #: One byte per paper: 1 when it has an abstract (so the rest are never read).
    present: bytes | bytearray = field(default_factory=bytes)
    #: Read from a file (see :mod:`paper_tui.search.stored`), not built here.
    mapped: bool = False

    @classmethod
    def build(
        cls, abstracts: Iterable[str], cancelled: Callable[[], bool] = lambda: False
    ) -> WordIndex | None:
        """Index ``abstracts`` (in position order); ``None`` if cancelled (see
        :mod:`paper_tui.search.word_builder`)."""
        from paper_tui.search.word_builder import build_words

        return build_words(abstracts, cancelled)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Vocabulary slots of the words starting with ``prefix``."""
        return self.vocab.prefix_range(prefix)

    def containing(self, part: str) -> list[int]:
        """Vocabulary slots of the words containing ``part``."""
        return self.vocab.containing(part)

    def posting(self, slot: int) -> vector.Positions:
        """The sorted positions of the papers using word ``slot``."""
        if self.dense_before[slot + 1] > self.dense_before[slot]:
            row = self.bitmaps[self.dense_before[slot]]
            return np.flatnonzero(np.unpackbits(row, count=self.size)).astype(np.uint32)
        return np.array(self.postings[self.posting_starts[slot] : self.posting_starts[slot + 1]])

    def postings_size(self, slots: Iterable[int]) -> int:
        """How many positions the words in ``slots`` list together."""
        offsets = self.offsets
        if isinstance(slots, range) and slots.step == 1:
            return int(offsets[slots.stop] - offsets[slots.start]) if slots.stop > slots.start else 0
        return sum(int(offsets[s + 1] - offsets[s]) for s in slots)

    def mask(self, slots: Iterable[int], size: int, lo: int = 0, hi: int | None = None) -> vector.Mask:
        """One boolean per position of ``[0, size)``: papers in ``[lo, hi)`` using any word in ``slots``."""
        mask = np.zeros(max(size, self.size), np.bool_)
        starts, before = self.posting_starts, self.dense_before
        if isinstance(slots, range) and slots.step == 1:
            if slots.stop > slots.start:  # neighbouring words: one run of postings, one of rows
                first, last = slots.start, slots.stop
                mask[self.postings[starts[first] : starts[last]]] = True
                self._or_rows(mask, self.bitmaps[before[first] : before[last]])
        else:
            spans: list[vector.Positions] = []
            rows: list[int] = []
            for slot in slots:
                if before[slot + 1] > before[slot]:
                    rows.append(int(before[slot]))
                else:
                    spans.append(self.postings[starts[slot] : starts[slot + 1]])
            if spans:
                mask[np.concatenate(spans)] = True
            if rows:
                self._or_rows(mask, self.bitmaps[rows])
        mask = mask[:size]
        if lo > 0 or (hi is not None and hi < size):
            mask[:lo] = False
            if hi is not None:
                mask[hi:] = False
        return mask

    def _or_rows(self, mask: vector.Mask, rows: npt.NDArray[np.uint8]) -> None:
        """Add the papers of the bitmap ``rows`` to ``mask``."""
        if not len(rows):
            return
        joined = rows[0] if len(rows) == 1 else np.bitwise_or.reduce(rows, axis=0)
        mask[: self.size] |= np.unpackbits(joined, count=self.size).view(np.bool_)

    @property
    def nbytes(self) -> int:
        """Bytes the index's arrays and vocabulary take (resident or mapped)."""
        arrays = (self.offsets, self.postings, self.posting_starts, self.dense_before, self.bitmaps)
        return self.vocab.nbytes + sum(a.nbytes for a in arrays) + len(self.present)


def release_memory() -> None:
    """Give the memory Python has freed back to the system (glibc keeps freed small
    blocks, such as a built index's word arrays, in the process otherwise: about half
    a gigabyte after building the word index of a million papers)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (musl): nothing to do
        return
    trim(0)


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


def title_values(corpus: Corpus, lo: int = 0, hi: int | None = None) -> Iterator[str]:
    return (corpus.title(i) for i in range(lo, len(corpus) if hi is None else hi))


def author_values(corpus: Corpus, lo: int = 0, hi: int | None = None) -> Iterator[str]:
    return (", ".join(corpus.authors(i)) for i in range(lo, len(corpus) if hi is None else hi))


def abstract_values(corpus: Corpus, lo: int = 0, hi: int | None = None) -> Iterator[str]:
    return (corpus.abstract(i) for i in range(lo, len(corpus) if hi is None else hi))


def build_index(corpus: Corpus) -> Index:
    """Build every index of ``corpus`` now (titles, authors, abstract words)."""
    size = len(corpus)
    titles, authors = Column(title_values(corpus, 0, size)), Column(author_values(corpus, 0, size))
    index = Index(corpus.version, titles, authors)
    index.words = WordIndex.build(abstract_values(corpus, 0, size))
    return index
