"""Command line: ``paper-tui [FILE...]`` opens the app; ``list``, ``export``, ``cache``
and ``config`` are the scriptable commands.

Exit status: 0 success, 1 a command that ran but found a problem (for example
records skipped with ``--strict``), 2 bad input or usage (a message on stderr,
no traceback unless ``--debug``), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Container, Sequence
from typing import TextIO

from paper_tui import __version__
from paper_tui.text import clean_text

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

MAX_PROBLEMS_SHOWN = 5


class CliError(Exception):
    """A problem to show as one line and exit with status 2."""


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep the library, config and cache in DIR (default: platform user dirs; "
        "env PAPER_TUI_DATA_DIR)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    from paper_tui.formats import format_names

    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="paper lists: files, directories, globs, or - for standard input (default: the bundled sample)",
    )
    parser.add_argument(
        "--input-format",
        "-f",
        choices=format_names(),
        metavar="NAME",
        help="read every FILE as this format instead of detecting it (" + ", ".join(format_names()) + ")",
    )
    parser.add_argument("--no-cache", action="store_true", help="parse files afresh, skip the parse cache")


def build_app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paper-tui",
        description="A keyboard-driven terminal reader for research-paper lists.",
        epilog="commands: paper-tui list|export|cache|config --help. With no FILE the bundled sample opens.",
    )
    parser.add_argument("--version", action="version", version=f"paper-tui {__version__}")
    _add_inputs(parser)
    parser.add_argument("--query", "-q", default=None, help="start with this query in the filter")
    parser.add_argument("--library", action="store_true", help="open your library alone, as a reading list")
    _add_common(parser)
    return parser


def build_list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paper-tui list",
        description="Print the papers loaded from FILE(s), ranked by --query when given.",
    )
    _add_inputs(parser)
    parser.add_argument("--query", "-q", default="", help="a search query (see README: query syntax)")
    parser.add_argument(
        "--format",
        choices=("table", "jsonl"),
        default="table",
        help="table: id, date, title; jsonl: one JSON object per paper with every field",
    )
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="print at most N papers")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when any record or file was skipped"
    )
    _add_common(parser)
    return parser


def _print_problems(problems: Sequence[object], err: TextIO) -> None:
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        err.write(f"paper-tui: skipped {problem}\n")
    if len(problems) > MAX_PROBLEMS_SHOWN:
        err.write(f"paper-tui: ... and {len(problems) - MAX_PROBLEMS_SHOWN} more skipped records\n")


def load_corpus(files: Sequence[str], input_format: str | None, err: TextIO, use_cache: bool = True):  # type: ignore[no-untyped-def]
    """Load ``files`` (the bundled sample when empty) into a Corpus, reporting
    skipped records and notices on ``err``; return ``(corpus, loader)`` (the loader
    has ``problems``, ``notices`` and ``files``).  Raises LoadError for unreadable files."""
    from paper_tui.corpus import Corpus
    from paper_tui.loading import Loader
    from paper_tui.paths import sample_path

    paths = list(files) or [str(sample_path())]
    loader = Loader(paths, input_format, use_cache=use_cache)
    corpus = Corpus()
    for batch in loader.batches():
        corpus.extend(batch)
    for notice in loader.notices:
        err.write(f"paper-tui: {notice}\n")
    _print_problems(loader.problems, err)
    return corpus, loader


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from paper_tui.model import to_json

    corpus, result = load_corpus(args.files, args.input_format, err, use_cache=not args.no_cache)
    order: Sequence[int]
    if args.query:
        from paper_tui.library import Library
        from paper_tui.search import search_corpus

        # The library too, so is:/tag:/note: and notes match as they do in the app.
        library = Library.open(read_only=True)
        for notice in library.take_notices():
            err.write(f"paper-tui: {notice}\n")
        # The word index an earlier app session stored for these files, if any (never built here).
        order = search_corpus(corpus, args.query, library, result.word_store(len(corpus)))
    else:
        order = range(len(corpus))
    if args.limit > 0:
        order = order[: args.limit]
    if args.format == "jsonl":
        for position in order:
            out.write(json.dumps(to_json(corpus[position]), ensure_ascii=False) + "\n")
    else:
        papers = [corpus[p] for p in order]
        id_width = max((len(p.id) for p in papers), default=2)
        for paper in papers:
            # clean_text again: a title is clean at load, but a table must never carry a raw escape.
            out.write(f"{paper.id:<{id_width}}  {paper.date or '-':<10}  {clean_text(paper.title)}\n")
    if args.strict and (result.problems or result.skipped):
        return EXIT_PROBLEM
    return EXIT_OK


def cmd_app(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        from paper_tui.app.run import run_app
    except ImportError as error:  # the app layer missing from an install
        raise CliError(f"the interactive app cannot start: {error}") from None
    status: int = run_app(args)
    return status


Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _global_options_after_command(argv: list[str], commands: Container[str]) -> list[str]:
    """``--data-dir DIR`` and ``--debug`` given before a command go after it
    (``paper-tui --data-dir D list FILE`` is ``paper-tui list --data-dir D FILE``)."""
    leading: list[str] = []
    position = 0
    while position < len(argv):
        arg = argv[position]
        if arg == "--debug" or arg.startswith("--data-dir="):
            leading.append(arg)
            position += 1
        elif arg == "--data-dir" and position + 1 < len(argv):
            leading += argv[position : position + 2]
            position += 2
        else:
            break
    if leading and position < len(argv) and argv[position] in commands:
        return [argv[position], *leading, *argv[position + 1 :]]
    return argv


def _dispatch(argv: list[str]) -> tuple[argparse.Namespace, Handler]:
    from paper_tui import commands

    argv = _global_options_after_command(argv, {"list", *commands.SUBCOMMANDS})
    if argv and (argv[0] == "list" or argv[0] in commands.SUBCOMMANDS):
        name, rest = argv[0], argv[1:]
        if name == "list":
            return build_list_parser().parse_args(rest), cmd_list
        parser, handler = commands.subcommand(name)
        return parser.parse_args(rest), handler
    return build_app_parser().parse_args(argv), cmd_app


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    try:
        args, handler = _dispatch(arguments)
    except SystemExit as exit_:  # argparse: --help, --version, usage errors
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_USAGE
    if getattr(args, "data_dir", None):
        from paper_tui.paths import set_data_dir

        set_data_dir(args.data_dir)
    from paper_tui.formats import LoadError

    try:
        return handler(args, out, err)
    except (LoadError, CliError) as error:
        if debug:
            raise
        err.write(f"paper-tui: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("paper-tui: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # the last guard: no traceback reaches a user
        if debug:
            raise
        err.write(
            f"paper-tui: unexpected error: {type(error).__name__}: {error} (run with --debug for details)\n"
        )
        return EXIT_PROBLEM
