"""Reviewing outdated translations: the source then (found in history) and now, and
confirming them — on the item, or on the model holding an inherited value."""

from __future__ import annotations

import pytest
from factories import SYSTEM, value
from sqlalchemy import delete, select

from pim.models import Version
from pim.search import indexer
from pim.services import product_models, products
from pim.services.actors import Actor
from pim.services.structure_cache import Structure
from pim.services.translation_review import (
    ReviewRefused,
    confirm_translations,
    outdated_fields,
)
from pim.services.translation_status import of_item

LOCALES = ("en_US", "fr_FR", "de_DE")


def _outdated_product(db_session):
    """A product translated in French, whose English source changed afterwards."""
    product = products.create_product(
        db_session,
        {
            "identifier": "LINEN",
            "family": "tshirts",
            "values": {"name": value("Linen shirt", "en_US") + value("Chemise en lin", "fr_FR")},
        },
        SYSTEM,
    )
    products.update_product(
        db_session, product, {"values": {"name": value("Linen shirt, slim", "en_US")}}, SYSTEM
    )
    return product


def _versions(db_session, resource, item_id):
    return list(
        db_session.scalars(
            select(Version)
            .where(Version.resource_type == resource, Version.resource_id == item_id)
            .order_by(Version.number)
        )
    )


def _outdated_keys(db_session, item, locale="fr_FR"):
    return of_item(item, Structure.current(db_session), LOCALES)[locale].outdated


def test_the_source_when_translated_is_found_in_history_by_its_hash(db_session, catalog):
    product = _outdated_product(db_session)
    [field] = outdated_fields(db_session, product, Structure.current(db_session), LOCALES)
    assert (field.key, field.locale, field.scope, field.holder) == (
        "name-fr_FR",
        "fr_FR",
        None,
        None,
    )
    assert field.translation == "Chemise en lin"
    assert field.new_source == "Linen shirt, slim"
    assert (field.old_source, field.old_source_found) == ("Linen shirt", True)

    # history purged: the old source is unknown, the field is still reported
    db_session.execute(delete(Version).where(Version.resource_id == product.id))
    [field] = outdated_fields(db_session, product, Structure.current(db_session), LOCALES)
    assert (field.old_source, field.old_source_found) == (None, False)
    assert field.new_source == "Linen shirt, slim"


def test_confirm_clears_outdated_records_one_version_and_a_second_confirm_nothing(
    db_session, catalog, make_user
):
    product = _outdated_product(db_session)
    before = len(_versions(db_session, "product", product.id))
    editor = make_user(role="editor")
    actor = Actor.for_user(editor, "ui")

    [version] = confirm_translations(db_session, product, ["name-fr_FR"], actor, user=editor)

    assert _outdated_keys(db_session, product) == []
    assert product.values["name"] == value("Linen shirt, slim", "en_US") + value(
        "Chemise en lin", "fr_FR"
    )
    assert version.changes == {
        "translations": {"old": {"name-fr_FR": "outdated"}, "new": {"name-fr_FR": "current"}}
    }
    assert (version.number, version.author, version.source) == (before + 1, editor.email, "ui")
    assert version.snapshot == products.product_state(db_session, product)

    assert confirm_translations(db_session, product, ["name-fr_FR"], actor, user=editor) == []
    assert len(_versions(db_session, "product", product.id)) == before + 1


def test_an_inherited_translation_is_reviewed_and_confirmed_on_its_model(db_session, catalog):
    root = product_models.get_model(db_session, "TS-CREW")
    product_models.update_model(
        db_session, root, {"values": {"name": value("T-shirt col rond", "fr_FR")}}, SYSTEM
    )
    product_models.update_model(
        db_session, root, {"values": {"name": value("Organic crew-neck tee", "en_US")}}, SYSTEM
    )
    db_session.commit()
    indexer.reindex(db_session.get_bind())
    variant = products.get_product(db_session, "TS-CREW-RED-S")
    [field] = outdated_fields(db_session, variant, Structure.current(db_session), LOCALES)
    assert field.holder == "TS-CREW"
    assert (field.old_source, field.new_source) == ("Crew-neck T-shirt", "Organic crew-neck tee")
    variant_versions = len(_versions(db_session, "product", variant.id))

    [version] = confirm_translations(db_session, variant, ["name-fr_FR"], SYSTEM)

    assert (version.resource_type, version.resource_key) == ("product_model", "TS-CREW")
    assert _outdated_keys(db_session, variant) == []
    assert _outdated_keys(db_session, products.get_product(db_session, "TS-CREW-RED-M")) == []
    assert len(_versions(db_session, "product", variant.id)) == variant_versions
    db_session.commit()  # the search index follows (the variants' translation states too)
    assert indexer.check(db_session.get_bind()).clean


def test_a_translator_confirms_only_their_locales_and_only_the_source_they_saw(
    db_session, catalog, make_user
):
    product = _outdated_product(db_session)
    german = make_user(role="translator")
    german.locales = ["de_DE"]
    with pytest.raises(ReviewRefused, match="fr_FR"):
        confirm_translations(db_session, product, ["name-fr_FR"], SYSTEM, user=german)
    viewer = make_user(role="viewer")
    with pytest.raises(ReviewRefused):
        confirm_translations(db_session, product, ["name-fr_FR"], SYSTEM, user=viewer)
    assert _outdated_keys(db_session, product) == ["name-fr_FR"]

    french = make_user(role="translator")
    french.locales = ["fr_FR"]
    with pytest.raises(ReviewRefused, match="changed since you looked"):
        confirm_translations(
            db_session, product, ["name-fr_FR"], SYSTEM, user=french, seen={"name-fr_FR": "x"}
        )
    [field] = outdated_fields(db_session, product, Structure.current(db_session), LOCALES)
    seen = {"name-fr_FR": field.source_hash}
    assert confirm_translations(db_session, product, ["name-fr_FR"], SYSTEM, user=french, seen=seen)
    assert _outdated_keys(db_session, product) == []
