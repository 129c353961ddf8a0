"""The library file as it is on disk: read and decoded, and merged with unsaved changes."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paper_tui.library.entry import Entry, format_stamp
from paper_tui.library.schema import SCHEMA, LibraryFormatError, NewerSchemaError, decode


@dataclass
class Disk:
    """The library file as read: its records, or why it could not be used."""

    entries: dict[str, Entry] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)
    raw: bytes | None = None
    schema: int = SCHEMA
    problems: list[str] = field(default_factory=list)
    #: "missing", "ok", "broken" (not a library), "newer" (newer schema), "unreadable" (OSError)
    status: str = "missing"
    error: str = ""


def read_disk(path: Path) -> Disk:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Disk()
    except OSError as error:
        return Disk(status="unreadable", error=error.strerror or str(error))
    try:
        text = raw.decode("utf-8-sig")
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        decoded = decode(text, migrated_stamp=format_stamp(mtime))
    except NewerSchemaError as error:
        return Disk(error.decoded.entries, error.decoded.other, raw, status="newer", error=str(error))
    except (LibraryFormatError, UnicodeDecodeError) as error:
        return Disk(raw=raw, status="broken", error=str(error))
    except OSError as error:
        return Disk(status="unreadable", error=error.strerror or str(error))
    return Disk(decoded.entries, decoded.other, raw, decoded.schema, decoded.problems, "ok")


def merge(
    disk: Mapping[str, Entry],
    mine: Mapping[str, Entry],
    dirty: Set[str],
    base: Mapping[str, Entry] | None = None,
) -> tuple[dict[str, Entry], set[str]]:
    """The records after merging this instance's unsaved changes (``dirty``) into the disk's.

    A paper this instance did not change takes the disk's record (or none).  For a
    paper it changed, given ``base`` (the records as this instance last read or wrote
    them), each decision (state, bookmark, tags, note) is merged on its own: the one
    side that changed it since ``base`` gives it, and where both did, the newer
    record's (``updated``) does.  So another instance's skip survives this one's tag on
    the same paper.  Without a base, the newer record wins whole.  Returns the merged
    records and the papers whose merged record is not the disk's (still to be written).
    """
    merged = dict(disk)
    kept: set[str] = set()
    for pid in dirty:
        own = mine.get(pid)
        if own is None:
            continue
        theirs = disk.get(pid)
        if theirs is None and base is None:
            merged[pid] = own
            kept.add(pid)
            continue
        if base is None:
            if theirs is not None and own.updated >= theirs.updated:
                merged[pid] = own
                kept.add(pid)
            continue
        result = merge_entry(base.get(pid) or Entry(pid), own, theirs or Entry(pid))
        if result != theirs:
            merged[pid] = result
            kept.add(pid)
    return merged, kept


def merge_entry(base: Entry, own: Entry, theirs: Entry) -> Entry:
    """``own`` and ``theirs`` (two instances' records of one paper, both from ``base``)
    merged decision by decision; see :func:`merge`."""
    own_newer = own.updated >= theirs.updated

    def pick(was: Any, mine: Any, other: Any) -> Any:
        if mine == other or other == was:
            return mine
        if mine == was:
            return other
        return mine if own_newer else other

    state: str = pick(base.state, own.state, theirs.state)
    bookmarked: bool = pick(base.bookmarked, own.bookmarked, theirs.bookmarked)
    tags: tuple[str, ...] = pick(base.tags, own.tags, theirs.tags)
    note: str = pick(base.note, own.note, theirs.note)
    newer, older = (own, theirs) if own_newer else (theirs, own)
    merged = own.filled_from(theirs).revised((state, bookmarked, tags, note), newer.updated)
    other = newer.other or older.other
    return merged if merged.other == other else replace(merged, other=other)
