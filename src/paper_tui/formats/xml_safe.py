"""Safe XML reading for the feed formats (Atom, RSS).

Everything goes through defusedxml with DTDs, entity declarations and external
references forbidden, so a billion-laughs bomb or an external entity stops at its
declaration: quickly, in bounded memory, with one clear :class:`LoadError`.  The
document is fed to the parser in chunks from the stream, and the line where each
record element starts is recorded for ``file:line`` messages.
"""

from __future__ import annotations

from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from paper_tui.formats import LoadError

_CHUNK = 1 << 16
#: Deepest element nesting accepted.  Feeds nest a few levels (XHTML content a few
#: dozen); a million nested elements take seconds and hundreds of MB to build, so a
#: document nested deeper than this is refused at once.
MAX_DEPTH = 256


class _TooDeep(Exception):
    """Raised from the parser's start handler when nesting passes :data:`MAX_DEPTH`."""


def local(tag: str) -> str:
    """``{namespace}name`` -> ``name``."""
    return tag.rsplit("}", 1)[-1]


class _LineTarget:
    """A tree builder that remembers the line where each ``record`` element starts."""

    def __init__(self, records: frozenset[str]) -> None:
        self.builder = TreeBuilder()
        self.records = records
        self.lines: dict[int, int] = {}
        self.expat: Any = None
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        element = self.builder.start(tag, attrs)
        if local(tag) in self.records and self.expat is not None:
            self.lines[id(element)] = self.expat.CurrentLineNumber
        return element

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Element:
        return self.builder.close()


class XmlDocument:
    """A parsed document and the start line of its record elements."""

    def __init__(self, root: Element, lines: dict[int, int]) -> None:
        self.root = root
        self._lines = lines

    def line(self, element: Element) -> int:
        return self._lines.get(id(element), 0)


def parse_xml(stream: IO[str], path: str, records: frozenset[str] = frozenset()) -> XmlDocument:
    """Parse the whole XML document in ``stream`` safely; raise :class:`LoadError`
    for a DTD, an entity declaration, an external reference or malformed XML."""
    target = _LineTarget(records)
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.expat = parser.parser
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            parser.feed(chunk)
        root = parser.close()
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as error:
        kind = {
            DTDForbidden: "a DTD (<!DOCTYPE ...>)",
            EntitiesForbidden: "an entity declaration (<!ENTITY ...>)",
            ExternalReferenceForbidden: "an external entity reference",
        }[type(error)]
        line = getattr(parser.parser, "CurrentLineNumber", 0)
        raise LoadError(
            path, f"refused: the XML holds {kind}, which could expand without bound or read other files", line
        ) from None
    except _TooDeep:
        line = getattr(parser.parser, "CurrentLineNumber", 0)
        raise LoadError(path, f"refused: elements are nested more than {MAX_DEPTH} deep", line) from None
    except ParseError as error:
        line, _column = error.position
        message = str(error).split(":", 1)[0]
        if "no element found" in message or "unclosed token" in message:
            message = f"the XML ends too early (truncated file?): {message}"
        else:
            message = f"not well-formed XML: {message}"
        raise LoadError(path, message, line) from None
    return XmlDocument(root, target.lines)


def child_text(element: Element, name: str) -> str:
    """Text of the first child whose local name is ``name`` (any namespace), or ``""``."""
    for child in element:
        if local(child.tag) == name:
            return "".join(child.itertext())
    return ""


def children(element: Element, name: str) -> list[Element]:
    """Children whose local name is ``name``."""
    return [child for child in element if local(child.tag) == name]
