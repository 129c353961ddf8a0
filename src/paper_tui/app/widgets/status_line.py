"""StatusLine: load progress, the sort order and short notices, on one line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def human_bytes(count: float) -> str:
    """``1.2 GB`` style sizes."""
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"


def human_seconds(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s"


def progress_text(papers: int, bytes_read: int, bytes_total: int, rate: float, eta: float | None) -> str:
    """``Loading 120,000 papers · 40.1 MB / 1.2 GB (3%) · 52,000/s · 23 s left``."""
    parts = [f"Loading {papers:,} papers"]
    if bytes_total > 0:
        percent = 100 * bytes_read / bytes_total
        parts.append(f"{human_bytes(bytes_read)} / {human_bytes(bytes_total)} ({percent:.0f}%)")
    if rate > 0:
        parts.append(f"{rate:,.0f}/s")
    if eta is not None:
        parts.append(f"{human_seconds(eta)} left")
    return " · ".join(parts)


class StatusLine(Static):
    """One line at the bottom: what the app is doing, then what it knows."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._left = ""
        self._right = ""
        self._shown = ""

    def set_left(self, text: str) -> None:
        self._left = text
        self._redraw()

    def set_right(self, text: str) -> None:
        self._right = text
        self._redraw()

    @property
    def left(self) -> str:
        return self._left

    @property
    def right(self) -> str:
        return self._right

    def _redraw(self) -> None:
        width = max(0, self.size.width or 80)
        right = self._right
        left = self._left
        room = width - len(right) - 1
        if room < len(left):
            left = left[: max(0, room - 1)] + "…" if room > 1 else ""
        text = Text(left)
        text.append(" " * max(1, width - len(left) - len(right)))
        text.append(right)
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text, layout=False)  # always one line: no layout pass

    def on_resize(self) -> None:
        self._redraw()
