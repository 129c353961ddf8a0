"""A column's ASCII copy: what the numpy walks and scans (:mod:`vector`) search.

One byte per character, so line offsets stay those of the folded text: a
character outside printable ASCII (or a control) becomes ``?``, so a needle
holding ``?`` or such a character cannot be answered from the copy and is
searched in the text itself (a ``str.find`` walk, a regex).
"""

from __future__ import annotations

#: The byte a non-ASCII or control character becomes in the ASCII copy.
PLACEHOLDER = b"?"
#: Every control byte but the newline becomes the placeholder.
_CLEAN = bytes(b if b == 10 or 32 <= b < 127 else PLACEHOLDER[0] for b in range(256))


def ascii_copy(text: str) -> bytes:
    """``text`` as one byte per character: non-ASCII and control characters become ``?``."""
    return text.encode("ascii", "replace").translate(_CLEAN)


def maskable(needle: str) -> bool:
    """Can the ASCII copy answer for ``needle``?"""
    return bool(needle) and all(" " <= c <= "~" for c in needle) and "?" not in needle
