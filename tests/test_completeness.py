"""Completeness is stored and never stale: every kind of write leaves the stored rows
equal to a from-scratch computation (the property Akeneo users miss most)."""

from __future__ import annotations

import pytest
from factories import SYSTEM, value
from sqlalchemy import select

from pim.models import Attribute, Channel, Completeness, Family
from pim.serialize import completeness_of
from pim.services import bulk, completeness, history, product_models, products, structure
from pim.services.structure_cache import Structure


def assert_fresh(session) -> None:
    """Stored completeness equals a from-scratch computation for every product."""
    drift = completeness.find_drift(session, Structure.load(session))
    assert drift == []


def ratio(session, identifier: str, channel: str, locale: str) -> tuple[int, list[str]]:
    product = products.get_product(session, identifier)
    for row in completeness_of(session, product.id):
        if (row["channel"], row["locale"]) == (channel, locale):
            return row["ratio"], row["missing"]
    raise AssertionError(f"no completeness row for {identifier} {channel}/{locale}")


def test_initial_rows_cover_every_channel_and_locale(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    rows = completeness_of(db_session, product.id)
    assert {(r["channel"], r["locale"]) for r in rows} == {
        ("ecommerce", "en_US"),
        ("ecommerce", "fr_FR"),
        ("ecommerce", "de_DE"),
        ("print", "fr_FR"),
    }
    assert ratio(db_session, "TS-CREW-RED-S", "ecommerce", "en_US") == (83, ["description"])
    assert_fresh(db_session)


def test_value_edit_updates_completeness(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    # description is on the root model level, so set it on the model; name fr_FR too
    root = catalog.model("TS-CREW")
    product_models.update_model(
        db_session,
        root,
        {"values": {"description": value("<p>Soft</p>", "en_US", "ecommerce")}},
        SYSTEM,
    )
    assert ratio(db_session, product.identifier, "ecommerce", "en_US") == (100, [])
    assert_fresh(db_session)


def test_model_value_change_flows_to_every_variant(catalog, db_session):
    root = catalog.model("TS-CREW")
    before = [ratio(db_session, i, "print", "fr_FR") for i in ("TS-CREW-RED-S", "TS-CREW-RED-M")]
    assert before == [(66, ["name"]), (66, ["name"])]
    product_models.update_model(
        db_session, root, {"values": {"name": value("T-shirt col rond", "fr_FR")}}, SYSTEM
    )
    after = [ratio(db_session, i, "print", "fr_FR") for i in ("TS-CREW-RED-S", "TS-CREW-RED-M")]
    assert after == [(100, []), (100, [])]
    assert_fresh(db_session)


def test_family_requirement_change_recomputes(catalog, db_session):
    family = db_session.scalar(select(Family).where(Family.code == "tshirts"))
    structure.update_family(
        db_session, family, {"requirements": {"print": ["sku", "name", "price", "weight"]}}, SYSTEM
    )
    assert ratio(db_session, "TS-CREW-RED-S", "print", "fr_FR") == (50, ["name", "weight"])
    # the ecommerce requirements were not named, so they are kept
    assert ratio(db_session, "TS-CREW-RED-S", "ecommerce", "en_US")[1] == ["description"]
    assert_fresh(db_session)


def test_removing_an_attribute_from_the_family_drops_its_requirement(catalog, db_session):
    family = db_session.scalar(select(Family).where(Family.code == "tshirts"))
    codes = [a.code for a in family.attributes if a.code != "description"]
    structure.update_family(db_session, family, {"attributes": codes}, SYSTEM)
    assert ratio(db_session, "TS-CREW-RED-S", "ecommerce", "en_US") == (100, [])
    assert_fresh(db_session)


def test_attribute_deletion_recomputes(catalog, db_session):
    structure.create_attribute(
        db_session, {"code": "fit", "type": "text", "group": "product"}, SYSTEM
    )
    family = db_session.scalar(select(Family).where(Family.code == "tshirts"))
    codes = [a.code for a in family.attributes] + ["fit"]
    structure.update_family(
        db_session,
        family,
        {"attributes": codes, "requirements": {"print": ["sku", "name", "price", "fit"]}},
        SYSTEM,
    )
    assert ratio(db_session, "TS-CREW-RED-S", "print", "fr_FR")[0] == 50
    fit = db_session.scalar(select(Attribute).where(Attribute.code == "fit"))
    structure.delete_attribute(db_session, fit, SYSTEM)
    assert ratio(db_session, "TS-CREW-RED-S", "print", "fr_FR") == (66, ["name"])
    assert_fresh(db_session)


def test_channel_locale_change_adds_and_removes_rows(catalog, db_session):
    channel = db_session.scalar(select(Channel).where(Channel.code == "print"))
    structure.update_channel(db_session, channel, {"locales": ["fr_FR", "de_DE"]}, SYSTEM)
    assert ratio(db_session, "TS-CREW-RED-S", "print", "de_DE") == (66, ["name"])
    structure.update_channel(db_session, channel, {"locales": ["de_DE"]}, SYSTEM)
    product = catalog.product("TS-CREW-RED-S")
    print_locales = {
        r["locale"] for r in completeness_of(db_session, product.id) if r["channel"] == "print"
    }
    assert print_locales == {"de_DE"}
    assert_fresh(db_session)


def test_channel_currency_change_makes_prices_incomplete(catalog, db_session):
    channel = db_session.scalar(select(Channel).where(Channel.code == "print"))
    structure.create_currency(db_session, "GBP", SYSTEM)
    structure.update_channel(db_session, channel, {"currencies": ["EUR", "GBP"]}, SYSTEM)
    assert ratio(db_session, "TS-CREW-RED-S", "print", "fr_FR") == (33, ["name", "price"])
    assert_fresh(db_session)


def test_revert_and_bulk_writes_keep_completeness_fresh(catalog, db_session):
    root = catalog.model("TS-CREW")
    version = product_models.update_model(
        db_session, root, {"values": {"name": value("T-shirt", "fr_FR")}}, SYSTEM
    )
    first = history.list_versions(db_session, "product_model", root.id)[-1]
    history.revert(db_session, first, SYSTEM)
    assert version.number == 2
    assert ratio(db_session, "TS-CREW-RED-S", "print", "fr_FR") == (66, ["name"])
    result = bulk.import_products(
        db_session,
        [
            {
                "identifier": "TS-CREW-RED-L",
                "parent": "TS-CREW-RED",
                "values": {"size": value("l")},
            },
            {
                "identifier": "TS-CREW-RED-S",
                "parent": "TS-CREW-RED",
                "values": {"weight": value({"amount": "180", "unit": "GRAM"})},
            },
        ],
        SYSTEM,
    )
    assert (result.created, result.updated, result.failed) == (1, 1, [])
    assert ratio(db_session, "TS-CREW-RED-L", "print", "fr_FR") == (66, ["name"])
    assert_fresh(db_session)


def test_drift_is_detected_when_rows_are_tampered_with(catalog, db_session):
    row = db_session.scalars(select(Completeness)).first()
    row.ratio = 1
    db_session.flush()
    drift = completeness.find_drift(db_session, Structure.load(db_session))
    assert len(drift) == 1 and drift[0].expected["ratio"] != 1


@pytest.mark.parametrize(
    "data, filled",
    [
        ("", False),
        ("x", True),
        ([], False),
        (["a"], True),
        (None, False),
        (False, True),
    ],
)
def test_is_filled_by_shape(data, filled):
    from pim.services.structure_cache import AttrSpec, ChannelSpec

    attr = AttrSpec(
        1,
        "a",
        "text",
        "g",
        0,
        {},
        False,
        False,
        False,
        None,
        None,
        None,
        None,
        True,
        False,
        None,
        None,
    )
    channel = ChannelSpec(1, "web", {}, ("en_US",), ("EUR",))
    entries = [{"locale": None, "scope": None, "data": data}]
    assert completeness.is_filled(attr, entries, channel, "en_US") is filled
