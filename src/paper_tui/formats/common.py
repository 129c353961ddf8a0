"""Small helpers several formats share: person names, placeholders, JSON arrays
read with their line numbers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from paper_tui.formats import LoadError

#: Values exports put in an empty field; they mean "nothing here".
PLACEHOLDERS = frozenset(
    {
        "not available",
        "[not available]",
        "no abstract available",
        "[no abstract available]",
        "no abstract",
        "[no abstract]",
        "abstract not available",
        "n/a",
        "na",
        "none",
        "null",
        "nan",
        "-",
        "--",
    }
)


def meaningful(value: str | None) -> str:
    """``value`` stripped, or ``""`` when it is empty or a placeholder like ``Not Available``."""
    if not value:
        return ""
    value = value.strip()
    return "" if value.lower() in PLACEHOLDERS else value


def first_last(name: str) -> str:
    """``Last, First`` -> ``First Last``; ``Last, Jr., First`` -> ``First Last Jr.``;
    a name without a comma is returned as written."""
    parts = [p.strip() for p in name.split(",")]
    parts = [p for p in parts if p]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3:
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return " ".join(parts)


_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?-?){1,4}$")


def surname_initials(name: str) -> str:
    """``Liu R.`` or ``Adler D.G.`` (as Embase and PubMed write names) -> ``R. Liu``,
    ``D.G. Adler``; other names unchanged."""
    words = name.split()
    if len(words) >= 2 and _INITIALS.match(words[-1]) and not _INITIALS.match(words[0]):
        return f"{words[-1]} {' '.join(words[:-1])}"
    return name


def split_author_list(text: str) -> list[str]:
    """Authors from one cell: ``Last, First; Last, First`` (Zotero), ``Liu R., Adler D.G.``
    (Embase), ``A and B``, or one ``Last, First``; each as ``First Last``."""
    text = text.strip()
    if not text:
        return []
    if ";" in text:
        return [first_last(a) for a in text.split(";") if a.strip()]
    if " and " in text and "," not in text:
        return [a.strip() for a in text.split(" and ") if a.strip()]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 2 and (" " not in parts[0] or " " not in parts[1]):
        return [first_last(text)]  # one author as "Last, First"
    return [surname_initials(p) for p in parts]


# ---------------------------------------------------------------------------
# JSON: whole-document loading with a clear error, and array items with their lines.


def load_json_text(text: str, path: str) -> Any:
    """Parse ``text`` as JSON or raise :class:`LoadError` with the failing line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"):
            message = "the JSON ends too early (truncated file?)"
        else:
            message = f"not valid JSON ({error.msg})"
        raise LoadError(path, message, error.lineno) from None


_WS = re.compile(r"\s*")


def array_item_lines(text: str, start: int) -> list[int]:
    """1-based line of each item of the JSON array opening at ``text[start] == "["``.

    Uses ``raw_decode`` item by item; it is only called on text that already parsed,
    so it cannot fail on valid JSON.
    """
    decoder = json.JSONDecoder()
    lines: list[int] = []
    line = 1 + text.count("\n", 0, start)
    last = start
    i = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
    while i < len(text) and text[i] != "]":
        line += text.count("\n", last, i)
        last = i
        lines.append(line)
        _, end = decoder.raw_decode(text, i)
        i = _WS.match(text, end).end()  # type: ignore[union-attr]
        if i < len(text) and text[i] == ",":
            i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    return lines


def iter_items_with_lines(text: str, items: list[Any], key: str | None = None) -> Iterator[tuple[int, Any]]:
    """``(line, item)`` for the top-level array (``key`` None) or the array under a
    top-level ``key``; line 0 when the position cannot be found."""
    if key is None:
        start = _WS.match(text).end()  # type: ignore[union-attr]
    else:
        match = re.search(rf'"{re.escape(key)}"\s*:\s*\[', text)
        start = match.end() - 1 if match else -1
    lines: list[int] = []
    if start >= 0:
        try:
            lines = array_item_lines(text, start)
        except (json.JSONDecodeError, IndexError):
            lines = []
    if len(lines) != len(items):
        lines = [0] * len(items)
    yield from zip(lines, items, strict=True)
