"""The list of formats, in the order ties are broken."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paper_tui.formats import hf_page, jsonl

if TYPE_CHECKING:
    from paper_tui.formats import Format

FORMATS: list[Format] = [
    jsonl.FORMAT,
    hf_page.FORMAT,
]
