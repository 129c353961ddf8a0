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
# strings, two-character escapes, and their 8-bit C1 forms.  An 8-bit string must be
# ended to take its text along: a lone U+0098 or U+009D is mojibake far more often
# (a double-encoded Greek letter in an abstract), and removing it alone is safe.
#
# Every branch starts with one literal character, so the regex engine skips from one
# introducer to the next instead of trying every position (mojibake abstracts hold
# many lone C1 characters: 50 us an abstract the other way); and an 8-bit string's
# body is possessive, so a lone introducer costs one scan, not a scan and a backtrack.
_ESCAPES = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?             # CSI ... final byte
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC ... BEL or ST
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS, SOS, PM, APC
    | \x1b[ -/]*[0-~]?                     # other escapes (nF, Fp, Fe, Fs)
    | \x9b[0-?]*[ -/]*[@-~]?               # 8-bit CSI
    """
    # 8-bit OSC, DCS, SOS, PM, APC: one branch each (a class would stop the skipping).
    + "".join(rf"| \x{code:02x}[^\x07\x9c\x1b]*+(?:\x07|\x9c)" for code in (0x9D, 0x90, 0x98, 0x9E, 0x9F)),
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
# A lone surrogate (JSON's "\ud800" decodes to one) cannot be written as UTF-8: the
# cache, an export or the terminal would fail on it.  It shows as U+FFFD instead.
_STRIP_TABLE.update({c: 0xFFFD for c in range(0xD800, 0xE000)})
#: Each character the table changes, and what it becomes.
_STRIP_CHARS = {chr(c): "" if to is None else chr(to) for c, to in _STRIP_TABLE.items()}
_UNSAFE = re.compile("[" + "".join(re.escape(c) for c in sorted(_STRIP_CHARS)) + "]")
# The same changes for text of code points below 256 (ASCII, and the mojibake of
# UTF-8 read as Latin-1, dense in C1 controls), made on its Latin-1 bytes: a regex
# class walks such text at 10 us a thousand characters, bytes.translate at 1.
_LATIN1_TABLE = bytes.maketrans(b"\t\r\x85", b" \n\n")
_LATIN1_DELETE = bytes(c for c in range(256) if _STRIP_CHARS.get(chr(c)) == "")


def _strip_char(match: re.Match[str]) -> str:
    return _STRIP_CHARS[match.group()]


def strip_controls(text: str) -> str:
    """Remove escape sequences and invisible or control characters, keep newlines."""
    if text.isascii() and text.isprintable():
        return text
    # The characters an escape sequence starts with (every branch of _ESCAPES), each
    # looked for by memchr: a regex class walks a non-ASCII abstract at 8 us.
    if (
        "\x1b" in text
        or "\x9b" in text
        or "\x9d" in text
        or "\x90" in text
        or "\x98" in text
        or "\x9e" in text
        or "\x9f" in text
    ):
        text = _ESCAPES.sub("", text)
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        # A regex visiting the few characters to change, not str.translate: with a dict
        # table translate costs ~0.1 us a character, a whole abstract for one stray C1.
        return _UNSAFE.sub(_strip_char, text)
    cleaned = data.translate(_LATIN1_TABLE, _LATIN1_DELETE)
    return text if cleaned == data else cleaned.decode("latin-1")


def clean_text(text: str | None) -> str:
    """One line of clean text: controls removed, all whitespace folded to single spaces."""
    if not text:
        return ""
    if text.isascii():
        if text.isprintable():
            if "  " not in text and text[0] != " " and text[-1] != " ":
                return text  # its only whitespace is single spaces between words
            return " ".join(text.split())
        # A wrapped title: printable but for newlines, which strip_controls would keep.
        # (isprintable() costs 5 ns a character, translate 1: worth it past the newline.)
        if "\n" in text:
            data = text.encode("ascii")
            if data.translate(_NEWLINE_OR_PRINTABLE) is data:
                return " ".join(text.split())
    return " ".join(strip_controls(text).split())


#: Changes every ASCII control but the newline (NUL becomes 1, the others 0), so that
#: ``data.translate(table) is data`` says printable ASCII or newlines (translate hands
#: back the same object when nothing changed; on another Python the answer is only
#: "no", and the general path is taken).
_NEWLINE_OR_PRINTABLE = bytes(
    (1 if c == 0 else 0) if (c < 0x20 and c != 0x0A) or c == 0x7F else c for c in range(256)
)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


#: What str.isspace() is true of (a test checks), but the space and the newline.
_OTHER_SPACES = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
#: A character that keeps clean_block off its quick path: one cleaning removes or
#: changes, or whitespace other than the space and the newline.
_NOT_QUICK = re.compile(
    "[" + "".join(re.escape(c) for c in sorted(set(_STRIP_CHARS) | set(_OTHER_SPACES))) + "]"
)
#: Those of them below 256, as Latin-1 bytes.
_LATIN1_NOT_QUICK = bytes(c for c in range(256) if _NOT_QUICK.match(chr(c)))
#: A table that changes exactly those bytes (NUL is one of them, it becomes 1).
_LATIN1_FLAG = bytes(c if c not in _LATIN1_NOT_QUICK else (1 if c == 0 else 0) for c in range(256))


def _quick_characters(text: str) -> bool:
    """Whether ``text`` holds no character that keeps clean_block off its quick path.

    Asked of most abstracts of a bulk load: ASCII and Latin-1 text is checked by
    translating its bytes (1 us a thousand characters; the regex class takes 6 to
    30), wider text by the regex."""
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        return not _NOT_QUICK.search(text)
    # Without deletions translate runs its fast loop, and hands back the very object
    # when no byte changed (else, or on another Python, the answer is only "no": the
    # general path is never wrong, just slower).
    return data.translate(_LATIN1_FLAG) is data


def clean_block(text: str | None) -> str:
    """A block of clean text: hard wraps folded, blank-line paragraph breaks kept."""
    if not text:
        return ""
    # The usual abstract: its only whitespace is spaces and newlines, and it holds
    # nothing cleaning removes.  Where no two whitespace characters touch inside the
    # stripped text there is no paragraph break and no run to fold: the result is
    # the stripped text with newlines as spaces.  Ten times cheaper than splitting
    # into words (a million abstracts per bulk load); the same result, tested.
    flat = text.strip()  # what strip drops, cleaning would drop too (at the ends)
    if _quick_characters(flat):
        folded = _folded(flat)
        if folded is not None:
            return folded
    return _clean_block(text)


def _folded(flat: str) -> str | None:
    """Stripped text whose only whitespace is spaces and newlines, cleaned: newlines
    as spaces, runs of spaces folded; ``None`` if it holds a paragraph break."""
    folded = flat.replace("\n", " ")
    if "  " not in folded:
        return folded
    if not _QUICK_BREAK.search(flat):  # no paragraph break: only runs of spaces to fold
        return _SPACE_RUN.sub(" ", folded)
    return None


# A paragraph break where the only whitespace is spaces and newlines, and a run to fold.
_QUICK_BREAK = re.compile(r"\n *\n")
_SPACE_RUN = re.compile(r"  +")


def _clean_block(text: str) -> str:
    text = strip_controls(text)
    # Most text that gets here is clean now (mojibake has lost its C1 characters): if
    # its only whitespace is spaces and newlines, the quick path's answer is the one
    # below, without splitting every paragraph into words (15 us a non-ASCII abstract).
    flat = text.strip()
    if _quick_characters(flat):
        folded = _folded(flat)
        if folded is not None:
            return folded
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


@lru_cache(maxsize=1)
def _latex_converter() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def latex_to_unicode(text: str) -> str:
    """Text-mode LaTeX to Unicode (``Bal\\'azs`` -> ``Balázs``); math is kept verbatim.

    Plain text (no backslash, brace or tilde) is returned unchanged.  The usual
    markup (accents, special letters, escaped symbols, ``{B}race`` protection, font
    macros) is converted by :func:`_fast_latex`; pylatexenc, which costs about a
    millisecond per call and grows steeply with length, only sees short text that
    still holds an unknown macro.  Bulk loads of the arXiv snapshot depend on this.
    """
    # Four substring tests (memchr in C) rather than a regex class: a bulk load asks
    # this of a million abstracts, and the regex walks each one character by character.
    if not text or not ("\\" in text or "{" in text or "}" in text or "~" in text or "`" in text):
        return text
    converted, unknown = _fast_latex(text)
    if unknown and len(text) <= _PYLATEXENC_MAX:
        return _pylatexenc(text)
    return converted


def latex_block_of_clean(text: str) -> str:
    """``clean_block(latex_to_unicode(text))`` for ``text`` that clean_block returned.

    After the regex conversion the second cleaning has less to do: the text had no
    control and no whitespace but spaces and paragraph breaks, and the conversion only
    adds spaces (ties), so without a paragraph break it is stripping and folding runs
    of spaces (the full cleaning costs 3 to 10 us an abstract).  Tested equal."""
    if not text or not ("\\" in text or "{" in text or "}" in text or "~" in text or "`" in text):
        return text
    converted, unknown = _fast_latex(text)
    if unknown and len(text) <= _PYLATEXENC_MAX:
        converted = _pylatexenc(text)
    elif converted is text:
        return text
    elif "\n" not in text:
        flat = converted.strip()
        return _SPACE_RUN.sub(" ", flat) if "  " in flat else flat
    return text if converted is text else clean_block(converted)


# A macro letter (or sign) -> the combining mark it puts on the next letter.
_COMBINING = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
_ACCENT = re.compile(
    r"""\\(['`^"~=.])\s*(?:\{\s*(""" + _BASE + r""")\s*\}|(""" + _BASE + r"""))"""
    r"|\\([uvHckrdb])(?:\s*\{\s*(" + _BASE + r")\s*\}|\s+([A-Za-z]))"
)
_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\s*\{\})?")
_ESCAPED = re.compile(r"\\([&%_#$])")
# LaTeX's spellings of characters it reserves (what BibTeX writers, paper-tui export
# included, emit).  Escaped braces become private-use stand-ins so that the removal of
# grouping braces spares them; pylatexenc would render \textasciicircum as U+02C6.
_SYMBOLS = re.compile(r"\\(textasciicircum|textasciitilde|textbackslash)(?![A-Za-z])(?:\s*\{\})?|\\([{}])")
_SYMBOL_TEXT = {"textasciicircum": "^", "textasciitilde": "\ue002", "textbackslash": "\ue003"}
_BRACE_STANDIN = {"{": "\ue000", "}": "\ue001"}
_STANDINS = re.compile("[\ue000-\ue003]")
#: What _SYMBOLS can match begins so: ``\\text...``, ``\\{``, ``\\}``.
_SYMBOL_HINT = re.compile(r"\\(?:text|[{}])")
_STANDIN_BACK = str.maketrans({"\ue000": "{", "\ue001": "}", "\ue002": "~", "\ue003": "\\"})
_FONT = re.compile(
    r"\\(?:emph|textit|textbf|texttt|textsc|textrm|textsf|textup|textsl|textmd|mbox|text|url)\s*(?=\{)"
)
#: References: ``\cite{a,b}`` -> ``[a, b]`` (an optional note before the keys goes).
_CITE = re.compile(
    r"\\(?:cite[tp]?|citealp|citeauthor|ref|eqref|autoref)\*?\s*(?:\[[^\]]*\]\s*)*\{([^{}]*)\}"
)
#: Font switches, which act until their group ends: ``{\em Lorentzian}``, ``\bf 98``.
_SWITCH = re.compile(
    r"\\(?:em|it|bf|sl|sc|rm|tt|sf|bfseries|itshape|slshape|scshape|rmfamily|ttfamily|sffamily"
    r"|upshape|mdseries|normalfont)(?![A-Za-z])\s*"
)
#: TeX's quotes, opening and closing in pairs.
_QUOTES = re.compile(r"``(.+?)''", re.DOTALL)


def _cited(match: re.Match[str]) -> str:
    keys = [key.strip() for key in match.group(1).split(",") if key.strip()]
    return "[" + ", ".join(keys) + "]" if keys else ""


# Math between dollars that are not escaped (``\$5 and \$10`` is text).  The lookbehinds
# come after the first ``$`` so that the regex engine can jump from ``$`` to ``$``
# (a leading lookbehind makes it try every position: five times slower on abstracts).
_MATH = re.compile(
    r"\$(?<!\\\$)\$.+?(?<!\\)\$\$|\$(?<!\\\$)[^$]+(?<!\\)\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL
)
# The lookbehind after the tilde, so the regex engine jumps from tilde to tilde.
_TIE = re.compile(r"~(?<!/~)")
#: What only the regex split handles: an escaped dollar, ``\(`` or ``\[``.
_NOT_PLAIN_MATH = re.compile(r"\\[$(\[]")
_PYLATEXENC_MAX = 200


def _accent(match: re.Match[str]) -> str:
    mark = _COMBINING[match.group(1) or match.group(4)]
    base = next(g for g in match.groups()[1:3] + match.groups()[4:6] if g)
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + mark)


