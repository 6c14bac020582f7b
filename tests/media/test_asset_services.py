"""Asset services: upload, duplicates, versions, trash, links, rights, lifecycle, editing."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from damtest import jpeg_bytes, media_on
from sqlalchemy import func, select

from dam.models import Asset, AssetLink, AssetStatus, AssetVersion
from dam.services import assets, editing, lifecycle, links, rights
from dam.services.ingest import original_key
from dam.storage import StorageError
from pim.models import Product, ProductModel, Version
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData

ACTOR = Actor(name="editor@example.com", source="ui")


@pytest.fixture(params=["memory", "file", "s3"])
def any_media(request, tmp_path):
    """The media context on each storage backend (S3: the real server of the run)."""
    if request.param == "memory":
        return media_on("memory://")
    if request.param == "file":
        return media_on((tmp_path / "files").as_uri())
    server = request.getfixturevalue("s3_server")
    return media_on(server.storage_url(server.new_bucket(), "vitrine"))


@pytest.fixture
def media():
    return media_on("memory://")


def upload(session, media, data: bytes, name="photo.jpg"):
    return assets.upload(session, media, io.BytesIO(data), name)


def test_upload_stores_the_original_under_its_sha256_and_records_the_facts(db_session, any_media):
    data = jpeg_bytes(120, 80)
    result = upload(db_session, any_media, data, "../../etc/Packshot front.JPG")
    asset = result.asset
    assert result.created and not result.duplicate
    assert asset.filename == "Packshot front.JPG"
    assert asset.content_type == "image/jpeg" and asset.kind == "image"
    assert (asset.width, asset.height, asset.size) == (120, 80, len(data))
    key = original_key(asset.sha256)
    assert asset.versions[0].storage_key == key
    with any_media.storage.open(key) as stored:
        assert stored.read() == data
    assert asset.status == AssetStatus.DRAFT


def test_the_same_bytes_again_are_reported_as_a_duplicate_not_stored_twice(db_session, media):
    data = jpeg_bytes(seed=1)
    first = upload(db_session, media, data, "a.jpg")
    again = upload(db_session, media, data, "renamed.jpg")
    assert again.duplicate and not again.created
    assert again.asset.id == first.asset.id
    assert db_session.scalar(select(func.count()).select_from(Asset)) == 1


def test_a_file_matching_an_earlier_version_is_a_duplicate_of_that_asset(db_session, media):
    old = jpeg_bytes(seed=2)
    asset = upload(db_session, media, old).asset
    assets.replace_file(db_session, media, asset, io.BytesIO(jpeg_bytes(seed=3)), "new.jpg")
    again = upload(db_session, media, old, "old-copy.jpg")
    assert again.duplicate and again.asset.id == asset.id


def test_html_renamed_jpg_is_refused_and_nothing_is_recorded(db_session, media):
    with pytest.raises(assets.AssetRefused, match="evil.jpg"):
        upload(db_session, media, b"<!DOCTYPE html><script>alert(1)</script>", "evil.jpg")
    assert db_session.scalar(select(func.count()).select_from(Asset)) == 0
    assert list(media.storage.keys()) == []


def test_a_storage_outage_mid_upload_records_nothing(db_session, s3_server):
    down = media_on("s3://nowhere?endpoint_url=http://127.0.0.1:9&region=us-east-1")
    with pytest.raises(StorageError, match="127.0.0.1:9"):
        upload(db_session, down, jpeg_bytes(seed=4))
    db_session.flush()
    assert db_session.scalar(select(func.count()).select_from(Asset)) == 0
    assert db_session.scalar(select(func.count()).select_from(AssetVersion)) == 0


def test_replacing_keeps_previous_versions_restorable(db_session, media):
    asset = upload(db_session, media, jpeg_bytes(100, 100, seed=5), "v1.jpg").asset
    assets.replace_file(
        db_session, media, asset, io.BytesIO(jpeg_bytes(50, 40, seed=6)), "v2.jpg", comment="crop"
    )
    assert asset.current_version == 2 and (asset.width, asset.filename) == (50, "v2.jpg")
    assets.restore_version(db_session, asset, 1)
    assert asset.current_version == 3
    assert (asset.width, asset.filename) == (100, "v1.jpg")
    assert [v.number for v in asset.versions] == [1, 2, 3]
    assert asset.versions[2].comment == "restored version 1"
    with pytest.raises(assets.AssetRefused, match="already the current"):
        assets.restore_version(db_session, asset, 3)
    with pytest.raises(assets.AssetRefused, match="already has; nothing to replace"):
        assets.replace_file(
            db_session, media, asset, io.BytesIO(jpeg_bytes(100, 100, seed=5)), "x.jpg"
        )
    # upload, replacement and restore are each a version of the asset's history
    history = db_session.scalars(
        select(Version)
        .where(Version.resource_type == "asset", Version.resource_id == asset.id)
        .order_by(Version.number)
    ).all()
    assert [(v.number, v.snapshot["file_version"]) for v in history] == [(1, 1), (2, 2), (3, 3)]
    assert history[1].comment == "new file: v2.jpg"


def test_find_asset_by_id_code_or_sha(db_session, media):
    asset = upload(db_session, media, jpeg_bytes(seed=7)).asset
    for ref in (str(asset.id), asset.code, asset.sha256):
        assert assets.find_asset(db_session, ref) is asset
    with pytest.raises(assets.NotFound):
        assets.find_asset(db_session, "nope")


# --- links -----------------------------------------------------------------------------


def _model(session, code) -> ProductModel:
    return session.scalar(select(ProductModel).where(ProductModel.code == code))


def _product(session, identifier) -> Product:
    return session.scalar(select(Product).where(Product.identifier == identifier))


def test_links_fill_the_asset_collection_value_in_order_and_variants_inherit(
    db_session, catalog, media
):
    red = _model(db_session, "TS-CREW-RED")
    first = upload(db_session, media, jpeg_bytes(seed=10), "front.jpg").asset
    second = upload(db_session, media, jpeg_bytes(seed=11), "back.jpg").asset
    links.link(db_session, first, red, role="gallery", actor=ACTOR)
    links.link(db_session, second, red, role="main", actor=ACTOR)
    assert [item.asset.code for item in links.links_of(db_session, red)] == [
        second.code,
        first.code,
    ]
    assert red.values["images"][0]["data"] == [second.code, first.code]
    variant = _product(db_session, "TS-CREW-RED-S")
    shown = links.media_of(db_session, variant)
    assert shown.inherited_from is red
    assert [item.asset_id for item in shown.links] == [second.id, first.id]
    # the change is in the model's history, with the UI as its source
    version = db_session.scalars(
        select(Version)
        .where(Version.resource_type == "product_model", Version.resource_id == red.id)
        .order_by(Version.number.desc())
    ).first()
    assert version.source == "ui" and "images" in str(version.changes)


def test_one_main_picture_per_owner_and_reorder_checks_the_list(db_session, catalog, media):
    red = _model(db_session, "TS-CREW-RED")
    a = upload(db_session, media, jpeg_bytes(seed=12)).asset
    b = upload(db_session, media, jpeg_bytes(seed=13)).asset
    links.link(db_session, a, red, role="main", actor=ACTOR)
    links.link(db_session, b, red, role="main", actor=ACTOR)
    roles = {item.asset_id: item.role for item in links.links_of(db_session, red)}
    assert roles == {b.id: "main", a.id: "gallery"}
    links.reorder(db_session, red, [a.id, b.id], actor=ACTOR)
    assert red.values["images"][0]["data"] == [a.code, b.code]
    links.link(db_session, a, red, role="detail", actor=ACTOR)  # a role change keeps the place
    assert [item.asset_id for item in links.links_of(db_session, red)] == [a.id, b.id]
    with pytest.raises(links.LinkRefused, match="missing"):
        links.reorder(db_session, red, [a.id], actor=ACTOR)
    with pytest.raises(links.LinkRefused, match="unknown role"):
        links.link(db_session, a, red, role="hero", actor=ACTOR)


def test_unlinking_the_last_picture_empties_the_value(db_session, catalog, media):
    red = _model(db_session, "TS-CREW-RED")
    a = upload(db_session, media, jpeg_bytes(seed=14)).asset
    links.link(db_session, a, red, actor=ACTOR)
    assert links.unlink(db_session, a, red, actor=ACTOR)
    assert "images" not in (red.values or {})
    assert not links.unlink(db_session, a, red, actor=ACTOR)


def test_a_root_model_link_fills_no_attribute_it_may_not_set(db_session, catalog, media):
    root = _model(db_session, "TS-CREW")
    a = upload(db_session, media, jpeg_bytes(seed=15)).asset
    item = links.link(db_session, a, root, actor=ACTOR)
    assert item.attribute is None  # images belongs to the colour level
    with pytest.raises(links.LinkRefused, match="cannot be set"):
        links.link(db_session, a, root, attribute="images", actor=ACTOR)


def test_deleting_a_linked_asset_is_refused_unless_forced_and_goes_to_the_trash(
    db_session, catalog, media
):
    red = _model(db_session, "TS-CREW-RED")
    a = upload(db_session, media, jpeg_bytes(seed=16)).asset
    links.link(db_session, a, red, actor=ACTOR)
    with pytest.raises(assets.AssetInUse, match="linked to 1"):
        assets.trash(db_session, a)
    removed = assets.trash(db_session, a, force=True, actor=ACTOR)
    assert len(removed) == 1 and a.deleted_at is not None
    assert "images" not in (red.values or {})
    assert db_session.scalar(select(func.count()).select_from(AssetLink)) == 0
    with pytest.raises(links.LinkRefused, match="trash"):
        links.link(db_session, a, red, actor=ACTOR)
    assets.restore(db_session, a)
    assert a.deleted_at is None
    # the file is still there: nothing is lost by a soft delete
    assert media.storage.exists(a.versions[0].storage_key)


# --- rights and lifecycle -------------------------------------------------------------


def _cleared(asset: Asset) -> None:
    asset.status = AssetStatus.APPROVED
    asset.licence_type = "owned"


def test_usage_problems_name_every_reason(db_session, catalog, media):
    asset = upload(db_session, media, jpeg_bytes(seed=20)).asset
    today = date(2026, 11, 23)
    assert "asset is draft, not approved" in rights.usage_problems(asset, on=today)
    assert "licence unknown" in rights.usage_problems(asset, on=today)
    _cleared(asset)
    assert rights.usage_problems(asset, channel="ecommerce", territory="fr", on=today) == []
    asset.allowed_channels = ["print"]
    asset.allowed_territories = ["DE", "AT"]
    asset.valid_until = date(2026, 11, 1)
    problems = rights.usage_problems(asset, channel="ecommerce", territory="fr", on=today)
    assert problems == [
        "usage rights expired on 2026-11-01",
        "not cleared for channel ecommerce",
        "not cleared for territory FR",
    ]
    asset.licence_type = "cc_by_nc"
    assert "licence cc_by_nc forbids commercial use" in rights.usage_problems(asset, on=today)


def test_expiry_job_and_expiring_list(db_session, media):
    today = date.today()
    past = upload(db_session, media, jpeg_bytes(seed=21)).asset
    soon = upload(db_session, media, jpeg_bytes(seed=22)).asset
    later = upload(db_session, media, jpeg_bytes(seed=23)).asset
    archived = upload(db_session, media, jpeg_bytes(seed=24)).asset
    past.valid_until = today - timedelta(days=1)
    soon.valid_until = today + timedelta(days=10)
    later.valid_until = today + timedelta(days=90)
    archived.valid_until = today - timedelta(days=5)
    archived.status = AssetStatus.ARCHIVED
    assert rights.effective_status(past) == "expired"  # derived before the job runs
    assert lifecycle.expire_assets(db_session) == [past]
    assert past.status == "expired" and archived.status == "archived"
    assert lifecycle.expiring(db_session, 30) == [soon]
    assert lifecycle.expiring(db_session, 120) == [soon, later]


def test_editing_validates_everything_at_once_and_records_history(db_session, catalog, media):
    asset = upload(db_session, media, jpeg_bytes(seed=30)).asset
    with pytest.raises(InvalidData) as refused:
        editing.update_asset(
            db_session,
            asset,
            {
                "allowed_territories": ["FR", "XX"],
                "allowed_channels": ["tv"],
                "licence_type": "stolen",
                "valid_from": "2026-12-01",
                "valid_until": "2026-11-01",
                "alt_text": {"xx_XX": "hi"},
                "focal_point": [2, 0],
            },
            ACTOR,
        )
    message = str(refused.value)
    for expected in ("XX", "tv", "stolen", "valid_until", "xx_XX", "focal_point"):
        assert expected in message
    assert asset.licence_type == "unknown"
    version = editing.update_asset(
        db_session,
        asset,
        {
            "allowed_territories": ["fr", "de"],
            "licence_type": "licensed",
            "alt_text": {"en_US": "Red crew-neck T-shirt, front"},
            "tags": ["SS27", "ss27", "packshot"],
            "collections": ["ss27-shoot"],
            "status": "approved",
            "valid_until": "2027-06-30",
        },
        ACTOR,
    )
    assert asset.allowed_territories == ["FR", "DE"] and asset.tags == ["SS27", "packshot"]
    assert [c.code for c in asset.collections] == ["ss27-shoot"]
    assert asset.status == "approved" and asset.valid_until == date(2027, 6, 30)
    assert version.resource_type == "asset" and "licence_type" in version.changes
    assert editing.update_asset(db_session, asset, {"licence_type": "licensed"}, ACTOR) is None
    with pytest.raises(ConflictError):
        editing.update_asset(db_session, asset, {"tags": []}, ACTOR, expected_version=0)


def test_expired_assets_cannot_be_approved_until_their_rights_are_extended(db_session, media):
    asset = upload(db_session, media, jpeg_bytes(seed=31)).asset
    asset.valid_until = date.today() - timedelta(days=1)
    lifecycle.expire_assets(db_session)
    with pytest.raises(InvalidData, match="cannot move from expired to approved"):
        editing.update_asset(db_session, asset, {"status": "approved"}, ACTOR)
    editing.update_asset(
        db_session, asset, {"valid_until": (date.today() + timedelta(days=365)).isoformat()}, ACTOR
    )
    assert asset.status == "draft"
    editing.update_asset(db_session, asset, {"status": "approved"}, ACTOR)
    assert rights.effective_status(asset) == "approved"
