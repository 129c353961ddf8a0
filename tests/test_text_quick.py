"""text.py's quick paths give what the general code gives (they exist for bulk loads)."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from paper_tui import text
from paper_tui.text import _clean_block, _math_split, _math_split_regex, clean_block, strip_controls


def _joined(pieces: list[str], max_size: int) -> st.SearchStrategy[str]:
    """Strings made of up to ``max_size`` of ``pieces``."""
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# Whitespace of every kind, controls, and words: what decides clean_block's quick path.
_BLOCK = _joined(
    [
        " ",
        "  ",
        "\n",
        "\n\n",
        " \n ",
        "\n \n",
        "\t",
        "\r",
        "\r\n",
        "\x0b",
        "\x0c",
        "\x1c",
        "\x1f",
        "\x00",
        "\x01",
        "\x1b",
        "\x1b[2J",
        "\x7f",
        "\x85",
        "\x9b",
        "\xa0",
        "\u2028",
        "\u3000",
        "\u200b",
        "word",
        "Word",
        "a",
        ".",
        "é",
        "$x$",
    ],
    16,
)


@settings(max_examples=500)
@given(st.one_of(_BLOCK, st.text(max_size=40)))
@example("  plain abstract,\nhard wrapped\n")
@example("a\n\nb")
@example("a \nb")
@example("\x0c\nabc")
@example("abc \x1c")
def test_clean_block_quick_path_is_the_general_one(raw: str) -> None:
    assert clean_block(raw) == _clean_block(raw) == _paragraphs_reference(raw)


def _paragraphs_reference(raw: str) -> str:
    """clean_block without any quick path: controls stripped, each paragraph's words."""
    paragraphs = (" ".join(p.split()) for p in text._PARAGRAPH_BREAK.split(strip_controls(raw)))
    return "\n\n".join(p for p in paragraphs if p)


# What the slow path meets: mojibake (lone C1 characters), escapes, odd whitespace.
_DIRTY_BLOCK = _joined(
    [
        "\x80",
        "\x93",
        "\x98",
        "\x9d",
        "\x9c",
        "\x07",
        "\x1b[1m",
        "\xa0",
        "\u3000",
        "\t",
        "\r\n",
        " ",
        "  ",
        "\n",
        "\n\n",
        "word",
        "é",
    ],
    16,
)


@settings(max_examples=500)
@given(_DIRTY_BLOCK)
@example("\u00ce\u0098 a\n b")
@example("\x98\xa0x")
def test_the_slow_path_s_second_quick_path_is_the_paragraph_walk(raw: str) -> None:
    assert clean_block(raw) == _clean_block(raw) == _paragraphs_reference(raw)


_MATHY = _joined(["$", "$$", "\\$", "\\", "\\(", "\\)", "\\[", "\\]", "x", " ", "\n", "{a}", "$x$"], 14)


@settings(max_examples=500)
@given(_MATHY)
@example("a $x$ b $y")
@example("$")
@example("$a$$b$")
def test_math_split_without_the_regex_is_the_regex_split(raw: str) -> None:
    assert _math_split(raw) == _math_split_regex(raw)
    assert "".join(_math_split(raw)) == raw


def _translate_reference(raw: str) -> str:
    """strip_controls as str.translate over the whole table (what it did before)."""
    if not text._UNSAFE.search(raw):
        return raw
    return text._ESCAPES.sub("", raw).translate(text._STRIP_TABLE)


_CONTROLS = st.lists(
    st.one_of(
        st.sampled_from(
            ["a", " ", "\x1b", "\x1b]0;t\x07", "\x9b", "\x9d", "\x85", "\u2028", "\ud800", "\udfff"]
        ),
        st.characters(max_codepoint=0x3000),
    ),
    max_size=20,
).map("".join)


