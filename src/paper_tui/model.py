"""The paper record, its JSON-lines field names, and how two records of one paper merge."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any

from paper_tui.identity import normalize_doi, paper_id, parse_arxiv_id
from paper_tui.text import clean_block, clean_text, latex_block_of_clean, latex_to_unicode

#: Link names, in the order the reading pane shows them.
LINK_ORDER = ("abs", "pdf", "doi", "code", "project", "hf", "url")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a paper was read: a file (or ``-`` for standard input) and a 1-based line."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper, immutable.  Text fields are already clean (see :mod:`paper_tui.text`)."""

    id: str
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    #: ISO date: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; ``""`` if unknown.
    date: str = ""
    arxiv_id: str = ""
    doi: str = ""
    #: ``(name, url)`` pairs; names from :data:`LINK_ORDER`.
    links: tuple[tuple[str, str], ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    #: Whatever else a format carries (upvotes, comments, journal_ref, keywords, venue ...).
    extras: tuple[tuple[str, str], ...] = field(default=())

    def link(self, name: str) -> str:
        """The URL named ``name``, or ``""``."""
        for key, url in self.links:
            if key == name:
                return url
        return ""

    def extra(self, name: str) -> str:
        for key, value in self.extras:
            if key == name:
                return value
        return ""

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else ""

    @property
    def page_url(self) -> str:
        """The best page to open in a browser."""
        for name in ("abs", "doi", "url", "hf", "project", "pdf", "code"):
            url = self.link(name)
            if url:
                return url
        return ""

    @property
    def pdf_url(self) -> str:
        return self.link("pdf")


class PaperError(ValueError):
    """A record that cannot become a paper (no title and no id)."""


_URL = re.compile(r"https?://[^\s<>\"'\])}]+")
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co/spaces", "codeberg.org")


def urls_in(text: str) -> list[str]:
    """URLs written in ``text``, trailing sentence punctuation removed."""
    return [url.rstrip(".,;:!?") for url in _URL.findall(text)]


def id_links(arxiv_id: str, doi: str) -> tuple[tuple[str, str], ...]:
    """The links an arXiv id and a DOI give (what :func:`make_paper` adds): derived,
    so the library and the parse cache need not store them."""
    links: tuple[tuple[str, str], ...] = ()
    if arxiv_id:
        links = (("abs", "https://arxiv.org/abs/" + arxiv_id), ("pdf", "https://arxiv.org/pdf/" + arxiv_id))
    return (*links, ("doi", "https://doi.org/" + doi)) if doi else links


def classify_url(url: str) -> str:
    """A link name for a bare URL: ``code`` for repositories, ``pdf``, ``abs``, else ``url``."""
    lower = url.lower()
    if any(host in lower for host in _CODE_HOSTS):
        return "code"
    if "arxiv.org/abs/" in lower:
        return "abs"
    if lower.endswith(".pdf") or "arxiv.org/pdf/" in lower:
        return "pdf"
    if "doi.org/" in lower:
        return "doi"
    if "huggingface.co/papers/" in lower:
        return "hf"
    return "url"


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_ISO = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T\s].*)?$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")


def normalize_date(text: str | None, month: str | None = None) -> str:
    """An ISO date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) from the usual spellings.

    ``month`` is BibTeX's separate month field (``jan``, ``1``, ``January``).
    """
    if not text:
        return ""
    text = str(text).strip()
    match = _ISO.match(text)
    if match:
        year, mon, day = match.groups()
        if mon is None and month:
            mon = _month_number(month)
        return _iso(year, mon, day)
    if "," in text and ":" in text:  # RFC 822, as in RSS
        try:
            return parsedate_to_datetime(text).date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    year_match = _YEAR.search(text)
    if not year_match:
        return ""
    mon_number = _month_number(text) or (_month_number(month) if month else None)
    return _iso(year_match.group(1), mon_number, None)


def _month_number(text: str | int | None) -> str | None:
    if text is None:
        return None
    value = str(text).strip().lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return value
    for name, number in _MONTHS.items():
        if re.search(rf"\b{name}", value):
            return str(number)
    return None


