"""The installed ``paper-tui`` in a real terminal (tmux), driven and read as a person would.

Type a query, move, bookmark, write a note, quit; launch again and read the screen: the
query's count, the bookmark and note markers on the row, the note in the reading pane.
Runs at 80x24 and 200x50 on a private tmux server with its own data directory.  The
screen is polled with a timeout (never a fixed sleep): the machine may be slow.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from paper_tui.corpus import Corpus
from paper_tui.loading import Loader
from paper_tui.model import Source, make_paper, to_json
from paper_tui.search import search_corpus

FIXTURE = Path(__file__).parent / "fixtures" / "hf_papers_search_target_language.txt"
PAPER_TUI = Path(sys.executable).parent / "paper-tui"
QUERY = "cross-lingual"
NOTE = "checked the tables in section 4"
WAIT = 90.0

pytestmark = pytest.mark.slow

if shutil.which("tmux") is None:
    pytest.skip("tmux is not installed: the real-terminal test cannot run", allow_module_level=True)
if not PAPER_TUI.exists():
    pytest.skip(f"no installed console script at {PAPER_TUI}", allow_module_level=True)


class Terminal:
    """A private tmux server running one program in a window of a given size."""

    def __init__(self, folder: Path, size: tuple[int, int], env: dict[str, str]) -> None:
        self.socket = str(folder / "tmux.sock")
        self.size = size
        self.env = env

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=check)

    def start(self, *command: str) -> None:
        width, height = self.size
        exports = [item for name, value in self.env.items() for item in ("-e", f"{name}={value}")]
        config = Path(self.socket).with_name("tmux.conf")
        # The clipboard and the window title are what escape sequences would reach.
        settings = f"set -g set-clipboard on\nset -g allow-rename on\nset -g default-size {width}x{height}\n"
        config.write_text(settings, encoding="utf-8")
        self.tmux("-f", str(config), "new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height),
                  *exports, " ".join(_quote(part) for part in command))  # fmt: skip

    def window_size(self) -> tuple[int, int]:
        shown = self.tmux("display-message", "-p", "-t", "e2e", "#{window_width} #{window_height}").stdout
        width, height = shown.split()
        return int(width), int(height)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "e2e", check=False).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "e2e", "-l", text)

    def running(self) -> bool:
        return self.tmux("has-session", "-t", "e2e", check=False).returncode == 0

    def wait(self, what: str | Callable[[str], bool], timeout: float = WAIT) -> str:
        """Poll the screen until ``what`` (text, or a test of the screen) holds."""
        test = what if callable(what) else (lambda screen: what in screen)
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if test(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"waited {timeout:.0f} s for {what!r}; the screen:\n{screen}")

    def wait_exit(self, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not self.running(), "paper-tui did not quit:\n" + self.screen()

    def close(self) -> None:
        self.tmux("kill-server", check=False)


def _quote(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    path = tmp_path / "papers.txt"
    path.write_bytes(FIXTURE.read_bytes())
    return path


@pytest.fixture(params=[(80, 24), (200, 50)], ids=["80x24", "200x50"])
def terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Terminal]:
    env = {"PAPER_TUI_DATA_DIR": str(tmp_path / "data"), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    term = Terminal(tmp_path, request.param, env)
    yield term
    term.close()


def row_of(screen: str, title_start: str) -> str:
    """The first screen line showing ``title_start`` (the list row), or ``""``."""
    return next((line for line in screen.splitlines() if title_start in line), "")


def test_triage_in_a_real_terminal_survives_a_restart(terminal: Terminal, papers: Path) -> None:
    corpus = Corpus(Loader([str(papers)]).load_all())
    total = len(corpus)
    matches = search_corpus(corpus, QUERY)
    assert len(matches) > 3
    third = corpus.title(matches[2])[:30]

    terminal.start(str(PAPER_TUI), str(papers))
    terminal.wait(f"{total} / {total}")
    assert terminal.window_size() == terminal.size
    terminal.keys("/")
    terminal.type(QUERY)
    terminal.wait(f"{len(matches)} / {total}")
    terminal.keys("Enter")
    terminal.keys("j")
    terminal.keys("j")
    terminal.keys("b")
    terminal.wait(lambda screen: "★" in row_of(screen, third))
    terminal.keys("e")
    terminal.wait("Note: ")
    terminal.type(NOTE)
    terminal.wait(NOTE)
    terminal.keys("C-s")
    terminal.wait(lambda screen: "Note: " not in screen and "✎" in row_of(screen, third))
    terminal.keys("q")
    terminal.wait_exit()

    # A new launch: the same query and cursor, the markers, and the note in the pane.
    terminal.start(str(PAPER_TUI), str(papers))
    screen = terminal.wait(f"{len(matches)} / {total}")
    row = row_of(terminal.wait(lambda s: "★" in row_of(s, third)), third)
    assert row.lstrip().startswith("★ ✎"), row
    assert sum("★" in line for line in screen.splitlines()) == 1
    terminal.keys("Enter")  # read: the reading pane takes the keys
    terminal.wait("Back to list")
    terminal.keys("G")  # to the end of the pane, where the note is
    screen = terminal.wait(NOTE)
    assert "Note" in screen
    terminal.keys("q")
    terminal.wait_exit()


def test_hostile_titles_never_reach_the_real_terminal(terminal: Terminal, tmp_path: Path) -> None:
    """OSC 52 (clipboard), OSC 0/2 (window title) and clear-screen in a title: tmux's
    clipboard buffers and pane title stay untouched, the markup shows as typed."""
    path = tmp_path / "hostile.jsonl"
    record = to_json(make_paper(title="x", arxiv_id="2401.00001", source=Source(str(path), 1)))
    record["title"] = (
        "Evil \x1b]52;c;cHduZWQtY2xpcGJvYXJk\x07 \x1b]2;pwned-title\x07 \x1b[2J [bold red]Markup[/] Title"
    )
    record["abstract"] = (
        "Abstract \x1b]52;c;cHduZWQtYWJzdHJhY3Q=\x07 with \u202ebidi and [@click=app.quit]click[/]"
    )
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    terminal.start(str(PAPER_TUI), str(path))
    screen = terminal.wait("[bold red]Markup[/] Title")
    terminal.keys("Enter")  # read: the reading pane takes the keys
    terminal.wait("Back to list")
    terminal.keys("G")  # the abstract is last
    screen = terminal.wait("[@click=app.quit]click[/]")
    assert "1 / 1" in screen
    assert terminal.tmux("list-buffers", check=False).stdout.strip() == ""
    assert "pwned" not in terminal.tmux("display-message", "-p", "-t", "e2e", "#{pane_title}").stdout
    terminal.keys("q")
    terminal.wait_exit()
