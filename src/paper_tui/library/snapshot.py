"""A parsed copy of the library file in the cache directory, so that opening a big library
does not wait for Python's TOML reader (about a second per thousand records).

The copy is JSON, keyed by a BLAKE2 digest of the library file's exact bytes: it is used
only when the file holds those bytes, so it can be stale or missing but never wrong.  It
is a cache: any problem reading or writing it is ignored, and the TOML file stays the one
source of truth.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from paper_tui import paths
from paper_tui.library.entry import Entry
from paper_tui.library.schema import SCHEMA

VERSION = 1


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=20).hexdigest()


def snapshot_path(library: Path) -> Path:
    """Where the copy of ``library`` lives: one file per library path."""
    key = hashlib.blake2b(str(library.absolute()).encode(), digest_size=8).hexdigest()
    return paths.cache_dir() / f"library-{key}.json"


def cacheable(entries: dict[str, Entry], other: dict[str, Any]) -> bool:
    """Only plain records are copied; fields this version does not know stay TOML's."""
    return not other and not any(e.other for e in entries.values())


def load(cached: Path, raw: bytes) -> dict[str, Entry] | None:
    """The records of ``raw`` (the library file's bytes) if ``cached`` holds a copy of exactly them."""
    try:
        data = json.loads(cached.read_bytes())
        expected = {"version": VERSION, "schema": SCHEMA, "digest": digest(raw)}
        if any(data.get(key) != value for key, value in expected.items()):
            return None
        return {row[0]: _entry(row) for row in data["entries"]}
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return None


def save(target: Path, raw: bytes, entries: dict[str, Entry]) -> None:
    """Cache ``entries`` in ``target`` as the records of ``raw``; silently nothing on any failure."""
    rows = [_row(e) for e in entries.values() if not e.is_default]
    document = {"version": VERSION, "schema": SCHEMA, "digest": digest(raw), "entries": rows}
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        paths.ensure_dir(target.parent)
        temp.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        os.replace(temp, target)  # no fsync: losing a cache costs one slow open, nothing else
    except (OSError, ValueError, TypeError):
        try:
            temp.unlink()
        except OSError:
            pass


def _row(e: Entry) -> list[Any]:
    return [
        e.id,
        e.state,
        e.bookmarked,
        list(e.tags),
        e.note,
        e.updated,
        e.title,
        list(e.authors),
        e.date,
        e.arxiv_id,
        e.doi,
        list(e.categories),
        [list(link) for link in e.links],
    ]


def _entry(row: list[Any]) -> Entry:
    pid, state, bookmarked, tags, note, updated, title, authors, date, arxiv_id, doi, categories, links = row
    return Entry(
        id=pid,
        state=state,
        bookmarked=bookmarked,
        tags=tuple(tags),
        note=note,
        updated=updated,
        title=title,
        authors=tuple(authors),
        date=date,
        arxiv_id=arxiv_id,
        doi=doi,
        categories=tuple(categories),
        links=tuple((name, url) for name, url in links),
    )
