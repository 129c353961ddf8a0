"""KeyBar: the keys that work where the focus is, on one line.

Textual's ``Footer`` mounts a widget per key and recomposes them on every focus
change; with the two dozen keys of this app that was most of the CPU spent before
the first frame.  This is one ``Static`` redrawn from ``Screen.active_bindings``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """Shown bindings of the focused place, then the command palette's key."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description", "key-bar--disabled"}

    DEFAULT_CSS = """
    KeyBar { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    _shown = ""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.redraw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.redraw)

    def redraw(self) -> None:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        disabled_style = self.get_component_rich_style("key-bar--disabled", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            text.append(f" {self.app.get_key_display(binding)} ", key_style)
            text.append(f"{binding.description} ", description_style if active.enabled else disabled_style)
        palette = Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette")
        text.append(f" {self.app.get_key_display(palette)} ", key_style)
        text.append("palette", description_style)
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text, layout=False)  # always one line: no layout pass
