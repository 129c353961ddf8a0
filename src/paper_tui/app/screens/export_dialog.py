"""The export dialog (``W``, or "Export reading list" in the palette): which papers,
which format, which file.

| Key | Action |
|---|---|
| `Tab` / `Shift+Tab` | next / previous field |
| arrows, `Enter` | choose within a field |
| `Enter` (in the file name) or `Ctrl+S` | export |
| `Escape` | close without exporting |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from paper_tui.app.screens.confirm import ConfirmScreen
from paper_tui.corpus import Corpus
from paper_tui.export import EXTENSIONS, format_for_path, render
from paper_tui.library import Library
from paper_tui.library.files import atomic_write
from paper_tui.model import Paper, Source

#: Format -> (label, file extension), in the order offered.
FORMAT_CHOICES = {
    "bibtex": ("BibTeX", ".bib"),
    "markdown": ("Markdown", ".md"),
    "jsonl": ("JSON lines", ".jsonl"),
    "csv": ("CSV", ".csv"),
}
_FORMATS = list(FORMAT_CHOICES)

DEFAULT_STEM = "reading-list"


def bookmarked_papers(library: Library, corpus: Corpus) -> list[Paper]:
    """Every bookmarked paper in the library, most recently changed first: the loaded
    record when the paper is in ``corpus`` (it has the abstract), else the library's own."""
    source = Source(str(library.path))
    papers = []
    for entry in library.entries():
        if entry.bookmarked:
            loaded = corpus.get(entry.id)
            papers.append(loaded if loaded is not None else entry.to_paper(source))
    return papers


def with_format_suffix(path: str, fmt: str) -> str:
    """``path`` with the extension of ``fmt``, when its own extension names another format
    (or it has none); a name the user chose with another extension is left alone."""
    suffix = FORMAT_CHOICES[fmt][1]
    current = Path(path)
    if not path.strip():
        return DEFAULT_STEM + suffix
    if current.suffix.lower() in EXTENSIONS or not current.suffix:
        return str(current.with_suffix(suffix)) if current.name else path
    return path


@dataclass(frozen=True, slots=True)
class Exported:
    """What the dialog wrote."""

    path: Path
    count: int
    fmt: str


class ExportDialog(ModalScreen[Exported | None]):
    """Choose papers, format and file; write the file atomically; dismiss with what was written.

    ``shown`` are the corpus positions the current filter shows.
    """

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
    }
    ExportDialog > #dialog {
        width: 90%;
        max-width: 80;
        height: auto;
        padding: 0 1;
        border: thick $primary;
        border-title-align: left;
        background: $surface;
    }
    ExportDialog .heading {
        margin-top: 1;
        text-style: bold;
    }
    ExportDialog RadioSet {
        width: 100%;
    }
    ExportDialog #formats {
        layout: horizontal;
    }
    ExportDialog #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ExportDialog Button {
        margin-left: 1;
    }
    ExportDialog #status {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "export", "Export", id="export.export", priority=True),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(
        self,
        library: Library,
        corpus: Corpus,
        shown: Sequence[int],
        *,
        directory: Path | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.corpus = corpus
        self.shown = shown
        self.bookmarked = bookmarked_papers(library, corpus)
        self.shown_count = len(shown)
        self.directory = directory or Path.cwd()
        self._busy = False

    def compose(self) -> ComposeResult:
        bookmarked_first = bool(self.bookmarked) or not self.shown_count
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Export the reading list"
            yield Label("Papers", classes="heading")
            with RadioSet(id="scope"):
                yield RadioButton(f"Bookmarked ({len(self.bookmarked):,})", value=bookmarked_first)
                yield RadioButton(f"Shown by the filter ({self.shown_count:,})", value=not bookmarked_first)
            yield Label("Format", classes="heading")
            with RadioSet(id="formats"):
                for index, (label, _suffix) in enumerate(FORMAT_CHOICES.values()):
                    yield RadioButton(label, value=index == 0)
            yield Label("File", classes="heading")
            default = self.directory / (DEFAULT_STEM + FORMAT_CHOICES["bibtex"][1])
            yield Input(str(default), id="path")
            yield Label("", id="status")
            with Horizontal(id="buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @property
    def fmt(self) -> str:
        index = max(0, self.query_one("#formats", RadioSet).pressed_index)
        return _FORMATS[index]

    @property
    def use_shown(self) -> bool:
        return self.query_one("#scope", RadioSet).pressed_index == 1

    @on(RadioSet.Changed, "#formats")
    def _format_changed(self) -> None:
        path_input = self.query_one("#path", Input)
        path_input.value = with_format_suffix(path_input.value, self.fmt)

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        # A name ending in .md means Markdown: the format follows the extension typed.
        implied = format_for_path(event.value.strip())
        if implied is not None and implied != self.fmt:
            formats = self.query_one("#formats", RadioSet)
            formats.query(RadioButton)[_FORMATS.index(implied)].value = True

    @on(Input.Submitted, "#path")
    def _submitted(self) -> None:
        self.action_export()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export":
            self.action_export()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        if not self._busy:
            self.dismiss(None)

    def action_export(self) -> None:
        """Check the target, ask before replacing a file, then write in a worker, once
        every key typed before Ctrl+S is in the name (a priority binding runs on arrival,
        the keys before it may still wait in the field's queue)."""
        if self._busy or self._export_pending:
            return
        self._export_pending = True
        self.query_one("#path", Input).call_later(self._export_now)

    _export_pending = False

    def _export_now(self) -> None:
        self._export_pending = False
        if self._busy or not self.is_attached:
            return
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self._say("Type a file name.")
            return
        target = Path(raw).expanduser()
        if not target.is_absolute():
            target = self.directory / target
        if target.is_dir():
            self._say(f"{target} is a folder: type a file name.")
            return
        if not target.parent.is_dir():
            self._say(f"There is no folder {target.parent}.")
            return
        count = self.shown_count if self.use_shown else len(self.bookmarked)
        if not count:
            self._say("No papers to export: bookmark some with b, or choose the papers shown.")
            return
        fmt = self.fmt
        if target.exists():

            def answered(yes: bool | None) -> None:
                if yes:
                    self._start(fmt, target)

            self.app.push_screen(ConfirmScreen(f"Replace {target}?", default=False), answered)
            return
        self._start(fmt, target)

    def _say(self, text: str) -> None:
        self.query_one("#status", Label).update(text)

    def _start(self, fmt: str, target: Path) -> None:
        self._busy = True
        self._say("Exporting…")
        self.query_one("#export", Button).disabled = True
        self._write(self.use_shown, fmt, target)

    @work(thread=True, exclusive=True, group="export")
    def _write(self, use_shown: bool, fmt: str, target: Path) -> None:
        # Rendering a large list takes a while: off the event loop.
        corpus = self.corpus
        papers = [corpus[position] for position in self.shown] if use_shown else self.bookmarked
        try:
            atomic_write(target, render(papers, fmt, self.library).encode("utf-8"))
        except OSError as error:
            self.app.call_from_thread(self._failed, f"Cannot write {target}: {error.strerror or error}")
            return
        self.app.call_from_thread(self._done, Exported(target, len(papers), fmt))

    def _failed(self, message: str) -> None:
        self._busy = False
        self.query_one("#export", Button).disabled = False
        self._say(message)

    def _done(self, exported: Exported) -> None:
        count = f"{exported.count:,} paper" + ("" if exported.count == 1 else "s")
        self.notify(f"Wrote {count} to {exported.path} ({FORMAT_CHOICES[exported.fmt][0]}).", timeout=6)
        self.dismiss(exported)
