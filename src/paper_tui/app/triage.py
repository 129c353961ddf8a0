"""Triage from the keyboard: the main screen's bookmark, state, tag, note, undo and bulk keys.

:class:`TriageMixin` is a base class of :class:`~paper_tui.app.screens.main.MainScreen`:
it brings the bindings (each with an id, so ``[keys]`` in the config can rebind them,
and a description, so the footer, the help screen and the command palette list them)
and their actions.  It reaches the screen only through :class:`TriageHost`.

Every change goes to the :class:`~paper_tui.library.Library` (saved at once, one undo
step), then :meth:`TriageMixin.library_changed` redraws the rows and the reading pane,
tells the search engine (``is:``/``tag:``/``note:`` depend on the library) and shows
the library's one-line description of what happened.

| Key | Action |
|---|---|
| `b` | bookmark / remove the bookmark |
| `r` | mark read / unread |
| `x` | mark skipped / unread |
| `n` / `N` | next / previous unread paper (wraps, and says so) |
| `t` | edit tags (completion from the tags in use) |
| `e` | edit the note |
| `E` | edit the note in `$VISUAL` / `$EDITOR` |
| `y` | copy BibTeX, a Markdown link, the URL or the arXiv id |
| `u` / `ctrl+r` | undo / redo |
| `A` / `X` / `T` | every paper shown: mark read / skip / add tags (asks first) |
| `W` | export the reading list to a file |
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from textual import on, work
from textual.app import SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from paper_tui.app.screens.confirm import ConfirmScreen
from paper_tui.app.screens.copy_menu import CopyMenu
from paper_tui.app.screens.export_dialog import ExportDialog
from paper_tui.app.screens.note_editor import NoteEditor
from paper_tui.app.screens.tag_editor import TagEditor
from paper_tui.library.entry import normalize_note, normalize_tags
from paper_tui.model import Paper

if TYPE_CHECKING:
    from paper_tui.app.engine import Engine
    from paper_tui.app.widgets.paper_list import PaperList
    from paper_tui.corpus import Corpus
    from paper_tui.library import Library

#: Seconds between attempts to save changes a failed write kept in memory.
RETRY_SECONDS = 5.0
#: From how many papers a bulk change says that it is working (it takes a second or more).
BIG_BULK = 2000


class TriageHost(Protocol):
    """What the triage actions need from the screen they are mixed into."""

    library: Library | None
    corpus: Corpus
    engine: Engine

    @property
    def paper_list(self) -> PaperList: ...

    def current_paper(self) -> Paper | None: ...

    def shown_positions(self) -> Sequence[int]: ...

    def refresh_rows(self) -> None: ...


def _papers(count: int) -> str:
    return f"{count:,} paper" + ("" if count == 1 else "s")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def editor_command() -> list[str] | None:
    """The user's editor as an argument list (``$VISUAL``, then ``$EDITOR``), or None."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError:
                return value.split()
    return None


