"""RSS 2.0 (and RSS 1.0/RDF) feeds: each ``<item>`` with ``title``, ``link``,
``description`` and ``pubDate`` (or ``dc:date``) is a paper; ``dc:creator``/``author``
give authors, ``category`` categories.

Descriptions may be HTML; tags are dropped and entities decoded.  Two common paper
feeds get their shapes undone: Hugging Face's scraped feed (an AI summary glued before
the abstract, see :func:`paper_tui.formats.hf_json.split_hf_summary`) and arXiv's
(``arXiv:2401.01234v1 Announce Type: new Abstract: ...``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element

from paper_tui.formats import LoadError, Report
from paper_tui.formats.hf_json import split_hf_summary
from paper_tui.formats.xml_safe import child_text, children, local, parse_xml
from paper_tui.model import Paper, PaperError, Source, classify_url, make_paper

_TAG = re.compile(r"<[^>]{0,2000}>")
_ARXIV_PREFIX = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.IGNORECASE)


def html_to_text(text: str) -> str:
    """Tags dropped (paragraph and line breaks kept as newlines), entities decoded."""
    if "<" in text:
        text = re.sub(r"(?i)<\s*(?:br|/p|p)\b[^>]*>", "\n", text)
        text = _TAG.sub("", text)
    return html.unescape(text) if "&" in text else text


def _authors(item: Element) -> list[str]:
    names: list[str] = []
    for child in item:
        if local(child.tag) in ("creator", "author"):
            value = "".join(child.itertext()).strip()
            # RSS 2.0 <author> is "email (Name)"; dc:creator is a comma-separated list.
            match = re.match(r"^\S+@\S+\s+\((.+)\)$", value)
            value = match.group(1) if match else value
            names.extend(n.strip() for n in re.split(r",|\band\b", value) if n.strip())
    return names


def paper_from_item(item: Element, source: Source) -> Paper:
    """A paper from one ``<item>``."""
    link = child_text(item, "link").strip()
    guid = child_text(item, "guid").strip()
    description = html_to_text(child_text(item, "description") or child_text(item, "encoded"))
    summary = ""
    if "huggingface.co/papers/" in link or "huggingface.co/papers/" in guid:
        summary, description = split_hf_summary(description)
    elif _ARXIV_PREFIX.match(description):
        description = _ARXIV_PREFIX.sub("", description, count=1)
    links = [(classify_url(url), url) for url in (link, guid) if url.startswith(("http://", "https://"))]
    return make_paper(
        title=html_to_text(child_text(item, "title")),
        authors=_authors(item),
        abstract=description,
        date=child_text(item, "pubDate") or child_text(item, "date"),
        arxiv_id=link or guid,
        links=links,
        categories=["".join(c.itertext()) for c in children(item, "category")],
        extras={"ai_summary": summary},
        source=source,
    )


class RssFormat:
    name = "rss"
    description = "RSS feed"
    extensions = (".rss", ".rss.xml", ".rdf")

    def sniff(self, head: str, path: str) -> float:
        sample = head[:4000]
        if re.search(r"<rss[\s>/]", sample) or ("<rdf:RDF" in sample and "purl.org/rss" in sample):
            return 0.95
        return 0.0

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        document = parse_xml(stream, path, frozenset({"item"}))
        if local(document.root.tag) not in ("rss", "RDF"):
            raise LoadError(path, f"not an RSS feed (the root element is <{local(document.root.tag)}>)")
        for item in document.root.iter():
            if local(item.tag) != "item":
                continue
            line = document.line(item)
            try:
                yield paper_from_item(item, Source(path, line))
            except PaperError as error:
                report(line, str(error))


FORMAT = RssFormat()
