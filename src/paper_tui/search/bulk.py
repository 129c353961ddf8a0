"""Whole-column answers as byte masks, computed with bulk ``bytes`` operations in C.

A one- or two-letter query (``t``, ``tr``) matches nine papers in ten, and deciding
it paper by paper costs a ``str.find`` call (about 300 ns) per paper per letter.
Here a column is an ASCII ``bytes`` copy of its folded text (one byte per character,
so line offsets stay as they are) and the answer is one byte per paper, built from
whole-buffer operations that run at a few nanoseconds a byte:

1. ``translate`` deletes every byte but the needle's letters and the newlines, so
   each line shrinks to the letters that matter, in order;
2. on that string the needle becomes a marker byte: ``replace`` for one or two
   letters (``t..r`` in order holds exactly when ``tr`` appears once the other
   letters are gone), a regex substitution for longer needles;
3. a line matched when it holds a marker: ``translate`` and ``replace`` squeeze each
   line to one byte, 1 or 0.

Needles outside printable ASCII (or holding ``?``, which stands for every other
character in the copy) are left to the per-paper walk.
"""

from __future__ import annotations

import re
from array import array
from itertools import compress

#: The byte a non-ASCII or control character becomes in the ASCII copy.
PLACEHOLDER = b"?"
_MARK = b"\x01"
_LINE_MARK = b"\x02"
#: Every control byte but the newline becomes the placeholder, so markers are free.
_CLEAN = bytes(b if b == 10 or 32 <= b < 127 else PLACEHOLDER[0] for b in range(256))
#: Squeezed line -> mask byte: a marked line ends in 0x02 -> 1, an unmarked newline -> 0.
_TO_MASK = bytes(1 if b == 2 else 0 if b == 10 else b for b in range(256))
_ALL = frozenset(range(256))

#: Rough costs in nanoseconds, measured on the 2-core benchmark machine under load:
#: one ``str.find`` call through ``map`` with the list handling around it, one byte
#: through the ``translate``/``replace`` passes, one byte of the shrunk text through
#: ``replace`` or (plus a few ns per needle letter) a regex, one paper through ``compress``.
FIND_NS = 450.0
TRANSLATE_NS = 3.0
REPLACE_NS = 2.0
REGEX_NS = 20.0
REGEX_LETTER_NS = 3.0
PAPER_NS = 40.0


def ascii_copy(text: str) -> bytes:
    """``text`` as one byte per character: non-ASCII and control characters become ``?``."""
    return text.encode("ascii", "replace").translate(_CLEAN)


def maskable(needle: str) -> bool:
    """Can :func:`fuzzy_mask` / :func:`substring_mask` answer for ``needle``?"""
    return bool(needle) and all(" " <= c <= "~" for c in needle) and "?" not in needle


def _squeeze(marked: bytes, delete: bytes) -> bytes:
    """Lines of markers (after deleting ``delete``) -> one byte per line."""
    return marked.translate(None, delete).replace(_MARK + b"\n", _LINE_MARK).translate(_TO_MASK, _MARK)


def fuzzy_mask(data: bytes, needle: str) -> bytes:
    """One byte per line of ``data``: 1 when the line holds ``needle``'s characters in order."""
    letters = needle.encode("ascii")
    keep = set(letters) | {10}
    shrunk = data.translate(None, bytes(sorted(_ALL - keep)))
    if len(letters) <= 2:
        marked = shrunk.replace(letters, _MARK)
    else:
        marked = _fuzzy_pattern(letters).sub(_MARK, shrunk)
    return _squeeze(marked, bytes(sorted(keep - {10})))


def substring_mask(data: bytes, needle: str) -> bytes:
    """One byte per line of ``data``: 1 when the line contains ``needle``."""
    marked = data.replace(needle.encode("ascii"), _MARK)
    return _squeeze(marked.translate(None, bytes(sorted(_ALL - {1, 10}))), b"")


def _fuzzy_pattern(letters: bytes) -> re.Pattern[bytes]:
    parts = [re.escape(letters[:1])]
    for code in letters[1:]:
        char = re.escape(bytes([code]))
        parts.append(b"[^" + char + b"\\n]*" + char)
    return re.compile(b"".join(parts) + b"[^\\n]*")


def fuzzy_cost(size: int, papers: int, letters_present: int, needle: str) -> float:
    """About how long :func:`fuzzy_mask` takes (ns): ``size`` bytes, ``papers`` lines,
    ``letters_present`` bytes that are one of the needle's letters."""
    shrunk = letters_present + papers
    per_byte = REPLACE_NS if len(needle) <= 2 else REGEX_NS + REGEX_LETTER_NS * len(needle)
    return size * TRANSLATE_NS + shrunk * per_byte + papers * PAPER_NS


def positions(mask: bytes, lo: int = 0) -> array[int]:
    """The lines a mask marks, as positions (``lo`` added)."""
    return array("I", compress(range(lo, lo + len(mask)), mask))
