"""The library as search sees it: a snapshot of notes, tags, states and bookmarks by position.

The engine takes any object with ``state(pid)``, ``is_bookmarked(pid)``,
``tags(pid)`` and ``note(pid)``.  Asking it about every paper of a million is
slow, so a library that can list the ids it has records for (``ids()``) is asked
only about those; others are asked about every paper once per
:meth:`SearchEngine.invalidate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from paper_tui.corpus import Corpus
from paper_tui.text import fold


class LibraryView(Protocol):
    """What search reads from the user's library."""

    def state(self, pid: str) -> str: ...

    def is_bookmarked(self, pid: str) -> bool: ...

    def tags(self, pid: str) -> tuple[str, ...]: ...

    def note(self, pid: str) -> str: ...


@dataclass
class Marks:
    """Library facts by corpus position; only papers with something recorded appear."""

    notes: dict[int, str] = field(default_factory=dict)
    folded_notes: dict[int, str] = field(default_factory=dict)
    cased_notes: dict[int, str] = field(default_factory=dict)
    tags: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: Positions whose state is not ``unread``, by state.
    states: dict[str, set[int]] = field(default_factory=dict)
    bookmarked: set[int] = field(default_factory=set)

    @classmethod
    def take(cls, corpus: Corpus, library: LibraryView | None) -> Marks:
        """Read what ``library`` records about the papers of ``corpus``."""
        marks = cls()
        if library is None:
            return marks
        for position, pid in _recorded(corpus, library):
            note = library.note(pid) or ""
            if note:
                marks.notes[position] = note
                marks.folded_notes[position] = fold(note)
                marks.cased_notes[position] = fold(note, keep_case=True)
            tags = tuple(library.tags(pid) or ())
            if tags:
                marks.tags[position] = tuple(fold(t, keep_case=True) for t in tags)
            state = library.state(pid) or "unread"
            if state != "unread":
                marks.states.setdefault(state, set()).add(position)
            if library.is_bookmarked(pid):
                marks.bookmarked.add(position)
        return marks

    def state_of(self, position: int) -> str:
        """``unread``, ``read`` or ``skipped``."""
        for state, positions in self.states.items():
            if position in positions:
                return state
        return "unread"


def _recorded(corpus: Corpus, library: LibraryView) -> Iterable[tuple[int, str]]:
    ids = getattr(library, "ids", None)
    index_of = getattr(corpus, "index_of", None)
    if callable(ids) and callable(index_of):
        for pid in ids():
            position = index_of(pid)
            if position is not None:
                yield position, pid
        return
    for position in range(len(corpus)):
        yield position, corpus.paper_id(position)
