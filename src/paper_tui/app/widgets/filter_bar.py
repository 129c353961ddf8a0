"""FilterBar: the query input, the ``shown / total`` count and a one-line syntax hint.

| Key | Action |
|---|---|
| `enter` | go to the list |
| `escape` | leave the filter (on the list, a second `escape` clears it) |
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

HINT = (
    'words fuzzy · \'exact · ^start · end$ · !not · a | b · "a phrase" · '
    "t: a: abs: cat: id: year:2020..2023 · tag: note: is:unread has:note"
)


class FilterInput(Input):
    """The query input: Escape and Enter go to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Screen actions, not messages: the focus moves before the next key is handled,
        # so "Enter j" typed fast moves the cursor instead of typing a j.
        Binding("escape", "screen.focus_list", "Leave filter", id="filter.leave"),
        Binding("enter", "screen.focus_list", "To the list", id="filter.to_list"),
    ]

    def _leave_keys(self) -> set[str]:
        """The keys bound to leaving the filter, the user's keymap applied."""
        from paper_tui.app.screens.help import own_bindings

        bindings = own_bindings(type(self))
        bindings.apply_keymap(dict(getattr(getattr(self.app, "config", None), "keys", {}) or {}))
        return {key for key, binding in bindings if binding.action == "screen.focus_list"}

    async def _on_key(self, event: events.Key) -> None:
        # ``has_focus`` changes only when the Blur message arrives, behind the keys
        # already queued here: ask the screen who has the focus now.
        focused = self.screen.focused is self
        if focused and event.key in self._leave_keys():
            # Leave now, not when the key has bubbled up to the app's bindings: by then
            # the keys typed right behind it have been queued here and would be typed in.
            event.stop()
            event.prevent_default()
            await self.run_action("screen.focus_list")
            return
        if not focused:
            # Typed right behind Enter or Escape: Textual queued the key here before the
            # focus moved.  Hand it back to the app, which sends it where the focus is now.
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        await super()._on_key(event)


class FilterBar(Vertical):
    """The filter line and its hint."""

    _count = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="filter-row"):
            yield Label("/", id="filter-prompt")
            yield FilterInput(placeholder="filter…", id="filter-input", compact=True, select_on_focus=False)
            yield Label("", id="filter-count")
        yield Static(Text(HINT), id="filter-hint")

    @property
    def input(self) -> FilterInput:
        return self.query_one(FilterInput)

    def set_count(self, shown: int, total: int, *, provisional: bool = False, loading: bool = False) -> None:
        """Show ``shown / total``; ``+`` marks a provisional (still counting) result."""
        more = "+" if provisional else ""
        total_text = f"{total:,}" + ("…" if loading else "")
        text = f"{shown:,}{more} / {total_text}"
        label = self.query_one("#filter-count", Label)
        if text != self._count:
            self._count = text
            # A fixed-width label: no layout pass for the whole screen per keystroke.
            label.update(Text(text, justify="right"), layout=False)
