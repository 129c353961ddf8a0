"""The arXiv snapshot's bulk path (formats/arxiv_rows.py) gives exactly what the
reference parser gives: the same rows, blob bytes, problems and line numbers."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from paper_tui import parallel
from paper_tui.compact import EncodedChunk, decode_paper, encode_chunk, join_authors
from paper_tui.formats import arxiv_rows, arxiv_snapshot
from paper_tui.formats.arxiv_snapshot import FORMAT, ArxivSnapshotFormat, _names
from paper_tui.identity import paper_id, parse_arxiv_id
from paper_tui.model import latex_line

FIXTURE = Path(__file__).parent / "fixtures" / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl"
GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"

Problems = list[tuple[int, str]]


def _reference(data: bytes, delta: int) -> tuple[EncodedChunk, Problems]:
    problems: Problems = []
    stream = io.StringIO(data.decode("utf-8"), newline=None)
    papers = list(FORMAT.parse(stream, "snap.json", lambda line, why: problems.append((line, why))))
    return encode_chunk(papers, delta), problems


def _fast(data: bytes, delta: int) -> tuple[EncodedChunk | None, Problems]:
    problems: Problems = []
    chunk = arxiv_rows.encode_lines(data, "snap.json", delta, lambda line, why: problems.append((line, why)))
    return chunk, problems


def _assert_same(data: bytes, delta: int = 0) -> EncodedChunk | None:
    """Both paths over ``data``; the bulk one may decline (``None``) but never differ."""
    fast, fast_problems = _fast(data, delta)
    if fast is None:
        assert fast_problems == []  # declined before reporting anything
        return None
    reference, problems = _reference(data, delta)
    for name in ("ids", "titles", "authors", "dates", "abstract_lengths", "rest_lengths", "offsets"):
        assert getattr(fast, name) == getattr(reference, name), name
    assert fast.blob == reference.blob
    assert fast_problems == problems
    return fast


def _count_fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record each line that went the reference way."""
    calls: list[int] = []
    original = arxiv_rows._reference_row

    def spy(text: str, display: str, number: int, line_delta: int, report: Any) -> Any:
        calls.append(number)
        return original(text, display, number, line_delta, report)

    monkeypatch.setattr(arxiv_rows, "_reference_row", spy)
    return calls


# -- real and generated files ---------------------------------------------------------


def test_the_real_sample_gives_the_same_rows_mostly_without_the_reference_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = FIXTURE.read_bytes()
    fallbacks = _count_fallbacks(monkeypatch)
    chunk = _assert_same(data, delta=40)
    assert chunk is not None and len(chunk) == 200
    assert len(fallbacks) <= 10  # the bulk path did the work, not the fallback
    blob, a_len, r_len = bytes(chunk.blob), chunk.abstract_lengths[0], chunk.rest_lengths[0]
    paper = decode_paper(
        chunk.ids[0],
        chunk.titles[0],
        chunk.authors[0],
        chunk.dates[0],
        blob[:a_len],
        blob[a_len : a_len + r_len],
    )
    assert paper.arxiv_id == "0704.0001" and paper.sources[0].line == 41 and paper.abstract


