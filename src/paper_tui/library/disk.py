"""The library file as it is on disk: read and decoded, and merged with unsaved changes."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
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
    disk: Mapping[str, Entry], mine: Mapping[str, Entry], dirty: Set[str]
) -> tuple[dict[str, Entry], set[str]]:
    """The records after merging this instance's unsaved changes (``dirty``) into the disk's.

    A paper this instance did not change takes the disk's record (or none); a paper it
    changed keeps its record unless the disk's is newer.  Returns the merged records and
    the papers whose record is still this instance's.
    """
    merged = dict(disk)
    kept: set[str] = set()
    for pid in dirty:
        own = mine.get(pid)
        if own is None:
            continue
        theirs = disk.get(pid)
        if theirs is None or own.updated >= theirs.updated:
            merged[pid] = own
            kept.add(pid)
    return merged, kept
