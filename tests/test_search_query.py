"""The query language: what each operator and prefix parses to, and malformed input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from paper_tui.search import Term, parse_query
from paper_tui.search.query import split_tokens


def only(text: str) -> Term:
    query = parse_query(text)
    assert len(query.groups) == 1 and len(query.groups[0]) == 1, query
    return query.groups[0][0]


def test_bare_term_is_fuzzy_and_folded() -> None:
    assert only("transformer") == Term("fuzzy", "transformer")
    assert only("Balázs").text == "Balazs"  # upper case: smart case keeps it, accents folded
    assert only("balázs") == Term("fuzzy", "balazs")


def test_latex_folds_to_its_word() -> None:
    assert only(r"$\times$") == Term("fuzzy", "times")
    assert only(r"'$\alpha$") == Term("exact", "alpha")


def test_operators() -> None:
    assert only("'exact") == Term("exact", "exact")
    assert only("^prefix") == Term("prefix", "prefix")
    assert only("suffix$") == Term("suffix", "suffix")
    assert only("^whole$") == Term("equal", "whole")
    assert only("!term") == Term("exact", "term", negated=True)
    assert only("!'term") == Term("exact", "term", negated=True)
    assert only("!^pre") == Term("prefix", "pre", negated=True)
    assert only('"two words"') == Term("exact", "two words")
    assert only('!"two words"') == Term("exact", "two words", negated=True)


def test_space_is_and_bar_is_or() -> None:
    query = parse_query("llm | transformer agent")
    assert [[t.text for t in g] for g in query.groups] == [["llm", "transformer"], ["agent"]]
    assert not query.errors


def test_field_prefixes() -> None:
    assert only("title:graph") == Term("fuzzy", "graph", "title")
    assert only("t:graph") == Term("fuzzy", "graph", "title")
    assert only("author:smith") == Term("fuzzy", "smith", "authors")
    assert only("a:smith") == Term("fuzzy", "smith", "authors")
    assert only("abstract:graph") == Term("fuzzy", "graph", "abstract")
    assert only("abs:graph") == Term("fuzzy", "graph", "abstract")
    assert only("id:2401") == Term("exact", "2401", "id")
    assert only("cat:cs.cl") == Term("exact", "cs.cl", "cat")
    assert only("tag:todo") == Term("fuzzy", "todo", "tag")
    assert only("note:idea") == Term("fuzzy", "idea", "note")
    assert only("t:'exact") == Term("exact", "exact", "title")
    assert only("t:^Deep") == Term("prefix", "Deep", "title", case_sensitive=True)
    assert only('t:"two words"') == Term("exact", "two words", "title")
    assert only("!a:smith") == Term("exact", "smith", "authors", negated=True)
    assert only("a:!smith") == Term("exact", "smith", "authors", negated=True)


def test_unknown_prefix_is_plain_text() -> None:
    assert only("re:invent") == Term("fuzzy", "re:invent")


def test_years() -> None:
    assert only("year:2023").years == (2023, 2023)
    assert only("year:2020..2023").years == (2020, 2023)
    assert only("year:2020..").years == (2020, 9999)
    assert only("year:..2020").years == (0, 2020)
    assert only("year:2023..2020").years == (2020, 2023)
    assert only("year:202").years == (2020, 2029)  # typing: the 2020s so far
    assert only("!year:2023").negated


def test_library_words() -> None:
    assert only("is:bookmarked") == Term("state", "bookmarked")
    assert only("is:read") == Term("state", "read")
    assert only("is:unread") == Term("state", "unread")
    assert only("is:skip") == Term("state", "skipped")  # a unique beginning is enough
    assert only("has:note") == Term("has", "note")
    assert only("has:code") == Term("has", "code")
    assert only("!has:abstract") == Term("has", "abstract", negated=True)


def test_smart_case_per_term() -> None:
    query = parse_query("LLM agent")
    assert [t.case_sensitive for t in query.terms] == [True, False]


def test_malformed_queries_parse_leniently() -> None:
    assert only('"open quote') == Term("exact", "open quote")
    assert parse_query("!").is_empty and parse_query("!").errors
    assert parse_query("'").is_empty
    assert parse_query("^").is_empty
    assert parse_query("$").is_empty
    for text in ("| llm", "llm |", "llm | | agent"):
        query = parse_query(text)
        assert query.errors
        assert [t.text for t in query.terms] == [t for t in ("llm", "agent") if t in text]
    year = parse_query("year:abc llm")
    assert [t.text for t in year.terms] == ["llm"] and year.errors
    assert parse_query("is:nonsense").is_empty and parse_query("is:nonsense").errors
    assert parse_query("year:").is_empty and not parse_query("year:").errors
    assert parse_query("").is_empty and parse_query("   ").is_empty


def test_split_tokens_keeps_quoted_spaces() -> None:
    assert split_tokens('a "b c" t:"d e" "open') == ["a", '"b c"', 't:"d e"', '"open']


def test_narrowing_rules() -> None:
    def narrows(new: str, old: str) -> bool:
        return parse_query(new).narrows(parse_query(old))

    assert narrows("tran", "tra")
    assert narrows("tra model", "tra")
    assert narrows("tra mo", "tra m")
    assert narrows("'low-res", "'low-re")
    assert narrows("traN", "tra")  # upper case is stricter
    assert not narrows("tra", "traN")
    assert not narrows("tra |", "tra") or parse_query("tra |").groups == parse_query("tra").groups
    assert not narrows("tra | b", "tra")
    assert not narrows("!speec", "!spee")  # excluding more specific text excludes less
    assert not narrows("spee$", "spe$")
    assert narrows("year:2023 llm", "year:2023")
    assert not narrows("year:2023", "year:202")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \"'^$!|:\\{}tiyer.0129É")), max_size=30))
def test_parser_never_raises(text: str) -> None:
    query = parse_query(text)
    for term in query.terms:
        assert term.text or term.kind in ("year",)
