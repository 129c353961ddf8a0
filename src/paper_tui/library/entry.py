"""One paper's record in the library: the user's decisions beside its bibliographic fields."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from paper_tui.model import LINK_ORDER, Paper, Source, id_links
from paper_tui.text import clean_text, strip_controls

#: Triage states; a paper without a record is ``unread``.
STATES = ("unread", "read", "skipped")
DEFAULT_STATE = STATES[0]
_LINK_RANK = {name: i for i, name in enumerate(LINK_ORDER)}


#: The user's part of a record: state, bookmarked, tags, note.
Decisions = tuple[str, bool, tuple[str, ...], str]


@dataclass(frozen=True, slots=True)
class Entry:
    """What the library knows about one paper.  A paper never touched is ``Entry(id)``."""

    id: str
    state: str = DEFAULT_STATE
    bookmarked: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""
    #: When the user last changed this record: ISO 8601, UTC, microseconds; ``""`` if never.
    updated: str = ""
    title: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""
    arxiv_id: str = ""
    doi: str = ""
    #: arXiv categories, the primary first (BibTeX's ``primaryClass``).
    categories: tuple[str, ...] = ()
    #: Links other than the ones an arXiv id or DOI gives (those are derived, not stored).
    links: tuple[tuple[str, str], ...] = ()
    #: Keys of the record this version does not know (a newer version's, or hand-added): kept as read.
    other: tuple[tuple[str, Any], ...] = ()

    @property
    def decisions(self) -> Decisions:
        """The user's part of the record."""
        return (self.state, self.bookmarked, self.tags, self.note)

    @property
    def is_default(self) -> bool:
        """True when the user decided nothing about this paper (such records are not stored)."""
        no_marks = not (self.bookmarked or self.tags or self.note or self.other)
        return no_marks and self.state == DEFAULT_STATE

    def decide(
        self,
        *,
        state: str | None = None,
        bookmarked: bool | None = None,
        tags: Sequence[str] | None = None,
        note: str | None = None,
    ) -> Decisions:
        """The decisions with some of them changed (the record itself stays as it is)."""
        return (
            self.state if state is None else state,
            self.bookmarked if bookmarked is None else bookmarked,
            self.tags if tags is None else tuple(tags),
            self.note if note is None else note,
        )

    def revised(self, decisions: Decisions, stamp: str, paper: Paper | None = None) -> Entry:
        """This record with new decisions changed at ``stamp`` and, given a paper, its
        bibliographic fields (one the paper lacks keeps its value).  Built in one step:
        bulk changes make thousands of these."""
        state, bookmarked, tags, note = decisions
        if paper is None:
            return Entry(
                self.id, state, bookmarked, tags, note, stamp, self.title, self.authors, self.date,
                self.arxiv_id, self.doi, self.categories, self.links, self.other,
            )  # fmt: skip
        derived = id_links(paper.arxiv_id, paper.doi)
        own = tuple(link for link in paper.links if link not in derived)
        return Entry(
            self.id, state, bookmarked, tags, note, stamp,
            paper.title or self.title,
            paper.authors or self.authors,
            paper.date or self.date,
            paper.arxiv_id or self.arxiv_id,
            paper.doi or self.doi,
            paper.categories or self.categories,
            own or self.links,
            self.other,
        )  # fmt: skip

    def filled_from(self, other: Entry) -> Entry:
        """This record with each bibliographic field it lacks taken from ``other`` (a
        record of the same paper kept elsewhere, e.g. in the undo history)."""
        if self.title and self.authors and self.date and self.arxiv_id and self.doi:
            return self  # nothing to fill (the usual case): no new record
        return replace(
            self,
            title=self.title or other.title,
            authors=self.authors or other.authors,
            date=self.date or other.date,
            arxiv_id=self.arxiv_id or other.arxiv_id,
            doi=self.doi or other.doi,
            categories=self.categories or other.categories,
            links=self.links or other.links,
        )

    def to_paper(self, source: Source) -> Paper:
        """A :class:`Paper` from the stored bibliographic fields (no abstract is stored)."""
        links = dict(id_links(self.arxiv_id, self.doi))
        for name, url in self.links:
            links.setdefault(name, url)
        ordered = tuple(sorted(links.items(), key=lambda item: _LINK_RANK.get(item[0], len(_LINK_RANK))))
        return Paper(
            id=self.id,
            title=self.title or self.id,
            authors=self.authors,
            date=self.date,
            arxiv_id=self.arxiv_id,
            doi=self.doi,
            links=ordered,
            categories=self.categories,
            sources=(source,),
        )


# ---------------------------------------------------------------------------
# Tags: what the user types, made into tags that search (``tag:``) can name.

_SPACES = re.compile(r"\s+")


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags cleaned: trimmed, inner whitespace as ``-`` (so ``tag:x`` can name them), no
    commas, empties dropped, duplicates (ignoring case) dropped; the first spelling wins."""
    out: dict[str, str] = {}
    for raw in tags:
        for part in str(raw).split(","):
            tag = _SPACES.sub("-", clean_text(part).strip()).strip("-")
            if tag and tag.casefold() not in out:
                out[tag.casefold()] = tag
    return tuple(out.values())


def with_added_tags(tags: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    """``tags`` and then those of ``new`` (both already normalized) it does not have."""
    have = {t.casefold() for t in tags}
    extra = tuple(t for t in new if t.casefold() not in have)
    return tags + extra if extra else tags


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags from what the user typed: comma-separated (``"llm, eval"``)."""
    return normalize_tags(text.split(","))


def normalize_note(text: str) -> str:
    """A note with Unix line ends and no trailing blank space; otherwise as typed, less
    terminal escapes and invisible control characters (a pasted or hand-edited note is
    shown on screen and must not reach the terminal raw)."""
    return strip_controls(text.replace("\r\n", "\n")).rstrip()


# ---------------------------------------------------------------------------
# Time stamps: strictly increasing within a process, so an undo made in the same
# microsecond as the change it undoes still counts as newer when merging.

_clock_lock = threading.Lock()
_last_stamp = datetime.min.replace(tzinfo=UTC)


def now_stamp() -> str:
    """The current time as the library writes it: ISO 8601, UTC, microseconds."""
    global _last_stamp
    with _clock_lock:
        now = datetime.now(UTC)
        if now <= _last_stamp:
            now = _last_stamp + timedelta(microseconds=1)
        _last_stamp = now
    return format_stamp(now)


def format_stamp(moment: datetime) -> str:
    if moment.tzinfo is None:  # a hand-written local time: read as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_stamp(value: object) -> str:
    """A stored ``updated`` value (TOML datetime or date, or an ISO string) in the canonical
    form; raises ValueError when it is none of these."""
    if isinstance(value, datetime):
        return format_stamp(value)
    if isinstance(value, date):
        return format_stamp(datetime(value.year, value.month, value.day, tzinfo=UTC))
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        return format_stamp(datetime.fromisoformat(text))
    raise ValueError(f"not a time: {value!r}")


def stamp_datetime(stamp: str) -> datetime:
    """The canonical stamp as a datetime (for writing a TOML datetime)."""
    return datetime.fromisoformat(stamp)
