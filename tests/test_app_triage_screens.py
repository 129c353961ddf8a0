"""The triage modals on their own: confirm, note editor, tag editor (and its completion)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Label, TextArea

from paper_tui.app.screens.confirm import ConfirmScreen
from paper_tui.app.screens.note_editor import NoteEditor
from paper_tui.app.screens.tag_editor import LastTagSuggester, TagEditor

NO_RESULT = object()


class Host(App[None]):
    """A bare app that pushes one modal and records what it was dismissed with."""

    def __init__(self, modal: Screen[Any]) -> None:
        super().__init__()
        self.modal = modal
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Label("host")

    def on_mount(self) -> None:
        self.push_screen(self.modal, self.results.append)


# -- confirm ------------------------------------------------------------------------------


async def test_confirm_keys() -> None:
    for keys, expected in [("y", True), ("n", False), ("escape", False), ("enter", True)]:
        app = Host(ConfirmScreen("Mark 3 papers read?"))
        async with app.run_test() as pilot:
            await pilot.press(keys)
            await pilot.pause()
            assert app.results == [expected], keys
            assert not isinstance(app.screen, ConfirmScreen)


async def test_confirm_enter_takes_the_safe_default_and_arrows_move() -> None:
    app = Host(ConfirmScreen("Discard?", default=False))
    async with app.run_test() as pilot:
        await pilot.press("enter")
        assert app.results == [False]
    app = Host(ConfirmScreen("Discard?", default=False))
    async with app.run_test() as pilot:
        await pilot.press("left", "enter")
        assert app.results == [True]


# -- note editor --------------------------------------------------------------------------


async def test_note_editor_ctrl_s_saves_multiline_text() -> None:
    app = Host(NoteEditor("A paper", "first line"))
    async with app.run_test() as pilot:
        await pilot.press("enter", *"second", "enter", *"third", "ctrl+s")
        await pilot.pause()
        assert app.results == ["first line\nsecond\nthird"]


async def test_note_editor_escape_without_changes_closes() -> None:
    app = Host(NoteEditor("A paper", "kept"))
    async with app.run_test() as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_note_editor_escape_with_changes_asks_before_discarding() -> None:
    app = Host(NoteEditor("A paper", ""))
    async with app.run_test() as pilot:
        await pilot.press(*"draft", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        # "n" (and Enter, the default) keeps editing with the text intact.
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "draft"
        assert app.results == []
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        # "y" discards.
        await pilot.press("escape", "y")
        await pilot.pause()
        assert app.results == [None]
        assert not isinstance(app.screen, NoteEditor | ConfirmScreen)


async def test_note_editor_after_discard_question_can_still_save() -> None:
    app = Host(NoteEditor("A paper", ""))
    async with app.run_test() as pilot:
        await pilot.press(*"draft", "escape", "n", *" more", "ctrl+s")
        await pilot.pause()
        assert app.results == ["draft more"]


# -- tag editor ---------------------------------------------------------------------------


def test_suggester_completes_the_last_item_only() -> None:
    suggester = LastTagSuggester(["reinforcement-learning", "reading-group", "LLM", "robotics"])
    assert suggester.complete("rei") == "reinforcement-learning"
    assert suggester.complete("Robotics, rea") == "Robotics, reading-group"
    assert suggester.complete("x,  ll") == "x,  LLM"
    # A tag already typed is not offered again; nothing to complete after a comma.
    assert suggester.complete("reading-group, rea") is None
    assert suggester.complete("rl, ") is None
    assert suggester.complete("llm") is None  # already whole (ignoring case)
    assert suggester.complete("zzz") is None


async def test_tag_editor_completion_tab_and_enter() -> None:
    app = Host(TagEditor("A paper", ["rl"], known=["rl", "reinforcement-learning", "survey"]))
    async with app.run_test() as pilot:
        tag_input = app.screen.query_one(Input)
        assert tag_input.value == "rl, "
        await pilot.press(*"su")
        await pilot.pause()
        await pilot.press("tab")
        assert tag_input.value == "rl, survey, "
        await pilot.press(*"Rei")
        await pilot.pause()
        await pilot.press("right")
        assert tag_input.value == "rl, survey, reinforcement-learning"
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [("rl", "survey", "reinforcement-learning")]


async def test_tag_editor_escape_cancels_and_empty_clears() -> None:
    app = Host(TagEditor("A paper", ["rl"]))
    async with app.run_test() as pilot:
        await pilot.press(*"x", "escape")
        await pilot.pause()
        assert app.results == [None]
    app = Host(TagEditor("A paper", ["rl", "x"]))
    async with app.run_test() as pilot:
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [()]


# -- export dialog helpers -----------------------------------------------------------------


def test_with_format_suffix_follows_the_format_but_keeps_a_chosen_name() -> None:
    from paper_tui.app.screens.export_dialog import with_format_suffix

    assert with_format_suffix("/tmp/reading-list.bib", "markdown") == "/tmp/reading-list.md"
    assert with_format_suffix("notes", "csv") == "notes.csv"
    assert with_format_suffix("list.jsonl", "bibtex") == "list.bib"
    assert with_format_suffix("", "jsonl") == "reading-list.jsonl"
    assert with_format_suffix("papers.txt", "csv") == "papers.txt"  # the user's own extension


def test_bookmarked_papers_come_from_the_files_or_the_library_records(tmp_path: Path) -> None:
    from paper_tui.app.screens.export_dialog import bookmarked_papers
    from paper_tui.corpus import Corpus
    from paper_tui.library import Library
    from paper_tui.model import Source, make_paper

    loaded = make_paper(title="Loaded", arxiv_id="2401.00001", abstract="An abstract.", source=Source("f"))
    gone = make_paper(title="Not loaded now", arxiv_id="2401.00002", source=Source("g"))
    plain = make_paper(title="Not bookmarked", arxiv_id="2401.00003", source=Source("f"))
    library = Library.open(tmp_path / "library.toml")
    library.toggle_bookmark([gone])
    library.toggle_bookmark([loaded])
    library.set_state([plain], "read")
    papers = bookmarked_papers(library, Corpus([loaded, plain]))
    assert [p.title for p in papers] == ["Loaded", "Not loaded now"]  # most recent first
    assert papers[0].abstract == "An abstract."  # the loaded record, not the stored one
    assert papers[1].arxiv_id == "2401.00002"
