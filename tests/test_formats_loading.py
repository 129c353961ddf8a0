"""Loading across formats: bad input, safe XML, the same papers from two formats,
the JSON-lines round trip, directories and standard input."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from helpers import run_cli
from paper_tui.corpus import Corpus
from paper_tui.formats import LoadError, load_papers
from paper_tui.model import to_json

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOT = FIXTURES / "arxiv_snapshot/arxiv_metadata_snapshot_200.jsonl"


def _one_line_error(*argv: str) -> str:
    status, out, err = run_cli("list", *argv)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


# --- whole files that cannot be read -------------------------------------------------


def test_truncated_json_names_file_and_line(tmp_path: Path) -> None:
    text = (FIXTURES / "hf_daily_api/daily_papers_2026_layout.json").read_text(encoding="utf-8")
    path = tmp_path / "daily.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    err = _one_line_error(str(path))
    line = text[: len(text) // 2].count("\n") + 1
    assert f"{path}:{line}:" in err and "ends too early" in err


def test_truncated_xml_names_file_and_line(tmp_path: Path) -> None:
    text = (FIXTURES / "arxiv_atom/query_testing_page1.atom.xml").read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    path = tmp_path / "page.atom.xml"
    path.write_text(cut, encoding="utf-8")
    err = _one_line_error(str(path))
    assert f"{path}:" in err and "XML" in err
    line = int(err.split(f"{path}:", 1)[1].split(":", 1)[0])
    assert cut.count("\n") <= line <= cut.count("\n") + 1


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title></entry></feed>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&secret;</title><link>https://x.org</link></item></channel></rss>
"""


@pytest.mark.parametrize(
    ("name", "text", "forced"),
    [
        ("bomb.atom.xml", BILLION_LAUGHS, None),
        ("bomb-forced.xml", BILLION_LAUGHS, "atom"),
        ("xxe.rss.xml", EXTERNAL_ENTITY, None),
        ("dtd.rss.xml", '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://x.org/rss.dtd">\n<rss/>', None),
    ],
)
def test_xml_bombs_external_entities_and_dtds_are_refused(
    tmp_path: Path, name: str, text: str, forced: str | None
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    argv = [str(path)] + (["--input-format", forced] if forced else [])
    err = _one_line_error(*argv)
    assert f"{path}:" in err and "refused" in err
    assert "passwd" not in err.replace("file:///etc/passwd", "") and "lollol" not in err


def test_csv_without_title_column_names_file_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name of thing,Author,Year\nx,y,2020\n", encoding="utf-8")
    err = _one_line_error(str(path), "--input-format", "csv")
    assert str(path) in err and "no title column" in err
    assert "'Name of thing', 'Author', 'Year'" in err


def test_bibtex_problems_reach_the_cli_as_file_line_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_formats_lists import BIB_WITH_BROKEN_ENTRY

    path = tmp_path / "mixed.bib"
    path.write_text(BIB_WITH_BROKEN_ENTRY, encoding="utf-8")
    status, out, err = run_cli("list", str(path), "--strict")
    assert status == 1 and len(out.splitlines()) == 2
    assert f"skipped {path}:17: a BibTeX entry that does not close" in err
    assert "Parsing of" not in capsys.readouterr().err  # bibtexparser's own log stays quiet


# --- the same papers from two formats --------------------------------------------


def _snapshot_records(n: int) -> list[dict[str, object]]:
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()[:n]
    return [json.loads(line) for line in lines]


def _as_bibtex(records: list[dict[str, object]]) -> str:
    out = []
    for i, r in enumerate(records):
        names = " and ".join(f"{p[0]}, {p[1]}" for p in r["authors_parsed"])  # type: ignore[union-attr]
        out.append(
            f"@article{{k{i},\n  title = {{{r['title']}}},\n  author = {{{names}}},\n"
            f"  eprint = {{{r['id']}}},\n  archivePrefix = {{arXiv}},\n}}\n"
        )
    return "\n".join(out)


def _as_ris(records: list[dict[str, object]]) -> str:
    out = []
    for r in records:
        lines = ["TY  - JOUR", f"TI  - {' '.join(str(r['title']).split())}"]
        lines += [f"AU  - {p[0]}, {p[1]}" for p in r["authors_parsed"]]  # type: ignore[union-attr]
        lines += [f"UR  - https://arxiv.org/abs/{r['id']}", "ER  - "]
        out.append("\n".join(lines))
    return "\n".join(out) + "\n"


def test_snapshot_entries_rewritten_as_bibtex_and_ris_get_the_same_ids_and_merge(tmp_path: Path) -> None:
    records = _snapshot_records(40)
    bib = tmp_path / "same.bib"
    bib.write_text(_as_bibtex(records), encoding="utf-8")
    ris = tmp_path / "same.ris"
    ris.write_text(_as_ris(records), encoding="utf-8")
    snapshot = load_papers([str(SNAPSHOT)]).papers[:40]
    from_bib = load_papers([str(bib)]).papers
    from_ris = load_papers([str(ris)]).papers
    assert [p.id for p in from_bib] == [p.id for p in snapshot] == [p.id for p in from_ris]
    assert [p.title for p in from_bib] == [p.title for p in snapshot]
    corpus = Corpus([*snapshot, *from_bib, *from_ris])
    assert len(corpus) == 40
    assert all(len(p.sources) == 3 for p in corpus)
    assert corpus.get("arxiv:0704.0001").authors == (
        "C. Balázs",
        "E. L. Berger",
        "P. M. Nadolsky",
        "C. -P. Yuan",
    )  # type: ignore[union-attr]


def test_title_only_papers_merge_across_formats_by_fingerprint(tmp_path: Path) -> None:
    bib = tmp_path / "t.bib"
    bib.write_text(
        "@article{a, title = {Sabi{\\'a}: {P}ortuguese Large Language Models}}\n", encoding="utf-8"
    )
    md = tmp_path / "t.md"
    md.write_text("# L\n- **Sabiá: Portuguese Large Language Models** [site](https://example.org/s)\n")
    corpus = Corpus(load_papers([str(bib), str(md)]).papers)
    assert len(corpus) == 1 and len(corpus[0].sources) == 2


# --- JSON-lines round trip -------------------------------------------------------


ROUND_TRIP = [
    "arxiv_snapshot/arxiv_metadata_snapshot_200.jsonl",
    "arxiv_atom/query_testing_100.atom.xml",
    "bibtex/pmlr_pgm22.bib",
    "ris_csv/baseline_bom_crlf.ris",
    "ris_csv/embase.csv",
    "hf_daily_api/daily_papers_2024_layout.json",
    "hf_jsonfeed/hf_papers.jsonfeed.json",
    "markdown/awesome_llm_evaluation.md",
]


def test_jsonl_export_loads_back_field_for_field(tmp_path: Path) -> None:
    paths = [str(FIXTURES / name) for name in ROUND_TRIP]
    status, out, err = run_cli("list", "--format", "jsonl", *paths)
    assert status == 0, err
    exported = tmp_path / "all.jsonl"
    exported.write_text(out, encoding="utf-8")
    original = Corpus(load_papers(paths).papers)
    again = load_papers([str(exported)])
    assert not again.problems
    assert len(again.papers) == len(original) > 400
    for before, after in zip(original, again.papers, strict=True):
        assert to_json(after) == to_json(before)


# --- directories and standard input ---------------------------------------------


def test_directory_load_reads_every_list_in_it(tmp_path: Path) -> None:
    for name in (
        "bibtex/pmlr_pgm22.bib",
        "ris_csv/scopus.ris",
        "ris_csv/embase.csv",
        "arxiv_atom/format_2016_wrapped.atom.xml",
        "hf_jsonfeed/hf_papers.rss.xml",
        "markdown/awesome_llm_evaluation.md",
    ):
        target = tmp_path / "lists" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, target)
    status, out, err = run_cli("list", str(tmp_path / "lists"))
    assert status == 0, err
    assert len(out.splitlines()) == 37 + 6 + 6 + 2 + 26 + 25  # the Markdown list names one paper twice


