"""The arXiv metadata snapshot (Kaggle's ``arxiv-metadata-oai-snapshot.json``): one
JSON object per line, about 2.7 million lines and several GB, so it is read as a
stream, one line at a time, and nothing holds the raw file.

Per line: ``id``, ``title`` (wrapped with ``\\n  ``), ``authors`` (one string with
LaTeX accents, ``Bal\\'azs``) and ``authors_parsed`` (``[last, first, suffix]``,
preferred), ``abstract`` (leading spaces, hard-wrapped), space-separated
``categories``, ``versions[0].created`` (an RFC 822 date; ``update_date`` is the
fallback), ``comments``, ``journal-ref``, ``doi``; any of them may be ``null``.

Speed matters here (hundreds of thousands of lines per load), so per-line work is
kept small: the v1 date is parsed by a regex instead of the email module, and LaTeX
conversion runs only on text that holds a backslash, brace or tilde.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from paper_tui.formats import Report
from paper_tui.model import Paper, PaperError, Source, make_paper

if TYPE_CHECKING:
    from paper_tui.compact import EncodedChunk

_MONTHS = {
    m: f"{i + 1:02d}"
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    )
}
_RFC822 = re.compile(r"(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})")


#: version_date by the string's first 17 characters (``Mon, 2 Apr 2007 1``): a
#: snapshot holds a few thousand days, and a dict look-up is cheaper than the regex.
_VERSION_DATES: dict[str, str] = {}
_KEY = 17


def version_date(created: str) -> str:
    """``Mon, 2 Apr 2007 19:18:42 GMT`` -> ``2007-04-02``; ``""`` if not that shape."""
    key = created[:_KEY]
    date = _VERSION_DATES.get(key)
    if date is not None:
        return date
    match = _RFC822.search(created)
    if not match:
        return ""
    day, month, year = match.groups()
    date = f"{year}-{_MONTHS[month]}-{int(day):02d}" if month in _MONTHS else ""
    # The key decides the answer when the match lies inside it: an earlier match in
    # another string with this key would have to start before this one, at most 7, and
    # run past 17, but a match is at most 11 characters.
    if match.end() <= _KEY and len(_VERSION_DATES) < 100_000:
        _VERSION_DATES[key] = date
    return date


def _names(parsed: Any, fallback: str | None) -> list[str]:
    """``First Last Suffix`` from ``authors_parsed``; else the ``authors`` string split."""
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            # A name holding a number or a list is passed over, not the whole record.
            if isinstance(parts, list) and all(isinstance(p, str) for p in parts):
                last = parts[0] if len(parts) > 0 else ""
                first = parts[1] if len(parts) > 1 else ""
                suffix = parts[2] if len(parts) > 2 else ""
                names.append(" ".join(p for p in (first, last, suffix) if p))
        if names:
            return names
    if not fallback:
        return []
    return [n for n in re.split(r",\s*|\s+and\s+", fallback.replace("\n", " ")) if n.strip()]


def _string(record: dict[str, Any], key: str) -> str | None:
    """A text field of ``record`` (``None`` if absent); :class:`ValueError` (the record is
    reported and skipped) for a number, list or object where the snapshot has text."""
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{key} is not text")


def paper_from_record(record: dict[str, Any], source: Source) -> Paper:
    """A paper from one snapshot record."""
    versions = record.get("versions")
    date = ""
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        date = version_date(str(versions[0].get("created") or ""))
    categories = record.get("categories") or ""
    return make_paper(
        title=_string(record, "title"),
        authors=_names(record.get("authors_parsed"), _string(record, "authors")),
        abstract=_string(record, "abstract"),
        date=date or _string(record, "update_date"),
        arxiv_id=_string(record, "id"),
        doi=_string(record, "doi"),
        categories=categories.split() if isinstance(categories, str) else (),
        extras={
            "comment": record.get("comments"),
            "journal_ref": record.get("journal-ref"),
            "report_no": record.get("report-no"),
        },
        latex=True,
        source=source,
    )


class ArxivSnapshotFormat:
    name = "arxiv-snapshot"
    description = "arXiv metadata snapshot (JSON lines)"
    extensions = (".json", ".jsonl")

    def sniff(self, head: str, path: str) -> float:
        first = head.lstrip().split("\n", 1)[0]
        if not first.startswith("{"):
            return 0.0
        keys = ('"authors_parsed"', '"versions"', '"update_date"', '"categories"', '"submitter"')
        hits = sum(key in first for key in keys)
        return 0.95 if hits >= 3 and '"id"' in first else 0.0

    def encode_lines(
        self, data: bytes, path: str, line_delta: int, report: Report, compiled: bool = False
    ) -> EncodedChunk | None:
        """Whole lines as compact rows without Papers (the bulk path: see arxiv_rows;
        ``compiled``: with the compiled reader, see formats.compiled)."""
        from paper_tui.formats.arxiv_rows import encode_lines

        return encode_lines(data, path, line_delta, report, compiled)

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        loads = json.loads
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = loads(line)
            except json.JSONDecodeError as error:
                report(number, f"not JSON ({error.msg})")
                continue
            if not isinstance(record, dict):
                report(number, "not a JSON object")
                continue
            try:
                yield paper_from_record(record, Source(path, number))
            except (PaperError, TypeError, ValueError) as error:
                report(number, str(error) or "not a paper")


FORMAT = ArxivSnapshotFormat()
