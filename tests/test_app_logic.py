"""The app's pure logic, without the app: config, state, sort orders, status text."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from paper_tui.app.app import PaperApp
from paper_tui.app.config import Config, load_config, parse_config
from paper_tui.app.sorting import Sorter, effective_sort, next_sort
from paper_tui.app.state import LIBRARY_KEY, SAMPLE_KEY, Session, StateStore, session_key
from paper_tui.app.widgets.status_line import human_bytes, progress_text
from paper_tui.corpus import Corpus
from paper_tui.model import Source, make_paper


def test_missing_config_is_the_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.toml") == (Config(), [])


def test_config_reads_every_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'theme = "nord"\nfiles = ["~/a.jsonl", "/b.bib"]\nopen_marks_read = false\n'
        '[keys]\n"list.down" = "z,ctrl+n"\n"main.sort" = ["S", "f2"]\n',
        encoding="utf-8",
    )
    config, problems = load_config(path)
    assert problems == []
    assert config.theme == "nord"
    assert config.files == (str(Path("~/a.jsonl").expanduser()), "/b.bib")
    assert config.open_marks_read is False
    assert config.keys == {"list.down": "z,ctrl+n", "main.sort": "S,f2"}


def test_broken_config_gives_defaults_and_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = \n", encoding="utf-8")
    config, problems = load_config(path)
    assert config == Config()
    assert len(problems) == 1 and problems[0].startswith(f"{path}: not valid TOML")


def test_wrong_settings_are_named_and_the_rest_applies() -> None:
    config, problems = parse_config(
        {"theme": 3, "files": 5, "open_marks_read": "yes", "keys": {"a": 1, "b": "x"}, "colour": "red"}
    )
    assert config == Config(keys={"b": "x"})
    joined = "\n".join(problems)
    for name in ("theme", "files", "open_marks_read", "[keys] a", "unknown setting 'colour'"):
        assert name in joined


def test_session_key_is_stable_and_order_free(tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.bib"), str(tmp_path / "b.bib")
    assert session_key([a, b]) == session_key([b, a]) == f"{a} + {b}"
    assert session_key([]) == SAMPLE_KEY
    assert session_key([a], library=True) == LIBRARY_KEY
    os.chdir(tmp_path)
    assert session_key(["a.bib"]) == a


def test_state_round_trip_and_atomic_file(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state" / "state.toml")
    assert store.session("x") == Session()
    store.save_session("x", Session("arxiv:2401.00001", "llm !speech"))
    store.save_session("y", Session("doi:10.1/x", ""))
    assert store.session("x") == Session("arxiv:2401.00001", "llm !speech")
    data = tomllib.loads(store.path.read_text(encoding="utf-8"))
    assert set(data["sessions"]) == {"x", "y"}
    assert [p.name for p in store.path.parent.iterdir()] == ["state.toml"], "no temporary file left"


def test_corrupt_state_is_set_aside_reported_and_started_afresh(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.toml")
    damaged = '[ui]\ntheme = "nord"\n[sessions."/a b.jsonl"]\npaper = "arxiv:2401'
    store.path.write_text(damaged, encoding="utf-8")
    assert store.session("x") == Session()
    (aside,) = tmp_path.glob("state.toml.broken-*")
    assert aside.read_text(encoding="utf-8") == damaged, "kept as it was"
    (notice,) = store.take_notices()
    assert "damaged" in notice and aside.name in notice and store.take_notices() == []
    store.save_session("x", Session("p", "q"))
    assert store.session("x") == Session("p", "q")
    assert aside.read_text(encoding="utf-8") == damaged


def test_corrupt_state_that_cannot_be_moved_is_never_written_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(tmp_path / "state.toml")
    store.path.write_bytes(b"\xff\xfe not utf-8")

    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert store.theme("nord") == "nord"
    store.save_theme("gruvbox", "nord")
    assert store.path.read_bytes() == b"\xff\xfe not utf-8"
    assert "could not be moved aside" in store.take_notices()[0]


async def test_the_app_reports_a_damaged_state_file(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.toml")
    store.path.write_text("theme = ", encoding="utf-8")
    app = PaperApp(state=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("damaged" in message for message in shown), shown


def test_theme_choice_wins_until_the_config_theme_changes(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.toml")
    assert store.theme("nord") == "nord"
    assert store.theme(None) is None
    store.save_theme("gruvbox", "nord")
    assert store.theme("nord") == "gruvbox"
    assert store.theme("dracula") == "dracula"


def _corpus() -> Corpus:
    rows = [("beta", "2021"), ("Ángel", "2023-05-01"), ("gamma", ""), ("alpha", "2023-05-01")]
    return Corpus(make_paper(title=t, date=d, source=Source("x", i)) for i, (t, d) in enumerate(rows))


def test_sort_cycle_offers_relevance_only_with_a_query() -> None:
    assert next_sort("relevance", True) == "file"
    assert next_sort("file", True) == "newest"
    assert next_sort("newest", True) == "title"
    assert next_sort("title", True) == "relevance"
    assert next_sort("title", False) == "file"
    assert next_sort("relevance", False) == "file"
    assert effective_sort("relevance", False) == "file"


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("relevance", [2, 0, 3]),
        ("file", [0, 2, 3]),
        ("newest", [3, 0, 2]),  # equal dates keep file order; undated last
        ("title", [3, 0, 2]),
    ],
)
def test_sorter_orders_a_result(order: str, expected: list[int]) -> None:
    assert list(Sorter(_corpus()).sort([2, 0, 3], order)) == expected


def test_sorter_whole_corpus_and_rebuild_on_change() -> None:
    corpus = _corpus()
    sorter = Sorter(corpus)
    assert list(sorter.sort(range(4), "title", whole=True)) == [3, 1, 0, 2]  # accents folded: Á = a
    corpus.add(make_paper(title="0 first", source=Source("x", 9)))
    assert list(sorter.sort(range(5), "title", whole=True))[:1] == [4]


def test_progress_text() -> None:
    assert human_bytes(999) == "999 B"
    assert human_bytes(1_234_567) == "1.2 MB"
    text = progress_text(120_000, 40_000_000, 1_200_000_000, 52_000.0, 83.0)
    assert text == "Loading 120,000 papers · 40.0 MB / 1.2 GB (3%) · 52,000/s · 1 min 23 s left"
    assert progress_text(0, 0, 0, 0.0, None) == "Loading 0 papers"
