"""Huge and degenerate inputs: bounded memory, a clear message or a correct load, no hang.

Each runs ``paper-tui list`` in a child interpreter (see :mod:`harden_helpers`) that
reports its exit status, stderr, peak memory growth and bytes read; the timeout of the
child is the guard against a hang.  Files are sparse or generated line by line.

``PAPER_TUI_HARDEN_FULL=1`` runs the record-count test at a full million records; by
default it uses 50,000 so the suite stays fast on a small shared machine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from harden_helpers import one_line_error, probe
from helpers import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOT = FIXTURES / "arxiv_snapshot" / "arxiv_metadata_snapshot_200.jsonl"
MB = 1 << 20


def snapshot_record(**fields: Any) -> str:
    record = json.loads(SNAPSHOT.open(encoding="utf-8").readline())
    record.update(fields)
    return json.dumps(record)


def test_megabyte_abstract_loads_whole(tmp_path: Path) -> None:
    abstract = ("An abstract sentence with plain words in it. " * 30_000)[:MB].strip()
    path = tmp_path / "big-abstract.jsonl"
    lines = [
        snapshot_record(),
        snapshot_record(id="2401.99999", title="The Megabyte Abstract", abstract=abstract),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, out, err = run_cli("list", "--format", "jsonl", str(path))
    assert status == 0, err
    papers = [json.loads(line) for line in out.splitlines()]
    assert [p["title"] for p in papers][1] == "The Megabyte Abstract"
    assert papers[1]["abstract"] == abstract


@pytest.mark.slow
def test_hundred_megabyte_line_in_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "one-line.txt"
    with path.open("w", encoding="ascii") as handle:
        handle.write("Get trending papers in your email inbox once a day!\n")
        chunk = "A" * MB
        for _ in range(100):
            handle.write(chunk)
    result = probe("list", "--no-cache", str(path))
    assert result.status == 2 and result.out_lines == 0
    assert "longer than" in one_line_error(result.err, path.name)
    assert result.growth_mb < 150, result.growth_mb


def test_hundred_megabyte_first_line_of_jsonl_is_refused_from_its_head(tmp_path: Path) -> None:
    path = tmp_path / "one-line.jsonl"
    with path.open("w", encoding="ascii") as handle:
        handle.write('{"title": "')
        chunk = "word " * (MB // 5)
        for _ in range(100):
            handle.write(chunk)
        handle.write('"}\n')
    result = probe("list", str(path))
    assert result.status == 2
    assert "not a paper list" in one_line_error(result.err, path.name)
    assert result.read_mb < 16, result.read_mb  # the head was read, not the 100 MB


@pytest.mark.parametrize("head", ["zeros", "garbage"])
def test_gigabyte_of_garbage_is_refused_without_reading_it(tmp_path: Path, head: str) -> None:
    """A 1 GB sparse file: refused from its first bytes, never read to the end."""
    path = tmp_path / f"{head}.bin"
    with path.open("wb") as handle:
        if head == "garbage":
            # Printable noise with line ends, in no format's shape.
            noise = bytes((b * 7919 + 13) % 94 + 33 for b in range(4096)) + b"\n"
            handle.write(noise * 32)
        handle.truncate(1 << 30)
    result = probe("list", "--no-cache", str(path))
    assert result.status == 2
    line = one_line_error(result.err, path.name)
    assert "binary" in line or "not a paper list" in line
    # The first 64 KiB decide, or at most one over-long line (16M characters) is read.
    assert result.read_mb < 64, result.read_mb
    assert result.growth_mb < 150, result.growth_mb


@pytest.mark.slow
def test_many_records_load_correctly(tmp_path: Path) -> None:
    """Tiny records (one title line each): a million with PAPER_TUI_HARDEN_FULL=1, else 50,000."""
    count = 1_000_000 if os.environ.get("PAPER_TUI_HARDEN_FULL") else 50_000
    path = tmp_path / "tiny.txt"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Get trending papers in your email inbox once a day!\n")
        for n in range(count):
            handle.write(f"Paper {n}\n")
    result = probe("list", str(path), timeout=900)
    assert result.status == 0, result.err
    assert result.out_lines == count
    assert "Paper 0" in result.out_head


def test_garbage_lines_among_good_ones_are_counted_not_listed(tmp_path: Path) -> None:
    """100,000 broken records after a good one: one good paper, a short report."""
    path = tmp_path / "mostly-bad.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(snapshot_record() + "\n")
        handle.write("{broken\n" * 100_000)
    result = probe("list", str(path))
    assert result.status == 0 and result.out_lines == 1
    lines = result.err.strip().splitlines()
    assert len(lines) < 20, lines[:30]  # the first few, then a count
    assert "99,99" in result.err or "9999" in result.err


@pytest.mark.slow
def test_long_garbage_tail_after_a_good_head_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "tail.jsonl"
    with path.open("wb") as handle:
        handle.write(SNAPSHOT.read_bytes())  # 280 KB of good records: the sniff and binary checks pass
        handle.truncate(handle.tell() + 64 * MB)
    result = probe("list", str(path))
    assert result.growth_mb < 150, result.growth_mb
    assert result.status == 2
    assert "longer than" in one_line_error(result.err, "tail.jsonl")
