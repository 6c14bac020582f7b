"""Text clean-up shared by every feed format: HTML to plain text, word-safe truncation,
characters XML 1.0 cannot carry, and spreadsheet formula escaping."""

from __future__ import annotations

import re
import threading

from lxml import etree

from pim.spreadsheet import escape_formula, unescape_formula

__all__ = [
    "clean_xml_text",
    "collapse_whitespace",
    "escape_formula",
    "is_markup",
    "strip_html",
    "truncate_words",
    "unescape_formula",
]

# Elements whose content is never visible text.
_INVISIBLE = frozenset({"script", "style", "template", "noscript", "head", "title"})
# Elements that start a new line when rendered; their text must not run into the neighbours'.
# fmt: off
_BLOCKS = (
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
)
# fmt: on
# XML 1.0 Char production: everything outside it, including lone surrogates.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Runs of whitespace and lone tabs or breaks; single spaces are left alone (cheaper).
_UNTIDY_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")
_local = threading.local()


def strip_html(text: str | None) -> str:
    """Return the visible text of an HTML fragment on one line.

    Parses with libxml2's forgiving HTML parser (unclosed, stray and nested tags are fine),
    drops scripts, styles and comments, decodes entities, separates block elements and
    ``<br>`` with a space and collapses every run of whitespace to a single space.
    """
    if not text or not text.strip():
        return ""
    # libxml2 turns NUL into U+FFFD and chokes on lone surrogates: clean first.
    root = etree.fromstring(clean_xml_text(text), _html_parser())
    if root is None:  # nothing but comments
        return ""
    etree.strip_elements(root, *_INVISIBLE, with_tail=False)
    for element in root.iter(*_BLOCKS):
        element.text = " " + (element.text or "")
        element.tail = " " + (element.tail or "")
    return collapse_whitespace(etree.tostring(root, method="text", encoding=str))


def collapse_whitespace(text: str) -> str:
    """``text`` on one line: every run of whitespace (tabs, line breaks, no-break spaces…)
    becomes one space, none at either end."""
    return _UNTIDY_WHITESPACE.sub(" ", text).strip()


def _html_parser() -> etree.HTMLParser:
    """One parser per thread: an lxml parser must not be used by two threads at once."""
    parser = getattr(_local, "html_parser", None)
    if parser is None:
        # huge_tree: without it libxml2 silently drops text nested deeper than 256
        # elements (broken editors produce that); HTML has no entities to expand.
        parser = etree.HTMLParser(
            remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
        )
        _local.html_parser = parser
    return parser


def truncate_words(text: str, limit: int, ellipsis: str = "") -> str:
    """Shorten ``text`` to at most ``limit`` characters, cutting between words.

    ``ellipsis`` (e.g. ``"…"``) is appended when something was cut and counts towards the
    limit. A first word longer than the whole budget is cut inside the word, because the
    alternative, an empty value, would lose the attribute altogether.
    """
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    if len(text) <= limit:
        return text
    ellipsis = ellipsis[:limit]
    budget = limit - len(ellipsis)
    head = text[:budget]
    if not text[budget].isspace():
        cut = max((i for i, char in enumerate(head) if char.isspace()), default=-1)
        head = head[:cut] if cut > 0 else head
    head = head.rstrip().rstrip(",;:")
    return head + ellipsis if head else ellipsis


def clean_xml_text(text: str) -> str:
    """Remove the characters XML 1.0 cannot represent, even escaped.

    Those are the C0 controls except tab, line feed and carriage return, U+FFFE, U+FFFF
    and unpaired surrogates. Everything else, emoji included, is kept.
    """
    return _NOT_XML_CHAR.sub("", text)


def is_markup(text: str) -> bool:
    """True when ``text`` looks like HTML (a tag or an entity) rather than plain text."""
    return bool(re.search(r"<[A-Za-z/!]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);", text))