def test_generated_records_give_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("paper_tui_generate_rows", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generator
    spec.loader.exec_module(generator)
    out = io.StringIO()
    generator.generate(3000, "snapshot", out, seed=7, jobs=1)
    fallbacks = _count_fallbacks(monkeypatch)
    chunk = _assert_same(out.getvalue().encode(), delta=1000)
    assert chunk is not None and len(chunk) == 3000 and fallbacks == []


def test_a_slice_parsed_on_a_worker_is_the_same_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = FIXTURE.read_bytes().splitlines(keepends=True)
    body = b"".join([*lines[:50], b"\n", b'{"id": "0704.9999", "title": 5}\n', b"[1, 2]\n", *lines[50:]])
    path = tmp_path / "snap.json"
    path.write_bytes(b"\xef\xbb\xbf" + body)  # a BOM, as some downloads have
    job = (str(path), "snap.json", "arxiv-snapshot", 0, path.stat().st_size, 1)
    fast = parallel.parse_slice(job)
    # A later slice: lines counted from its first line, without the BOM.
    later = (str(path), "snap.json", "arxiv-snapshot", 3, len(body), 1)
    fast_later = parallel.parse_slice(later)
    monkeypatch.delattr(ArxivSnapshotFormat, "encode_lines")
    plain = parallel.parse_slice(job)
    assert fast.chunk == plain.chunk and fast.problems == plain.problems and fast.end == plain.end
    assert fast.problems == [(52, "title is not text"), (53, "not a JSON object")]
    assert fast_later.chunk == parallel.parse_slice(later).chunk


def test_carriage_returns_and_bad_utf8_go_the_text_way() -> None:
    line = FIXTURE.read_bytes().split(b"\n", 1)[0]
    assert _fast(line + b"\r\n" + line, 0) == (None, [])
    assert _fast(line.replace(b"the", b"th\xe9", 1), 0) == (None, [])


# -- records built to be awkward -----------------------------------------------------------

# Text heavy on what cleaning and LaTeX conversion treat specially.
_PIECES = st.sampled_from(
    [
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n  \n",
        "\t",
        "\r",
        "\x00",
        "\x1b[31m",
        "\x1f",
        "\x7f",
        "\x85",
        "\x98",
        "\u00a0",
        "\u2028",
        "\u200b",
        "\ufeff",
        "\ud800",
        "é",
        "ß",
        "×",
        "中文",
        "e\u0301",
        "$",
        "$$",
        "\\$",
        "$x$",
        "$\\alpha$",
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "\\'e",
        '\\"o',
        "\\ss",
        "\\c c",
        "\\emph{x}",
        "\\textbf",
        "\\unknown",
        "{",
        "}",
        "{B}",
        "\\{",
        "\\}",
        "~",
        "/~x",
        "\\&",
        "\\%",
        "\\textasciitilde",
        "http://x.org/a.pdf",
        "https://github.com/a/b.",
        "arXiv:2401.01234",
        "10.1000/X",
        "word",
        "Word",
        "a",
        "1",
        ",",
        ".",
        "-",
        "'",
        '"',
        "\\",
    ]
)
_TEXT = st.lists(_PIECES, max_size=12).map("".join)
_WRONG = st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=2), st.just({}))
_IDS = st.one_of(
    st.sampled_from(
        [
            "0704.0001",
            "1501.05000",
            "2401.01234v2",
            "arXiv:2401.01234",
            " 2401.01234 ",
            "hep-th/9901001",
            "math.AG/0101001v3",
            "HEP-TH/9901001",
            "0704.001",
            "12345.6789",
            "٠٧٠٤.٠٠٠١",
            "",
            "x",
            "2401.012345",
            "0704,0001",
            "07a4.0001",
            "0704.00a1",
            "0704.0001 ",
            "0704.²001",
        ]
    ),
    _TEXT,
)
_DOIS = st.one_of(
    st.sampled_from(
        [
            "10.1000/xyz",
            "10.48550/arXiv.2401.01234",
            "doi:10.1000/A B",
            "10.1000/a\u200bb",
            "10.1000/\x1b[1m",
            "10.1000/a\u00adb",
            "https://doi.org/10.1000/X.",
            " 10.1000/é ",
        ]
    ),
    _TEXT,
)
# Names are mostly printable ASCII: the quick path for them folds nothing, so spaces at
# the ends, doubled, or whole names empty must send them the slow way.
_NAME_TEXT = st.lists(
    st.sampled_from(
        ["Smith", "John", "Jr", "O'Neil", "J.", "", " ", "  ", "\t", "\\'e", "é", "{B}", "~", "\x1f"]
    ),
    max_size=4,
).map("".join)
_NAMES = st.lists(st.one_of(_NAME_TEXT, _NAME_TEXT, _TEXT), max_size=4)
_CREATED = st.one_of(
    st.sampled_from(["Mon, 2 Apr 2007 19:18:42 GMT", "Thu, 24 Jan 2015 04:36:24 GMT", "2 Foo 2007", "", "x"]),
    _TEXT,
)


