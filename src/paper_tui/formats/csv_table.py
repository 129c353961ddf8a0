"""CSV and TSV tables of papers, matched by their header, not by a fixed layout.

Known exports: Zotero (``Title``, ``Author`` as ``Last, First; ...``, ``Abstract Note``,
``Publication Year``, ``Url``, ``DOI``, ``Manual Tags``), Embase (``Title``,
``Author Names`` as ``Liu R., Adler D.G.``, ``Abstract``, ``Source``), Scopus, Web of
Science and anything with columns named like them.  Quoted cells may span lines
(each record keeps the line it starts on); placeholders like ``Not Available`` or
``[No abstract available]`` count as empty.  A table without a title column cannot
be read and says which columns it found.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO, Any

from paper_tui.formats import MAX_LINE_CHARS, LoadError, Report
from paper_tui.formats.common import meaningful, split_author_list
from paper_tui.model import Paper, PaperError, Source, classify_url, make_paper

#: Field -> header names (normalized: lower-case letters and digits only), best first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "articletitle", "documenttitle", "papertitle", "ti", "name"),
    "authors": ("author", "authors", "authornames", "authorfullnames", "creators", "au", "creator"),
    "abstract": ("abstractnote", "abstract", "summary", "ab", "description"),
    "date": (
        "date",
        "publicationdate",
        "datepublished",
        "published",
        "pubdate",
        "publicationyear",
        "year",
        "py",
    ),
    "doi": ("doi", "di"),
    "url": ("url", "link", "pdfurl", "pdf", "fulltexturl"),
    "arxiv": ("arxivid", "arxiv", "eprint"),
    "id": ("id", "paperid"),
    "keywords": ("manualtags", "keywords", "authorkeywords", "tags", "automatictags", "indexkeywords", "de"),
    "venue": ("publicationtitle", "sourcetitle", "journal", "venue", "source", "so", "booktitle"),
    "categories": ("categories", "category"),
}


def _normalize(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.lower())


def match_columns(header: list[str]) -> dict[str, int]:
    """Field name -> column index for the columns this header names."""
    position: dict[str, int] = {}
    for i, name in enumerate(header):
        position.setdefault(_normalize(name), i)
    found: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for name in names:
            if name in position:
                found[field] = position[name]
                break
    return found


def _dialect(head: str, path: str) -> type[csv.Dialect] | csv.Dialect:
    first = head.split("\n", 1)[0]
    if path.lower().endswith(".tsv") or first.count("\t") > max(first.count(","), first.count(";")):
        return csv.excel_tab
    if first.count(";") > first.count(","):

        class Semicolon(csv.excel):
            delimiter = ";"

        return Semicolon
    return csv.excel


class CsvFormat:
    name = "csv"
    description = "CSV/TSV table"
    extensions = (".csv", ".tsv")

    def sniff(self, head: str, path: str) -> float:
        # splitlines: a lone CR (old Mac line ends) inside the row makes csv raise.
        first = next(iter(head.lstrip("\ufeff").splitlines()), "")
        if not first or first.lstrip()[:1] in "{[<@#":
            return 0.0
        try:
            cells = next(csv.reader([first], _dialect(head, path)), [])
        except csv.Error:  # not a table this module can read
            return 0.0
        if len(cells) >= 2 and "title" in match_columns(cells):
            return 0.85
        if path.lower().endswith((".csv", ".tsv")):
            return 0.5
        return 0.0

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        # csv refuses cells over 128 KiB by default; a long abstract or note is legitimate
        # (lines are already capped at MAX_LINE_CHARS when read).
        csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_CHARS))
        first = stream.readline()
        reader = csv.reader(_chain(first, stream), _dialect(first, path))
        try:
            yield from self._rows(reader, path, report)
        except csv.Error as error:  # e.g. a NUL in a cell: one clear line, not a traceback
            raise LoadError(path, f"not a readable table ({error})", reader.line_num) from None

    def _rows(self, reader: Any, path: str, report: Report) -> Iterator[Paper]:
        header = next(reader, None)
        if not header:
            raise LoadError(path, "the table has no header row")
        columns = match_columns(header)
        if "title" not in columns:
            found = ", ".join(repr(h) for h in header[:30] if h.strip()) or "none"
            raise LoadError(path, f"no title column in this table (its columns: {found})", 1)
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            try:
                yield _paper(row, columns, Source(path, start))
            except PaperError as error:
                report(start, str(error))


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


def _paper(row: list[str], columns: dict[str, int], source: Source) -> Paper:
    def cell(field: str) -> str:
        index = columns.get(field)
        return meaningful(row[index]) if index is not None and index < len(row) else ""

    url = cell("url")
    row_id = cell("id")
    keywords = cell("keywords")
    return make_paper(
        title=cell("title"),
        authors=split_author_list(cell("authors")),
        abstract=cell("abstract"),
        date=cell("date") or _year_in(cell("venue")),
        arxiv_id=cell("arxiv") or row_id,
        doi=cell("doi"),
        links=[(classify_url(url), url)] if url.startswith(("http://", "https://")) else [],
        categories=re.split(r"[;,\s]+", cell("categories")) if cell("categories") else (),
        extras={
            "venue": cell("venue"),
            "keywords": ", ".join(k.strip() for k in re.split(r"[;]", keywords) if k.strip()),
        },
        source=source,
    )


def _year_in(text: str) -> str:
    """Embase's ``Source`` cell carries the year in parentheses: ``Cancer (2004) 102:4``."""
    match = re.search(r"\((\d{4})\)", text)
    return match.group(1) if match else ""


FORMAT = CsvFormat()
