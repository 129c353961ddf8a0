"""Hostile XML feeds: entity bombs, external entities and DTDs, deep nesting.

Each is refused with one line naming the file (status 2), in bounded memory; nothing
outside the feed (``/etc/passwd``, a URL) is ever read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harden_helpers import one_line_error, probe
from helpers import run_cli

ATOM_NS = "http://www.w3.org/2005/Atom"
ENTRY = "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>{title}</title><summary>s</summary></entry>"
ITEM = "<item><title>{title}</title><link>https://arxiv.org/abs/2401.00001</link></item>"

LAUGHS = "".join(
    f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' if n else '<!ENTITY lol0 "lol">'
    for n in range(10)
)


def atom(title: str, doctype: str = "") -> str:
    return f'<?xml version="1.0"?>\n{doctype}\n<feed xmlns="{ATOM_NS}">{ENTRY.format(title=title)}</feed>\n'


def rss(title: str, doctype: str = "") -> str:
    channel = f"<channel>{ITEM.format(title=title)}</channel>"
    return f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0">{channel}</rss>\n'


BOMBS = {
    "billion-laughs": ("<!DOCTYPE {root} [" + LAUGHS + "]>", "&lol9;"),
    "quadratic": ("<!DOCTYPE {root} [<!ENTITY a '" + "A" * 50_000 + "'>]>", "&a;" * 20_000),
    "external-entity": ('<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
    "parameter-entity": ('<!DOCTYPE {root} [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', "t"),
    "external-dtd": ('<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/evil.dtd">', "t"),
    "public-dtd": ('<!DOCTYPE {root} PUBLIC "-//X//DTD X//EN" "file:///etc/passwd">', "t"),
}


@pytest.mark.parametrize("kind", sorted(BOMBS))
@pytest.mark.parametrize("feed", ["atom", "rss"])
def test_entity_and_dtd_attacks_are_refused_in_one_line(tmp_path: Path, kind: str, feed: str) -> None:
    doctype, title = BOMBS[kind]
    root = "feed" if feed == "atom" else "rss"
    text = (atom if feed == "atom" else rss)(title, doctype.format(root=root))
    path = tmp_path / f"{kind}.{feed}.xml"
    path.write_text(text, encoding="utf-8")
    # The quadratic DTD pushes <feed> past what the sniffer reads: name the format.
    forced = ["--input-format", feed] if kind == "quadratic" else []
    status, out, err = run_cli("list", *forced, str(path))
    assert status == 2 and out == ""
    line = one_line_error(err, path.name)
    assert "refused" in line and ("DTD" in line or "entity" in line)
    assert "root:" not in out + err  # /etc/passwd was never read


def nested(tag: str, depth: int, inner: str = "deep") -> str:
    return f"<{tag}>" * depth + inner + f"</{tag}>" * depth


DEEP = {
    "atom-title": lambda n: atom(nested("a", n)),
    "atom-entries": lambda n: f'<?xml version="1.0"?>\n<feed xmlns="{ATOM_NS}">{nested("entry", n)}</feed>\n',
    "rss-items": lambda n: rss("x").replace(ITEM.format(title="x"), nested("item", n, "<title>x</title>")),
}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deep_nesting_is_refused_in_one_line(tmp_path: Path, shape: str) -> None:
    path = tmp_path / f"deep-{shape}.xml"
    path.write_text(DEEP[shape](100_000), encoding="utf-8")
    status, out, err = run_cli("list", str(path))
    assert status == 2 and out == ""
    assert "nested more than" in one_line_error(err, path.name)


def test_ordinary_nesting_still_loads(tmp_path: Path) -> None:
    """XHTML content in a feed nests a few dozen levels: that is not an attack."""
    path = tmp_path / "xhtml.atom.xml"
    path.write_text(atom("A Nested " + nested("span", 40, "Title")), encoding="utf-8")
    status, out, err = run_cli("list", str(path))
    assert status == 0, err
    assert "A Nested Title" in out


@pytest.mark.slow
def test_million_deep_feed_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """A 7 MB feed nested a million deep: building it took ~300 MB and ~20 s."""
    path = tmp_path / "deep1m.atom.xml"
    path.write_text(DEEP["atom-title"](1_000_000), encoding="utf-8")
    result = probe("list", str(path))
    assert result.status == 2
    assert "nested more than" in one_line_error(result.err, path.name)
    assert result.growth_mb < 100, result.growth_mb


@pytest.mark.slow
def test_billion_laughs_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "laughs.atom.xml"
    path.write_text(atom("&lol9;", "<!DOCTYPE feed [" + LAUGHS + "]>"), encoding="utf-8")
    result = probe("list", str(path))
    assert result.status == 2 and "refused" in one_line_error(result.err, path.name)
    assert result.growth_mb < 100, result.growth_mb


def test_xinclude_is_not_followed(tmp_path: Path) -> None:
    path = tmp_path / "xinclude.atom.xml"
    include = '<x:include xmlns:x="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
    path.write_text(atom("Included " + include + " Title"), encoding="utf-8")
    status, out, err = run_cli("list", str(path))
    assert status == 0, err
    assert "Included Title" in out and "root:" not in out
