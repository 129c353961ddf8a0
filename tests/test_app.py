"""The app driven as a user drives it: keys in, screen and disk checked."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.content import Content
from textual.widgets import Input, Label, Static

from helpers import run_cli, settle
from paper_tui.app.app import PaperApp
from paper_tui.app.config import Config
from paper_tui.app.screens.help import HelpScreen
from paper_tui.app.screens.main import Inputs, MainScreen
from paper_tui.app.state import session_key
from paper_tui.app.widgets.paper_list import PaperList
from paper_tui.app.widgets.reading_pane import ReadingPane
from paper_tui.corpus import Corpus
from paper_tui.loading import Loader
from paper_tui.model import Source, make_paper, to_json
from paper_tui.paths import sample_path, state_path

SIZE = (120, 40)


def sample_corpus() -> Corpus:
    return Corpus(Loader([str(sample_path())]).load_all())


def main_screen(app: PaperApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def count_text(app: PaperApp) -> str:
    return str(main_screen(app).query_one("#filter-count", Label).content)


def row_text(app: PaperApp, y: int) -> str:
    return main_screen(app).paper_list.render_line(y).text


def pane_title(app: PaperApp) -> str:
    paper = main_screen(app).reading_pane.paper
    assert paper is not None
    return paper.title


def shown_text(widget: Static) -> str:
    """The plain text a Static shows (rendered at its width)."""
    console = Console(width=widget.size.width or 120, record=True, file=io.StringIO())
    content = widget.content
    console.print(content if not isinstance(content, Content) else Text(content.plain))
    return console.export_text()


def write_jsonl(path: Path, papers: list[dict[str, Any]]) -> Path:
    lines = []
    for number, fields in enumerate(papers, 1):
        paper = make_paper(source=Source(str(path), number), **fields)
        lines.append(json.dumps(to_json(paper)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def file_app(path: Path, **kwargs: Any) -> PaperApp:
    inputs = Inputs([str(path)], key=session_key([str(path)]), label=path.name)
    return PaperApp(inputs, **kwargs)


async def test_launch_focuses_list_and_j_j_follows_in_reading_pane() -> None:
    corpus = sample_corpus()
    app = PaperApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, PaperList)
        assert count_text(app) == f"{len(corpus)} / {len(corpus)}"
        assert pane_title(app) == corpus[0].title
        await pilot.press("j", "j")
        await pilot.pause()
        assert pane_title(app) == corpus[2].title
        await pilot.press("k")
        await pilot.pause()
        assert pane_title(app) == corpus[1].title
        await pilot.press("G")
        await pilot.pause()
        assert pane_title(app) == corpus[len(corpus) - 1].title
        await pilot.press("g")
        await pilot.pause()
        assert pane_title(app) == corpus[0].title
        await pilot.press("pagedown")
        await pilot.pause()
        assert main_screen(app).paper_list.cursor > 10


async def test_typing_a_query_narrows_the_list_and_updates_the_count() -> None:
    corpus = sample_corpus()
    app = PaperApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"'speech")
        await settle(pilot)
        shown = main_screen(app).shown_positions()
        assert 0 < len(shown) < len(corpus)
        assert count_text(app) == f"{len(shown)} / {len(corpus)}"
        for position in shown:
            paper = corpus[position]
            assert "speech" in (paper.title + " " + paper.abstract).lower()
        first_title = corpus[shown[0]].title
        assert row_text(app, 0).strip().startswith(first_title[:20].strip())
        assert pane_title(app) == first_title
        await pilot.press("enter")
        assert isinstance(app.focused, PaperList)


async def test_moves_typed_right_behind_a_query_count_on_its_results() -> None:
    """`/query Enter j j` typed in one burst: the moves reach the list before the
    screen has seen the query (its rows are still the old ones), and they still mean
    the query's third result once its rows arrive."""
    corpus = sample_corpus()
    app = PaperApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.filter_bar.input.value = "low-resource"  # Changed is queued, not yet handled
        screen.paper_list.action_cursor_down()
        screen.paper_list.action_cursor_down()
        await settle(pilot)
        shown = screen.shown_positions()
        assert len(shown) < len(corpus)
        assert screen.paper_list.cursor == 2
        assert pane_title(app) == corpus[shown[2]].title
        # A new query afterwards starts at its best result again.
        await pilot.press("slash", "backspace", "backspace", "backspace", "backspace", "enter")
        await settle(pilot)
        assert screen.paper_list.cursor == 0


