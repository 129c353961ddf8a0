"""Every fixture loads, detected by content, with its pinned count of papers and
clean Unicode titles and authors.

Counts were checked by hand: `grep -c '<entry>'` for Atom, `grep -c '^TY  -'` (plus
the BOM line) and `grep -c '^ER  -'` for RIS, `wc -l` for the snapshot, the `@`
entries minus `@Proceedings` for BibTeX, `- (` bullets for the Markdown list, JSON
array lengths for the Hugging Face files, data rows for the CSV.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paper_tui.formats import detect_format, load_papers, open_text

FIXTURES = Path(__file__).parent / "fixtures"

COUNTS = {
    "hf_papers_search_target_language.txt": ("hf-page", 119),
    "arxiv_atom/query_testing_100.atom.xml": ("atom", 100),
    "arxiv_atom/query_testing_page1.atom.xml": ("atom", 10),
    "arxiv_atom/query_testing_page2_overlaps.atom.xml": ("atom", 10),
    "arxiv_atom/old_style_id.atom.xml": ("atom", 1),
    "arxiv_atom/title_is_zero.atom.xml": ("atom", 1),
    "arxiv_atom/empty_feed.atom.xml": ("atom", 0),
    "arxiv_atom/format_2016_wrapped.atom.xml": ("atom", 2),
    "arxiv_snapshot/arxiv_metadata_snapshot_200.jsonl": ("arxiv-snapshot", 200),
    "hf_daily_api/daily_papers_2026_layout.json": ("hf-json", 2),
    "hf_daily_api/daily_papers_2024_layout.json": ("hf-json", 4),
    "hf_jsonfeed/hf_papers.jsonfeed.json": ("hf-json", 26),
    "hf_jsonfeed/hf_papers.rss.xml": ("rss", 26),
    "bibtex/pmlr_pgm22.bib": ("bibtex", 37),
    "ris_csv/baseline_bom_crlf.ris": ("ris", 100),
    "ris_csv/scopus.ris": ("ris", 6),
    "ris_csv/utf_chars.ris": ("ris", 1),
    "ris_csv/embase.csv": ("csv", 6),
    "markdown/awesome_llm_evaluation.md": ("markdown", 26),
}

_MATH = re.compile(r"\$[^$]*\$")


def test_every_fixture_is_listed() -> None:
    on_disk = {
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.name != "README.md" and "error_feed" not in p.name
    }
    assert on_disk == set(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_fixture_count_format_and_clean_text(name: str) -> None:
    expected_format, count = COUNTS[name]
    path = str(FIXTURES / name)
    opened = open_text(path)
    with opened.stream:
        # Content decides, not the name: the same head under a bare name is recognized too.
        found = detect_format(opened.head, "input")
    assert found is not None and found.name == expected_format
    result = load_papers([path])
    assert len(result.papers) == count
    assert not result.problems
    for paper in result.papers:
        assert paper.title and paper.id, paper
        assert paper.sources[0].path == path
        shown = _MATH.sub("", paper.title) + " ".join(paper.authors)
        assert not re.search(r"[\\{}]", shown), (paper.title, paper.authors)
        assert "\n" not in paper.title and "  " not in paper.title
        for name_ in paper.authors:
            assert name_ == name_.strip() and "," not in name_, name_  # "First Last", never "Last, First"


def test_empty_feed_is_a_notice_not_an_error() -> None:
    result = load_papers([str(FIXTURES / "arxiv_atom/empty_feed.atom.xml")])
    assert result.papers == []
    assert any("no papers" in notice for notice in result.notices)
