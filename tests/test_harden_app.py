"""Hostile text in the running app: escapes, controls, bidi, zero-width and markup stay inert.

What reaches the terminal is read from the compositor, the same render Textual writes
to the tty: every strip's text is checked for raw escape and control characters, and the
byte stream it would write for the hostile payloads.  Markup in a paper or a note must
show literally (``[bold red]`` on screen) and never act (``[@click=app.quit]``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import TextArea

from helpers import settle
from paper_tui.app.app import PaperApp
from paper_tui.app.screens.main import Inputs, MainScreen
from paper_tui.app.screens.note_editor import NoteEditor
from paper_tui.app.screens.tag_editor import TagEditor
from paper_tui.app.state import session_key
from paper_tui.library import Library
from paper_tui.model import Source, make_paper, to_json
from paper_tui.paths import library_path

SIZE = (140, 40)

#: Sequences that act on a terminal: a clipboard write (OSC 52), clear screen, cursor
#: moves, a title change, a device status query (its answer would arrive as typed keys),
#: an 8-bit CSI, plus a bell, a backspace and a DEL.
ESCAPES = (
    "\x1b]52;c;SEFDS0VE\x07",
    "\x1b[2J",
    "\x1b[7A",
    "\x1b[H",
    "\x1b]0;pwned-title\x1b\\",
    "\x1b[6n",
    "\x9b33m",
    "\x07\x08\x7f",
)
#: What must never appear in the terminal stream: the payloads above, verbatim.
PAYLOADS = ("SEFDS0VE", "\x1b[2J", "\x1b[7A", "pwned-title", "\x1b[6n", "\x9b")
INVISIBLE = "\u202e\u202d\u2066\u200b\u200d\u2060\ufeff"


def hostile(word: str) -> str:
    """``word`` wrapped in every kind of hostile text, with markup that must show as typed."""
    return f"{word} {''.join(ESCAPES)} [bold red]{word}-markup[/] \u202e{word}-bidi\u202c zero\u200bwidth"


def is_unsafe(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or char in INVISIBLE


def render(app: PaperApp) -> tuple[list[str], str]:
    """The screen as lines of text (control segments left out) and as terminal output."""
    update: Any = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
    )
    raw = update.render_segments(console)
    lines = [
        "".join(seg.text for strip in line for seg in strip if not seg.control) for line in update.strips
    ]
    return lines, raw


def assert_inert(app: PaperApp) -> str:
    """Check the whole screen; return its text (lines joined) for further asserts."""
    lines, raw = render(app)
    for number, line in enumerate(lines):
        bad = sorted({f"U+{ord(c):04X}" for c in line if is_unsafe(c)})
        assert not bad, f"screen line {number} carries {bad}: {line!r}"
    for payload in PAYLOADS:
        assert payload not in raw, f"{payload!r} reached the terminal stream"
    return "\n".join(lines)


def main_screen(app: PaperApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen), app.screen
    return app.screen


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    """A paper-tui JSON-lines file whose every text field, id and source is hostile; the
    JSON is written by hand so that nothing cleaned it on the way in."""
    path = tmp_path / "hostile.jsonl"
    record = to_json(make_paper(title="placeholder", arxiv_id="2401.00001", source=Source(str(path), 1)))
    record.update(
        {
            "id": "arxiv:2401.00001" + ESCAPES[1],
            "title": hostile("Title"),
            "authors": [hostile("Author"), "[@click=app.quit]Click Me[/]"],
            "abstract": hostile("Abstract") + "\n\n" + hostile("Second"),
            "date": "2024-01-02" + ESCAPES[0],
            "categories": ["cs.CL" + ESCAPES[1], "[b]cat[/b]"],
            "links": {
                "abs": "https://arxiv.org/abs/2401.00001" + ESCAPES[0],
                "code": "https://x.org/[@click=app.quit]",
            },
            "extras": {"venue": hostile("Venue"), "comments": hostile("Comment"), "journal_ref": ESCAPES[4]},
            "sources": [{"file": "/tmp/evil" + ESCAPES[1] + ".jsonl", "line": 1}],
        }
    )
    plain = make_paper(title="A Plain Second Paper", arxiv_id="2401.00002", source=Source(str(path), 2))
    plain_json = to_json(plain)
    path.write_text(json.dumps(record) + "\n" + json.dumps(plain_json) + "\n", encoding="utf-8")
    return path


def make_app(path: Path) -> PaperApp:
    inputs = Inputs([str(path)], key=session_key([str(path)]), label=path.name)
    return PaperApp(inputs, library=Library.open())


async def test_hostile_paper_renders_inert_in_list_and_reading_pane(hostile_file: Path) -> None:
    app = make_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(main_screen(app).corpus) == 2
        text = assert_inert(app)
        # Markup shows as typed, in the list row and in the pane.
        assert text.count("[bold red]Title-markup[/]") >= 2
        assert "[@click=app.quit]Click Me[/]" in text
        assert "[bold red]Abstract-markup[/]" in text
        assert "[bold red]Venue-markup[/]" in text
        assert "zerowidth" in text  # the zero-width space is gone, the words joined
        await pilot.press("enter")  # focus the reading pane, scroll through all of it
        for _ in range(3):
            await pilot.press("space")
            await pilot.pause()
            assert_inert(app)


async def test_click_markup_in_a_paper_does_nothing_when_clicked(hostile_file: Path) -> None:
    app = make_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines, _ = render(app)
        (y,) = [n for n, line in enumerate(lines) if "[@click=app.quit]Click Me" in line]
        x = lines[y].index("[@click=app.quit]Click Me") + 3
        await pilot.click(offset=(x, y))
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, MainScreen)


async def test_markup_in_a_title_does_not_break_the_dialogs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title like ``[/] ...`` (real ones: ``[Re] Reproducing ...``) is put in dialog
    titles and notifications; it must show as typed and never raise a MarkupError."""
    path = tmp_path / "brackets.jsonl"
    titles = ["[/] Closing Tag First", "[Re] Reproducing a Study [@click=app.quit]x[/]"]
    lines = [
        json.dumps(to_json(make_paper(title=t, arxiv_id=f"2402.0000{n}", source=Source(str(path), n))))
        for n, t in enumerate(titles, 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    app = make_app(path)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        for title in titles:
            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.screen, TagEditor)
            assert title in assert_inert(app)
            await pilot.press(*"[/]", "enter")  # a tag that is markup, announced in a toast
            await pilot.pause()
            screen_text = assert_inert(app)
            assert "paper: [/]" in screen_text
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, NoteEditor)
            assert title in assert_inert(app)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("y", "m")  # the Markdown link "[title](url)" in a toast
            await pilot.pause()
            screen_text = assert_inert(app)
            assert copied[-1][:12] in screen_text
            await pilot.press("j")
        assert app.is_running and isinstance(app.screen, MainScreen)
    assert len(copied) == 2 and copied[0].startswith("[\\[/\\] Closing Tag First]")
    assert app.return_code is None


async def test_note_pasted_with_escapes_renders_inert(hostile_file: Path) -> None:
    app = make_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "e")  # the plain paper: only the note is hostile
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        app.screen.query_one(TextArea).insert(hostile("Note") + "\n" + "".join(ESCAPES) + "second line")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        text = assert_inert(app)
        assert "[bold red]Note-markup[/]" in text
        assert "second line" in text
    assert app.return_code is None


async def test_note_with_escapes_in_the_library_file_renders_inert(hostile_file: Path) -> None:
    """A note put in library.toml by hand (or by a sync tool) is shown inert too."""
    library_path().parent.mkdir(parents=True, exist_ok=True)
    note = json.dumps(hostile("Stored"))  # a JSON string is a valid TOML basic string
    library_path().write_text(
        f'schema = 1\n\n[papers."arxiv:2401.00002"]\nbookmarked = true\nnote = {note}\n', encoding="utf-8"
    )
    app = make_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await pilot.pause()
        assert main_screen(app).library.note("arxiv:2401.00002")  # type: ignore[union-attr]
        text = assert_inert(app)
        assert "[bold red]Stored-markup[/]" in text
