"""Every kind of write keeps search equal to the database, right after the commit, on
every backend.

Each test makes one kind of write, commits it as the request or command would, then checks
both what a user would search for and the whole index against documents rebuilt from the
database (``indexer.check``: no missing, stale or extra document).
"""

from __future__ import annotations

import io

import pytest
from factories import SYSTEM, value
from PIL import Image
from sqlalchemy import select

from dam.context import Media
from dam.services import assets, links
from pim.models import Category, Family, Version
from pim.search import indexer, service
from pim.search.documents import model_documents
from pim.services import bulk, history, product_models, products, structure


@pytest.fixture
def index(app, db_session, catalog, backend, monkeypatch):
    """The app's index on each backend in turn (memory, Whoosh, PostgreSQL full text; see
    ``backend`` in this folder's conftest), rebuilt from the test's catalogue."""
    monkeypatch.setitem(app.extensions["vitrine_search"].__dict__, "backend", backend)
    db_session.commit()
    indexer.reindex(db_session.get_bind())
    return indexer.backend()


def codes(session, text: str, kinds=("product", "model")) -> list[str]:
    page = service.search(session, text, kinds=kinds, sort="identifier", limit=100)
    return [hit.code for hit in page.items]


def assert_in_step(session) -> None:
    drift = indexer.check(session.get_bind())
    assert drift.clean, drift


def test_a_product_edit_is_searchable_after_commit_and_not_before(db_session, catalog, index):
    product = catalog.product("TS-CREW-RED-M")
    products.update_product(db_session, product, {"enabled": False}, SYSTEM)
    db_session.flush()
    assert codes(db_session, "enabled:no") == []  # flushed, not committed
    db_session.commit()
    assert codes(db_session, "enabled:no") == ["TS-CREW-RED-M"]
    assert_in_step(db_session)


def test_a_rolled_back_edit_never_reaches_the_index(db_session, catalog, index):
    product_models.update_model(
        db_session, catalog.model("TS-CREW"), {"values": {"name": value("Zebra", "en_US")}}, SYSTEM
    )
    db_session.flush()
    db_session.rollback()
    assert codes(db_session, "zebra") == []
    assert_in_step(db_session)


def test_a_model_edit_reaches_every_variant(db_session, catalog, index):
    product_models.update_model(
        db_session,
        catalog.model("TS-CREW"),
        {"values": {"name": value("Écru Tee", "en_US")}},
        SYSTEM,
    )
    db_session.commit()
    assert codes(db_session, "ecru tee") == [
        "TS-CREW",
        "TS-CREW-RED",
        "TS-CREW-RED-M",
        "TS-CREW-RED-S",
    ]
    assert_in_step(db_session)


def test_create_and_delete(db_session, catalog, index):
    products.create_product(
        db_session,
        {
            "identifier": "TS-CREW-RED-L",
            "parent": "TS-CREW-RED",
            "values": {"size": value("l")},
        },
        SYSTEM,
    )
    db_session.commit()
    assert "TS-CREW-RED-L" in codes(db_session, "size:l")
    products.delete_product(db_session, catalog.product("TS-CREW-RED-S"), SYSTEM)
    db_session.commit()
    assert codes(db_session, "crew kind:product") == ["TS-CREW-RED-L", "TS-CREW-RED-M"]
    assert_in_step(db_session)


def test_a_bulk_import_is_indexed_with_its_completeness(db_session, catalog, index):
    payloads = [
        {
            "identifier": f"BULK-{n}",
            "family": "tshirts",
            "values": {"name": value(f"Bulk tee {n}", "en_US"), "color": value("red")},
        }
        for n in range(3)
    ]
    result = bulk.import_products(db_session, payloads, SYSTEM)
    assert result.failed == [] and result.created == 3
    db_session.commit()
    assert codes(db_session, "bulk color:red") == ["BULK-0", "BULK-1", "BULK-2"]
    assert codes(db_session, "bulk completeness:ecommerce/en_US<100") == [
        "BULK-0",
        "BULK-1",
        "BULK-2",
    ]
    assert_in_step(db_session)


def test_a_revert_makes_the_old_words_searchable_again(db_session, catalog, index):
    model = catalog.model("TS-CREW")
    product_models.update_model(
        db_session, model, {"values": {"name": value("Boxy tee", "en_US")}}, SYSTEM
    )
    db_session.commit()
    assert codes(db_session, "boxy kind:model") == ["TS-CREW", "TS-CREW-RED"]
    first = db_session.scalars(
        select(Version).where(
            Version.resource_type == "product_model",
            Version.resource_id == model.id,
            Version.number == 1,
        )
    ).one()
    history.revert(db_session, first, SYSTEM)
    db_session.commit()
    assert codes(db_session, "boxy") == []
    assert "TS-CREW" in codes(db_session, "crew neck")
    assert_in_step(db_session)


