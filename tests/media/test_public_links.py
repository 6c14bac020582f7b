"""Public rendition links for channels: signed, open without signing in, and closed as
soon as the asset may no longer be shown."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from damtest import jpeg_bytes
from PIL import Image

from channels.images import image_fetcher
from dam.context import current_media
from dam.models import AssetStatus
from dam.services import assets
from dam.services.public import public_path, signature
from pim.models.types import utcnow


@pytest.fixture
def approved(db_session):
    asset = assets.upload(
        db_session, current_media(), io.BytesIO(jpeg_bytes(seed=3)), "shirt.jpg"
    ).asset
    asset.status = AssetStatus.APPROVED
    db_session.flush()
    return asset


def test_a_signed_link_serves_the_rendition_to_anyone(client, approved):
    response = client.get(public_path(approved.id, "google", "jpg"))
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"].startswith("public")
    picture = Image.open(io.BytesIO(response.get_data()))
    assert picture.format == "JPEG"


@pytest.mark.parametrize(
    "path",
    [
        "/media/{id}/google/{bad}.jpg",  # wrong signature
        "/media/{id}/preview/{google}.jpg",  # a signature for another preset
        "/media/{other}/google/{google}.jpg",  # a signature for another asset
        "/media/{id}/google/{google}.png",  # not the preset's format
        "/media/{id}/nonexistent/{google}.jpg",
    ],
)
def test_anything_but_the_exact_signed_link_is_not_found(client, approved, path):
    url = path.format(
        id=approved.id,
        other=approved.id + 1,
        bad="A" * 24,
        google=signature(approved.id, "google"),
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"status": AssetStatus.DRAFT},
        {"status": AssetStatus.ARCHIVED},
        {"valid_until": date.today() - timedelta(days=1)},
    ],
)
def test_the_link_closes_when_the_asset_may_no_longer_be_shown(
    client, db_session, approved, change
):
    path = public_path(approved.id, "google", "jpg")
    assert client.get(path).status_code == 200
    for name, value in change.items():
        setattr(approved, name, value)
    db_session.flush()
    assert client.get(path).status_code == 404


def test_a_trashed_asset_is_not_served(client, db_session, approved):
    path = public_path(approved.id, "google", "jpg")
    approved.deleted_at = utcnow()
    db_session.flush()
    assert client.get(path).status_code == 404


def test_feeds_read_their_pictures_from_storage_never_the_network(db_session, approved):
    fetch = image_fetcher(db_session, current_media(), "https://shop.example")
    data, content_type = fetch("https://shop.example" + public_path(approved.id, "print", "jpg"))
    assert content_type == "image/jpeg"
    assert Image.open(io.BytesIO(data)).mode == "CMYK"  # the print preset
    assert fetch("https://elsewhere.example" + public_path(approved.id, "print", "jpg")) is None
    assert fetch("https://shop.example/media/1/print/forged.jpg") is None
    assert fetch("file:///etc/passwd") is None
