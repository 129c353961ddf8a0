"""The search engine the app and ``paper-tui list --query`` share.

``search`` runs in the app's worker thread: it checks ``cancelled()`` between
steps, narrows the previous result when the query only got stricter (typing one
more letter), and ranks a bounded pool.  ``first_results`` answers within a few
milliseconds with the first matches in file order, so the list can paint before
the ranked result arrives.  Indexes are built on first use; the abstract word
index is built in a background thread, and until it is ready abstracts are
checked paper by paper.  Given a :class:`~paper_tui.search.stored.WordStore` (the
corpus came whole from cached files), that thread maps the word index stored by an
earlier open instead of building it, or stores the one it built.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from paper_tui.corpus import Corpus
from paper_tui.search import ranking, vector
from paper_tui.search.highlight import highlight
from paper_tui.search.index import Index
from paper_tui.search.marks import LibraryView
from paper_tui.search.matcher import Cancel, Matcher
from paper_tui.search.query import Query, parse_query
from paper_tui.search.stored import WordStore

#: first_results looks at growing chunks of the corpus and gives up on finding
#: ``limit`` matches after this long (the ranked result follows anyway).
FIRST_RESULTS_BUDGET = 0.03
FIRST_CHUNK = 4096
RECENT_RESULTS = 16


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Matching corpus positions, best first."""

    query: Query
    positions: Sequence[int]
    total: int
    provisional: bool = False
    #: The matches in file order (what narrowing the next query starts from).
    matched: Sequence[int] = field(default=(), repr=False)
    #: The corpus and library state this result was computed on.
    stamp: tuple[int, int] = (0, 0)
    #: Abstracts the word index does not cover yet were left unread (it is being
    #: built): search again once :meth:`SearchEngine.index_ready`.
    partial: bool = False


