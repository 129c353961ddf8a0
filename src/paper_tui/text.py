"""Text cleaning, done once at load, and folding for search.

Everything a paper shows passes through :func:`clean_text` (one line) or
:func:`clean_block` (an abstract or a note, paragraphs kept), so terminal escape
sequences, control characters, bidi overrides and zero-width characters never
reach the screen.  :func:`latex_to_unicode` turns text-mode LaTeX (accents,
``{B}race`` protection, ``\\&``) into Unicode and leaves ``$math$`` as written.
:func:`fold` maps text to its search form one character for one character, so a
match position in the folded text is the same position in the shown text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Escape sequences: CSI, OSC (ended by BEL or ST, or unterminated), DCS/SOS/PM/APC
# strings, two-character escapes, and their 8-bit C1 forms.
_ESCAPES = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?             # CSI ... final byte
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC ... BEL or ST
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS, SOS, PM, APC
    | \x1b[ -/]*[0-~]?                     # other escapes (nF, Fp, Fe, Fs)
    | \x9b[0-?]*[ -/]*[@-~]?               # 8-bit CSI
    | [\x9d\x90\x98\x9e\x9f][^\x07\x9c\x1b]*(?:\x07|\x9c)?   # 8-bit OSC, DCS, SOS, PM, APC
    """,
    re.VERBOSE,
)

# Characters removed outright: C0 controls (tab and newlines become spaces below),
# DEL, C1 controls, bidi embeddings/overrides/isolates and marks, zero-width
# characters and the BOM.
_REMOVED = (
    [c for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)]
    + [0x7F]
    + list(range(0x80, 0xA0))
    + [0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_STRIP_TABLE: dict[int, int | None] = {c: None for c in _REMOVED}
_STRIP_TABLE.update({0x09: 0x20, 0x0D: 0x0A, 0x2028: 0x0A, 0x2029: 0x0A, 0x85: 0x0A})
_UNSAFE = re.compile("[" + "".join(re.escape(chr(c)) for c in _REMOVED) + "\x1b\x09\x0d\u2028\u2029\x85]")


def strip_controls(text: str) -> str:
    """Remove escape sequences and invisible or control characters, keep newlines."""
    if text.isascii() and text.isprintable():
        return text
    if not _UNSAFE.search(text):
        return text
    text = _ESCAPES.sub("", text)
    return text.translate(_STRIP_TABLE)


def clean_text(text: str | None) -> str:
    """One line of clean text: controls removed, all whitespace folded to single spaces."""
    if not text:
        return ""
    return " ".join(strip_controls(text).split())


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def clean_block(text: str | None) -> str:
    """A block of clean text: hard wraps folded, blank-line paragraph breaks kept."""
    if not text:
        return ""
    text = strip_controls(text)
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


_LATEX_HINT = re.compile(r"[\\{}~]")


@lru_cache(maxsize=1)
def _latex_converter() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def latex_to_unicode(text: str) -> str:
    """Text-mode LaTeX to Unicode (``Bal\\'azs`` -> ``Balázs``); math is kept verbatim.

    Plain text (no backslash, brace or tilde) is returned unchanged without
    touching the converter, which keeps bulk loading fast.
    """
    if not text or not _LATEX_HINT.search(text):
        return text
    converter = _latex_converter()
    try:
        converted: str = converter.latex_to_text(text)  # type: ignore[attr-defined]
    except Exception:  # a malformed macro: show the text as written, never fail a load
        return text
    return converted


# ---------------------------------------------------------------------------
# Folding for search: one character in, one character out.

_FOLD_ASCII = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ$\\{}", b"abcdefghijklmnopqrstuvwxyz    ")
_KEEP_CASE_ASCII = bytes.maketrans(b"$\\{}", b"    ")


@lru_cache(maxsize=65536)
def _fold_char(char: str, keep_case: bool) -> str:
    if char in "$\\{}":
        return " "
    base = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in base if not unicodedata.combining(c)) or char
    if len(base) != 1:
        base = {"ß": "s", "æ": "a", "œ": "o", "ø": "o", "ł": "l", "đ": "d"}.get(char, char)
        if len(base) != 1:
            base = char
    if base in {"ø", "ł", "đ", "Ø", "Ł", "Đ"}:
        base = {"ø": "o", "ł": "l", "đ": "d", "Ø": "O", "Ł": "L", "Đ": "D"}[base]
    if not keep_case:
        lower = base.lower()
        base = lower if len(lower) == 1 else base
    return base


def fold(text: str, keep_case: bool = False) -> str:
    """The search form of ``text``: accents and LaTeX markup folded, lower-cased
    unless ``keep_case``.  ``len(fold(s)) == len(s)`` always holds."""
    if text.isascii():
        table = _KEEP_CASE_ASCII if keep_case else _FOLD_ASCII
        return text.encode("ascii").translate(table).decode("ascii")
    return "".join([_fold_char(c, keep_case) for c in text])


def fold_query(term: str, keep_case: bool = False) -> str:
    """Fold a query term the way corpus text is folded, then trim what LaTeX left
    (``$\\times$`` -> ``times``)."""
    return " ".join(fold(term, keep_case).split())
