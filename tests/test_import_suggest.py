"""Suggested mappings: column names and first values → a mapping the profile saves as is."""

from __future__ import annotations

import pytest

from pim.imports import suggest as suggestions
from pim.imports.mapping import Mapper
from pim.imports.readers import Row
from pim.services.structure_cache import Structure


@pytest.fixture
def structure(catalog, db_session) -> Structure:
    return Structure.current(db_session)


def _rows(columns: list[str], *lines: list[str]) -> list[Row]:
    return [Row(i + 2, dict(zip(columns, line, strict=True))) for i, line in enumerate(lines)]


def _suggest(structure, columns, *lines, entity="product") -> dict:
    return suggestions.suggest(columns, _rows(columns, *lines), structure, entity=entity)


def _rule(mapping: dict, column: str) -> dict:
    return next(r for r in mapping["values"] if column in (r.get("columns") or [r.get("column")]))


SUPPLIER_COLUMNS = ["SKU", "Name (FR)", "Prix EUR", "Weight (kg)", "Colour", "Internal note"]
SUPPLIER_LINE = ["A-1", "Chemise", "12,50", "0,25", "Red", "call Bob"]


def test_a_supplier_file_is_mapped_by_names_and_values(structure):
    mapping = _suggest(structure, SUPPLIER_COLUMNS, SUPPLIER_LINE)

    assert mapping["key"] == {"column": "SKU"}
    assert _rule(mapping, "Name (FR)") == {
        "column": "Name (FR)",
        "attribute": "name",
        "locale": "fr_FR",
    }
    assert _rule(mapping, "Prix EUR")["attribute"] == "price"
    assert _rule(mapping, "Prix EUR")["transforms"] == [
        {"op": "decimal_comma"},
        {"op": "currency", "currency": "EUR"},
    ]
    assert _rule(mapping, "Weight (kg)")["transforms"] == [
        {"op": "decimal_comma"},
        {"op": "unit", "unit": "KILOGRAM"},
    ]
    assert _rule(mapping, "Colour") == {
        "column": "Colour",
        "attribute": "color",
        "transforms": [{"op": "option_label"}],
    }
    assert mapping["ignore"] == ["Internal note"]
    assert mapping["options"] == {"create": True, "mode": "skip", "missing": "ignore"}


def test_the_suggestion_is_a_valid_mapping_for_its_file(structure):
    mapping = _suggest(structure, SUPPLIER_COLUMNS, SUPPLIER_LINE)
    mapper = Mapper(mapping, structure)
    mapper.bind(SUPPLIER_COLUMNS)
    row = mapper.map_row(_rows(SUPPLIER_COLUMNS, SUPPLIER_LINE)[0])

    assert row.issues == []
    assert row.payload["values"]["price"][0]["data"] == [{"amount": "12.50", "currency": "EUR"}]
    assert row.payload["values"]["weight"][0]["data"] == {"amount": "0.25", "unit": "KILOGRAM"}
    assert row.payload["values"]["color"][0]["data"] == "red"


def test_akeneo_style_names_map_locale_channel_and_currency(structure):
    columns = ["sku", "description-de_DE-print", "price-USD", "weight", "weight-unit"]
    mapping = _suggest(structure, columns, ["A-1", "Text", "10", "2", "KILOGRAM"])

    assert mapping["key"] == {"column": "sku"}
    assert _rule(mapping, "description-de_DE-print") == {
        "column": "description-de_DE-print",
        "attribute": "description",
        "locale": "de_DE",
        "scope": "print",
    }
    assert _rule(mapping, "price-USD")["transforms"] == [{"op": "currency", "currency": "USD"}]
    assert _rule(mapping, "weight") == {
        "columns": ["weight", "weight-unit"],
        "attribute": "weight",
        "transforms": [{"op": "concat", "sep": " "}],
    }
    assert mapping["ignore"] == []


@pytest.mark.parametrize(
    ("column", "locale"),
    [("name_fr", "fr_FR"), ("Name DE", "de_DE"), ("Nom", "fr_FR"), ("Name", "en_US")],
)
def test_locale_from_a_suffix_a_label_or_the_first_channel(structure, column, locale):
    mapping = _suggest(structure, ["sku", column], ["A-1", "x"])
    assert _rule(mapping, column)["locale"] == locale


def test_fields_and_their_transforms(structure):
    columns = ["Article", "Famille", "Model", "Categories", "Active"]
    mapping = _suggest(structure, columns, ["A-1", "tshirts", "TS-CREW", "men|women", "yes"])

    assert mapping["key"] == {"column": "Article"}
    assert mapping["fields"] == {
        "family": {"column": "Famille"},
        "parent": {"column": "Model"},
        "categories": {"column": "Categories", "transforms": [{"op": "split", "sep": "|"}]},
        "enabled": {"column": "Active", "transforms": [{"op": "boolean"}]},
    }


def test_identifier_attribute_wins_over_sku_like_and_barcode_names(structure):
    mapping = _suggest(structure, ["EAN", "Reference", "SKU"], ["4006381333931", "R", "A-1"])
    assert mapping["key"] == {"column": "SKU"}
    assert _rule(mapping, "EAN")["attribute"] == "ean"  # the catalogue has an ean attribute
    assert "Reference" in mapping["ignore"]


def test_values_choose_dates_lists_and_numbers(structure):
    columns = ["sku", "Release date", "Material", "Pieces", "Washable"]
    mapping = _suggest(
        structure, columns, ["A-1", "31/12/2024", "Cotton; Elastane", "1.234,5", "oui"]
    )
    assert _rule(mapping, "Release date")["transforms"] == [{"op": "date", "format": "%d/%m/%Y"}]
    assert _rule(mapping, "Material")["transforms"] == [
        {"op": "split", "sep": ";"},
        {"op": "option_label"},
    ]
    assert _rule(mapping, "Pieces")["transforms"] == [{"op": "decimal_comma"}]
    assert _rule(mapping, "Washable")["transforms"] == [{"op": "boolean"}]


def test_option_codes_and_iso_dates_need_no_transform(structure):
    columns = ["sku", "color", "release_date", "Price €"]
    mapping = _suggest(structure, columns, ["A-1", "red", "2024-05-01", "9.90"])
    assert "transforms" not in _rule(mapping, "color")
    assert "transforms" not in _rule(mapping, "release_date")
    assert _rule(mapping, "Price €")["transforms"] == [{"op": "currency", "currency": "EUR"}]


def test_a_second_column_for_the_same_value_is_ignored(structure):
    mapping = _suggest(structure, ["sku", "Name EN", "Name (English)"], ["A-1", "a", "b"])
    assert [r["column"] for r in mapping["values"]] == ["Name EN"]
    assert mapping["ignore"] == ["Name (English)"]


def test_no_key_column_means_no_key(structure):
    mapping = _suggest(structure, ["Name", "Note"], ["a", "b"])
    assert "key" not in mapping
    assert mapping["ignore"] == ["Note"]


def test_models_are_keyed_by_code(structure):
    columns = ["Code", "Family variant", "Name (FR)"]
    mapping = _suggest(
        structure, columns, ["TS-NEW", "tshirts_color_size", "T"], entity="product_model"
    )
    assert mapping["key"] == {"column": "Code"}
    assert mapping["fields"] == {"family_variant": {"column": "Family variant"}}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Prix €", ["prix", "eur"]), ("ReleaseDate", ["release", "date"]), ("Matière", ["matiere"])],
)
def test_words(name, expected):
    assert suggestions.words(name) == expected
