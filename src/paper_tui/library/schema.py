"""The library file's TOML layout, versions and the reading of older ones.

Schema 1 (what this version writes)::

    schema = 1

    [papers."arxiv:2401.01234"]
    state = "read"                 # unread | read | skipped
    bookmarked = true
    tags = ["llm", "eval"]
    note = \"\"\"
    first line
    second line\"\"\"
    updated = 2026-01-02 03:04:05.123456+00:00
    title = "..."
    authors = ["...", "..."]
    date = "2024-01-02"
    arxiv_id = "2401.01234"
    doi = "..."
    categories = ["cs.CL", "cs.LG"]

    [papers."arxiv:2401.01234".links]
    code = "https://github.com/..."

Empty fields are left out; records with no decision are not written.

Schema 0 (the first layout, before per-paper records): no ``schema`` key, and lists
of ids per decision::

    bookmarks = ["arxiv:2401.01234"]
    read = ["..."]
    skipped = ["..."]
    [tags]
    "arxiv:2401.01234" = ["llm"]
    [notes]
    "arxiv:2401.01234" = "text"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import tomli_w

from paper_tui.library.entry import (
    DEFAULT_STATE,
    STATES,
    Entry,
    format_stamp,
    normalize_note,
    normalize_tags,
    parse_stamp,
    stamp_datetime,
)

SCHEMA = 1

HEADER = (
    '# paper-tui library: your decisions about papers, one [papers."ID"] table each.\n'
    "# Safe to read and edit by hand while paper-tui is closed; comments are not kept.\n"
)

_KNOWN = (
    "state",
    "bookmarked",
    "tags",
    "note",
    "updated",
    "title",
    "authors",
    "date",
    "arxiv_id",
    "doi",
    "categories",
    "links",
)


class LibraryFormatError(ValueError):
    """The file is not a library this version can read (broken TOML, wrong shape)."""


class NewerSchemaError(LibraryFormatError):
    """The file was written by a newer paper-tui; it is left alone, not treated as broken.

    ``decoded`` is what this version could read of it (records of the schema-1 shape), for display.
    """

    def __init__(self, message: str, decoded: Decoded) -> None:
        super().__init__(message)
        self.decoded = decoded


@dataclass
class Decoded:
    """A library file read: its records, the schema it had, and what was wrong in it."""

    entries: dict[str, Entry] = field(default_factory=dict)
    schema: int = SCHEMA
    #: Fields or records that could not be read (``id: reason``); the rest was read.
    problems: list[str] = field(default_factory=list)
    #: Top-level keys this version does not know, kept and written back.
    other: dict[str, Any] = field(default_factory=dict)


def decode(text: str, *, migrated_stamp: str = "") -> Decoded:
    """Read a library file's text (any known schema).

    Raises :class:`LibraryFormatError` when it is not TOML or not a library at all, and
    :class:`NewerSchemaError` for a schema newer than :data:`SCHEMA`.  ``migrated_stamp``
    is the ``updated`` time given to records of schema 0, which had none.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LibraryFormatError(f"not valid TOML ({error})") from None
    schema = data.get("schema", 0 if "papers" not in data else SCHEMA)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 0:
        raise LibraryFormatError(f"schema is {schema!r}, not a version number")
    if schema > SCHEMA:
        try:
            readable = _decode_v1(data)
        except LibraryFormatError:
            readable = Decoded(schema=schema)
        raise NewerSchemaError(
            f"written by a newer paper-tui (schema {schema}; this version reads up to {SCHEMA})", readable
        )
    if schema == 0:
        return _decode_v0(data, migrated_stamp or format_stamp(datetime(1970, 1, 1, tzinfo=UTC)))
    return _decode_v1(data)


def _decode_v1(data: Mapping[str, Any]) -> Decoded:
    papers = data.get("papers", {})
    if not isinstance(papers, dict):
        raise LibraryFormatError("'papers' is not a table")
    out = Decoded(schema=SCHEMA, other={k: v for k, v in data.items() if k not in ("schema", "papers")})
    for pid, record in papers.items():
        if not isinstance(record, dict):
            out.problems.append(f"{pid}: not a table")
            continue
        entry = _decode_record(pid, record, out.problems)
        out.entries[pid] = entry
    return out


