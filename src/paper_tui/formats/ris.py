"""RIS (EndNote, Zotero, Scopus, PubMed exports), read with rispy.

Records run from ``TY  -`` to ``ER  -``.  This module cuts the stream into records
itself, so each keeps the line it starts on, then hands each record's lines to
rispy's parser with a tag-preserving mapping (continuation lines without a tag join
the tag before them, ``UR`` values split on ``;``).  A record without its ``ER`` at
the end of the file is reported with its line; the complete ones before it load.

Tag synonyms: title ``TI``/``T1``/``CT`` (``ST``, the short title, and ``BT`` as a
last resort); abstract ``AB``/``N2``; authors ``AU``/``A1`` (``Last, First``, turned
into ``First Last``); date ``DA``/``PY``/``Y1`` (``2012/07/03``, ``2009///``); ``DO``;
links ``UR``/``L2`` (page) and ``L1`` (PDF); ``KW`` keywords; venue ``T2``/``JO``/``JF``/``J2``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import IO

from rispy import RisParser

from paper_tui.formats import Report
from paper_tui.formats.common import first_last, meaningful
from paper_tui.model import Paper, PaperError, Source, classify_url, make_paper

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
#: Tags that may repeat; every other tag keeps its first value and joins continuation lines.
_LIST_TAGS = ["AU", "A1", "A2", "A3", "A4", "KW", "UR", "L1", "L2", "L3", "L4", "N1", "AD", "ED", "SN"]
_ALL_TAGS = [
    *_LIST_TAGS,
    *[
        "TY",
        "TI",
        "T1",
        "T2",
        "T3",
        "CT",
        "BT",
        "ST",
        "AB",
        "N2",
        "PY",
        "Y1",
        "Y2",
        "DA",
        "DO",
        "JO",
        "JF",
        "JA",
        "J1",
        "J2",
        "VL",
        "IS",
        "SP",
        "EP",
        "PB",
        "CY",
        "ID",
        "DB",
        "LA",
        "M3",
    ],
]


class _TagParser(RisParser):  # type: ignore[misc]  # rispy ships no type hints
    """rispy's line grammar with tags kept as keys (``{"TI": "...", "AU": [...]}``)."""

    DEFAULT_MAPPING = {tag: tag for tag in _ALL_TAGS} | {"UK": "unknown_tag"}
    DEFAULT_LIST_TAGS = _LIST_TAGS


_PARSER = _TagParser(skip_unknown_tags=True)


def _entities(text: str) -> str:
    """HTML character references as the characters (Scopus writes ``p &lt; .001``)."""
    return html.unescape(text) if "&" in text and ";" in text else text


def _first(record: dict[str, object], *tags: str) -> str:
    for tag in tags:
        value = record.get(tag)
        if isinstance(value, list):
            value = next((v for v in value if meaningful(v)), "")
        if isinstance(value, str) and meaningful(value):
            return value
    return ""


def _many(record: dict[str, object], *tags: str) -> list[str]:
    out: list[str] = []
    for tag in tags:
        value = record.get(tag)
        values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        out.extend(v for v in values if meaningful(v))
    return out


def ris_date(value: str) -> str:
    """RIS dates are ``YYYY/MM/DD/other``: ``2019/05/02/`` -> ``2019/05/02``, ``2009///`` -> ``2009``."""
    return "/".join(value.split("/")[:3]).strip("/ ")


def paper_from_record(record: dict[str, object], source: Source) -> Paper:
    """A paper from one parsed RIS record (tags as keys)."""
    links = [(classify_url(url), url) for url in _many(record, "UR", "L2")]
    links += [("pdf", url) for url in _many(record, "L1")]
    return make_paper(
        title=_entities(_first(record, "TI", "T1", "CT", "ST", "BT")),
        authors=[first_last(a) for a in _many(record, "AU", "A1")],
        abstract=_entities(_first(record, "AB", "N2")),
        date=ris_date(_first(record, "DA", "PY", "Y1")),
        doi=_first(record, "DO"),
        links=[(name, url) for name, url in links if url.startswith(("http://", "https://"))],
        extras={
            "venue": _first(record, "T2", "JO", "JF", "J2", "JA"),
            "keywords": ", ".join(_many(record, "KW")),
            "type": _first(record, "TY"),
        },
        source=source,
    )


def iter_records(stream: IO[str], report: Report) -> Iterator[tuple[int, list[str]]]:
    """``(start line, lines)`` for each complete ``TY`` ... ``ER`` record."""
    lines: list[str] = []
    start = 0
    for number, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        match = _TAG_LINE.match(line)
        tag = match.group(1) if match else ""
        if tag == "TY":
            if lines:
                report(start, "an RIS record with no end tag (ER) before the next record")
            lines, start = [line], number
        elif tag == "ER":
            if lines:
                lines.append(line)
                yield start, lines
            lines = []
        elif lines:
            lines.append(line)
    if lines:
        report(start, "an RIS record with no end tag (ER) at the end of the file")


class RisFormat:
    name = "ris"
    description = "RIS file"
    extensions = (".ris",)

    def sniff(self, head: str, path: str) -> float:
        first = head.lstrip("\ufeff \r\n").split("\n", 1)[0]
        if _TAG_LINE.match(first) and first.startswith("TY"):
            return 0.95
        if re.search(r"(?m)^TY  - ", head[:20000]) and re.search(r"(?m)^ER  -", head):
            return 0.8
        return 0.0

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        for start, lines in iter_records(stream, report):
            records = _PARSER.parse_lines(iter(lines))
            if not records:
                report(start, "an RIS record that cannot be read")
                continue
            try:
                yield paper_from_record(records[0], Source(path, start))
            except PaperError as error:
                report(start, str(error))


FORMAT = RisFormat()
