"""The compiled loop of :mod:`paper_tui.formats.compiled` (importing this imports
numba: only a parse worker of a big file does).  Everything here is a module
global, so that numba can keep the compiled code in its cache (a closure over
arrays is compiled afresh in every process: 20 s)."""

from __future__ import annotations

from typing import Any

import numba  # type: ignore[import-untyped]
import numpy as np

from paper_tui.formats.compiled import (
    _ABSTRACT_CLASS,
    _KEYS,
    _STRING_CLASS,
    CLEANED,
    FIELDS,
    HAS_COMMENTS,
    HAS_CREATED,
    HAS_DOI,
    HAS_JOURNAL_REF,
    HAS_REPORT_NO,
    HAS_UPDATE,
    LINKS,
    NEED,
    RAW,
    USUAL,
    _key_table,
)

key_bytes, key_offsets = _key_table()
string_class = _STRING_CLASS
#: An abstract's bytes: 0 kept as it is, 1 a blank, 2 else (int64: negated as a mask).
abstract_kind = _ABSTRACT_CLASS.astype(np.int64)
#: A byte as an abstract's cleaning writes a letter or a blank: a line break as a space.
blank_out = np.array([32 if c == 10 else c for c in range(256)], np.uint8)
key_count = len(_KEYS)
field_count = len(FIELDS)
njit = numba.njit(cache=True, nogil=True)
#: Small helpers are inlined: a call passes arrays with their reference counts.
inline = numba.njit(cache=True, nogil=True, inline="always")

# Info bits of a string read (unescaped): what cleaning it would meet.
NON_ASCII = 1
SPECIAL = 2  # a control (but \t \n \r), DEL, an invisible or special space: the usual way
MARKUP = 4  # \ { } ~ `
TAB_OR_CR = 8  # \t or \r: whitespace to clean_text, not to clean_block's quick path
LONE = 16  # a lone surrogate


@inline  # type: ignore[misc]
def special(cp: int) -> bool:
    """Is this non-ASCII code point one that cleaning removes, changes or splits on?"""
    return (
        (0x80 <= cp <= 0xA0)
        or cp == 0x061C
        or cp == 0x1680
        or (0x2000 <= cp <= 0x206F)
        or cp == 0x3000
        or cp == 0xFEFF
        or (0xD800 <= cp <= 0xDFFF)
    )


@inline  # type: ignore[misc]
def ws(data: Any, i: int, end: int) -> int:
    """Past JSON whitespace (a line holds no newline)."""
    while i < end and (data[i] == 32 or data[i] == 9 or data[i] == 13):
        i += 1
    return i


@inline  # type: ignore[misc]
def hex_digit(c: int) -> int:
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87
    if 65 <= c <= 70:
        return c - 55
    return -1


@inline  # type: ignore[misc]
def hex4(data: Any, i: int, end: int) -> int:
    """The code unit of the 4 hex digits at ``i``, or -1."""
    if i + 4 > end:
        return -1
    value = 0
    for k in range(4):
        digit = hex_digit(data[i + k])
        if digit < 0:
            return -1
        value = value * 16 + digit
    return value


@inline  # type: ignore[misc]
def put_utf8(out: Any, o: int, cp: int) -> int:
    if cp < 0x80:
        out[o] = cp
        return o + 1
    if cp < 0x800:
        out[o] = 0xC0 | (cp >> 6)
        out[o + 1] = 0x80 | (cp & 0x3F)
        return o + 2
    if cp < 0x10000:
        out[o] = 0xE0 | (cp >> 12)
        out[o + 1] = 0x80 | ((cp >> 6) & 0x3F)
        out[o + 2] = 0x80 | (cp & 0x3F)
        return o + 3
    out[o] = 0xF0 | (cp >> 18)
    out[o + 1] = 0x80 | ((cp >> 12) & 0x3F)
    out[o + 2] = 0x80 | ((cp >> 6) & 0x3F)
    out[o + 3] = 0x80 | (cp & 0x3F)
    return o + 4


@njit  # type: ignore[misc]
def string(data: Any, i: int, end: int, out: Any, o: int) -> tuple[int, int, int]:
    """The JSON string whose opening quote is at ``i``, unescaped into ``out`` at
    ``o``: (position past its closing quote or -1 if it is not valid JSON, the
    end of what was written, info bits)."""
    info = 0
    i += 1
    while i < end:
        c = data[i]
        if string_class[c] == 0:  # most bytes
            out[o] = c
            o += 1
            i += 1
            continue
        if c == 34:  # "
            return i + 1, o, info
        if c == 92:  # \
            if i + 1 >= end:
                return -1, o, info
            e = data[i + 1]
            i += 2
            if e == 34 or e == 92 or e == 47:
                c = e
            elif e == 110:
                c = 10
            elif e == 116:
                c = 9
            elif e == 114:
                c = 13
            elif e == 98:
                c = 8
            elif e == 102:
                c = 12
            elif e == 117:  # \uXXXX
                cp = hex4(data, i, end)
                if cp < 0:
                    return -1, o, info
                i += 4
                if 0xD800 <= cp <= 0xDBFF and i + 6 <= end and data[i] == 92 and data[i + 1] == 117:
                    low = hex4(data, i + 2, end)
                    if 0xDC00 <= low <= 0xDFFF:
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                if 0xD800 <= cp <= 0xDFFF:
                    info |= LONE
                    continue
                if cp >= 0x80:
                    info |= NON_ASCII
                    if special(cp):
                        info |= SPECIAL
                    o = put_utf8(out, o, cp)
                    continue
                c = cp
            else:
                return -1, o, info
        elif c < 32:  # a raw control: not JSON
            return -1, o, info
        else:
            i += 1
            if c >= 0x80:  # raw UTF-8 (checked valid): copy the character whole
                info |= NON_ASCII
                if c < 0xE0:
                    cp = ((c & 0x1F) << 6) | (data[i] & 0x3F)
                    size = 2
                elif c < 0xF0:
                    cp = ((c & 0x0F) << 12) | ((data[i] & 0x3F) << 6) | (data[i + 1] & 0x3F)
                    size = 3
                else:
                    cp = 0x10000
                    size = 4
                if special(cp):
                    info |= SPECIAL
                out[o] = c
                for k in range(size - 1):
                    out[o + 1 + k] = data[i + k]
                o += size
                i += size - 1
                continue
        # an ASCII character, from the text or an escape
        if c < 32:
            if c == 9 or c == 13:
                info |= TAB_OR_CR
            elif c != 10:
                info |= SPECIAL
        elif c == 127:
            info |= SPECIAL
        elif c == 92 or c == 123 or c == 125 or c == 126 or c == 96:
            info |= MARKUP
        out[o] = c
        o += 1
    return -1, o, info


