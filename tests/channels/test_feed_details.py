"""The flags grouped and printed formats read: axes, group label, categories, features, and
the order of products when a writer writes a model with its variants."""

from __future__ import annotations

from factories import SYSTEM, value
from feedtest import BASE, make_feed

from channels.pipeline import Item, Settings, feed_entries
from pim.services import product_models, products


def items(session, feed, **settings):
    found = feed_entries(session, feed, Settings(BASE, "google", **settings))
    return [entry for entry in found if isinstance(entry, Item)]


def test_variants_carry_their_axes_group_label_and_categories(catalog):
    session = catalog.session
    item = {i.key: i for i in items(session, make_feed(session))}["TS-CREW-RED-S"].data
    assert item["_variant"] is True
    assert [(a["code"], a["value"]) for a in item["_axes"]] == [("color", "red"), ("size", "s")]
    assert item["_group_label"] == "Crew-neck T-shirt"
    assert item["_categories"] == [
        {"code": "women_tops", "label": "women_tops", "trail": "Master > women > women_tops"}
    ]
    assert "_features" not in item


def test_features_are_text_in_the_feed_locale_with_unece_units(catalog):
    session = catalog.session
    products.update_product(
        session,
        catalog.product("TS-CREW-RED-S"),
        {"values": {"weight": value({"amount": "180", "unit": "GRAM"})}},
        SYSTEM,
    )
    item = {i.key: i for i in items(session, make_feed(session), features=True)}
    features = {f["code"]: f for f in item["TS-CREW-RED-S"].data["_features"]}
    assert features["weight"]["value"] == "180"
    assert features["weight"]["unit"] == "GRM"
    assert features["brand"]["value"] == "vitrine"
    assert features["name"]["value"] == "Crew-neck T-shirt"
    assert "price" not in features and "ean" in features


def test_a_standalone_product_has_no_axes_and_no_group(catalog):
    session = catalog.session
    products.create_product(
        session,
        {"identifier": "SOLO", "family": "tshirts", "values": _sellable("Solo")},
        SYSTEM,
    )
    solo = {i.key: i for i in items(session, make_feed(session))}["SOLO"].data
    assert solo["_variant"] is False
    assert solo["_axes"] == []
    assert solo["_group_label"] is None
    assert "item_group_id" not in solo


def _sellable(name: str) -> dict:
    return {
        "name": value(name, "en_US"),
        "price": value([{"amount": "9", "currency": "EUR"}]),
    }


def test_grouped_order_puts_each_models_variants_together(catalog):
    session = catalog.session
    product_models.create_model(
        session,
        {"code": "TS-VNECK", "family_variant": "tshirts_color_size", "values": _sellable("V")},
        SYSTEM,
    )
    product_models.create_model(
        session,
        {"code": "TS-VNECK-BLUE", "parent": "TS-VNECK", "values": {"color": value("blue")}},
        SYSTEM,
    )
    # created alternately: by id the two models' variants interleave
    for number, (parent, size) in enumerate(
        [("TS-VNECK-BLUE", "s"), ("TS-CREW-RED", "l"), ("TS-VNECK-BLUE", "m")]
    ):
        products.create_product(
            session,
            {"identifier": f"P{number}", "parent": parent, "values": {"size": value(size)}},
            SYSTEM,
        )
    products.create_product(
        session, {"identifier": "SOLO", "family": "tshirts", "values": _sellable("S")}, SYSTEM
    )
    feed = make_feed(session)
    by_id = [i.data.get("item_group_id") for i in items(session, feed)]
    assert by_id != sorted(by_id, key=str)  # interleaved in id order
    grouped = items(session, feed, grouped=True, batch_size=2)
    groups = [i.data.get("item_group_id") for i in grouped]
    assert groups == [None, "TS-CREW", "TS-CREW", "TS-CREW", "TS-VNECK", "TS-VNECK"]
    assert sorted(i.key for i in grouped) == sorted(i.key for i in items(session, feed))
