"""Which papers a query matches: bulk scans in C for many papers, checks per paper for few.

:class:`Matcher` owns the indexes of one corpus state.  A term is answered in bulk
over a range of positions (a regex over a joined column, a word-index lookup) when
many papers are in play, and paper by paper when a previous result or an earlier
group already cut the candidates down.  Both ways give the same answer; the tests
check it.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import contains

import numpy as np

from paper_tui.corpus import Corpus
from paper_tui.search import bulk, fuzzy, kernels, vector
from paper_tui.search.fuzzy import FuzzyMemo
from paper_tui.search.index import (
    WORD,
    Column,
    Index,
    WordIndex,
    author_values,
    compound_slots,
    title_values,
)
from paper_tui.search.marks import LibraryView, Marks
from paper_tui.search.patterns import LISTED, SINGLE, column_pattern, text_pattern
from paper_tui.search.query import EXACT_FIELDS, FUZZY_FIELDS, Query, Term
from paper_tui.search.vector import Mask, Positions
from paper_tui.text import fold

COLUMN_FIELDS = ("title", "authors", "id", "cat")
#: Unindexed abstracts read at most per term when checks are deferred: about 0.5 s.
DEFER_CHECKS = 20_000
#: Papers appended at once beyond which the id and category columns are dropped
#: rather than extended while searches wait (see :meth:`Matcher.extend`).
EXTEND_INLINE = 20_000
#: Abstracts checked between two looks at ``cancelled()``.
CHECK_BATCH = 2048
#: Folded abstracts kept for checks while typing: about 40k abstracts, 48 MB.
FOLDED_ABSTRACT_CHARS = 48_000_000
#: Check the candidates one by one (still in C, through ``map``) when they are
#: fewer than the range / this; scan the whole joined column otherwise.
PER_DOC_RATIO = 8
#: ... unless the numpy scan of the whole column takes fewer element steps (about
#: 20 ns each) than this many per candidate (a regex search of a line, 1.5 us).
NUMPY_STEPS_PER_CHECK = 64
#: Corpora this big warm the compiled walks up (:mod:`kernels`); smaller ones walk
#: fast enough with numpy, without numba's import (0.6 s, 60 MB).
COMPILED_WALKS = 20_000
#: A fuzzy or exact term searches its columns side by side (numpy lets go of the
#: interpreter lock while it searches) when at least this many papers are in play.
SIDE_BY_SIDE = 50_000
_side: ThreadPoolExecutor | None = None
_side_lock = threading.Lock()


def _side_pool() -> ThreadPoolExecutor:
    """One thread more for a second column's walk: two cores, two columns."""
    global _side
    with _side_lock:
        if _side is None:
            _side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paper-tui-walk")
        return _side


Cancelled = Callable[[], bool]


class Cancel(Exception):
    """Raised inside a search when the caller's ``cancelled()`` turns true."""


@dataclass(slots=True)
class Hits:
    """A set of positions, or (``inverted``) every position of the range but these;
    or, from a whole-column scan, ``mask``: one boolean per position of ``[0, size)``,
    combined with other masks by numpy without a Python step per paper."""

    members: set[int] = field(default_factory=set)
    inverted: bool = False
    mask: Mask | None = None

    @classmethod
    def of(cls, found: Positions, size: int) -> Hits:
        """Hits for sorted ``found`` positions: a mask when there are many."""
        if len(found) * 64 < size:
            return cls(set(found.tolist()))
        return cls(mask=vector.mask_of(found, size))

    @property
    def empty(self) -> bool:
        return self.mask is None and not self.inverted and not self.members

    def union(self, other: Hits) -> Hits:
        if self.mask is not None or other.mask is not None:
            if other.empty:
                return self
            if self.empty:
                return other
            size = len(self.mask if self.mask is not None else other.mask)  # type: ignore[arg-type]
            return Hits(mask=self.as_mask(size) | other.as_mask(size))
        if not self.inverted and not other.inverted:
            return Hits(self.members | other.members)
        if self.inverted and other.inverted:
            return Hits(self.members & other.members, True)
        negative, positive = (self, other) if self.inverted else (other, self)
        return Hits(negative.members - positive.members, True)

    def negated(self) -> Hits:
        if self.mask is not None:
            return Hits(mask=~self.mask)
        return Hits(self.members, not self.inverted)

    def as_mask(self, size: int) -> Mask:
        """These hits as one boolean per position of ``[0, size)``."""
        if self.mask is not None:
            return self.mask
        mask = vector.mask_of(_sorted(self.members), size)
        return ~mask if self.inverted else mask

    def count(self) -> int:
        """How many positions the (positive) members hold."""
        return len(self.members) if self.mask is None else int(np.count_nonzero(self.mask))

    def select(self, lo: int, hi: int, candidates: Positions | None) -> Positions:
        """The members among ``candidates`` (or the range ``[lo, hi)``), in order."""
        if self.mask is not None:
            return vector.selected(self.mask, lo, hi, candidates)
        members = _sorted(self.members)
        if candidates is not None:
            inside = np.isin(candidates, members, assume_unique=True, invert=self.inverted)
            return candidates[inside]
        members = members[(members >= lo) & (members < hi)]
        if not self.inverted:
            return members
        keep = np.ones(hi - lo, np.bool_)
        keep[members - lo] = False
        return (np.flatnonzero(keep) + lo).astype(np.uint32)


