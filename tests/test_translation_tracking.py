"""Translation stamps follow every write path: service edits of models and products,
bulk imports, and the status of a variant includes what it inherits."""

from __future__ import annotations

from factories import SYSTEM, value

from pim.services import bulk, product_models, products
from pim.services.structure_cache import Structure
from pim.services.translation_status import of_item, source_hash

LOCALES = ("en_US", "fr_FR")


def status(db_session, item):
    result = of_item(item, Structure.current(db_session), LOCALES)["fr_FR"]
    return result.state, result.missing, result.outdated


def test_a_model_translation_goes_outdated_for_its_variants(db_session, catalog):
    root = product_models.get_model(db_session, "TS-CREW")
    variant = products.get_product(db_session, "TS-CREW-RED-S")
    assert status(db_session, variant) == ("missing", ["name-fr_FR"], [])

    product_models.update_model(
        db_session, root, {"values": {"name": value("T-shirt col rond", "fr_FR")}}, SYSTEM
    )
    assert root.translation_sources == {
        "name-fr_FR": {"from": "en_US", "hash": source_hash("Crew-neck T-shirt")}
    }
    assert status(db_session, variant) == ("complete", [], [])

    product_models.update_model(
        db_session, root, {"values": {"name": value("Organic crew-neck tee", "en_US")}}, SYSTEM
    )
    assert status(db_session, variant) == ("outdated", [], ["name-fr_FR"])


def test_products_created_one_by_one_or_in_bulk_are_stamped(db_session, catalog):
    names = value("Linen shirt", "en_US") + value("Chemise en lin", "fr_FR")
    one = products.create_product(
        db_session, {"identifier": "ONE", "family": "tshirts", "values": {"name": names}}, SYSTEM
    )
    result = bulk.import_products(
        db_session, [{"identifier": "MANY", "family": "tshirts", "values": {"name": names}}], SYSTEM
    )
    assert result.created == 1
    many = products.get_product(db_session, "MANY")
    expected = {"name-fr_FR": {"from": "en_US", "hash": source_hash("Linen shirt")}}
    assert one.translation_sources == expected
    assert many.translation_sources == expected

    products.update_product(
        db_session, many, {"values": {"name": value("Linen shirt, slim", "en_US")}}, SYSTEM
    )
    assert status(db_session, many) == ("outdated", [], ["name-fr_FR"])