@inline  # type: ignore[misc]
def next_item(data: Any, i: int, end: int, close: int) -> tuple[int, int]:
    """After a value in a list or an object: past a comma (1: another value
    follows), past the closing bracket ``close`` (0), or -1 for anything else."""
    i = ws(data, i, end)
    if i < end and data[i] == 44:
        return ws(data, i + 1, end), 1
    if i < end and data[i] == close:
        return i + 1, 0
    return i, -1


@njit  # type: ignore[misc]
def skip_scalar(data: Any, i: int, end: int) -> int:
    """Past ``true``, ``false``, ``null`` or a JSON number at ``i``, or -1."""
    c = data[i]
    if c == 116:  # true
        if i + 4 <= end and data[i + 1] == 114 and data[i + 2] == 117 and data[i + 3] == 101:
            return i + 4
        return -1
    if c == 102:  # false
        if (
            i + 5 <= end
            and data[i + 1] == 97
            and data[i + 2] == 108
            and data[i + 3] == 115
            and data[i + 4] == 101
        ):
            return i + 5
        return -1
    if c == 110:  # null
        if i + 4 <= end and data[i + 1] == 117 and data[i + 2] == 108 and data[i + 3] == 108:
            return i + 4
        return -1
    if c == 45:  # -
        i += 1
    if i >= end or not (48 <= data[i] <= 57):
        return -1
    if data[i] == 48:
        i += 1
    else:
        while i < end and 48 <= data[i] <= 57:
            i += 1
    if i < end and data[i] == 46:  # .
        i += 1
        if i >= end or not (48 <= data[i] <= 57):
            return -1
        while i < end and 48 <= data[i] <= 57:
            i += 1
    if i < end and (data[i] == 101 or data[i] == 69):  # e E
        i += 1
        if i < end and (data[i] == 43 or data[i] == 45):
            i += 1
        if i >= end or not (48 <= data[i] <= 57):
            return -1
        while i < end and 48 <= data[i] <= 57:
            i += 1
    return i


@njit  # type: ignore[misc]
def skip_string(data: Any, i: int, end: int) -> int:
    """Past the JSON string at ``i`` (checked, not kept), or -1."""
    i += 1
    while i < end:
        c = data[i]
        kind = string_class[c]
        if kind < 2:  # kept, or markup, DEL or UTF-8 (a control is seen below)
            if c < 32:
                return -1
            i += 1
            continue
        if c == 34:
            return i + 1
        if c == 92:
            if i + 1 >= end:
                return -1
            e = data[i + 1]
            if e == 117:
                if hex4(data, i + 2, end) < 0:
                    return -1
                i += 6
            elif e == 34 or e == 92 or e == 47 or e == 110 or e == 116 or e == 114 or e == 98 or e == 102:
                i += 2
            else:
                return -1
    return -1


@inline  # type: ignore[misc]
def skip_key(data: Any, i: int, end: int) -> int:
    """Past an object's key at ``i``, its colon and the blanks after it, or -1."""
    if i >= end or data[i] != 34:
        return -1
    i = skip_string(data, i, end)
    if i < 0:
        return -1
    i = ws(data, i, end)
    if i >= end or data[i] != 58:
        return -1
    return ws(data, i + 1, end)


@njit  # type: ignore[misc]
def skip_value(data: Any, i: int, end: int, stack: Any) -> int:
    """Past the JSON value at ``i`` (checked, not kept), or -1."""
    depth = 0
    while True:
        # a value at i (-1: a key before it was not one)
        if i < 0 or i >= end:
            return -1
        c = data[i]
        if c == 34:
            i = skip_string(data, i, end)
        elif c == 123 or c == 91:  # { [
            i = ws(data, i + 1, end)
            if i >= end:
                return -1
            if (c == 123 and data[i] == 125) or (c == 91 and data[i] == 93):
                i += 1
            else:
                if depth >= len(stack):
                    return -1
                stack[depth] = c
                depth += 1
                if c == 123:
                    i = skip_key(data, i, end)
                continue
        else:
            i = skip_scalar(data, i, end)
        if i < 0:
            return -1
        # after a value: close containers, or on to the next value
        while True:
            if depth == 0:
                return i
            i = ws(data, i, end)
            if i >= end:
                return -1
            c = data[i]
            top = stack[depth - 1]
            if c == 44:  # ,
                i = ws(data, i + 1, end)
                if top == 123:
                    i = skip_key(data, i, end)
                break
            if (c == 125 and top == 123) or (c == 93 and top == 91):
                depth -= 1
                i += 1
                continue
            return -1


