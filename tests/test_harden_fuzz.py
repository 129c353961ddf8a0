"""Property tests for every parser in the registry (new formats are picked up by themselves).

* Random text and mutated real samples (byte flips, truncation, deleted, duplicated and
  inserted lines) never raise anything but :class:`LoadError` through ``load_file``,
  whether the format is sniffed or forced.
* A corrupted record between good ones never takes the good ones with it
  (JSON lines, the arXiv snapshot, RIS, BibTeX, CSV, the Hugging Face page).

The query parser and search engine already have property tests (test_search_*.py).
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_tui.formats import LoadError, detect_format, load_file, open_text, registry
from paper_tui.model import Source, make_paper, to_json

FIXTURES = Path(__file__).parent / "fixtures"
FORMAT_NAMES = [fmt.name for fmt in registry.FORMATS]
#: Mutated samples are cut to this many bytes so each example stays fast.
SAMPLE_BYTES = 12_000
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _jsonl_sample() -> bytes:
    papers = [
        make_paper(title=f"Paper {n} on Things", arxiv_id=f"2401.{n:05d}", source=Source("s", n))
        for n in range(1, 6)
    ]
    return "".join(json.dumps(to_json(p)) + "\n" for p in papers).encode()


def _samples() -> dict[str, list[bytes]]:
    """Real samples by the format their content is sniffed as."""
    found: dict[str, list[bytes]] = {"paper-tui-jsonl": [_jsonl_sample()]}
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.name == "README.md":
            continue
        opened = open_text(str(path))
        fmt = detect_format(opened.head, str(path))
        opened.stream.close()
        if fmt is not None:
            found.setdefault(fmt.name, []).append(path.read_bytes()[:SAMPLE_BYTES])
    return found


SAMPLES = _samples()


@contextmanager
def written(data: bytes, suffix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        yield path


def load_or_refuse(path: Path, format_name: str | None) -> int:
    """Load ``path``; a LoadError is a fine answer, any other exception fails the test."""
    try:
        return len(load_file(str(path), format_name).papers)
    except LoadError as error:
        assert str(path) in str(error) or "<stdin>" in str(error)
        return -1


def suffix_of(format_name: str) -> str:
    fmt = next(f for f in registry.FORMATS if f.name == format_name)
    return fmt.extensions[0] if fmt.extensions else ".txt"


# -- random input ---------------------------------------------------------------------

#: Characters that mean something to some format, plus escapes, NUL, a BOM and bidi.
SYMBOLS = "{}[]<>\"',:;=@%&#!\\/\n\r\t -_.0123456789abcxyzTYER"
NOISE = st.text(alphabet=st.sampled_from(list(SYMBOLS + "\x00\x1b\u00e9\u202e\ufeff")), max_size=400)


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
@SETTINGS
@given(text=NOISE)
def test_random_text_raises_only_load_error(format_name: str, text: str) -> None:
    with written(text.encode("utf-8", "surrogatepass"), suffix_of(format_name)) as path:
        load_or_refuse(path, format_name)
        load_or_refuse(path, None)


# -- mutated real samples ------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "delete", "duplicate", "insert"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "delete":
                del lines[i]
            elif kind == "duplicate":
                lines.insert(i, lines[i])
            else:
                lines.insert(i, draw(st.binary(max_size=40)))
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def test_every_format_has_a_sample_to_mutate() -> None:
    """A new format without a fixture is only fuzzed with random text: say so here."""
    assert sorted(SAMPLES) == sorted(FORMAT_NAMES)


@pytest.mark.parametrize("format_name", sorted(SAMPLES))
@SETTINGS
@given(data=st.data())
def test_mutated_samples_raise_only_load_error(format_name: str, data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from(SAMPLES[format_name]))
    damaged = data.draw(mutated(sample))
    with written(damaged, suffix_of(format_name)) as path:
        load_or_refuse(path, format_name)
        load_or_refuse(path, None)


# -- a bad record among good ones ------------------------------------------------------------

#: Ways to break one record's text.
CORRUPTIONS: list[Callable[[str], str]] = [
    lambda r: r[: len(r) // 2],
    lambda r: r.replace('"', "", 3),
    lambda r: r.replace("{", "", 1),
    lambda r: r.replace("}", "", 1),
    lambda r: "\x01\x02garbage\x1b[2J " + r[5:],  # (a NUL would make the file "binary")
    lambda r: "",
    lambda r: "%%%%%%%%%%",
]


def snapshot_records() -> list[str]:
    lines = (FIXTURES / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl").read_text().splitlines()
    return lines[:8]


def jsonl_records() -> list[str]:
    return _jsonl_sample().decode().splitlines()


def ris_records() -> list[str]:
    text = (FIXTURES / "ris_csv" / "baseline_bom_crlf.ris").read_text(encoding="utf-8-sig")
    records = [r.strip("\r\n") + "\nER  - " for r in text.split("ER  -") if r.strip()]
    return records[:8]


def bibtex_records() -> list[str]:
    return [
        f"@article{{key{n},\n  title = {{Bib Paper Number {n}}},\n  author = {{Ann Author and Bob Writer}},\n"
        f"  year = {{2021}},\n  journal = {{J}}\n}}\n"
        for n in range(8)
    ]


def hf_page_records() -> list[str]:
    text = (FIXTURES / "hf_papers_search_target_language.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    return [f"{lines[i]}\n{lines[i + 1]}" for i in range(1, 17, 2)]


GROUPS: dict[str, tuple[Callable[[], list[str]], str, str, str]] = {
    # name: (records, joiner, head, suffix)
    "paper-tui-jsonl": (jsonl_records, "\n", "", ".jsonl"),
    "arxiv-snapshot": (snapshot_records, "\n", "", ".jsonl"),
    "ris": (ris_records, "\n\n", "", ".ris"),
    "bibtex": (bibtex_records, "\n", "", ".bib"),
    "hf-page": (hf_page_records, "\n", "Get trending papers in your email inbox once a day!\n", ".txt"),
}


def titles(path: Path, format_name: str) -> set[str]:
    return {p.title for p in load_file(str(path), format_name).papers}


@functools.cache
def record_titles(format_name: str) -> tuple[str, ...]:
    """The title each good record gives when loaded alone."""
    make_records, _joiner, head, suffix = GROUPS[format_name]
    out = []
    for record in make_records():
        with written((head + record + "\n").encode(), suffix) as path:
            (title,) = titles(path, format_name)
        out.append(title)
    return tuple(out)


@pytest.mark.parametrize("format_name", sorted(GROUPS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_bad_record_never_takes_good_ones_with_it(format_name: str, data: st.DataObject) -> None:
    make_records, joiner, head, suffix = GROUPS[format_name]
    records = make_records()
    alone = record_titles(format_name)
    assert len(set(alone)) == len(records)
    bad = data.draw(st.integers(1, len(records) - 2), label="bad record")
    corrupt = data.draw(st.sampled_from(CORRUPTIONS), label="corruption")
    broken = [*records[:bad], corrupt(records[bad]), *records[bad + 1 :]]
    with written((head + joiner.join(broken) + "\n").encode(), suffix) as path:
        survived = titles(path, format_name)
    lost = {t for i, t in enumerate(alone) if i != bad} - survived
    assert not lost, f"{len(lost)} good records lost next to a bad one: {sorted(lost)[:3]}"


# -- cases the fuzzing found --------------------------------------------------------------


def test_old_mac_line_ends_do_not_crash_the_sniffers(tmp_path: Path) -> None:
    """A lone CR in the first line made the CSV sniffer raise for every file."""
    path = tmp_path / "mac.csv"
    path.write_bytes(b"Title,Authors\rA Paper From 1999,Ann Author\rAnother Paper,Bob\r")
    assert {p.title for p in load_file(str(path)).papers} == {"A Paper From 1999", "Another Paper"}
    load_or_refuse(path, "hf-page")  # forced: refused or loaded, never a crash


def test_csv_cell_over_128_kib_loads(tmp_path: Path) -> None:
    """Python's csv refuses cells over 128 KiB by default: that was an unexpected error."""
    path = tmp_path / "long-cell.csv"
    path.write_text(f'Title,Abstract\nA Paper,"{"x" * 200_000}"\nSecond Paper,short\n', encoding="utf-8")
    papers = load_file(str(path)).papers
    assert [p.title for p in papers] == ["A Paper", "Second Paper"]
    assert len(papers[0].abstract) == 200_000
