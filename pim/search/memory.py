"""The reference backend: documents in a dict, every rule of ``base`` in plain Python.

It is the executable definition of the search semantics (the shared conformance suite runs
the same tests against it and the real backends) and the backend of unit tests
(``memory://``). Each search scans every document, which is fine for a few thousand.

Choices the other backends copy, where ``base`` leaves room:

* query words and document tokens go through :func:`~pim.search.base.tokens` again (a
  no-op on normalised input), so raw text can never mean something else in one backend,
  and are cut to :data:`MAX_TOKEN` characters (PostgreSQL refuses longer lexemes; a query
  word of at most that length matches exactly as the rule says);
* relevance is the number of distinct query words found as *whole* tokens (``cre`` ranks
  ``cre`` above ``crew``), best first whatever ``descending`` says;
* a sort name is looked up in ``numbers`` first, then in ``sortable`` (compared with
  :func:`~pim.search.base.fold`: neither case nor accents count): documents with the
  number come first, then those with only the string, then the others;
* a field value listed twice in one document counts once in a facet.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Iterable

from pim.search.base import OPERATORS, Document, Query, Range, Results, Term, fold, tokens

#: Longest token kept, in characters: the rest of a longer one is cut.
MAX_TOKEN = 100

#: The function of each range operator (``base.OPERATORS``); they work on SQL columns too.
COMPARE: dict[str, Callable] = dict(
    zip(OPERATORS, (operator.lt, operator.le, operator.gt, operator.ge, operator.eq), strict=True)
)


def index_tokens(words: Iterable[str]) -> list[str]:
    """Words as indexed and searched: normalised again, cut, without repeats, in order."""
    return list(dict.fromkeys(word[:MAX_TOKEN] for word in tokens(" ".join(words))))


def query_words(query: Query) -> list[str]:
    """The query's words, prepared like the documents' tokens by :func:`index_tokens`."""
    return index_tokens(query.words)


def check_ranges(query: Query) -> None:
    """``ValueError`` for a range operator that is not one of ``base.OPERATORS``."""
    for bound in query.ranges:
        if bound.op not in COMPARE:
            raise ValueError(f"unknown range operator {bound.op!r} (use {', '.join(OPERATORS)})")


def page_bounds(query: Query) -> tuple[int, int]:
    """``(start, stop)`` of the requested page; negative offsets and limits count as 0."""
    start = max(query.offset, 0)
    return start, start + max(query.limit, 0)


def sorted_facet(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Facet counts by count descending, then value."""
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def _terms_match(document: Document, terms: list[Term]) -> bool:
    wanted: dict[str, set[str]] = {}
    for term in terms:
        values = set(document.fields.get(term.field, ()))
        if term.negate:
            if term.value in values:
                return False
        else:
            wanted.setdefault(term.field, set()).add(term.value)
    return all(values & set(document.fields.get(name, ())) for name, values in wanted.items())


def _range_match(document: Document, bound: Range) -> bool:
    value = document.numbers.get(bound.field)
    return value is not None and COMPARE[bound.op](value, bound.value)


def _text_match(document: Document, words: list[str]) -> bool:
    return all(any(token.startswith(word) for token in document.tokens) for word in words)


class MemoryBackend:
    """Documents kept in a dict by key; searches scan them all."""

    def __init__(self) -> None:
        self._documents: dict[str, Document] = {}

    def update(self, documents: list[Document]) -> None:
        for document in documents:
            self._documents[document.key] = Document(
                kind=document.kind,
                id=document.id,
                tokens=index_tokens(document.tokens),
                fields={name: list(values) for name, values in document.fields.items()},
                numbers=dict(document.numbers),
                sortable=dict(document.sortable),
                stamp=document.stamp,
            )

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            self._documents.pop(key, None)

    def search(self, query: Query) -> Results:
        check_ranges(query)
        words = query_words(query)
        matches = [
            document
            for document in self._documents.values()
            if (not query.kinds or document.kind in query.kinds)
            and _text_match(document, words)
            and _terms_match(document, query.terms)
            and all(_range_match(document, bound) for bound in query.ranges)
        ]
        ordered = self._order(matches, query, words)
        start, stop = page_bounds(query)
        facets = {
            name: sorted_facet(
                Counter(value for doc in matches for value in set(doc.fields.get(name, ()))).items()
            )
            for name in query.facets
        }
        keys = [doc.key for doc in ordered[start:stop]]
        return Results(keys=keys, total=len(matches), facets=facets)

    @staticmethod
    def _order(matches: list[Document], query: Query, words: list[str]) -> list[Document]:
        by_key = sorted(matches, key=lambda doc: doc.key)
        if query.sort == "relevance":
            return sorted(by_key, key=lambda doc: -len(set(words) & set(doc.tokens)))
        if query.sort == "key":
            return by_key[::-1] if query.descending else by_key
        name, reverse = query.sort, query.descending
        numbered = [doc for doc in by_key if name in doc.numbers]
        rest = [doc for doc in by_key if name not in doc.numbers]
        named = [doc for doc in rest if name in doc.sortable]
        return (
            sorted(numbered, key=lambda doc: doc.numbers[name], reverse=reverse)
            + sorted(named, key=lambda doc: fold(doc.sortable[name]), reverse=reverse)
            + [doc for doc in rest if name not in doc.sortable]
        )

    def stamps(self, kind: str) -> dict[str, str]:
        return {key: doc.stamp for key, doc in self._documents.items() if doc.kind == kind}

    def clear(self) -> None:
        self._documents.clear()

    def close(self) -> None:
        """Nothing to release."""
