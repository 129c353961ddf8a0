"""Stable paper identity: the same paper gets the same id whichever file it came from.

Order of preference: the arXiv id without its version (``arxiv:2401.01234``,
``arxiv:hep-th/9901001``), found in ids, URLs and ``10.48550/arXiv.*`` DOIs; else
the DOI, lower-cased (``doi:10.1000/xyz``); else a fingerprint of the normalized
title (``title:<16 hex>``) with case, accents, punctuation and LaTeX folded.
"""

from __future__ import annotations

import hashlib
import re

from paper_tui.text import clean_text, fold, latex_to_unicode

# New style: YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015-), optional version.
_NEW_ID = r"(?<!\d)(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])"
# Old style: archive(.SUBJ)/YYMMNNN, optional version.
_OLD_ID = r"([a-z][a-z\-]+(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?(?!\d)"

_BARE_ID = re.compile(rf"^\s*(?:arxiv:\s*)?(?:{_NEW_ID}|{_OLD_ID})\s*$", re.IGNORECASE)
_IN_URL = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html|format)/|huggingface\.co/papers/|alphaxiv\.org/abs/"
    rf"|10\.48550/arxiv\.|arxiv:\s*)(?:{_NEW_ID}|{_OLD_ID})",
    re.IGNORECASE,
)
_DOI = re.compile(r"(10\.\d{4,9}/\S+)", re.IGNORECASE)
_DOI_PREFIXES = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def _pick(match: re.Match[str]) -> str:
    new, old = match.group(1), match.group(2)
    return new if new else _normalize_old(old)


def _normalize_old(old: str) -> str:
    archive, _, number = old.partition("/")
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def parse_arxiv_id(text: str | None) -> str:
    """The version-less arXiv id in a bare id, an arXiv/HF URL or an arXiv DOI; else ``""``."""
    if not text:
        return ""
    match = _BARE_ID.match(text) or _IN_URL.search(text)
    return _pick(match) if match else ""


def normalize_doi(text: str | None) -> str:
    """A DOI lower-cased and without ``https://doi.org/`` or ``doi:``; ``""`` if none."""
    if not text:
        return ""
    text = _DOI_PREFIXES.sub("", text.strip())
    match = _DOI.search(text)
    if not match:
        return ""
    return match.group(1).rstrip(".,;)]}").lower()


def arxiv_id_from_doi(doi: str) -> str:
    """``10.48550/arxiv.2401.01234`` -> ``2401.01234``."""
    return parse_arxiv_id(doi) if doi.lower().startswith("10.48550/arxiv.") else ""


# Letters of every script count (a Cyrillic or Chinese title must not fold to nothing);
# Latin text is already ASCII after fold(), so its fingerprints are as before.
_NON_WORD = re.compile(r"[\W_]+")


def normalized_title(title: str) -> str:
    """Title folded for identity: LaTeX and accents folded, lower-case, words only."""
    text = fold(latex_to_unicode(clean_text(title)))
    return " ".join(_NON_WORD.split(text)).strip()


def title_fingerprint(title: str) -> str:
    """16 hex digits of the normalized title's SHA-1 (``""`` for an empty title)."""
    norm = normalized_title(title)
    if not norm:
        return ""
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def paper_id(arxiv_id: str = "", doi: str = "", title: str = "") -> str:
    """The stable id: ``arxiv:...``, else ``doi:...``, else ``title:...``, else ``""``."""
    arxiv = parse_arxiv_id(arxiv_id) or arxiv_id_from_doi(normalize_doi(doi))
    if arxiv:
        return f"arxiv:{arxiv}"
    norm_doi = normalize_doi(doi)
    if norm_doi:
        return f"doi:{norm_doi}"
    fingerprint = title_fingerprint(title)
    return f"title:{fingerprint}" if fingerprint else ""