def _sorted(members: set[int]) -> Positions:
    found = np.fromiter(members, np.uint32, len(members))
    found.sort()
    return found


def fields_of(term: Term) -> tuple[str, ...]:
    if term.field:
        return (term.field,)
    return FUZZY_FIELDS if term.kind == "fuzzy" else EXACT_FIELDS


class Matcher:
    """The indexes of one corpus (and library) state, and matching against them."""

    def __init__(self, corpus: Corpus, library: LibraryView | None, index: Index | None = None) -> None:
        self.corpus = corpus
        self.library = library
        self.version, self.size = _taken(corpus)
        self.words: WordIndex | None = None
        if index is not None and index.version == corpus.version and len(index.title) == self.size:
            # Built earlier for this very corpus (kept with the parse cache).
            self.title, self.authors, self.words = index.title, index.authors, index.words
        else:
            # As many papers as self.size in every column: a streaming load may append
            # more meanwhile (they come in with the next extend()).
            self.title = Column(title_values(corpus, 0, self.size))
            self.authors = Column(author_values(corpus, 0, self.size))
        self._ids: Column | None = None
        self._cats: Column | None = None
        self._years: _YearColumn | None = None
        self._code: set[int] | None = None
        self._no_abstract: set[int] | None = None
        self._marks: Marks | None = None
        self._lock = threading.RLock()
        self.fuzzy = FuzzyMemo()
        self._folded: dict[int, str] = {}
        self._folded_chars = 0
        #: Leave abstracts the word index does not cover unread when there are more
        #: than DEFER_CHECKS of them (the app, while the index builds in the background).
        self.defer_checks = False
        self._local = threading.local()

    # -- keeping up with the corpus and the library ---------------------------------

    def extend(self) -> None:
        """Take in papers appended to the corpus since the last look."""
        with self._lock:
            old = self.size
            self.version, self.size = _taken(self.corpus)
            self.title.extend(title_values(self.corpus, old, self.size))
            self.authors.extend(author_values(self.corpus, old, self.size))
            if self.size - old > EXTEND_INLINE:
                # Built again outside the lock when next needed (usually by the
                # background thread): extended here, every search would wait for them
                # (10 s for the categories of a million papers, read from each blob).
                self._ids = self._cats = None
            if self._ids is not None:
                self._ids.extend(self.corpus.paper_id(i) for i in range(old, self.size))
            if self._cats is not None:
                self._cats.extend(", ".join(self.corpus.categories(i)) for i in range(old, self.size))
            self._years = self._code = self._no_abstract = None
            self.fuzzy.clear()
            self._marks = None

    def forget_library(self) -> None:
        """The library changed: read it again on the next search that needs it."""
        self._marks = None

    @property
    def marks(self) -> Marks:
        marks = self._marks
        if marks is None:
            with self._lock:
                marks = self._marks = Marks.take(self.corpus, self.library)
        return marks

    def column(self, name: str, paused: Callable[[], bool] = lambda: False) -> Column:
        """The joined column of ``name`` (title, authors, id, cat), built on first use
        (outside the lock: seconds at a million papers, and searches need the lock)."""
        if name == "title":
            return self.title
        if name == "authors":
            return self.authors
        built = self._ids if name == "id" else self._cats
        if built is not None:
            return built
        corpus = self.corpus
        while True:
            size = self.size
            values: Iterable[str]
            if name == "id":
                values = (corpus.paper_id(i) for i in range(size))
            else:
                values = (", ".join(corpus.categories(i)) for i in range(size))
            built = Column(_yielding(values, paused))
            with self._lock:
                # Papers arrived meanwhile (a streaming load): build again, outside the
                # lock (a build waits while a search runs, and searches take the lock).
                if len(built) != self.size:
                    continue
                if name == "id":
                    if self._ids is None:
                        self._ids = built
                    return self._ids
                if self._cats is None:
                    self._cats = built
                return self._cats

    def _originals(self, name: str) -> Iterable[str]:
        corpus, size = self.corpus, self.size
        if name == "title":
            return (corpus.title(i) for i in range(size))
        if name == "authors":
            return (", ".join(corpus.authors(i)) for i in range(size))
        if name == "id":
            return (corpus.paper_id(i) for i in range(size))
        return (", ".join(corpus.categories(i)) for i in range(size))

    def column_text(self, name: str, cased: bool) -> str:
        column = self.column(name)
        if not cased:
            return column.text
        with self._lock:
            return column.cased_text(lambda: self._originals(name))

    # -- one paper ------------------------------------------------------------------

    def abstract_text(self, position: int, cased: bool) -> str:
        """The folded abstract of the paper at ``position`` (remembered: typing checks
        the same candidates again at each keystroke, and reading and folding an
        abstract costs ten times the search in it)."""
        if cased:
            return fold(self.corpus.abstract(position), keep_case=True)
        folded = self._folded.get(position)
        if folded is None:
            folded = fold(self.corpus.abstract(position))
            with self._lock:
                self._folded[position] = folded
                self._folded_chars += len(folded)
                while self._folded_chars > FOLDED_ABSTRACT_CHARS:  # the oldest go first
                    self._folded_chars -= len(self._folded.pop(next(iter(self._folded))))
        return folded

    def doc_matches(self, term: Term, position: int) -> bool:
        """Does the paper at ``position`` match ``term``?"""
        return self._doc_positive(term, position) != term.negated

    def _doc_positive(self, term: Term, position: int) -> bool:
        if term.kind == "year":
            return self._year_ok(term, position)
        if term.kind == "state":
            return self._state_ok(term.text, position)
        if term.kind == "has":
            return self._has_ok(term.text, position)
        return any(self._doc_field(term, name, position) for name in fields_of(term))

    def _doc_field(self, term: Term, name: str, position: int) -> bool:
        if name in COLUMN_FIELDS:
            column = self.column(name)
            start, end = column.span(position)
            pattern = column_pattern(term.kind, term.text, LISTED if name in ("authors", "cat") else SINGLE)
            return pattern.search(self.column_text(name, term.case_sensitive), start, end) is not None
        if name == "abstract":
            return (
                text_pattern(term.kind, term.text).search(self.abstract_text(position, term.case_sensitive))
                is not None
            )
        if name == "note":
            notes = self.marks.cased_notes if term.case_sensitive else self.marks.folded_notes
            note = notes.get(position)
            return note is not None and text_pattern(term.kind, term.text).search(note) is not None
        tags = self.marks.tags.get(position, ())
        return any(self._tag_ok(term, tag) for tag in tags)

    @staticmethod
    def _tag_ok(term: Term, tag: str) -> bool:
        # Tags are kept in lower case (``LLM`` is saved as ``llm``): a capital in a tag
        # term must not make it match nothing, as smart case would.
        return text_pattern(term.kind, term.text.lower()).search(tag.lower()) is not None

    def _year_ok(self, term: Term, position: int) -> bool:
        date = self.corpus.date(position)
        if not date[:4].isdigit() or term.years is None:
            return False
        return term.years[0] <= int(date[:4]) <= term.years[1]

    def _state_ok(self, state: str, position: int) -> bool:
        marks = self.marks
        if state == "bookmarked":
            return position in marks.bookmarked
        return marks.state_of(position) == state

    def _has_ok(self, what: str, position: int) -> bool:
        if what == "note":
            return position in self.marks.notes
        if what == "tag":
            return position in self.marks.tags
        if what == "abstract":
            return bool(self.corpus.abstract(position))
        return bool(self.corpus[position].link("code"))

    # -- many papers -----------------------------------------------------------------

    def evaluate(
        self, query: Query, lo: int, hi: int, candidates: Positions | None, cancelled: Cancelled
    ) -> Positions:
        """Positions matching ``query`` among ``candidates`` (or all of ``[lo, hi)``), in order.

        Raises :class:`Cancel` when ``cancelled()`` turns true.
        """
        self._local.skipped = False
        current = candidates
        if query.groups:
            for group in sorted(query.groups, key=_group_cost):
                if cancelled():
                    raise Cancel
                hits = Hits()
                for term in group:
                    hits = hits.union(self.bulk(term, lo, hi, current, cancelled))
                current = hits.select(lo, hi, current)
                if not len(current):
                    return current
        return np.arange(lo, hi, dtype=np.uint32) if current is None else current

    def bulk(self, term: Term, lo: int, hi: int, candidates: Positions | None, cancelled: Cancelled) -> Hits:
        """Positions in ``[lo, hi)`` matching ``term``; may include positions outside
        ``candidates`` (the caller selects)."""
        positive = self._bulk_positive(term, lo, hi, candidates, cancelled)
        if term.negated:
            return positive.negated()
        return positive

    def _bulk_positive(
        self, term: Term, lo: int, hi: int, candidates: Positions | None, cancelled: Cancelled
    ) -> Hits:
        if term.kind == "year":
            return self._year_hits(term, lo, hi)
        if term.kind == "state":
            return self._state_hits(term.text)
        if term.kind == "has":
            return self._has_hits(term.text)
        hits = Hits()
        names = fields_of(term)
        columns = [name for name in names if name in COLUMN_FIELDS]
        aside: list[Future[Hits]] = []
        if term.kind in ("fuzzy", "exact") and len(columns) > 1:
            papers = hi - lo if candidates is None else len(candidates)
            if papers >= SIDE_BY_SIDE:
                # The title's walk here, the others' meanwhile on the side thread.
                side = _side_pool()
                aside = [side.submit(self._scan, term, name, lo, hi, candidates) for name in columns[1:]]
                columns = columns[:1]
        for name in names:
            if name in columns:
                hits = hits.union(self._scan(term, name, lo, hi, candidates))
            elif name in ("note", "tag"):
                hits = hits.union(self._library_hits(term, name))
        for pending in aside:
            hits = hits.union(pending.result())
        if "abstract" in names:
            hits = hits.union(self._abstract_hits(term, lo, hi, candidates, hits, cancelled))
        return hits

    def _scan(self, term: Term, name: str, lo: int, hi: int, candidates: Positions | None) -> Hits:
        column = self.column(name)
        cased = term.case_sensitive
        text = self.column_text(name, cased)
        few = candidates is not None and len(candidates) * PER_DOC_RATIO < hi - lo
        whole = lo == 0 and hi == self.size
        if term.kind == "fuzzy":
            if whole:
                # Extends a remembered walk (of the whole column, or of earlier candidates).
                walked = self.fuzzy.matches(name, column, text, cased, term.text, candidates)
            else:
                chosen = np.arange(lo, hi, dtype=np.uint32) if candidates is None else candidates
                walked = fuzzy.among(column, text, cased, term.text, chosen)
            return Hits.of(walked.positions, self.size)
        listed = name in ("authors", "cat")
        numpy = whole and not cased and bulk.maskable(term.text) and column.letters_usable(hi - lo)
        if numpy and term.kind == "exact" and len(term.text) == 1:
            # One letter: in order is contained; a walk of the candidates (or all).
            walked = self.fuzzy.matches(name, column, text, cased, term.text, candidates if few else None)
            return Hits.of(walked.positions, self.size)
        compiled = numpy and few and term.kind == "exact" and "," not in term.text and kernels.ready()
        if compiled and candidates is not None:
            # Each candidate's line checked by a compiled loop (no comma in the term:
            # it cannot run across the items of a listed column).
            held = kernels.holding(
                column.data(),
                term.text.encode("ascii"),
                candidates,
                column.line_starts()[candidates],
                column.line_ends()[candidates],
                len(candidates),
            )
            return Hits.of(held, self.size)
        if numpy and (not few or self._scan_is_cheaper(term, column, listed, candidates)):
            # Every line at once with numpy, from the letters' offsets.
            lines = vector.line_matches(
                column.letters(),
                term.text.encode("ascii"),
                term.kind,
                listed,
                column.line_starts(),
                column.line_ends(),
            )
            return Hits.of(lines, self.size)
        pattern = column_pattern(term.kind, term.text, LISTED if listed else SINGLE)
        if candidates is not None and few:
            chosen_list = candidates.tolist()
            searched = map(
                pattern.search,
                repeat(text),
                map(column.starts.__getitem__, chosen_list),
                map(column.ends.__getitem__, chosen_list),
            )
            return Hits(set(compress(chosen_list, searched)))
        return Hits(set(column.scan(pattern, lo, hi, text)))

    @staticmethod
    def _scan_is_cheaper(term: Term, column: Column, listed: bool, candidates: Positions | None) -> bool:
        """Would the numpy scan of the whole column cost less than a regex search of
        each candidate's line (about 1.5 us each: 65 ms for 43k candidates)?"""
        if candidates is None or not column.letters_ready():
            return candidates is None
        steps = vector.scan_steps(column.letters(), term.text.encode("ascii"), term.kind, listed, len(column))
        return steps < NUMPY_STEPS_PER_CHECK * len(candidates)

    def _library_hits(self, term: Term, name: str) -> Hits:
        marks = self.marks
        if name == "note":
            notes = marks.cased_notes if term.case_sensitive else marks.folded_notes
            pattern = text_pattern(term.kind, term.text)
            return Hits({p for p, note in notes.items() if pattern.search(note)})
        return Hits({p for p, tags in marks.tags.items() if any(self._tag_ok(term, t) for t in tags)})

    def _abstract_hits(
        self,
        term: Term,
        lo: int,
        hi: int,
        candidates: Positions | None,
        found: Hits,
        cancelled: Cancelled,
    ) -> Hits:
        """Abstract matches: through the word index when it is built, else (or for
        the few papers other fields left unmatched) paper by paper."""
        words = self.words
        left = max(0, (hi - lo if candidates is None else len(candidates)) - found.count())
        # Reading and folding one abstract costs about as much as uniting 500 postings.
        if words is None or left * 500 < _postings_estimate(words, term):
            pool = np.arange(lo, hi, dtype=np.uint32) if candidates is None else candidates
            # Title, author and note matches need no second look.
            unknown = found.negated().select(lo, hi, pool)
            return self._check_unindexed(term, unknown, cancelled)
        indexed = min(hi, words.size) if words is not None else lo
        hits = Hits()
        if words is not None and indexed > lo:
            from_index = self._word_hits(words, term, lo, indexed, candidates, cancelled)
            if from_index is None:
                indexed = lo
            else:
                hits = from_index
        if indexed < hi:
            rest = (
                np.arange(indexed, hi, dtype=np.uint32)
                if candidates is None
                else candidates[candidates >= indexed]
            )
            unknown = found.negated().select(indexed, hi, rest)
            hits = hits.union(self._check_unindexed(term, unknown, cancelled))
        return hits

    def _check_unindexed(self, term: Term, unknown: Positions, cancelled: Cancelled) -> Hits:
        """Abstract matches among ``unknown``, papers the word index does not cover
        (yet): read one by one, unless they are too many to read at each keystroke
        and the caller defers them (see :attr:`defer_checks`)."""
        if self.defer_checks and len(unknown) > DEFER_CHECKS:
            self._local.skipped = True
            return Hits()
        return Hits(set(self._check_abstracts(term, unknown.tolist(), cancelled)))

    @property
    def skipped(self) -> bool:
        """Did this thread's last :meth:`evaluate` leave abstracts unread (deferred)?"""
        return bool(getattr(self._local, "skipped", False))

    def _check_abstracts(self, term: Term, positions: Iterable[int], cancelled: Cancelled) -> list[int]:
        words = self.words
        if words is not None:  # skip the papers known to have no abstract
            present, indexed = words.present, words.size
            positions = (p for p in positions if p >= indexed or present[p])
        chosen = list(positions)
        search = text_pattern(term.kind, term.text).search
        needle, exact, cased = term.text, term.kind == "exact", term.case_sensitive
        kept: list[int] = []
        for lo in range(0, len(chosen), CHECK_BATCH):
            batch = chosen[lo : lo + CHECK_BATCH]
            texts = map(self.abstract_text, batch, repeat(cased))
            # A plain substring: ``in`` (a fast search in C) rather than a regex per paper.
            found = map(contains, texts, repeat(needle)) if exact else map(search, texts)
            kept += compress(batch, found)
            if cancelled():
                raise Cancel
        return kept

    def _word_hits(
        self,
        words: WordIndex,
        term: Term,
        lo: int,
        hi: int,
        candidates: Positions | None,
        cancelled: Cancelled,
    ) -> Hits | None:
        """Abstract matches in ``[lo, hi)`` from the word index; ``None`` when the
        term has no word characters for the index to look up."""
        text = term.text.lower()
        runs = WORD.findall(text)
        if not runs:
            return None
        simple = len(runs) == 1 and runs[0] == text and not term.case_sensitive
        if simple and term.kind == "fuzzy":
            return Hits(mask=words.mask(range(*words.prefix_range(text)), self.size, lo, hi))
        if simple and term.kind == "exact":
            return Hits(mask=words.mask(words.containing(text), self.size, lo, hi))
        chains = _chain_slots(words, term)
        if chains is not None:  # a hyphenated term: the chains holding it, exactly
            return Hits(mask=words.mask(chains, self.size, lo, hi))
        # A superset: papers using a word fit for every run, then a check of each one's text.
        pool = np.ones(self.size, np.bool_)
        for number in range(len(runs)):
            pool &= words.mask(_run_slots(words, term.kind, text, runs, number), self.size, lo, hi)
        chosen = vector.selected(pool, lo, hi, candidates)
        return Hits(set(self._check_abstracts(term, chosen.tolist(), cancelled)))

    def _year_column(self) -> _YearColumn:
        years = self._years
        if years is None:
            with self._lock:
                years = self._years
                if years is None:
                    years = self._years = _YearColumn(self.corpus, self.size)
        return years

    def _year_hits(self, term: Term, lo: int, hi: int) -> Hits:
        low, high = term.years or (0, -1)
        return self._year_column().hits(low, high)

    def _state_hits(self, state: str) -> Hits:
        marks = self.marks
        if state == "bookmarked":
            return Hits(set(marks.bookmarked))
        if state == "unread":
            others: set[int] = set()
            for positions in marks.states.values():
                others |= positions
            return Hits(others, True)
        return Hits(set(marks.states.get(state, ())))

    def _has_hits(self, what: str) -> Hits:
        if what == "note":
            return Hits(set(self.marks.notes))
        if what == "tag":
            return Hits(set(self.marks.tags))
        with self._lock:
            if what == "abstract":
                if self._no_abstract is None:
                    words = self.words
                    if words is not None and words.size == self.size:  # known without reading
                        self._no_abstract = set(compress(range(self.size), (b ^ 1 for b in words.present)))
                    else:
                        self._no_abstract = {p for p in range(self.size) if not self.corpus.abstract(p)}
                return Hits(set(self._no_abstract), True)
            if self._code is None:
                self._code = {p for p in range(self.size) if self.corpus[p].link("code")}
            return Hits(set(self._code))

    def prepare_columns(
        self, cancelled: Cancelled = lambda: False, paused: Callable[[], bool] = lambda: False
    ) -> bool:
        """Build what the columns' searches use (seconds at a million papers: run it
        in the background); False if cancelled.  While ``paused()`` is true (a search
        runs) it waits, so that the two do not share the interpreter lock."""
        # What typing needs first: the compiled walks (numba's import and compile,
        # a second or two), then the letter offsets (exact terms, and the walks
        # where numba is missing).
        if self.size >= COMPILED_WALKS:
            kernels.warm()
        self.title.prepare()
        self.authors.prepare()
        self._year_column()  # a Python step per paper: not while someone types year:
        if cancelled():
            return False
        # The id and category columns next: exact terms need them, and categories
        # are read from each paper's stored blob (a read per paper).
        # Their letters too (50 MB at a million papers): built on the first exact term
        # instead, they cost that keystroke a second.
        self.column("id", paused).prepare()
        self.column("cat", paused).prepare()
        return not cancelled()

    def build_words(
        self, cancelled: Cancelled = lambda: False, paused: Callable[[], bool] = lambda: False
    ) -> WordIndex | None:
        """Prepare the columns (:meth:`prepare_columns`), then build the abstract word
        index for the papers present now (minutes at a million papers); ``None`` if
        cancelled.  It waits while ``paused()`` is true."""
        corpus, size = self.corpus, self.size
        if not self.prepare_columns(cancelled, paused):
            return None
        words = WordIndex.build(_yielding((corpus.abstract(i) for i in range(size)), paused), cancelled)
        if words is None or cancelled():
            return None
        with self._lock:
            current = self.words
            # A build for fewer papers, finished after a stored index for them all was
            # mapped in (a streaming load told where its index is kept), must not undo it.
            if current is not None and current.size >= words.size:
                return current
            self.words = words
        return words