def _fields(wrong: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Snapshot records; with ``wrong``, any field may also hold a number or a list."""

    def field(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(st.none(), values, _WRONG) if wrong else st.one_of(st.none(), values, values)

    ids = _IDS if wrong else st.sampled_from(["0704.0001", "1501.05000", "2401.01234v2", "hep-th/9901001"])
    names = st.lists(_NAMES, max_size=3)
    return st.fixed_dictionaries(
        {} if wrong else {"id": ids},
        optional={
            **({"id": field(ids)} if wrong else {}),
            "title": field(_TEXT),
            "authors": field(_TEXT),
            "abstract": field(_TEXT),
            "categories": field(st.one_of(_TEXT, st.just("cs.AI cs.LG cs.AI"))),
            "doi": field(_DOIS),
            "comments": field(_TEXT),
            "journal-ref": field(_TEXT),
            "report-no": field(_TEXT),
            "update_date": field(st.one_of(_TEXT, st.just("2008-01-13"))),
            "versions": st.one_of(
                st.lists(st.fixed_dictionaries({}, optional={"created": field(_CREATED)}), max_size=2),
                *((_WRONG, st.lists(_WRONG, max_size=1)) if wrong else ()),
            ),
            "authors_parsed": st.one_of(names, *((_WRONG, st.lists(_WRONG, max_size=1)) if wrong else ())),
            "license": field(_TEXT),
        },
    )


_RECORDS = st.one_of(_fields(False), _fields(False), _fields(True))


def _line(record: dict[str, Any], ascii_only: bool, spacing: int) -> str:
    separators = ((",", ":"), (", ", ": "), (" , ", " : "))[spacing]
    return json.dumps(record, ensure_ascii=ascii_only, separators=separators)


_LINES = st.one_of(
    st.builds(_line, _RECORDS, st.booleans(), st.integers(0, 2)),
    st.sampled_from(
        ['{"id": "0704.0001", "title": "cut', "[1, 2]", "5", "null", "  ", "", "{}", '"text"', "\x0c", "{,}"]
    ),
    st.builds(lambda r: _line(r, True, 0) + " x", _RECORDS),
    st.builds(lambda r: _line(r, True, 0).replace('"id"', '"id": 1, "id"', 1), _RECORDS),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, max_size=6), st.integers(0, 10_000), st.booleans())
@example(['{"id": "0704.0001", "abstract": "\\ud800 and \\u00e9"}'], 0, True)
@example(['{"id": "1501.05000", "title": "\\u2028x", "doi": "10.1/\\u0085a"}'], 3, False)
def test_awkward_records_give_the_same_rows(lines: list[str], delta: int, final_newline: bool) -> None:
    data = ("\n".join(lines) + ("\n" if final_newline else "")).encode("utf-8", "surrogatepass")
    _assert_same(data, delta)


def test_a_lone_surrogate_is_shown_as_a_replacement_character() -> None:
    chunk = _assert_same(b'{"id": "0704.0001", "title": "a\\ud800b", "abstract": "x \\udfff y"}\n')
    assert chunk is not None and chunk.titles == ["a\ufffdb"]
    assert bytes(chunk.blob[: chunk.abstract_lengths[0]]).decode() == "x \ufffd y"


def test_a_field_of_the_wrong_type_is_reported_not_fatal() -> None:
    chunk = _assert_same(b'{"id": "0704.0001", "abstract": ["x"]}\n{"id": "0704.0002"}\n')
    assert chunk is not None and chunk.ids == ["arxiv:0704.0002"]
    _chunk, problems = _fast(b'{"id": "0704.0001", "abstract": ["x"]}\n', 0)
    assert problems == [(1, "abstract is not text")]


@given(st.lists(st.one_of(_TEXT, st.integers(-5, 10**6)), max_size=6))
def test_rest_is_encoded_byte_for_byte_as_compact_json(values: list[Any]) -> None:
    values = [v.encode("utf-8", "replace").decode() if isinstance(v, str) else v for v in values]
    rest = [values, [["a", 1]], [("abs", "u")]]
    expected = json.dumps(rest, ensure_ascii=False, separators=(",", ":")).encode()
    assert arxiv_rows._encode(rest) == expected


# -- the quick paths inside a row, one by one ---------------------------------------------


@settings(max_examples=300)
@given(st.lists(st.lists(_NAME_TEXT, max_size=4), max_size=4), st.one_of(st.none(), _NAME_TEXT))
@example([["Smith  X", "John", ""]], None)
@example([["Smith ", "John", ""], ["Doe", "Jane", ""]], None)
@example([["Smith", "", ""], ["", "", ""]], None)
def test_authors_column_as_make_paper_cleans_names(parsed: list[list[str]], authors: str | None) -> None:
    record = arxiv_rows._Record(authors_parsed=parsed, authors=authors)
    expected = [name for name in (latex_line(n) for n in _names(parsed, authors)) if name]
    assert arxiv_rows._authors(record) == join_authors(expected)


_ID_CHARS = st.sampled_from("0123456789²٠a v")


@given(
    st.builds(
        lambda head, dot, tail: "".join(head) + dot + "".join(tail),
        st.lists(_ID_CHARS, min_size=4, max_size=4),
        st.sampled_from(".,"),
        st.lists(_ID_CHARS, min_size=4, max_size=5),
    )
)
@example("0704,0001")
@example("0704.0001")
def test_a_plain_new_style_id_is_its_own_parse(raw: str) -> None:
    if arxiv_rows._plain_new_id(raw):
        assert parse_arxiv_id(raw) == raw and paper_id(raw) == f"arxiv:{raw}"


def _version_date_uncached(created: str) -> str:
    match = arxiv_snapshot._RFC822.search(created)
    if not match or match.group(2) not in arxiv_snapshot._MONTHS:
        return ""
    day, month, year = match.groups()
    return f"{year}-{arxiv_snapshot._MONTHS[month]}-{int(day):02d}"


_DATE_PIECES = st.sampled_from(
    ["0", "1", "12", "2007", " ", ",", ":", "Jan", "Apr", "Xyz", "Thu", "GMT", "١"]
)


@settings(max_examples=1000)
@given(st.lists(st.lists(_DATE_PIECES, max_size=12).map("".join), min_size=1, max_size=5))
@example(["Mon, 2 Apr 2007 19:18:42 GMT", "Mon, 2 Apr 2007 1 Jan 2001"])
@example(["0000000000000 12 Jan 2007", "0000000000000 12 Feb 2008"])  # a match past the key
def test_version_dates_from_the_cache_are_the_regex_answers(created: list[str]) -> None:
    for text in created:
        assert arxiv_snapshot.version_date(text) == _version_date_uncached(text)