async def test_escape_leaves_the_filter_then_clears_it() -> None:
    corpus = sample_corpus()
    app = PaperApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"speech")
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.focused, PaperList)
        assert main_screen(app).filter_bar.input.value == "speech"
        await pilot.press("j")  # the second match
        found = main_screen(app).current_paper()
        assert found is not None and found.id != corpus[0].id
        await pilot.press("escape")
        await settle(pilot)
        assert main_screen(app).filter_bar.input.value == ""
        assert count_text(app) == f"{len(corpus)} / {len(corpus)}"
        # Still on the paper found, now among all papers (not back at the top).
        assert main_screen(app).current_paper() == found
        assert main_screen(app).paper_list.cursor == corpus.index_of(found.id)


async def test_enter_reads_the_paper_space_pages_and_h_goes_back() -> None:
    app = PaperApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        paper_list = main_screen(app).paper_list
        await pilot.press("j", "enter")
        pane = main_screen(app).reading_pane
        assert isinstance(app.focused, ReadingPane)
        assert pane.max_scroll_y > 0, "the sample's abstract overflows a narrow pane"
        await pilot.press("space")
        await pilot.pause()
        assert pane.scroll_y > 0
        await pilot.press("shift+space")
        await pilot.pause()
        assert pane.scroll_y == 0
        await pilot.press("j")
        await pilot.pause()
        assert pane.scroll_y == 1
        assert paper_list.cursor == 1, "the list keeps its place while the pane scrolls"
        await pilot.press("h")
        assert isinstance(app.focused, PaperList)
        await pilot.press("l")
        assert isinstance(app.focused, ReadingPane)
        await pilot.press("escape")
        assert isinstance(app.focused, PaperList)


async def test_narrow_terminal_puts_the_pane_below_the_list() -> None:
    app = PaperApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.reading_pane.region.y > screen.paper_list.region.y
        assert screen.reading_pane.region.x == screen.paper_list.region.x
    app = PaperApp()
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.reading_pane.region.x > screen.paper_list.region.x
        assert screen.reading_pane.region.y == screen.paper_list.region.y


async def test_sort_cycles_relevance_file_newest_title(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "papers.jsonl",
        [
            {"title": "Beta transformers", "date": "2021-01-01", "authors": ["B. One"]},
            {"title": "alpha transformers", "date": "2023-05-01", "authors": ["A. Two"]},
            {"title": "Gamma networks", "date": "2022-03-01", "authors": ["C. Three"]},
        ],
    )
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)

        def titles() -> list[str]:
            return [screen.corpus.title(p) for p in screen.shown_positions()]

        assert titles() == ["Beta transformers", "alpha transformers", "Gamma networks"]
        assert screen.status.right.endswith("file order")
        await pilot.press("s")
        await settle(pilot)
        assert titles() == ["alpha transformers", "Gamma networks", "Beta transformers"]
        assert screen.status.right.endswith("newest first")
        await pilot.press("s")
        await settle(pilot)
        assert titles() == ["alpha transformers", "Beta transformers", "Gamma networks"]
        await pilot.press("s")
        await settle(pilot)
        assert titles() == ["Beta transformers", "alpha transformers", "Gamma networks"]
        # With a query, relevance joins the cycle.
        await pilot.press("slash", *"transformers", "enter")
        await settle(pilot)
        assert screen.status.right.endswith("relevance")
        await pilot.press("s")
        await settle(pilot)
        assert screen.status.right.endswith("file order")
        assert titles() == ["Beta transformers", "alpha transformers"]


async def test_reload_keeps_the_cursor_on_the_same_paper(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "papers.jsonl", [{"title": f"Paper number {i}"} for i in range(30)])
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j", "j", "j")
        await pilot.pause()
        assert pane_title(app) == "Paper number 5"
        # A new paper arrives at the top of the file: the paper moves down a row.
        write_jsonl(
            path, [{"title": "A new first paper"}] + [{"title": f"Paper number {i}"} for i in range(30)]
        )
        old_corpus = main_screen(app).corpus
        await pilot.press("R")
        await settle(pilot)
        screen = main_screen(app)
        assert screen.corpus is not old_corpus
        assert len(screen.corpus) == 31
        assert pane_title(app) == "Paper number 5"
        assert screen.paper_list.cursor == 6


