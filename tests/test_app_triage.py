"""Triage in the running app, driven by keys: every decision lands in library.toml and
survives a restart; undo/redo, bulk changes, the note editors, the copy menu, export."""

from __future__ import annotations

import json
import stat
import sys
import tomllib
import webbrowser
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from helpers import settle
from paper_tui.app.app import PaperApp
from paper_tui.app.config import Config
from paper_tui.app.screens.confirm import ConfirmScreen
from paper_tui.app.screens.copy_menu import CopyMenu
from paper_tui.app.screens.export_dialog import ExportDialog
from paper_tui.app.screens.main import Inputs, MainScreen
from paper_tui.app.screens.note_editor import NoteEditor
from paper_tui.app.screens.tag_editor import TagEditor
from paper_tui.app.state import session_key
from paper_tui.library import Library
from paper_tui.model import Source, make_paper, to_json
from paper_tui.paths import library_path

SIZE = (120, 40)

PAPERS: list[dict[str, Any]] = [
    {
        "title": "Attention Is All You Need",
        "authors": ["Ashish Vaswani", "Noam Shazeer"],
        "date": "2017-06-12",
        "arxiv_id": "1706.03762",
        "categories": ["cs.CL"],
        "abstract": "The dominant sequence transduction models are based on recurrent networks.",
    },
    {
        "title": "Deep Residual Learning for Image Recognition",
        "authors": ["Kaiming He"],
        "date": "2015-12-10",
        "arxiv_id": "1512.03385",
        "abstract": "Deeper neural networks are more difficult to train.",
    },
    {
        "title": "A Paper Without Identifiers",
        "authors": ["Ann Author"],
        "date": "2020",
        "abstract": "No link.",
    },
    {
        "title": "Language Models are Few-Shot Learners",
        "authors": ["Tom Brown"],
        "date": "2020-05-28",
        "arxiv_id": "2005.14165",
        "abstract": "Scaling up language models greatly improves few-shot performance.",
    },
]
ATTENTION, RESNET, PLAIN, GPT3 = (str(p["title"]) for p in PAPERS)