def _iso(year: str, month: str | int | None, day: str | None) -> str:
    if month is None or not 1 <= int(month) <= 12:
        return year
    if day is None or not 1 <= int(day) <= 31:
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _ordered_links(links: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for name, url in links:
        url = clean_text(url)
        if url and name not in seen and url not in seen.values():
            seen[name] = url
    rank = {name: i for i, name in enumerate(LINK_ORDER)}
    return tuple(sorted(seen.items(), key=lambda item: rank.get(item[0], len(rank))))


# Cleaned again after LaTeX conversion (``~`` becomes a no-break space, for one), so
# that cleaning a made paper's text changes nothing: a JSON-lines round trip is exact.
def latex_line(value: str | None) -> str:
    """One line of clean text with its text-mode LaTeX converted (a title, a name)."""
    value = clean_text(value)
    converted = latex_to_unicode(value)
    return value if converted is value else clean_text(converted)


def latex_block(value: str | None) -> str:
    """A clean block (an abstract) with its text-mode LaTeX converted."""
    return latex_block_of_clean(clean_block(value))


def make_paper(
    *,
    title: str | None,
    source: Source,
    authors: Sequence[str] = (),
    abstract: str | None = "",
    date: str | None = "",
    arxiv_id: str | None = "",
    doi: str | None = "",
    links: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    categories: Iterable[str] = (),
    extras: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),
    latex: bool = False,
    abstract_urls: bool = True,
) -> Paper:
    """Build a clean :class:`Paper`: text cleaned, LaTeX converted (when ``latex``),
    dates normalized, ids found, arXiv and DOI links filled in, URLs in the abstract
    surfaced as links.  Raises :class:`PaperError` when there is neither a title
    nor an id."""

    text = latex_line if latex else clean_text
    clean_title = text(title)
    clean_authors = tuple(a for a in (text(a) for a in authors) if a)
    clean_abstract = latex_block(abstract) if latex else clean_block(abstract)
    norm_doi = normalize_doi(clean_text(doi))  # cleaned: the id is built from it, and shown
    arxiv = parse_arxiv_id(arxiv_id) or parse_arxiv_id(norm_doi if "48550" in norm_doi else "")
    link_pairs = list(links.items()) if isinstance(links, Mapping) else list(links)
    if not arxiv:
        for _, url in link_pairs:
            arxiv = parse_arxiv_id(url)
            if arxiv:
                break
    link_pairs.extend(id_links(arxiv, norm_doi))
    if abstract_urls:
        link_pairs += [(classify_url(url), url) for url in urls_in(clean_abstract)]
    pid = paper_id(arxiv, norm_doi, clean_title)
    if not clean_title and not pid:
        raise PaperError("no title")
    extra_pairs = extras.items() if isinstance(extras, Mapping) else extras
    return Paper(
        id=pid,
        title=clean_title,
        authors=clean_authors,
        abstract=clean_abstract,
        date=normalize_date(date),
        arxiv_id=arxiv,
        doi=norm_doi,
        links=_ordered_links(link_pairs),
        categories=tuple(dict.fromkeys(c for c in (clean_text(c) for c in categories) if c)),
        sources=(source,),
        extras=tuple((k, clean_text(str(v))) for k, v in extra_pairs if v not in (None, "", [], {})),
    )


def merge(old: Paper, new: Paper) -> Paper:
    """One paper from two records of it: each field keeps the richer value, links,
    categories, extras and sources are united (the first record's order first)."""

    def richer(a: str, b: str) -> str:
        return b if len(b) > len(a) else a

    extras = dict(new.extras)
    extras.update(dict(old.extras))
    return replace(
        old,
        title=old.title or new.title,
        authors=old.authors if len(old.authors) >= len(new.authors) else new.authors,
        abstract=richer(old.abstract, new.abstract),
        date=richer(old.date, new.date),
        arxiv_id=old.arxiv_id or new.arxiv_id,
        doi=old.doi or new.doi,
        links=_ordered_links(old.links + new.links),
        categories=tuple(dict.fromkeys(old.categories + new.categories)),
        sources=tuple(dict.fromkeys(old.sources + new.sources)),
        extras=tuple(extras.items()),
    )


# ---------------------------------------------------------------------------
# JSON lines: the names ``paper-tui list --format jsonl`` prints and reads back.

JSON_FIELDS = (
    "id",
    "title",
    "authors",
    "abstract",
    "date",
    "arxiv_id",
    "doi",
    "links",
    "categories",
    "sources",
    "extras",
)


def to_json(paper: Paper) -> dict[str, Any]:
    """The paper as a JSON-ready dict with the :data:`JSON_FIELDS` names."""
    return {
        "id": paper.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "date": paper.date,
        "arxiv_id": paper.arxiv_id,
        "doi": paper.doi,
        "links": dict(paper.links),
        "categories": list(paper.categories),
        "sources": [{"file": s.path, "line": s.line} for s in paper.sources],
        "extras": dict(paper.extras),
    }


def from_json(data: Mapping[str, Any], source: Source) -> Paper:
    """A paper from :func:`to_json`'s dict; ``source`` is where this copy was read.

    The recorded id and sources are kept, so a round trip gives the same paper.
    """
    paper = make_paper(
        title=data.get("title"),
        authors=[str(a) for a in data.get("authors") or ()],
        abstract=data.get("abstract"),
        date=data.get("date"),
        arxiv_id=data.get("arxiv_id"),
        doi=data.get("doi"),
        links=dict(data.get("links") or {}),
        categories=[str(c) for c in data.get("categories") or ()],
        extras=dict(data.get("extras") or {}),
        source=source,
        abstract_urls=False,
    )
    recorded = tuple(
        Source(clean_text(str(s.get("file", ""))), int(s.get("line") or 0))
        for s in data.get("sources") or ()
        if isinstance(s, Mapping)
    )
    # The id and sources are shown on screen as read: clean them like every other field.
    pid = clean_text(str(data.get("id") or "")) or paper.id
    return replace(paper, id=pid, sources=recorded or paper.sources)
