"""The query syntax: what users type becomes the right filters, mistakes are named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pim.search.base import Range, Term
from pim.search.query import SearchSyntaxError, parse

ATTRIBUTES = frozenset({"color", "size", "organic"})


def test_words_filters_ranges_and_sort_together():
    query = parse(
        'Écru tee family:tshirts color:red color:blue -status:draft "Organic Cotton" '
        "completeness:ecommerce/fr_FR<100 sort:-updated",
        attributes=ATTRIBUTES,
    )
    assert query.words == ["ecru", "tee", "organic", "cotton"]
    assert query.terms == [
        Term("family", "tshirts"),
        Term("attr.color", "red"),
        Term("attr.color", "blue"),
        Term("status", "draft", negate=True),
    ]
    assert query.ranges == [Range("completeness.ecommerce.fr_FR", "<", 100.0)]
    assert (query.sort, query.descending) == ("updated", True)


def test_dates_kinds_and_quoted_values():
    query = parse('updated>=2026-11-01 kind:model category:"new in"', kinds=("product",))
    moment = datetime(2026, 11, 1, tzinfo=UTC).timestamp()
    assert query.ranges == [Range("updated", ">=", moment)]
    assert query.kinds == ("model",)
    assert query.terms == [Term("category", "new in")]
    assert parse("", kinds=("product",)).kinds == ("product",)


def test_identifier_filter_is_the_whole_identifier_in_any_case():
    assert parse("identifier:TS-CREW-RED").terms == [Term("identifier", "ts-crew-red")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colr:red", "colr:red: no filter or attribute named 'colr'; did you mean color?"),
        ("completeness:ecommerce<100", "write completeness:CHANNEL/LOCALE<100"),
        ("completeness:ecommerce/fr_FR<abc", "'abc' is not a number"),
        ("completeness:ecommerce/fr_FR<150", "a percentage from 0 to 100"),
        ("updated:today", "compare updated with a date"),
        ("updated>yesterday", "'yesterday' is not a date"),
        ("color>3", "only completeness, updated and created compare with >"),
        ("family:", "give a value after the colon"),
        ("kind:variant", "kind is product, model or asset"),
        ("sort:price", "sort by one of relevance"),
    ],
)
def test_mistakes_name_the_part_of_the_query(text, message):
    with pytest.raises(SearchSyntaxError) as caught:
        parse(text, attributes=ATTRIBUTES)
    assert message in str(caught.value)


def test_hostile_text_is_only_words():
    query = parse("'; DROP TABLE product; -- <script>alert(1)</script> & | ! * ( )")
    assert query.terms == [] and query.ranges == []
    assert query.words == ["drop", "table", "product", "script", "alert", "1", "script"]
