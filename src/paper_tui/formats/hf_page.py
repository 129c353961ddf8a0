"""The text dump of a Hugging Face papers page: title lines, each followed by its
abstract line, after two lines of page noise (``Get trending papers ...``) and with
``Subscribe`` glued to the first title.

Titles and abstracts are told apart by their shape, not by their position, so a
title with no abstract, blank lines or an abstract split over several lines never
shifts the pairs that follow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from paper_tui.formats import Report
from paper_tui.model import Paper, PaperError, Source, make_paper

_NOISE = re.compile(r"^\s*Get trending papers in your email inbox", re.IGNORECASE)
_SUBSCRIBE = re.compile(r"^\s*Subscribe(?=\S)")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?(?:\s+[A-Z(\"'\[]|\s*$)")


def is_abstract_line(line: str) -> bool:
    """An abstract is long prose: several sentences, or far longer than any title."""
    length = len(line)
    if length >= 320:
        return True
    if length < 100:
        return False
    sentences = len(_SENTENCE_END.findall(line))
    return sentences >= 2 or (sentences >= 1 and length >= 200 and line.rstrip()[-1:] in ".!?")


class HFPageFormat:
    name = "hf-page"
    description = "Hugging Face papers page (text dump)"
    extensions = (".txt",)

    def sniff(self, head: str, path: str) -> float:
        lines = [line for line in head.splitlines()[:6] if line.strip()]
        if any(_NOISE.match(line) for line in lines[:3]):
            return 0.95
        if head.lstrip()[:1] in "{[<@%" or "\t" in head[:2000]:
            return 0.0
        # Plain text of alternating short and long lines: a weak guess.
        sample = [line for line in head.splitlines()[:40] if line.strip()]
        if len(sample) >= 2 and any(is_abstract_line(line) for line in sample):
            return 0.2
        return 0.0

    def parse(self, stream: IO[str], path: str, report: Report) -> Iterator[Paper]:
        title = ""
        title_line = 0
        abstract: list[str] = []

        def finish() -> Iterator[Paper]:
            if not title:
                if abstract:
                    report(title_line, "an abstract with no title before it was skipped")
                return
            try:
                yield make_paper(
                    title=title,
                    abstract="\n".join(abstract),
                    source=Source(path, title_line),
                )
            except PaperError as error:
                report(title_line, str(error))

        for number, raw in enumerate(stream, start=1):
            line = raw.strip()
            if not line or _NOISE.match(line):
                continue
            if not title and not abstract:
                line = _SUBSCRIBE.sub("", line, count=1)
            if is_abstract_line(line):
                if not title and not abstract:
                    title_line = number
                abstract.append(line)
                continue
            yield from finish()
            title, title_line, abstract = line, number, []
        yield from finish()


FORMAT = HFPageFormat()