# _ESCAPES as it was written first: one class for the 8-bit string introducers, a
# greedy body (the regex engine then tried every position).
_ESCAPES_REFERENCE = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?
    | \x1b[ -/]*[0-~]?
    | \x9b[0-?]*[ -/]*[@-~]?
    | [\x9d\x90\x98\x9e\x9f][^\x07\x9c\x1b]*(?:\x07|\x9c)
    """,
    re.VERBOSE,
)
_ESCAPY = _joined(
    [
        "\x1b",
        "\x9b",
        "\x9d",
        "\x90",
        "\x98",
        "\x9e",
        "\x9f",
        "\x9c",
        "\x07",
        "\\",
        "[",
        "]",
        "P",
        "X",
        "^",
        "_",
        " ",
        "0",
        "A",
        "~",
        "é",
    ],
    14,
)


@settings(max_examples=1000)
@given(st.one_of(_ESCAPY, _CONTROLS))
@example("\x1b]0;t\x07 \x98a\x9c \x9d b")
def test_escapes_regex_removes_what_its_first_form_removed(raw: str) -> None:
    assert text._ESCAPES.sub("", raw) == _ESCAPES_REFERENCE.sub("", raw)


@settings(max_examples=500)
@given(_CONTROLS)
def test_strip_controls_changes_each_unsafe_character_as_the_table_says(raw: str) -> None:
    assert strip_controls(raw) == _translate_reference(raw)


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    assert text.clean_text("a\ud800b\udfff") == "a\ufffdb\ufffd"
    assert clean_block("x\udc80\n\ny") == "x\ufffd\n\ny"
    assert not re.search("[\ud800-\udfff]", text.latex_to_unicode(text.clean_text("\\'e\ud801")))


def _convert_whole(segment: str) -> str:
    """_convert_plain as it was: every macro regex over the whole segment."""
    if "\\" in segment:
        if "\\text" in segment or "\\{" in segment or "\\}" in segment:
            segment = text._SYMBOLS.sub(
                lambda m: text._SYMBOL_TEXT[m.group(1)] if m.group(1) else text._BRACE_STANDIN[m.group(2)],
                segment,
            )
        segment = text._ACCENT.sub(text._accent, segment)
        segment = text._LETTER.sub(lambda m: text._LETTERS[m.group(1)], segment)
        segment = text._ESCAPED.sub(r"\1", segment)
        segment = text._FONT.sub("", segment)
    segment = segment.replace("{", "").replace("}", "")
    return re.sub(r"(?<!/)~", " ", segment)


_MACROS = _joined(
    [
        "\\",
        "'",
        "`",
        '"',
        "^",
        "~",
        "/~",
        "=",
        ".",
        "u",
        "v",
        "c",
        "e",
        "i",
        "ss",
        "o",
        "{",
        "}",
        " ",
        "\\&",
        "\\{",
        "\\}",
        "\\textasciitilde",
        "\\textbf",
        "\\emph",
        "{x}",
        "a",
        "\\i",
        "\n",
    ],
    14,
)


@settings(max_examples=500)
@given(_MACROS)
@example("Bal\\'azs ~ /~user")
def test_macros_converted_from_the_first_backslash_as_over_the_whole(raw: str) -> None:
    assert text._convert_plain(raw) == _convert_whole(raw)


@settings(max_examples=500)
@given(st.one_of(_BLOCK, _DIRTY_BLOCK, st.text(max_size=40)))
@example("\x00")
@example("caf\xe9 \xa0")
@example("\u0100")
def test_the_quick_character_check_is_the_regex(raw: str) -> None:
    assert text._quick_characters(raw) == (text._NOT_QUICK.search(raw) is None)


def test_the_quick_path_knows_every_whitespace_character() -> None:
    spaces = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert spaces - {" ", "\n"} == set(text._OTHER_SPACES)


@settings(max_examples=500)
@given(st.one_of(_BLOCK, st.text(max_size=30)))
@example(" a")
@example("a  b")
@example("a\tb")
def test_clean_text_quick_path_is_the_general_one(raw: str) -> None:
    assert text.clean_text(raw) == " ".join(strip_controls(raw).split())


def _fast_latex_reference(raw: str) -> tuple[str, bool]:
    """_fast_latex as it was: symbols looked for in every piece, stand-ins everywhere."""
    out: list[str] = []
    unknown = False
    for number, piece in enumerate(text._math_split_regex(raw)):
        plain = piece if number % 2 else text._convert_plain(piece)
        unknown = unknown or (not number % 2 and "\\" in plain)
        out.append(plain)
    return "".join(out).translate(text._STANDIN_BACK), unknown


@settings(max_examples=500)
@given(st.one_of(_MACROS, _MATHY, st.lists(st.one_of(_MACROS, _MATHY), max_size=3).map("".join)))
@example("\\{x\\} and \\textbackslash{} $\\{a\\}$ é")
def test_fast_latex_with_its_shortcuts_is_the_plain_walk(raw: str) -> None:
    assert text._fast_latex(raw) == _fast_latex_reference(raw)


@settings(max_examples=1000)
@given(
    st.one_of(_BLOCK, _MACROS, _MATHY, st.lists(st.one_of(_BLOCK, _MACROS, _MATHY), max_size=4).map("".join))
)
@example("a ~ b {} c\\emph {x}  d")
@example("\\'e~\n\nx {}")
@example("\\unknownmacro short")
def test_latex_of_a_clean_block_is_the_two_cleanings(raw: str) -> None:
    cleaned = clean_block(raw)
    converted = text.latex_to_unicode(cleaned)
    expected = cleaned if converted is cleaned else clean_block(converted)
    assert text.latex_block_of_clean(cleaned) == expected


def test_a_stray_c1_character_takes_only_itself_away() -> None:
    # "Θ" encoded twice (UTF-8 read as Latin-1) holds U+0098, the 8-bit SOS introducer.
    assert text.clean_text("a bound of \u00ce\u0098(n) for all n") == "a bound of \u00ce(n) for all n"
    assert text.clean_text("x \x9dterminated\x07 y") == "x y"  # a whole 8-bit string still goes