def _taken(corpus: Corpus) -> tuple[int, int]:
    """The corpus's version and size, read together: a streaming load appends from
    another thread, and a size newer than the version (or the other way round) would
    leave papers out of the columns or put them in twice."""
    while True:
        version = corpus.version
        size = len(corpus)
        if corpus.version == version:
            return version, size


def _yielding(values: Iterable[str], paused: Callable[[], bool]) -> Iterator[str]:
    """``values``, waiting every few of them while ``paused()`` is true."""
    for count, value in enumerate(values):
        if count % 256 == 0:
            while paused():
                time.sleep(0.002)
        yield value


class _YearColumn:
    """Each paper's year as one byte (``year - FIRST_YEAR + 1``; 0 when the date has
    no year), so that a year range is one ``translate`` to a mask; years outside
    the byte's span are kept apart (rare)."""

    FIRST_YEAR = 1800

    def __init__(self, corpus: Corpus, size: int) -> None:
        codes = bytearray(size)
        self.odd: dict[int, array[int]] = {}
        first, last = self.FIRST_YEAR, self.FIRST_YEAR + 254
        for position in range(size):
            head = corpus.date(position)[:4]
            if head.isdigit():
                year = int(head)
                if first <= year <= last:
                    codes[position] = year - first + 1
                else:
                    self.odd.setdefault(year, array("I")).append(position)
        self.codes = bytes(codes)

    def hits(self, low: int, high: int) -> Hits:
        """Papers dated ``low`` to ``high`` (inclusive)."""
        first = self.FIRST_YEAR
        table = bytes(1 if code and low <= first + code - 1 <= high else 0 for code in range(256))
        found = Hits(mask=np.frombuffer(self.codes.translate(table), np.bool_))
        for year, positions in self.odd.items():
            if low <= year <= high:
                found = found.union(Hits(set(positions)))
        return found


