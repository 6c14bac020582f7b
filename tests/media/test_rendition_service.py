"""Rendition rows: get-or-create per (version, preset), failures recorded, queued once."""

from __future__ import annotations

import dataclasses
import io

import pytest
from damtest import jpeg_bytes, media_on
from PIL import Image
from sqlalchemy import func, select

from dam.models import Rendition
from dam.services import assets, renditions
from pim.queue import current_queue


@pytest.fixture(params=["memory", "s3"])
def media(request):
    if request.param == "memory":
        return media_on("memory://")
    server = request.getfixturevalue("s3_server")
    return media_on(server.storage_url(server.new_bucket()))


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(Rendition))


def test_a_rendition_is_made_once_and_reused(db_session, media):
    asset = assets.upload(db_session, media, io.BytesIO(jpeg_bytes(800, 600)), "a.jpg").asset
    thumb = renditions.preset_named(media, "thumb")
    made = renditions.make_rendition(db_session, media, asset, thumb)
    assert made.status == "ready" and made.content_type == "image/webp"
    with media.storage.open(made.storage_key) as stored, Image.open(stored) as image:
        assert max(image.size) == 300 and image.format == "WEBP"
    assert renditions.make_rendition(db_session, media, asset, thumb).id == made.id
    assert _count(db_session) == 1


def test_a_new_version_and_a_new_focal_point_need_new_renditions(db_session, media):
    asset = assets.upload(db_session, media, io.BytesIO(jpeg_bytes(800, 600)), "a.jpg").asset
    made = renditions.make_renditions(db_session, media, asset.id)
    assert made == len(media.settings.presets)
    assert renditions.missing_presets(db_session, media, asset) == []
    assets.replace_file(db_session, media, asset, io.BytesIO(jpeg_bytes(400, 400, seed=1)), "b")
    assert sorted(renditions.missing_presets(db_session, media, asset)) == sorted(
        media.settings.presets
    )
    renditions.make_renditions(db_session, media, asset.id)
    asset.focal_x, asset.focal_y = 0.1, 0.9
    fill = [n for n, p in media.settings.presets.items() if p.mode == "fill"]
    assert renditions.missing_presets(db_session, media, asset) == fill


def test_an_unrenderable_source_is_recorded_as_failed_with_the_reason(db_session, media):
    data = jpeg_bytes(400, 300)
    asset = assets.upload(db_session, media, io.BytesIO(data[: len(data) // 2]), "cut.jpg").asset
    assert any("truncated" in problem for problem in asset.problems)
    made = renditions.make_rendition(
        db_session, media, asset, renditions.preset_named(media, "zoom")
    )
    assert made.status == "failed" and "cut.jpg" in made.note
    assert made.storage_key is None


def test_unknown_presets_are_refused_by_name(db_session, media):
    with pytest.raises(renditions.UnknownPreset, match="'huge'.*thumb"):
        renditions.preset_named(media, "huge")


def test_a_changed_preset_queues_new_renditions_for_every_asset(app, db_session, monkeypatch):
    media = media_on("memory://")
    monkeypatch.setitem(app.extensions, "vitrine_media", media)
    current_queue().delete(renditions.PRESETS_SEEN)
    shots = [
        assets.upload(db_session, media, io.BytesIO(jpeg_bytes(800, 600, seed=n)), f"{n}.jpg")
        for n in range(2)
    ]
    db_session.flush()
    assert renditions.queue_after_preset_change(db_session, media) == []  # first run records
    assert _count(db_session) == 0
    zoom = media.settings.presets["zoom"]
    media.settings.presets["zoom"] = dataclasses.replace(zoom, quality=70)
    assert renditions.queue_after_preset_change(db_session, media) == ["zoom"]
    made = db_session.scalars(select(Rendition)).all()
    assert sorted((r.asset_id, r.preset) for r in made) == sorted(
        (shot.asset.id, "zoom") for shot in shots
    )
    by_id = {shot.asset.id: shot.asset for shot in shots}
    new_zoom = media.settings.presets["zoom"]
    assert all(r.fingerprint == renditions.fingerprint(by_id[r.asset_id], new_zoom) for r in made)
    assert renditions.queue_after_preset_change(db_session, media) == []
