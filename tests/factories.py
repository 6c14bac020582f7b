"""A small fashion catalogue built through the services, for tests.

``build_catalog(session)`` creates locales en_US/fr_FR/de_DE, EUR/USD, channels
``ecommerce`` (3 locales, EUR+USD) and ``print`` (fr_FR, EUR), attributes of every type, a
``tshirts`` family with requirements, a two-level family variant (colour, then size), a
category tree and a root model ``TS-CREW`` with sub-model ``TS-CREW-RED`` and variants
``TS-CREW-RED-S`` / ``-M``. Everything goes through the same services as production.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pim.services import product_models, products, structure
from pim.services.actors import Actor

SYSTEM = Actor.system()


@dataclass
class Catalog:
    """Handles on what :func:`build_catalog` created."""

    session: object
    actor: Actor = SYSTEM

    def product(self, identifier: str):
        return products.get_product(self.session, identifier)

    def model(self, code: str):
        return product_models.get_model(self.session, code)


ATTRIBUTES = [
    {"code": "sku", "type": "identifier", "group": "product"},
    {
        "code": "name",
        "type": "text",
        "group": "marketing",
        "localizable": True,
        "labels": {"en_US": "Name", "fr_FR": "Nom"},
        "max_length": 80,
    },
    {
        "code": "description",
        "type": "textarea",
        "group": "marketing",
        "localizable": True,
        "scopable": True,
        "rich_text": True,
    },
    {
        "code": "brand",
        "type": "simple_select",
        "group": "product",
        "options": [{"code": "vitrine"}, {"code": "acme"}],
    },
    {
        "code": "color",
        "type": "simple_select",
        "group": "product",
        "options": [{"code": "red", "swatch": "#cc0000"}, {"code": "blue"}, {"code": "black"}],
    },
    {
        "code": "size",
        "type": "simple_select",
        "group": "product",
        "options": [{"code": c} for c in ("xs", "s", "m", "l", "xl")],
    },
    {
        "code": "material",
        "type": "multi_select",
        "group": "product",
        "options": [{"code": "cotton"}, {"code": "elastane"}, {"code": "polyester"}],
    },
    {"code": "price", "type": "price", "group": "commercial", "min_value": "0"},
    {
        "code": "weight",
        "type": "metric",
        "group": "logistics",
        "metric_family": "Weight",
        "default_unit": "GRAM",
        "max_value": "5000",
    },
    {"code": "ean", "type": "text", "group": "logistics", "unique": True, "regex": r"^\d{13}$"},
    {
        "code": "pieces",
        "type": "number",
        "group": "logistics",
        "decimals_allowed": False,
        "min_value": "1",
        "max_value": "100",
    },
    {"code": "washable", "type": "boolean", "group": "product"},
    {"code": "release_date", "type": "date", "group": "commercial"},
    {"code": "images", "type": "asset_collection", "group": "media"},
]


def build_structure(session) -> None:
    """Locales, currencies, categories, channels, attributes, family and variant."""
    for code in ("en_US", "fr_FR", "de_DE"):
        structure.create_locale(session, code, SYSTEM)
    for code in ("EUR", "USD"):
        structure.create_currency(session, code, SYSTEM)
    structure.create_category(session, {"code": "master", "labels": {"en_US": "Master"}}, SYSTEM)
    for code, parent in (("women", "master"), ("men", "master"), ("women_tops", "women")):
        structure.create_category(session, {"code": code, "parent": parent}, SYSTEM)
    structure.create_channel(
        session,
        {
            "code": "ecommerce",
            "locales": ["en_US", "fr_FR", "de_DE"],
            "currencies": ["EUR", "USD"],
            "category_tree": "master",
        },
        SYSTEM,
    )
    structure.create_channel(
        session,
        {"code": "print", "locales": ["fr_FR"], "currencies": ["EUR"], "category_tree": "master"},
        SYSTEM,
    )
    for i, group in enumerate(("product", "marketing", "commercial", "logistics", "media")):
        structure.create_attribute_group(session, {"code": group, "sort_order": i}, SYSTEM)
    for i, attr in enumerate(ATTRIBUTES):
        structure.create_attribute(session, {"sort_order": i, **attr}, SYSTEM)
    structure.create_family(
        session,
        {
            "code": "tshirts",
            "labels": {"en_US": "T-shirts"},
            "attributes": [a["code"] for a in ATTRIBUTES],
            "label_attribute": "name",
            "requirements": {
                "ecommerce": ["sku", "name", "description", "price", "color", "size"],
                "print": ["sku", "name", "price"],
            },
        },
        SYSTEM,
    )
    structure.create_family_variant(
        session,
        {
            "code": "tshirts_color_size",
            "family": "tshirts",
            "variant_attribute_sets": [
                {"level": 1, "axes": ["color"], "attributes": ["images"]},
                {"level": 2, "axes": ["size"], "attributes": ["ean", "weight"]},
            ],
        },
        SYSTEM,
    )
    structure.create_association_type(session, {"code": "cross_sell"}, SYSTEM)


def value(data, locale=None, scope=None) -> list[dict]:
    """One standard-format entry list."""
    return [{"locale": locale, "scope": scope, "data": data}]


def build_catalog(session) -> Catalog:
    """Structure plus one model tree with two variants; returns handles."""
    build_structure(session)
    product_models.create_model(
        session,
        {
            "code": "TS-CREW",
            "family_variant": "tshirts_color_size",
            "categories": ["women_tops"],
            "values": {
                "name": value("Crew-neck T-shirt", "en_US"),
                "brand": value("vitrine"),
                "price": value(
                    [{"amount": "19.90", "currency": "EUR"}, {"amount": "24", "currency": "USD"}]
                ),
            },
        },
        SYSTEM,
    )
    product_models.create_model(
        session,
        {
            "code": "TS-CREW-RED",
            "parent": "TS-CREW",
            "values": {"color": value("red")},
        },
        SYSTEM,
    )
    for size, ean in (("s", "4006381333931"), ("m", "4006381333948")):
        products.create_product(
            session,
            {
                "identifier": f"TS-CREW-RED-{size.upper()}",
                "parent": "TS-CREW-RED",
                "values": {"size": value(size), "ean": value(ean)},
            },
            SYSTEM,
        )
    session.flush()
    return Catalog(session)


@pytest.fixture
def catalog(db_session) -> Catalog:
    """The small catalogue of :func:`build_catalog`, rolled back after the test."""
    return build_catalog(db_session)
