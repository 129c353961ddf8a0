"""The tag editor: one line of comma-separated tags, completing from the tags in use.

| Key | Action |
|---|---|
| `Enter` | save the tags and close |
| `Tab` or `Right` (at the end) | accept the completion shown in grey |
| `Escape` | close without saving |
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Input, Label

from paper_tui.app.screens.typeahead import TypeaheadModal
from paper_tui.library.entry import parse_tags


def format_tags(tags: Iterable[str]) -> str:
    """The text the editor starts with for ``tags``."""
    return ", ".join(tags)


class LastTagSuggester(Suggester):
    """Completes the last comma-separated item from ``known`` tags, ignoring case.

    Tags already typed earlier on the line are not offered again.  The suggestion is
    the whole line with the last item completed, as :class:`~textual.widgets.Input`
    expects, and keeps what the user typed before it untouched.
    """

    def __init__(self, known: Iterable[str]) -> None:
        # Case-sensitive so the line comes back with the user's own case; matching
        # ignores case below.
        super().__init__(use_cache=False, case_sensitive=True)
        self.known = list(dict.fromkeys(known))

    async def get_suggestion(self, value: str) -> str | None:
        return self.complete(value)

    def complete(self, value: str) -> str | None:
        """``value`` with its last item completed, or ``None`` if nothing fits."""
        head, _, last = value.rpartition(",")
        prefix = last.lstrip()
        if not prefix:
            return None
        typed = {tag.casefold() for tag in parse_tags(head)}
        folded = prefix.casefold()
        for tag in self.known:
            if tag.casefold().startswith(folded) and tag.casefold() not in typed and len(tag) > len(prefix):
                return value[: len(value) - len(prefix)] + tag
        return None


class TagInput(Input):
    """An input where Tab accepts the completion and starts the next item."""

    BINDINGS = [Binding("tab", "accept_completion", "Complete", id="tags.complete", show=False)]

    def action_accept_completion(self) -> None:
        """Accept the completion shown (then type the next tag at once), or go to the end."""
        if not self.cursor_at_end:
            self.action_end()
            return
        before = self.value
        self.action_cursor_right()  # accepts the suggestion when there is one
        if self.value != before:
            self.insert_text_at_cursor(", ")


class TagEditor(TypeaheadModal[tuple[str, ...] | None]):
    """Edit a comma-separated list of tags; dismiss with them parsed as the library
    does (trimmed, spaces as ``-``, no repeats), or with ``None``.

    ``title`` names what is being tagged (a paper's title, or "12 papers" for a bulk
    edit); ``tags`` is the starting text; ``known`` are the tags to complete from.
    """

    DEFAULT_CSS = """
    TagEditor {
        align: center middle;
    }
    TagEditor > #dialog {
        width: 90%;
        max-width: 90;
        height: auto;
        padding: 0 1;
        border: thick $primary;
        border-title-align: left;
        background: $surface;
    }
    TagEditor #hint {
        color: $text-muted;
        width: 100%;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="tags.cancel")]

    def __init__(
        self, title: str, tags: Sequence[str] = (), known: Iterable[str] = (), prompt: str = "Tags"
    ) -> None:
        super().__init__()
        self.heading = title
        self.prompt = prompt
        # A trailing separator so that typing adds a tag rather than extending the last.
        self.start = format_tags(tags) + (", " if tags else "")
        self.known = list(known)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            # Content, not a markup string: a title like "[/] ..." must show as typed.
            dialog.border_title = Content(f"{self.prompt}: {self.heading}")
            yield TagInput(
                self.start,
                placeholder="comma-separated, e.g. to-read, rl, survey",
                suggester=LastTagSuggester(self.known),
                id="tags",
            )
            yield Label("Enter save · Tab complete · Esc cancel", id="hint")

    def on_mount(self) -> None:
        tag_input = self.query_one("#tags", TagInput)
        tag_input.focus()
        tag_input.cursor_position = len(tag_input.value)
        self.flush_typeahead()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(parse_tags(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
