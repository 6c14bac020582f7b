"""The search interface: documents in, ranked keys and facet counts out.

A :class:`Document` is what the index knows of one product, product model or asset; it is
built from the database (``pim.search.documents``) and is the only thing a backend sees.
Backends (Whoosh on disk, PostgreSQL full text, memory for tests) implement
:class:`SearchBackend` with the *same* semantics, checked by one shared test suite:

* **text** — ``Document.tokens`` are already normalised by :func:`tokens` (lower case,
  accents removed, split on anything that is not a letter or digit). A query's free-text
  words are normalised the same way; a document matches when *every* query token is a
  prefix of one of its tokens (``cre`` finds ``crew``).
* **terms** — ``Document.fields`` maps a field name to a list of keyword values (family,
  categories with ancestors, status, option codes…). A :class:`Term` matches a document
  whose field holds the value exactly (case-sensitive). Several terms on the *same* field
  are OR-ed, terms on different fields AND-ed; a negated term excludes.
* **ranges** — ``Document.numbers`` maps a field name to a number (completeness ratios,
  timestamps). A :class:`Range` compares it (``<``, ``<=``, ``>``, ``>=``, ``=``); a
  document without the number does not match.
* **sort** — by ``"relevance"`` (backend's own score; ties by key), ``"key"``, a field of
  ``numbers`` or of ``sortable`` (strings, compared case-insensitively); missing values
  last whatever the direction; ties always broken by ``key`` ascending so that pages are
  stable.
* **facets** — for each requested field of ``fields``, the count of matching documents per
  value, over *all* matches (not just the page), sorted by count desc then value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol

KINDS = ("product", "model", "asset")
OPERATORS = ("<", "<=", ">", ">=", "=")

_SPLIT = re.compile(r"[\W_]+")


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Lower case without accents: ``Écru Tee`` → ``ecru tee``."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def tokens(text: str) -> list[str]:
    """The words of ``text`` as the index stores them (folded, split on non-alphanumerics)."""
    return [word for word in _SPLIT.split(fold(text)) if word]


@dataclass
class Document:
    """One searchable item. ``key`` is ``"<kind>:<id>"``; ``stamp`` a digest of the rest."""

    kind: str
    id: int
    tokens: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)
    sortable: dict[str, str] = field(default_factory=dict)
    stamp: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Term:
    field: str
    value: str
    negate: bool = False


@dataclass(frozen=True)
class Range:
    field: str
    op: str
    value: float


@dataclass
class Query:
    """What to find. ``kinds`` limits the kinds searched (empty: all)."""

    words: list[str] = field(default_factory=list)  # already normalised by tokens()
    terms: list[Term] = field(default_factory=list)
    ranges: list[Range] = field(default_factory=list)
    kinds: tuple[str, ...] = ()
    sort: str = "relevance"
    descending: bool = False
    facets: tuple[str, ...] = ()
    offset: int = 0
    limit: int = 50


@dataclass
class Results:
    keys: list[str]  # the page, in order
    total: int  # all matches
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class SearchBackend(Protocol):
    """Where documents are indexed. Writes are visible to the next search once they return."""

    def update(self, documents: list[Document]) -> None:
        """Add or replace these documents (by key)."""

    def delete(self, keys: list[str]) -> None:
        """Remove these keys (unknown keys are ignored)."""

    def search(self, query: Query) -> Results: ...

    def stamps(self, kind: str) -> dict[str, str]:
        """Every indexed key of ``kind`` with its stamp (for the drift check)."""

    def clear(self) -> None:
        """Remove every document (before a full rebuild)."""

    def close(self) -> None:
        """Release files and connections."""
