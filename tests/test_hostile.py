"""Hostile input through `paper-tui list`: escapes never reach the terminal; odd paths load."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers import run_cli
from paper_tui.paths import sample_path

ABSTRACT = (
    "We study a thing. It is long enough to read as an abstract, with several sentences. "
    "Our method beats the baselines on every benchmark we tried, by a wide margin. "
    "Code and data are released for everyone to use and extend."
)
HOSTILE_TITLES = [
    "Clipboard \x1b]52;c;ZXZpbA==\x07 attack",
    "Clear \x1b[2J\x1b[1;1H screen",
    "Bidi \u202eevil\u202c title",
    "Zero\u200bwidth title",
    "C1 \x9b31m control",
]


def _page(tmp_path: Path, titles: list[str], name: str = "hostile.txt") -> Path:
    lines = ["Get trending papers in your email inbox once a day!"]
    for title in titles:
        lines += [title, ABSTRACT]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_list_output_carries_no_escape_or_control(tmp_path: Path, fmt: str) -> None:
    path = _page(tmp_path, HOSTILE_TITLES)
    status, out, err = run_cli("list", "--format", fmt, str(path))
    assert status == 0, err
    text = out if fmt == "table" else "".join(json.loads(line)["title"] + "\n" for line in out.splitlines())
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\u200b"):
        assert bad not in text
    assert "Clipboard attack" in text and "Clear screen" in text


@pytest.mark.parametrize(
    "name", ["with space.txt", "ünïcødé 論文.txt", "new\nline.txt", "-dash.txt", "semi;colon $HOME.txt"]
)
def test_odd_file_names_load(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(sample_path().read_bytes())
    status, out, err = run_cli("list", str(path))
    assert status == 0, err
    assert len(out.splitlines()) == 119


def test_symlink_loads_and_dangling_symlink_is_a_clear_error(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(sample_path())
    status, out, _ = run_cli("list", str(link))
    assert status == 0 and len(out.splitlines()) == 119
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    status, out, err = run_cli("list", str(dangling))
    assert status == 2 and "dangling.txt" in err and "no such file" in err


def test_directory_loads_every_list_in_it(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(sample_path().read_bytes())
    _page(tmp_path, ["A Different Paper About Things"], name="b.txt")
    (tmp_path / ".hidden.txt").write_text("junk", encoding="utf-8")
    status, out, err = run_cli("list", str(tmp_path))
    assert status == 0, err
    assert len(out.splitlines()) == 120


def test_unreadable_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import paper_tui.formats

    path = tmp_path / "secret.txt"
    path.write_bytes(sample_path().read_bytes())
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: inject the refusal the OS would give

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(paper_tui.formats, "open", refuse, raising=False)
    status, out, err = run_cli("list", str(path))
    assert status == 2 and out == ""
    assert "secret.txt" in err and "Permission denied" in err


@pytest.mark.parametrize("kind", ["file", "missing"])
def test_data_dir_that_is_a_file_or_missing_does_not_break_a_read_only_command(
    tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "data"
    if kind == "file":
        target.write_text("not a directory", encoding="utf-8")
    status, out, err = run_cli("list", "--data-dir", str(target))
    assert status == 0, err
    assert len(out.splitlines()) == 119
    assert target.exists() == (kind == "file")
