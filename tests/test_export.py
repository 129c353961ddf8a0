"""Export: BibTeX (escaping, keys, arXiv fields), Markdown, JSON lines, CSV; round trips; the command."""

from __future__ import annotations

import csv
import functools
import io
import json
from pathlib import Path

import bibtexparser
import pytest

from helpers import run_cli
from paper_tui.export import (
    CSV_COLUMNS,
    bibtex_entry,
    bibtex_escape,
    bibtex_key,
    format_for_path,
    markdown_link,
    render,
    to_bibtex,
    to_csv,
    to_jsonl,
    to_markdown,
    unique_keys,
)
from paper_tui.formats import load_papers
from paper_tui.library import Library
from paper_tui.model import Paper, Source, make_paper
from paper_tui.text import latex_to_unicode

SNAPSHOT = Path(__file__).parent / "fixtures" / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl"
PMLR = Path(__file__).parent / "fixtures" / "bibtex" / "pmlr_pgm22.bib"

HOSTILE = "R&D at 100% for $5: #1 {tricks} with a_b, x~y, 2^n, C:\\path -- ''quoted'' --> ok?`"


def make(title: str, authors: tuple[str, ...] = ("Ashish Vaswani",), **fields: str) -> Paper:
    return make_paper(
        title=title,
        authors=authors,
        date=fields.get("date", "2017-06-12"),
        arxiv_id=fields.get("arxiv_id", ""),
        doi=fields.get("doi", ""),
        categories=fields.get("categories", "").split(),
        extras={"venue": fields.get("venue", "")},
        source=Source("t"),
    )


@functools.cache
def _snapshot() -> tuple[Paper, ...]:
    return tuple(load_papers([str(SNAPSHOT)]).papers)  # about a second: LaTeX in 200 abstracts


def snapshot_papers() -> list[Paper]:
    return list(_snapshot())


def latex_to_text(value: str) -> str:
    """The LaTeX reading the BibTeX reader uses."""
    return latex_to_unicode(value)


# -- BibTeX ---------------------------------------------------------------------------


def test_bibtex_escapes_every_special_character() -> None:
    assert bibtex_escape(HOSTILE) == (
        r"R\&D at 100\% for \$5: \#1 \{tricks\} with a\_b, x\textasciitilde{}y, "
        r"2\textasciicircum{}n, C:\textbackslash{}path -{}- '{}'quoted'{}' -{}-> ok?{}`"
    )
    assert latex_to_text(bibtex_escape(HOSTILE)) == HOSTILE
    # Past pylatexenc's length limit the fast reading path must agree (a long note, say).
    long = " ".join([HOSTILE] * 6)
    assert latex_to_text(bibtex_escape(long)) == long


def test_bibtex_keeps_unicode_or_converts_it() -> None:
    title = "Über naïve Bayes in Zürich"
    assert bibtex_escape(title) == title
    converted = bibtex_escape(title, ascii_only=True)
    assert converted.isascii() and "naïve" not in converted
    assert latex_to_text(converted) == title


def test_arxiv_entry_follows_arxiv_conventions() -> None:
    paper = make("Attention Is All You Need", arxiv_id="1706.03762", categories="cs.CL cs.LG")
    entry = bibtex_entry(paper)
    assert entry.startswith("@misc{vaswani2017attention,\n")
    assert "  eprint = {1706.03762},\n" in entry
    assert "  archivePrefix = {arXiv},\n" in entry
    assert "  primaryClass = {cs.CL},\n" in entry
    assert "  url = {https://arxiv.org/abs/1706.03762}\n" in entry
    assert entry.endswith("}\n")


def test_published_paper_without_arxiv_id() -> None:
    paper = make("Deep Residual Learning", authors=("Kaiming He",), doi="10.1109/CVPR.2016.90", venue="CVPR")
    entry = bibtex_entry(paper)
    assert entry.startswith("@article{he2017deep,")
    assert "journal = {CVPR}" in entry and "doi = {10.1109/cvpr.2016.90}" in entry
    assert "eprint" not in entry and "archivePrefix" not in entry


def test_keys_are_lastname_year_first_word_and_unique() -> None:
    assert bibtex_key(make("The Attention Mechanism", authors=("Jürgen Müller",))) == "muller2017attention"
    assert bibtex_key(make("A Survey", authors=("Smith, John",), date="2024")) == "smith2024survey"
    assert bibtex_key(make("On the of", authors=(), date="")) == "on"
    # No author: the title's word first, never a key starting with a digit.
    assert bibtex_key(make("The Attention Mechanism", authors=(), date="2024")) == "attention2024"
    assert bibtex_key(make("", authors=(), date="2024", arxiv_id="2401.01234")) == "paper2024240101234"
    same = [make("Attention again"), make("Attention once more"), make("Attention, a third time")]
    assert unique_keys(same) == ["vaswani2017attention", "vaswani2017attentiona", "vaswani2017attentionb"]
    keys = unique_keys(snapshot_papers())
    assert len(set(keys)) == len(keys) == 200
    assert all(k.isascii() and k.replace("_", "").isalnum() for k in keys)


