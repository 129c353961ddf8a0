"""arXiv snapshot, BibTeX, RIS, CSV and Markdown: fields and the quirks of real files."""

from __future__ import annotations

import json
from pathlib import Path

from paper_tui.formats import load_papers
from paper_tui.formats.common import split_author_list
from paper_tui.model import Paper

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOT = FIXTURES / "arxiv_snapshot/arxiv_metadata_snapshot_200.jsonl"


def _load(path: str | Path) -> list[Paper]:
    return load_papers([str(path)]).papers


def _by_id(papers: list[Paper], pid: str) -> Paper:
    return next(p for p in papers if p.id == pid)


# --- arXiv metadata snapshot ------------------------------------------------------


def test_snapshot_first_record_every_field() -> None:
    first = _load(SNAPSHOT)[0]
    assert first.id == "arxiv:0704.0001"
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert first.date == "2007-04-02"  # versions[0].created, not update_date
    assert first.doi == "10.1103/physrevd.76.013009"
    assert first.categories == ("hep-ph",)
    assert first.extra("comment") == "37 pages, 15 figures; published version"
    assert first.extra("journal_ref") == "Phys.Rev.D76:013009,2007"
    assert first.abstract.startswith("A fully differential calculation")  # leading spaces gone
    assert "\n" not in first.abstract


def test_snapshot_latex_in_titles_and_author_strings_and_suffixes() -> None:
    papers = _load(SNAPSHOT)
    assert _by_id(papers, "arxiv:0704.0019").title.endswith("based on the Gröbner basis")
    assert (
        _by_id(papers, "arxiv:0704.0073").title == "A transcendental approach to Kollár's injectivity theorem"
    )
    assert _by_id(papers, "arxiv:0704.0068").title == "A Note About the Ki(z) Functions"
    # Math stays as written.
    assert (
        _by_id(papers, "arxiv:0704.0005").title == "From dyadic $\\Lambda_{\\alpha}$ to $\\Lambda_{\\alpha}$"
    )
    assert "Neal J. Evans II" in _by_id(papers, "arxiv:0704.0009").authors
    assert _by_id(papers, "arxiv:0704.0002").categories == ("math.CO", "cs.CG")


def test_snapshot_accents_in_authors_parsed_are_converted(tmp_path: Path) -> None:
    # The full Kaggle snapshot keeps LaTeX in authors_parsed too; no \' may survive.
    record = json.loads(SNAPSHOT.read_text(encoding="utf-8").splitlines()[0])
    record["authors_parsed"] = [["Bal\\'azs", "C.", ""], ["M{\\o}ller", "J{\\o}rn", ""]]
    record["versions"] = []
    record["doi"] = None
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (paper,) = _load(path)
    assert paper.authors == ("C. Balázs", "Jørn Møller")
    assert paper.date == "2008-11-26"  # update_date when versions is empty
    assert paper.doi == ""


def test_snapshot_falls_back_to_the_authors_string(tmp_path: Path) -> None:
    record = {
        "id": "0704.0001",
        "title": "T",
        "authors": "C. Bal\\'azs, E. L. Berger and P. M. Nadolsky",
        "categories": "hep-ph",
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
        "update_date": "2008-11-26",
        "authors_parsed": None,
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert _load(path)[0].authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky")


def test_snapshot_bad_line_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4][:50]  # a truncated JSON line
    path = tmp_path / "cut.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load_papers([str(path)])
    assert len(result.papers) == 199
    assert [(p.line, "not JSON" in p.message) for p in result.problems] == [(5, True)]


# --- BibTeX -----------------------------------------------------------------------


def test_bibtex_pmlr_accents_braces_and_proceedings_skipped() -> None:
    papers = _load(FIXTURES / "bibtex/pmlr_pgm22.bib")
    assert papers[0].title.startswith("Limited Memory Influence Diagrams")
    assert papers[0].authors == ("Barry R. Cobb",)
    assert papers[1].title == "Relevance for Robust Bayesian Network MAP-Explanations"  # {B}, {MAP}
    names = {name for p in papers for name in p.authors}
    for expected in ("Jørn M Møller", "František Kratochvíl", "Jiří Vomlel", "Pedro Larrañaga", "Iván Pérez"):
        assert expected in names
    assert "Proceedings" not in " ".join(p.title for p in papers)
    # PMLR entries take their year and venue from the file's @Proceedings.
    assert papers[0].year == 2022
    assert papers[0].extra("venue").startswith("Proceedings of The 11th International Conference")
    assert papers[0].extra("bibtex_key") == "cobb22"
    assert papers[0].abstract.startswith("Limited Memory Influence Diagrams (LIMIDs)")