async def test_the_status_line_counts_one_paper_in_the_singular(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "one.jsonl", [{"title": "Alone"}])
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert main_screen(app).status.left.startswith("1 paper · ")


async def test_o_and_p_open_the_browser_and_mark_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    from paper_tui.library import Library

    path = write_jsonl(
        tmp_path / "papers.jsonl",
        [{"title": "No links"}, {"title": "On arXiv", "arxiv_id": "2401.01234"}],
    )
    library = Library.open()
    app = file_app(path, library=library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == []
        await pilot.press("j", "o")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert opened == ["https://arxiv.org/abs/2401.01234", "https://arxiv.org/pdf/2401.01234"]
        assert library.state("arxiv:2401.01234") == "read"
        assert "✓" in row_text(app, 1)
    assert "arxiv:2401.01234" in Library.open().path.read_text(encoding="utf-8")


async def test_without_a_browser_the_link_is_copied_and_the_paper_stays_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: False)  # none found
    from paper_tui.library import Library

    library = Library.open()
    app = PaperApp(library=library)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = main_screen(app).current_paper()
        assert paper is not None and paper.page_url
        await pilot.press("o")
        await settle(pilot)
        await pilot.pause(0.2)
        assert library.state(paper.id) == "unread" and copied == [paper.page_url]


