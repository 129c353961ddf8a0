"""A yes/no question in a small modal: ``y``/``n`` answer, Enter presses the focused button.

| Key | Action |
|---|---|
| `y` | Yes |
| `n` | No |
| `Enter` | the focused button (the safe answer is focused first) |
| `Escape` | No |
| `Left`/`Right`, `Tab` | move between the buttons |
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ConfirmScreen(ModalScreen[bool]):
    """Ask ``question``; dismiss with ``True`` for yes, ``False`` for no.

    ``default`` is the answer whose button has the focus at first, so a hasty Enter
    takes it; callers asking to throw work away pass ``default=False``.
    """

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > #dialog {
        width: auto;
        min-width: 40;
        max-width: 80%;
        height: auto;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    ConfirmScreen #question {
        width: auto;
        max-width: 100%;
        margin-bottom: 1;
    }
    ConfirmScreen #buttons {
        width: auto;
        height: auto;
        align-horizontal: right;
    }
    ConfirmScreen Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel"),
        Binding("left", "app.focus_previous", "Previous button", show=False),
        Binding("right", "app.focus_next", "Next button", show=False),
    ]

    def __init__(
        self,
        question: str,
        *,
        yes: str = "Yes",
        no: str = "No",
        default: bool = True,
    ) -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button(
                    f"{self.yes_label} (y)", id="yes", variant="primary" if self.default else "default"
                )
                yield Button(
                    f"{self.no_label} (n)", id="no", variant="default" if self.default else "primary"
                )

    def on_mount(self) -> None:
        self.query_one("#yes" if self.default else "#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Dismiss with ``answer``."""
        self.dismiss(answer)
