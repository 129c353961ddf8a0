"""PaperApp: the first, plain screen over the loaded papers."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from paper_tui.corpus import Corpus


class PaperApp(App[None]):
    """A list of the loaded papers."""

    TITLE = "paper-tui"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, corpus: Corpus, query: str = "") -> None:
        super().__init__()
        self.corpus = corpus
        self.query_text = query

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("\n".join(paper.title for paper in self.corpus), markup=False)
        yield Footer()