BIB_WITH_BROKEN_ENTRY = """\ufeff% a BibTeX comment line
@string{jmlr = "Journal of Machine Learning Research"}
@comment{not a paper}
@preamble{"\\newcommand{\\noop}[1]{}"}

@article{good1,
  title = {{BERT}: Pre-training of Deep Bidirectional Transformers},
  author = {Devlin, Jacob AND Chang, Ming-Wei and Lee, Kenton},
  journal = jmlr,
  year = 2019,
  month = jun,
  eprint = {1810.04805},
  archivePrefix = {arXiv},
  keywords = {nlp, pretraining},
}

@article{broken,
  title = {An entry whose brace {never closes,
  author = {Nobody, A.},
  year = {2020}

@inproceedings{good2,
  title = "Sabi{\\'a}: {P}ortuguese Large Language Models",
  author = "Pires, Ramon and de Souza, Jr., Hugo",
  date = {2023-04-16},
  doi = {10.1007/978-3-031-45392-2_15},
  url = {https://example.org/sabia},
  abstract = {We \\emph{continue} pretraining $\\alpha$ models.},
}
"""


def test_bibtex_unclosed_brace_reported_with_line_and_good_entries_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.bib"
    path.write_text(BIB_WITH_BROKEN_ENTRY, encoding="utf-8")
    result = load_papers([str(path)])
    good1, good2 = result.papers
    assert [(p.line, p.path) for p in result.problems] == [(17, str(path))]
    assert "does not close" in result.problems[0].message
    assert good1.id == "arxiv:1810.04805"
    assert good1.title == "BERT: Pre-training of Deep Bidirectional Transformers"
    assert good1.authors == ("Jacob Devlin", "Ming-Wei Chang", "Kenton Lee")
    assert good1.date == "2019-06"  # bare month macro
    assert good1.extra("venue") == "Journal of Machine Learning Research"  # @string macro
    assert good1.extra("keywords") == "nlp, pretraining"
    assert good2.title == "Sabiá: Portuguese Large Language Models"
    assert good2.authors == ("Ramon Pires", "Hugo de Souza Jr.")
    assert good2.date == "2023-04-16"  # BibLaTeX date
    assert good2.id == "doi:10.1007/978-3-031-45392-2_15"
    assert good2.link("url") == "https://example.org/sabia"
    assert good2.abstract == "We continue pretraining $\\alpha$ models."


# --- RIS --------------------------------------------------------------------------


def test_ris_bom_crlf_record_fields() -> None:
    papers = _load(FIXTURES / "ris_csv/baseline_bom_crlf.ris")
    first = papers[0]
    assert first.id == "doi:10.1007/s11307-012-0572-0"
    assert first.authors[:2] == ("Björn A. Blomberg", "Mateen Moghbel")
    assert first.date == "2012-07-03"
    assert first.extra("venue") == "Molecular imaging and biology"
    assert first.link("pdf").endswith("s11307-012-0572-0.pdf")
    assert sum(1 for p in papers if not p.abstract) == 2  # records without an abstract load too


def test_ris_scopus_and_cyrillic_short_title() -> None:
    scopus = _load(FIXTURES / "ris_csv/scopus.ris")
    assert scopus[0].title.startswith("Stress and the brain-gut axis")
    assert scopus[0].authors[0] == "A. Labanski" and scopus[0].year == 2020
    # Scopus writes HTML character references: shown as the characters.
    (ibs,) = [p for p in scopus if "illness anxiety (p" in p.abstract]
    assert "(p < .001, η2 = 0.069)" in ibs.abstract and "&lt;" not in ibs.abstract
    (utf,) = _load(FIXTURES / "ris_csv/utf_chars.ris")
    assert utf.title.startswith("Состояние рецепторного аппарата эндометрия")
    assert utf.id.startswith("title:") and len(utf.id) == len("title:") + 16
    assert utf.authors[0] == "Yu E. Dobrokhotova"


def test_ris_synonyms_continuation_lines_and_missing_end_tag(tmp_path: Path) -> None:
    text = (
        "TY  - JOUR\r\nT1  - First title\r\nA1  - Doe, Jane\r\nN2  - An abstract that\r\n"
        "continues on a line without a tag.\r\nY1  - 2019/05/02/\r\nER  - \r\n\r\n"
        "TY  - JOUR\r\nTI  - Second title\r\nAU  - Roe, Richard\r\nPY  - 2009///\r\nER  -\r\n"
        "TY  - JOUR\r\nTI  - Cut off record\r\nAU  - Poe, E.\r\n"
    )
    path = tmp_path / "cut.ris"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = load_papers([str(path)])
    first, second = result.papers
    assert (first.title, first.authors, first.date) == ("First title", ("Jane Doe",), "2019-05-02")
    assert first.abstract == "An abstract that continues on a line without a tag."
    assert (second.title, second.date) == ("Second title", "2009")
    assert [p.line for p in result.problems] == [14]
    assert "no end tag" in result.problems[0].message


