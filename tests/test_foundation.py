"""The seed's format, the bundled sample, `paper-tui list`, identity, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli
from paper_tui.formats import load_papers
from paper_tui.identity import normalize_doi, paper_id, parse_arxiv_id, title_fingerprint
from paper_tui.paths import sample_path

FIRST_TITLE = "Registering Source Tokens to Target Language Spaces in Multilingual Neural Machine Translation"


def test_sample_gives_119_papers_first_title_exact() -> None:
    result = load_papers([str(sample_path())])
    assert len(result.papers) == 119
    assert result.papers[0].title == FIRST_TITLE
    assert not result.problems
    assert all(p.title and p.abstract for p in result.papers)
    assert not any(p.title.startswith("Subscribe") or "trending papers" in p.title for p in result.papers)


def test_sample_code_links_surface_from_abstract() -> None:
    papers = load_papers([str(sample_path())]).papers
    assert papers[0].link("code") == "https://github.com/zhiqu22/mitre"
    assert sum(1 for p in papers if p.link("code")) >= 5


def test_list_prints_119_rows() -> None:
    status, out, err = run_cli("list")
    assert status == 0, err
    lines = out.splitlines()
    assert len(lines) == 119
    assert FIRST_TITLE in lines[0]


def test_jsonl_fields_and_stable_ids_across_crlf_and_bom(tmp_path: Path) -> None:
    status, out, _ = run_cli("list", "--format", "jsonl")
    assert status == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 119
    for row in rows:
        for key in (
            "id",
            "title",
            "authors",
            "abstract",
            "date",
            "arxiv_id",
            "doi",
            "links",
            "categories",
            "sources",
        ):
            assert key in row
        assert row["title"] and row["abstract"]
        assert isinstance(row["authors"], list) and isinstance(row["links"], dict)
        assert row["sources"][0]["line"] > 0
    assert len({r["id"] for r in rows}) == 119

    # A second run gives the same ids; so does the file with CRLF, a BOM and no final newline.
    _, again, _ = run_cli("list", "--format", "jsonl")
    assert [json.loads(x)["id"] for x in again.splitlines()] == [r["id"] for r in rows]
    text = sample_path().read_text(encoding="utf-8").rstrip("\n")
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    _, out_crlf, _ = run_cli("list", "--format", "jsonl", str(crlf))
    assert [json.loads(x)["id"] for x in out_crlf.splitlines()] == [r["id"] for r in rows]


def test_title_without_abstract_and_blank_lines_do_not_shift_pairs(tmp_path: Path) -> None:
    lines = sample_path().read_text(encoding="utf-8").splitlines()
    # Drop the abstract of the 3rd paper (line 8) and add blank lines elsewhere.
    broken = [*lines[:7], "", *lines[8:20], "", "", *lines[20:]]
    path = tmp_path / "broken.txt"
    path.write_text("\n".join(broken), encoding="utf-8")
    papers = load_papers([str(path)]).papers
    original = load_papers([str(sample_path())]).papers
    assert len(papers) == 119
    assert papers[2].title == original[2].title and papers[2].abstract == ""
    for new, old in zip(papers[3:], original[3:], strict=True):
        assert (new.title, new.abstract) == (old.title, old.abstract)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.01234", "2401.01234"),
        ("2401.01234v3", "2401.01234"),
        ("arXiv:1111.2011v2", "1111.2011"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("astro-ph/0601001v1", "astro-ph/0601001"),
        ("http://arxiv.org/abs/math.GT/0309136v2", "math.GT/0309136"),
        ("https://arxiv.org/pdf/2305.10403v2.pdf", "2305.10403"),
        ("https://huggingface.co/papers/2502.05235", "2502.05235"),
        ("10.48550/arXiv.2302.13971", "2302.13971"),
        ("https://doi.org/10.48550/ARXIV.2302.13971", "2302.13971"),
        ("not an id 12345", ""),
        ("", ""),
    ],
)
def test_arxiv_ids(text: str, expected: str) -> None:
    assert parse_arxiv_id(text) == expected


def test_paper_id_preference_and_title_folding() -> None:
    assert paper_id("2401.01234v2", "10.1/X", "T") == "arxiv:2401.01234"
    assert paper_id("", "10.48550/arXiv.2401.01234", "T") == "arxiv:2401.01234"
    assert paper_id("", "https://doi.org/10.1103/PhysRevD.76.013009", "T") == "doi:10.1103/physrevd.76.013009"
    assert normalize_doi("doi:10.1000/ABC.") == "10.1000/abc"
    a = title_fingerprint("Sabiá: Portuguese  Large Language\n Models")
    b = title_fingerprint("sabia -- portuguese large language models")
    c = title_fingerprint("Sabi{\\'a}: Portuguese Large Language Models")
    assert a == b == c
    assert paper_id("", "", "Sabiá: Portuguese Large Language Models") == f"title:{a}"


def test_duplicates_merge_across_files(tmp_path: Path) -> None:
    from paper_tui.corpus import Corpus

    result = load_papers([str(sample_path()), str(sample_path())])
    corpus = Corpus(result.papers)
    assert len(corpus) == 119
    assert len(corpus[0].sources) == 1  # the same file twice is one source


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: str(d / "missing.txt"), "no such file"),
        (lambda d: str(d), "holds no paper list"),
        (lambda d: _write(d / "empty.txt", b""), "empty"),
        (lambda d: _write(d / "blank.txt", b"\n\n  \n"), "empty"),
        (lambda d: _write(d / "bin.dat", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 20), "binary"),
        (lambda d: _write(d / "junk.xyz", b"hello\nworld\n"), "not a paper list"),
    ],
)
def test_bad_inputs_one_clear_line_exit_2(tmp_path: Path, make, fragment: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "case"
    target.mkdir()
    path = make(target)
    status, out, err = run_cli("list", path)
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert fragment in err and "Traceback" not in err
    assert Path(path).name in err


def test_undecodable_bytes_fall_back_and_say_so(tmp_path: Path) -> None:
    text = sample_path().read_text(encoding="utf-8").replace("Sabiá", "Sabi\udce1", 1)
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    status, out, err = run_cli("list", str(path))
    assert status == 0
    assert "Sabiá" in out
    assert "not UTF-8" in err and "latin.txt" in err


def test_help_and_version_from_console_script() -> None:
    out = subprocess.run([sys.executable, "-m", "paper_tui", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("paper-tui ")
    help_ = subprocess.run(
        [sys.executable, "-m", "paper_tui", "list", "--help"], capture_output=True, text=True
    )
    assert help_.returncode == 0 and "--format" in help_.stdout


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        "import paper_tui.model, paper_tui.text, paper_tui.identity, paper_tui.paths, paper_tui.corpus\n"
        "import paper_tui.formats, paper_tui.formats.registry, paper_tui.cli\n"
        "from paper_tui.formats import load_papers\n"
        "from paper_tui.paths import sample_path\n"
        "load_papers([str(sample_path())])\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_read_only_command_creates_no_data_dir(isolated_dirs: Path) -> None:
    status, _, _ = run_cli("list")
    assert status == 0
    assert not isolated_dirs.exists()


def test_global_options_may_come_before_the_command(tmp_path: Path) -> None:
    data = tmp_path / "mine"
    sample = Path(__file__).parent / "fixtures" / "arxiv_atom" / "query_testing_page1.atom.xml"
    status, out, err = run_cli("--data-dir", str(data), "list", str(sample))
    assert status == 0 and out.strip() and err == ""
    status, out, _ = run_cli("--debug", f"--data-dir={data}", "config")
    assert status == 0 and str(data) in out
    status, out, _ = run_cli("--data-dir", str(data), "export", "--all", str(sample), "--format", "jsonl")
    assert status == 0 and out.count("\n") == len(run_cli("list", str(sample))[1].splitlines())
