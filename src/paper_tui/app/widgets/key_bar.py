"""KeyBar: the keys that work where the focus is, on one line.

Textual's ``Footer`` mounts a widget per key and recomposes them on every focus
change; with the two dozen keys of this app that was most of the CPU spent before
the first frame.  This is one ``Static`` redrawn from ``Screen.active_bindings``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
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

    def on_resize(self) -> None:
        self.call_after_refresh(self.redraw)

    def redraw(self) -> None:
        """Whole keys only, in binding order, as many as fit; quit, help and the
        palette always stand at the end, so the way out and the way to learn more
        are never the ones cut off."""
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        disabled_style = self.get_component_rich_style("key-bar--disabled", partial=True)
        items: list[tuple[str, str, bool]] = []
        tail: list[tuple[str, str, bool]] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            item = (self.app.get_key_display(binding), binding.description, active.enabled)
            (tail if binding.id in ALWAYS_SHOWN else items).append(item)
        palette = Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette")
        tail.append((self.app.get_key_display(palette), "palette", True))
        budget = (self.size.width or 10_000) - sum(_width(item) for item in tail)
        shown: list[tuple[str, str, bool]] = []
        for item in items:
            budget -= _width(item)
            if budget < 0:
                break
            shown.append(item)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for key, description, enabled in shown + tail:
            text.append(f" {key} ", key_style)
            text.append(f"{description} ", description_style if enabled else disabled_style)
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text, layout=False)  # always one line: no layout pass


#: Binding ids kept at the end of the bar whatever else fits.
ALWAYS_SHOWN = frozenset({"app.help", "app.quit"})


def _width(item: tuple[str, str, bool]) -> int:
    key, description, _ = item
    return cell_len(key) + cell_len(description) + 3