@inline  # type: ignore[misc]
def key_number(data: Any, start: int, stop: int) -> int:
    """1 + the index in _KEYS of the key ``data[start:stop]``, 0 for another key."""
    size = stop - start
    for k in range(key_count):
        first = key_offsets[k]
        if key_offsets[k + 1] - first != size:
            continue
        same = True
        for m in range(size):
            if data[start + m] != key_bytes[first + m]:
                same = False
                break
        if same:
            return k + 1
    return 0


@inline  # type: ignore[misc]
def fold(source: Any, start: int, stop: int, out: Any, o: int) -> int:
    """``" ".join(text.split())`` of text whose only whitespace is \\t \\n \\r and
    the space; the end of what was written at ``o``."""
    first = o
    pending = False
    for j in range(start, stop):
        c = source[j]
        if c == 32 or c == 10 or c == 9 or c == 13:
            pending = o > first
            continue
        if pending:
            out[o] = 32
            o += 1
            pending = False
        out[o] = c
        o += 1
    return o


@inline  # type: ignore[misc]
def plain_id(source: Any, start: int, stop: int) -> bool:
    """An id parse_arxiv_id gives back as it is, nothing around it: ``YYMM.NNNN(N)``
    in ASCII digits, or an old-style one written as it normalizes them
    (``hep-th/9901001``, ``math.AG/0101001``: the archive in lower case, the subject
    class in upper case, seven digits, no version)."""
    size = stop - start
    if size == 9 or size == 10:
        new = True
        for k in range(size):
            c = source[start + k]
            if (k == 4 and c != 46) or (k != 4 and not (48 <= c <= 57)):
                new = False
                break
        if new:
            return True
    # old style: [a-z][a-z-]+ (.[A-Z]{2})? / 7 digits
    if size < 10 or not (97 <= source[start] <= 122):
        return False
    slash = stop - 8
    if source[slash] != 47:
        return False
    for k in range(slash + 1, stop):
        if not (48 <= source[k] <= 57):
            return False
    end = slash
    if end - start >= 5 and source[end - 3] == 46:  # a subject class
        if not (65 <= source[end - 2] <= 90 and 65 <= source[end - 1] <= 90):
            return False
        end -= 3
    if end - start < 2:
        return False
    for k in range(start + 1, end):
        c = source[k]
        if not (97 <= c <= 122 or c == 45):
            return False
    return True


#: Macros text-mode conversion knows (by name), laid end to end, and their ends.
_KNOWN = [
    "u",
    "v",
    "H",
    "c",
    "k",
    "r",
    "d",
    "b",
    "ss",
    "ae",
    "AE",
    "oe",
    "OE",
    "aa",
    "AA",
    "o",
    "O",
    "l",
    "L",
    "i",
    "j",
    "emph",
    "mbox",
    "url",
    "cite",
    "citet",
    "citep",
    "citealp",
    "citeauthor",
    "ref",
    "eqref",
    "autoref",
    "em",
    "it",
    "bf",
    "sl",
    "sc",
    "rm",
    "tt",
    "sf",
    "bfseries",
    "itshape",
    "slshape",
    "scshape",
    "rmfamily",
    "ttfamily",
    "sffamily",
    "upshape",
    "mdseries",
    "normalfont",
]
KNOWN_NAMES = np.frombuffer("".join(_KNOWN).encode(), np.uint8).copy()
KNOWN_ENDS = np.cumsum([len(name) for name in _KNOWN]).astype(np.int64)


@njit  # type: ignore[misc]
def macro(source: Any, j: int, stop: int) -> int:
    """The macro at ``j`` (a backslash outside math): -1 if the conversion changes
    it (an accent, a special letter, a font, a reference, a symbol, ``\\$``), 0 for
    an escaped ``& % _ #`` (which becomes the character), else the length of a macro
    it leaves as it is (``\\pi``), to keep."""
    if j + 1 >= stop:
        return 2 if j + 1 == stop else -1  # a backslash last: kept
    c = source[j + 1]
    if c == 38 or c == 37 or c == 95 or c == 35:  # & % _ #
        return 0
    if not (65 <= c <= 90 or 97 <= c <= 122):
        # one character: an accent ' ` ^ " ~ = . or an escaped $ { } is converted
        if c == 39 or c == 96 or c == 94 or c == 34 or c == 126 or c == 61 or c == 46:
            return -1
        if c == 36 or c == 123 or c == 125 or c == 40 or c == 91 or c == 92 or c == 32 or c == 10:
            return -1
        return 2
    end = j + 1
    while end < stop and (65 <= source[end] <= 90 or 97 <= source[end] <= 122):
        end += 1
    size = end - j - 1
    text = (
        size >= 4
        and source[j + 1] == 116
        and source[j + 2] == 101
        and source[j + 3] == 120
        and source[j + 4] == 116
    )
    if text:
        return -1  # \\text...
    first = 0
    for k in range(len(KNOWN_ENDS)):
        last = KNOWN_ENDS[k]
        if last - first == size:
            same = True
            for m in range(size):
                if KNOWN_NAMES[first + m] != source[j + 1 + m]:
                    same = False
                    break
            if same:
                return -1
        first = last
    return size + 1


