"""PaperApp: config, keymap, theme and styles around the main screen.

| Key | Action |
|---|---|
| `q` / `ctrl+c` | quit |
| `?` | help: every key |
| `ctrl+p` | command palette (actions, papers by title, themes) |
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.theme import Theme

from paper_tui.app.commands import PaperCommands
from paper_tui.app.config import Config
from paper_tui.app.screens.confirm import ConfirmScreen
from paper_tui.app.screens.main import Inputs, MainScreen
from paper_tui.app.screens.typeahead import forward_typeahead
from paper_tui.app.state import StateStore


def styles_dir() -> Path:
    """The shipped ``.tcss`` files: inside the package when installed from a wheel,
    the repository's top-level ``styles/`` in an editable install."""
    import paper_tui

    packaged = Path(paper_tui.__file__).parent / "styles"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "styles"


class PaperApp(App[None]):
    """A keyboard-driven reader over paper lists."""

    TITLE = "paper-tui"
    CSS_PATH = str(styles_dir() / "app.tcss")
    COMMANDS = App.COMMANDS | {PaperCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.interrupt"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(
        self,
        inputs: Inputs | None = None,
        *,
        config: Config | None = None,
        config_problems: Sequence[str] = (),
        query: str | None = None,
        library: Any = None,
        state: StateStore | None = None,
    ) -> None:
        super().__init__()
        if inputs is None:
            from paper_tui.app.state import SAMPLE_KEY
            from paper_tui.paths import sample_path

            inputs = Inputs(paths=[str(sample_path())], key=SAMPLE_KEY, label="bundled sample")
        self.inputs = inputs
        self.config = config or Config()
        self.config_problems = list(config_problems)
        self.state = state or StateStore()
        self.library = library
        self.initial_query = query
        #: A message printed after the app exits (a load that failed before any paper).
        self.failure = ""
        if self.config.keys:
            self.set_keymap(self.config.keys)

    def on_mount(self) -> None:
        self._apply_theme()
        self.push_screen(MainScreen(self.inputs, query=self.initial_query, library=self.library))
        for problem in self.config_problems:
            self.notify(problem, title="Config", severity="warning", timeout=12)
        library_notices = self.library.take_notices() if self.library is not None else []
        for notice in library_notices:
            self.notify(str(notice), title="Library", severity="warning", timeout=12)
        for notice in self.state.take_notices():  # a damaged state.toml, set aside
            self.notify(notice, title="State", severity="warning", timeout=12)
        self._check_keymap()
        self._catch_hang_up()

    # -- theme ---------------------------------------------------------------

    def _apply_theme(self) -> None:
        wanted = self.state.theme(self.config.theme)
        if wanted:
            if wanted in self.available_themes:
                self.theme = wanted
            else:
                names = ", ".join(sorted(self.available_themes))
                self.notify(
                    f"Unknown theme {wanted!r}; available: {names}", title="Config", severity="warning"
                )
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)

    def _on_theme_changed(self, theme: Theme) -> None:
        try:
            self.state.save_theme(theme.name, self.config.theme)
        except OSError as error:
            self.notify(f"Cannot save the theme: {error}", severity="warning")

    # -- keys ----------------------------------------------------------------

    def _check_keymap(self) -> None:
        from paper_tui.app.screens.help import binding_ids, keymap_clashes

        unknown = sorted(set(self.config.keys) - binding_ids(self))
        if unknown:
            self.notify(
                f"[keys] has unknown binding ids: {', '.join(unknown)} (see ? for the ids)",
                title="Config",
                severity="warning",
                timeout=12,
            )
        clashes = keymap_clashes(self)
        if clashes:
            self.notify(
                "[keys] gives a key to two bindings: " + "; ".join(clashes),
                title="Config",
                severity="warning",
                timeout=15,
            )

    def action_help(self) -> None:
        from paper_tui.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Quit (``q``, ``ctrl+c``); changes a failed write kept only in memory are saved
        once more first, and if that fails too the user is asked before they are dropped."""
        if self._quit_question is not None:
            return  # asked already: the answer decides
        library = self.library
        if library is not None and not library.flush():  # a background write, or a retry
            count = library.unsaved
            changes = f"{count} change is" if count == 1 else f"{count} changes are"
            question = (
                f"{changes} not saved ({library.failure}): quit anyway?\n"
                f"They would be lost. Stay and free the disk, and they are saved on the next try."
            )
            self._quit_question = ConfirmScreen(question, yes="Quit", no="Stay", default=False)
            self.push_screen(self._quit_question, self._quit_answered)
            return
        self._quit_now()

    _quit_question: ConfirmScreen | None = None

    def _quit_answered(self, quit_anyway: bool | None) -> None:
        self._quit_question = None
        if quit_anyway:
            self._quit_now()

    def _quit_now(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.cancel_load()
                screen.save_session()
        self.exit()

    def hang_up(self) -> None:
        """The terminal went away (SIGHUP, SIGTERM): nobody can be asked, so changes that
        still cannot be saved are written beside the library as a rescue file."""
        library = self.library
        if library is not None and not library.flush():
            rescued = library.rescue()
            where = f"they were written to {rescued}" if rescued else "they could not be written anywhere"
            count, reason = library.unsaved, library.failure
            self.failure = f"{count} library changes could not be saved ({reason}); {where}"
        self._quit_now()

    def _catch_hang_up(self) -> None:
        if self.is_headless or sys.platform == "win32":
            return  # tests and benchmarks share the process's signals; Windows has none to catch
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)  # Windows has neither
            if number is not None:
                try:
                    loop.add_signal_handler(number, self.hang_up)
                except (RuntimeError, ValueError):
                    pass  # not the main thread: the default stays

    def on_key(self, event: events.Key) -> None:
        # Keys typed right behind the one that opened an editor (t, e) go into it.
        forward_typeahead(self, event)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notify, always as plain text: messages carry titles, tags, file names
        and URLs, and ``[/]`` or ``[@click=...]`` in them must show as typed.  ``markup``
        is ignored because widgets' ``notify`` passes ``markup=True`` explicitly."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def fail(self, message: str) -> None:
        """Stop with ``message`` (printed by :func:`paper_tui.app.run.run_app`)."""
        self.failure = message
        self.exit(return_code=2)
