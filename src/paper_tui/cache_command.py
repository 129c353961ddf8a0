"""``paper-tui cache info|clear``: what the parse cache holds, and emptying it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from paper_tui.cache import EntryInfo


def cache_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paper-tui cache",
        description="The parse cache: big files open fast the second time. "
        "Entries are rebuilt by themselves when a file changes.",
    )
    parser.add_argument(
        "action",
        choices=("info", "clear"),
        help="info: where the cache is, its entries and search indexes and their size; "
        "clear: remove every entry and index",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="keep the library, config and cache in DIR")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return parser


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def cmd_cache(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from paper_tui import cache

    if args.action == "clear":
        removed, freed = cache.clear()
        out.write(f"removed {removed} cache {'entry' if removed == 1 else 'entries'} ({_size(freed)})\n")
        return 0
    found = cache.entries()
    papers = sum(e.papers for e in found)
    total = sum(e.bytes for e in found)
    out.write(f"cache:   {cache.entries_dir()}\n")
    files = f"{len(found)} {'file' if len(found) == 1 else 'files'}"
    out.write(f"entries: {files}, {papers} papers, {_size(total)} ({total} bytes)\n")
    _list(found, out)
    indexes = cache.word_indexes()
    if indexes:
        size = sum(e.bytes for e in indexes)
        count = f"{len(indexes)} {'file' if len(indexes) == 1 else 'files'}"
        out.write(f"search indexes: {count}, {_size(size)} ({size} bytes) in {cache.words_dir()}\n")
        _list(indexes, out)
    return 0


def _list(found: list[EntryInfo], out: TextIO) -> None:
    for entry in found:
        note = f"  [{entry.state}]" if entry.state else ""
        source = entry.source or entry.path.name
        out.write(f"  {_size(entry.bytes):>9}  {entry.papers:>9} papers  {source}{note}\n")
