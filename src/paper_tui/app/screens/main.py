"""MainScreen: the filter bar, the paper list, the reading pane and the status line.

It owns the corpus, the search engine and the library handle, runs loading and
searching in thread workers (which hand results back as messages), and keeps
the cursor's paper and the query for the next launch.

| Key | Action |
|---|---|
| `/` | focus the filter |
| `escape` (on the list) | clear the filter |
| `o` / `p` | open the paper's page / PDF in the browser |
| `s` | cycle the sort order |
| `R` | reload the files, keeping the cursor's paper |

The triage keys (bookmark, state, tags, note, undo, copy) are wired in by
:mod:`paper_tui.app.triage` through :meth:`current_paper`, :meth:`shown_positions`,
:meth:`refresh_rows` and :attr:`library`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import get_current_worker

from paper_tui.app.engine import Engine, Result, make_engine
from paper_tui.app.sorting import LABELS, Sorter, effective_sort, next_sort
from paper_tui.app.state import Session
from paper_tui.app.triage import TriageMixin
from paper_tui.app.widgets.filter_bar import FilterBar
from paper_tui.app.widgets.key_bar import KeyBar
from paper_tui.app.widgets.paper_list import PaperList
from paper_tui.app.widgets.reading_pane import Decisions, ReadingPane
from paper_tui.app.widgets.status_line import StatusLine, progress_text
from paper_tui.corpus import Corpus
from paper_tui.model import Paper

if TYPE_CHECKING:
    from paper_tui.app.app import PaperApp

#: How often, at most, a growing corpus re-runs an active query while loading.
LOAD_REFRESH_SECONDS = 1.0
#: How often the list and the progress are repainted while loading (the first
#: papers at once): a repaint takes the interpreter from the loading thread, and
#: four a second cost a 1M first open about 2 s of CPU on the cores the parse
#: workers use (tmux, 2026-11-26: the app's load 18.0-19.6 s, was 18.8-24.1 s).
LOAD_PROGRESS_SECONDS = 1.0
#: How long after the last move or keystroke the session is written to disk.
SAVE_DELAY_SECONDS = 2.0
#: First results painted before the ranked result arrives.
FIRST_RESULTS = 50
#: How long first results wait for the ranked ones before they are painted (seconds).
PROVISIONAL_HOLD = 0.03


@dataclass
class Inputs:
    """What to open: files (loaded by :class:`paper_tui.loading.Loader`) or, for the
    library alone, a function returning papers."""

    paths: list[str] = field(default_factory=list)
    input_format: str | None = None
    use_cache: bool = True
    papers: Any = None
    #: The state.toml session name (see :func:`paper_tui.app.state.session_key`).
    key: str = ""
    #: Shown in the status line: a file name, "3 files", "library".
    label: str = ""


def marker(entry: Any) -> str:
    """Three cells: bookmark, state, note (``★✓✎``); blanks for an untouched paper."""
    if entry is None:
        return "   "
    state = {"read": "✓", "skipped": "✗"}.get(getattr(entry, "state", "unread"), " ")
    return ("★" if entry.bookmarked else " ") + state + ("✎" if entry.note else " ")


class MainScreen(TriageMixin, Screen[None]):
    """The one screen a user lives in."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", id="main.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="main.clear_filter"),
        Binding("o", "open_page", "Open", id="main.open"),
        Binding("p", "open_pdf", "PDF", id="main.pdf"),
        Binding("s", "cycle_sort", "Sort", id="main.sort"),
        Binding("R", "reload", "Reload", show=False, id="main.reload"),
    ]

    class Searched(Message):
        """A search worker's result (``provisional``: the fast first page)."""

        def __init__(
            self,
            generation: int,
            positions: Sequence[int],
            total: int,
            provisional: bool,
            error: str = "",
            partial: bool = False,
        ) -> None:
            super().__init__()
            self.partial = partial  # abstracts not yet indexed were left out
            self.error = error
            self.generation = generation
            self.positions = positions
            self.total = total
            self.provisional = provisional

    class Batch(Message):
        """Papers read by the load worker."""

        def __init__(self, papers: Sequence[Paper]) -> None:
            super().__init__()
            self.papers = papers

    class Loaded(Message):
        """The load finished (``corpus`` set: a reload to swap in; ``error``: it failed)."""

        def __init__(
            self, corpus: Corpus | None = None, error: str = "", notices: Sequence[str] = ()
        ) -> None:
            super().__init__()
            self.corpus = corpus
            self.error = error
            self.notices = notices

    def __init__(self, inputs: Inputs, *, query: str | None = None, library: Any = None) -> None:
        super().__init__()
        self.inputs = inputs
        self.corpus = Corpus()
        #: The user's library (``paper_tui.library.Library``), or None if it cannot open.
        self.library = library
        self._engine: Engine | None = None
        self.sorter = Sorter(self.corpus)
        self.sort = "relevance"
        self.query_text = ""
        self._initial_query = query
        self._session = Session()
        self._generation = 0
        self._last_result: Result | None = None
        self._loader: Any = None
        #: Where the loaded files' search word index is kept (a ``WordStore``), if anywhere.
        self._word_store: Any = None
        self._loading = False
        self._last_load_refresh = 0.0
        self._cursor_restored = False
        self._user_moved = False
        self._save_timer: Timer | None = None
        self._progress_timer: Timer | None = None
        self._quitting = False
        self._provisional_timer: Timer | None = None
        self._index_timer: Timer | None = None

    @property
    def engine(self) -> Engine:
        """The search engine over the current corpus, built on first use (the load
        worker touches it first, so its imports happen off the UI thread)."""
        engine = self._engine
        if engine is None:
            engine = self._engine = make_engine(self.corpus, self.library, self._word_store)
        return engine

    @property
    def paper_app(self) -> PaperApp:
        from paper_tui.app.app import PaperApp

        assert isinstance(self.app, PaperApp)
        return self.app

    # -- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        with Container(id="body"):
            yield PaperList(self.corpus, id="paper-list")
            yield ReadingPane(id="reading-pane")
        yield StatusLine(id="status")
        yield KeyBar(id="key-bar")

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def reading_pane(self) -> ReadingPane:
        return self.query_one(ReadingPane)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        paper_list = self.paper_list
        paper_list.empty_text = "Loading…"
        paper_list.highlighter = self._highlights
        if self.library is not None:
            library = self.library
            paper_list.markers = lambda pid: marker(library.entry(pid))
        self.set_focus(paper_list)
        self._session = self.paper_app.state.session(self.inputs.key)
        query = self._initial_query if self._initial_query is not None else self._session.query
        if query:
            self.filter_bar.input.value = query
            self.query_text = query
        self._update_status()
        # Paint first: the load worker imports the parsers and the search engine, and
        # a thread holding the GIL would delay the first frame.
        self.call_after_refresh(self._start_load, reload=False)
        if self.library is not None:
            self.set_interval(2.0, self._poll_library)

    # -- the API triage builds on -------------------------------------------

    def current_paper(self) -> Paper | None:
        """The paper under the cursor."""
        position = self.paper_list.current_position
        return None if position is None else self.corpus[position]

    def shown_positions(self) -> Sequence[int]:
        """Corpus positions the list shows now (the current filter and sort)."""
        return self.paper_list.positions

    def refresh_rows(self) -> None:
        """Redraw the rows and the reading pane after the library changed."""
        self.paper_list.refresh_rows()
        self._show_current()

    def _poll_library(self) -> None:
        """Show the library's notices and pick up what another instance saved."""
        library = self.library
        for notice in library.take_notices():
            self.notify(notice, title="Library", severity="warning", timeout=10)
        if library.disk_changed() and library.reload():
            # is:/tag:/note: answer from the library: the engine must forget what it read,
            # and a query shown now is run again so its rows include the other's changes.
            if self._engine is not None:
                self._engine.invalidate()
            if self.query_text.strip():
                self._refresh_results(keep=True)
            self.refresh_rows()

    def move_to_paper(self, position: int) -> bool:
        """Put the cursor on corpus ``position`` if shown; True when it is."""
        try:
            row = self.paper_list.positions.index(position)
        except ValueError:
            return False
        self._user_moved = True
        self.paper_list.move_to(row)
        return True

    def go_to_paper(self, position: int) -> None:
        """Show corpus ``position`` under the cursor, clearing the filter if it hides it."""
        if self.move_to_paper(position):
            return
        self._user_moved = True
        self._pending_keep = position
        self.query_text = ""  # set first, so the input's change event is taken as an echo
        self.filter_bar.input.value = ""
        self._refresh_results()
        self._update_status()

    # -- loading -----------------------------------------------------------

    def _start_load(self, *, reload: bool) -> None:
        if self._quitting:
            return
        self._loading = True
        self._last_load_refresh = 0.0
        if self._progress_timer is None:
            self._progress_timer = self.set_interval(LOAD_PROGRESS_SECONDS, self._update_status)
        self._load_worker(reload)

    @work(thread=True, exclusive=True, group="load")
    def _load_worker(self, reload: bool) -> None:
        """Read the inputs; on first load post batches (the list fills as they come),
        on reload build a fresh corpus and post it whole (the old one stays usable)."""
        worker = get_current_worker()
        fresh = Corpus() if reload else None
        if fresh is None:
            self.engine  # noqa: B018 - build it (and import search) here, off the UI thread
        notices: list[str] = []
        try:
            for batch in self._read_batches(notices):
                if worker.is_cancelled:
                    return
                if fresh is not None:
                    fresh.extend(batch)
                else:
                    self.post_message(self.Batch(batch))
        except Exception as error:  # LoadError and whatever a parser did not expect
            from paper_tui.formats import LoadError

            message = str(error) if isinstance(error, LoadError) else f"{type(error).__name__}: {error}"
            self.post_message(self.Loaded(error=message, notices=notices))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(corpus=fresh, notices=notices))

    def _read_batches(self, notices: list[str]) -> Iterable[Sequence[Paper]]:
        inputs = self.inputs
        if inputs.papers is not None:
            papers = list(inputs.papers())
            yield papers
            return
        from paper_tui.loading import Loader

        loader = Loader(inputs.paths, inputs.input_format, use_cache=inputs.use_cache)
        self._loader = loader
        if get_current_worker().is_cancelled:  # quit while the loader was being made
            loader.cancel()
        try:
            yield from loader.batches()
        finally:
            notices.extend(loader.notices)
            problems = loader.problems
            if problems:
                shown = "; ".join(str(p) for p in problems[:3])
                more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
                notices.append(f"skipped {len(problems)} records: {shown}{more}")

    def cancel_load(self) -> None:
        """Stop a running load (quitting during a long load)."""
        self._quitting = True
        if self._loader is not None:
            self._loader.cancel()
        self.workers.cancel_group(self, "load")

    @on(Batch)
    def _on_batch(self, message: Batch) -> None:
        # The engine sees the corpus grow (its version) and extends its indexes.
        self.corpus.extend(message.papers)
        self._restore_cursor()
        now = time.monotonic()
        wait = LOAD_PROGRESS_SECONDS if not self.query_text else LOAD_REFRESH_SECONDS
        if now - self._last_load_refresh >= wait:
            self._last_load_refresh = now
            if self._searching:
                # Never cancel a search to start the same one on more papers: a slow
                # search would be restarted forever.  Run again once it has shown.
                self._refresh_waiting = True
            else:
                self._refresh_results(keep=True)

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        self._loading = False
        loader, self._loader = self._loader, None
        if loader is not None and not message.error:
            # Cached files: the word index an earlier open built is mapped, not built again.
            self._word_store = loader.word_store(len(message.corpus or self.corpus))
            if message.corpus is None and self._engine is not None:
                self._engine.use_store(self._word_store)
        # The corpus's containers live as long as the app: out of the collector's
        # sight, a full collection no longer walks a million of them (0.2 s pauses).
        gc.freeze()
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None
        if message.error:
            if len(self.corpus) == 0:
                self.paper_app.fail(message.error)
                return
            self.notify(message.error, title="Could not load", severity="error", timeout=10)
        for notice in message.notices:
            self.notify(notice, timeout=8)
        if message.corpus is not None:
            keep = self.current_paper()
            self.corpus = message.corpus
            self._engine = None
            self.sorter = Sorter(self.corpus)
            self.paper_list.corpus = self.corpus
            self._last_result = None
            self._refresh_results(keep_id=keep.id if keep else None)
            count = len(self.corpus)
            self.notify(f"Reloaded {count:,} paper{'' if count == 1 else 's'}.", timeout=3)
        else:
            self._refresh_results(keep=True)
        if len(self.corpus):
            self.paper_list.empty_text = "No papers match the filter."
        elif self.inputs.papers is not None:
            self.paper_list.empty_text = "Your library is empty: b bookmarks a paper."
        else:
            self.paper_list.empty_text = "No papers in these files."
        self._update_status()

    def _restore_cursor(self) -> None:
        """Put the cursor back on last session's paper as soon as it has loaded,
        unless the user has already moved."""
        if self._cursor_restored or self._user_moved or not self._session.paper:
            return
        position = self.corpus.index_of(self._session.paper)
        if position is not None:
            self._cursor_restored = True
            self._pending_keep = position

    # -- searching ---------------------------------------------------------

    _pending_keep: int | None = None

    @on(Input.Changed, "#filter-input")
    def _on_query_changed(self, event: Input.Changed) -> None:
        if event.value == self.query_text:
            return  # the echo of a query set from code (a restored session)
        self._pending_keep = None  # the user has started something new
        if event.value.strip() and not self.query_text.strip() and self.sort == "file":
            # File order is what an empty filter shows; a query ranks by relevance.
            self.sort = "relevance"
        self.query_text = event.value
        # A new query shows its best match first; an emptied one keeps the paper the
        # cursor was on (the one found), now among all papers.
        self._refresh_results(keep=not event.value.strip(), first=True)
        self._update_status()
        self._schedule_save()

    def _refresh_results(
        self, *, keep: bool = False, keep_id: str | None = None, first: bool = False
    ) -> None:
        """Recompute the rows for the current query and sort, in a worker unless trivial.

        ``first``: paint the engine's fast first results before the ranked ones (for
        keystrokes; a refresh while loading would only flicker)."""
        self._generation += 1
        keep_position = self._keep_position(keep, keep_id)
        order = effective_sort(self.sort, bool(self.query_text.strip()))
        self._refresh_waiting = False
        if not self.query_text.strip() and order == "file":
            self.workers.cancel_group(self, "search")
            self._searching = False
            self._show_rows(range(len(self.corpus)), len(self.corpus), False, keep_position)
            return
        self._searching = True
        self._keep_for_result = keep_position
        self._search_worker(self.query_text, order, self._generation, self._last_result, first)

    _keep_for_result: int | None = None
    _searching = False
    _refresh_waiting = False
    #: The query the user last moved the cursor under, and whether those moves were
    #: made on rows of an older query.
    _moved_for: str | None = None
    _moved_on_stale_rows = False

    def _keep_position(self, keep: bool, keep_id: str | None) -> int | None:
        if self._pending_keep is not None:
            return self._pending_keep
        if keep_id is not None:
            return self.corpus.index_of(keep_id)
        return self.paper_list.current_position if keep else None

    @work(thread=True, exclusive=True, group="search")
    def _search_worker(
        self, query: str, order: str, generation: int, previous: Result | None, first_results: bool
    ) -> None:
        try:
            self._search(query, order, generation, previous, first_results)
        except Exception as error:  # a failed search is a message, never a crash
            self.post_message(
                self.Searched(generation, (), 0, False, error=f"{type(error).__name__}: {error}")
            )

    def _search(
        self, query: str, order: str, generation: int, previous: Result | None, first_results: bool
    ) -> None:
        worker = get_current_worker()
        engine, sorter = self.engine, self.sorter
        if not query.strip():
            positions = sorter.sort(range(len(self.corpus)), order, whole=True)
            if not worker.is_cancelled:
                self.post_message(self.Searched(generation, positions, len(positions), False))
            return
        if first_results:
            first = engine.first_results(query, FIRST_RESULTS)
            if worker.is_cancelled:
                return
            positions = sorter.sort(first.positions, order)
            self.post_message(self.Searched(generation, positions, first.total, True))
        result = engine.search(query, cancelled=lambda: worker.is_cancelled, previous=previous)
        if result is None or worker.is_cancelled:
            return
        self._last_result = result
        positions = sorter.sort(result.positions, order)
        if not worker.is_cancelled:
            self.post_message(
                self.Searched(generation, positions, result.total, False, partial=result.partial)
            )

    @on(Searched)
    def _on_searched(self, message: Searched) -> None:
        if message.generation != self._generation:
            return  # an older keystroke's result: the newest one is on its way
        if self._provisional_timer is not None:
            self._provisional_timer.stop()
            self._provisional_timer = None
        if message.provisional:
            # Hold the fast first rows briefly: when the ranked result follows within
            # the hold, the list repaints once instead of twice.
            self._provisional_timer = self.set_timer(PROVISIONAL_HOLD, lambda: self._apply_result(message))
            return
        self._apply_result(message)

    def _apply_result(self, message: Searched) -> None:
        self._provisional_timer = None
        if message.generation != self._generation:
            return
        if not message.provisional:
            self._searching = False
            if self._refresh_waiting:  # papers arrived meanwhile: show them next
                self.call_after_refresh(self._refresh_results, keep=True)
        if message.error:
            self.notify(f"The search failed: {message.error}", severity="error", timeout=8)
            return  # keep the rows shown
        keep = self._keep_for_result
        if self._moved_for == self.query_text:
            # The user moved since this query was typed: stay on that paper, or on that
            # row if the moves were made on an earlier keystroke's rows.  (Moves made
            # before the query changed do not count: a new query starts at its best.)
            if self._moved_on_stale_rows:
                row = self.paper_list.cursor
                keep = message.positions[row] if row < len(message.positions) else None
                self._moved_on_stale_rows = message.provisional
            elif not message.provisional:
                keep = self.paper_list.current_position
        self._show_rows(message.positions, message.total, message.provisional or message.partial, keep)
        if message.partial and self._index_timer is None:
            # Abstracts the background index has not reached were left out: search
            # again, with them, once it is built (a big file's first minutes).
            self._index_timer = self.set_interval(1.0, self._search_when_indexed)

    def _search_when_indexed(self) -> None:
        if self._engine is None or self._engine.index_ready():
            if self._index_timer is not None:
                self._index_timer.stop()
                self._index_timer = None
            if self._engine is not None and self.query_text.strip():
                self._refresh_results(keep=True)

    def _show_rows(self, positions: Sequence[int], total: int, provisional: bool, keep: int | None) -> None:
        self.paper_list.set_rows(positions, self.query_text, keep=keep)
        self._show_current()  # now, not on the Highlighted message: one repaint for both
        if not provisional and (self.paper_list.current_position == self._pending_keep or not self._loading):
            self._pending_keep = None  # restored (or, once loaded, not to be found)
        self.filter_bar.set_count(
            len(positions), len(self.corpus), provisional=provisional, loading=self._loading
        )

    def _highlights(self, position: int, query: str) -> dict[str, list[int]]:
        try:
            return self.engine.highlights(position, query)
        except Exception:  # a highlight must never take the screen down
            return {}

    # -- the reading pane follows the cursor ----------------------------------

    @on(PaperList.Highlighted)
    def _on_highlighted(self, message: PaperList.Highlighted) -> None:
        if message.by_user:
            self._user_moved = True
            self._pending_keep = None
            # Moves belong to the query in the filter, which may be ahead of the rows: after
            # `query Enter j j` typed fast, they land on an earlier query's rows and mean
            # "the third result", a row, not that row's paper.
            self._moved_for = self.filter_bar.input.value
            self._moved_on_stale_rows = self.paper_list.query_text != self._moved_for
        self._show_current()
        self._schedule_save()

    def _show_current(self) -> None:
        position = self.paper_list.current_position
        if position is None:
            empty = "Loading…" if self._loading else "No paper matches the filter."
            self.reading_pane.show(None, empty=empty)
            return
        paper = self.corpus[position]
        highlights = self._highlights(position, self.query_text) if self.query_text.strip() else {}
        self.reading_pane.show(paper, highlights, self._decisions(paper))

    def _decisions(self, paper: Paper) -> Decisions | None:
        if self.library is None:
            return None
        entry = self.library.entry(paper.id)
        return Decisions(
            state=entry.state, bookmarked=entry.bookmarked, tags=tuple(entry.tags), note=entry.note
        )

    # Focus moves with Screen.set_focus, at once: Widget.focus() waits for the message
    # queue, and keys typed right behind (``/`` then a query, ``h`` then ``/``) would go
    # to the widget that had the focus.

    @on(PaperList.Selected)
    def _on_selected(self, _: PaperList.Selected) -> None:
        self.set_focus(self.reading_pane)

    def action_read_paper(self) -> None:
        if self.paper_list.current_position is not None:
            self.set_focus(self.reading_pane)

    def action_focus_list(self) -> None:
        self.set_focus(self.paper_list)

    def action_focus_filter(self) -> None:
        self.set_focus(self.filter_bar.input)

    def action_clear_filter(self) -> None:
        if self.filter_bar.input.value:
            self.filter_bar.input.value = ""

    # -- opening, sorting, reloading ------------------------------------------

    def action_open_page(self) -> None:
        self._open(lambda paper: paper.page_url, "page")

    def action_open_pdf(self) -> None:
        self._open(lambda paper: paper.pdf_url, "PDF")

    def _open(self, url_of: Any, what: str) -> None:
        paper = self.current_paper()
        if paper is None:
            return
        url = str(url_of(paper))
        if not url:
            self.notify(f"This paper has no {what} link.", severity="warning")
            return
        self.notify(f"Opening {url}", timeout=3)
        self._open_worker(url, paper)

    @work(thread=True, group="browser")
    def _open_worker(self, url: str, paper: Paper) -> None:
        import webbrowser

        # Some browsers block until they exit; a thread keeps the screen alive.
        try:
            opened = webbrowser.open(url)
        except Exception:  # a broken BROWSER setting, say: the same as none found
            opened = False
        if opened:
            self.app.call_from_thread(self.mark_opened, paper)  # read, unless open_marks_read = false
        else:
            self.app.call_from_thread(self._no_browser, url)

    def _no_browser(self, url: str) -> None:
        """No browser could be started (none installed, no display): the paper is not
        marked read, and the link is put on the clipboard to open elsewhere."""
        self.app.copy_to_clipboard(url)
        self.notify(
            f"No web browser could be started (set $BROWSER); the link is copied: {url}",
            severity="warning",
            timeout=10,
        )

    def action_cycle_sort(self) -> None:
        self.sort = next_sort(effective_sort(self.sort, bool(self.query_text.strip())), bool(self.query_text))
        self._refresh_results(keep=True)
        self._update_status()
        self.notify(f"Sorted by {LABELS[self.sort]}.", timeout=2)

    def action_reload(self) -> None:
        if self._loading:
            self.notify("Still loading.", timeout=2)
            return
        self._start_load(reload=True)

    # -- status and state ----------------------------------------------------

    def _update_status(self) -> None:
        loader = self._loader
        if self._loading and loader is not None:
            p = loader.progress
            self.status.set_left(progress_text(p.papers, p.bytes_read, p.bytes_total, p.rate, p.eta))
        elif self._loading:
            self.status.set_left("Loading…")
        else:
            count = len(self.corpus)
            self.status.set_left(f"{count:,} paper{'' if count == 1 else 's'} · {self.inputs.label}")
        order = effective_sort(self.sort, bool(self.query_text.strip()))
        self.status.set_right(f"sort: {LABELS[order]}")

    def _schedule_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY_SECONDS, self.save_session)

    def save_session(self) -> None:
        """Remember the cursor's paper and the query for this file set."""
        paper = self.current_paper()
        pid = paper.id if paper else self._session.paper
        session = Session(paper=pid, query=self.query_text)
        if session != self._session:
            try:
                self.paper_app.state.save_session(self.inputs.key, session)
            except OSError as error:
                self.notify(f"Cannot save the session: {error}", severity="warning")
                return
            self._session = session
