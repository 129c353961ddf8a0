"""ReadingPane: the paper under the cursor, laid out for reading.

Title, authors, date, ids, categories, links, source files, the abstract with the
query's matches highlighted, then the user's tags and note.  Everything that
comes from a paper is a rich ``Text`` (never markup), so a title containing
``[bold]`` or ``[@click=...]`` shows as typed.

| Key | Action |
|---|---|
| `space` / `shift+space` | a page down / up |
| `j` / `k` | scroll a line |
| `g` / `G` | top / bottom |
| `h` / `escape` | back to the list |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from paper_tui.app.widgets.highlight import highlight
from paper_tui.model import Paper, Source

_LINK_NAMES = {
    "abs": "arXiv page",
    "pdf": "PDF",
    "doi": "DOI",
    "code": "Code",
    "project": "Project",
    "hf": "HF page",
    "url": "Web",
}


@dataclass(frozen=True)
class Decisions:
    """What the user decided about a paper, as the pane shows it."""

    state: str = "unread"
    bookmarked: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""


class ReadingPane(VerticalScroll, can_focus=True):
    """Scrollable details of one paper."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "page_down", "Page", id="pane.page_down"),
        Binding("shift+space", "page_up", "Page up", show=False, id="pane.page_up"),
        Binding("j,down", "scroll_down", "Scroll", show=False, id="pane.down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="pane.up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="pane.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="pane.bottom"),
        # A screen action, not a message: focus moves before the next key is handled.
        Binding("h,escape", "screen.focus_list", "Back to list", id="pane.back"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reading-pane--title",
        "reading-pane--label",
        "reading-pane--match",
        "reading-pane--dim",
        "reading-pane--tag",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.paper: Paper | None = None
        self._shown: object = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…"), id="paper-text")

    def show(
        self,
        paper: Paper | None,
        highlights: dict[str, list[int]] | None = None,
        decisions: Decisions | None = None,
        *,
        empty: str = "No paper selected.",
    ) -> None:
        """Show ``paper``; scroll back to the top when it is a different paper."""
        key = (paper, tuple(sorted((k, tuple(v)) for k, v in (highlights or {}).items())), decisions, empty)
        if key == self._shown:
            return  # the same paper, matches and decisions: no re-layout
        self._shown = key
        text = self.render_paper(paper, highlights or {}, decisions) if paper else Text(empty)
        if paper is None or self.paper is None or paper.id != self.paper.id:
            self.scroll_home(animate=False, immediate=True)
        self.paper = paper
        self.query_one("#paper-text", Static).update(text)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._shown = None  # a new theme: the next show() must redraw

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def render_paper(
        self, paper: Paper, highlights: dict[str, list[int]], decisions: Decisions | None
    ) -> Text:
        """The pane's text for ``paper``."""
        match = self._style("reading-pane--match")
        label = self._style("reading-pane--label")
        dim = self._style("reading-pane--dim")
        out = Text()

        title = Text(paper.title or "(untitled)", style=self._style("reading-pane--title"))
        highlight(title, highlights.get("title", ()), match)
        out.append_text(title)
        out.append("\n")
        if paper.authors:
            authors = Text(", ".join(paper.authors))
            highlight(authors, highlights.get("authors", ()), match)
            out.append_text(authors)
            out.append("\n")
        out.append("\n")

        def field(name: str, value: str | Text) -> None:
            out.append(f"{name:<11} ", style=label)
            out.append_text(value if isinstance(value, Text) else Text(value))
            out.append("\n")

        if paper.date:
            field("Date", paper.date)
        field("Id", paper.id)
        if paper.arxiv_id and f"arxiv:{paper.arxiv_id}" != paper.id:
            field("arXiv", paper.arxiv_id)
        if paper.doi and f"doi:{paper.doi}" != paper.id and not paper.link("doi"):
            field("DOI", paper.doi)
        if paper.categories:
            field("Categories", " ".join(paper.categories))
        for name, url in paper.links:
            field(_LINK_NAMES.get(name, name), Text(url, style=Style(link=url)))
        for key in ("venue", "journal_ref", "comments", "upvotes"):
            value = paper.extra(key)
            if value:
                field(key.replace("_", " ").capitalize(), value)
        if paper.sources:
            field("Source", ", ".join(_source_text(s) for s in paper.sources[:3]))
            if len(paper.sources) > 3:
                field("", f"and {len(paper.sources) - 3} more")
        if decisions is not None:
            state = decisions.state + (", bookmarked" if decisions.bookmarked else "")
            field("State", state)
            if decisions.tags:
                tags = Text()
                for tag in decisions.tags:
                    tags.append(f" {tag} ", style=self._style("reading-pane--tag"))
                    tags.append(" ")
                field("Tags", tags)
        out.append("\n")

        if paper.abstract:
            abstract = Text(paper.abstract)
            highlight(abstract, highlights.get("abstract", ()), match)
            out.append_text(abstract)
            out.append("\n")
        else:
            out.append("No abstract.\n", style=dim)
        if decisions is not None and decisions.note:
            out.append("\nNote\n", style=label)
            note = Text(decisions.note)
            highlight(note, highlights.get("note", ()), match)
            out.append_text(note)
            out.append("\n")
        out.rstrip()
        return out


def _source_text(source: Source) -> str:
    """Where a paper was read, short: the bundled sample by name, home as ``~``."""
    from pathlib import Path

    from paper_tui.paths import sample_path

    path = Path(source.path)
    where = str(path)
    if source.path != "-" and path.is_absolute():
        if path == sample_path():
            where = "(bundled sample)"
        elif path.is_relative_to(Path.home()):
            where = "~/" + str(path.relative_to(Path.home()))
    return f"{where}:{source.line}" if source.line else where