@njit  # type: ignore[misc]
def folded_length(source: Any, start: int, stop: int) -> int:
    """Characters in the UTF-8 text once runs of spaces and line breaks are one."""
    count = 0
    blank = False
    for j in range(start, stop):
        c = source[j]
        if c == 32 or c == 10:
            if not blank:
                count += 1
            blank = True
        else:
            blank = False
            if c & 0xC0 != 0x80:
                count += 1
    return count


@njit  # type: ignore[misc]
def clean_abstract(source: Any, start: int, stop: int, out: Any, o: int, links: Any) -> int:
    """clean_block then latex_block_of_clean of an abstract with no special
    character, \\t or \\r, written at ``o``: the end written, or -1 when the
    Python way must clean it (see the module's docstring).  ``links[0]`` is set to 1
    when the text holds ``:`` and ``http`` (the paper's links may take its URLs)."""
    links[0] = 0
    while start < stop and (source[start] == 32 or source[start] == 10):  # strip
        start += 1
    while stop > start and (source[stop - 1] == 32 or source[stop - 1] == 10):
        stop -= 1
    first = o
    in_run = 1  # (a blank a conversion leaves first is stripped)
    newlines = 0
    paragraph = 0
    markup = False
    dollars = 0
    last_dollar = -1
    last_odd_markup = -1
    odd_math = False  # "$$", or a backslash before "$", "(" or "["
    colon = False
    unknown = False  # a macro the conversion does not know, kept as it is
    touched = False  # any markup, in math or not
    j = start - 1
    while j + 1 < stop:
        j += 1
        c = source[j]
        kind = abstract_kind[c]
        if kind <= 1:  # most bytes: a letter (0) or a blank (1), with no branch on which
            out[o] = blank_out[c]
            o += 1 - (kind & in_run)  # runs of blanks fold to one space
            newlines = (newlines + (c == 10)) & -kind  # a letter ends a run
            paragraph |= newlines > 1
            in_run = kind
            continue
        if c == 92 or c == 123 or c == 125 or c == 126 or c == 96:  # \ { } ~ `
            touched = True
            if dollars % 2 == 1:  # inside math (if a dollar follows): kept as written
                markup = True
                last_odd_markup = o
            elif c == 92:  # a macro outside math: kept if the conversion does not know it
                skip = macro(source, j, stop)
                if skip < 0:
                    return -1  # one it converts: the Python way
                if skip == 0:  # \& \% \_ \#: the character
                    out[o] = source[j + 1]
                    o += 1
                    in_run = 0
                    newlines = 0
                    j += 1
                    continue
                unknown = True
                for k in range(j, j + skip):
                    out[o] = source[k]
                    o += 1
                in_run = 0
                newlines = 0
                j += skip - 1
                continue
            elif c == 123 or c == 125:  # a group's braces go
                continue
            elif c == 126 and not (o > first and out[o - 1] == 47):  # a tie (not "/~") is a space
                out[o] = 32
                o += 1 - in_run
                newlines = 0
                in_run = 1
                continue
            elif c == 96 and j + 1 < stop and source[j + 1] == 96:
                return -1  # TeX's quotes
        elif c == 36:  # $
            if o > first and (out[o - 1] == 36 or out[o - 1] == 92):
                odd_math = True
            dollars += 1
            last_dollar = o
        elif c == 40 or c == 91:  # \( \[
            if o > first and out[o - 1] == 92:
                odd_math = True
        elif c == 58:
            colon = True
        in_run = 0
        newlines = 0
        out[o] = c
        o += 1
    if paragraph:
        return -1  # a paragraph break: kept as a blank line
    if unknown and folded_length(source, start, stop) <= 200:
        return -1  # pylatexenc converts short text with a macro left (the Python way)
    if o > first and out[o - 1] == 32:
        o -= 1  # a blank a conversion left last: stripped
    if touched and odd_math:
        return -1  # the conversion splits off math with a regex: the Python way
    if markup and last_odd_markup > last_dollar:
        return -1  # markup after an unpaired last dollar is outside math
    if colon:  # and "http": the paper's links may take the abstract's URLs
        for k in range(first + 3, o):
            if out[k] == 112 and out[k - 1] == 116 and out[k - 2] == 116 and out[k - 3] == 104:
                links[0] = 1
                break
    return o


