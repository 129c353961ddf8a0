"""Keys typed right after the key that opens a text field go into the field, not lost.

Textual runs a key's binding once the key has bubbled up to the app, so the keys right
behind it in a fast burst (``t`` then ``ml`` at typing speed, ``/speech``, a paste) are
already on their way through the old focus and reach the app when the new field has
the focus (or, for a modal, before it has).  The app hands them over
(:func:`forward_typeahead`); a modal keeps them until its field has the focus.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual import events
from textual.app import App
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, TextArea

ResultType = TypeVar("ResultType")


class TypeaheadModal(ModalScreen[ResultType]):
    """A modal with one text field (``FIELD``, a selector) that accepts typed-ahead keys."""

    FIELD = "Input, TextArea"

    def __init__(self) -> None:
        super().__init__()
        self._typeahead: list[str] = []
        #: Other keys of the burst (Ctrl+S, Enter, Esc ...), in order, with their characters:
        #: pressed again once the typed-ahead text is in the field.
        self._keys_ahead: list[tuple[str, str | None]] = []
        #: Set once the field has the focus and what was typed ahead is in it.
        self.ready = False

    def type_ahead(self, character: str) -> None:
        """Put ``character`` into the field (or keep it until the field is ready)."""
        if self._keys_ahead:  # behind a key still to be pressed: keep the order
            self._keys_ahead.append((character, character))
        else:
            self._typeahead.append(character)
        if self.is_mounted:
            self.flush_typeahead()

    def key_ahead(self, key: str, character: str | None) -> None:
        """Keep a key that is not text (``ctrl+s``, ``enter``) until the typed-ahead
        text is in the field, then press it: ``e``, a note and Ctrl+S in one burst save
        the note, not an empty one (or nothing)."""
        self._keys_ahead.append((key, character))
        if self.ready:
            self.flush_typeahead()

    def on_key(self, event: events.Key) -> None:
        # Keys reaching this screen while nothing has the focus yet.
        if self.focused is None and not self.ready:
            event.stop()
            event.prevent_default()
            if event.is_printable and event.character:
                self.type_ahead(event.character)
            else:
                self.key_ahead(event.key, event.character)

    def flush_typeahead(self) -> None:
        """Insert what was typed ahead at the field's cursor, then press the keys that
        came after it (call once the field has the focus)."""
        self.ready = True
        if self._typeahead:
            text, self._typeahead = "".join(self._typeahead), []
            field: Widget = self.query_one(self.FIELD)
            if isinstance(field, TextArea):
                field.insert(text)
            elif isinstance(field, Input):
                field.insert_text_at_cursor(text)
        keys, self._keys_ahead = self._keys_ahead, []
        for key, character in keys:
            self.app.post_message(events.Key(key, character))


def forward_typeahead(app: App[Any], event: events.Key) -> None:
    """For the app's key handler: give a printable key that was queued before the focus
    moved to a text field (an editor opening, ``/`` focusing the filter) to that field.

    A focused field takes every printable key itself, so one that reaches the app while
    a field has the focus was on its way before; without this it would be dropped, or
    worse, run a binding of the screen (``/speech``: ``s`` sorts, ``p`` opens a PDF).
    """
    top = app.screen
    if isinstance(top, TypeaheadModal) and not (event.is_printable and event.character):
        if top.ready:
            # A key the modal binds with priority (Ctrl+S) is taken before any widget
            # sees it, so it never reaches the app from inside the modal: this one was on
            # its way before the modal opened.  Every other key is left alone (a key
            # pressed again that came back here would go round for ever).
            active = top.active_bindings.get(event.key)
            if active is None or active.node is app or not active.binding.priority:
                return
        top.key_ahead(event.key, event.character)  # Ctrl+S right behind the text: after it
        event.stop()
        event.prevent_default()
        return
    if not (event.is_printable and event.character):
        return
    focused = app.focused
    if isinstance(top, TypeaheadModal):
        top.type_ahead(event.character)
    elif isinstance(focused, Input):
        focused.insert_text_at_cursor(event.character)
    elif isinstance(focused, TextArea) and not focused.read_only:
        focused.insert(event.character)
    else:
        return
    event.stop()
    event.prevent_default()
