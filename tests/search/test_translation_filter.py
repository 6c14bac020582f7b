"""The grid's ``translation:LOCALE=STATE`` filter follows source edits, on each database."""

from __future__ import annotations

import lxml.html
import pytest
from factories import SYSTEM, value

from pim.search import indexer, service
from pim.search.query import SearchSyntaxError
from pim.services import product_models, products


@pytest.fixture
def indexed(db_session, catalog):
    """The catalogue, committed and indexed (the app's memory backend)."""
    db_session.commit()
    indexer.reindex(db_session.get_bind())
    return catalog


def codes(session, text: str) -> list[str]:
    page = service.search(session, text, sort="identifier", limit=100)
    return [hit.code for hit in page.items]


def names(**by_locale) -> list[dict]:
    return [{"locale": loc, "scope": None, "data": text} for loc, text in by_locale.items()]


TREE = ["TS-CREW", "TS-CREW-RED", "TS-CREW-RED-M", "TS-CREW-RED-S"]


def test_source_edits_make_translations_outdated_down_to_the_variants(db_session, indexed):
    assert codes(db_session, "translation:fr_FR=missing") == TREE
    model = indexed.model("TS-CREW")
    translated = names(en_US="Crew-neck T-shirt", fr_FR="T-shirt col rond", de_DE="Rundhals")
    product_models.update_model(db_session, model, {"values": {"name": translated}}, SYSTEM)
    db_session.commit()
    assert codes(db_session, "translation:fr_FR=complete") == TREE
    assert codes(db_session, "translation:fr_FR=missing translation:fr_FR=outdated") == []

    changed = names(en_US="Organic crew-neck T-shirt")
    product_models.update_model(db_session, model, {"values": {"name": changed}}, SYSTEM)
    db_session.commit()
    # the variants inherit the model's name: they are outdated too
    assert codes(db_session, "translation:fr_FR=outdated") == TREE
    assert codes(db_session, "translation:de_DE=outdated kind:product") == TREE[2:]
    assert codes(db_session, "-translation:fr_FR=outdated crew") == []
    assert indexer.check(db_session.get_bind()).clean


def test_every_backend_follows_a_model_source_edit(app, db_session, catalog, backend, monkeypatch):
    monkeypatch.setitem(app.extensions["vitrine_search"].__dict__, "backend", backend)
    db_session.commit()
    indexer.reindex(db_session.get_bind())
    model = catalog.model("TS-CREW")
    translated = names(en_US="Crew-neck T-shirt", fr_FR="T-shirt col rond")
    product_models.update_model(db_session, model, {"values": {"name": translated}}, SYSTEM)
    db_session.commit()
    product_models.update_model(
        db_session, model, {"values": {"name": names(en_US="Boxy T-shirt")}}, SYSTEM
    )
    db_session.commit()
    assert codes(db_session, "translation:fr_FR=outdated") == TREE
    page = service.search(db_session, "", kinds=("product",), facets=("translation.de_DE",))
    assert page.facets["translation.de_DE"] == [("missing", 2)]
    assert indexer.check(db_session.get_bind()).clean


def test_a_product_of_its_own_goes_outdated_and_back(db_session, indexed):
    payload = {
        "identifier": "SOLO",
        "family": "tshirts",
        "values": {"name": names(en_US="Tote", fr_FR="Sac")},
    }
    product = products.create_product(db_session, payload, SYSTEM)
    db_session.commit()
    assert "SOLO" in codes(db_session, "translation:fr_FR=complete")
    assert "SOLO" in codes(db_session, "translation:de_DE=missing")
    products.update_product(
        db_session, product, {"values": {"name": value("Tote bag", "en_US")}}, SYSTEM
    )
    db_session.commit()
    assert codes(db_session, "translation:fr_FR=outdated") == ["SOLO"]
    products.update_product(
        db_session, product, {"values": {"name": value("Sac cabas", "fr_FR")}}, SYSTEM
    )
    db_session.commit()
    assert codes(db_session, "translation:fr_FR=outdated") == []
    assert indexer.check(db_session.get_bind()).clean


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("translation:xx_XX=missing", "'xx_XX' is not a locale"),
        ("translation:en_US=missing", "'en_US' is not a locale"),  # the source locale
        ("translation:fr_FR=stale", "the state is missing, outdated, complete"),
        ("translation:fr_FR", "write translation:LOCALE=STATE"),
    ],
)
def test_unknown_locales_and_states_are_named(db_session, indexed, text, message):
    with pytest.raises(SearchSyntaxError, match=message):
        service.search(db_session, text)


def test_the_grid_filters_and_shows_the_status_in_its_locale(db_session, indexed, logged_in_client):
    model = indexed.model("TS-CREW")
    translated = names(en_US="Crew-neck T-shirt", fr_FR="T-shirt col rond")
    product_models.update_model(db_session, model, {"values": {"name": translated}}, SYSTEM)
    changed = names(en_US="Organic crew-neck T-shirt")
    product_models.update_model(db_session, model, {"values": {"name": changed}}, SYSTEM)
    client = logged_in_client("translator")
    response = client.get("/products?q=translation:fr_FR%3Doutdated&scope=ecommerce&locale=fr_FR")
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    badges = tree.xpath("//table//span[@data-translation]")
    assert [b.get("data-translation") for b in badges] == ["outdated", "outdated"]
    assert "fr_FR: 1 outdated" in badges[0].text_content()
    facet = tree.xpath('//aside[@class="facets"]//a[contains(@href, "translation")]/@href')
    assert any("+translation:fr_FR%3Doutdated&" in href for href in facet)
    assert tree.xpath("//p[@data-translation-filters]/a/@data-state") == ["missing", "outdated"]
    response = client.get("/products?q=translation:xx_XX%3Dmissing")
    assert response.status_code == 422 and "xx_XX" in response.get_data(as_text=True)