def test_a_workflow_change_moves_the_product_between_status_filters(db_session, catalog, index):
    product = catalog.product("TS-CREW-RED-S")
    products.change_workflow(db_session, product, "in_review", SYSTEM)
    db_session.commit()
    assert codes(db_session, "status:in_review") == ["TS-CREW-RED-S"]
    assert_in_step(db_session)


def test_structure_changes_refresh_labels_and_categories(db_session, catalog, index):
    family = db_session.scalars(select(Family).where(Family.code == "tshirts")).one()
    structure.update_family(
        db_session, family, {"labels": {"en_US": "Tees", "fr_FR": "Maillots"}}, SYSTEM
    )
    db_session.commit()
    assert codes(db_session, "maillots kind:product") == ["TS-CREW-RED-M", "TS-CREW-RED-S"]
    tops = db_session.scalars(select(Category).where(Category.code == "women_tops")).one()
    structure.move_category(db_session, tops, "men", SYSTEM)
    db_session.commit()
    assert codes(db_session, "category:women") == []
    assert codes(db_session, "category:men kind:model") == ["TS-CREW", "TS-CREW-RED"]
    assert codes(db_session, "category:men kind:product") == ["TS-CREW-RED-M", "TS-CREW-RED-S"]
    assert_in_step(db_session)


def test_asset_upload_and_link_update_assets_and_has_images(db_session, catalog, index):
    media = Media(storage_url="memory://", settings_path="", max_pixels=10_000_000)
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, "JPEG")
    picture.seek(0)
    upload = assets.upload(db_session, media, picture, "red-front.jpg")
    db_session.commit()
    assert codes(db_session, "has:images") == []
    found = service.search(db_session, "red front", kinds=("asset",))
    assert [hit.id for hit in found.items] == [upload.asset.id]
    links.link(db_session, upload.asset, catalog.model("TS-CREW-RED"), actor=SYSTEM)
    db_session.commit()
    assert codes(db_session, "has:images kind:product") == ["TS-CREW-RED-M", "TS-CREW-RED-S"]
    linked = service.search(db_session, "linked:yes", kinds=("asset",))
    assert [hit.id for hit in linked.items] == [upload.asset.id]
    assert_in_step(db_session)


def test_check_reports_drift_and_fix_repairs_it(db_session, catalog, index, cli_runner):
    product = catalog.product("TS-CREW-RED-S")
    index.delete([f"product:{product.id}"])
    model = catalog.model("TS-CREW")
    stale = model_documents(db_session, [model.id])
    stale[0].tokens = ["outdated"]
    stale[0].stamp = "old"
    index.update(stale)
    result = cli_runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"1 missing: product:{product.id}" in result.output
    assert f"1 stale: model:{model.id}" in result.output
    result = cli_runner.invoke(args=["search", "check", "--fix"])
    assert "Fixed." in result.output
    assert cli_runner.invoke(args=["search", "check"]).exit_code == 0
    result = cli_runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 4 document(s)" in result.output


def test_a_mass_edit_through_the_browser_is_searchable_at_once(
    db_session, catalog, index, logged_in_client
):
    client = logged_in_client("editor")
    ids = [str(catalog.product(i).id) for i in ("TS-CREW-RED-S", "TS-CREW-RED-M")]
    response = client.post(
        "/mass-edit", data={"id": ids, "op": "change_status", "new_status": "in_review"}
    )
    assert response.status_code == 302
    assert codes(db_session, "status:in_review") == ["TS-CREW-RED-M", "TS-CREW-RED-S"]
    assert_in_step(db_session)


def test_a_save_in_the_product_editor_is_searchable_at_once(
    db_session, catalog, index, logged_in_client
):
    client = logged_in_client("editor")
    product = catalog.product("TS-CREW-RED-S")
    response = client.post(
        "/products/TS-CREW-RED-S?scope=ecommerce&locale=en_US",
        data={"version": str(product.version), "fields": "v.ean.~.~", "v.ean.~.~": "4006381333986"},
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    assert codes(db_session, "4006381333986") == ["TS-CREW-RED-S"]
    assert_in_step(db_session)
