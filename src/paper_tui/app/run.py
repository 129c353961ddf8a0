"""Start the app from parsed command-line arguments.

Only what is needed to paint the first screen happens here: the config is read,
the files are checked (a missing file is one line on stderr, before the screen
opens) and the app starts; parsing runs in a worker behind the first screen.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paper_tui.app.app import PaperApp


def _open_library(problems: list[str]) -> Any:
    """The user's library, or None (with a problem noted) when it cannot open."""
    try:
        from paper_tui.library import Library
    except ImportError:
        return None
    try:
        return Library.open()
    except Exception as error:  # the app stays usable without the library
        problems.append(f"the library cannot open ({error}); decisions will not be saved")
        return None


def _check_files(files: list[str], input_format: str | None) -> list[str]:
    """The files to open; one line (CliError / LoadError) for a bad one, before the
    screen opens.  Plain readable files are checked without importing the loader and
    every parser (that import is the load worker's, after the first frame)."""
    import os

    from paper_tui.cli import CliError

    if all(os.path.isfile(f) for f in files):
        for path in files:
            try:
                with open(path, "rb"):
                    pass
            except OSError as error:
                raise CliError(f"{path}: cannot read: {error.strerror or error}") from None
        return files
    from paper_tui.loading import Loader

    loader = Loader(files, input_format)  # directories and globs: LoadError names a bad one
    expanded: list[str] = loader.files
    return expanded


def _prepare_processes(files: list[str]) -> None:
    """Start multiprocessing's resource tracker now, while ``sys.stderr`` is the real
    one, when a file is big enough to be parsed on every core: inside the app,
    Textual's captured stderr has no file descriptor and the tracker cannot start."""
    import os

    sizes = [os.path.getsize(f) for f in files if f != "-" and os.path.isfile(f)]
    if not any(size >= 1 << 20 for size in sizes):
        return  # small files: not even the import of the parallel parser
    from paper_tui import parallel

    if any(size >= parallel.MIN_BYTES // 2 for size in sizes):
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()


def build_app(args: argparse.Namespace) -> PaperApp:
    """The app for the command line's arguments.  Raises CliError or LoadError (one
    line for the user) when the inputs cannot be opened."""
    from paper_tui.app.config import load_config
    from paper_tui.app.screens.main import Inputs
    from paper_tui.app.state import session_key
    from paper_tui.cli import CliError

    config, problems = load_config()
    library = _open_library(problems)
    use_cache = not getattr(args, "no_cache", False)
    if getattr(args, "library", False):
        if library is None:
            raise CliError("the library is not available: " + "; ".join(problems or ["not installed"]))
        inputs = Inputs(papers=library.papers, key=session_key([], library=True), label="your library")
    else:
        files = list(args.files) or list(config.files)
        if "-" in files:
            raise CliError("the app cannot read papers from standard input; use `paper-tui list -` or a file")
        if files:
            _prepare_processes(_check_files(files, args.input_format))
            label = Path(files[0]).name if len(files) == 1 else f"{len(files)} files"
            inputs = Inputs(files, args.input_format, use_cache, key=session_key(files), label=label)
        else:
            from paper_tui.paths import sample_path

            sample = [str(sample_path())]
            inputs = Inputs(sample, args.input_format, use_cache, key=session_key([]), label="bundled sample")
    from paper_tui.app.app import PaperApp

    return PaperApp(inputs, config=config, config_problems=problems, query=args.query, library=library)


def _on_a_terminal() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def run_app(args: argparse.Namespace) -> int:
    """Check the inputs, run the app, return the exit status."""
    app = build_app(args)
    if not _on_a_terminal():
        # Without one Textual's driver spins on a closed input (100% CPU, for ever).
        sys.stderr.write(
            "paper-tui: the app needs a terminal for its input and output; "
            "for text output use `paper-tui list` (or `paper-tui export`)\n"
        )
        return 2
    app.run()
    if app.failure:
        sys.stderr.write(f"paper-tui: {app.failure}\n")
        return 2
    return int(app.return_code or 0)