@njit  # type: ignore[misc]
def record(
    data: Any,
    start: int,
    end: int,
    scratch: Any,
    staged: Any,
    spans: Any,
    abstracts: Any,
    a: int,
    stack: Any,
    bounds: Any,
    links: Any,
) -> tuple[bool, int, int, int, int, int]:
    """The record of the line at ``start`` (``end`` is the chunk's: no token of a
    record spans a newline): (read here, present bits, abstract status, abstract
    end in ``abstracts``, abstract start, the line's end); its fields staged in
    ``staged`` at ``spans``."""
    fail = (False, 0, 0, a, a, 0)
    for k in range(field_count):
        spans[k, 0] = -1
        spans[k, 1] = -1
    present = 0
    seen = 0  # bits of the keys read: one given twice is left to the usual way
    s = 0  # staged so far
    abstract_status = CLEANED
    abstract_start = a
    seen_parsed = False
    i = ws(data, start, end)
    if i >= end or data[i] != 123:
        return fail
    i = ws(data, i + 1, end)
    if i < end and data[i] == 125:
        return fail  # {}: no id, the usual way reports it
    while True:
        if i >= end or data[i] != 34:
            return fail
        key_start = i + 1
        k = key_start
        while k < end and data[k] != 34 and data[k] != 92:
            k += 1
        if k >= end or data[k] != 34:
            return fail  # an escape in a key
        key = key_number(data, key_start, k)
        if key:
            if seen & (1 << key):
                return fail
            seen |= 1 << key
        i = ws(data, k + 1, end)
        if i >= end or data[i] != 58:
            return fail
        i = ws(data, i + 1, end)
        if i >= end:
            return fail
        c = data[i]
        if key == 0:
            i = skip_value(data, i, end, stack)
            if i < 0:
                return fail
        elif key == 10:  # versions: null or a list of objects; the first's "created"
            if c == 110:
                i = skip_scalar(data, i, end)
                if i < 0:
                    return fail
            elif c == 91:
                i = ws(data, i + 1, end)
                number = 0
                if i < end and data[i] == 93:
                    i += 1
                else:
                    while True:
                        if i >= end or data[i] != 123:
                            return fail
                        i = ws(data, i + 1, end)
                        created_seen = False
                        if i < end and data[i] == 125:
                            i += 1
                        else:
                            while True:
                                if i >= end or data[i] != 34:
                                    return fail
                                vk = i + 1
                                m = vk
                                while m < end and data[m] != 34 and data[m] != 92:
                                    m += 1
                                if m >= end or data[m] != 34:
                                    return fail
                                is_created = m - vk == 7 and (
                                    data[vk] == 99
                                    and data[vk + 1] == 114
                                    and data[vk + 2] == 101
                                    and data[vk + 3] == 97
                                    and data[vk + 4] == 116
                                    and data[vk + 5] == 101
                                    and data[vk + 6] == 100
                                )
                                i = ws(data, m + 1, end)
                                if i >= end or data[i] != 58:
                                    return fail
                                i = ws(data, i + 1, end)
                                if i >= end:
                                    return fail
                                if is_created:
                                    if created_seen:
                                        return fail
                                    created_seen = True
                                    if data[i] == 34:
                                        if number == 0:
                                            o0 = s
                                            i, s, info = string(data, i, end, staged, s)
                                            if i < 0 or info & (SPECIAL | LONE | TAB_OR_CR):
                                                return fail
                                            if s > o0:
                                                present |= HAS_CREATED
                                            spans[3, 0] = o0
                                            spans[3, 1] = s
                                        else:
                                            i = skip_string(data, i, end)
                                    elif data[i] == 110:
                                        i = skip_scalar(data, i, end)
                                        if data[i - 4] != 110:
                                            return fail
                                    else:
                                        return fail
                                else:
                                    i = skip_value(data, i, end, stack)
                                if i < 0:
                                    return fail
                                i, more = next_item(data, i, end, 125)
                                if more < 0:
                                    return fail
                                if more:
                                    continue
                                break
                        number += 1
                        i, more = next_item(data, i, end, 93)
                        if more < 0:
                            return fail
                        if more:
                            continue
                        break
            else:
                return fail
        elif key == 12:  # authors_parsed: a list of lists of strings
            seen_parsed = True
            if c != 91:
                return fail  # null, or another type: the usual way
            i = ws(data, i + 1, end)
            o0 = s
            names = 0
            if i < end and data[i] == 93:
                return fail  # no entry: the authors string is read, the usual way
            while True:
                if i >= end or data[i] != 91:
                    return fail
                i = ws(data, i + 1, end)
                parts = 0
                # parts 0..2 are last, first, suffix: written first last suffix
                p0 = scratch.shape[0] // 2
                q = p0
                for m in range(6):
                    bounds[m] = q
                if i < end and data[i] == 93:
                    i += 1
                else:
                    while True:
                        if i >= end or data[i] != 34:
                            return fail
                        if parts < 3:
                            b0 = q
                            i, q, info = string(data, i, end, scratch, q)
                            if i < 0 or info & (SPECIAL | LONE | MARKUP):
                                return fail
                            bounds[2 * parts] = b0
                            bounds[2 * parts + 1] = q
                        else:
                            i = skip_string(data, i, end)
                            if i < 0:
                                return fail
                        parts += 1
                        i, more = next_item(data, i, end, 93)
                        if more < 0:
                            return fail
                        if more:
                            continue
                        break
                # the name: first, last and suffix, folded, empty ones left out
                name_start = s + (1 if names else 0)
                t = name_start
                for part in (1, 0, 2):
                    if bounds[2 * part + 1] > bounds[2 * part]:
                        if t > name_start:
                            staged[t] = 32
                            t += 1
                        t = fold(scratch, bounds[2 * part], bounds[2 * part + 1], staged, t)
                # a part all blank leaves a trailing space: fold the name again
                t = fold(staged, name_start, t, staged, name_start)
                if t > name_start:
                    if names:
                        staged[s] = 0x1F  # the authors column's separator
                    s = t
                    names += 1
                i, more = next_item(data, i, end, 93)
                if more < 0:
                    return fail
                if more:
                    continue
                break
            spans[2, 0] = o0
            spans[2, 1] = s
        elif c == 110:  # null: a field not given
            i = skip_scalar(data, i, end)
            if i < 0 or data[i - 4] != 110:
                return fail
            if key == 11:
                spans[4, 0] = s
                spans[4, 1] = s
        elif c != 34:
            return fail  # a number, a list or an object where a string is read
        elif key == 4:  # abstract
            i, q, info = string(data, i, end, scratch, 0)
            if i < 0 or info & LONE:
                return fail
            done = -1
            if not info & (SPECIAL | TAB_OR_CR):
                done = clean_abstract(scratch, 0, q, abstracts, a, links)
            if done >= 0:
                a = done
                if links[0]:
                    abstract_status = LINKS
            else:
                abstract_status = RAW
                abstracts[a : a + q] = scratch[:q]
                a += q
        else:
            i, q, info = string(data, i, end, scratch, 0)
            if i < 0 or info & (SPECIAL | LONE):
                return fail
            if key == 3:  # authors: read (checked), not used
                pass
            else:
                field = -1
                if key == 1:
                    field = 0
                elif key == 2:
                    field = 1
                elif key == 5:
                    field = 6
                elif key == 6:
                    field = 5
                elif key == 7:
                    field = 7
                elif key == 8:
                    field = 8
                elif key == 9:
                    field = 9
                elif key == 11:
                    field = 4
                o0 = s
                if field == 0:  # id
                    if not plain_id(scratch, 0, q):
                        return fail
                    staged[s : s + q] = scratch[:q]
                    s += q
                elif field == 1:  # title
                    if info & MARKUP:  # latex_line: an abstract's conversion, on one line
                        if info & TAB_OR_CR:
                            return fail
                        s = clean_abstract(scratch, 0, q, staged, s, links)  # (a title's: no links)
                        if s < 0:
                            return fail
                    else:
                        s = fold(scratch, 0, q, staged, s)
                elif field == 4 or field == 6:  # update_date, categories: as read
                    if info & TAB_OR_CR:
                        return fail
                    staged[s : s + q] = scratch[:q]
                    s += q
                    if field == 4:
                        present |= HAS_UPDATE
                else:  # doi, comments, journal_ref, report_no: folded
                    s = fold(scratch, 0, q, staged, s)
                    if q:
                        if field == 5:
                            present |= HAS_DOI
                        elif field == 7:
                            present |= HAS_COMMENTS
                        elif field == 8:
                            present |= HAS_JOURNAL_REF
                        else:
                            present |= HAS_REPORT_NO
                spans[field, 0] = o0
                spans[field, 1] = s
        i, more = next_item(data, i, end, 125)
        if more < 0:
            return fail
        if more:
            continue
        i = ws(data, i, end)
        break
    if (i < end and data[i] != 10) or spans[0, 0] < 0 or not seen_parsed:
        return fail  # text after the object, no id, or no authors_parsed
    return True, present, abstract_status, a, abstract_start, i