class SearchEngine:
    """Search one corpus (and, optionally, the user's library)."""

    def __init__(
        self,
        corpus: Corpus,
        library: LibraryView | None = None,
        *,
        background: bool = True,
        index: Index | None = None,
        store: WordStore | None = None,
    ) -> None:
        """``background``: build the abstract word index in a thread on first use;
        ``index``: one :func:`build_index` made earlier for this corpus (used when the
        corpus version still matches); ``store``: where this (complete) corpus's word
        index is kept (see :meth:`use_store`)."""
        self.corpus = corpus
        self._index = index
        self._store = store
        self.library = library
        self.background = background
        self._matcher: Matcher | None = None
        self._library_generation = 0
        self._lock = threading.Lock()
        self._builder: threading.Thread | None = None
        # Recent complete results by query text: backspace is answered at once, and
        # first_results narrows the last one while the next search runs.
        self._recent: OrderedDict[str, SearchResult] = OrderedDict()
        self._stop_builder = threading.Event()
        #: Set while a search runs: the index builder waits (see Matcher.build_words).
        self._busy = threading.Event()
        #: Clear while the background thread maps a stored word index.
        self._mapped = threading.Event()
        self._mapped.set()

    # -- state ---------------------------------------------------------------------

    def invalidate(self) -> None:
        """The corpus or the library changed: indexes catch up on the next search."""
        with self._lock:
            self._library_generation += 1
            self._recent.clear()
            if self._matcher is not None:
                self._matcher.forget_library()

    @property
    def stamp(self) -> tuple[int, int]:
        return (self.corpus.version, self._library_generation)

    def matcher(self) -> Matcher:
        """The indexes for the corpus as it is now, built or extended as needed."""
        with self._lock:
            matcher = self._matcher
            corpus = self.corpus
            if matcher is not None and matcher.version != corpus.version:
                added = len(corpus) - matcher.size
                if added > 0 and corpus.version - matcher.version == added:
                    matcher.extend()  # papers appended (a streaming load): extend in place
                    words = matcher.words
                    grown = words is not None and added > max(5000, words.size // 8)
                    if self._map_stored(matcher) or grown or self._store_fits(matcher):
                        self._start_words(matcher)
                else:
                    matcher = None  # papers merged into existing ones: start afresh
            if matcher is None:
                matcher = self._matcher = Matcher(corpus, self.library, self._index)
                matcher.defer_checks = self.background  # the index is on its way
                self._index = None  # only ever for the corpus it was built from
                mapped = self._map_stored(matcher)  # then the thread only prepares the columns
                if self.background and (mapped or matcher.words is None or matcher.words.size < matcher.size):
                    self._start_words(matcher)
            return matcher

    def use_store(self, store: WordStore | None) -> None:
        """The load is complete, and ``store`` is where its word index is kept: the
        background thread maps it from there (a second or so, where building takes
        minutes at a million papers), or builds it and stores it for the next open.
        With a store, that starts now, with the columns, not at the first keystroke."""
        with self._lock:
            self._store = store
        if self.background and store is not None:
            threading.Thread(target=self._warm, name="paper-tui-search-warm", daemon=True).start()

    def _map_stored(self, matcher: Matcher) -> bool:
        """Map the stored word index into ``matcher`` now, if it is for its papers and
        it has none: whoever asked for the matcher (a search) is then complete at once,
        for the 0.2 s mapping and checking it takes at a million papers."""
        store = self._store
        if store is None or not self._store_fits(matcher):
            return False
        words = store.load()
        if words is None:
            return False
        matcher.words = words
        return True

    def _warm(self) -> None:
        """Build the columns, map the stored word index and start the thread that
        prepares the rest, as the first search would."""
        before = self._builder
        matcher = self.matcher()
        with self._lock:
            if self._builder is before and self._store_fits(matcher, unsaved=True):
                self._start_words(matcher)

    def _store_fits(self, matcher: Matcher, unsaved: bool = False) -> bool:
        """Is there a stored index to be had for ``matcher``, which lacks one (or,
        ``unsaved``, one to store: it was built before the store was known)?"""
        store, words = self._store, matcher.words
        if store is None or not store.size == matcher.size == len(self.corpus):
            return False
        return words is None or words.size < matcher.size or (unsaved and not words.mapped)

    def _start_words(self, matcher: Matcher) -> None:
        self._stop_builder.set()
        self._stop_builder = stop = threading.Event()
        # Searches wait (briefly) for a stored index the thread is about to map, rather
        # than leave abstracts out and search again: set before the thread starts.
        mapped = threading.Event()
        if not self._store_fits(matcher):
            mapped.set()
        self._mapped = mapped
        builder = threading.Thread(
            target=_briskly(self._words_for),
            args=(matcher, stop.is_set, self._busy.is_set, mapped),
            name="paper-tui-search-index",
            daemon=True,
        )
        self._builder = builder
        builder.start()

    def _words_for(
        self,
        matcher: Matcher,
        cancelled: Callable[[], bool],
        paused: Callable[[], bool],
        mapped: threading.Event | None = None,
    ) -> None:
        """Give ``matcher`` its word index: the stored one if it fits, else built (and
        then stored, and mapped back from the file so that the built arrays' memory
        is returned); then, or meanwhile, the columns' letter offsets.  ``mapped`` is
        set once the stored index is in place (or known not to be)."""
        store = self._store
        if store is None or store.size != matcher.size:
            store = None
        words = matcher.words
        try:
            if (words is None or words.size < matcher.size) and store is not None:
                loaded = store.load()
                if loaded is not None and not cancelled():
                    matcher.words = words = loaded
        finally:
            if mapped is not None:
                mapped.set()
        if words is not None and words.size >= matcher.size:
            matcher.prepare_columns(cancelled, paused)
        else:
            words = matcher.build_words(cancelled, paused)
        if (
            store is not None
            and words is not None
            and not words.mapped
            and words.size == store.size
            and not cancelled()
            and store.save(words)
        ):
            stored = store.load()
            if stored is not None and matcher.words is words:
                matcher.words = stored

    def build_word_index(self) -> None:
        """Build the abstract word index now, in this thread (tests, benchmarks, CLI);
        from the store (and into it) as the background thread does."""
        matcher = self.matcher()
        if matcher.words is None or matcher.words.size < matcher.size:
            self._words_for(matcher, lambda: False, lambda: False)

    def wait_for_index(self, timeout: float | None = None) -> bool:
        """Wait for the background word index; True when it is ready."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)
        matcher = self._matcher
        return matcher is not None and matcher.words is not None

    def forget_recent(self) -> None:
        """Drop remembered results and fuzzy walks (memory pressure; one-shot timings)."""
        with self._lock:
            self._recent.clear()
            if self._matcher is not None:
                self._matcher.fuzzy.clear()

    def close(self) -> None:
        """Stop a background index build."""
        self._stop_builder.set()

    # -- searching -------------------------------------------------------------------

    def search(
        self,
        query: str | Query,
        *,
        cancelled: Callable[[], bool] = lambda: False,
        previous: SearchResult | None = None,
    ) -> SearchResult | None:
        """The complete ranked result, or ``None`` if ``cancelled()`` turned true.

        The background index build waits meanwhile (it would share the interpreter)."""
        self._busy.set()
        try:
            return self._search(query, cancelled, previous)
        finally:
            self._busy.clear()

    def _search(
        self, query: str | Query, cancelled: Callable[[], bool], previous: SearchResult | None
    ) -> SearchResult | None:
        parsed = query if isinstance(query, Query) else parse_query(query)
        matcher = self.matcher()
        if not self._mapped.is_set():
            self._mapped.wait(STORE_WAIT)  # 0.07-0.2 s at 100k-1M papers
        stamp = self.stamp
        size = matcher.size
        if parsed.is_empty:
            everything = range(size)
            return SearchResult(parsed, everything, size, False, everything, stamp)
        with self._lock:
            cached = self._recent.get(parsed.text)
        if cached is not None and cached.stamp == stamp:
            return cached
        base = self._narrowing_base(parsed, previous, stamp)
        candidates = None if base is None else vector.positions(base.matched)
        needed = parsed
        if base is not None:
            # Every candidate already matches the groups the two queries share.
            known = set(base.query.groups)
            needed = Query(parsed.text, tuple(g for g in parsed.groups if g not in known))
        try:
            matched = matcher.evaluate(needed, 0, size, candidates, cancelled)
            partial = matcher.skipped
            ordered = ranking.rank(matcher, parsed, matched, cancelled)
        except Cancel:
            return None
        matched_array = vector.as_array(matched)
        result = SearchResult(
            parsed, vector.as_array(ordered), len(matched), False, matched_array, stamp, partial
        )
        if not partial:  # a partial result is neither reused nor narrowed
            self._remember(result)
        return result

    def index_ready(self) -> bool:
        """Is the abstract word index built for every paper (no abstract left unread)?"""
        matcher = self._matcher
        words = matcher.words if matcher is not None else None
        return matcher is not None and words is not None and words.size >= matcher.size

    def _narrowing_base(
        self, query: Query, previous: SearchResult | None, stamp: tuple[int, int]
    ) -> SearchResult | None:
        """The smallest recent complete result that ``query`` can only narrow."""
        options = [previous] if previous is not None else []
        with self._lock:  # first_results may run in another thread than search
            options += reversed(self._recent.values())
        best: SearchResult | None = None
        for option in options:
            if (
                option is not None
                and not option.provisional
                and not option.partial
                and option.stamp == stamp
                and not option.query.is_empty
                and query.narrows(option.query)
                and (best is None or option.total < best.total)
            ):
                best = option
        return best

    def _remember(self, result: SearchResult) -> None:
        with self._lock:
            self._recent[result.query.text] = result
            self._recent.move_to_end(result.query.text)
            while len(self._recent) > RECENT_RESULTS:
                self._recent.popitem(last=False)

    def first_results(self, query: str | Query, limit: int = 50) -> SearchResult:
        """Up to ``limit`` matches in file order, fast, for painting before the
        ranked result.  ``total`` counts only what was found."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        matcher = self.matcher()
        size = matcher.size
        if parsed.is_empty:
            head = range(min(limit, size))
            return SearchResult(parsed, head, len(head), True, head, self.stamp)
        stamp = self.stamp
        with self._lock:
            cached = self._recent.get(parsed.text)
        if cached is not None and cached.stamp == stamp:
            shown = list(cached.positions[:limit])
            return SearchResult(parsed, shown, len(shown), True, sorted(shown), stamp)
        deadline = time.perf_counter() + FIRST_RESULTS_BUDGET
        base = self._narrowing_base(parsed, None, stamp)
        if base is not None:
            return self._first_from(matcher, parsed, base.matched, limit, deadline)
        found: list[int] = []
        lo, chunk = 0, FIRST_CHUNK
        never: Callable[[], bool] = lambda: False  # noqa: E731
        while lo < size and len(found) < limit:
            hi = min(size, lo + chunk)
            found += matcher.evaluate(parsed, lo, hi, None, never)[: limit - len(found)].tolist()
            lo, chunk = hi, chunk * 4
            if time.perf_counter() > deadline:
                break
        return SearchResult(parsed, found, len(found), True, found, stamp)

    def _first_from(
        self, matcher: Matcher, query: Query, candidates: Sequence[int], limit: int, deadline: float
    ) -> SearchResult:
        """The first ``limit`` of ``candidates`` (a result this query narrows) that match."""
        found: list[int] = []
        groups = query.groups
        for count, position in enumerate(candidates):
            if all(any(matcher.doc_matches(term, position) for term in group) for group in groups):
                found.append(position)
                if len(found) >= limit:
                    break
            if count % 256 == 255 and time.perf_counter() > deadline:
                break
        return SearchResult(query, found, len(found), True, found, self.stamp)

    def highlights(self, position: int, query: str | Query) -> dict[str, list[int]]:
        """Matched character offsets per field, in the text each field shows:
        ``title`` (the title), ``authors`` (``", ".join(authors)``), ``abstract``,
        ``note`` (the library note)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        if parsed.is_empty or not 0 <= position < len(self.corpus):
            return {}
        pid = self.corpus.paper_id(position)
        texts = {
            "title": self.corpus.title(position),
            "authors": ", ".join(self.corpus.authors(position)),
            "abstract": self.corpus.abstract(position),
            "note": self.library.note(pid) if self.library is not None else "",
        }
        return highlight(texts, parsed)


def search_corpus(
    corpus: Corpus, query: str, library: LibraryView | None = None, store: WordStore | None = None
) -> list[int]:
    """Positions of the papers matching ``query``, best first: the app's order.
    ``store``: where the corpus's word index may be kept (mapped if it is there;
    never built: a one-shot search reads a few abstracts faster than that)."""
    result = SearchEngine(corpus, library, background=False, store=store).search(query)
    return [] if result is None else list(result.positions)


#: The longest a search waits for a stored word index being mapped (reading and
#: checking it takes 0.07 s at 100k papers, 0.2 s at 1M).
STORE_WAIT = 2.0
#: The interpreter's switch interval while an index builder runs: a search thread
#: that lets go of the lock (each numpy call, each compiled loop) gets it back
#: within this, not within the default 5 ms, while the builder runs Python.
BUILD_SWITCH_INTERVAL = 0.0005
_builders = 0
_builders_lock = threading.Lock()
_switch_interval = sys.getswitchinterval()


def _briskly(work: Callable[..., None]) -> Callable[..., None]:
    """``work``, run with the short switch interval (restored when the last builder ends)."""

    def run(*args: object) -> None:
        global _builders, _switch_interval
        with _builders_lock:
            if not _builders:
                _switch_interval = sys.getswitchinterval()
                sys.setswitchinterval(min(_switch_interval, BUILD_SWITCH_INTERVAL))
            _builders += 1
        try:
            work(*args)
        finally:
            with _builders_lock:
                _builders -= 1
                if not _builders:
                    sys.setswitchinterval(_switch_interval)

    return run
