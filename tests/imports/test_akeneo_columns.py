"""Akeneo column names and cells → Vitrine values (on the small test catalogue)."""

from __future__ import annotations

import re

import pytest

from pim.imports.akeneo.attributes import _python_regex
from pim.imports.akeneo.cell_values import read_values
from pim.imports.akeneo.columns import build_layout, value_column
from pim.services.structure_cache import Structure


@pytest.fixture
def current(catalog, db_session) -> Structure:
    return Structure.current(db_session)


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("name-fr_FR", ("name", "fr_FR", None, None)),
        ("description-en_US-ecommerce", ("description", "en_US", "ecommerce", None)),
        ("price", ("price", None, None, None)),
        ("price-EUR", ("price", None, None, "EUR")),
        ("weight", ("weight", None, None, None)),
        ("weight-unit", ("weight", None, None, "unit")),
        ("color", ("color", None, None, None)),
    ],
)
def test_value_columns(current, column, expected):
    parsed = value_column(column, current)
    assert (parsed.attribute.code, parsed.locale, parsed.scope, parsed.part) == expected


@pytest.mark.parametrize(
    ("column", "reason"),
    [
        ("colour", "unknown column: there is no attribute 'colour'"),
        ("name", "columns of attribute name are named name-<locale>"),
        (
            "name-xx_XX",
            "'xx_XX' is not a locale; columns of attribute name are named name-<locale>",
        ),
        ("description-en_US", "description-<locale>-<channel>"),
        ("description-en_US-web", "'web' is not a channel"),
        ("brand-en_US", "columns of attribute brand are named brand"),
        ("price-GBP", "currency 'GBP' is not enabled"),
        ("weight-kg", "are named weight (and weight-unit)"),
    ],
)
def test_columns_that_do_not_fit(current, column, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        value_column(column, current)


def test_layout_sorts_fields_links_and_ignored_columns(current):
    columns = [
        "sku",
        "groups",
        "cross_sell-products",
        "cross_sell-product_models",
        "cross_sell-groups",
        "cross_sell-products-quantity",
        "UPSELL-products",
        "name-en_US",
        "colour",
    ]
    layout = build_layout(
        columns, current, {"cross_sell"}, {"sku": "identifier"}, {"groups": "no groups"}
    )
    assert layout.fields == {"sku": "identifier"}
    assert {c: (link.association_type, link.target) for c, link in layout.links.items()} == {
        "cross_sell-products": ("cross_sell", "products"),
        "cross_sell-product_models": ("cross_sell", "product_models"),
    }
    assert set(layout.ignored) == {"groups", "cross_sell-groups", "cross_sell-products-quantity"}
    assert set(layout.unknown) == {"UPSELL-products", "colour"}
    assert list(layout.values) == ["name-en_US"]


def values_of(current, cells: dict):
    layout = build_layout(list(cells), current, set(), {}, {})
    return read_values(cells, layout)


def test_cells_become_standard_values(current):
    found = values_of(
        current,
        {
            "price": "",
            "price-EUR": "19.90",
            "price-USD": "24",
            "weight": "500",
            "weight-unit": "GRAM",
            "washable": "0",
            "material": "cotton, elastane,cotton",
            "release_date": "2024-03-01T00:00:00+00:00",
            "name-en_US": "  Crew  ",
            "pieces": "",
        },
    )
    data = {code: entries[0]["data"] for code, entries in found.values.items()}
    assert data == {
        "price": [{"amount": "19.90", "currency": "EUR"}, {"amount": "24", "currency": "USD"}],
        "weight": {"amount": "500", "unit": "GRAM"},
        "washable": False,
        "material": ["cotton", "elastane"],
        "release_date": "2024-03-01",
        "name": "  Crew  ",
    }
    assert found.faults == []
    assert found.where(("price", None, None)) == ("price-EUR, price-USD", "19.90; 24")


def test_one_cell_prices_and_metrics(current):
    found = values_of(current, {"price": "10.00 EUR, 14.00 USD", "weight": "0.5 KILOGRAM"})
    assert found.values["price"][0]["data"] == [
        {"amount": "10.00", "currency": "EUR"},
        {"amount": "14.00", "currency": "USD"},
    ]
    assert found.values["weight"][0]["data"] == {"amount": "0.5", "unit": "KILOGRAM"}


@pytest.mark.parametrize(
    ("cells", "fault"),
    [
        ({"weight": "500"}, ("weight", "500", "a metric needs a unit")),
        ({"weight": "5", "weight-unit": "STONE"}, ("weight-unit", "STONE", "unknown unit")),
        ({"price": "10 euros and 5"}, ("price", "10 euros and 5", "a price must read like")),
        ({"washable": "yes"}, ("washable", "yes", "must be 1 or 0")),
    ],
)
def test_cells_that_cannot_be_read(current, cells, fault):
    [found] = values_of(current, cells).faults
    assert (found.column, found.value) == fault[:2] and fault[2] in found.reason


def test_image_cells_are_media_not_values(current):
    found = values_of(current, {"images": " files/a b.jpg "})
    assert found.values == {}
    [ref] = found.media
    assert (ref.attribute, ref.column, ref.path) == ("images", "images", "files/a b.jpg")


@pytest.mark.parametrize(
    ("akeneo", "python", "matches", "refuses"),
    [
        ("/^\\d{13}$/", "^\\d{13}$", "4006381333931", "12"),
        ("/abc/i", "(?i)(?s).*(?:abc).*", "xxABCxx", "xyz"),
        ("^[A-Z]+$", "^[A-Z]+$", "ABC", "abc"),
    ],
)
def test_akeneo_regexes_keep_their_meaning(akeneo, python, matches, refuses):
    pattern = _python_regex(akeneo)
    assert pattern == python
    assert re.fullmatch(pattern, matches) and not re.fullmatch(pattern, refuses)
