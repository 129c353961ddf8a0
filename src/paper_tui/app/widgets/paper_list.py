"""PaperList: one row per paper, drawn with Textual's line API.

Only the visible rows are rendered (``render_line``), from an array of corpus
positions; filtering swaps that array and refreshes, nothing is mounted or
rebuilt, so a million rows scroll like a hundred.

| Key | Action |
|---|---|
| `j` / `down` | next paper |
| `k` / `up` | previous paper |
| `g` / `home` | first paper |
| `G` / `end` | last paper |
| `pagedown` / `pageup` | a page down / up |
| `enter` / `l` | read the paper (focus the reading pane) |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paper_tui.app.widgets.highlight import highlight
from paper_tui.corpus import Corpus

#: Returns the 3-character marker (bookmark, state, note) of a paper id.
MarkerSource = Callable[[str], str]
#: Returns, per field, the matched character offsets of a position for a query.
HighlightSource = Callable[[int, str], dict[str, list[int]]]

DATE_WIDTH = 10
MARKER_WIDTH = 3


class PaperList(ScrollView, can_focus=True):
    """The papers shown, one per line, with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "Top", show=False, id="list.top"),
        Binding("G,end", "last", "Bottom", show=False, id="list.bottom"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter,l", "screen.read_paper", "Read", id="list.read"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--match",
        "paper-list--marker",
        "paper-list--author",
        "paper-list--date",
        "paper-list--read",
        "paper-list--empty",
    }

    DEFAULT_CSS = """
    PaperList { overflow-x: hidden; }
    """

    class Highlighted(Message):
        """The cursor moved onto a paper (``position`` None: the list is empty)."""

        def __init__(self, position: int | None, by_user: bool = False) -> None:
            super().__init__()
            self.position = position
            #: True when a key or click moved the cursor (not a new set of rows).
            self.by_user = by_user

        def can_replace(self, message: Message) -> bool:
            # Holding j sends bursts: only the latest position matters.
            return isinstance(message, PaperList.Highlighted)

    class Selected(Message):
        """The user chose to read the paper under the cursor."""

        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def __init__(
        self,
        corpus: Corpus,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.corpus = corpus
        self._positions: Sequence[int] = range(0)
        self.cursor = 0
        self.query_text = ""
        self.markers: MarkerSource | None = None
        self.highlighter: HighlightSource | None = None
        #: Text shown when there are no rows (loading, no match).
        self.empty_text = "No papers."
        self._strips: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._columns_version = -1
        self._columns_cache = (True, True)

    # -- the rows ----------------------------------------------------------

    @property
    def positions(self) -> Sequence[int]:
        """Corpus positions of the rows, top to bottom."""
        return self._positions

    @property
    def current_position(self) -> int | None:
        """Corpus position under the cursor, or None when empty."""
        if 0 <= self.cursor < len(self._positions):
            return self._positions[self.cursor]
        return None

    def set_rows(self, positions: Sequence[int], query: str, keep: int | None = None) -> None:
        """Show ``positions``; the cursor stays on corpus position ``keep`` when it is
        still shown, else goes to the top."""
        previous = self.current_position
        offset = self.cursor - int(self.scroll_offset.y)
        self._positions = positions
        self.query_text = query
        self.cursor = 0
        if keep is not None:
            index = _index_of(positions, keep)
            if index is not None:
                self.cursor = index
        self._strips.clear()
        self.virtual_size = Size(1, len(positions))
        # Keep the cursor at the same height on screen, as if the rows moved under it.
        self.scroll_to(y=max(0, self.cursor - max(0, offset)), animate=False, immediate=True)
        self._scroll_cursor_into_view()
        self.refresh()
        if self.current_position != previous or keep is None:
            self.post_message(self.Highlighted(self.current_position))

    def refresh_rows(self) -> None:
        """Redraw every visible row (after library changes, for example)."""
        self._strips.clear()
        self.refresh()

    def move_to(self, row: int) -> None:
        """Put the cursor on ``row`` (clamped) and show it."""
        if not self._positions:
            return
        row = max(0, min(row, len(self._positions) - 1))
        if row == self.cursor:
            return
        old = self.cursor
        self.cursor = row
        self._scroll_cursor_into_view()
        self.refresh_line(old)
        self.refresh_line(row)
        self.post_message(self.Highlighted(self.current_position, by_user=True))

    def _scroll_cursor_into_view(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    # -- actions -----------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self._positions) - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_select(self) -> None:
        position = self.current_position
        if position is not None:
            self.post_message(self.Selected(position))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = int(self.scroll_offset.y) + offset.y
        if row == self.cursor and event.chain >= 2:
            self.action_select()
        elif row < len(self._positions):
            self.move_to(row)

    # -- drawing -----------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name, partial=True)
        return style

    def on_resize(self) -> None:
        self._strips.clear()

    def on_focus(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._strips.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not self._positions:
            if y == 0:
                text = Text(" " + self.empty_text, style=self._style("paper-list--empty"))
                return _strip(text, width, base, self.app.console)
            return Strip.blank(width, base)
        if row >= len(self._positions):
            return Strip.blank(width, base)
        is_cursor = row == self.cursor
        key = (row, width, is_cursor, self.has_focus)
        strip = self._strips.get(key)
        if strip is None:
            text = self.row_text(self._positions[row], width)
            if is_cursor:
                text.stylize(self._style("paper-list--cursor"))
            strip = _strip(text, width, base, self.app.console)
            self._strips[key] = strip
        return strip

    def row_text(self, position: int, width: int) -> Text:
        """One row: marker, title, first author, date, fitted to ``width`` cells."""
        corpus = self.corpus
        show_author, show_date = self._columns()
        author_width = max(12, min(24, width // 4)) if show_author else 0
        date_width = DATE_WIDTH if show_date else 0
        title_width = width - MARKER_WIDTH - 1 - (author_width + 1 if show_author else 0)
        title_width = max(8, title_width - (date_width + 1 if show_date else 0))
        marker = self.markers(corpus.paper_id(position)) if self.markers else "   "
        highlights = (
            self.highlighter(position, self.query_text) if (self.highlighter and self.query_text) else {}
        )

        title = Text(corpus.title(position))
        if marker[1:2] in ("✓", "✗"):  # read or skipped: dim the title, the eye skips it
            title.stylize(self._style("paper-list--read"))
        highlight(title, highlights.get("title", ()), self._style("paper-list--match"))
        title.truncate(title_width, overflow="ellipsis", pad=True)

        parts: list[Text | str] = [
            Text(marker[:MARKER_WIDTH].ljust(MARKER_WIDTH), style=self._style("paper-list--marker")),
            " ",
            title,
        ]
        if show_author:
            parts += [" ", self._author_text(position, highlights, author_width)]
        if show_date:
            date = Text(corpus.date(position)[:DATE_WIDTH], style=self._style("paper-list--date"))
            date.truncate(DATE_WIDTH, pad=True)
            parts += [" ", date]
        return Text.assemble(*parts, no_wrap=True, end="")

    def _author_text(self, position: int, highlights: dict[str, list[int]], width: int) -> Text:
        authors = self.corpus.authors(position)
        first = authors[0] if authors else ""
        author = Text(first, style=self._style("paper-list--author"))
        highlight(author, highlights.get("authors", ()), self._style("paper-list--match"))
        if len(authors) > 1:
            author.append(" +" + str(len(authors) - 1), style=self._style("paper-list--date"))
        author.truncate(width, overflow="ellipsis", pad=True)
        return author

    def _columns(self) -> tuple[bool, bool]:
        """Whether the author and date columns are worth their room: a list with no
        authors or no dates (a saved web page, say) gives the title the space."""
        corpus = self.corpus
        if self._columns_version != corpus.version:
            sample = range(min(len(corpus), 5000))
            has_author = any(corpus.authors(i) for i in sample)
            has_date = any(corpus.date(i) for i in sample)
            self._columns_version = corpus.version
            self._columns_cache = (has_author, has_date)
        return self._columns_cache


def _strip(text: Text, width: int, base: Style, console: Console) -> Strip:
    """A strip of exactly ``width`` cells from one line of ``text``."""
    text.stylize_before(base)
    text.truncate(width, pad=True)
    return Strip(text.render(console), width).adjust_cell_length(width, base)


def _index_of(positions: Sequence[int], position: int) -> int | None:
    """Row index of ``position``; ``Sequence.index`` is a C-speed scan for lists,
    arrays and ranges (O(1) for ranges)."""
    try:
        return positions.index(position)
    except ValueError:
        return None