def _run_slots(words: WordIndex, kind: str, text: str, runs: list[str], number: int) -> Iterable[int]:
    """Vocabulary slots a paper must use for ``text`` to match, judged by its run
    ``number`` of word characters: a run the term puts a non-word character (or the
    start or end of the abstract) before must start a word, one it puts one after
    must end a word; a run bounded on both sides is a whole word."""
    run = runs[number]
    first, last = number == 0, number == len(runs) - 1
    starts = not first or not text.startswith(run) or kind in ("fuzzy", "prefix", "equal")
    ends = not last or not text.endswith(run) or kind in ("suffix", "equal")
    low, high = words.prefix_range(run)
    if starts and ends:
        return [slot for slot in range(low, high) if words.vocab[slot] == run]
    if starts:
        return range(low, high)
    if ends:
        return [slot for slot in words.containing(run) if words.vocab[slot].endswith(run)]
    return words.containing(run)


def _chain_slots(words: WordIndex, term: Term) -> list[int] | None:
    """The hyphenated chains answering ``term`` exactly, if it is such a term."""
    if term.case_sensitive or term.kind not in ("exact", "fuzzy"):
        return None
    return compound_slots(words, term.text, at_start=term.kind == "fuzzy")


def _postings_estimate(words: WordIndex, term: Term) -> int:
    """About how many postings the word index would unite for ``term``
    (a large number when the index cannot answer it)."""
    runs = WORD.findall(term.text.lower())
    if not runs:
        return 1 << 60
    chains = _chain_slots(words, term)
    if chains is not None:
        return words.postings_size(chains)
    if term.kind == "fuzzy" and runs[0] == term.text.lower():
        return words.postings_size(range(*words.prefix_range(runs[0])))
    return sum(words.postings_size(words.containing(run)) for run in runs)


def _group_cost(group: tuple[Term, ...]) -> tuple[int, int]:
    """Evaluate cheap, selective groups first: library words and years, then long
    text terms, exclusions last."""
    if all(t.kind in ("state", "has", "year") for t in group):
        return (0, 0)
    if any(t.negated for t in group):
        return (3, 0)
    if len(group) > 1:
        return (2, 0)
    return (1, -len(group[0].text))
