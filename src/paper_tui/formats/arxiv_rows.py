"""arXiv snapshot lines straight to compact rows: the bulk-load path.

Parsing a multi-gigabyte snapshot is a million times the per-record cost, and a
:class:`~paper_tui.model.Paper` built and then encoded costs about 0.1 ms of
Python.  This path decodes only the fields a paper is made of (msgspec, into a
typed struct, four times faster than ``json.loads``), computes each value with
the very functions :func:`~paper_tui.model.make_paper` uses (or a quick path
tested equal to them), and appends the row the parse cache and the corpus hold
(see :mod:`paper_tui.compact`) without a Paper in between: about 35 to 50 us a
record here, half of it the abstract's cleaning and LaTeX.

Anything unusual goes the reference way, record by record: JSON msgspec refuses
or a field of an unexpected type (``json.loads`` then reads it, and reports it
exactly as the text parser does), or a record whose id and DOI hold no arXiv id
(make_paper would look for one in its links).  A slice that is not UTF-8 or holds
a carriage return (a line end for universal newlines) returns ``None`` and is
parsed as text.  Tests check that rows, problems and line numbers are the same.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from operator import add
from typing import TYPE_CHECKING, Any

import msgspec

from paper_tui.compact import AUTHOR_SEP, EncodedChunk, encode_rest, join_authors
from paper_tui.formats import Report
from paper_tui.formats.arxiv_snapshot import _KEY, _VERSION_DATES, _names, paper_from_record, version_date
from paper_tui.identity import normalize_doi, paper_id, parse_arxiv_id
from paper_tui.model import (
    PaperError,
    Source,
    _ordered_links,
    classify_url,
    id_links,
    latex_line,
    normalize_date,
    urls_in,
)
from paper_tui.text import clean_block, clean_text, latex_block_of_clean

if TYPE_CHECKING:
    from paper_tui.formats.compiled import Reader


# gc=False: the structs hold only strings and lists of them (no cycles), and a million
# untracked objects decode a fifth faster and leave the cyclic collector less to walk.
class _Version(msgspec.Struct, gc=False):
    created: str | None = None


class _Record(msgspec.Struct, gc=False):
    """The fields a paper is made of; every other key is skipped unread."""

    id: str | None = None
    title: str | None = None
    authors: str | None = None
    abstract: str | None = None
    categories: str | None = None
    doi: str | None = None
    comments: str | None = None
    journal_ref: str | None = msgspec.field(default=None, name="journal-ref")
    report_no: str | None = msgspec.field(default=None, name="report-no")
    versions: list[_Version] | None = None
    update_date: str | None = None
    authors_parsed: list[list[str]] | None = None


_decode = msgspec.json.Decoder(_Record).decode
#: Compact JSON as UTF-8, byte for byte what compact.encode_rest writes (tested), and
#: eight times faster.
_encode = msgspec.json.Encoder().encode
#: normalize_date of the few thousand distinct dates a snapshot holds.
_DATES: dict[str | None, str] = {}

#: id, title, authors column, date, the abstract's UTF-8, rest.
Row = tuple[str, str, str, str, bytes, bytes]
_BRACE = ord("{")


def encode_lines(
    data: bytes, display: str, line_delta: int, report: Report, compiled: bool = False
) -> EncodedChunk | None:
    """Whole snapshot lines (UTF-8 bytes, no BOM) as one encoded chunk, or ``None``
    (before reporting anything) when the bytes must be parsed as text.

    ``display`` names the file in sources; ``line_delta`` is added to source lines,
    not to the line numbers given to ``report`` (as with the text parser).
    ``compiled``: read the lines with the compiled loop when it can be had (see
    :mod:`~paper_tui.formats.compiled`; it imports numba, 0.6 s)."""
    if b"\r" in data:
        return None
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if compiled:
        from paper_tui.formats.compiled import reader

        read = reader()
        if read is not None:
            return _compiled_chunk(read, data, display, line_delta, report)
    chunk = EncodedChunk()
    ids, titles, authors, dates = chunk.ids, chunk.titles, chunk.authors, chunk.dates
    lengths, rest_lengths = chunk.abstract_lengths, chunk.rest_lengths
    blobs: list[bytes] = []
    # Lines as views into ``data``: msgspec reads a memoryview, so no line is copied.
    view = memoryview(data)
    find = data.find
    size = len(data)
    position = 0
    number = 0
    while position <= size:
        end = find(b"\n", position)
        if end < 0:
            end = size
        start = position
        position = end + 1
        number += 1
        # A blank line (ASCII whitespace only: str.strip's other blanks are not JSON and
        # go the reference way, which passes over them as the text parser does).
        if end == start or (data[start] != _BRACE and data[start:end].isspace()):
            continue
        row = _line_row(data, view, start, end, number, display, line_delta, report)
        if row is None:
            continue
        pid, title, names, date, encoded, rest = row
        ids.append(pid)
        titles.append(title)
        authors.append(names)
        dates.append(date)
        lengths.append(len(encoded))
        rest_lengths.append(len(rest))
        blobs += (encoded, rest)
    # Offsets in one pass at the end (in C: accumulate yields the end of the last too),
    # and the blob joined once.
    chunk.offsets.extend(accumulate(map(add, lengths, rest_lengths), initial=0))
    chunk.offsets.pop()
    chunk.blob = b"".join(blobs)
    return chunk


def _line_row(
    data: bytes,
    view: memoryview,
    start: int,
    end: int,
    number: int,
    display: str,
    line_delta: int,
    report: Report,
) -> Row | None:
    """The row of the line ``data[start:end]`` (not blank), or ``None`` (reported)."""
    try:
        record = _decode(view[start:end])
    except msgspec.DecodeError:  # a ValidationError too: a field of another type
        pass
    else:
        row = _row(record, display, number + line_delta)
        if row is not None:
            return row
    text = data[start:end].decode("utf-8") + ("\n" if end < len(data) else "")
    return _reference_row(text, display, number, line_delta, report)


def _compiled_chunk(read: Reader, data: bytes, display: str, line_delta: int, report: Report) -> EncodedChunk:
    """:func:`encode_lines`' chunk, the lines read by the compiled loop (the usual
    ones whole; the others finished here, or read as :func:`encode_lines` reads them)."""
    import numpy as np

    from paper_tui.formats import compiled as c

    (
        lines,
        status,
        present,
        abstract_status,
        abstract_lengths,
        rest_lengths,
        blob_starts,
        columns,
        kernel_blob,
        fields,
        abstracts,
    ) = read(data, _encode(display), line_delta)
    count = len(lines)
    values = columns.tobytes().decode("utf-8").split("\0")
    ids, titles, names = values[0:-1:4], values[1:-1:4], values[2:-1:4]
    # A few thousand distinct dates: one string each, as the usual way's cache gives.
    dates = [_DATES.setdefault(date, date) for date in values[3:-1:4]]
    chunk = EncodedChunk()
    lengths = abstract_lengths.astype(np.uint32)
    rests = rest_lengths.astype(np.uint32)
    others = np.flatnonzero(status).tolist()
    if not others:
        chunk.ids, chunk.titles, chunk.authors, chunk.dates = ids, titles, names, dates
        chunk.blob = kernel_blob.tobytes()
    else:
        blob = kernel_blob.tobytes()
        pieces: list[bytes] = []
        cursor = 0
        view = memoryview(data)
        stride = len(c.FIELDS)
        extra = fields.tobytes().decode("utf-8").split("\0")
        need = 0  # the NEED lines' fields and abstracts, in order
        position = 0
        skipped = []
        starts = blob_starts.tolist()
        for row in others:
            start, end, number = lines[row].tolist()
            at = starts[row]
            pieces.append(blob[cursor:at])
            cursor = at
            if status[row] == c.USUAL:
                made = _line_row(data, view, start, end, number, display, line_delta, report)
                if made is None:
                    skipped.append(row)
                    continue
                ids[row], titles[row], names[row], dates[row], encoded, rest = made
            else:
                base = need * stride
                need += 1
                bits = int(present[row])
                arxiv = extra[base]
                ids[row] = "arxiv:" + arxiv
                titles[row], names[row] = extra[base + 1], extra[base + 2]
                dates[row] = _date(
                    extra[base + 3] if bits & c.HAS_CREATED else None,
                    extra[base + 4] if bits & c.HAS_UPDATE else None,
                )
                doi = normalize_doi(extra[base + 5]) if bits & c.HAS_DOI else ""
                extras = []
                if bits & c.HAS_COMMENTS:
                    extras.append(("comment", extra[base + 7]))
                if bits & c.HAS_JOURNAL_REF:
                    extras.append(("journal_ref", extra[base + 8]))
                if bits & c.HAS_REPORT_NO:
                    extras.append(("report_no", extra[base + 9]))
                size = int(abstract_lengths[row])
                encoded = abstracts[position : position + size].tobytes()
                position += size
                links = None
                if abstract_status[row] == c.RAW:
                    abstract = latex_block_of_clean(clean_block(encoded.decode()))
                    encoded = abstract.encode()
                    links = _links(abstract, arxiv, doi)
                elif abstract_status[row] == c.LINKS:
                    links = _links(encoded.decode(), arxiv, doi)
                rest = _encode(
                    [
                        arxiv,
                        doi,
                        links,
                        _categories(extra[base + 6]),
                        [[display, number + line_delta]],
                        extras,
                    ]
                )
            pieces += (encoded, rest)
            lengths[row] = len(encoded)
            rests[row] = len(rest)
        pieces.append(blob[cursor:])
        chunk.blob = b"".join(pieces)
        if skipped:  # lines the usual way reported and left out
            keep = np.ones(count, np.bool_)
            keep[skipped] = False
            kept = np.flatnonzero(keep).tolist()
            ids, titles, names, dates = (
                [column[row] for row in kept] for column in (ids, titles, names, dates)
            )
            lengths, rests = lengths[keep], rests[keep]
        chunk.ids, chunk.titles, chunk.authors, chunk.dates = ids, titles, names, dates
    chunk.abstract_lengths.frombytes(lengths.tobytes())
    chunk.rest_lengths.frombytes(rests.tobytes())
    sizes = lengths.astype(np.uint64) + rests
    offsets = np.zeros(len(sizes), np.uint64)
    np.cumsum(sizes[:-1], out=offsets[1:])
    chunk.offsets.frombytes(offsets.tobytes())
    return chunk


def _date(created: str | None, update: str | None) -> str:
    """The paper's date: its first version's, else ``update_date`` (normalized)."""
    raw_date = update
    if created:  # version_date, its cache asked here
        raw_date = _VERSION_DATES.get(created[:_KEY]) or version_date(created) or update
    date = _DATES.get(raw_date)
    if date is None:
        date = normalize_date(raw_date)
        if len(_DATES) < 100_000:
            _DATES[raw_date] = date
    return date


def _reference_row(text: str, display: str, number: int, line_delta: int, report: Report) -> Row | None:
    """One line the way :meth:`ArxivSnapshotFormat.parse` reads it (problems included)."""
    if not text.strip():
        return None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        report(number, f"not JSON ({error.msg})")
        return None
    if not isinstance(record, dict):
        report(number, "not a JSON object")
        return None
    try:
        paper = paper_from_record(record, Source(display, number))
    except (PaperError, TypeError, ValueError) as error:
        report(number, str(error) or "not a paper")
        return None
    rest = encode_rest(paper, line_delta)
    return paper.id, paper.title, join_authors(paper.authors), paper.date, paper.abstract.encode(), rest


def _row(record: _Record, display: str, line: int) -> Row | None:
    """The row ``paper_from_record`` would give, or ``None`` for the reference path."""
    doi = normalize_doi(clean_text(record.doi)) if record.doi else ""
    raw_id = record.id
    title = clean_text(record.title)  # latex_line, its usual case inline
    if "\\" in title or "{" in title or "}" in title or "~" in title or "`" in title:
        title = latex_line(title)
    if raw_id and _plain_new_id(raw_id):
        arxiv = raw_id  # what parse_arxiv_id returns for it, and for "arxiv:" + it
        pid = "arxiv:" + arxiv
    else:
        arxiv = parse_arxiv_id(raw_id) or parse_arxiv_id(doi if "48550" in doi else "")
        if not arxiv:
            return None  # links would be searched for an id: rare, left to make_paper
        pid = paper_id(arxiv, doi, title)  # as make_paper asks it
    abstract = latex_block_of_clean(clean_block(record.abstract))  # latex_block
    links = _links(abstract, arxiv, doi)
    versions = record.versions
    date = _date(versions[0].created if versions else None, record.update_date)
    extras = []
    if record.comments:
        extras.append(("comment", clean_text(record.comments)))
    if record.journal_ref:
        extras.append(("journal_ref", clean_text(record.journal_ref)))
    if record.report_no:
        extras.append(("report_no", clean_text(record.report_no)))
    rest = _encode([arxiv, doi, links, _categories(record.categories), [[display, line]], extras])
    return pid, title, _authors(record), date, abstract.encode(), rest


def _links(abstract: str, arxiv: str, doi: str) -> Any:
    """The links to store: ``None`` for the usual ones (clean: the DOI was cleaned
    first, and holds no space; distinct; in LINK_ORDER), unless the abstract adds
    some: then the general rules apply."""
    if ":" in abstract and "http" in abstract:  # memchr first: "http" is a slow 4-character search
        urls = urls_in(abstract)
        if urls:
            usual = id_links(arxiv, doi)
            links = _ordered_links(usual + tuple((classify_url(url), url) for url in urls))
            if links != usual:
                return links
    return None


#: ``YYMM.NNNN(N)`` in ASCII digits, nothing around it: parse_arxiv_id's answer is the
#: string itself (one fullmatch is three times cheaper than parse_arxiv_id's regex, and
#: twice cheaper than str methods).
_plain_new_id = re.compile(r"[0-9]{4}\.[0-9]{4,5}").fullmatch


def _authors(record: _Record) -> str:
    """The authors column (names cleaned, LaTeX converted, joined) for a record."""
    parsed = record.authors_parsed
    if parsed:
        try:  # the usual entries: [last, first, suffix]
            names = [
                f"{first} {last}" if first and last and not suffix else _name([last, first, suffix])
                for last, first, suffix in parsed
            ]
        except ValueError:  # an entry of another length
            names = [_name(parts) for parts in parsed]
    else:
        names = _names(None, record.authors)
    spaced = " ".join(names)
    if (
        spaced.isascii()
        and spaced.isprintable()
        and "\\" not in spaced
        and "{" not in spaced
        and "}" not in spaced
        and "~" not in spaced
        and "`" not in spaced
    ):
        # Printable ASCII without markup: cleaning would only fold spaces (and no name
        # holds the column's separator, a control character).  Most lists have none to
        # fold: no space at a name's ends, no two together, no empty name (any of them
        # puts a space at an end of the names joined by spaces, or two together).
        if spaced[:1] != " " and spaced[-1:] != " " and "  " not in spaced:
            return AUTHOR_SEP.join(names)
        return AUTHOR_SEP.join(name for name in (" ".join(n.split()) for n in names) if name)
    return join_authors([name for name in (latex_line(n) for n in names) if name])


def _name(parts: list[str]) -> str:
    """``First Last Suffix`` of an ``authors_parsed`` entry of any length."""
    last = parts[0] if len(parts) > 0 else ""
    first = parts[1] if len(parts) > 1 else ""
    suffix = parts[2] if len(parts) > 2 else ""
    return " ".join(p for p in (first, last, suffix) if p)


#: _categories of the few thousand distinct category strings a snapshot holds (the
#: lists are only encoded, never changed).
_CATEGORIES: dict[str, list[str]] = {}


def _categories(categories: str | None) -> list[str]:
    if not categories:
        return []
    known = _CATEGORIES.get(categories)
    if known is not None:
        return known
    if categories.isascii() and categories.isprintable():  # words are clean as split
        words = list(dict.fromkeys(categories.split()))
    else:
        words = list(dict.fromkeys(c for c in (clean_text(c) for c in categories.split()) if c))
    if len(_CATEGORIES) < 100_000:
        _CATEGORIES[categories] = words
    return words
