"""Any input, forced through any format, gives papers, skipped records or one
LoadError: never another exception."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_tui.formats import LoadError, format_names, get_format
from paper_tui.model import Paper

FIXTURES = Path(__file__).parent / "fixtures"

# Pieces of real files, so the fuzzer reaches past the first line of each grammar.
SEEDS = [
    (FIXTURES / "bibtex/pmlr_pgm22.bib").read_text(encoding="utf-8")[:1500],
    (FIXTURES / "ris_csv/scopus.ris").read_text(encoding="utf-8")[:1500],
    (FIXTURES / "ris_csv/embase.csv").read_text(encoding="utf-8")[:1500],
    (FIXTURES / "arxiv_atom/title_is_zero.atom.xml").read_text(encoding="utf-8"),
    (FIXTURES / "hf_daily_api/daily_papers_2026_layout.json").read_text(encoding="utf-8")[:1500],
    (FIXTURES / "arxiv_snapshot/arxiv_metadata_snapshot_200.jsonl").read_text(encoding="utf-8")[:1500],
    (FIXTURES / "markdown/awesome_llm_evaluation.md").read_text(encoding="utf-8")[:1500],
    '[{"paper": {"id": null, "title": 5, "authors": [1, {"name": null}]}}]',
    '{"version": "https://jsonfeed.org/version/1", "items": [1, {"id": 2}]}',
]

ALPHABET = st.sampled_from(list("{}[]()<>@%$\\\"',;:=-|*_#&\n\r\t aZ09é\u202e"))


@st.composite
def inputs(draw: st.DrawFn) -> str:
    seed = draw(st.sampled_from(SEEDS))
    start = draw(st.integers(0, len(seed)))
    end = draw(st.integers(start, len(seed)))
    noise = draw(st.text(ALPHABET, max_size=40))
    where = draw(st.integers(0, end - start))
    piece = seed[start:end]
    return piece[:where] + noise + piece[where:]


def _parse(name: str, text: str) -> list[Paper]:
    problems: list[tuple[int, str]] = []
    papers = list(get_format(name).parse(io.StringIO(text), "fuzz", lambda n, r: problems.append((n, r))))
    assert all(line >= 0 and reason for line, reason in problems)
    return papers


@pytest.mark.parametrize("name", format_names())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=inputs())
def test_any_input_gives_papers_problems_or_one_load_error(name: str, text: str) -> None:
    try:
        papers = _parse(name, text)
    except LoadError as error:
        assert error.path == "fuzz" and error.message
        return
    for paper in papers:
        assert paper.title or paper.id
        assert "\x1b" not in paper.title and "\u202e" not in paper.title