def test_acronyms_are_protected_and_names_with_and_grouped() -> None:
    entry = bibtex_entry(make("BERT and GPT-4 for LaTeX", authors=("Research and Development Team", "A B")))
    assert "title = {{BERT} and {GPT-4} for {LaTeX}}" in entry
    assert "author = {{Research and Development Team} and A B}" in entry


def test_tags_and_note_go_to_keywords_and_annote() -> None:
    entry = bibtex_entry(make("X"), tags=("llm", "to_read"), note="50% done\nsecond line")
    assert "keywords = {llm, to\\_read}" in entry
    assert "annote = {50\\% done\nsecond line}" in entry


def test_bibtex_parses_back_with_the_same_fields() -> None:
    papers = [*snapshot_papers(), make(HOSTILE, authors=("Zoë O'Brien & Co",), arxiv_id="2401.00001")]
    text = to_bibtex(papers)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == len(papers)
    for paper, entry in zip(papers, library.entries, strict=True):
        title = latex_to_text(entry.fields_dict["title"].value)
        assert title == paper.title
        assert entry.fields_dict["eprint"].value == paper.arxiv_id
        authors = latex_to_text(entry.fields_dict["author"].value).split(" and ")
        assert authors == list(paper.authors)


def test_bibtex_round_trip_through_the_reader(tmp_path: Path) -> None:
    papers = snapshot_papers()
    target = tmp_path / "list.bib"
    target.write_text(to_bibtex(papers), encoding="utf-8")
    back = load_papers([str(target)])
    assert not back.problems
    assert [(p.id, p.title, p.authors) for p in back.papers] == [(p.id, p.title, p.authors) for p in papers]


def test_bibtex_files_keep_their_keys_types_and_venues(tmp_path: Path) -> None:
    papers = load_papers([str(PMLR)]).papers
    text = to_bibtex(papers)
    assert text.startswith("@inproceedings{cobb22,\n")
    assert "  booktitle = {Proceedings of The 11th International Conference on Probabilistic" in text
    target = tmp_path / "again.bib"
    target.write_text(text, encoding="utf-8")
    back = load_papers([str(target)]).papers
    assert [(p.id, p.title, p.authors, p.extra("bibtex_key"), p.extra("venue")) for p in back] == [
        (p.id, p.title, p.authors, p.extra("bibtex_key"), p.extra("venue")) for p in papers
    ]


def test_an_unsafe_original_key_is_cleaned() -> None:
    paper = make_paper(title="T", extras={"bibtex_key": "smith, 2020 {x}"}, source=Source("t"))
    assert bibtex_key(paper) == "smith2020x"


# -- JSON lines, CSV, Markdown ------------------------------------------------------


def test_jsonl_round_trip_through_the_reader(tmp_path: Path) -> None:
    papers = snapshot_papers()
    target = tmp_path / "list.jsonl"
    target.write_text(to_jsonl(papers), encoding="utf-8")
    back = load_papers([str(target)])
    assert not back.problems
    assert [(p.id, p.title, p.authors, p.date, p.links) for p in back.papers] == [
        (p.id, p.title, p.authors, p.date, p.links) for p in papers
    ]


def test_jsonl_has_list_fields_and_the_decisions(tmp_path: Path) -> None:
    paper = make("X", arxiv_id="2401.00001")
    lib = Library.open(tmp_path / "library.toml")
    lib.set_tags([paper], ["a"])
    (line,) = to_jsonl([paper], lib).splitlines()
    data = json.loads(line)
    out, _ = run_cli_list_jsonl(tmp_path, paper)
    assert set(out) | {"library"} == set(data)
    assert data["library"] == {"state": "unread", "bookmarked": False, "tags": ["a"], "note": ""}


def run_cli_list_jsonl(tmp_path: Path, paper: Paper) -> tuple[dict, str]:  # type: ignore[type-arg]
    source = tmp_path / "one.jsonl"
    source.write_text(to_jsonl([paper]), encoding="utf-8")
    status, out, err = run_cli("list", str(source), "--format", "jsonl")
    assert status == 0, err
    return json.loads(out), err


