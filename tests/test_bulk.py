"""Bulk writes: same rules as single writes, per-item failures, idempotent re-runs."""

from __future__ import annotations

from factories import SYSTEM, value
from sqlalchemy import func, select

from pim.models import Product, ProductModel, Version
from pim.services import bulk, completeness, history, product_models
from pim.services.structure_cache import Structure


def variants(sizes, parent="TS-CREW-RED", prefix="B"):
    return [
        {
            "identifier": f"{prefix}-{s}",
            "parent": parent,
            "categories": ["women"],
            "values": {"size": value(s)},
        }
        for s in sizes
    ]


def test_bulk_create_validates_each_item_and_keeps_the_good_ones(catalog, db_session):
    items = [
        *variants(["l", "xl"]),
        {"identifier": "B-bad", "parent": "TS-CREW-RED", "values": {"size": value("xxxl")}},
        {"identifier": "B-dup-axis", "parent": "TS-CREW-RED", "values": {"size": value("s")}},
        {"identifier": "B-l2", "parent": "TS-CREW-RED", "values": {"size": value("l")}},
        {"identifier": "B-ean", "values": {"ean": value("4006381333931")}},
        {"identifier": "", "values": {}},
        "not an object",
    ]
    result = bulk.import_products(db_session, items, SYSTEM, batch_size=3)
    assert result.created == 2
    failed = {index: message for index, _key, message in result.failed}
    assert sorted(failed) == [2, 3, 4, 5, 6, 7]
    assert "'xxxl' is not an option of size" in failed[2]
    assert "already has these axis values" in failed[3]
    assert "variant 'B-l'" in failed[4]
    assert "already used by product 'TS-CREW-RED-S'" in failed[5]
    assert "identifier is required" in failed[6]
    created = db_session.scalar(select(Product).where(Product.identifier == "B-l"))
    assert [c.code for c in created.categories] == ["women"]
    assert history.list_versions(db_session, "product", created.id)[0].source == "system"
    assert completeness.find_drift(db_session, Structure.load(db_session)) == []


def test_reimporting_the_same_items_changes_nothing(catalog, db_session):
    items = variants(["l", "xl"])
    bulk.import_products(db_session, items, SYSTEM)
    versions = db_session.scalar(select(func.count()).select_from(Version))
    again = bulk.import_products(db_session, items, SYSTEM)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert db_session.scalar(select(func.count()).select_from(Version)) == versions


def test_duplicate_identifier_within_a_batch_updates_the_first(catalog, db_session):
    items = [*variants(["l"]), {"identifier": "B-l", "enabled": False}]
    result = bulk.import_products(db_session, items, SYSTEM)
    assert (result.created, result.updated, result.failed) == (1, 1, [])
    assert db_session.scalar(select(Product.enabled).where(Product.identifier == "B-l")) is False


def test_bulk_models(catalog, db_session):
    result = bulk.import_product_models(
        db_session,
        [
            {
                "code": "TS-V",
                "family_variant": "tshirts_color_size",
                "values": {"name": value("V-neck", "en_US")},
            },
            {"code": "TS-V-BLUE", "parent": "TS-V", "values": {"color": value("blue")}},
            {"code": "TS-V-BAD", "parent": "TS-V", "values": {"color": value("pink")}},
            {"code": "TS-V", "values": {"name": value("V-neck", "en_US")}},
        ],
        SYSTEM,
    )
    assert (result.created, result.unchanged) == (2, 1)
    assert result.failed[0][:2] == (2, "TS-V-BAD")


def test_batched_models_check_axes_parents_and_record_versions(catalog, db_session):
    result = bulk.import_product_models(
        db_session,
        [
            {
                "code": "TS-W",
                "family_variant": "tshirts_color_size",
                "categories": ["men"],
                "values": {"name": value("Wide", "en_US")},
            },
            {"code": "TS-W-RED", "parent": "TS-W", "values": {"color": value("red")}},
            {"code": "TS-W-RED2", "parent": "TS-W", "values": {"color": value("red")}},
            {"code": "TS-CREW-RED3", "parent": "TS-CREW", "values": {"color": value("red")}},
            {"code": "TS-W-X", "parent": "NOWHERE", "values": {"color": value("blue")}},
            {"code": "TS-W-Y", "parent": "TS-W", "values": {"name": value("x", "en_US")}},
            {
                "code": "TS-A",
                "family_variant": "tshirts_color_size",
                "associations": {"cross_sell": {"products": ["TS-CREW-RED-S"]}},
            },
        ],
        SYSTEM,
    )
    failed = {index: message for index, _code, message in result.failed}
    assert result.created == 3 and sorted(failed) == [2, 3, 4, 5]
    assert "sub-model 'TS-W-RED' of 'TS-W' already has these axis values: red" in failed[2]
    assert "sub-model 'TS-CREW-RED' of 'TS-CREW' already" in failed[3]
    assert "unknown product model 'NOWHERE'" in failed[4]
    assert "belongs to the root model" in failed[5]
    root = db_session.scalar(select(ProductModel).where(ProductModel.code == "TS-W"))
    sub = db_session.scalar(select(ProductModel).where(ProductModel.code == "TS-W-RED"))
    assert sub.parent_id == root.id and [c.code for c in root.categories] == ["men"]
    first = history.list_versions(db_session, "product_model", sub.id)[0]
    assert first.number == 1 and first.snapshot["parent"] == "TS-W"
    # the snapshot has the shape of a normal write: editing it later diffs cleanly
    version = product_models.update_model(db_session, sub, {"workflow_status": "in_review"}, SYSTEM)
    assert set(version.changes) == {"workflow_status"}
    # a variant under a batch-created sub-model computes completeness from both models
    bulk.import_products(
        db_session,
        [{"identifier": "W-S", "parent": "TS-W-RED", "values": {"size": value("s")}}],
        SYSTEM,
    )
    assert completeness.find_drift(db_session, Structure.load(db_session)) == []
