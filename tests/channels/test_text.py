"""Text helpers: HTML to text, word-safe truncation, XML-safe characters, formula escaping."""

from __future__ import annotations

import pytest
from lxml import etree

from channels.formats.text import (
    clean_xml_text,
    escape_formula,
    is_markup,
    strip_html,
    truncate_words,
    unescape_formula,
)

# --- strip_html -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Soft <b>cotton</b> shirt</p>", "Soft cotton shirt"),
        ("<div><p>Nested <span><em>deep <b>bold</b></em></span></p></div>", "Nested deep bold"),
        ("<p>One</p><p>Two</p>", "One Two"),
        ("Line<br>break<br/>twice", "Line break twice"),
        ("<ul><li>cotton</li><li>linen</li></ul>", "cotton linen"),
        ("<h2>Care</h2>Wash cold", "Care Wash cold"),
        ("<table><tr><td>S</td><td>M</td></tr></table>", "S M"),
        ("<p>unclosed <b>bold <i>italic</p> after", "unclosed bold italic after"),
        ("</p>stray closing tag", "stray closing tag"),
        ("<p>bad <<b>nesting</p></b>", "bad <nesting"),
        ("Tom &amp; Jerry &eacute;t&eacute; &#8364;5 &#x2764;", "Tom & Jerry été €5 ❤"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("  lots \n\n of \t   space&nbsp;here  ", "lots of space here"),
        ("<script>alert(1)</script>Visible<style>p {color: red}</style>", "Visible"),
        ("before<!-- hidden comment -->after", "beforeafter"),
        ("<html><body><p>A whole document</p></body></html>", "A whole document"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("Plain text", "Plain text"),
        ("Emoji stay 👗✨", "Emoji stay 👗✨"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_strip_html(html, text):
    assert strip_html(html) == text


def test_strip_html_survives_characters_xml_cannot_hold():
    assert strip_html("<p>a\x00b\x1fc\ud800d</p>") == "abcd"


def test_deeply_nested_markup_keeps_its_text():
    assert strip_html("<b>" * 300 + "deep") == "deep"


def test_inline_elements_do_not_split_words():
    assert strip_html("<b>Bold</b><i>face</i>") == "Boldface"


def test_is_markup_tells_html_from_plain_text():
    assert is_markup("<p>x</p>")
    assert is_markup("Tom &amp; Jerry")
    assert not is_markup("5 < 6 & 7 > 3")
    assert not is_markup("Plain text")


# --- truncate_words -------------------------------------------------------------------------


def test_short_text_is_left_alone():
    assert truncate_words("Blue shirt", 10) == "Blue shirt"
    assert truncate_words("Blue shirt", 10, ellipsis="…") == "Blue shirt"


def test_truncate_cuts_at_a_word_boundary():
    assert truncate_words("Blue cotton shirt with buttons", 14) == "Blue cotton"
    assert truncate_words("Blue cotton shirt with buttons", 17) == "Blue cotton shirt"
    assert truncate_words("Blue cotton shirt with buttons", 16) == "Blue cotton"


def test_a_cut_exactly_before_a_space_keeps_the_whole_word():
    assert truncate_words("Blue cotton shirt", 11) == "Blue cotton"


def test_ellipsis_counts_towards_the_limit():
    result = truncate_words("Blue cotton shirt with buttons", 15, ellipsis="…")
    assert result == "Blue cotton…"
    assert len(result) <= 15
    result = truncate_words("Blue cotton shirt with buttons", 15, ellipsis="...")
    assert result == "Blue cotton..."


def test_trailing_punctuation_is_not_left_before_the_ellipsis():
    assert truncate_words("Soft, warm, light", 12, ellipsis="…") == "Soft, warm…"


def test_no_half_words_over_many_limits():
    text = "Merino wool cardigan with mother-of-pearl buttons and ribbed cuffs"
    words = text.split()
    for limit in range(len(words[0]), len(text)):
        result = truncate_words(text, limit)
        assert len(result) <= limit
        assert result.split() == words[: len(result.split())]


def test_a_single_word_longer_than_the_limit_is_cut_hard():
    assert truncate_words("Supercalifragilistic", 5) == "Super"
    assert truncate_words("Supercalifragilistic", 5, ellipsis="…") == "Supe…"


def test_negative_limit_is_an_error():
    with pytest.raises(ValueError, match="limit"):
        truncate_words("x", -1)


# --- clean_xml_text -------------------------------------------------------------------------


def test_clean_xml_text_removes_only_what_xml_forbids():
    dirty = "a\x00b\x08c\x0bd\x0ce\x1ff\ufffeg\uffffh\ud800i\udfffj"
    assert clean_xml_text(dirty) == "abcdefghij"


def test_clean_xml_text_keeps_whitespace_emoji_and_astral_characters():
    text = "tab\tline\ncr\r 👗 𝄞 é ü ß 中文 \u0085"
    assert clean_xml_text(text) == text


def test_cleaned_text_is_accepted_by_lxml():
    element = etree.Element("x")
    element.text = clean_xml_text("ok\x01\x02 ]]> 👗")
    assert etree.fromstring(etree.tostring(element)).text == "ok ]]> 👗"


# --- formula escaping -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "escaped"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+33 1 23", "'+33 1 23"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'quoted", "''quoted"),
        ("Plain", "Plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_escape_formula(cell, escaped):
    assert escape_formula(cell) == escaped
    assert unescape_formula(escaped) == cell


def test_escape_formula_round_trips_every_tricky_start():
    for start in ["=", "+", "-", "@", "\t", "\r", "'", "''", "'=", "x", ""]:
        cell = start + "1+1"
        assert unescape_formula(escape_formula(cell)) == cell


def test_unescape_leaves_ordinary_apostrophes_alone():
    assert unescape_formula("'tis the season") == "'tis the season"
    assert unescape_formula("'") == "'"


def test_non_text_cells_pass_through():
    assert escape_formula(-5) == -5
    assert unescape_formula(None) is None
