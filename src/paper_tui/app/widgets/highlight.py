"""Styling matched characters in a rich Text."""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.text import Text


def highlight(text: Text, offsets: Iterable[int], style: Style) -> None:
    """Style the characters at ``offsets``; runs of consecutive offsets become one
    span (cheap on long abstracts); offsets outside the text are ignored."""
    length = len(text)
    run_start = previous = -2
    for offset in sorted(o for o in offsets if 0 <= o < length):
        if offset != previous + 1:
            if run_start >= 0:
                text.stylize(style, run_start, previous + 1)
            run_start = offset
        previous = offset
    if run_start >= 0:
        text.stylize(style, run_start, previous + 1)
