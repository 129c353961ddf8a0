"""BibTeX and BibLaTeX, read with bibtexparser 2.

bibtexparser splits the file into blocks, resolves ``@string`` macros and removes
the ``{...}``/``"..."`` enclosing; a block it cannot parse (an unclosed brace) comes
back as a failed block with its line, which is reported while every other entry
loads.  ``@comment``, ``@preamble``, ``@string`` and ``@proceedings`` are not papers.

Per entry: ``author`` split on ``and`` (any case) into ``First von Last Jr`` by
bibtexparser's BibTeX name rules, then LaTeX accents and ``{B}race`` protection
turned into Unicode (:func:`paper_tui.text.latex_to_unicode`); ``eprint`` with
``archivePrefix = arXiv`` (or an ``arXiv:`` id in ``journal``/``note``) is the arXiv
id; ``doi``, ``url``, ``abstract``; ``keywords`` and the venue become extras; the date
is BibLaTeX's ``date``, else ``year`` with ``month`` (``jan``, ``1`` or ``January``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import IO

from bibtexparser.entrypoint import parse_string
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from paper_tui.formats import Report
from paper_tui.identity import parse_arxiv_id
from paper_tui.model import Paper, PaperError, Source, classify_url, make_paper, normalize_date

# bibtexparser logs each failed block as a warning; they are reported as skipped
# records instead, so keep its messages off the terminal unless the app configures logging.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

#: Entry types that describe a collection, not a paper.
NOT_PAPERS = frozenset({"proceedings", "mvproceedings", "collection", "mvcollection", "periodical"})


def person_names(field: str) -> list[str]:
    """``Last, First and von Last, Jr, First and First Last`` -> ``["First Last", ...]``."""
    names = []
    for raw in split_multiple_persons_names(field):
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
            name = parts.merge_first_name_first
        except Exception:  # an odd name: show it as written rather than lose it
            name = raw
        if name.strip() and name.strip().lower() != "others":
            names.append(name)
    return names


def _field(entry: Entry, name: str) -> str:
    field = entry.fields_dict.get(name)
    if field is None:
        return ""
    value = field.value
    return value if isinstance(value, str) else str(value)


def _arxiv_id(entry: Entry) -> str:
    eprint = _field(entry, "eprint")
    prefix = (_field(entry, "archiveprefix") or _field(entry, "eprinttype")).lower()
    if eprint and (prefix == "arxiv" or not prefix):
        found = parse_arxiv_id(eprint)
        if found:
            return found
    for name in ("journal", "note", "howpublished", "url"):
        found = parse_arxiv_id(_field(entry, name))
        if found:
            return found
    return ""


def paper_from_entry(entry: Entry, source: Source, parent: Entry | None = None) -> Paper:
    """A paper from one BibTeX entry; ``parent`` (its ``crossref``, or the file's only
    ``@proceedings`` as in PMLR's files) gives the year and venue it lacks."""
    date = normalize_date(_field(entry, "date")) or normalize_date(
        _field(entry, "year"), _field(entry, "month") or None
    )
    if not date and parent is not None:
        date = normalize_date(_field(parent, "date")) or normalize_date(
            _field(parent, "year"), _field(parent, "month") or None
        )
    venue = _field(entry, "journal") or _field(entry, "booktitle") or _field(entry, "journaltitle")
    if not venue and parent is not None:
        venue = _field(parent, "booktitle") or _field(parent, "title")
    links = []
    for name in ("url", "pdf"):
        for url in _field(entry, name).split():
            if url.startswith(("http://", "https://")):
                links.append(("pdf" if name == "pdf" else classify_url(url), url))
    keywords = _field(entry, "keywords")
    return make_paper(
        title=_field(entry, "title"),
        authors=person_names(_field(entry, "author") or _field(entry, "editor")),
        abstract=_field(entry, "abstract"),
        date=date,
        arxiv_id=_arxiv_id(entry),
        doi=_field(entry, "doi"),
        links=links,
        categories=[c for c in _field(entry, "primaryclass").split() if c],
        extras={
            "venue": venue,
            "keywords": ", ".join(k.strip() for k in keywords.replace(";", ",").split(",") if k.strip()),
            "bibtex_key": entry.key,
            "bibtex_type": entry.entry_type.lower(),
        },
        latex=True,
        source=source,
    )


def _failure_reason(block: ParsingFailedBlock) -> str:
    error = block.error
    if isinstance(error, BlockAbortedException):
        reason = " ".join(str(error.abort_reason).split())
        return f"a BibTeX entry that does not close ({reason})"
    return f"a BibTeX block that cannot be read ({' '.join(str(error).split()) or type(error).__name__})"


_ENTRY_START = re.compile(r"(?m)^\s*@\s*[A-Za-z]+\s*[{(]")


class BibtexFormat:
    name = "bibtex"
    description = "BibTeX/BibLaTeX file"
    extensions = (".bib", ".bibtex")

    def sniff(self, head: str, path: str) -> float:
        if _ENTRY_START.search(head[:20000]):
            return 0.9
        if path.lower().endswith((".bib", ".bibtex")):
            return 0.5
        return 0.0

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        library = parse_string(stream.read())
        collections = [e for e in library.entries if e.entry_type.lower() in NOT_PAPERS]
        by_key = {e.key.lower(): e for e in collections}
        only = collections[0] if len(collections) == 1 else None
        for block in library.blocks:
            line = (block.start_line or 0) + 1
            if isinstance(block, DuplicateBlockKeyBlock):
                # A key used twice is still a paper; identity, not the key, decides merging.
                entry = block.ignore_error_block
                if not isinstance(entry, Entry):
                    continue
            elif isinstance(block, ParsingFailedBlock):
                report(line, _failure_reason(block))
                continue
            elif isinstance(block, Entry):
                entry = block
            else:
                continue  # @string, @preamble, @comment, text between entries
            if entry.entry_type.lower() in NOT_PAPERS:
                continue
            parent = by_key.get(_field(entry, "crossref").lower(), only)
            try:
                yield paper_from_entry(entry, Source(path, line), parent)
            except PaperError as error:
                report(line, f"{error} (entry {entry.key!r})")


FORMAT = BibtexFormat()
