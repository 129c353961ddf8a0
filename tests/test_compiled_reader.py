"""The compiled reader (formats/compiled.py, compiled_loop.py) gives exactly what the
usual bulk path gives, line for line: rows, blob bytes, problems and line numbers.

The first run on a machine compiles the loop (about 45 s; numba keeps it)."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
from multiprocessing import Pipe
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from paper_tui import loading, parallel
from paper_tui.compact import EncodedChunk
from paper_tui.formats import arxiv_rows, compiled
from test_arxiv_rows import _LINES, FIXTURE, _assert_same
from test_big_lists import _generator

Problems = list[tuple[int, str]]


@pytest.fixture(scope="module", autouse=True)
def _reader() -> None:
    assert compiled.reader() is not None, "numba could not compile the reader"


def _read(data: bytes, delta: int, use: bool) -> tuple[EncodedChunk | None, Problems]:
    problems: Problems = []
    chunk = arxiv_rows.encode_lines(
        data, "snap.json", delta, lambda line, why: problems.append((line, why)), use
    )
    return chunk, problems


def _assert_compiled_same(data: bytes, delta: int = 0) -> EncodedChunk | None:
    usual, usual_problems = _read(data, delta, False)
    fast, fast_problems = _read(data, delta, True)
    if usual is None:
        assert fast is None and fast_problems == usual_problems == []
        return None
    assert fast is not None
    for name in ("ids", "titles", "authors", "dates", "abstract_lengths", "rest_lengths", "offsets"):
        assert getattr(fast, name) == getattr(usual, name), name
    assert bytes(fast.blob) == bytes(usual.blob)
    assert fast_problems == usual_problems
    return fast


def _statuses(data: bytes) -> list[int]:
    read = compiled.reader()
    assert read is not None
    return read(data, b'"snap.json"', 0)[1].tolist()  # type: ignore[no-any-return]


def test_the_real_sample_is_read_the_same_and_mostly_whole_by_the_loop() -> None:
    data = FIXTURE.read_bytes()
    chunk = _assert_compiled_same(data, delta=40)
    assert chunk is not None and len(chunk) == 200
    statuses = _statuses(data)
    assert statuses.count(compiled.READ) >= 150  # the loop made most rows whole


def test_generated_records_are_read_the_same() -> None:
    generator = _generator()
    out = io.StringIO()
    generator.generate(3000, "snapshot", out, seed=11, jobs=1)
    data = out.getvalue().encode()
    chunk = _assert_compiled_same(data, delta=1000)
    assert chunk is not None and len(chunk) == 3000
    assert _statuses(data).count(compiled.READ) >= 2000


# Pieces the loop reads itself, or must hand on: dates, DOIs, categories, escapes.
def _one(fields: str) -> str:
    """A line of one record: its id, ``fields`` (JSON text) and one author."""
    return '{"id":"0704.0001",' + fields + ',"authors_parsed":[["A","B",""]]}'


_LOOP_LINES = st.sampled_from(
    [
        _one('"versions":[{"created":"Mon, 02 Apr 2007 19:18:42 GMT"}]'),
        _one('"versions":[{"created":"Mon, 2 Apr 20071"}]'),
        _one('"versions":[{"created":"Mon, 32 Apr 2007"}]'),
        _one('"versions":[{"created":"Mon, 0 Apr 2007"},{"created":5}]'),
        _one('"versions":[],"update_date":"2008-1-13"'),
        _one('"update_date":"2008-13-01"'),
        _one('"update_date":"2008-12-31"'),
        _one('"doi":"10.1234/ABC.)"'),
        _one('"doi":"10.12/x"'),
        _one('"doi":"10.1234567890/x"'),
        _one('"doi":"10.1234/a\\"b\\\\c d"'),
        _one('"doi":"10.1234/"'),
        _one('"categories":"cs.AI  cs.LG cs.AI cs.A"'),
        _one('"categories":"a\\"b c\\\\d"'),
        _one('"comments":" a \\"q\\" \\\\ b ","journal-ref":"J","report-no":""'),
        _one('"x":{"a":[1,2.5e-3,-0,true,false,null,{"b":"c"}]}'),
        _one('"x":[1 2]'),
        _one('"x":{1:2}'),
        _one('"x":{"a" 1}'),
        _one('"x":{"a":1,}'),
        _one('"x":{"a":1,2:3}'),
        _one('"x":01'),
        _one('"x":tru'),
        _one('"x":"\\q"'),
        _one('"\\u0074itle":"T"'),
        '{"id":"0704.0001",\t"title":\t"T"\t,"authors_parsed":[["A","B",""]]}\t',
        _one('"title":"a\\u0000b"'),
        _one('"title":"\\ud83d\\ude00 x"'),
        _one('"title":"\\ud83d x"'),
        _one('"title":"T","title":null'),
        '{"id":"0704.0001","authors_parsed":[["A","B","","x"],["C"],[],["","",""]]}',
        '{"id":"0704.0001","authors_parsed":[]}',
        '{"id":"0704.0001","authors_parsed":[["A",null,""]]}',
        '{"id":"0704.0001"}',
        '{"id":"0704.0001","authors_parsed":[["A","B",""]]} {}',
    ]
)
# Abstracts and titles for the loop's own LaTeX: groups, ties, escapes, unknown macros.
_ABSTRACT_PIECES = st.sampled_from(
    [
        " ",
        "\n",
        "\n\n",
        "word",
        "{",
        "}",
        "{B}",
        "~",
        "/~",
        "`",
        "``",
        "''",
        "$",
        "$x^{2}$",
        "$$",
        "\\$",
        "\\pi",
        "\\pi{x}",
        "\\%",
        "\\&",
        "\\_",
        "\\#",
        "\\,",
        "\\\\",
        "\\'e",
        "\\cite{a,b}",
        "\\emph{x}",
        "\\textbf{y}",
        "\\bar x",
        "\\item",
        "\\ss",
        "\\b x",
        "http://x.org",
        "a:b",
        "é",
        "\u00a0",
        "\t",
    ]
)
_LATEX = st.lists(_ABSTRACT_PIECES, max_size=30).map("".join)
_LATEX_LINES = st.builds(
    lambda title, abstract, padding: json.dumps(
        {
            "id": "0704.0001",
            "title": title,
            "abstract": padding + abstract,
            "authors_parsed": [["A", "B", ""]],
        }
    ),
    _LATEX,
    _LATEX,
    st.sampled_from(["", "x" * 190, "y " * 120]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(_LINES, _LOOP_LINES, _LATEX_LINES), max_size=6), st.integers(0, 10_000), st.booleans()
)
@example(['{"id": "0704.0001", "abstract": "\\ud800 and \\u00e9"}'], 0, True)
def test_awkward_records_are_read_the_same(lines: list[str], delta: int, final_newline: bool) -> None:
    data = ("\n".join(lines) + ("\n" if final_newline else "")).encode("utf-8", "surrogatepass")
    _assert_compiled_same(data, delta)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_LOOP_LINES, _LATEX_LINES), min_size=1, max_size=4))
def test_the_loop_agrees_with_the_reference_parser_too(lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    if _assert_compiled_same(data) is not None:
        _assert_same(data)


def test_a_worker_reads_with_the_compiled_reader_when_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signal, "signal", lambda *_args: None)  # not the main thread
    used: list[bool] = []
    encode = arxiv_rows.encode_lines

    def spy(data: bytes, display: str, delta: int, report: Any, use: bool = False) -> Any:
        used.append(use)
        return encode(data, display, delta, report, use)

    monkeypatch.setattr(arxiv_rows, "encode_lines", spy)
    path = tmp_path / "snap.json"
    path.write_bytes(FIXTURE.read_bytes())
    job = (str(path), "snap.json", "arxiv-snapshot", 0, path.stat().st_size, 1)
    mine, theirs = Pipe()
    thread = threading.Thread(target=parallel._serve, args=(theirs, None, None, True), daemon=True)
    thread.start()
    mine.send(job)
    part = parallel._receive(mine)
    mine.send(None)
    thread.join(10)
    assert used == [True] and not thread.is_alive()
    assert part.chunk == parallel.parse_slice(job).chunk and len(part.chunk) == 200


def test_only_a_big_snapshot_uses_the_loop_and_the_first_starts_its_compiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[bool] = []
    monkeypatch.setattr(compiled, "warm_later", lambda: started.append(True) or True)
    monkeypatch.setattr(compiled, "ready", lambda: False)
    assert not loading._compiled("arxiv-snapshot", compiled.MIN_BYTES - 1) and started == []
    assert not loading._compiled("jsonl", compiled.MIN_BYTES) and started == []
    assert not loading._compiled("arxiv-snapshot", compiled.MIN_BYTES) and started == [True]
    monkeypatch.setattr(compiled, "ready", lambda: True)
    assert loading._compiled("arxiv-snapshot", compiled.MIN_BYTES)


def test_warming_marks_the_loop_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "__pycache__" / "compiled_loop.ready-x"
    marker.parent.mkdir()
    older = marker.with_name("compiled_loop.ready-old")
    older.write_text("")
    monkeypatch.setattr(compiled, "_marker", lambda: marker)
    monkeypatch.setattr(os, "nice", lambda _n: 0)  # (this test process keeps its priority)
    assert not compiled.ready()
    assert compiled._warm() == 0
    assert compiled.ready() and not marker.with_name(marker.name + ".warming").exists()
    assert not older.exists()
    assert compiled.warm_later() is False  # nothing left to do


_ID_PIECES = st.sampled_from(
    ["a", "b", "z", "A", "-", ".", "/", "0", "7", "9", "AG", "ag", "hep-th", "math", "v2"]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_ID_PIECES, max_size=8).map("".join))
@example("hep-th/9901001")
@example("math.AG/0101001")
@example("q-bio.NC/0401001")
@example("0704.0001")
@example("ab.CD/1234567")
def test_the_loop_takes_an_id_as_it_is_exactly_when_parse_arxiv_id_gives_it_back(raw: str) -> None:
    import numpy as np

    from paper_tui.formats.compiled_loop import plain_id
    from paper_tui.identity import parse_arxiv_id

    data = np.frombuffer(raw.encode(), np.uint8)
    assert bool(plain_id(data, 0, len(data))) == (parse_arxiv_id(raw) == raw != "")
