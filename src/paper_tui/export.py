"""A reading list out of the app: BibTeX, Markdown, JSON lines and CSV (pure functions).

Every writer takes papers and, optionally, the user's decisions about them (anything
with ``state``/``is_bookmarked``/``tags``/``note`` by paper id, such as a
:class:`~paper_tui.library.Library`), and returns text.  ``bibtex_entry`` and
``markdown_link`` are the single-paper forms the app's copy menu uses.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from paper_tui.model import Paper, to_json

FORMATS = ("bibtex", "markdown", "jsonl", "csv")

#: Output file extensions and the format each implies.
EXTENSIONS = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".md": "markdown",
    ".markdown": "markdown",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}


class Decisions(Protocol):
    """The user's decisions by paper id (a :class:`~paper_tui.library.Library` is one)."""

    def state(self, pid: str) -> str: ...

    def is_bookmarked(self, pid: str) -> bool: ...

    def tags(self, pid: str) -> tuple[str, ...]: ...

    def note(self, pid: str) -> str: ...


def format_for_path(path: str | Path) -> str | None:
    """The export format an output file name implies (``list.bib`` -> ``bibtex``), if any."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def render(
    papers: Sequence[Paper], fmt: str, library: Decisions | None = None, *, ascii_only: bool = False
) -> str:
    """``papers`` as text in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "bibtex":
        return to_bibtex(papers, library, ascii_only=ascii_only)
    writers: dict[str, Callable[[Sequence[Paper], Decisions | None], str]] = {
        "markdown": to_markdown,
        "jsonl": to_jsonl,
        "csv": to_csv,
    }
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})")
    return writers[fmt](papers, library)


# ---------------------------------------------------------------------------
# BibTeX

# One pass over the text, so the braces of a replacement are never escaped again.
_BIBTEX_SPECIALS = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)

# Words whose capitals a BibTeX style must not lower-case: acronyms, CamelCase, "GPT-4".
_PROTECT = re.compile(r"(?<![\w{])([A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9\-]*)(?![\w}])")

# TeX turns "--" into a dash, "``" and "''" into quotes, "?`" into "¿": a group between
# the two characters keeps them as typed ("D0 --> K" stays an arrow).
_LIGATURE = re.compile(r"(-(?=-)|'(?=')|`(?=`)|[?!](?=`))")

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "or",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "via",
        "towards",
        "toward",
        "into",
        "over",
    ]
)

_ARXIV_CATEGORY = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")


def bibtex_escape(text: str, *, ascii_only: bool = False) -> str:
    """``text`` safe inside a braced BibTeX field: LaTeX's special characters escaped and
    its ligatures (``--``, ``''``) broken, so the text reads back as written.

    Unicode is kept (BibLaTeX/Biber and modern BibTeX read UTF-8); with ``ascii_only``
    accented letters and symbols become LaTeX commands (``é`` -> ``\\'{e}``).
    """
    escaped = _LIGATURE.sub(r"\1{}", text.translate(_BIBTEX_SPECIALS))
    if ascii_only and not escaped.isascii():
        from pylatexenc.latexencode import UnicodeToLatexEncoder

        encoder = UnicodeToLatexEncoder(non_ascii_only=True, unknown_char_policy="keep")
        escaped = encoder.unicode_to_latex(escaped)
    return escaped


_NOT_KEY = re.compile(r"[^a-z0-9]")
# What cannot be in a BibTeX key: it ends at a comma or space, braces and quotes break it.
_KEY_UNSAFE = re.compile(r"[\s,{}()\"'#%~\\=]")
_WORD_BREAK = re.compile(r"[\s\-/:]+")
_AND = re.compile(r"\band\b", re.IGNORECASE)