@pytest.fixture
def papers_file(tmp_path: Path) -> Path:
    path = tmp_path / "papers.jsonl"
    lines = [
        json.dumps(to_json(make_paper(source=Source(str(path), number), **fields)))
        for number, fields in enumerate(PAPERS, 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@asynccontextmanager
async def running(
    path: Path, config: Config | None = None
) -> AsyncIterator[tuple[Pilot[Any], MainScreen, Library]]:
    """A new app over ``path`` with the library of the (isolated) data dir, as at launch;
    yields once the papers are loaded."""
    inputs = Inputs([str(path)], key=session_key([str(path)]), label=path.name)
    app = PaperApp(inputs, library=Library.open(), config=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.library is not None
        yield pilot, screen, screen.library


def states(screen: MainScreen, library: Library, positions: Iterable[int] = range(4)) -> list[str]:
    return [library.state(screen.corpus.paper_id(i)) for i in positions]


def current_title(screen: MainScreen) -> str:
    paper = screen.current_paper()
    assert paper is not None
    return paper.title


def row_marker(screen: MainScreen, row: int) -> str:
    return screen.paper_list.render_line(row).text[:4]


def notified(pilot: Pilot[Any], text: str) -> bool:
    return any(text in str(n.message) for n in pilot.app._notifications)


def on_disk() -> dict[str, Any]:
    with library_path().open("rb") as handle:
        return tomllib.load(handle)


def record(data: dict[str, Any], title: str) -> dict[str, Any]:
    """The library file's record of the paper titled ``title``."""
    matches = [r for r in data.get("papers", {}).values() if r.get("title") == title]
    assert len(matches) == 1, (title, data)
    return matches[0]


@pytest.mark.slow
async def test_decisions_survive_a_restart_and_are_in_the_toml(papers_file: Path) -> None:
    async with running(papers_file) as (pilot, screen, library):
        assert current_title(screen) == ATTENTION
        await pilot.press("b")
        assert row_marker(screen, 0).startswith("★")
        await pilot.press("t", *"tf, nl")
        await pilot.pause()
        assert isinstance(pilot.app.screen, TagEditor)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e", *"p3", "enter", *"ok", "ctrl+s")
        await pilot.pause()
        await pilot.press("j", "x")  # skip the second
        await pilot.press("j", "r")  # read the third
        await pilot.press("j", "t", "t")  # "t" completes to "tf", the tag already used
        await pilot.pause()
        await pilot.press("tab", "enter")
        await pilot.pause()

    data = on_disk()
    assert data["schema"] == 1
    first = record(data, ATTENTION)
    assert first["bookmarked"] is True
    assert first["tags"] == ["tf", "nl"]
    assert first["note"] == "p3\nok"
    assert first["arxiv_id"] == "1706.03762"
    assert record(data, RESNET)["state"] == "skipped"
    assert record(data, PLAIN)["state"] == "read"
    assert record(data, GPT3)["tags"] == ["tf"]

    async with running(papers_file) as (pilot, screen, library):
        pid = screen.corpus.paper_id(0)
        assert library.is_bookmarked(pid)
        assert library.note(pid) == "p3\nok"
        assert states(screen, library) == ["unread", "skipped", "read", "unread"]
        assert row_marker(screen, 0).startswith("★ ✎")
        assert row_marker(screen, 1).startswith(" ✗")
        # The search language sees the decisions.
        await pilot.press("slash", *"is:bookmarked", "enter")
        await settle(pilot)
        assert list(screen.shown_positions()) == [0]


async def test_undo_and_redo_every_kind_of_change(papers_file: Path) -> None:
    async with running(papers_file) as (pilot, screen, library):
        pid = screen.corpus.paper_id(0)
        await pilot.press("b", "r", "t", *"a, b", "enter")
        await pilot.pause()
        await pilot.press("e", *"note", "ctrl+s")
        await pilot.pause()
        assert library.entry(pid).decisions == ("read", True, ("a", "b"), "note")
        await pilot.press("u")
        assert library.note(pid) == ""
        await pilot.press("u")
        assert library.tags(pid) == ()
        await pilot.press("u", "u")
        assert library.entry(pid).decisions == ("unread", False, (), "")
        await pilot.press("u")
        assert notified(pilot, "Nothing to undo")
        await pilot.press("ctrl+r", "ctrl+r")
        assert library.entry(pid).decisions == ("read", True, (), "")
        assert row_marker(screen, 0).startswith("★✓")
        await pilot.pause()
    # A record undone to nothing and then redone keeps its bibliographic fields.
    saved = record(on_disk(), ATTENTION)
    assert (saved["state"], saved["bookmarked"]) == ("read", True)
    assert saved["authors"] == ["Ashish Vaswani", "Noam Shazeer"] and saved["arxiv_id"] == "1706.03762"


@pytest.mark.slow
async def test_bulk_marks_what_the_filter_shows_after_a_confirmation(papers_file: Path) -> None:
    async with running(papers_file) as (pilot, screen, library):
        await pilot.press("slash", *"year:2020", "enter")
        await settle(pilot)
        assert sorted(screen.shown_positions()) == [2, 3]
        await pilot.press("A")
        await pilot.pause()
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen) and "2 papers" in confirm.question
        await pilot.press("n")  # declined: nothing changes
        await pilot.pause()
        assert states(screen, library) == ["unread"] * 4
        await pilot.press("A", "y")
        await settle(pilot)
        assert states(screen, library) == ["unread", "unread", "read", "read"]
        await pilot.press("T", *"twenty", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert [library.tags(screen.corpus.paper_id(i)) for i in (2, 3)] == [("twenty",)] * 2
        await pilot.press("u")  # one undo takes back the whole bulk change
        assert [library.tags(screen.corpus.paper_id(i)) for i in (2, 3)] == [()] * 2
        await pilot.press("X", "enter")
        await settle(pilot)
        assert states(screen, library, (2, 3)) == ["skipped"] * 2
        await pilot.press("u")
        assert states(screen, library, (2, 3)) == ["read"] * 2
    data = on_disk()
    assert {record(data, t)["state"] for t in (PLAIN, GPT3)} == {"read"}
    assert ATTENTION not in {r.get("title") for r in data["papers"].values()}


async def test_next_and_previous_unread_wrap_with_a_notice(papers_file: Path) -> None:
    async with running(papers_file) as (pilot, screen, _library):
        await pilot.press("j", "r", "j", "x", "k", "k")  # 1 read, 2 skipped, cursor on 0
        assert current_title(screen) == ATTENTION
        await pilot.press("n")
        assert current_title(screen) == GPT3
        await pilot.press("n")
        assert current_title(screen) == ATTENTION
        assert notified(pilot, "Wrapped to the top")
        await pilot.press("N")
        assert current_title(screen) == GPT3


async def test_note_editor_escape_with_unsaved_text_asks(papers_file: Path) -> None:
    async with running(papers_file) as (pilot, screen, library):
        await pilot.press("e", *"draft", "escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        editor = pilot.app.screen
        assert isinstance(editor, NoteEditor) and editor.query_one(TextArea).text == "draft"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert library.note(screen.corpus.paper_id(0)) == ""


@pytest.mark.slow
async def test_copy_menu_copies_bibtex_url_and_arxiv_id(
    papers_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied: list[str] = []
    async with running(papers_file) as (pilot, screen, _library):
        monkeypatch.setattr(pilot.app, "copy_to_clipboard", copied.append)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CopyMenu)
        await pilot.press("b", "y", "u", "y", "a", "y", "m")
        await pilot.press("y", "down", "down", "enter")  # by the cursor: the third, URL
        await pilot.press("j", "j", "y", "u")  # no link: says so, copies nothing, stays open
        await pilot.pause()
        assert isinstance(pilot.app.screen, CopyMenu)
        assert notified(pilot, "This paper has no URL")
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen
    bibtex, url, arxiv, markdown, by_cursor = copied
    assert bibtex.startswith("@misc{vaswani2017")
    assert "eprint = {1706.03762}" in bibtex and "archivePrefix = {arXiv}" in bibtex
    assert url == by_cursor == "https://arxiv.org/abs/1706.03762"
    assert arxiv == "1706.03762"
    assert markdown == "[Attention Is All You Need](https://arxiv.org/abs/1706.03762)"


async def test_copy_reaches_the_terminal_as_osc52(papers_file: Path) -> None:
    written: list[str] = []
    async with running(papers_file) as (pilot, _screen, _library):
        driver = pilot.app._driver
        assert driver is not None
        original = driver.write

        def spy(data: str) -> None:
            written.append(data)
            original(data)

        driver.write = spy  # type: ignore[method-assign]
        await pilot.press("y", "a")
        await pilot.pause()
        assert pilot.app.clipboard == "1706.03762"
    assert "\x1b]52;c;MTcwNi4wMzc2Mg==\a" in written  # base64 of the arXiv id


@contextmanager
def _no_suspend() -> Iterator[None]:
    # The headless test driver cannot hand the terminal over; the editor runs anyway.
    yield


async def test_external_editor_appends_to_the_note(
    papers_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "fake-editor"
    editor.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'a').write('added by editor\\n')\n")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("EDITOR", str(editor))
    async with running(papers_file) as (pilot, screen, library):
        monkeypatch.setattr(pilot.app, "suspend", _no_suspend)
        await pilot.press("e", *"first", "ctrl+s")
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
        assert library.note(screen.corpus.paper_id(0)) == "first\nadded by editor"
    assert record(on_disk(), ATTENTION)["note"] == "first\nadded by editor"


async def test_external_editor_failure_keeps_the_note(
    papers_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "false")
    async with running(papers_file) as (pilot, screen, library):
        monkeypatch.setattr(pilot.app, "suspend", _no_suspend)
        await pilot.press("E")
        await pilot.pause()
        assert library.note(screen.corpus.paper_id(0)) == ""
        assert notified(pilot, "exited with status 1")


async def test_without_editor_E_opens_the_built_in_editor(papers_file: Path) -> None:
    async with running(papers_file) as (pilot, _screen, _library):
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(pilot.app.screen, NoteEditor)
        assert notified(pilot, "$EDITOR is not set")


async def test_opening_marks_read_unless_configured_off(
    papers_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    for config, expected in [(Config(), "read"), (Config(open_marks_read=False), "unread")]:
        library_path().unlink(missing_ok=True)
        async with running(papers_file, config) as (pilot, screen, library):
            await pilot.press("o")
            await settle(pilot)
            assert states(screen, library, [0]) == [expected]
            await pilot.press("u")  # undoable like any change
            assert states(screen, library, [0]) == ["unread"]
    assert opened == ["https://arxiv.org/abs/1706.03762"] * 2


async def test_export_dialog_writes_the_bookmarked_papers(papers_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "list.bib"
    target.parent.mkdir()
    async with running(papers_file) as (pilot, screen, _library):
        await pilot.press("j", "b", "j", "j", "b", "W")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ExportDialog)
        pilot.app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        # Typing a .md name switches the format to Markdown.
        await pilot.press("W")
        await pilot.pause()
        pilot.app.screen.query_one("#path", Input).value = str(target.with_suffix(".md"))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
    bib = target.read_text()
    assert bib.count("@misc{") == 2
    assert "1512.03385" in bib and "2005.14165" in bib and "1706.03762" not in bib
    markdown = target.with_suffix(".md").read_text()
    assert "[Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385)" in markdown


async def test_a_failing_write_is_shown_kept_and_retried(
    papers_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import paper_tui.library.store as store

    real_write = store.atomic_write

    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    async with running(papers_file) as (pilot, screen, library):
        monkeypatch.setattr(store, "atomic_write", disk_full)
        await pilot.press("b")
        assert not library.flush()  # the write runs on the library's thread: wait for it
        await pilot.pause()
        errors = [n for n in pilot.app._notifications if n.severity == "error"]
        assert any("NOT SAVED" in n.message and "No space left" in n.message for n in errors)
        assert notified(pilot, "kept in memory")  # the library's own notice, at once
        assert library.is_bookmarked(screen.corpus.paper_id(0)) and library.pending
        monkeypatch.setattr(store, "atomic_write", real_write)
        screen._retry_pending()  # what the retry timer does
        assert not library.pending
        await pilot.pause()
        assert notified(pilot, "saved again")
    assert record(on_disk(), ATTENTION)["bookmarked"] is True


async def test_a_broken_library_is_reported_at_start(papers_file: Path) -> None:
    library_path().parent.mkdir(parents=True, exist_ok=True)
    library_path().write_text("this is [not toml", encoding="utf-8")
    async with running(papers_file) as (pilot, _screen, _library):
        await pilot.pause()
        await pilot.press("b")  # the first save after the broken file
        await pilot.pause()
        kept = [p for p in library_path().parent.iterdir() if "not toml" in p.read_text(errors="replace")]
        assert len(kept) == 1 and kept[0] != library_path(), "the broken file was not kept aside"
        # The user is told where it went.
        assert notified(pilot, kept[0].name)
    assert record(on_disk(), ATTENTION)["bookmarked"] is True


def burst(app: Any, *keys: str) -> None:
    """Keys sent at once, as a fast typist or a paste does (pilot.press waits after each)."""
    characters = {"slash": "/", "ctrl+s": "\x13", "enter": "\r", "escape": "\x1b"}
    for key in keys:
        event = events.Key(key, characters.get(key, key))
        event.set_sender(app)
        app._driver.send_message(event)


async def test_keys_typed_right_behind_t_or_e_go_into_the_editor(papers_file: Path) -> None:
    """The burst's later keys reach the app before the editor has opened."""

    async with running(papers_file) as (pilot, screen, _library):
        burst(pilot.app, *"tml")
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, TagEditor) and editor.query_one(Input).value == "ml"
        await pilot.press("escape")
        burst(pilot.app, *"ehi")
        await settle(pilot)
        note = pilot.app.screen
        assert isinstance(note, NoteEditor) and note.query_one(TextArea).text == "hi"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is screen
        burst(pilot.app, *"jk")  # no editor open: plain keys as always
        await settle(pilot)
        assert current_title(screen) == ATTENTION


async def test_a_note_typed_and_saved_in_one_burst_is_saved_whole(papers_file: Path) -> None:
    """``e``, the text and Ctrl+S at once (a paste, a macro): the save waits for the text."""
    async with running(papers_file) as (pilot, screen, library):
        pid = screen.current_paper().id
        burst(pilot.app, *"elost text", "ctrl+s")
        await settle(pilot)
        await pilot.pause()
        assert pilot.app.screen is screen
        assert library.note(pid) == "lost text"
        burst(pilot.app, *"tfast", "enter")
        await settle(pilot)
        await pilot.pause()
        assert pilot.app.screen is screen and library.tags(pid) == ("fast",)


async def test_ctrl_s_right_behind_fast_typing_saves_every_key(papers_file: Path) -> None:
    """Ctrl+S (a priority binding, run on arrival) behind keys still queued for the text area."""
    async with running(papers_file) as (pilot, screen, library):
        pid = screen.current_paper().id
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(pilot.app.screen, NoteEditor)
        burst(pilot.app, *"typed fast", "ctrl+s", "ctrl+s")
        await settle(pilot)
        await pilot.pause()
        assert pilot.app.screen is screen and library.note(pid) == "typed fast"


async def test_a_query_typed_right_behind_slash_goes_into_the_filter(papers_file: Path) -> None:
    async with running(papers_file) as (pilot, screen, library):
        burst(pilot.app, "slash", *"resid")  # s would sort, e would open the note editor
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.filter_bar.input.value == "resid"
        assert [screen.corpus[p].title for p in screen.shown_positions()] == [RESNET]
        assert len(library) == 0