def _file_stem(paper: Paper) -> str:
    """A safe, recognisable temporary file name for a paper's note."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", paper.title).strip("-")[:40]
    return stem or "note"


class TriageMixin(Screen[None]):
    """Bindings and actions for triage; see the module docstring for the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "toggle_bookmark", "Bookmark", id="triage.bookmark"),
        Binding("r", "toggle_read", "Read/unread", id="triage.read"),
        Binding("x", "toggle_skip", "Skip/unskip", id="triage.skip"),
        Binding("n", "next_unread", "Next unread", show=False, id="triage.next_unread"),
        Binding("N", "previous_unread", "Previous unread", show=False, id="triage.previous_unread"),
        Binding(
            "t",
            "edit_tags",
            "Tags",
            tooltip="Edit the tags (comma-separated, Tab completes)",
            id="triage.tags",
        ),
        Binding("e", "edit_note", "Note", id="triage.note"),
        Binding("E", "edit_note_external", "Note in $EDITOR", show=False, id="triage.note_editor"),
        Binding(
            "y",
            "copy_menu",
            "Copy",
            tooltip="Copy BibTeX, a Markdown link, the URL or the arXiv id",
            id="triage.copy",
        ),
        Binding("u", "undo", "Undo", id="triage.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="triage.redo"),
        Binding("A", "bulk_state('read')", "Mark all shown as read", show=False, id="triage.bulk_read"),
        Binding("X", "bulk_state('skipped')", "Skip all shown", show=False, id="triage.bulk_skip"),
        Binding("T", "bulk_tag", "Add tags to all shown", show=False, id="triage.bulk_tag"),
        Binding("W", "export", "Export reading list", show=False, id="triage.export"),
    ]

    @property
    def _host(self) -> TriageHost:
        return cast(TriageHost, self)

    class Written(Message):
        """The library's writer thread finished a write (failed or not)."""

    def on_mount(self) -> None:
        # Textual runs each class's on_mount in turn, so the screen's own still runs.
        library = self._host.library
        if library is not None:
            self.set_interval(RETRY_SECONDS, self._retry_pending)
            # A key must not wait for the disk (a write of 10,000 records takes over 100 ms):
            # the change is in memory and shown at once, and written by the library's thread.
            library.save_in_background(lambda: self.post_message(self.Written()))

    def on_unmount(self) -> None:
        library = self._host.library
        if library is not None:
            library.stop_background_saves()  # writes what is left before the app ends

    @on(Written)
    def _on_written(self) -> None:
        library = self._host.library
        if library is None:
            return
        if library.pending and not self._failure_shown:
            self._failure_shown = True
            self.notify(
                f"NOT SAVED: {library.failure}; the changes are kept in memory and retried",
                severity="error",
                timeout=8,
            )
        elif not library.pending:
            self._failure_shown = False
        self.show_library_notices()

    _failure_shown = False

    # -- after a change ------------------------------------------------------------

    def library_changed(self, description: str | None) -> None:
        """Redraw, re-index and say what changed (``description`` from the library)."""
        host = self._host
        host.engine.invalidate()
        host.refresh_rows()
        library = host.library
        if description:
            failing = library is not None and library.pending
            self.notify(
                _sentence(description),
                severity="error" if failing else "information",
                timeout=8 if failing else 2.5,
            )
        self.show_library_notices()

    def show_library_notices(self) -> None:
        """Show what the library has to tell (a file moved aside, a write failing ...)."""
        library = self._host.library
        if library is None:
            return
        for notice in library.take_notices():
            self.notify(_sentence(notice), title="Library", severity="warning", timeout=10)

    def _retry_pending(self) -> None:
        library = self._host.library
        if library is not None and library.pending:
            library.retry()
            self.show_library_notices()

    def _ready(self) -> tuple[Library, Paper] | None:
        """The library and the paper under the cursor, or None (and why) when there is none."""
        library = self._host.library
        if library is None:
            self.notify("The library is not available.", severity="error")
            return None
        paper = self._host.current_paper()
        if paper is None:
            self.notify("No paper under the cursor.", severity="warning", timeout=2)
            return None
        return library, paper

    def _apply(self, change: Callable[[Library, Paper], str]) -> None:
        ready = self._ready()
        if ready is not None:
            self.library_changed(change(*ready))

    # -- one paper -----------------------------------------------------------------

    def action_toggle_bookmark(self) -> None:
        """Bookmark the paper, or remove its bookmark."""
        self._apply(lambda library, paper: library.toggle_bookmark([paper]))

    def action_toggle_read(self) -> None:
        """Mark the paper read, or unread when it is read."""
        self._apply(lambda library, paper: library.toggle_read([paper]))

    def action_toggle_skip(self) -> None:
        """Mark the paper skipped, or unread when it is skipped."""

        def skip(library: Library, paper: Paper) -> str:
            state = "unread" if library.state(paper.id) == "skipped" else "skipped"
            return library.set_state([paper], state)

        self._apply(skip)

    def mark_opened(self, paper: Paper) -> None:
        """Opening a paper's link marks it read, unless ``open_marks_read = false``."""
        library = self._host.library
        config = getattr(self.app, "config", None)
        if library is None or not getattr(config, "open_marks_read", True):
            return
        if library.state(paper.id) == "unread":
            self.library_changed(library.set_state([paper], "read"))

    def action_edit_tags(self) -> None:
        """Edit the paper's tags in a one-line editor with completion."""
        ready = self._ready()
        if ready is None:
            return
        library, paper = ready
        old = library.tags(paper.id)

        def done(tags: Sequence[str] | None) -> None:
            if tags is not None and normalize_tags(tags) != old:
                self.library_changed(library.set_tags([paper], tags))

        self.app.push_screen(TagEditor(paper.title, old, known=library.all_tags()), done)

    def action_edit_note(self) -> None:
        """Edit the paper's note in the app (Ctrl+S saves)."""
        ready = self._ready()
        if ready is None:
            return
        library, paper = ready
        self._save_note_from(library, paper, library.note(paper.id))

    def _save_note_from(self, library: Library, paper: Paper, start: str) -> None:
        def done(text: str | None) -> None:
            if text is not None:
                self._save_note(library, paper, text)

        self.app.push_screen(NoteEditor(paper.title, start), done)

    def _save_note(self, library: Library, paper: Paper, text: str) -> None:
        if normalize_note(text) == library.note(paper.id):
            self.notify("Note unchanged.", timeout=2)
            return
        self.library_changed(library.set_note(paper, text))

    def action_edit_note_external(self) -> None:
        """Edit the note in ``$VISUAL``/``$EDITOR``: the app suspends while it runs."""
        ready = self._ready()
        if ready is None:
            return
        library, paper = ready
        command = editor_command()
        if not command:
            self.notify("$EDITOR is not set: using the built-in editor.", timeout=4)
            self._save_note_from(library, paper, library.note(paper.id))
            return
        note = library.note(paper.id)
        with tempfile.TemporaryDirectory(prefix="paper-tui-") as folder:
            path = Path(folder) / f"{_file_stem(paper)}.md"
            path.write_text(note + "\n" if note else "", encoding="utf-8")
            try:
                with self.app.suspend():
                    status = subprocess.run([*command, str(path)], check=False).returncode
            except SuspendNotSupported:
                self.notify("Cannot suspend here: using the built-in editor.", timeout=4)
                self._save_note_from(library, paper, note)
                return
            except OSError as error:
                self.notify(f"Cannot run {command[0]}: {error.strerror or error}", severity="error")
                return
            if status != 0:
                self.notify(
                    f"{command[0]} exited with status {status}; the note is unchanged.", severity="warning"
                )
                return
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as error:
                self.notify(f"Cannot read the edited note: {error.strerror or error}", severity="error")
                return
        self._save_note(library, paper, text)

    def action_copy_menu(self) -> None:
        """Copy a citation or link of the paper to the clipboard (OSC 52)."""
        paper = self._host.current_paper()
        if paper is None:
            self.notify("No paper under the cursor.", severity="warning", timeout=2)
            return
        self.app.push_screen(CopyMenu(paper))

    # -- moving ----------------------------------------------------------------------

    def action_next_unread(self) -> None:
        """Move to the next unread paper shown, wrapping to the top."""
        self._jump_unread(1)

    def action_previous_unread(self) -> None:
        """Move to the previous unread paper shown, wrapping to the bottom."""
        self._jump_unread(-1)

    def _jump_unread(self, step: int) -> None:
        host = self._host
        library = host.library
        rows = host.shown_positions()
        if library is None or not rows:
            return
        paper_list = host.paper_list
        start = paper_list.cursor
        count = len(rows)
        for offset in range(1, count + 1):
            row = (start + step * offset) % count
            if library.state(host.corpus.paper_id(rows[row])) == "unread":
                if row == start:
                    break  # the only unread paper is the one under the cursor
                paper_list.move_to(row)
                wrapped = row < start if step > 0 else row > start
                if wrapped:
                    self.notify("Wrapped to the top." if step > 0 else "Wrapped to the bottom.", timeout=2)
                return
        self.notify("No other unread paper is shown.", timeout=2)

    # -- undo ------------------------------------------------------------------------

    def action_undo(self) -> None:
        """Undo the last library change (bulk ones too)."""
        self._history("undo")

    def action_redo(self) -> None:
        """Redo the last undone change."""
        self._history("redo")

    def _history(self, which: str) -> None:
        library = self._host.library
        if library is None:
            return
        description = library.undo() if which == "undo" else library.redo()
        if description is None:
            self.notify(f"Nothing to {which}.", timeout=2)
        else:
            self.library_changed(description)

    # -- every paper shown -------------------------------------------------------------

    def _shown_papers(self) -> list[Paper]:
        corpus = self._host.corpus
        return [corpus[position] for position in self._host.shown_positions()]

    def _bulk_targets(self) -> tuple[Library, list[Paper]] | None:
        """The library and every paper shown, or None (and why) when there are none."""
        library = self._host.library
        if library is None:
            self.notify("The library is not available.", severity="error")
            return None
        papers = self._shown_papers()
        if not papers:
            self.notify("No papers are shown.", severity="warning", timeout=2)
            return None
        return library, papers

    def _confirm_bulk(self, question: str, count: int, change: Callable[[], str]) -> None:
        """Ask ``question``, then make the change to ``count`` papers."""

        def answered(yes: bool | None) -> None:
            if yes:
                if count >= BIG_BULK:
                    self.notify(f"Saving {_papers(count)}…", timeout=2)
                self._bulk_worker(change)

        self.app.push_screen(ConfirmScreen(f"{question}\n(u undoes it)"), answered)

    @work(thread=True, group="triage-bulk")
    def _bulk_worker(self, change: Callable[[], str]) -> None:
        # Thousands of records take seconds to merge and write: off the event loop (the
        # library serialises changes, so keys pressed meanwhile wait their turn).
        description = change()
        self.app.call_from_thread(self.library_changed, description)

    def action_bulk_state(self, state: str) -> None:
        """Set the state of every paper the filter shows, after asking."""
        targets = self._bulk_targets()
        if targets is None:
            return
        library, papers = targets
        shown = f"all {_papers(len(papers))} shown"
        question = f"Skip {shown}?" if state == "skipped" else f"Mark {shown} as {state}?"
        self._confirm_bulk(question, len(papers), lambda: library.set_state(papers, state))

    def action_bulk_tag(self) -> None:
        """Add tags to every paper the filter shows, after asking."""
        targets = self._bulk_targets()
        if targets is None:
            return
        library, papers = targets

        def chosen(tags: Sequence[str] | None) -> None:
            clean = normalize_tags(tags or ())
            if clean:
                question = f"Add the tags {', '.join(clean)} to all {_papers(len(papers))} shown?"
                self._confirm_bulk(question, len(papers), lambda: library.add_tags(papers, clean))

        heading = f"{_papers(len(papers))} shown"
        self.app.push_screen(TagEditor(heading, (), known=library.all_tags(), prompt="Add tags"), chosen)

    def action_export(self) -> None:
        """Write the reading list (bookmarked papers, or those shown) to a file."""
        library = self._host.library
        if library is None:
            self.notify("The library is not available.", severity="error")
            return
        host = self._host
        self.app.push_screen(ExportDialog(library, host.corpus, host.shown_positions()))
