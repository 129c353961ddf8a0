"""Markdown paper lists ("awesome" lists, reading lists): a paper per bullet or table row.

A line is a paper when it has a title, bold (``**Title**``) or the text of its first
link (``[Title](url)``) unless that text is a generic label (``paper``, ``pdf``,
``code``...), and at least one web link.  Links are named by their label (``code``,
``project``, ``pdf``) or by their URL (arXiv, DOI, GitHub).  A date like ``(2023-05)``
or ``[2023]`` at the start of the line is the paper's date.  Headings, table header
rows and bullets that only link inside the page (a table of contents) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from paper_tui.formats import Report
from paper_tui.model import Paper, PaperError, Source, classify_url, make_paper

_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_TABLE_RULE = re.compile(r"^[\s|:\-]+$")
_LINK = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_DATE = re.compile(r"^\s*[(\[]?\s*((?:19|20)\d\d(?:[-/.](?:1[0-2]|0?[1-9]))?)(?!\d)\s*[)\]]?\s*[-:|]?\s*")
_GENERIC = frozenset(
    {
        "paper",
        "pdf",
        "arxiv",
        "code",
        "github",
        "project",
        "project page",
        "website",
        "link",
        "blog",
        "demo",
        "data",
        "dataset",
        "slides",
        "video",
        "url",
        "doi",
        "homepage",
        "page",
        "html",
        "openreview",
        "huggingface",
        "hf",
        "model",
        "models",
    }
)
_LABEL_NAMES = {
    "code": "code",
    "github": "code",
    "project": "project",
    "project page": "project",
    "pdf": "pdf",
}


def _link_name(label: str, url: str) -> str:
    name = _LABEL_NAMES.get(label.strip().lower())
    kind = classify_url(url)
    if name == "project" and kind == "code":
        return "project"
    return name or kind


def paper_from_line(text: str, source: Source) -> Paper | None:
    """A paper from the text of one bullet or table row, or ``None`` if it is not one."""
    links = _LINK.findall(text)
    if not links:
        return None
    date_match = _DATE.match(text)
    date = date_match.group(1) if date_match else ""
    bold = _BOLD.search(text)
    title = ""
    if bold:
        title = _LINK.sub(r"\1", bold.group(1) or bold.group(2))
    else:
        for label, _url in links:
            cleaned = label.strip().strip("*_` ")
            if cleaned and cleaned.lower() not in _GENERIC and not re.fullmatch(r"[\W\d]+", cleaned):
                title = cleaned
                break
    if not title:
        return None
    return make_paper(
        title=title.replace("`", ""),
        date=date,
        arxiv_id=next((url for _label, url in links if "arxiv.org" in url), ""),
        doi=next((url for _label, url in links if "doi.org/" in url), ""),
        links=[(_link_name(label, url), url) for label, url in links],
        source=source,
    )


class MarkdownFormat:
    name = "markdown"
    description = "Markdown paper list"
    extensions = (".md", ".markdown")

    def sniff(self, head: str, path: str) -> float:
        lines = head.splitlines()[:200]
        items = sum(
            1 for line in lines if (_ITEM.match(line) or _TABLE_ROW.match(line)) and _LINK.search(line)
        )
        if items >= 2 and any(line.startswith("#") for line in lines):
            return 0.7
        if path.lower().endswith((".md", ".markdown")):
            return 0.5
        return 0.3 if items >= 3 else 0.0

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        in_code = False
        for number, line in enumerate(stream, start=1):
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
                continue
            if in_code:
                continue
            item = _ITEM.match(line)
            row = _TABLE_ROW.match(line) if not item else None
            if row and _TABLE_RULE.match(row.group(1)):
                continue
            text = item.group(1) if item else row.group(1) if row else ""
            if not text:
                continue
            try:
                paper = paper_from_line(text, Source(path, number))
            except PaperError as error:
                report(number, str(error))
                continue
            if paper is not None:
                yield paper


FORMAT = MarkdownFormat()
