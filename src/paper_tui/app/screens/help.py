"""HelpScreen: every key, generated from the bindings themselves (so it stays true),
with the user's ``[keys]`` overrides applied and each binding's id for the config.

| Key | Action |
|---|---|
| `escape` / `q` / `?` | close |
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

_PACKAGE = "paper_tui."


def own_bindings(cls: type[DOMNode]) -> BindingsMap:
    """The bindings ``cls`` and its paper-tui base classes declare, merged the way
    Textual merges them (a subclass's key replaces its base's)."""
    keys: dict[str, list[Binding]] = {}
    for base in reversed(cls.__mro__):
        if isinstance(base, type) and issubclass(base, DOMNode) and base.__module__.startswith(_PACKAGE):
            for key, bindings in BindingsMap(base.__dict__.get("BINDINGS", [])).key_to_bindings.items():
                keys[key] = bindings
    return BindingsMap.from_keys(keys)


def _places(app: App[Any]) -> Iterator[tuple[str, type[DOMNode]]]:
    """(heading, class) for every place with keys, found on the running main screen."""
    from paper_tui.app.screens.main import MainScreen
    from paper_tui.app.widgets.filter_bar import FilterInput
    from paper_tui.app.widgets.paper_list import PaperList
    from paper_tui.app.widgets.reading_pane import ReadingPane

    main = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
    yield "Everywhere", type(app)
    yield "Main screen", type(main) if main is not None else MainScreen
    yield "Paper list", PaperList
    yield "Reading pane", ReadingPane
    yield "Filter", FilterInput


Row = tuple[str, str, str, str]


def binding_rows(app: App[Any]) -> Iterator[tuple[str, list[Row]]]:
    """Per place: (keys, description, id, action) rows, keymap applied, one row per binding id."""
    keymap: dict[str, str] = dict(getattr(getattr(app, "config", None), "keys", {}) or {})
    for heading, cls in _places(app):
        bindings = own_bindings(cls)
        # Rows in declaration order, whatever the keymap moved.
        order = {binding.id or binding.action: i for i, (_, binding) in enumerate(bindings)}
        bindings.apply_keymap(keymap)
        rows: dict[tuple[str, str, str], list[str]] = {}
        for _key, binding in bindings:
            ident = (binding.id or binding.action, binding.description or binding.action, binding.action)
            keys = rows.setdefault(ident, [])
            shown = app.get_key_display(binding)
            if shown not in keys:
                keys.append(shown)
        ordered = sorted(rows.items(), key=lambda item: order.get(item[0][0], len(order)))
        yield heading, [(" ".join(keys), desc, ident, action) for (ident, desc, action), keys in ordered]


def binding_ids(app: App[Any]) -> set[str]:
    """Every binding id the user can rebind in ``[keys]``."""
    return {
        binding.id for _, cls in _places(app) for _, binding in own_bindings(cls) if binding.id is not None
    }


def keymap_clashes(app: App[Any]) -> list[str]:
    """Keys the user's ``[keys]`` gives to a binding while another binding, where the
    focus can be at the same time (the list, the main screen, everywhere), keeps the
    same key: one of the two never runs.  One line per clash, the one that wins first."""
    keymap: dict[str, str] = dict(getattr(getattr(app, "config", None), "keys", {}) or {})
    if not keymap:
        return []
    usual = set(_shadowed(app, {}))  # the layering the defaults mean (Escape in the filter ...)
    return [line for line in _shadowed(app, keymap) if line not in usual]


def _shadowed(app: App[Any], keymap: dict[str, str]) -> list[str]:
    keys_of: dict[str, list[tuple[str, str]]] = {}  # place -> (key, id) after the keymap
    for heading, cls in _places(app):
        bindings = own_bindings(cls)
        bindings.apply_keymap(keymap)
        keys_of[heading] = [(key, binding.id or binding.action) for key, binding in bindings]
    clashes: list[str] = []
    for focus in ("Paper list", "Reading pane", "Filter"):
        chain = [focus, "Main screen", "Everywhere"]  # the first place that binds a key takes it
        taken: dict[str, tuple[str, str]] = {}
        for heading in chain:
            for key, ident in keys_of.get(heading, []):
                first = taken.setdefault(key, (ident, heading))
                if first[0] != ident:
                    line = f"key {key!r}: {first[0]} ({first[1]}) takes it before {ident} ({heading})"
                    if line not in clashes:
                        clashes.append(line)
    return clashes


def help_table(sections: Iterable[tuple[str, list[Row]]], palette_key: str) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("does")
    table.add_column("id", style="dim", no_wrap=True)
    for heading, rows in sections:
        if not rows:
            continue
        table.add_row(Text(heading, style="bold underline"), "", "")
        for keys, description, ident, _action in rows:
            table.add_row(Text(keys), Text(description), Text(ident))
        table.add_row("", "", "")
    table.add_row(Text(palette_key), Text("command palette: every action, papers by title, themes"), "")
    return table


class HelpScreen(ModalScreen[None]):
    """The key reference."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        palette = self.app.get_key_display(Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette"))
        intro = Text(
            "Keys by place (rebind by id in config.toml under [keys]; "
            "`paper-tui config --path` prints where).  The filter's query syntax:\n"
            'words fuzzy · \'exact · ^start · end$ · !not · a | b · "a phrase" · '
            "t: a: abs: cat: id: year:2020..2023 · tag: note: is:unread has:note\n"
        )
        with VerticalScroll(id="help-body") as body:
            body.border_title = "paper-tui keys"
            body.border_subtitle = "escape closes"
            yield Static(intro, id="help-intro")
            yield Static(help_table(binding_rows(self.app), palette), id="help-table")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
