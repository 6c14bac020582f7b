"""DAM screens: library, uploads (one by one, multi-file, zip), asset page, downloads,
renditions and the media panel of product and model pages.

The test app stores files under its instance folder and its queue is in memory and
immediate: a rendition job queued by a request runs inside that request, on the test's
session, so the next request finds the renditions made.
"""

from __future__ import annotations

import hashlib
import io
import re
import urllib.request
import zipfile
from datetime import date, timedelta

import pytest
from damtest import jpeg_bytes, media_on
from PIL import Image
from sqlalchemy import func, select

from dam.context import current_media
from dam.models import Asset, AssetLink, AssetStatus, Rendition
from dam.services import assets, links
from dam.services.ingest import original_key
from dam.services.renditions import fingerprint
from pim.services.actors import Actor

ACTOR = Actor(name="tests@example.com", source="ui")
JSON = {"Accept": "application/json"}


# --- helpers ------------------------------------------------------------------------------


def _post_file(client, data: bytes, name: str, headers=JSON):
    return client.post(
        "/assets/upload",
        data={"files": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def _asset(session, name="photo.jpg", seed=1, **fields) -> Asset:
    """An asset stored through the service (no rendition made), with ``fields`` set."""
    asset = assets.upload(session, current_media(), io.BytesIO(jpeg_bytes(seed=seed)), name).asset
    for key, value in fields.items():
        setattr(asset, key, value)
    session.flush()
    return asset


def _grid_ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return [int(found) for found in re.findall(r'class="asset-card" data-asset-id="(\d+)"', page)]


def _exif_jpeg(seed=7) -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Ann Photographer"  # Artist
    exif[0x8298] = "(c) Vitrine Studio"  # Copyright
    return jpeg_bytes(96, 64, seed=seed, exif=exif.tobytes())


def _image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.fixture
def editor(catalog, logged_in_client):
    return logged_in_client("editor")


@pytest.fixture
def viewer(catalog, logged_in_client):
    return logged_in_client("viewer")


# --- uploads ------------------------------------------------------------------------------


def test_upload_answers_json_and_the_asset_page_shows_the_file_and_its_metadata(editor, db_session):
    data = _exif_jpeg()
    response = _post_file(editor, data, "Packshot front.jpg")

    assert response.status_code == 200
    body = response.get_json()
    assert body["file"] == "Packshot front.jpg" and body["status"] == "new"
    assert body["error"] is None
    asset = db_session.get(Asset, body["asset"]["id"])
    assert body["asset"] == {"id": asset.id, "code": asset.code, "url": f"/assets/{asset.id}"}
    assert asset.uploaded_by_id == editor.user.id
    page = editor.get(body["asset"]["url"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Packshot front.jpg" in html
    assert "96 × 64 px" in html and asset.sha256 in html
    assert "image/jpeg" in html
    assert "Ann Photographer" in html  # extracted, and pre-filled as the creator
    assert "EXIF" in html
    assert f'name="row_version" value="{asset.row_version}"' in html
    # the upload queued the renditions, and the immediate test queue made them
    made = db_session.scalars(select(Rendition.preset).where(Rendition.asset_id == asset.id))
    assert "thumb" in set(made)


def test_the_same_file_again_is_reported_as_a_duplicate_with_a_link(editor, db_session):
    data = jpeg_bytes(seed=11)
    first = _post_file(editor, data, "a.jpg").get_json()
    again = _post_file(editor, data, "copy-of-a.jpg")

    assert again.status_code == 200
    body = again.get_json()
    assert body["status"] == "duplicate" and body["file"] == "copy-of-a.jpg"
    assert body["asset"]["url"] == first["asset"]["url"]
    assert db_session.scalar(select(func.count()).select_from(Asset)) == 1
    # without JavaScript: a plain multi-file post, then flashes on the library
    response = editor.post(
        "/assets/upload",
        data={
            "files": [(io.BytesIO(data), "third.jpg"), (io.BytesIO(jpeg_bytes(seed=12)), "b.jpg")]
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/assets/")
    html = editor.get("/assets/").get_data(as_text=True)
    assert "third.jpg: duplicate; the same file is already in the library as asset " in html
    assert first["asset"]["code"] in html
    assert "b.jpg: uploaded as asset" in html


def test_html_renamed_jpg_is_refused_with_its_name_and_nothing_is_stored(editor, db_session):
    evil = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    response = _post_file(editor, evil, "evil.jpg")

    assert response.status_code == 422
    body = response.get_json()
    assert body["status"] == "error" and body["asset"] is None
    assert "evil.jpg" in body["error"]
    assert db_session.scalar(select(func.count()).select_from(Asset)) == 0
    key = original_key(hashlib.sha256(evil).hexdigest())
    assert not current_media().storage.exists(key)


def test_upload_without_a_file_is_a_clear_422(editor):
    response = editor.post("/assets/upload", data={}, headers=JSON)
    assert response.status_code == 422
    assert response.get_json()["error"] == "Choose a file."


# --- permissions --------------------------------------------------------------------------


def test_a_viewer_reads_and_downloads_but_cannot_upload_or_edit(viewer, db_session):
    asset = _asset(db_session)

    assert _post_file(viewer, jpeg_bytes(seed=3), "x.jpg").status_code == 403
    library = viewer.get("/assets/")
    assert library.status_code == 200
    html = library.get_data(as_text=True)
    assert "data-dam-upload" not in html  # no upload form for readers
    page = viewer.get(f"/assets/{asset.id}")
    assert page.status_code == 200
    assert f'action="/assets/{asset.id}/trash"' not in page.get_data(as_text=True)
    assert viewer.get(f"/assets/{asset.id}/download").status_code == 200
    assert viewer.post(f"/assets/{asset.id}", data={"row_version": "1"}).status_code == 403
    assert viewer.post(f"/assets/{asset.id}/trash").status_code == 403


def test_suppliers_have_no_access_to_the_dam(catalog, logged_in_client, db_session):
    asset = _asset(db_session)
    supplier = logged_in_client("supplier")

    for url in (
        "/assets/",
        f"/assets/{asset.id}",
        f"/assets/{asset.id}/download",
        f"/assets/{asset.id}/renditions/thumb",
    ):
        assert supplier.get(url).status_code == 403, url
    assert _post_file(supplier, jpeg_bytes(seed=4), "x.jpg").status_code == 403


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client, db_session):
    response = client.get("/assets/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_assets_navigation_entry_leads_to_the_library(editor):
    response = editor.get("/assets")
    assert response.status_code == 302 and response.headers["Location"].endswith("/assets/")
    html = editor.get("/assets/").get_data(as_text=True)
    assert '<a href="/assets" aria-current="page">Assets</a>' in html


# --- downloads ----------------------------------------------------------------------------


def test_download_streams_the_exact_bytes_as_an_attachment(editor, db_session):
    data = jpeg_bytes(seed=21)
    asset = assets.upload(db_session, current_media(), io.BytesIO(data), "Été 2024 ü.jpg").asset

    response = editor.get(f"/assets/{asset.id}/download")

    assert response.status_code == 200
    assert response.get_data() == data
    assert response.headers["Content-Type"] == "image/jpeg"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''%C3%89t%C3%A9%202024%20%C3%BC.jpg" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_on_s3_downloads_and_renditions_redirect_to_short_lived_signed_urls(
    editor, db_session, app, s3_server, monkeypatch
):
    media = media_on(s3_server.storage_url(s3_server.new_bucket(), "vitrine"))
    monkeypatch.setitem(app.extensions, "vitrine_media", media)
    data = jpeg_bytes(seed=22)
    asset = assets.upload(db_session, media, io.BytesIO(data), "s3 photo.jpg").asset

    response = editor.get(f"/assets/{asset.id}/download")

    assert response.status_code == 302
    location = response.headers["Location"]
    assert "X-Amz-Expires=300" in location and "response-content-disposition=attachment" in location
    with urllib.request.urlopen(location) as fetched:  # noqa: S310 - the test's own server
        assert fetched.read() == data
        assert fetched.headers["Content-Disposition"].startswith("attachment; ")
    editor.get(f"/assets/{asset.id}/renditions/thumb")  # queued; the job ran meanwhile
    rendition = editor.get(f"/assets/{asset.id}/renditions/thumb")
    assert rendition.status_code == 302
    assert "response-content-disposition=inline" in rendition.headers["Location"]


@pytest.mark.parametrize(
    ("url", "statuses"),
    [
        ("/assets/{id}/download/../../etc/passwd", {404}),
        ("/assets/..%2F..%2Fetc/download", {404}),
        ("/assets/{id}/download?version=../../x", {400}),
        ("/assets/{id}/download?version=-1", {400}),
        ("/assets/{id}/download?version=99", {404}),
        ("/assets/{id}/renditions/..%2F..%2Fetc%2Fpasswd", {400, 404}),
        ("/assets/{id}/renditions/../../etc/passwd", {404}),
    ],
)
def test_no_path_can_reach_another_file(editor, db_session, url, statuses):
    asset = _asset(db_session)
    response = editor.get(url.format(id=asset.id))
    assert response.status_code in statuses
    assert b"root:" not in response.get_data()
    assert "Content-Disposition" not in response.headers


# --- renditions ---------------------------------------------------------------------------


def test_a_missing_rendition_is_queued_and_a_placeholder_served_then_the_real_one(
    editor, db_session
):
    asset = _asset(db_session, seed=31)  # stored by the service: no rendition yet
    url = f"/assets/{asset.id}/renditions/thumb"

    first = editor.get(url)
    assert first.status_code == 200
    assert first.headers["X-Vitrine-Rendition"] == "pending"
    assert first.headers["Cache-Control"] == "no-store"
    assert first.headers["Content-Type"] == "image/webp"
    assert _image_size(first.get_data()) == (300, 300)  # the preset's box, grey

    second = editor.get(url)  # the immediate queue ran the job during the first request
    assert second.status_code == 200
    assert second.headers["X-Vitrine-Rendition"] == "ready"
    assert second.headers["Content-Type"] == "image/webp"
    assert _image_size(second.get_data()) == (64, 48)  # the picture, not upscaled
    assert second.headers["X-Content-Type-Options"] == "nosniff"
    etag = second.headers["ETag"]
    assert etag and second.headers["Cache-Control"] == "private, no-cache"
    assert editor.get(url, headers={"If-None-Match": etag}).status_code == 304
    preset = current_media().settings.presets["thumb"]
    tagged = editor.get(f"{url}?v=1-{fingerprint(asset, preset)}")
    assert tagged.headers["Cache-Control"] == "private, max-age=31536000, immutable"


def test_a_failed_rendition_serves_the_placeholder_and_says_why(editor, db_session):
    asset = _asset(db_session, seed=32)
    preset = current_media().settings.presets["preview"]
    db_session.add(
        Rendition(
            asset_id=asset.id,
            version=1,
            preset="preview",
            fingerprint=fingerprint(asset, preset),
            status="failed",
            note="photo.jpg: image data is truncated\nat byte 12",
        )
    )
    response = editor.get(f"/assets/{asset.id}/renditions/preview")
    assert response.status_code == 200
    assert response.headers["X-Vitrine-Rendition"] == "failed"
    assert response.headers["X-Vitrine-Rendition-Note"] == (
        "photo.jpg: image data is truncated at byte 12"
    )
    assert response.headers["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("renditions/huge", "unknown rendition preset &#39;huge&#39;"),
        ("renditions/Thumb", "a preset name is"),
        ("renditions/" + "a" * 41, "a preset name is"),
        ("renditions/thumb?format=svg", "unknown format"),
        ("renditions/thumb?format=jpeg", "unknown format"),
    ],
)
def test_unknown_presets_and_formats_are_a_400_with_the_reason(editor, db_session, path, message):
    asset = _asset(db_session)
    response = editor.get(f"/assets/{asset.id}/{path}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_format_matching_the_preset_is_accepted(editor, db_session):
    asset = _asset(db_session)
    assert editor.get(f"/assets/{asset.id}/renditions/zoom?format=jpg").status_code == 200
    assert editor.get(f"/assets/{asset.id}/renditions/thumb?format=WEBP").status_code == 200


# --- library: search and filters ----------------------------------------------------------


def test_search_and_filters_narrow_the_library(editor, db_session, catalog):
    today = date.today()
    shoe = _asset(db_session, "red-shoe.jpg", 41, tags=["summer", "Leather"], creator="Ann Lee")
    bag = _asset(
        db_session,
        "bag.jpg",
        42,
        title={"en_US": "Weekend bag"},
        status=AssetStatus.APPROVED,
        licence_type="owned",
        allowed_channels=["print"],
    )
    old = _asset(db_session, "old.jpg", 43, valid_until=today - timedelta(days=2))
    soon = _asset(
        db_session, "soon.jpg", 44, valid_until=today + timedelta(days=10), allowed_channels=[]
    )
    gone = _asset(db_session, "gone.jpg", 45)
    assets.trash(db_session, gone)
    links.link(db_session, shoe, catalog.model("TS-CREW-RED"), actor=ACTOR)

    def ids(query=""):
        return set(_grid_ids(editor.get(f"/assets/?{query}")))

    assert ids() == {shoe.id, bag.id, old.id, soon.id}
    assert ids("q=SHOE") == {shoe.id}
    assert ids("q=leather") == {shoe.id}  # tags
    assert ids("q=weekend") == {bag.id}  # titles
    assert ids("q=ann+lee") == {shoe.id}  # creator
    assert ids("q=100%25") == set()  # LIKE wildcards are literal
    assert ids("status=approved") == {bag.id}
    assert ids("status=expired") == {old.id}  # past valid_until: effectively expired
    assert ids("status=draft") == {shoe.id, soon.id}
    assert ids("expiring=30") == {soon.id}
    assert ids("expiring=5") == set()
    assert ids("licence=owned") == {bag.id}
    assert ids("channel=ecommerce") == {shoe.id, old.id, soon.id}
    assert ids("channel=print") == {shoe.id, bag.id, old.id, soon.id}
    assert ids("unused=1") == {bag.id, old.id, soon.id}
    assert ids("trash=1") == {gone.id}
    assert ids("status=nonsense") == ids()  # unknown values are ignored
    html = editor.get("/assets/").get_data(as_text=True)
    assert 'data-expiring-count="1"' in html and "soon.jpg" in html
    assert 'href="/assets/?expiring=30"' in html
    assert f'src="/assets/{shoe.id}/renditions/thumb?v=1-' in html and 'loading="lazy"' in html


def test_the_library_is_cut_in_pages(editor, db_session, monkeypatch):
    from dam.web import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    made = [_asset(db_session, f"p{i}.jpg", 50 + i).id for i in range(5)]
    first = editor.get("/assets/")
    assert _grid_ids(first) == made[::-1][:2]
    after = re.search(r'href="/assets/\?after=(\d+)"', first.get_data(as_text=True)).group(1)
    second = editor.get(f"/assets/?after={after}")
    assert _grid_ids(second) == made[::-1][2:4]
    before = re.search(r'href="/assets/\?before=(\d+)"', second.get_data(as_text=True)).group(1)
    assert _grid_ids(editor.get(f"/assets/?before={before}")) == made[::-1][:2]


# --- the asset page: rights, status, conflicts --------------------------------------------


def _rights_form(asset, **changes) -> dict:
    form = {
        "row_version": str(asset.row_version),
        "title.en_US": "Crew neck, front",
        "alt_text.en_US": "A red crew-neck T-shirt",
        "alt_text.fr_FR": "Un T-shirt rouge",
        "tags": "summer, red ,cotton",
        "collections": "SS25",
        "copyright_holder": "Vitrine SA",
        "copyright_notice": "© 2025 Vitrine SA",
        "creator": "Ann Lee",
        "credit_line": "Photo: Ann Lee",
        "licensor": "",
        "licence_type": "owned",
        "usage_terms": "Web and print",
        "web_statement": "",
        "allowed_channels_shown": "1",
        "allowed_channels": ["ecommerce"],
        "allowed_territories": "fr, DE",
        "valid_from": "2025-01-01",
        "valid_until": "",
        "model_release": "unlimited",
        "property_release": "not_applicable",
    }
    form.update(changes)
    return form


def test_the_rights_form_saves_every_field(editor, db_session):
    asset = _asset(db_session)
    response = editor.post(f"/assets/{asset.id}", data=_rights_form(asset))

    assert response.status_code == 303, response.get_data(as_text=True)
    db_session.refresh(asset)
    assert asset.title == {"en_US": "Crew neck, front"}
    assert asset.alt_text == {"en_US": "A red crew-neck T-shirt", "fr_FR": "Un T-shirt rouge"}
    assert asset.tags == ["summer", "red", "cotton"]
    assert [c.code for c in asset.collections] == ["SS25"]
    assert asset.allowed_channels == ["ecommerce"]
    assert asset.allowed_territories == ["FR", "DE"]
    assert asset.valid_from == date(2025, 1, 1) and asset.valid_until is None
    assert (asset.licence_type, asset.model_release) == ("owned", "unlimited")
    page = editor.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "Saved." in page and 'value="summer, red, cotton"' in page
    assert 'value="ecommerce" checked' in page
    # unticking every channel clears the restriction
    editor.post(f"/assets/{asset.id}", data=_rights_form(asset, allowed_channels=[]))
    db_session.refresh(asset)
    assert asset.allowed_channels == []


def test_invalid_rights_are_shown_beside_their_fields_and_nothing_is_saved(editor, db_session):
    asset = _asset(db_session)
    form = _rights_form(asset, allowed_territories="FR, XX", valid_until="2024-01-01")
    response = editor.post(f"/assets/{asset.id}", data=form)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    assert "not ISO 3166 country codes: XX" in html
    assert "must not be before valid_from" in html
    assert 'value="FR, XX"' in html  # the input is kept
    assert 'value="Crew neck, front"' in html
    db_session.refresh(asset)
    assert asset.allowed_territories == [] and asset.title == {}


def test_a_stale_row_version_is_a_conflict_that_keeps_the_input(editor, db_session):
    asset = _asset(db_session)
    stale = str(asset.row_version)
    assert editor.post(f"/assets/{asset.id}", data=_rights_form(asset)).status_code == 303
    db_session.refresh(asset)

    response = editor.post(
        f"/assets/{asset.id}", data=_rights_form(asset, row_version=stale, creator="Bob")
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this asset" in html
    assert 'value="Bob"' in html
    assert f'name="row_version" value="{asset.row_version}"' in html
    db_session.refresh(asset)
    assert asset.creator == "Ann Lee"
    assert editor.post(f"/assets/{asset.id}", data={"row_version": "x"}).status_code == 400


def test_status_buttons_move_the_asset_through_its_lifecycle(editor, db_session):
    asset = _asset(db_session)
    page = editor.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert ">Approve</button>" in page and ">Archive</button>" in page

    url = f"/assets/{asset.id}/status"
    response = editor.post(url, data={"status": "approved", "row_version": asset.row_version})
    assert response.status_code == 303
    db_session.refresh(asset)
    assert asset.status == AssetStatus.APPROVED
    refused = editor.post(url, data={"status": "expired", "row_version": asset.row_version})
    assert refused.status_code == 303
    html = editor.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "Status not changed" in html and "expired is set from valid_until" in html


def test_the_focal_point_is_stored_and_crops_are_redone(editor, db_session):
    asset = _asset(db_session)
    response = editor.post(
        f"/assets/{asset.id}/focal", data={"x": "0.25", "y": "0.8"}, headers=JSON
    )

    assert response.status_code == 200
    db_session.refresh(asset)
    assert (asset.focal_x, asset.focal_y) == (0.25, 0.8)
    assert response.get_json() == {"focal": [0.25, 0.8], "row_version": asset.row_version}
    swatch = current_media().settings.presets["swatch"]
    made = db_session.scalars(
        select(Rendition).where(Rendition.asset_id == asset.id, Rendition.preset == "swatch")
    ).all()
    assert [r.fingerprint for r in made] == [fingerprint(asset, swatch)]  # the new crop
    bad = editor.post(f"/assets/{asset.id}/focal", data={"x": "2", "y": "0"}, headers=JSON)
    assert bad.status_code == 422 and "between 0 and 1" in bad.get_json()["error"]
    # without JavaScript: the same form, then back to the page
    plain = editor.post(f"/assets/{asset.id}/focal", data={"x": "0.5", "y": "0.5"})
    assert plain.status_code == 303


# --- trash, versions ----------------------------------------------------------------------


def test_trash_is_refused_while_linked_force_unlinks_and_restore_brings_it_back(
    editor, db_session, catalog
):
    red = catalog.model("TS-CREW-RED")
    asset = _asset(db_session)
    links.link(db_session, asset, red, actor=ACTOR)
    page = editor.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert 'name="force"' in page and "TS-CREW-RED" in page

    editor.post(f"/assets/{asset.id}/trash")
    db_session.refresh(asset)
    assert asset.deleted_at is None
    html = editor.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "Not moved to the trash" in html and "unlink it first or delete with force" in html

    editor.post(f"/assets/{asset.id}/trash", data={"force": "1"})
    db_session.refresh(asset)
    db_session.refresh(red)
    assert asset.deleted_at is not None
    assert db_session.scalar(select(func.count()).select_from(AssetLink)) == 0
    assert "images" not in (red.values or {})  # the links' value went with them
    html = editor.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "This asset is in the trash" in html

    editor.post(f"/assets/{asset.id}/restore")
    db_session.refresh(asset)
    assert asset.deleted_at is None


def test_replace_the_file_then_restore_the_first_version(editor, db_session):
    first = jpeg_bytes(seed=61)
    asset = assets.upload(db_session, current_media(), io.BytesIO(first), "v1.jpg").asset
    second = jpeg_bytes(100, 80, seed=62)

    response = editor.post(
        f"/assets/{asset.id}/replace",
        data={"file": (io.BytesIO(second), "v2.jpg"), "comment": "retouched"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db_session.refresh(asset)
    assert (asset.current_version, asset.filename, asset.width) == (2, "v2.jpg", 100)
    assert editor.get(f"/assets/{asset.id}/download").get_data() == second
    assert editor.get(f"/assets/{asset.id}/download?version=1").get_data() == first
    page = editor.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "retouched" in page and "Restore version 1" in page

    refused = editor.post(
        f"/assets/{asset.id}/replace",
        data={"file": (io.BytesIO(b"<svg onload=alert(1)></svg>"), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 303
    assert "File not replaced" in editor.get(f"/assets/{asset.id}").get_data(as_text=True)

    assert editor.post(f"/assets/{asset.id}/versions/1/restore").status_code == 303
    db_session.refresh(asset)
    assert (asset.current_version, asset.filename) == (3, "v1.jpg")
    assert editor.get(f"/assets/{asset.id}/download").get_data() == first
    assert editor.post(f"/assets/{asset.id}/versions/9/restore").status_code == 404


# --- the media panel ----------------------------------------------------------------------


def _panel_post(client, path, owner_type, owner_key, **data):
    return client.post(
        f"/assets/links{path}", data={"owner_type": owner_type, "owner_key": owner_key, **data}
    )


def test_link_reorder_role_and_unlink_from_the_media_panel(editor, db_session, catalog):
    red = catalog.model("TS-CREW-RED")
    first = _asset(db_session, "front.jpg", 71)
    second = _asset(db_session, "back.jpg", 72)

    # find an asset by its code from the model page, then link it
    page = editor.get("/models/TS-CREW-RED?asset_q=" + first.code).get_data(as_text=True)
    assert 'id="media"' in page and "Link front.jpg" in page
    response = _panel_post(editor, "", "product_model", "TS-CREW-RED", asset_id=first.id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/models/TS-CREW-RED#media")
    _panel_post(editor, "", "product_model", "TS-CREW-RED", asset_id=second.id, role="detail")
    db_session.refresh(red)
    assert red.values["images"][0]["data"] == [first.code, second.code]

    moved = editor.post(
        "/assets/links/reorder",
        json={
            "owner_type": "product_model",
            "owner_key": "TS-CREW-RED",
            "asset_ids": [second.id, first.id],
        },
    )
    assert moved.status_code == 200 and moved.get_json()["order"] == [second.id, first.id]
    db_session.refresh(red)
    assert red.values["images"][0]["data"] == [second.code, first.code]

    # the up/down buttons (no JavaScript)
    _panel_post(editor, "/reorder", "product_model", "TS-CREW-RED", asset_id=first.id, move="up")
    db_session.refresh(red)
    assert red.values["images"][0]["data"] == [first.code, second.code]

    # a new role keeps the picture in its place
    _panel_post(
        editor, "", "product_model", "TS-CREW-RED", asset_id=second.id, role="on_model", position=1
    )
    roles = [(item.asset_id, item.role) for item in links.links_of(db_session, red)]
    assert roles == [(first.id, "gallery"), (second.id, "on_model")]

    page = editor.get("/models/TS-CREW-RED").get_data(as_text=True)
    assert "front.jpg" in page and "back.jpg" in page and "data-reorder-url" in page
    assert "js/dam-media-panel.js" in page

    bad = editor.post(
        "/assets/links/reorder",
        json={"owner_type": "product_model", "owner_key": "TS-CREW-RED", "asset_ids": [first.id]},
    )
    assert bad.status_code == 422 and "must list each linked asset once" in bad.get_json()["error"]

    _panel_post(editor, "/unlink", "product_model", "TS-CREW-RED", asset_id=first.id)
    db_session.refresh(red)
    assert red.values["images"][0]["data"] == [second.code]
    assert _panel_post(editor, "", "product_model", "NOPE", asset_id=first.id).status_code == 404
    assert _panel_post(editor, "", "robot", "TS-CREW-RED", asset_id=first.id).status_code == 400
    refused = _panel_post(editor, "", "product_model", "TS-CREW-RED", asset_id=first.id, role="x")
    assert refused.status_code == 303
    assert "unknown role" in editor.get("/models/TS-CREW-RED").get_data(as_text=True)


def test_a_variant_shows_the_pictures_it_inherits_from_its_model(
    editor, viewer, db_session, catalog
):
    asset = _asset(db_session, "front.jpg", 81)
    links.link(db_session, asset, catalog.model("TS-CREW-RED"), actor=ACTOR)

    html = editor.get("/products/TS-CREW-RED-S").get_data(as_text=True)
    assert "data-inherited" in html
    assert 'Inherited from model <a href="/models/TS-CREW-RED">TS-CREW-RED</a>' in html
    assert "front.jpg" in html and "Unlink front.jpg" not in html
    read_only = viewer.get("/models/TS-CREW-RED").get_data(as_text=True)
    assert "front.jpg" in read_only
    assert "Unlink" not in read_only and 'name="asset_q"' not in read_only
    assert (
        viewer.post(
            "/assets/links",
            data={"owner_type": "product", "owner_key": "TS-CREW-RED-S", "asset_id": asset.id},
        ).status_code
        == 403
    )


# --- zip upload ---------------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_is_imported_linked_by_name_and_reported_file_by_file(editor, db_session, catalog):
    archive = _zip(
        {
            "shoot/TS-CREW-RED-S_front_1.jpg": jpeg_bytes(seed=91),
            "shoot/holiday-snap.jpg": jpeg_bytes(seed=92),
            "shoot/notes.jpg": b"<html>not a picture</html>",
        }
    )
    response = editor.post(
        "/assets/upload-zip",
        data={"archive": (io.BytesIO(archive), "shoot.zip"), "pattern": ""},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert "Zip import: shoot.zip" in html
    assert '<dd data-count="files">3</dd>' in html
    assert '<dd data-count="new">2</dd>' in html
    assert '<dd data-count="linked">1</dd>' in html
    assert '<dd data-count="unmatched">1</dd>' in html
    assert 'product <a href="/products/TS-CREW-RED-S">TS-CREW-RED-S</a>' in html
    assert "Matched nothing: no product or model matches sku &#39;holiday-snap&#39;" in html
    assert "notes.jpg" in html and 'status-upload-error">error' in html
    product = catalog.product("TS-CREW-RED-S")
    [item] = links.links_of(db_session, product)
    assert item.role == "main" and item.asset.filename == "TS-CREW-RED-S_front_1.jpg"
    # renditions were queued for the new assets
    assert db_session.scalar(
        select(func.count()).select_from(Rendition).where(Rendition.asset_id == item.asset_id)
    )


def test_a_custom_pattern_and_bad_archives_are_reported(editor, db_session, catalog):
    archive = _zip({"red-TS-CREW-RED-M.jpg": jpeg_bytes(seed=93)})
    response = editor.post(
        "/assets/upload-zip",
        data={"archive": (io.BytesIO(archive), "m.zip"), "pattern": "red-{sku}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert 'href="/products/TS-CREW-RED-M"' in response.get_data(as_text=True)

    bad_pattern = editor.post(
        "/assets/upload-zip",
        data={"archive": (io.BytesIO(archive), "m.zip"), "pattern": "{nope}"},
        content_type="multipart/form-data",
    )
    assert bad_pattern.status_code == 303
    assert "Naming pattern:" in editor.get("/assets/").get_data(as_text=True)
    not_zip = editor.post(
        "/assets/upload-zip",
        data={"archive": (io.BytesIO(b"PK not really"), "fake.zip")},
        content_type="multipart/form-data",
    )
    assert not_zip.status_code == 303
    assert "fake.zip" in editor.get("/assets/").get_data(as_text=True)
