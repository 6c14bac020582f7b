"""History: versions, diffs between any two versions, revert, purge with retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import SYSTEM, value
from sqlalchemy import func, select, update

from pim.models import Family, Version
from pim.models.types import utcnow
from pim.services import history, product_models, products, structure
from pim.services.errors import DomainError


def edit_name(catalog, names):
    root = catalog.model("TS-CREW")
    for name in names:
        product_models.update_model(
            catalog.session, root, {"values": {"name": value(name, "en_US")}}, SYSTEM
        )
    return root


def test_revert_restores_the_old_state_as_a_new_version(catalog, db_session):
    root = edit_name(catalog, ["Second", "Third"])
    versions = history.list_versions(db_session, "product_model", root.id)
    assert [v.number for v in versions] == [3, 2, 1]
    new = history.revert(db_session, versions[1], SYSTEM)
    assert new.number == 4 and new.comment == "reverted to version 2"
    assert root.values["name"] == value("Second", "en_US")
    assert new.changes["values"] == {"name-en_US": {"old": "Third", "new": "Second"}}


def test_reverting_a_product_restores_values_categories_and_flags(catalog, db_session):
    product = catalog.product("TS-CREW-RED-S")
    products.update_product(
        db_session,
        product,
        {
            "enabled": False,
            "categories": ["men"],
            "values": {"ean": value(None), "weight": value({"amount": "1", "unit": "KILOGRAM"})},
        },
        SYSTEM,
    )
    first = history.list_versions(db_session, "product", product.id)[-1]
    history.revert(db_session, first, SYSTEM)
    assert product.enabled is True
    assert [c.code for c in product.categories] == []
    assert product.values == {"size": value("s"), "ean": value("4006381333931")}


def test_compare_any_two_versions(catalog, db_session):
    root = edit_name(catalog, ["Second", "Third"])
    v3, _, v1 = history.list_versions(db_session, "product_model", root.id)
    assert history.compare(v1, v3)["values"] == {
        "name-en_US": {"old": "Crew-neck T-shirt", "new": "Third"}
    }


def test_structure_changes_are_versioned(catalog, db_session):
    family = db_session.scalar(select(Family).where(Family.code == "tshirts"))
    structure.update_family(db_session, family, {"labels": {"fr_FR": "T-shirts FR"}}, SYSTEM)
    latest = history.list_versions(db_session, "family", family.id)[0]
    assert latest.number == 2
    assert latest.changes["labels"]["new"] == {"fr_FR": "T-shirts FR"}
    with pytest.raises(DomainError, match="cannot be reverted"):
        history.revert(db_session, latest, SYSTEM)


def test_purge_keeps_the_latest_version_of_each_item(catalog, db_session):
    root = edit_name(catalog, ["Second", "Third"])
    long_ago = utcnow() - timedelta(days=400)
    db_session.execute(update(Version).values(created_at=long_ago))
    deleted = history.purge(db_session, timedelta(days=365))
    assert deleted > 0
    remaining = history.list_versions(db_session, "product_model", root.id)
    assert [v.number for v in remaining] == [3]
    # every resource keeps exactly one version
    counts = db_session.execute(
        select(Version.resource_type, Version.resource_id).group_by(
            Version.resource_type, Version.resource_id
        )
    ).all()
    assert len(counts) == db_session.scalar(select(func.count()).select_from(Version))


def test_purge_leaves_recent_versions(catalog, db_session):
    edit_name(catalog, ["Second"])
    assert history.purge(db_session, timedelta(days=365)) == 0
