"""What goes into a feed and what is left out, with the reason a user reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import SYSTEM, value
from feedtest import BASE, make_feed, memory_media, picture

from channels.feeds import save_feed
from channels.pipeline import Excluded, Item, Settings, feed_entries
from dam.services.links import media_of
from dam.services.public import public_path
from pim.services import products
from pim.services.errors import InvalidData


def entries(session, feed, **settings):
    found = feed_entries(session, feed, Settings(BASE, "google", **settings))
    return {entry.key: entry for entry in found}


def test_variants_are_items_of_their_root_model_and_models_are_never_items(catalog):
    feed = make_feed(catalog.session)
    found = entries(catalog.session, feed)
    assert sorted(found) == ["TS-CREW-RED-M", "TS-CREW-RED-S"]
    item = found["TS-CREW-RED-S"]
    assert isinstance(item, Item)
    assert item.data["item_group_id"] == "TS-CREW"
    assert item.data["id"] == "TS-CREW-RED-S"
    assert item.data["title"] == "Crew-neck T-shirt"
    assert str(item.data["price"]["amount"]) == "19.90"
    assert item.data["price"]["currency"] == "EUR"


def test_every_exclusion_says_why(catalog):
    session = catalog.session
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    products.create_product(
        session,
        {
            "identifier": "USD-ONLY",
            "family": "tshirts",
            "values": {
                "name": value("Dollar tee", "en_US"),
                "price": value([{"amount": "10", "currency": "USD"}]),
            },
        },
        SYSTEM,
    )
    products.create_product(
        session, {"identifier": "DRAFTY", "values": {"name": value("x", "en_US")}}, SYSTEM
    )
    feed = make_feed(session, filters={"statuses": ["draft"], "families": ["tshirts"]})
    found = entries(session, feed)
    assert found["TS-CREW-RED-M"] == Excluded("TS-CREW-RED-M", "disabled")
    assert found["USD-ONLY"].reason == "no price in EUR"
    assert found["DRAFTY"].reason == "family (none) not in the feed"
    assert isinstance(found["TS-CREW-RED-S"], Item)


def test_missing_translation_and_completeness_exclude(catalog):
    session = catalog.session
    french = make_feed(session, "fr", locale="fr_FR")
    assert entries(session, french)["TS-CREW-RED-S"].reason == ("missing fr_FR translation of name")
    complete = make_feed(session, "complete", filters={"min_completeness": 100})
    assert entries(session, complete)["TS-CREW-RED-S"].reason == (
        "completeness under 100% for ecommerce/en_US"
    )
    relaxed = make_feed(
        session, "relaxed", locale="fr_FR", filters={"missing_translation": "empty"}
    )
    assert isinstance(entries(session, relaxed)["TS-CREW-RED-S"], Item)
    assert "title" not in entries(session, relaxed)["TS-CREW-RED-S"].data


def test_missing_translations_can_fall_back_to_another_locale(catalog):
    session = catalog.session
    french = make_feed(
        session,
        "fr",
        locale="fr_FR",
        filters={"missing_translation": "fallback", "fallback_locale": "en_US"},
    )
    item = entries(session, french)["TS-CREW-RED-S"]
    assert item.data["title"] == "Crew-neck T-shirt"
    german = make_feed(
        session,
        "de",
        locale="fr_FR",
        filters={"missing_translation": "fallback", "fallback_locale": "de_DE"},
    )
    assert entries(session, german)["TS-CREW-RED-S"].reason == (
        "missing fr_FR translation of name (and no de_DE fallback)"
    )
    with pytest.raises(InvalidData, match="needs a fallback_locale"):
        make_feed(session, "x", filters={"missing_translation": "fallback"})
    with pytest.raises(InvalidData, match="fallback_locale 'it_IT' is not a locale"):
        make_feed(
            session,
            "y",
            filters={"missing_translation": "fallback", "fallback_locale": "it_IT"},
        )


def test_an_unknown_rendition_preset_is_refused_at_save(catalog):
    with pytest.raises(InvalidData, match="unknown rendition preset 'huge'"):
        make_feed(catalog.session, rendition_preset="huge")


def test_pictures_are_published_only_while_their_rights_allow(catalog):
    session = catalog.session
    media = memory_media()
    model = catalog.model("TS-CREW-RED")
    main = picture(session, media, model, 1, role="main")
    picture(session, media, model, 2)
    picture(session, media, model, 3, licence_type="cc_by_nc")  # never on a commercial feed
    feed = make_feed(session)
    item = entries(session, feed)["TS-CREW-RED-S"]
    assert item.data["image_link"] == BASE + public_path(main.id, "google", "jpg")
    assert len(item.data["additional_image_link"]) == 1

    main.valid_until = date.today() - timedelta(days=1)
    session.flush()
    excluded = entries(session, feed)["TS-CREW-RED-S"]
    assert excluded.reason == (
        f"main image {main.filename} ({main.code}): usage rights expired on "
        f"{main.valid_until.isoformat()}"
    )


def test_a_mapping_naming_an_unknown_attribute_is_refused_at_save(catalog):
    with pytest.raises(InvalidData, match="field title: unknown attribute 'nmae'"):
        make_feed(catalog.session, mapping={"title": {"attribute": "nmae"}})
    with pytest.raises(InvalidData, match="locale 'it_IT' is not a locale of channel ecommerce"):
        make_feed(catalog.session, locale="it_IT")


def test_saving_again_updates_only_what_is_given(catalog):
    feed = make_feed(catalog.session)
    save_feed(catalog.session, {"code": "shop", "max_drop": 0.5})
    assert feed.max_drop == 0.5
    assert feed.locale == "en_US"


def test_a_variant_with_pictures_of_its_own_shows_them_not_its_models(catalog):
    session = catalog.session
    media = memory_media()
    picture(session, media, catalog.model("TS-CREW-RED"), 1, role="main")
    own = picture(session, media, catalog.product("TS-CREW-RED-M"), 2, role="main")
    found = entries(session, make_feed(session))
    for identifier in ("TS-CREW-RED-S", "TS-CREW-RED-M"):
        expected = media_of(session, catalog.product(identifier)).links[0].asset
        assert (
            found[identifier].data["image_link"].endswith(public_path(expected.id, "google", "jpg"))
        )
    assert found["TS-CREW-RED-M"].data["image_link"] == BASE + public_path(own.id, "google", "jpg")


def test_settings_a_format_cannot_carry_are_refused_at_save(catalog):
    # BMEcat catalogue ids have at most 20 characters
    with pytest.raises(InvalidData, match="the bmecat format refuses this feed: code"):
        make_feed(catalog.session, "a_rather_long_catalogue_code", format="bmecat")
    assert make_feed(catalog.session, "print_catalogue", format="bmecat").format == "bmecat"
