"""The note editor: a multi-line text area in a modal.

| Key | Action |
|---|---|
| `Ctrl+S` | save the note and close |
| `Escape` | close; with unsaved changes, ask before discarding them |
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, TextArea

from paper_tui.app.screens.confirm import ConfirmScreen
from paper_tui.app.screens.typeahead import TypeaheadModal


class NoteEditor(TypeaheadModal[str | None]):
    """Edit ``text``, the note of the paper titled ``title``.

    Dismisses with the new text on ``Ctrl+S`` (even when unchanged, so the caller
    decides whether there is anything to save) and with ``None`` when closed without
    saving.
    """

    DEFAULT_CSS = """
    NoteEditor {
        align: center middle;
    }
    NoteEditor > #dialog {
        width: 90%;
        max-width: 100;
        height: 80%;
        padding: 0 1;
        border: thick $primary;
        border-title-align: left;
        background: $surface;
    }
    NoteEditor #note {
        height: 1fr;
    }
    NoteEditor #hint {
        color: $text-muted;
        width: 100%;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save and close", id="note.save", priority=True),
        Binding("escape", "close", "Close", id="note.close"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.paper_title = title
        self.original = text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            # Content, not a markup string: a title like "[/] ..." must show as typed.
            dialog.border_title = Content(f"Note: {self.paper_title}")
            yield TextArea(self.original, id="note", soft_wrap=True)
            yield Label("Ctrl+S save and close · Esc close", id="hint")

    def on_mount(self) -> None:
        area = self.query_one("#note", TextArea)
        area.focus()
        # Start at the end: adding to a note is the common case.
        area.move_cursor(area.document.end)
        self.flush_typeahead()

    @property
    def text(self) -> str:
        """The text as edited so far."""
        return self.query_one("#note", TextArea).text

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def action_save(self) -> None:
        """Close, handing the text back to be saved, once every key typed before Ctrl+S
        is in it: Ctrl+S is a priority binding, run as soon as it arrives, while the
        keys before it may still wait in the text area's queue (typed fast, or typed
        ahead of the editor opening), and saving then lost them ("Note unchanged")."""
        if not self.ready:
            self.key_ahead("ctrl+s", "\x13")
            return
        if self._saving:
            return  # a second Ctrl+S before the first one closed it
        self._saving = True
        # After what is queued for the text area: the keys typed before this one.
        self.query_one("#note", TextArea).call_later(self._save_now)

    _saving = False

    def _save_now(self) -> None:
        if self.is_attached:  # not closed meanwhile
            self.dismiss(self.text)

    def action_close(self) -> None:
        """Close; unsaved changes are only thrown away once the user says so."""
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard the changes to this note?", yes="Discard", no="Keep editing", default=False
            ),
            answered,
        )
