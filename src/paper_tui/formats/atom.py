"""Atom feeds, as the arXiv API answers (current and 2016 layouts).

Each ``<entry>`` is a paper: ``id`` (``http://arxiv.org/abs/1111.2011v2``, old ids with
a slash), a title wrapped with ``\\n  ``, ``summary``, ``author/name``, ``published``,
``category`` terms (``arxiv:primary_category`` first), ``arxiv:comment``,
``arxiv:journal_ref``, ``arxiv:doi`` and the PDF link.  The API's error answer, one
entry titled ``Error`` with an ``/api/errors`` id, is raised as a :class:`LoadError`
carrying its message; an empty feed gives no papers (the loader says so).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element

from paper_tui.formats import LoadError, Report
from paper_tui.formats.xml_safe import child_text, children, local, parse_xml
from paper_tui.model import Paper, PaperError, Source, make_paper


def _is_error_entry(entry: Element) -> bool:
    return child_text(entry, "title").strip() == "Error" and "/api/errors" in child_text(entry, "id")


def paper_from_entry(entry: Element, source: Source) -> Paper:
    """A paper from one Atom ``<entry>``."""
    entry_id = child_text(entry, "id").strip()
    links: list[tuple[str, str]] = []
    for link in children(entry, "link"):
        href = link.get("href", "")
        title, rel, kind = link.get("title", ""), link.get("rel", "alternate"), link.get("type", "")
        if title == "pdf" or kind == "application/pdf":
            links.append(("pdf", href))
        elif title == "doi":
            links.append(("doi", href))
        elif rel == "alternate":
            links.append(("abs" if "arxiv.org/abs/" in href else "url", href))
    if entry_id.startswith(("http://", "https://")) and not any(name == "url" for name, _ in links):
        links.append(("abs" if "arxiv.org/abs/" in entry_id else "url", entry_id))
    primary = [el.get("term", "") for el in children(entry, "primary_category")]
    categories = primary + [el.get("term", "") for el in children(entry, "category")]
    authors = [child_text(author, "name") for author in children(entry, "author")]
    return make_paper(
        title=child_text(entry, "title"),
        authors=authors,
        abstract=child_text(entry, "summary") or child_text(entry, "content"),
        date=child_text(entry, "published") or child_text(entry, "updated"),
        arxiv_id=entry_id if "arxiv.org" in entry_id else "",
        doi=child_text(entry, "doi"),
        links=links,
        categories=categories,
        extras={
            "comment": child_text(entry, "comment"),
            "journal_ref": child_text(entry, "journal_ref"),
            "updated": child_text(entry, "updated")[:10],
        },
        source=source,
    )


class AtomFormat:
    name = "atom"
    description = "Atom feed (arXiv API)"
    extensions = (".atom", ".atom.xml")

    def sniff(self, head: str, path: str) -> float:
        sample = head[:4000]
        if "<feed" in sample and "http://www.w3.org/2005/Atom" in sample:
            return 0.95
        if "<feed" in sample and path.lower().endswith((".atom", ".atom.xml")):
            return 0.6
        return 0.0

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        document = parse_xml(stream, path, frozenset({"entry"}))
        if local(document.root.tag) != "feed":
            raise LoadError(path, f"not an Atom feed (the root element is <{local(document.root.tag)}>)")
        entries = children(document.root, "entry")
        if len(entries) == 1 and _is_error_entry(entries[0]):
            message = " ".join(child_text(entries[0], "summary").split()) or "no message"
            raise LoadError(
                path, f"the arXiv API answered with an error: {message}", document.line(entries[0])
            )
        for entry in entries:
            line = document.line(entry)
            try:
                yield paper_from_entry(entry, Source(path, line))
            except PaperError as error:
                report(line, str(error))


FORMAT = AtomFormat()
