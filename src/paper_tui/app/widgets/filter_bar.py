"""FilterBar: the query input, the ``shown / total`` count and a one-line syntax hint.

| Key | Action |
|---|---|
| `enter` | go to the list |
| `escape` | leave the filter (on the list, a second `escape` clears it) |
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

HINT = (
    'words fuzzy · \'exact · ^start · end$ · !not · a | b · "a phrase" · '
    "t: a: abs: cat: id: year:2020..2023 · tag: note: is:unread has:note"
)


class FilterInput(Input):
    """The query input: leaves on Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave filter", id="filter.leave"),
        Binding("enter", "submit", "To the list", id="filter.to_list"),
    ]

    class Leave(Message):
        """The user left the filter with Escape."""

    def action_leave(self) -> None:
        self.post_message(self.Leave())


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
