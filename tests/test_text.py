"""Text cleaning and folding: nothing raw reaches a terminal; folding keeps positions."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paper_tui.text import clean_block, clean_text, fold, fold_query, latex_block_of_clean, latex_to_unicode

HOSTILE = [
    ("Title\x1b]52;c;ZXZpbA==\x07 end", "Title end"),
    ("Title\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "Titlelink"),
    ("\x1b[2JClear\x1b[1;1H screen", "Clear screen"),
    ("Red\x1b[31m text\x1b[0m", "Red text"),
    ("a\u202eevil\u202c b", "aevil b"),
    ("zero\u200bwidth\u2060 join", "zerowidth join"),
    ("bell\x07 back\x08space\x7f", "bell backspace"),
    ("c1\x9b31m csi", "c1 csi"),
    ("unterminated osc \x1b]0;title", "unterminated osc"),
    ("tab\tand\r\nnewline", "tab and newline"),
]


@pytest.mark.parametrize(("raw", "clean"), HOSTILE)
def test_clean_text_removes_escapes_and_invisible_characters(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_markup_is_kept_as_literal_text() -> None:
    # Rich/Textual markup is not removed here (it is a legal title); the UI renders it inert.
    assert clean_text("[bold red]Boo[/] [@click=app.quit]x[/]") == "[bold red]Boo[/] [@click=app.quit]x[/]"


def test_clean_block_keeps_paragraphs_and_folds_wraps() -> None:
    assert clean_block("  line one\nline two\n\n\n  para  two\n") == "line one line two\n\npara two"


SAFE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=200,
)


def _is_unsafe(char: str) -> bool:
    code = ord(char)
    return (
        code < 0x20
        or 0x7F <= code < 0xA0
        or char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\ufeff"
    )


@given(SAFE)
def test_clean_text_never_leaves_controls(raw: str) -> None:
    out = clean_text(raw)
    assert not any(_is_unsafe(c) for c in out)
    assert out == out.strip()


@given(SAFE)
def test_clean_block_never_leaves_controls_but_newlines(raw: str) -> None:
    out = clean_block(raw)
    assert not any(_is_unsafe(c) for c in out if c != "\n")


@given(SAFE)
def test_fold_keeps_length(raw: str) -> None:
    assert len(fold(raw)) == len(raw)
    assert len(fold(raw, keep_case=True)) == len(raw)


def test_fold_accents_case_and_latex() -> None:
    assert fold("Balázs ÉCOLE") == "balazs ecole"
    assert fold("Balázs", keep_case=True) == "Balazs"
    assert fold_query("$\\times$") == "times"
    assert "times" in fold("2$\\times$ faster")
    assert fold("Straße Łódź") == "straße lodz"  # one char for one: ß stays


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("C. Bal\\'azs", "C. Balázs"),
        ('{\\"U}ber {B}ayesian', "Über Bayesian"),
        ("Fran\\c{c}ois", "François"),
        ("R\\&D at 50\\%", "R&D at 50%"),
        ("speed $O(n^2)$ fast", "speed $O(n^2)$ fast"),
        ("plain text", "plain text"),
    ],
)
def test_latex_to_unicode(latex: str, text: str) -> None:
    assert unicodedata.normalize("NFC", latex_to_unicode(latex)) == text


# Long enough that pylatexenc (for short text with unknown macros) is not asked.
_LONG = " and so on" * 30


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("as in \\cite{hajac} and \\citep[p. 2]{a,b}", "as in [hajac] and [a, b]"),
        ("see Ref.~\\ref{sec:x}", "see Ref. [sec:x]"),
        ("{\\em{weakly stable}} states", "weakly stable states"),
        ("the {\\em Lorentzian} case", "the Lorentzian case"),
        ("at {\\bf 98} GeV, \\it surely", "at 98 GeV, surely"),
        ("the ``universality'' of $\\it x$", "the \u201cuniversality\u201d of $\\it x$"),
        ("an \\itemize stays", "an \\itemize stays"),  # a longer macro is not a switch
    ],
)
def test_citations_font_switches_and_quotes_in_long_text(latex: str, text: str) -> None:
    assert latex_block_of_clean(clean_block(latex + _LONG)) == text + _LONG


def test_latex_to_unicode_never_raises_on_broken_macros() -> None:
    for broken in ["\\", "{", "}", "\\frac{", "\\begin{x}", "\\'{"]:
        assert isinstance(latex_to_unicode(broken), str)
