"""Keys typed right after the key that opens a modal go into its field, not lost.

A modal opens a moment after its key: Textual runs a key's binding once the key has
bubbled up to the app, so the keys right behind it in a fast burst (``t`` then ``ml``
at typing speed, or a paste) are already on their way through the screen underneath,
and reach the app when the modal is on top and has no use for them.  The app hands them
over (:func:`forward_typeahead`); the modal keeps them until its field has the focus.
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

    def type_ahead(self, character: str) -> None:
        """Put ``character`` into the field (or keep it until the field is ready)."""
        self._typeahead.append(character)
        if self.is_mounted:
            self.flush_typeahead()

    def on_key(self, event: events.Key) -> None:
        # Keys reaching this screen while nothing has the focus yet.
        if self.focused is None and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.type_ahead(event.character)

    def flush_typeahead(self) -> None:
        """Insert what was typed ahead at the field's cursor (call once it has the focus)."""
        if not self._typeahead:
            return
        text, self._typeahead = "".join(self._typeahead), []
        field: Widget = self.query_one(self.FIELD)
        if isinstance(field, TextArea):
            field.insert(text)
        elif isinstance(field, Input):
            field.insert_text_at_cursor(text)


def forward_typeahead(app: App[Any], event: events.Key) -> None:
    """For the app's key handler: a printable key that reaches the app while a
    :class:`TypeaheadModal` is on top was queued before it opened (the modal's own
    field takes every printable key), so it belongs in the modal."""
    top = app.screen
    if isinstance(top, TypeaheadModal) and event.is_printable and event.character:
        event.stop()
        event.prevent_default()
        top.type_ahead(event.character)