def _convert_plain(segment: str, symbols: bool = True) -> str:
    """Text outside math converted; ``symbols=False`` says the text holds no ``\\text``,
    ``\\{`` or ``\\}`` (so no symbol to replace by a stand-in)."""
    cut = segment.find("\\")
    if cut >= 0:
        # Every macro regex starts with a backslash and none looks behind it, so the
        # text before the first backslash is left as it is, unscanned (five regexes).
        macros = segment[cut:]
        if symbols and ("\\text" in macros or "\\{" in macros or "\\}" in macros):
            macros = _SYMBOLS.sub(
                lambda m: _SYMBOL_TEXT[m.group(1)] if m.group(1) else _BRACE_STANDIN[m.group(2)], macros
            )
        macros = _ACCENT.sub(_accent, macros)
        macros = _LETTER.sub(lambda m: _LETTERS[m.group(1)], macros)
        # These two need a character memchr finds first: most macros text has neither.
        if "&" in macros or "%" in macros or "_" in macros or "#" in macros or "$" in macros:
            macros = _ESCAPED.sub(r"\1", macros)
        if "{" in macros:  # every font macro is followed by its group
            macros = _CITE.sub(_cited, macros)
            macros = _FONT.sub("", macros)
        # Font switches: ``{\em word}``, ``\bf 98`` (the braces go below).
        macros = _SWITCH.sub("", macros)
        segment = segment[:cut] + macros
    if "`" in segment and "``" in segment:  # TeX's quotes: ``word'' -> “word”
        segment = _QUOTES.sub("\u201c\\1\u201d", segment)
    if "{" in segment or "}" in segment:  # replace() counts a character the slow way
        segment = segment.replace("{", "").replace("}", "")
    # A tilde is a tie (a space) in LaTeX, but part of a URL after a slash.
    return _TIE.sub(" ", segment) if "~" in segment else segment


