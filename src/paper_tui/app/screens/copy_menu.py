"""The copy menu (``y``): a citation or link for the paper, copied to the clipboard.

The copy goes through :meth:`textual.app.App.copy_to_clipboard`, which writes an
OSC 52 escape sequence: the terminal itself sets the clipboard, so it works over
SSH (inside tmux, ``set -g set-clipboard on``).

| Key | Action |
|---|---|
| `b` | BibTeX entry |
| `m` | Markdown link |
| `u` | plain URL |
| `a` | arXiv id |
| `Enter` | the highlighted choice |
| `Escape` | close without copying |
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from paper_tui.export import bibtex_entry, markdown_link
from paper_tui.model import Paper


@dataclass(frozen=True, slots=True)
class CopyChoice:
    """One thing the menu can copy: its key, label and text (``""`` when unavailable)."""

    key: str
    label: str
    text: str


def copy_choices(paper: Paper) -> list[CopyChoice]:
    """What the menu offers for ``paper``, in menu order."""
    return [
        CopyChoice("b", "BibTeX", bibtex_entry(paper)),
        CopyChoice("m", "Markdown link", markdown_link(paper)),
        CopyChoice("u", "URL", paper.page_url),
        CopyChoice("a", "arXiv id", paper.arxiv_id),
    ]


def _preview(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


class CopyMenu(ModalScreen[CopyChoice | None]):
    """Offer :func:`copy_choices` for ``paper``; copy the chosen one and say what was copied.

    Dismisses with the choice copied, or ``None`` when closed without copying.
    """

    DEFAULT_CSS = """
    CopyMenu {
        align: center middle;
    }
    CopyMenu > #dialog {
        width: auto;
        min-width: 50;
        max-width: 90%;
        height: auto;
        padding: 0 1;
        border: thick $primary;
        border-title-align: left;
        background: $surface;
    }
    CopyMenu OptionList {
        height: auto;
        width: auto;
        max-width: 100%;
        border: none;
    }
    CopyMenu #hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("b", "copy('b')", "BibTeX", id="copy.bibtex"),
        Binding("m", "copy('m')", "Markdown link", id="copy.markdown"),
        Binding("u", "copy('u')", "URL", id="copy.url"),
        Binding("a", "copy('a')", "arXiv id", id="copy.arxiv"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("escape,q", "cancel", "Close", id="copy.close"),
    ]

    def __init__(self, paper: Paper) -> None:
        super().__init__()
        self.paper = paper
        self.choices = {choice.key: choice for choice in copy_choices(paper)}

    def compose(self) -> ComposeResult:
        options = []
        for choice in self.choices.values():
            prompt = Text.assemble(
                (f"{choice.key}  ", "bold"),
                f"{choice.label:<14} ",
                (_preview(choice.text) if choice.text else "(none)", "dim"),
            )
            options.append(Option(prompt, id=choice.key, disabled=not choice.text))
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Copy to clipboard"
            yield OptionList(*options, id="choices")
            yield Label("Enter or key copy · Esc close", id="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id is not None:
            self.action_copy(event.option_id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_copy(self, key: str) -> None:
        """Copy the choice named ``key`` (if the paper has it) and close."""
        choice = self.choices.get(key)
        if choice is None:
            return
        if not choice.text:
            self.notify(f"This paper has no {choice.label}.", severity="warning")
            return
        self.app.copy_to_clipboard(choice.text)
        self.notify(_preview(choice.text, 80), title=f"Copied {choice.label}", timeout=3)
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
