"""The library store: round trips, the TOML on disk, undo/redo, merging, schema 0."""

from __future__ import annotations

import threading
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_tui.library import STATES, Entry, Library, merge, normalize_tags, parse_tags
from paper_tui.library.entry import normalize_note
from paper_tui.model import Paper, Source, make_paper
from paper_tui.paths import cache_dir, library_path


def paper(n: int, **fields: str) -> Paper:
    """A paper with an arXiv id made from ``n``."""
    return make_paper(
        title=fields.get("title", f"Paper number {n}"),
        authors=["Ada Lovelace", "Alan Turing"],
        arxiv_id=f"2401.{n:05d}",
        date="2024-01-15",
        links={"code": f"https://github.com/example/p{n}"},
        categories=["cs.CL", "cs.LG"],
        source=Source("test.jsonl", n),
    )


@pytest.fixture
def lib_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "library.toml"


def on_disk(path: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_new_library_is_empty_and_creates_nothing(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    assert len(lib) == 0
    assert lib.state("arxiv:2401.00001") == "unread"
    assert lib.entry("arxiv:2401.00001") == Entry("arxiv:2401.00001")
    assert not lib_path.parent.exists()
    assert lib.notices == []


def test_default_path_is_the_data_dir(isolated_dirs: Path) -> None:
    lib = Library.open()
    assert lib.path == library_path() == isolated_dirs / "library.toml"


def test_every_change_is_saved_at_once_as_readable_toml(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    p = paper(1)
    assert lib.toggle_bookmark([p]) == "bookmarked 1 paper"
    assert lib.set_state([p], "read") == "marked 1 paper read"
    said = lib.set_tags([p], ["llm", "machine  learning", "LLM", ""])
    assert said == "tagged 1 paper: llm, machine-learning"
    assert lib.set_note(p, "first line\r\nsecond line\n\n") == "saved the note"

    data = on_disk(lib_path)
    assert data["schema"] == 1
    record = data["papers"]["arxiv:2401.00001"]
    assert record["state"] == "read"
    assert record["bookmarked"] is True
    assert record["tags"] == ["llm", "machine-learning"]
    assert record["note"] == "first line\nsecond line"
    assert record["title"] == "Paper number 1"
    assert record["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert record["date"] == "2024-01-15"
    assert record["arxiv_id"] == "2401.00001"
    assert record["categories"] == ["cs.CL", "cs.LG"]
    assert record["links"] == {"code": "https://github.com/example/p1"}
    assert record["updated"].tzinfo is not None and record["updated"].microsecond >= 0
    assert "abstract" not in record
    text = lib_path.read_text(encoding="utf-8")
    assert '[papers."arxiv:2401.00001"]' in text
    assert 'note = """\nfirst line\nsecond line"""' in text


def test_round_trip_through_a_fresh_open(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    a, b = paper(1), paper(2)
    lib.toggle_bookmark([a])
    lib.set_state([b], "skipped")
    lib.set_tags([a, b], ["x", "y"])
    lib.set_note(b, 'quotes """ and \\ backslash\nand a tab\t')
    again = Library.open(lib_path)
    for pid in (a.id, b.id):
        assert again.entry(pid) == lib.entry(pid)
    assert again.is_bookmarked(a.id) and not again.is_bookmarked(b.id)
    assert again.state(b.id) == "skipped"
    assert again.note(b.id) == 'quotes """ and \\ backslash\nand a tab'
    assert again.tags(a.id) == ("x", "y")


def test_default_records_are_not_stored(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    a, b = paper(1), paper(2)
    lib.toggle_bookmark([a, b])
    lib.toggle_bookmark([a])  # off again: a has no decision left
    assert set(on_disk(lib_path)["papers"]) == {b.id}
    assert a.id not in lib and b.id in lib


def test_toggles_on_a_selection(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    a, b = paper(1), paper(2)
    lib.toggle_bookmark([a])
    # Not all bookmarked: the toggle bookmarks all (one more changes).
    assert lib.toggle_bookmark([a, b]) == "bookmarked 1 paper"
    assert lib.toggle_bookmark([a, b]) == "removed the bookmark from 2 papers"
    assert lib.toggle_read([a]) == "marked 1 paper read"
    assert lib.toggle_read([a, b]) == "marked 1 paper read"
    assert lib.toggle_read([a, b]) == "marked 2 papers unread"
    assert lib.set_state([a], "unread") == "nothing to change"
    assert lib.toggle_bookmark([]) == "no paper selected"
    with pytest.raises(ValueError):
        lib.set_state([a], "done")
    assert STATES == ("unread", "read", "skipped")


def test_tags_add_remove_and_completion_order(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    a, b, c = paper(1), paper(2), paper(3)
    lib.set_tags([a], ["rare"])
    assert lib.add_tags([a, b, c], ["common"]) == "tagged 3 papers: common"
    lib.add_tags([b, c], ["middle"])
    assert lib.tags(a.id) == ("rare", "common")
    assert lib.all_tags() == ["common", "middle", "rare"]
    assert lib.remove_tags([a, b, c], ["COMMON"]) == "removed tag COMMON from 3 papers"
    assert lib.all_tags() == ["middle", "rare"]
    assert parse_tags(" a, b c ,, A ") == ("a", "b-c")


def test_undo_redo_every_change_including_bulk(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    papers = [paper(n) for n in range(1, 6)]
    lib.set_note(papers[0], "keep me")
    lib.set_state(papers, "read")
    lib.add_tags(papers, ["batch"])
    assert lib.undo() == "undid: tagged 5 papers: batch"
    assert all(lib.tags(p.id) == () for p in papers)
    assert lib.undo() == "undid: marked 5 papers read"
    assert all(lib.state(p.id) == "unread" for p in papers)
    assert lib.note(papers[0].id) == "keep me"
    # Undo is saved like any change.
    assert set(on_disk(lib_path)["papers"]) == {papers[0].id}
    assert lib.redo() == "redid: marked 5 papers read"
    assert lib.redo() == "redid: tagged 5 papers: batch"
    assert lib.redo() is None
    reopened = Library.open(lib_path)
    assert all(reopened.state(p.id) == "read" and reopened.tags(p.id) == ("batch",) for p in papers)
    assert lib.undo() and lib.undo() and lib.undo() == "undid: saved the note"
    assert lib.undo() is None
    assert on_disk(lib_path).get("papers", {}) == {}
    # A new change forgets what could be redone.
    lib.redo()
    lib.toggle_bookmark([papers[1]])
    assert lib.redo() is None


def test_redo_after_undo_to_nothing_keeps_the_bibliographic_fields(lib_path: Path) -> None:
    """Undo drops a record that went back to default; redo must bring back its title,
    authors and ids from the history, not rebuild it from a blank record."""
    lib = Library.open(lib_path)
    a, b = paper(1), paper(2)
    lib.toggle_bookmark([a])
    lib.set_state([a, b], "read")
    lib.undo()
    lib.undo()
    assert len(lib) == 0 and on_disk(lib_path).get("papers", {}) == {}
    lib.redo()
    lib.redo()
    for p in (a, b):
        entry = lib.entry(p.id)
        assert (entry.title, entry.authors, entry.arxiv_id, entry.date) == (
            p.title,
            p.authors,
            p.arxiv_id,
            p.date,
        )
        saved = on_disk(lib_path)["papers"][p.id]
        assert saved["title"] == p.title and saved["arxiv_id"] == p.arxiv_id
    (back_a, back_b) = sorted(Library.open(lib_path).papers(), key=lambda x: x.id)
    assert (back_a.title, back_b.title) == (a.title, b.title)
    assert lib.entry(a.id).decisions == ("read", True, (), "")


def test_version_grows_on_every_change(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    seen = [lib.version]
    lib.toggle_bookmark([paper(1)])
    seen.append(lib.version)
    lib.undo()
    seen.append(lib.version)
    lib.set_state([paper(1)], "unread")  # no change
    seen.append(lib.version)
    assert seen[0] < seen[1] < seen[2] == seen[3]


def test_papers_come_back_from_stored_fields(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    a = paper(1)
    lib.toggle_bookmark([a])
    (back,) = Library.open(lib_path).papers()
    assert (back.id, back.title, back.authors, back.date, back.arxiv_id) == (
        a.id,
        a.title,
        a.authors,
        a.date,
        a.arxiv_id,
    )
    assert dict(back.links) == dict(a.links)
    assert back.categories == a.categories
    assert back.sources == (Source(str(lib_path)),)


def test_merge_takes_newest_per_paper() -> None:
    old = Entry("p", state="read", updated="2026-01-01T00:00:00.000000+00:00")
    new = Entry("p", state="skipped", updated="2026-01-02T00:00:00.000000+00:00")
    other = Entry("q", bookmarked=True, updated="2026-01-01T00:00:00.000000+00:00")
    merged, kept = merge({"p": new, "q": other}, {"p": old}, {"p"})
    assert merged == {"p": new, "q": other} and kept == set()
    merged, kept = merge({"p": old}, {"p": new, "q": other}, {"p"})
    # q was not changed here: the disk (which has no q) wins for it.
    assert merged == {"p": new} and kept == {"p"}


def test_merge_takes_each_decision_from_the_side_that_changed_it() -> None:
    base = Entry("p", state="read", tags=("a",), updated="2026-01-01T00:00:00.000000+00:00")
    mine = replace(base, tags=("a", "b"), updated="2026-01-03T00:00:00.000000+00:00")
    theirs = replace(base, state="skipped", bookmarked=True, updated="2026-01-02T00:00:00.000000+00:00")
    merged, kept = merge({"p": theirs}, {"p": mine}, {"p"}, {"p": base})
    assert merged["p"].decisions == ("skipped", True, ("a", "b"), "")
    assert merged["p"].updated == mine.updated and kept == {"p"}
    # Both changed the note: the newer record's wins; the rest still merges.
    mine_note = replace(base, note="mine", updated="2026-01-02T00:00:00.000000+00:00")
    theirs_note = replace(base, note="theirs", state="unread", updated="2026-01-04T00:00:00.000000+00:00")
    merged, _ = merge({"p": theirs_note}, {"p": mine_note}, {"p"}, {"p": base})
    assert merged["p"].decisions == ("unread", False, ("a",), "theirs")
    # The other instance dropped the record (back to default) while this one tagged it.
    merged, _ = merge({}, {"p": mine}, {"p"}, {"p": base})
    assert merged["p"].decisions == ("unread", False, ("a", "b"), "")


def test_two_instances_changing_one_paper_keep_both_changes(lib_path: Path) -> None:
    one = Library.open(lib_path)
    two = Library.open(lib_path)
    assert "skip" in one.set_state([paper(1)], "skipped")
    assert "tag" in two.set_tags([paper(1)], ["fromtwo"])  # two has not seen one's skip
    on_disk = tomllib.loads(lib_path.read_text())
    assert repr(on_disk).count("fromtwo") == 1 and "skipped" in repr(on_disk)
    assert two.state(paper(1).id) == "skipped" and two.tags(paper(1).id) == ("fromtwo",)
    one.reload()
    assert one.state(paper(1).id) == "skipped" and one.tags(paper(1).id) == ("fromtwo",)
    # Then both bookmark it differently minded: the later change wins that decision only.
    one.set_bookmark([paper(1)], True)
    two.set_note(paper(1), "a note from two")
    final = Library.open(lib_path)
    assert final.is_bookmarked(paper(1).id) and final.note(paper(1).id) == "a note from two"
    assert final.state(paper(1).id) == "skipped" and final.tags(paper(1).id) == ("fromtwo",)


def test_reload_sees_another_instance(lib_path: Path) -> None:
    one = Library.open(lib_path)
    two = Library.open(lib_path)
    one.toggle_bookmark([paper(1)])
    assert two.disk_changed()
    version = two.version
    assert two.reload() is True
    assert two.is_bookmarked(paper(1).id) and two.version > version
    assert two.reload() is False
    # Both keep each other's work when writing in turn without reloading.
    two.set_state([paper(2)], "read")
    one.set_state([paper(3)], "skipped")
    final = Library.open(lib_path)
    assert final.is_bookmarked(paper(1).id)
    assert final.state(paper(2).id) == "read"
    assert final.state(paper(3).id) == "skipped"
    # And a removal made in one instance is not resurrected by the other's next write.
    one.toggle_bookmark([paper(1)])
    two.set_note(paper(4), "hello")
    final = Library.open(lib_path)
    assert not final.is_bookmarked(paper(1).id) and final.note(paper(4).id) == "hello"


def test_schema_0_is_read_and_upgraded(lib_path: Path) -> None:
    lib_path.parent.mkdir(parents=True)
    old = (
        'bookmarks = ["arxiv:2401.00001", "doi:10.1000/xyz"]\n'
        'read = ["arxiv:2401.00001"]\n'
        'skipped = ["arxiv:2401.00002"]\n'
        "[tags]\n"
        '"arxiv:2401.00002" = ["later", "maybe"]\n'
        "[notes]\n"
        '"doi:10.1000/xyz" = "a note\\nover two lines"\n'
    )
    lib_path.write_text(old, encoding="utf-8")
    lib = Library.open(lib_path)
    assert lib.is_bookmarked("arxiv:2401.00001") and lib.state("arxiv:2401.00001") == "read"
    assert lib.state("arxiv:2401.00002") == "skipped"
    assert lib.tags("arxiv:2401.00002") == ("later", "maybe")
    assert lib.note("doi:10.1000/xyz") == "a note\nover two lines"
    assert any("upgraded from schema 0" in n for n in lib.notices)
    data = on_disk(lib_path)
    assert data["schema"] == 1
    assert data["papers"]["doi:10.1000/xyz"]["bookmarked"] is True
    assert (lib_path.parent / "library.toml.schema0").read_text(encoding="utf-8") == old
    # The upgraded file opens quietly.
    assert Library.open(lib_path).notices == []


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(min_size=1, max_size=60),
    note=st.text(max_size=200),
    tags=st.lists(st.text(max_size=15), max_size=5),
    pid=st.text(min_size=1, max_size=30),
)
def test_any_text_survives_the_file(tmp_path: Path, title: str, note: str, tags: list[str], pid: str) -> None:
    path = tmp_path / "prop" / "library.toml"
    if path.exists():
        path.unlink()
    p = replace(paper(1), id=pid, title=title)
    lib = Library.open(path)
    lib.set_note(p, note)
    lib.add_tags([p], tags)
    lib.toggle_bookmark([p])
    again = Library.open(path)
    assert again.notices == []
    assert again.entry(pid) == lib.entry(pid)
    assert again.note(pid) == normalize_note(note)
    assert again.tags(pid) == normalize_tags(tags)
    assert again.papers()[0].title == title


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the TOML was parsed although a cached copy of it exists")

    monkeypatch.setattr("paper_tui.library.disk.decode", refuse)


def test_a_cached_parse_opens_the_same_library(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = Library.open(lib_path)
    lib.set_note(paper(1), "cached\nnote")
    lib.add_tags([paper(1), paper(2)], ["a", "b"])
    lib.close()
    expected = {pid: lib.entry(pid) for pid in lib.ids()}
    with monkeypatch.context() as patch:
        _no_parsing(patch)
        cached = Library.open(lib_path)
        assert {pid: cached.entry(pid) for pid in cached.ids()} == expected
        cached.toggle_bookmark([paper(3)])  # and it saves as usual
    assert Library.open(lib_path).is_bookmarked(paper(3).id)


def test_a_cached_parse_is_never_used_for_other_bytes(lib_path: Path) -> None:
    lib = Library.open(lib_path)
    lib.toggle_bookmark([paper(1)])
    lib.close()
    text = lib_path.read_text().replace("bookmarked = true", 'bookmarked = true\nnote = "by hand"')
    lib_path.write_text(text)
    assert Library.open(lib_path).note(paper(1).id) == "by hand"
    # A damaged cache is ignored too.
    (cache,) = cache_dir().glob("library-*.json")
    cache.write_text("{not json")
    assert Library.open(lib_path).note(paper(1).id) == "by hand"


def test_reading_from_another_thread_while_changing(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Search runs in worker threads and walks the records while the UI thread changes them.
    papers = [paper(n) for n in range(1000)]
    lib = Library.open(lib_path)
    monkeypatch.setattr(lib, "_save", lambda: True)  # only the in-memory side is under test
    errors: list[Exception] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                lib.ids()
                lib.entries()
            except RuntimeError as error:  # "dictionary changed size during iteration"
                errors.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for k in range(30):
            start = (k * 37) % 700
            lib.add_tags(papers[start : start + 300], [f"t{k}"])
    finally:
        stop.set()
        reader.join()
    assert errors == []