def _fast_latex(text: str) -> tuple[str, bool]:
    """Common text-mode LaTeX converted by regex, math kept as written; the flag says
    whether a macro this does not know is left outside math."""
    unknown = False
    changed = False
    # One search here rather than three substring tests per piece; and without these
    # there is no stand-in to put back (searching a non-ASCII abstract costs 10 us).
    # Asked only once a piece needs converting: most abstracts' markup is all in math.
    symbols: bool | None = None
    pieces = _math_split(text)
    for number in range(0, len(pieces), 2):  # the text between math
        piece = pieces[number]
        # Most abstracts' markup is all inside math: a piece without any is left alone.
        if "\\" in piece or "{" in piece or "}" in piece or "~" in piece or "`" in piece:
            if symbols is None:
                symbols = "\\" in text and _SYMBOL_HINT.search(text) is not None
            plain = _convert_plain(piece, symbols)
            unknown = unknown or "\\" in plain
            if plain is not piece:
                pieces[number] = plain
                changed = True
    if not changed:
        return text, unknown  # the same object: callers skip cleaning it again
    converted = "".join(pieces)
    # translate() with a dict is slow and most text has no stand-in.
    if symbols and _STANDINS.search(converted):
        converted = converted.translate(_STANDIN_BACK)
    return converted, unknown