def work_size(size: int, count: int, display: int) -> int:
    """The bytes :func:`read` needs for a chunk of ``size`` bytes, ``count`` lines."""
    return 7 * size + count * (24 + display + 128 + field_count) + 32


#: Month names, three letters each, January first.
MONTHS = np.frombuffer(b"JanFebMarAprMayJunJulAugSepOctNovDec", np.uint8).copy()


@inline  # type: ignore[misc]
def digits(source: Any, start: int, count: int) -> int:
    """The number in ``count`` ASCII digits at ``start``, or -1."""
    value = 0
    for k in range(count):
        c = source[start + k]
        if not (48 <= c <= 57):
            return -1
        value = value * 10 + c - 48
    return value


@inline  # type: ignore[misc]
def put_day(out: Any, o: int, year: int, month: int, day: int) -> int:
    """``YYYY-MM-DD`` (normalize_date's answer for a day 1-31 of a month 1-12)."""
    out[o] = 48 + year // 1000
    out[o + 1] = 48 + year // 100 % 10
    out[o + 2] = 48 + year // 10 % 10
    out[o + 3] = 48 + year % 10
    out[o + 4] = 45
    out[o + 5] = 48 + month // 10
    out[o + 6] = 48 + month % 10
    out[o + 7] = 45
    out[o + 8] = 48 + day // 10
    out[o + 9] = 48 + day % 10
    return o + 10


@njit  # type: ignore[misc]
def version_day(source: Any, start: int, stop: int, out: Any, o: int) -> int:
    """The date of ``Mon, 2 Apr 2007 19:18:42 GMT`` (version_date, then
    normalize_date) written at ``o``; -1 for another shape (the Python way)."""
    # "Www, " then one or two digits, a space, a month, a space, four digits
    if stop - start < 15 or source[start + 3] != 44 or source[start + 4] != 32:
        return -1
    for k in range(3):
        c = source[start + k]
        if not (65 <= c <= 90 or 97 <= c <= 122):
            return -1
    at = start + 5
    if 48 <= source[at + 1] <= 57:
        day = digits(source, at, 2)
        at += 2
    else:
        day = digits(source, at, 1)
        at += 1
    if day < 1 or day > 31 or at + 9 > stop or source[at] != 32 or source[at + 4] != 32:
        return -1
    month = 0
    for m in range(12):
        if (
            source[at + 1] == MONTHS[3 * m]
            and source[at + 2] == MONTHS[3 * m + 1]
            and source[at + 3] == MONTHS[3 * m + 2]
        ):
            month = m + 1
            break
    year = digits(source, at + 5, 4)
    if month == 0 or year < 0:
        return -1
    return put_day(out, o, year, month, day)


