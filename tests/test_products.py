"""Products and models: variants, inheritance, axes, workflow, associations, locking."""

from __future__ import annotations

import pytest
from factories import SYSTEM, value

from pim.serialize import model_to_standard, product_to_standard
from pim.services import history, product_models, products
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData


def test_variant_inherits_model_values(catalog, db_session):
    data = product_to_standard(db_session, catalog.product("TS-CREW-RED-S"))
    assert data["values"]["name"] == value("Crew-neck T-shirt", "en_US")
    assert data["values"]["color"] == value("red")
    assert data["values"]["size"] == value("s")
    assert data["parent"] == "TS-CREW-RED" and data["family"] == "tshirts"
    # the product stores only what its level owns
    assert set(catalog.product("TS-CREW-RED-S").values) == {"size", "ean"}


def test_model_standard_format_and_variant_summary(catalog, db_session):
    data = model_to_standard(db_session, catalog.model("TS-CREW"), with_completeness=True)
    assert data["family_variant"] == "tshirts_color_size"
    assert {"channel": "print", "locale": "fr_FR", "complete": 0, "total": 2} in data[
        "completeness"
    ]


def test_axis_values_are_required_and_unique_among_siblings(catalog, db_session):
    with pytest.raises(InvalidData, match="size: is a variant axis: a value is required"):
        products.create_product(db_session, {"identifier": "X1", "parent": "TS-CREW-RED"}, SYSTEM)
    with pytest.raises(InvalidData, match="variant 'TS-CREW-RED-S' of 'TS-CREW-RED' already"):
        products.create_product(
            db_session,
            {"identifier": "X2", "parent": "TS-CREW-RED", "values": {"size": value("s")}},
            SYSTEM,
        )
    with pytest.raises(InvalidData, match="sub-model 'TS-CREW-RED' of 'TS-CREW' already"):
        product_models.create_model(
            db_session,
            {"code": "TS-CREW-RED2", "parent": "TS-CREW", "values": {"color": value("red")}},
            SYSTEM,
        )


def test_parent_must_be_the_last_model_level(catalog, db_session):
    with pytest.raises(InvalidData, match="not at the last model level"):
        products.create_product(
            db_session,
            {"identifier": "X3", "parent": "TS-CREW", "values": {"size": value("l")}},
            SYSTEM,
        )
    with pytest.raises(InvalidData, match="must be in family tshirts"):
        products.create_product(
            db_session,
            {
                "identifier": "X4",
                "parent": "TS-CREW-RED",
                "family": "other",
                "values": {"size": value("l")},
            },
            SYSTEM,
        )


def test_model_lineage_cannot_change(catalog, db_session):
    with pytest.raises(InvalidData, match="cannot be changed after creation"):
        product_models.update_model(
            db_session, catalog.model("TS-CREW-RED"), {"parent": None}, SYSTEM
        )


def test_update_records_a_version_with_author_source_and_diff(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    actor = Actor(name="ed@example.com", source="ui")
    version = products.update_product(
        db_session,
        product,
        {"enabled": False, "values": {"weight": value({"amount": "200", "unit": "GRAM"})}},
        actor,
    )
    assert version.number == 2 and version.author == "ed@example.com" and version.source == "ui"
    assert version.changes["enabled"] == {"old": True, "new": False}
    assert version.changes["values"] == {
        "weight": {"old": None, "new": {"amount": "200", "unit": "GRAM"}}
    }
    assert product.version == 2


def test_same_payload_twice_records_nothing(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    payload = {"values": {"ean": value("4006381333931")}, "enabled": True}
    assert products.update_product(db_session, product, payload, SYSTEM) is None
    assert product.version == 1


def test_stale_version_is_a_conflict_listing_the_other_change(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    alice = Actor(name="alice@example.com", source="ui")
    products.update_product(db_session, product, {"enabled": False}, alice, expected_version=1)
    with pytest.raises(ConflictError) as conflict:
        products.update_product(
            db_session,
            product,
            {"lifecycle": "active"},
            Actor(name="bob@example.com", source="ui"),
            expected_version=1,
        )
    assert conflict.value.current_version == 2
    assert [v.author for v in conflict.value.changes] == ["alice@example.com"]
    assert conflict.value.changes[0].changes["enabled"] == {"old": True, "new": False}
    assert product.lifecycle == "new"


def test_workflow_transitions(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    with pytest.raises(InvalidData, match="cannot go from draft to approved"):
        products.change_workflow(db_session, product, "approved", SYSTEM)
    products.change_workflow(db_session, product, "in_review", SYSTEM)
    products.change_workflow(db_session, product, "approved", SYSTEM, comment="ok")
    assert product.workflow_status == "approved"
    with pytest.raises(InvalidData, match="workflow_status: must be one of"):
        products.update_product(db_session, product, {"workflow_status": "done"}, SYSTEM)


def test_categories_and_associations(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    products.update_product(
        db_session,
        product,
        {
            "categories": ["women", "men"],
            "associations": {
                "cross_sell": {"products": ["TS-CREW-RED-M"], "product_models": ["TS-CREW"]}
            },
        },
        SYSTEM,
    )
    data = product_to_standard(db_session, product)
    assert data["categories"] == ["men", "women"]
    assert data["associations"] == {
        "cross_sell": {"products": ["TS-CREW-RED-M"], "product_models": ["TS-CREW"]}
    }
    for bad, expected in (
        ({"upsell": {"products": []}}, "unknown association type"),
        ({"cross_sell": {"products": ["NOPE"]}}, "unknown targets NOPE"),
        ({"cross_sell": {"products": ["TS-CREW-RED-S"]}}, "itself"),
    ):
        with pytest.raises(InvalidData, match=expected):
            products.update_product(db_session, product, {"associations": bad}, SYSTEM)
    with pytest.raises(InvalidData, match="unknown categories: nowhere"):
        products.update_product(db_session, product, {"categories": ["nowhere"]}, SYSTEM)


def test_delete_keeps_a_final_version(catalog, db_session):
    product = catalog.product("TS-CREW-RED-M")
    product_id = product.id
    products.delete_product(db_session, product, SYSTEM)
    last = history.list_versions(db_session, "product", product_id)[0]
    assert last.snapshot == {"deleted": True}
    assert last.changes["identifier"] == {"old": "TS-CREW-RED-M", "new": None}
    with pytest.raises(Exception, match="does not exist"):
        products.get_product(db_session, "TS-CREW-RED-M")


def test_deleting_a_model_removes_its_variants(catalog, db_session):
    product_models.delete_model(db_session, catalog.model("TS-CREW"), SYSTEM)
    db_session.expire_all()
    with pytest.raises(Exception, match="does not exist"):
        products.get_product(db_session, "TS-CREW-RED-S")


def test_ui_and_api_saves_follow_the_workflow_but_imports_may_set_any_status(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    with pytest.raises(InvalidData, match="cannot go from draft to approved"):
        products.update_product(
            db_session, product, {"workflow_status": "approved"}, Actor(name="ed", source="api")
        )
    products.update_product(
        db_session, product, {"workflow_status": "approved"}, Actor(name="erp", source="import")
    )
    assert product.workflow_status == "approved"


def test_a_bad_value_does_not_also_report_a_missing_axis(catalog, db_session):
    with pytest.raises(InvalidData) as error:
        products.update_product(
            db_session,
            catalog.product("TS-CREW-RED-S"),
            {"values": {"weight": value({"amount": "x", "unit": "GRAM"})}},
            SYSTEM,
        )
    assert "variant axis" not in str(error.value)
