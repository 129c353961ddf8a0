"""Undo and redo of library changes: each change, however many papers it touched, is one step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from paper_tui.library.entry import Entry

#: How many steps are remembered; the oldest are forgotten first.
DEFAULT_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Step:
    """One change: every touched paper's record before and after it."""

    description: str
    before: Mapping[str, Entry]
    after: Mapping[str, Entry]


class History:
    """Two stacks of :class:`Step`; recording a new step forgets what could be redone."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._undo: list[Step] = []
        self._redo: list[Step] = []

    def record(self, step: Step) -> None:
        self._undo.append(step)
        if len(self._undo) > self.limit:
            del self._undo[: len(self._undo) - self.limit]
        self._redo.clear()

    def take_undo(self) -> Step | None:
        """The step to undo (now redoable), or None when there is nothing to undo."""
        return self._move(self._undo, self._redo)

    def take_redo(self) -> Step | None:
        """The step to redo (undoable again), or None when there is nothing to redo."""
        return self._move(self._redo, self._undo)

    @staticmethod
    def _move(source: list[Step], target: list[Step]) -> Step | None:
        if not source:
            return None
        step = source.pop()
        target.append(step)
        return step

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def peek_undo(self) -> str | None:
        """What undo would undo, for a menu or tooltip."""
        return self._undo[-1].description if self._undo else None

    def peek_redo(self) -> str | None:
        return self._redo[-1].description if self._redo else None
