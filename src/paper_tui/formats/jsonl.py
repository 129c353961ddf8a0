"""paper-tui's own JSON lines (``paper-tui list --format jsonl``), read back unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from paper_tui.formats import Report
from paper_tui.model import Paper, PaperError, Source, from_json


class PaperTuiJsonl:
    name = "paper-tui-jsonl"
    description = "paper-tui JSON lines"
    extensions = (".jsonl", ".ndjson")

    def sniff(self, head: str, path: str) -> float:
        first = head.lstrip().split("\n", 1)[0]
        if first.startswith("{") and '"sources"' in first and '"id"' in first and '"links"' in first:
            return 0.9
        return 0.0

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                report(number, f"not JSON ({error.msg})")
                continue
            if not isinstance(data, dict):
                report(number, "not a JSON object")
                continue
            try:
                yield from_json(data, Source(path, number))
            except (PaperError, TypeError, ValueError) as error:
                report(number, str(error) or "not a paper")


FORMAT = PaperTuiJsonl()