async def test_open_marks_read_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: True)
    from paper_tui.library import Library

    library = Library.open()
    app = PaperApp(library=library, config=Config(open_marks_read=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = main_screen(app).current_paper()
        assert paper is not None
        await pilot.press("o")
        await settle(pilot)
        assert library.state(paper.id) == "unread"


@pytest.mark.slow
async def test_position_and_query_are_restored_on_the_next_launch() -> None:
    corpus = sample_corpus()
    app = PaperApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"'speech", "enter")
        await settle(pilot)
        await pilot.press("j", "j", "j")
        await pilot.pause()
        chosen = main_screen(app).current_paper()
        assert chosen is not None
        await pilot.press("q")
    saved = tomllib.loads(state_path().read_text(encoding="utf-8"))
    session = saved["sessions"][session_key([])]
    assert session == {"paper": chosen.id, "query": "'speech", "seen": session["seen"]}

    app = PaperApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.filter_bar.input.value == "'speech"
        assert screen.current_paper() == chosen
        assert len(screen.shown_positions()) < len(corpus)


async def test_query_option_overrides_the_remembered_query() -> None:
    app = PaperApp(query="speech")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert main_screen(app).filter_bar.input.value == "speech"


async def test_hostile_titles_show_inert(tmp_path: Path) -> None:
    title = "[bold]Loud[/bold] [@click=app.quit]quit[/] \\[x]"
    path = write_jsonl(tmp_path / "hostile.jsonl", [{"title": title, "abstract": "[red]not red[/red]"}])
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert title in row_text(app, 0)
        pane = main_screen(app).reading_pane
        text = shown_text(pane.query_one("#paper-text", Static))
        flat = " ".join(text.split())
        assert " ".join(title.split()) in flat and "[red]not red[/red]" in flat
        await pilot.click(PaperList, offset=(10, 0))
        await pilot.pause()
        assert app.is_running


async def test_help_lists_every_binding_with_overrides() -> None:
    app = PaperApp(config=Config(keys={"list.down": "z,down"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await pilot.pause()
        assert main_screen(app).paper_list.cursor == 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = shown_text(app.screen.query_one("#help-table", Static))
        for needle in ("list.down", "z ↓", "main.sort", "pane.page_down", "filter.leave", "app.quit"):
            assert needle in table
        assert "j ↓" not in table.split("Reading pane")[0]
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_a_key_given_to_two_bindings_is_reported() -> None:
    from paper_tui.app.screens.help import keymap_clashes

    app = PaperApp(config=Config(keys={"triage.bookmark": "j"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        clashes = keymap_clashes(app)
        assert any("'j'" in line and "list.down" in line and "triage.bookmark" in line for line in clashes)
        shown = [n.message for n in app._notifications]
        assert any("two bindings" in message for message in shown), shown
    fine = PaperApp(config=Config(keys={"list.down": "z,down", "filter.leave": "escape"}))
    async with fine.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert keymap_clashes(fine) == []


async def test_broken_config_is_a_message_not_a_crash(tmp_path: Path) -> None:
    from paper_tui.app.config import load_config

    broken = tmp_path / "config.toml"
    broken.write_text('theme = "nord"\n[keys\n', encoding="utf-8")
    config, problems = load_config(broken)
    assert config == Config()
    app = PaperApp(config=config, config_problems=problems)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("not valid TOML" in m and str(broken) in m for m in messages)
        assert isinstance(app.focused, PaperList)


@pytest.mark.slow
async def test_theme_from_palette_persists() -> None:
    app = PaperApp(config=Config(theme="nord"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        app.theme = "gruvbox"
        await pilot.pause()
    app = PaperApp(config=Config(theme="nord"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "gruvbox"
    # The config's theme changed since: it wins.
    app = PaperApp(config=Config(theme="dracula"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "dracula"


async def test_q_quits_during_a_load(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "many.jsonl", [{"title": f"Paper {i}"} for i in range(20000)])
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


def app_args(*argv: str) -> argparse.Namespace:
    from paper_tui.cli import build_app_parser

    return build_app_parser().parse_args(list(argv))


async def test_library_option_opens_the_library_alone() -> None:
    from paper_tui.app.run import build_app
    from paper_tui.library import Library

    corpus = sample_corpus()
    library = Library.open()
    library.toggle_bookmark([corpus[3]])
    library.set_state([corpus[7]], "skipped")
    app = build_app(app_args("--library"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert sorted(p.title for p in screen.corpus) == sorted([corpus[3].title, corpus[7].title])
        assert "your library" in screen.status.left
        assert "★" in row_text(app, 0) + row_text(app, 1)


async def test_empty_library_says_so() -> None:
    from paper_tui.app.run import build_app

    app = build_app(app_args("--library"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "library is empty" in row_text(app, 0)


def test_missing_file_is_one_line_before_the_screen(tmp_path: Path) -> None:
    status, out, err = run_cli(str(tmp_path / "nope.jsonl"))
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and "nope.jsonl" in err


def test_without_a_terminal_the_app_says_so_and_exits(tmp_path: Path) -> None:
    env = dict(os.environ, PAPER_TUI_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "paper_tui"],  # the bundled sample
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "needs a terminal" in done.stderr and len(done.stderr.splitlines()) == 1


def test_standard_input_is_refused_by_the_app() -> None:
    status, _, err = run_cli("-")
    assert status == 2 and "standard input" in err and len(err.splitlines()) == 1


async def test_palette_finds_a_paper_by_title_and_goes_there() -> None:
    corpus = sample_corpus()
    target = corpus[40]
    app = PaperApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"'speech", "enter")
        await settle(pilot)
        from paper_tui.app.commands import PaperCommands

        provider = PaperCommands(main_screen(app))
        hits = [hit async for hit in provider.search(target.title[:30])]
        paper_hits = [h for h in hits if h.help == "paper"]
        assert paper_hits and paper_hits[0].text == target.title
        paper_hits[0].command()
        await settle(pilot)
        assert pane_title(app) == target.title
        actions = [hit async for hit in provider.search("sort")]
        assert any("Sort" in str(h.text or h.match_display) for h in actions)


async def test_keys_typed_fast_behind_enter_and_h_land_where_the_focus_went() -> None:
    """A burst, as a fast typist or a paste sends it: every key is queued before the
    first is handled, so a focus change must hold for the keys right behind it."""
    from textual import events

    app = PaperApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = {"'": "apostrophe", "-": "minus", "!": "exclamation_mark", " ": "space"}
        keys = [("enter", "\r"), ("space", " "), ("h", "h"), ("slash", "/")]
        keys += [(names.get(c, c), c) for c in "'low-resource !speech"]
        keys += [("enter", "\r"), ("j", "j"), ("j", "j")]
        for key, character in keys:
            app.post_message(events.Key(key, character))
        await settle(pilot)
        await pilot.pause(0.3)
        screen = main_screen(app)
        assert screen.filter_bar.input.value == "'low-resource !speech"
        assert isinstance(app.focused, PaperList)


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_key_bar_shows_whole_keys_and_always_quit_help_palette(width: int) -> None:
    app = PaperApp()
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        bar = str(main_screen(app).query_one("#key-bar", Static).render()).rstrip()
        assert bar.endswith("q Quit  ? Help  ^p palette"), bar
        assert "…" not in bar
        assert len(bar) <= width
        assert "b Bookmark" in bar
