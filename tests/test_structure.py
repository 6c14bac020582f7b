"""Structure services: locales, channels, attributes and options, families, family
variants, categories (moving subtrees) — validated, versioned."""

from __future__ import annotations

import pytest
from factories import SYSTEM, value
from sqlalchemy import select

from pim.models import Attribute, Category
from pim.services import products, structure
from pim.services.errors import InvalidData


def category(session, code):
    return session.scalar(select(Category).where(Category.code == code))


def attribute(session, code):
    return session.scalar(select(Attribute).where(Attribute.code == code))


def test_locale_and_currency_codes_are_checked(db_session):
    with pytest.raises(InvalidData, match="not a known locale"):
        structure.create_locale(db_session, "xx_YY_ZZ", SYSTEM)
    with pytest.raises(InvalidData, match="not an ISO 4217"):
        structure.create_currency(db_session, "EURO", SYSTEM)
    structure.create_locale(db_session, "it_IT", SYSTEM)
    with pytest.raises(InvalidData, match="already used"):
        structure.create_locale(db_session, "it_IT", SYSTEM)


def test_moving_a_subtree_updates_every_descendant(catalog, db_session):
    structure.create_category(db_session, {"code": "women_tees", "parent": "women_tops"}, SYSTEM)
    structure.move_category(db_session, category(db_session, "women_tops"), "men", SYSTEM)
    tees, men = category(db_session, "women_tees"), category(db_session, "men")
    master = category(db_session, "master")
    assert tees.ancestor_ids == [master.id, men.id, category(db_session, "women_tops").id, tees.id]
    assert category(db_session, "women_tops").parent.code == "men"
    with pytest.raises(InvalidData, match="into its own subtree"):
        structure.move_category(db_session, men, "women_tees", SYSTEM)


def test_deleting_a_channel_tree_is_refused(catalog, db_session):
    with pytest.raises(InvalidData, match="category tree of a channel"):
        structure.delete_category(db_session, category(db_session, "master"), SYSTEM)
    structure.delete_category(db_session, category(db_session, "women"), SYSTEM)
    assert category(db_session, "women_tops") is None


def test_attribute_definitions_are_validated(catalog, db_session):
    cases = [
        ({"code": "bad code", "type": "text", "group": "product"}, "a code of letters"),
        ({"code": "x1", "type": "blob", "group": "product"}, "unknown type 'blob'"),
        ({"code": "x2", "type": "text", "group": "nope"}, "unknown attribute group"),
        ({"code": "x3", "type": "metric", "group": "product"}, "need a unit family"),
        ({"code": "x4", "type": "text", "group": "product", "regex": "("}, "invalid regular"),
        (
            {"code": "x5", "type": "text", "group": "product", "unique": True, "localizable": True},
            "can be unique",
        ),
        (
            {"code": "x6", "type": "text", "group": "product", "options": [{"code": "a"}]},
            "only select attributes have options",
        ),
        ({"code": "x7", "type": "identifier", "group": "product"}, "already has an identifier"),
        (
            {
                "code": "x8",
                "type": "simple_select",
                "group": "product",
                "options": [{"code": "a", "swatch": "red"}],
            },
            "swatch must be #rrggbb",
        ),
    ]
    for payload, expected in cases:
        with pytest.raises(InvalidData, match=expected):
            structure.create_attribute(db_session, payload, SYSTEM)


def test_attribute_type_and_scope_are_fixed(catalog, db_session):
    with pytest.raises(InvalidData, match="cannot be changed after creation"):
        structure.update_attribute(
            db_session, attribute(db_session, "name"), {"localizable": False}, SYSTEM
        )


def test_new_validation_rule_applies_to_later_writes(catalog, db_session):
    structure.update_attribute(db_session, attribute(db_session, "ean"), {"max_length": 12}, SYSTEM)
    with pytest.raises(InvalidData, match="maximum is 12"):
        products.update_product(
            db_session,
            catalog.product("TS-CREW-RED-M"),
            {"values": {"ean": value("4006381333955")}},
            SYSTEM,
        )


def test_options_in_use_cannot_be_removed(catalog, db_session):
    color = attribute(db_session, "color")
    with pytest.raises(InvalidData, match="option 'red' is used by 1 products/models"):
        structure.remove_option(db_session, color, "red", SYSTEM)
    structure.remove_option(db_session, color, "blue", SYSTEM)
    structure.add_option(db_session, color, {"code": "green", "labels": {"en_US": "Green"}}, SYSTEM)
    assert [o.code for o in attribute(db_session, "color").options] == ["red", "black", "green"]


def test_attribute_with_values_cannot_be_deleted(catalog, db_session):
    with pytest.raises(InvalidData, match="has values in 2 products/models"):
        structure.delete_attribute(db_session, attribute(db_session, "ean"), SYSTEM)


def test_family_variant_rules(catalog, db_session):
    base = {"family": "tshirts"}
    cases = [
        ({"code": "fv1", "variant_attribute_sets": []}, "one or two levels"),
        ({"code": "fv2", "variant_attribute_sets": [{"level": 1, "axes": []}]}, "axis"),
        (
            {"code": "fv3", "variant_attribute_sets": [{"level": 1, "axes": ["name"]}]},
            "cannot be an axis",
        ),
        (
            {
                "code": "fv4",
                "variant_attribute_sets": [
                    {"level": 1, "axes": ["color"]},
                    {"level": 2, "axes": ["color"]},
                ],
            },
            "owned by two levels",
        ),
        (
            {"code": "fv5", "variant_attribute_sets": [{"level": 1, "axes": ["unknown"]}]},
            "not an attribute of the family",
        ),
    ]
    for payload, expected in cases:
        with pytest.raises(InvalidData, match=expected):
            structure.create_family_variant(db_session, {**base, **payload}, SYSTEM)


def test_family_requirements_must_be_family_attributes(catalog, db_session):
    structure.create_attribute(
        db_session, {"code": "loose", "type": "text", "group": "product"}, SYSTEM
    )
    with pytest.raises(InvalidData, match="loose not in the family's attributes"):
        structure.create_family(
            db_session,
            {"code": "bags", "attributes": ["name"], "requirements": {"print": ["loose"]}},
            SYSTEM,
        )