def _math_split(text: str) -> list[str]:
    """``text`` as alternating pieces: plain, math (with its delimiters), plain ...

    Where there is no ``$$``, escaped dollar, ``\\(`` or ``\\[``, :data:`_MATH` matches
    exactly the pairs of dollars, first with second, third with fourth (an odd last one
    opens nothing), so ``str.split`` finds them without the regex walking every
    character: a third of a bulk load's abstracts hold math.
    """
    # One regex search, not four substring tests: CPython looks for a two-character
    # string a character at a time, about 2 us over an abstract.
    if "\\" in text and _NOT_PLAIN_MATH.search(text):
        return _math_split_regex(text)
    pieces = text.split("$")
    if "" in pieces[1:-1]:  # an empty piece between two dollars: "$$"
        return _math_split_regex(text)
    if len(pieces) % 2 == 0:  # an odd number of dollars: the last one is text
        pieces[-2:] = [pieces[-2] + "$" + pieces[-1]]
    for number in range(1, len(pieces), 2):
        pieces[number] = f"${pieces[number]}$"
    return pieces


def _math_split_regex(text: str) -> list[str]:
    pieces: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        pieces += (text[position : match.start()], match.group(0))
        position = match.end()
    pieces.append(text[position:])
    return pieces


def _pylatexenc(text: str) -> str:
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


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character: translate
    runs in C, where a join over ``_fold_char`` calls costs a microsecond a character."""

    def __init__(self, keep_case: bool) -> None:
        super().__init__()
        self.keep_case = keep_case

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code), self.keep_case)
        self[code] = folded
        return folded


_FOLD_TABLES = {False: _FoldTable(False), True: _FoldTable(True)}


def fold(text: str, keep_case: bool = False) -> str:
    """The search form of ``text``: accents and LaTeX markup folded, lower-cased
    unless ``keep_case``.  ``len(fold(s)) == len(s)`` always holds."""
    if text.isascii():
        table = _KEEP_CASE_ASCII if keep_case else _FOLD_ASCII
        return text.encode("ascii").translate(table).decode("ascii")
    return text.translate(_FOLD_TABLES[keep_case])


def fold_query(term: str, keep_case: bool = False) -> str:
    """Fold a query term the way corpus text is folded, then trim what LaTeX left
    (``$\\times$`` -> ``times``)."""
    return " ".join(fold(term, keep_case).split())
