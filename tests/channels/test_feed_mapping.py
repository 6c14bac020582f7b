"""Mapping expressions: what a feed field becomes, and the mistakes refused by name."""

from __future__ import annotations

from decimal import Decimal

from factories import value

from channels.mapping import Context, Subject, apply_mapping, check_mapping
from pim.services.structure_cache import Structure

VALUES = {
    "name": value("Crew tee", "en_US"),
    "description": value("<p>Soft <b>organic</b> cotton, made to last.</p>", "en_US", "ecommerce"),
    "color": value("red"),
    "material": value(["cotton", "elastane"]),
    "price": value([{"amount": "19.90", "currency": "EUR"}, {"amount": "24", "currency": "USD"}]),
    "weight": value({"amount": "180", "unit": "GRAM"}),
}


def evaluate(session, mapping, **context):
    structure = Structure.current(session)
    settings = {"locale": "en_US", "channel": "ecommerce", "currency": "EUR", **context}
    ctx = Context(structure, **settings)
    item = apply_mapping(mapping, Subject("TS-1", VALUES, group="TS"), ctx)
    return item, ctx.problems


def test_expressions(catalog):
    item, problems = evaluate(
        catalog.session,
        {
            "title": {"expr": ["concat", {"attribute": "name"}, " – ", ["label", "color"]]},
            "short": {"expr": ["truncate", ["strip_html", {"attribute": "description"}], 24]},
            "color": {"expr": ["map", {"attribute": "color"}, {"red": "Rouge"}, "Autre"]},
            "fabric": {"expr": ["join", " / ", {"attribute": "material"}]},
            "usd": {"expr": ["price", "price", "USD"]},
            "kg": {"expr": ["convert", {"attribute": "weight"}, "KILOGRAM"]},
            "first": {"expr": ["first", {"attribute": "ean"}, {"field": "group"}]},
            "condition": {"constant": "new"},
        },
    )
    assert problems == []
    assert item == {
        "title": "Crew tee – red",
        "short": "Soft organic cotton",  # cut between words
        "color": "Rouge",
        "fabric": "cotton / elastane",
        "usd": {"amount": Decimal("24"), "currency": "USD"},
        "kg": {"amount": Decimal("0.18"), "unit": "KILOGRAM"},
        "first": "TS",
        "condition": "new",
    }


def test_check_names_every_mistake(catalog):
    structure = Structure.current(catalog.session)
    problems = check_mapping(
        structure,
        {
            "a": {"attribute": "colour"},
            "b": {"expr": ["upper", {"attribute": "name"}]},
            "c": {"expr": ["concat", {"attribute": "nope"}]},
            "d": {"field": "sku"},
            "e": {"expr": ["convert", {"attribute": "weight"}, "STONE"]},
            "f": {"expr": ["truncate", {"attribute": "name"}, "ten"]},
            "g": {"expr": ["label"]},
        },
    )
    assert problems[0] == "field a: unknown attribute 'colour'"
    assert problems[1].startswith("field b: an expression is [operation, argument…]")
    assert problems[2] == "field c: unknown attribute 'nope'"
    assert problems[3].startswith("field d: unknown product field 'sku'")
    assert problems[4] == "field e: unknown unit 'STONE'"
    assert problems[5] == "field f: truncate needs a positive whole number of characters, got 'ten'"
    assert problems[6] == "field g: label takes 1 to 1 arguments, got 0"
