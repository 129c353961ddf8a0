"""``paper-tui export``: the reading list (bookmarked papers, or a query) to a file or stdout."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from paper_tui.export import FORMATS, format_for_path, render

if TYPE_CHECKING:
    from paper_tui.corpus import Corpus
    from paper_tui.library import Library


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paper-tui export",
        description="Write your reading list: the bookmarked papers of your library, or the papers "
        "matching --query. With FILEs, the papers come from those files (your decisions about "
        "them still apply) instead of the library's own records.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="paper lists to export from")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: from --output's extension .bib/.md/.jsonl/.csv, else bibtex)",
    )
    parser.add_argument(
        "--query",
        "-q",
        default=None,
        help="export the papers matching this query instead of the bookmarked ones",
    )
    parser.add_argument("--all", action="store_true", help="export every paper (library records or FILEs)")
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE (replaced atomically) instead of stdout"
    )
    parser.add_argument(
        "--ascii", action="store_true", help="BibTeX: write accented letters as LaTeX commands (\\'{e})"
    )
    from paper_tui.formats import format_names

    parser.add_argument(
        "--input-format",
        "-f",
        default=None,
        choices=format_names(),
        metavar="NAME",
        help="read every FILE as this format (" + ", ".join(format_names()) + ")",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="keep the library, config and cache in DIR")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return parser


def select(
    corpus: Corpus, library: Library, query: str | None, every: bool, store: Any = None
) -> list[int]:
    """Positions to export: matching ``query``, else all with ``every``, else the bookmarked.
    ``store``: where the files' search word index may be kept (``WordStore``)."""
    if query:
        from paper_tui.search import search_corpus

        return search_corpus(corpus, query, library=library, store=store)
    if every:
        return list(range(len(corpus)))
    return [i for i in range(len(corpus)) if library.is_bookmarked(corpus.paper_id(i))]


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from paper_tui.cli import EXIT_PROBLEM, CliError, load_corpus
    from paper_tui.corpus import Corpus
    from paper_tui.library import Library
    from paper_tui.library.files import atomic_write

    fmt = args.format or (format_for_path(args.output) if args.output else None) or "bibtex"
    library = Library.open(read_only=True)
    troubles = library.take_notices()  # a broken, unreadable or newer library file
    for notice in troubles:
        err.write(f"paper-tui: {notice}\n")
    store = None
    if args.files:
        corpus, loader = load_corpus(args.files, args.input_format, err)
        store = loader.word_store(len(corpus))  # the index an app session stored, if any
    else:
        corpus = Corpus(library.papers())
    papers = [corpus[i] for i in select(corpus, library, args.query, args.all, store)]
    if not papers:
        err.write(f"paper-tui: nothing to export: {_empty_reason(args, len(corpus))}\n")
        if troubles:  # not an empty list to write over a good file: the library is the problem
            err.write("paper-tui: the library could not be read as it is (see above): nothing written\n")
            return EXIT_PROBLEM
    text = render(papers, fmt, library, ascii_only=args.ascii)
    if args.output:
        target = Path(args.output)
        try:
            atomic_write(target, text.encode("utf-8"))
        except OSError as error:
            raise CliError(f"{target}: cannot write: {error.strerror or error}") from None
        err.write(f"paper-tui: wrote {_count(len(papers))} to {target} ({fmt})\n")
    else:
        out.write(text)
    # Exported, but from a library that could not be read as it is: what was asked for
    # may be missing (bookmarks, tags, notes), which the exit status says too.
    return EXIT_PROBLEM if troubles else 0


def _count(n: int) -> str:
    return f"{n} paper" if n == 1 else f"{n} papers"


def _empty_reason(args: argparse.Namespace, available: int) -> str:
    where = "in those files" if args.files else "in your library"
    if args.query:
        return f"no paper {where} matches {args.query!r}"
    if available == 0:
        return f"no papers {where}"
    return f"no bookmarked paper {where} (bookmark with b in the app, or use --query or --all)"