def _decode_record(pid: str, record: Mapping[str, Any], problems: list[str]) -> Entry:
    """One record; a field of the wrong kind is reported and read as its default."""

    def get(name: str, kind: type, default: Any) -> Any:
        value = record.get(name, default)
        if isinstance(value, kind) and (kind is not int or not isinstance(value, bool)):
            return value
        problems.append(f"{pid}: {name} = {value!r} is not a {kind.__name__}")
        return default

    def strings(name: str) -> tuple[str, ...]:
        value = get(name, list, [])
        if not all(isinstance(v, str) for v in value):
            problems.append(f"{pid}: {name} holds something other than text")
        return tuple(v for v in value if isinstance(v, str))

    state = get("state", str, DEFAULT_STATE)
    if state not in STATES:
        problems.append(f"{pid}: state = {state!r} is not one of {', '.join(STATES)}")
        state = DEFAULT_STATE
    updated = ""
    if "updated" in record:
        try:
            updated = parse_stamp(record["updated"])
        except ValueError:
            problems.append(f"{pid}: updated = {record['updated']!r} is not a time")
    links = get("links", dict, {})
    return Entry(
        id=pid,
        state=state,
        bookmarked=get("bookmarked", bool, False),
        tags=normalize_tags(strings("tags")),
        note=normalize_note(get("note", str, "")),
        updated=updated,
        title=get("title", str, ""),
        authors=strings("authors"),
        date=get("date", str, ""),
        arxiv_id=get("arxiv_id", str, ""),
        doi=get("doi", str, ""),
        categories=strings("categories"),
        links=tuple((str(k), v) for k, v in links.items() if isinstance(v, str)),
        other=tuple((k, v) for k, v in record.items() if k not in _KNOWN),
    )


def _decode_v0(data: Mapping[str, Any], stamp: str) -> Decoded:
    out = Decoded(schema=0)
    fields: dict[str, dict[str, Any]] = {}

    def ids(name: str) -> list[str]:
        value = data.get(name, [])
        if not isinstance(value, list):
            out.problems.append(f"{name} is not a list of ids")
            return []
        return [v for v in value if isinstance(v, str)]

    for pid in ids("bookmarks"):
        fields.setdefault(pid, {})["bookmarked"] = True
    for state in ("read", "skipped"):
        for pid in ids(state):
            fields.setdefault(pid, {})["state"] = state
    for name, key in (("tags", "tags"), ("notes", "note")):
        table = data.get(name, {})
        if not isinstance(table, dict):
            out.problems.append(f"{name} is not a table")
            continue
        for pid, value in table.items():
            fields.setdefault(pid, {})[key] = value
    for pid, record in fields.items():
        record["updated"] = stamp
        out.entries[pid] = _decode_record(pid, record, out.problems)
    known = {"bookmarks", "read", "skipped", "tags", "notes"}
    out.other = {k: v for k, v in data.items() if k not in known}
    return out


def encode(entries: Mapping[str, Entry], other: Mapping[str, Any] | None = None) -> str:
    """The library file's text: records with a decision, sorted by id (stable diffs)."""
    return Encoder().encode(entries, other)


class Encoder:
    """:func:`encode` that remembers each record's text, so that a change re-encodes only
    the records it touched (tomli-w takes most of a save's time in a big library)."""

    def __init__(self) -> None:
        self._texts: dict[str, tuple[Entry, str]] = {}

    def encode(self, entries: Mapping[str, Entry], other: Mapping[str, Any] | None = None) -> str:
        texts: dict[str, tuple[Entry, str]] = {}
        for pid in sorted(entries):
            entry = entries[pid]
            if entry.is_default:
                continue
            known = self._texts.get(pid)
            if known is not None and (known[0] is entry or known[0] == entry):
                texts[pid] = known
            else:
                record = {"papers": {pid: _encode_record(entry)}}
                # TOML reads CR LF in a multi-line string as LF: a record holding a CR (never
                # a note, they are normalized) is written with escapes only, so it reads back.
                multiline = not _has_cr(record)
                texts[pid] = (entry, tomli_w.dumps(record, multiline_strings=multiline))
        self._texts = texts
        head = tomli_w.dumps({"schema": SCHEMA, **(other or {})}, multiline_strings=True)
        return HEADER + "\n" + head + "".join("\n" + text for _, text in texts.values())


def _has_cr(value: object) -> bool:
    if isinstance(value, str):
        return "\r" in value
    if isinstance(value, dict):
        return any(_has_cr(k) or _has_cr(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_cr(v) for v in value)
    return False


def _encode_record(entry: Entry) -> dict[str, Any]:
    record: dict[str, Any] = {"state": entry.state, "bookmarked": entry.bookmarked}
    optional: dict[str, Any] = {
        "tags": list(entry.tags),
        "note": entry.note,
        "updated": stamp_datetime(entry.updated) if entry.updated else None,
        "title": entry.title,
        "authors": list(entry.authors),
        "date": entry.date,
        "arxiv_id": entry.arxiv_id,
        "doi": entry.doi,
        "categories": list(entry.categories),
    }
    record.update({k: v for k, v in optional.items() if v})
    record.update(dict(entry.other))
    if entry.links:  # last: tomli-w writes a table after the plain keys anyway
        record["links"] = dict(entry.links)
    return record