@njit  # type: ignore[misc]
def iso_day(source: Any, start: int, stop: int, out: Any, o: int) -> int:
    """normalize_date of ``YYYY-MM-DD`` (update_date) written at ``o``, or -1."""
    if stop - start != 10 or source[start + 4] != 45 or source[start + 7] != 45:
        return -1
    year = digits(source, start, 4)
    month = digits(source, start + 5, 2)
    day = digits(source, start + 8, 2)
    if year < 0 or month < 1 or month > 12 or day < 1 or day > 31:
        return -1
    return put_day(out, o, year, month, day)


@njit  # type: ignore[misc]
def json_string(source: Any, start: int, stop: int, out: Any, o: int, lower: bool = False) -> int:
    """Clean text (no control character) as msgspec writes it in JSON (``lower``:
    ASCII letters lower-cased)."""
    out[o] = 34
    o += 1
    for j in range(start, stop):
        c = source[j]
        if lower and 65 <= c <= 90:
            c += 32
        if c == 34 or c == 92:
            out[o] = 92
            o += 1
        out[o] = c
        o += 1
    out[o] = 34
    return o + 1


@njit  # type: ignore[misc]
def doi_string(source: Any, start: int, stop: int, out: Any, o: int) -> int:
    """normalize_doi of a folded DOI that starts ``10.NNNN/`` (ASCII), as a JSON
    string written at ``o``; -1 for any other (the Python way)."""
    if stop - start < 8 or source[start] != 49 or source[start + 1] != 48 or source[start + 2] != 46:
        return -1
    at = start + 3
    while at < stop and 48 <= source[at] <= 57:
        at += 1
    if not (4 <= at - start - 3 <= 9) or at >= stop or source[at] != 47:
        return -1
    end = at + 1
    while end < stop and source[end] != 32:
        if source[end] >= 128:
            return -1  # lower() of other letters: the Python way
        end += 1
    if end == at + 1:
        return -1
    # rstrip(".,;)]}")
    while end > at + 1:
        c = source[end - 1]
        if c == 46 or c == 44 or c == 59 or c == 41 or c == 93 or c == 125:
            end -= 1
        else:
            break
    return json_string(source, start, end, out, o, True)


@njit  # type: ignore[misc]
def categories_json(source: Any, start: int, stop: int, out: Any, o: int) -> int:
    """_categories of printable ASCII (words split on spaces, each once, in order)
    as a JSON list written at ``o``; -1 for other text (the Python way)."""
    first = o
    out[o] = 91
    o += 1
    words = 0
    j = start
    while j < stop:
        c = source[j]
        if c == 32:
            j += 1
            continue
        k = j
        while k < stop and source[k] != 32:
            if source[k] < 33 or source[k] > 126 or source[k] == 34 or source[k] == 92:
                return -1
            k += 1
        # a word given before is left out
        seen = False
        w = first + 1
        while w < o and not seen:
            # each word written is "...", then , or the end
            w += 1
            e = w
            while out[e] != 34:
                e += 1
            if e - w == k - j:
                same = True
                for m in range(k - j):
                    if out[w + m] != source[j + m]:
                        same = False
                        break
                seen = same
            w = e + 2
        if not seen:
            if words:
                out[o] = 44
                o += 1
            out[o] = 34
            o += 1
            for m in range(j, k):
                out[o] = source[m]
                o += 1
            out[o] = 34
            o += 1
            words += 1
        j = k
    out[o] = 93
    return o + 1


@inline  # type: ignore[misc]
def put_number(out: Any, o: int, value: int) -> int:
    if value == 0:
        out[o] = 48
        return o + 1
    size = 0
    rest = value
    while rest:
        size += 1
        rest //= 10
    for k in range(size):
        out[o + size - 1 - k] = 48 + value % 10
        value //= 10
    return o + size


@njit  # type: ignore[misc]
def put_bytes(source: Any, start: int, stop: int, out: Any, o: int) -> int:
    for j in range(start, stop):
        out[o] = source[j]
        o += 1
    return o


@njit  # type: ignore[misc]
def finish(staged: Any, spans: Any, present: int, out: Any, o: int, display: Any, line: int) -> int:
    """The rest of a record read here (compact JSON, as encode_rest writes it) at
    ``o``, when the loop can make it: -1 else (a DOI, date or categories the Python
    way reads)."""
    out[o] = 91
    o += 1
    o = json_string(staged, spans[0, 0], spans[0, 1], out, o)  # the arXiv id
    out[o] = 44
    o += 1
    if present & HAS_DOI:
        o = doi_string(staged, spans[5, 0], spans[5, 1], out, o)
        if o < 0:
            return -1
    else:
        out[o] = 34
        out[o + 1] = 34
        o += 2
    for c in (44, 110, 117, 108, 108, 44):  # ,null,
        out[o] = c
        o += 1
    if spans[6, 0] >= 0:
        o = categories_json(staged, spans[6, 0], spans[6, 1], out, o)
        if o < 0:
            return -1
    else:
        out[o] = 91
        out[o + 1] = 93
        o += 2
    for c in (44, 91, 91):  # ,[[
        out[o] = c
        o += 1
    o = put_bytes(display, 0, len(display), out, o)
    out[o] = 44
    o = put_number(out, o + 1, line)
    for c in (93, 93, 44, 91):  # ]],[
        out[o] = c
        o += 1
    extras = 0
    for field in range(7, 10):
        bit = HAS_COMMENTS if field == 7 else HAS_JOURNAL_REF if field == 8 else HAS_REPORT_NO
        if present & bit:
            if extras:
                out[o] = 44
                o += 1
            out[o] = 91
            o += 1
            o = put_bytes(EXTRA_NAMES, EXTRA_OFFSETS[field - 7], EXTRA_OFFSETS[field - 6], out, o)
            out[o] = 44
            o = json_string(staged, spans[field, 0], spans[field, 1], out, o + 1)
            out[o] = 93
            o += 1
            extras += 1
    out[o] = 93
    out[o + 1] = 93
    return o + 2