def test_stdin_dash_is_detected_by_content(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (FIXTURES / "ris_csv/scopus.ris").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    status, out, err = run_cli("list", "-", "--format", "jsonl")
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 6 and rows[0]["sources"][0]["file"] == "<stdin>"


def test_forced_format_that_does_not_fit_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_papers([str(FIXTURES / "ris_csv/scopus.ris")], "atom")
    assert "scopus.ris" in str(caught.value)


ATOM = Path(__file__).parent / "fixtures" / "arxiv_atom"


def test_a_directory_with_one_bad_file_loads_the_others_and_names_it() -> None:
    status, out, err = run_cli("list", str(ATOM))
    assert status == 0 and len(out.splitlines()) > 100  # the good feeds' papers
    bad = [line for line in err.splitlines() if "error_feed.atom.xml" in line]
    assert bad == [
        f"paper-tui: {ATOM / 'error_feed.atom.xml'}:9: the arXiv API answered with an error: "
        "incorrect id format for abc: the file was skipped"
    ]
    assert run_cli("list", "--strict", str(ATOM))[0] == 1


def test_one_missing_or_bad_file_of_several_is_skipped_and_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("", encoding="utf-8")
    good = ATOM / "query_testing_page1.atom.xml"
    status, out, err = run_cli("list", str(empty), str(good), str(tmp_path / "nothere.bib"))
    assert status == 0 and out.strip()
    assert "nothere.bib: no such file: the file was skipped" in err
    assert "empty.json" in err and "the file was skipped" in err
    assert "Traceback" not in err


def test_when_no_file_can_be_read_the_first_error_is_the_answer(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("", encoding="utf-8")
    status, out, err = run_cli("list", str(empty), str(ATOM / "error_feed.atom.xml"))
    assert status == 2 and out == "" and len(err.splitlines()) == 1 and "empty.json" in err
    status, out, err = run_cli("list", str(tmp_path / "a.bib"), str(tmp_path / "b.bib"))
    assert status == 2 and "a.bib: no such file" in err
