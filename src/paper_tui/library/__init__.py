"""The user's library: bookmarks, triage states, tags and notes per paper id, never lost.

``Library.open()`` reads ``library.toml`` (see :mod:`paper_tui.library.schema` for the
layout and :mod:`paper_tui.library.store` for the safety rules); every change is saved
at once and is one undo step.
"""

from __future__ import annotations

from paper_tui.library.disk import merge
from paper_tui.library.entry import STATES, Entry, normalize_tags, parse_tags
from paper_tui.library.history import History, Step
from paper_tui.library.schema import SCHEMA
from paper_tui.library.store import Library

__all__ = ["SCHEMA", "STATES", "Entry", "History", "Library", "Step", "merge", "normalize_tags", "parse_tags"]