#: The extras' names as JSON strings, one after the other.
EXTRA_NAMES = np.frombuffer(b'"comment""journal_ref""report_no"', np.uint8).copy()
EXTRA_OFFSETS = np.array([0, 9, 22, 33], np.int64)


@njit  # type: ignore[misc]
def read(data: Any, display: Any, line_delta: int, count: int, work: Any) -> tuple[Any, ...]:
    """The loop over a chunk's lines (``count``: its newlines + 1), its buffers
    carved out of ``work`` (of at least :func:`work_size` bytes, reused from chunk to
    chunk: fresh ones cost a page fault per 4 KB)."""
    size = len(data)
    lines = np.empty((count, 3), np.int64)
    status = np.zeros(count, np.uint8)
    present = np.zeros(count, np.uint8)
    abstract_status = np.zeros(count, np.uint8)
    abstract_lengths = np.zeros(count, np.int64)
    rest_lengths = np.zeros(count, np.int64)
    blob_starts = np.zeros(count, np.int64)
    at = 0
    columns = work[at : at + size + 24 * count]
    at += size + 24 * count
    blob = work[at : at + size + count * (len(display) + 128)]
    at += size + count * (len(display) + 128)
    fields = work[at : at + size + field_count * count]
    at += size + field_count * count
    abstracts = work[at : at + size]
    at += size
    scratch = work[at : at + 2 * size + 16]
    at += 2 * size + 16
    staged = work[at : at + size + 16]
    spans = np.empty((field_count, 2), np.int64)
    stack = np.empty(64, np.uint8)
    bounds = np.empty(6, np.int64)
    links = np.zeros(1, np.int64)
    f = 0
    a = 0
    b = 0
    col = 0
    row = 0
    position = 0
    number = 0
    while position <= size:
        start = position
        number += 1
        j = start
        while j < size and (data[j] == 32 or data[j] == 9 or data[j] == 13 or data[j] == 11 or data[j] == 12):
            j += 1
        if j >= size or data[j] == 10:  # a blank line
            position = j + 1
            continue
        ok, bits, astatus, a_end, a_start, stop = record(
            data, start, size, scratch, staged, spans, abstracts, a, stack, bounds, links
        )
        blob_starts[row] = b
        if ok:
            # The columns: id (with "arxiv:"), title, authors, date.
            c0 = col
            for c in (97, 114, 120, 105, 118, 58):  # arxiv:
                columns[col] = c
                col += 1
            col = put_bytes(staged, spans[0, 0], spans[0, 1], columns, col)
            columns[col] = 0
            col = put_bytes(staged, spans[1, 0], spans[1, 1], columns, col + 1)
            columns[col] = 0
            col = put_bytes(staged, spans[2, 0], spans[2, 1], columns, col + 1)
            columns[col] = 0
            col += 1
            day = -1
            if bits & HAS_CREATED:
                day = version_day(staged, spans[3, 0], spans[3, 1], columns, col)
            elif bits & HAS_UPDATE:
                day = iso_day(staged, spans[4, 0], spans[4, 1], columns, col)
            rest_start = b + a_end - a_start
            rest_end = -1
            if day >= 0 and astatus == CLEANED:
                rest_end = finish(staged, spans, bits, blob, rest_start, display, number + line_delta)
            if rest_end >= 0:  # a whole row: the abstract before its rest
                col = day
                columns[col] = 0
                col += 1
                blob[b:rest_start] = abstracts[a_start:a_end]
                abstract_lengths[row] = a_end - a_start
                rest_lengths[row] = rest_end - rest_start
                b = rest_end
            else:  # the Python way makes the date or the rest: the fields it needs
                col = c0
                for _k in range(4):
                    columns[col] = 0
                    col += 1
                status[row] = NEED
                present[row] = bits
                abstract_status[row] = astatus
                abstract_lengths[row] = a_end - a_start
                a = a_end
                for k in range(field_count):
                    if spans[k, 0] >= 0:
                        length = spans[k, 1] - spans[k, 0]
                        fields[f : f + length] = staged[spans[k, 0] : spans[k, 1]]
                        f += length
                    fields[f] = 0
                    f += 1
        else:
            status[row] = USUAL
            stop = j
            while stop < size and data[stop] != 10:
                stop += 1
            for _k in range(4):
                columns[col] = 0
                col += 1
        lines[row, 0] = start
        lines[row, 1] = stop
        lines[row, 2] = number
        position = stop + 1
        row += 1
    return (
        lines[:row],
        status[:row],
        present[:row],
        abstract_status[:row],
        abstract_lengths[:row],
        rest_lengths[:row],
        blob_starts[:row],
        columns[:col],
        blob[:b],
        fields[:f],
        abstracts[:a],
    )