# --- CSV --------------------------------------------------------------------------


def test_csv_embase_columns_and_authors() -> None:
    papers = _load(FIXTURES / "ris_csv/embase.csv")
    first = papers[0]
    assert first.title == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    assert first.authors == ("R. Liu", "D.G. Adler")
    assert first.year == 2014  # from "Endoscopic Ultrasound (2014) 3:3 ..."
    assert first.abstract.startswith("Gastrointestinal tract duplication cysts are rare")
    assert [p.sources[0].line for p in papers] == [2, 3, 4, 5, 6, 7]


ZOTERO = (
    '"Key","Item Type","Publication Year","Author","Title","Publication Title","DOI","Url",'
    '"Abstract Note","Manual Tags"\n'
    '"AB12","journalArticle","2023","Touvron, Hugo; Lavril, Thibaut","LLaMA: Open and Efficient\n'
    'Foundation Language Models","arXiv","10.48550/arXiv.2302.13971","https://arxiv.org/abs/2302.13971",'
    '"We introduce\nLLaMA.","llm; open"\n'
    '"CD34","journalArticle","2020","Doe, Jane","Second paper","J","","","[No abstract available]",""\n'
)


def test_csv_zotero_multiline_cells_and_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "zotero.csv"
    path.write_text(ZOTERO, encoding="utf-8")
    llama, second = _load(path)
    assert llama.id == "arxiv:2302.13971"
    assert llama.title == "LLaMA: Open and Efficient Foundation Language Models"
    assert llama.authors == ("Hugo Touvron", "Thibaut Lavril")
    assert llama.abstract == "We introduce LLaMA." and llama.year == 2023
    assert llama.extra("keywords") == "llm, open"
    assert (second.sources[0].line, second.abstract, second.authors) == (5, "", ("Jane Doe",))


def test_split_author_list_shapes() -> None:
    assert split_author_list("Doe, Jane") == ["Jane Doe"]
    assert split_author_list("Liu R., Adler D.G.") == ["R. Liu", "D.G. Adler"]
    assert split_author_list("Ann Lee and Bo Chen") == ["Ann Lee", "Bo Chen"]
    assert split_author_list("Doe, Jane; Roe, R.") == ["Jane Doe", "R. Roe"]


# --- Markdown ---------------------------------------------------------------------


def test_markdown_bullets_titles_dates_links() -> None:
    papers = _load(FIXTURES / "markdown/awesome_llm_evaluation.md")
    first = papers[0]
    assert (first.id, first.title, first.date) == (
        "arxiv:2209.12356",
        "News Summarization and Evaluation in the Era of GPT-3",
        "2022-09",
    )
    translator = _by_id(papers, "arxiv:2301.08745")
    assert translator.link("code") == "https://github.com/wxjiao/Is-ChatGPT-A-Good-Translator"
    assert _by_id(papers, "arxiv:2301.07597").link("project").startswith("https://github.com/Hello-SimpleAI")
    assert (
        _by_id(papers, "doi:10.1631/fitee.2300089").title == "ChatGPT: potential, prospects, and limitations"
    )
    assert papers[-1].date == "2023-10"


def test_markdown_tables_numbered_items_and_non_papers(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(
        "# Reading list\n- [Contents](#contents)\n\n| Date | Paper | Code |\n|---|---|---|\n"
        "| 2017 | [Attention Is All You Need](https://arxiv.org/abs/1706.03762) "
        "| [code](https://github.com/x/y) |\n"
        "1. [A Survey of Things](https://example.org/paper.pdf) - nice\n"
        "* [paper](https://arxiv.org/abs/2301.00001)\n"
        "```\n- **Not a paper** [x](https://example.org)\n```\n",
        encoding="utf-8",
    )
    attention, survey = _load(path)
    assert (attention.id, attention.title, attention.date) == (
        "arxiv:1706.03762",
        "Attention Is All You Need",
        "2017",
    )
    assert attention.link("code") == "https://github.com/x/y"
    assert survey.title == "A Survey of Things" and survey.link("pdf") == "https://example.org/paper.pdf"
