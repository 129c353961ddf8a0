"""The list of formats, in the order ties are broken."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paper_tui.formats import (
    arxiv_snapshot,
    atom,
    bibtex,
    csv_table,
    hf_json,
    hf_page,
    jsonl,
    markdown,
    ris,
    rss,
)

if TYPE_CHECKING:
    from paper_tui.formats import Format

FORMATS: list[Format] = [
    jsonl.FORMAT,
    arxiv_snapshot.FORMAT,
    hf_json.FORMAT,
    atom.FORMAT,
    rss.FORMAT,
    bibtex.FORMAT,
    ris.FORMAT,
    csv_table.FORMAT,
    markdown.FORMAT,
    hf_page.FORMAT,
]