def _ascii_word(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_KEY.sub("", text.lower())


def _last_name(author: str) -> str:
    if "," in author:  # "Last, First"
        return author.split(",", 1)[0]
    parts = author.split()
    return parts[-1] if parts else ""


def bibtex_key(paper: Paper) -> str:
    """The paper's own key when it came from a BibTeX file (so citations keep working),
    else one in the common ``lastname2024firstword`` form (ASCII, lower case;
    ``firstword2024`` for a paper without authors)."""
    own = _KEY_UNSAFE.sub("", paper.extra("bibtex_key"))
    if own:
        return own
    name = _ascii_word(_last_name(paper.first_author)) if paper.authors else ""
    words = (_ascii_word(w) for w in _WORD_BREAK.split(paper.title))
    fallback = first = ""
    for word in words:
        if word and word not in _STOPWORDS:
            first = word
            break
        fallback = fallback or word
    first = first or fallback
    year = str(paper.year or "")
    # Without an author the title's word leads: a key that starts with a digit
    # (``2024attention``) trips some BibTeX tools and is hard to read in \\cite.
    key = f"{name}{year}{first}" if name else f"{first}{year}"
    if not name and not first:
        key = f"paper{year}" + (_ascii_word(paper.arxiv_id or paper.doi) or "")
    return key


def unique_keys(papers: Sequence[Paper]) -> list[str]:
    """Citation keys for ``papers``, made unique: a repeated key gets ``a``, ``b`` ... in order
    (the first paper keeps the plain key, so earlier citations stay valid)."""
    keys: list[str] = []
    used: set[str] = set()
    repeats: dict[str, int] = {}  # per base key, the next suffix to try
    for paper in papers:
        base = bibtex_key(paper)
        key = base
        while key in used:
            n = repeats.get(base, 0)
            repeats[base] = n + 1
            key = base + _suffix(n)
        used.add(key)
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    """a, b, ... z, aa, ab ..."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


# Inline math as arXiv titles write it ("$H^{p,q}(R^n)$"; the app keeps it verbatim): no
# space inside the dollars, balanced braces, and something escaping would mangle.
_MATH = re.compile(r"\$([^$\s](?:[^$]*[^$\s])?)\$")


def _is_math(body: str) -> bool:
    depth = 0
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0 and any(c in body for c in "^_\\{}")


def _bibtex_title(title: str, ascii_only: bool) -> str:
    """A title escaped, capitals protected, and its inline math kept as math."""

    def text(part: str) -> str:
        return _PROTECT.sub(r"{\1}", bibtex_escape(part, ascii_only=ascii_only))

    out: list[str] = []
    last = 0
    for match in _MATH.finditer(title):
        if _is_math(match.group(1)):
            out += (text(title[last : match.start()]), match.group(0))
            last = match.end()
    out.append(text(title[last:]))
    return "".join(out)


def _bibtex_author(name: str, ascii_only: bool) -> str:
    escaped = bibtex_escape(name, ascii_only=ascii_only)
    # "and" inside one name (an organisation) would split it into two authors.
    return f"{{{escaped}}}" if _AND.search(name) else escaped


def bibtex_entry(
    paper: Paper,
    key: str | None = None,
    *,
    tags: Sequence[str] = (),
    note: str = "",
    ascii_only: bool = False,
) -> str:
    """One BibTeX entry.  With an arXiv id it follows arXiv's own export: ``@misc`` with
    ``eprint``, ``archivePrefix = {arXiv}`` and ``primaryClass``.  A paper read from BibTeX
    keeps its entry type and venue (``journal``, ``booktitle``); another paper with a venue
    is an ``@article``.  ``tags`` and ``note`` go to ``keywords`` and ``annote``."""
    kind, venue_field, venue = _kind_and_venue(paper)
    fields: list[tuple[str, str]] = [("title", _bibtex_title(paper.title, ascii_only))]
    if paper.authors:
        fields.append(("author", " and ".join(_bibtex_author(a, ascii_only) for a in paper.authors)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if len(paper.date) == 10:
        fields.append(("date", paper.date))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        primary = next((c for c in paper.categories if _ARXIV_CATEGORY.match(c)), "")
        if primary:
            fields.append(("primaryClass", primary))
    if venue:
        fields.append((venue_field, bibtex_escape(venue, ascii_only=ascii_only)))
    if paper.doi:
        fields.append(("doi", _bibtex_verbatim(paper.doi)))
    if paper.page_url:
        fields.append(("url", _bibtex_verbatim(paper.page_url)))
    if tags:
        fields.append(("keywords", bibtex_escape(", ".join(tags), ascii_only=ascii_only)))
    if note:
        fields.append(("annote", bibtex_escape(note, ascii_only=ascii_only)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key or bibtex_key(paper)},\n{body}\n}}\n"


_VENUE_FIELD = {
    "article": "journal",
    "inproceedings": "booktitle",
    "conference": "booktitle",
    "incollection": "booktitle",
    "inbook": "booktitle",
}
_TYPES = {*_VENUE_FIELD, "book", "phdthesis", "mastersthesis", "techreport", "misc", "unpublished", "manual"}


def _kind_and_venue(paper: Paper) -> tuple[str, str, str]:
    """Entry type, the field that names the venue in it, and the venue."""
    original = paper.extra("bibtex_type").lower()
    venue = paper.extra("journal") or paper.extra("venue")
    if original in _TYPES:
        kind = original
    elif paper.arxiv_id:
        # arXiv's journal_ref ("Phys.Rev.D76:013009,2007") is a citation, not a journal
        # name: the DOI stands for the published version instead.
        return "misc", "", ""
    else:
        kind = "article" if venue else "misc"
    return kind, _VENUE_FIELD.get(kind, "howpublished"), venue


def _bibtex_verbatim(value: str) -> str:
    # url and doi are verbatim fields (BibLaTeX, the url package): escaping would put a
    # backslash into the link; only a brace could end the field early.
    return value.replace("{", "%7B").replace("}", "%7D")


def to_bibtex(papers: Sequence[Paper], library: Decisions | None = None, *, ascii_only: bool = False) -> str:
    """The papers as a ``.bib`` file, with unique keys."""
    entries = []
    for paper, key in zip(papers, unique_keys(papers), strict=True):
        tags = library.tags(paper.id) if library is not None else ()
        note = library.note(paper.id) if library is not None else ""
        entries.append(bibtex_entry(paper, key, tags=tags, note=note, ascii_only=ascii_only))
    return "\n".join(entries)


# ---------------------------------------------------------------------------
# Markdown

_MD_SPECIALS = re.compile(r"([\\`*_\[\]<>#|])")
MAX_AUTHORS_SHOWN = 5


def markdown_escape(text: str) -> str:
    """``text`` with the characters Markdown would read as markup escaped."""
    return _MD_SPECIALS.sub(r"\\\1", text)


def markdown_link(paper: Paper) -> str:
    """``[Title](url)``; just the escaped title when the paper has no link."""
    title = markdown_escape(paper.title)
    url = paper.page_url
    if not url:
        return title
    if re.search(r"[\s()<>]", url):
        url = "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return f"[{title}]({url})"


def _authors_line(authors: Sequence[str]) -> str:
    shown = ", ".join(authors[:MAX_AUTHORS_SHOWN])
    return shown + (" et al." if len(authors) > MAX_AUTHORS_SHOWN else "")


def markdown_item(paper: Paper, library: Decisions | None = None) -> str:
    """One list item: link, authors, date, state, tags; the note below as a quote."""
    parts = [markdown_link(paper)]
    details = []
    if paper.authors:
        details.append(markdown_escape(_authors_line(paper.authors)))
    if paper.date:
        details.append(f"({paper.date})")
    line = parts[0] + (" — " + " ".join(details) if details else "")
    note = ""
    if library is not None:
        marks = []
        if library.is_bookmarked(paper.id):
            marks.append("★")
        state = library.state(paper.id)
        if state != "unread":
            marks.append(state)
        tags = library.tags(paper.id)
        if tags:
            marks.append("tags: " + ", ".join(f"`{t}`" for t in tags))
        if marks:
            line += " · " + " · ".join(marks)
        note = library.note(paper.id)
    item = f"- {line}\n"
    if note:
        item += "".join(f"  > {markdown_escape(text)}\n" if text else "  >\n" for text in note.split("\n"))
    return item


def to_markdown(
    papers: Sequence[Paper], library: Decisions | None = None, title: str = "Reading list"
) -> str:
    """The papers as a Markdown reading list."""
    count = f"{len(papers)} paper" + ("" if len(papers) == 1 else "s")
    lines = [f"# {markdown_escape(title)}\n", f"{count}\n"]
    lines += [markdown_item(paper, library) for paper in papers]
    return "\n".join(lines[:2]) + "\n" + "".join(lines[2:])


# ---------------------------------------------------------------------------
# JSON lines and CSV


def to_jsonl(papers: Sequence[Paper], library: Decisions | None = None) -> str:
    """``paper-tui list --format jsonl``'s lines (they load back as the same papers), each
    with a ``library`` object (state, bookmarked, tags, note) when decisions are given."""
    lines = []
    for paper in papers:
        data = to_json(paper)
        if library is not None:
            data["library"] = {
                "state": library.state(paper.id),
                "bookmarked": library.is_bookmarked(paper.id),
                "tags": list(library.tags(paper.id)),
                "note": library.note(paper.id),
            }
        lines.append(json.dumps(data, ensure_ascii=False) + "\n")
    return "".join(lines)


CSV_COLUMNS = (
    "id",
    "title",
    "authors",
    "date",
    "arxiv_id",
    "doi",
    "url",
    "state",
    "bookmarked",
    "tags",
    "note",
)


def to_csv(papers: Sequence[Paper], library: Decisions | None = None) -> str:
    """A CSV table (RFC 4180) with :data:`CSV_COLUMNS`; lists joined with ``"; "``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for paper in papers:
        pid = paper.id
        writer.writerow(
            [
                pid,
                paper.title,
                "; ".join(paper.authors),
                paper.date,
                paper.arxiv_id,
                paper.doi,
                paper.page_url,
                library.state(pid) if library is not None else "",
                ("true" if library.is_bookmarked(pid) else "false") if library is not None else "",
                "; ".join(library.tags(pid)) if library is not None else "",
                library.note(pid) if library is not None else "",
            ]
        )
    return buffer.getvalue()
