"""Every value is validated against its attribute; refusals name the product, attribute,
locale/scope and the rule broken, and nothing is saved."""

from __future__ import annotations

import pytest
from factories import SYSTEM, value

from pim.services import history, products
from pim.services.errors import InvalidData


def refuse(catalog, identifier, values) -> str:
    """Try to save ``values``; return the error text and check nothing changed."""
    product = catalog.product(identifier)
    before = (dict(product.values), product.version)
    versions = len(history.list_versions(catalog.session, "product", product.id))
    with pytest.raises(InvalidData) as error:
        products.update_product(catalog.session, product, {"values": values}, SYSTEM)
    assert (product.values, product.version) == before
    assert len(history.list_versions(catalog.session, "product", product.id)) == versions
    return str(error.value)


@pytest.mark.parametrize(
    "attribute, entries, expected",
    [
        ("ean", value("123"), "does not match the pattern"),
        ("ean", value(4006381333931), "must be text"),
        ("weight", value({"amount": "12", "unit": "LITER"}), "unit 'LITER' is not one of"),
        ("weight", value({"amount": "6", "unit": "KILOGRAM"}), "above the maximum 5000"),
        ("weight", value({"amount": "abc", "unit": "GRAM"}), "is not a valid amount"),
        ("weight", value({"amount": "NaN", "unit": "GRAM"}), "not a finite amount"),
        ("weight", value({"amount": "-1", "unit": "GRAM"}), "is negative"),
        ("ean", value("4006381333931\x00"), "NUL byte"),
        ("nope", value("x"), "unknown attribute 'nope'"),
        ("name", value("x"), "belongs to the root model"),
        ("color", value("blue"), "belongs to variant level 1"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(catalog, attribute, entries, expected):
    message = refuse(catalog, "TS-CREW-RED-S", {attribute: entries})
    assert "product 'TS-CREW-RED-S'" in message
    assert expected in message
    if attribute != "nope":
        assert attribute in message


def family_less(catalog, identifier="LOOSE-1"):
    """A product without family may use any attribute: good for per-type checks."""
    return products.create_product(catalog.session, {"identifier": identifier}, SYSTEM)


@pytest.mark.parametrize(
    "attribute, entries, expected",
    [
        ("name", value("x" * 81, "en_US"), "is 81 characters long, the maximum is 80"),
        ("name", value("x"), "is localizable: a locale is required"),
        ("name", value("x", "it_IT"), "locale 'it_IT' is not activated"),
        ("name", value("line\nbreak", "en_US"), "must be a single line"),
        ("brand", value("x", "en_US"), "is not localizable: locale must be null"),
        ("description", value("x", "en_US"), "scope must be a channel code"),
        ("description", value("x", "de_DE", "print"), "not activated for channel print"),
        ("brand", value("gucci"), "'gucci' is not an option of brand"),
        ("material", value(["cotton", "silk"]), "'silk' not an option of material"),
        ("price", value([{"amount": "1", "currency": "JPY"}]), "currency 'JPY' is not enabled"),
        ("price", value([{"amount": "1.999", "currency": "EUR"}]), "more than 2 decimals"),
        ("price", value([{"amount": "-1", "currency": "EUR"}]), "is negative"),
        ("pieces", value("2.5"), "must be a whole number"),
        ("pieces", value(0), "below the minimum 1"),
        ("pieces", value(True), "must be a number"),
        ("washable", value("yes"), "must be true or false"),
        ("release_date", value("2026-02-30"), "is not a date"),
        ("release_date", value("20260101"), "is not a date"),
        ("images", value("a.jpg"), "must be a list of asset codes"),
        (
            "name",
            [{"locale": "en_US", "data": "a"}, {"locale": "en_US", "data": "b"}],
            "given twice",
        ),
        ("name", "x", "must be a list"),
    ],
)
def test_type_rules(catalog, attribute, entries, expected):
    family_less(catalog)
    message = refuse(catalog, "LOOSE-1", {attribute: entries})
    assert expected in message, message


def test_all_problems_are_reported_at_once(catalog):
    family_less(catalog)
    message = refuse(catalog, "LOOSE-1", {"pieces": value(0), "washable": value(1)})
    assert "pieces" in message and "washable" in message


def test_values_are_normalised(catalog, db_session):
    product = family_less(catalog)
    products.update_product(
        db_session,
        product,
        {
            "values": {
                "pieces": value("3"),
                "price": value(
                    [{"amount": "24", "currency": "USD"}, {"amount": 9.5, "currency": "EUR"}]
                ),
                "weight": value({"amount": "0.500", "unit": "KILOGRAM"}),
                "material": value(["cotton", "cotton", "elastane"]),
                "description": value(
                    '<p onclick="x()">Hi<script>alert(1)</script></p>', "en_US", "ecommerce"
                ),
                "name": value("<b>kept as given</b>", "en_US"),
                "release_date": value("2026-03-01"),
            }
        },
        SYSTEM,
    )
    v = {code: entries[0]["data"] for code, entries in product.values.items()}
    assert v["pieces"] == 3
    assert v["price"] == [
        {"amount": "9.50", "currency": "EUR"},
        {"amount": "24.00", "currency": "USD"},
    ]
    assert v["weight"] == {"amount": "0.5", "unit": "KILOGRAM"}
    assert v["material"] == ["cotton", "elastane"]
    assert v["description"] == "<p>Hi</p>"
    assert v["name"] == "<b>kept as given</b>"


def test_empty_data_clears_a_value(catalog, db_session):
    product = family_less(catalog)
    products.update_product(db_session, product, {"values": {"name": value("A", "en_US")}}, SYSTEM)
    products.update_product(db_session, product, {"values": {"name": value(None, "en_US")}}, SYSTEM)
    assert "name" not in product.values


def test_unique_attribute_is_enforced(catalog, db_session):
    message = refuse(catalog, "TS-CREW-RED-M", {"ean": value("4006381333931")})
    assert "already used by product 'TS-CREW-RED-S'" in message
    # freeing the value lets another product take it
    products.update_product(
        db_session, catalog.product("TS-CREW-RED-S"), {"values": {"ean": value(None)}}, SYSTEM
    )
    products.update_product(
        db_session,
        catalog.product("TS-CREW-RED-M"),
        {"values": {"ean": value("4006381333931")}},
        SYSTEM,
    )


def test_bad_identifiers_and_unknown_fields(catalog, db_session):
    for identifier, expected in (
        ("", "identifier is required"),
        ("a,b", "commas"),
        ("x" * 256, "longer than 255"),
        ("TS-CREW-RED-S", "already used"),
    ):
        with pytest.raises(InvalidData, match=expected):
            products.create_product(db_session, {"identifier": identifier}, SYSTEM)
    with pytest.raises(InvalidData, match="colour: unknown field"):
        products.create_product(db_session, {"identifier": "N1", "colour": "red"}, SYSTEM)