def test_csv_columns_and_values(tmp_path: Path) -> None:
    a = make('Commas, "quotes"\nand lines', authors=("A One", "B Two"), arxiv_id="2401.00001")
    b = make("Plain", doi="10.1000/xyz")
    lib = Library.open(tmp_path / "library.toml")
    lib.toggle_bookmark([a])
    lib.set_note(a, "multi\nline, note")
    lib.set_tags([a], ["x", "y"])
    rows = list(csv.DictReader(io.StringIO(to_csv([a, b], lib))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["title"] == a.title and rows[0]["authors"] == "A One; B Two"
    assert rows[0]["url"] == "https://arxiv.org/abs/2401.00001"
    assert (rows[0]["bookmarked"], rows[0]["tags"], rows[0]["note"]) == ("true", "x; y", "multi\nline, note")
    assert (rows[1]["state"], rows[1]["bookmarked"], rows[1]["doi"]) == ("unread", "false", "10.1000/xyz")


def test_markdown_list_with_links_tags_and_notes(tmp_path: Path) -> None:
    a = make("Brackets [like] *these*", authors=tuple(f"Author {i}" for i in range(7)), arxiv_id="2401.00001")
    b = make("No link at all", authors=(), date="")
    lib = Library.open(tmp_path / "library.toml")
    lib.toggle_bookmark([a])
    lib.set_state([a], "read")
    lib.set_tags([a], ["llm"])
    lib.set_note(a, "first\n\nthird")
    text = to_markdown([a, b], lib)
    assert text.startswith("# Reading list\n\n2 papers\n\n")
    assert (
        "- [Brackets \\[like\\] \\*these\\*](https://arxiv.org/abs/2401.00001) — Author 0, Author 1, "
        "Author 2, Author 3, Author 4 et al. (2017-06-12) · ★ · read · tags: `llm`\n"
        "  > first\n  >\n  > third\n"
    ) in text
    assert "- No link at all\n" in text


def test_markdown_link() -> None:
    assert (
        markdown_link(make("A [b]", arxiv_id="2401.00001")) == r"[A \[b\]](https://arxiv.org/abs/2401.00001)"
    )
    assert markdown_link(make("Bare", authors=())) == "Bare"


def test_render_dispatch_and_format_from_name() -> None:
    paper = make("X")
    assert render([paper], "markdown") == to_markdown([paper])
    assert render([paper], "csv") == to_csv([paper])
    with pytest.raises(ValueError):
        render([paper], "docx")
    assert format_for_path("out/List.BIB") == "bibtex" and format_for_path("a.md") == "markdown"
    assert format_for_path("a.txt") is None


# -- paper-tui export -------------------------------------------------------------------


@pytest.fixture
def library_with_bookmarks() -> Library:
    lib = Library.open()
    papers = snapshot_papers()
    lib.toggle_bookmark(papers[:3])
    lib.set_tags(papers[1:5], ["physics"])
    return lib


def test_export_writes_the_bookmarked_papers(library_with_bookmarks: Library) -> None:
    status, out, err = run_cli("export")
    assert status == 0, err
    assert out.count("@misc{") == 3
    assert "archivePrefix = {arXiv}" in out and "keywords = {physics}" in out


def test_export_query_over_the_library(library_with_bookmarks: Library) -> None:
    status, out, _ = run_cli("export", "--query", "tag:physics", "--format", "jsonl")
    assert status == 0
    assert len(out.splitlines()) == 4


def test_export_files_with_format_from_output_name(library_with_bookmarks: Library, tmp_path: Path) -> None:
    target = tmp_path / "reading.md"
    status, out, err = run_cli("export", str(SNAPSHOT), "--output", str(target))
    assert status == 0 and out == ""
    assert f"wrote 3 papers to {target} (markdown)" in err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Reading list\n\n3 papers\n") and "tags: `physics`" in text
    status, out, _ = run_cli("export", str(SNAPSHOT), "--all", "--format", "csv")
    assert len(list(csv.reader(io.StringIO(out)))) == 201


def test_export_from_a_broken_library_exits_1_and_writes_nothing(isolated_dirs: Path, tmp_path: Path) -> None:
    isolated_dirs.mkdir(parents=True)
    (isolated_dirs / "library.toml").write_text("[papers\nbroken = ", encoding="utf-8")
    target = tmp_path / "out.bib"
    status, out, err = run_cli("export", "--output", str(target))
    assert status == 1 and out == "" and not target.exists()
    assert "library.toml is broken" in err and "nothing written" in err
    # Exporting files still works, but says the library (tags, notes) was not read as it is.
    status, out, err = run_cli("export", str(SNAPSHOT), "--all", "--format", "csv")
    assert status == 1 and len(list(csv.reader(io.StringIO(out)))) == 201 and "broken" in err
    assert (isolated_dirs / "library.toml").read_text(encoding="utf-8").startswith("[papers")  # untouched


def test_export_with_nothing_to_export_says_why(isolated_dirs: Path) -> None:
    status, out, err = run_cli("export")
    assert status == 0 and out == ""
    assert "nothing to export" in err and "no papers in your library" in err
    assert not isolated_dirs.exists()  # a read-only command creates nothing


def test_export_to_an_unwritable_place_fails(library_with_bookmarks: Library, tmp_path: Path) -> None:
    status, _, err = run_cli("export", "--output", str(tmp_path / "missing" / "dir" / "x.bib"))
    assert status == 2 and "cannot write" in err
