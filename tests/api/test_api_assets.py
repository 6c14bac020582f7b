"""Assets through the API: multipart uploads with metadata and links, duplicates, hostile
files (refused, nothing stored), PATCH with ETags, lifecycle, the list's filters, links,
renditions, downloads, file versions, trash, and who may do what.

The test app stores files under its instance folder and runs queued jobs at once: the
renditions an upload queues are made before its answer is built.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import func, select

from dam.api import assets as api_assets
from dam.api import files as api_files
from dam.context import current_media
from dam.models import Asset
from dam.services.ingest import original_key
from pim.models import Version

URL = "/api/v1/assets"


# --- helpers ------------------------------------------------------------------------------


def jpeg(seed: int = 1, size=(64, 48)) -> bytes:
    """A small JPEG; each seed gives different bytes."""
    image = Image.new("RGB", size, (seed * 40 % 256, 90, 160))
    image.putpixel((seed % size[0], 0), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A noisy JPEG cut in the middle of its image data (a broken transfer)."""
    out = io.BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(out, "JPEG", quality=85)
    data = out.getvalue()
    return data[: len(data) // 2]


def png_bomb() -> bytes:
    """A PNG declaring 30000×30000 pixels in a few hundred bytes."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(4096)))
        + chunk(b"IEND", b"")
    )


def upload(api, data: bytes, name: str = "photo.jpg", metadata=None, url=URL, **form):
    body = {"file": (io.BytesIO(data), name), **form}
    if metadata is not None:
        body["metadata"] = metadata if isinstance(metadata, str) else json.dumps(metadata)
    return api.open("POST", url, data=body, content_type="multipart/form-data")


def created(api, data: bytes, name: str = "photo.jpg", metadata=None) -> dict:
    response = upload(api, data, name, metadata)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def errors(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    body = response.get_json()
    assert body["status"] == response.status_code
    assert "Traceback" not in response.get_data(as_text=True)
    return {e["field"]: e["message"] for e in body.get("errors", [])}


def stored(data: bytes) -> bool:
    return current_media().storage.exists(original_key(hashlib.sha256(data).hexdigest()))


def asset_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Asset))


def history(db_session, asset_id: int) -> list[Version]:
    return list(
        db_session.scalars(
            select(Version)
            .where(Version.resource_type == "asset", Version.resource_id == asset_id)
            .order_by(Version.number)
        )
    )


# --- uploads ------------------------------------------------------------------------------


def test_upload_with_metadata_and_links_then_get_and_download(api, catalog, db_session):
    data = jpeg(1, (96, 64))
    metadata = {
        "title": {"en_US": "Crew tee, front"},
        "alt_text": {"fr_FR": "T-shirt rouge"},
        "tags": ["summer", "packshot"],
        "licence_type": "owned",
        "allowed_channels": ["ecommerce"],
        "allowed_territories": ["fr", "DE"],
        "valid_until": "2099-12-31",
        "links": [{"owner_type": "product_model", "owner": "TS-CREW-RED", "role": "main"}],
    }
    response = upload(api, data, "Crew front.jpg", metadata)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/assets/{body['id']}"
    assert response.headers["ETag"]
    assert body["filename"] == "Crew front.jpg"
    assert (body["content_type"], body["kind"]) == ("image/jpeg", "image")
    assert (body["width"], body["height"], body["size"]) == (96, 64, len(data))
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["title"] == {"en_US": "Crew tee, front"}
    assert body["tags"] == ["summer", "packshot"]
    assert body["allowed_territories"] == ["FR", "DE"]
    assert body["valid_until"] == "2099-12-31"
    assert body["status"] == body["effective_status"] == "draft"
    assert "asset is draft, not approved" in body["usage_problems"]
    assert body["links"] == [
        {
            "owner_type": "product_model",
            "owner": "TS-CREW-RED",
            "role": "main",
            "position": 0,
            "attribute": "images",
        }
    ]
    thumb = next(r for r in body["renditions"] if r["preset"] == "thumb")
    assert thumb["generated"] is True and thumb["status"] == "ready"  # the queue ran at once
    assert thumb["url"].endswith(f"/api/v1/assets/{body['id']}/download?preset=thumb")
    assert f"/media/{body['id']}/thumb/" in thumb["public_url"]
    assert [v["number"] for v in body["versions"]] == [1]
    asset = db_session.get(Asset, body["id"])
    assert asset.uploaded_by_id == api.user.id
    # the link filled the model's asset collection attribute, as in the media panel
    model = api.get("/api/v1/product-models/TS-CREW-RED").get_json()
    assert model["values"]["images"][0]["data"] == [body["code"]]

    fetched = api.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json() == body
    assert fetched.headers["ETag"] == response.headers["ETag"]
    assert (
        api.get(
            f"{URL}/{body['id']}", headers={"If-None-Match": fetched.headers["ETag"]}
        ).status_code
        == 304
    )

    download = api.get(body["download_url"])
    assert download.status_code == 200
    assert download.data == data
    assert download.mimetype == "image/jpeg"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Crew%20front.jpg" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    authors = {(v.author, v.source) for v in history(db_session, body["id"])}
    assert authors == {(api.user.email, "api")}  # the upload too, not only its metadata


def test_the_same_bytes_again_answer_200_with_the_existing_asset(api, db_session):
    data = jpeg(2)
    first = created(api, data, "a.jpg", {"tags": ["first"]})
    again = upload(api, data, "copy-of-a.jpg", {"tags": ["second"]})

    assert again.status_code == 200
    body = again.get_json()
    assert body["id"] == first["id"]
    assert body["filename"] == "a.jpg" and body["tags"] == ["first"]  # left unchanged
    assert again.headers["Location"] == f"/api/v1/assets/{first['id']}"
    assert asset_count(db_session) == 1


def test_hostile_files_are_refused_naming_the_file_and_nothing_is_stored(api, db_session):
    cases = {
        "page.jpg": b"<!doctype html><html><script>alert(1)</script></html>",
        "shell.png": b"<?php system($_GET['c']); ?>",
        "notes.jpg": b"just some text, not a picture at all\n",
        "empty.jpg": b"",
        "cut.jpg": truncated_jpeg(),
        "bomb.png": png_bomb(),
        "noise.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
    }
    for name, data in cases.items():
        response = upload(api, data, name, {"tags": ["x"]})
        assert response.status_code == 422, (name, response.get_json())
        body = response.get_json()
        assert body["code"] == "validation_failed"
        assert errors(response)["file"].startswith(f"{name}: "), body
        assert not stored(data), name
    assert asset_count(db_session) == 0
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "#123456").save(out, "PNG")
    png = created(api, out.getvalue(), "really-a-png.jpg")  # harmless: typed by its bytes
    assert png["content_type"] == "image/png"


def test_bad_metadata_is_a_422_naming_each_field_and_nothing_is_stored(api, catalog, db_session):
    data = jpeg(3)
    cases = [
        ({"title": {"xx_XX": "?"}}, "metadata.title"),  # the service: unknown locale
        ({"allowed_channels": ["nope"]}, "metadata.allowed_channels"),
        ({"allowed_territories": ["UK"]}, "metadata.allowed_territories"),
        ({"valid_from": "2030-01-02", "valid_until": "2030-01-01"}, "metadata.valid_until"),
        ({"links": [{"owner": "NOPE-1"}]}, "metadata.links.0.owner"),
        (
            {
                "links": [
                    {"owner": "TS-CREW-RED", "owner_type": "product_model", "attribute": "name"}
                ]
            },
            "metadata.links",
        ),
        ({"tags": "summer"}, "metadata.tags"),  # the schema: wrong type
        ({"licence_type": "pirated"}, "metadata.licence_type"),
        ({"colour": "red"}, "metadata.colour"),
        ({"status": "expired"}, "metadata.status"),
        ({"title": {"en_US": "a\x00b"}}, "metadata.title.en_US"),
        ("{not json", "metadata"),
        ("[1, 2]", "metadata"),
    ]
    for metadata, field in cases:
        response = upload(api, data, "meta.jpg", metadata)
        assert response.status_code == 422, (metadata, response.get_json())
        found = errors(response)
        assert field in found, (metadata, found)
    assert api.get(URL).get_json()["items"] == [] and asset_count(db_session) == 0
    assert not stored(data)
    nope = upload(api, data, "meta.jpg", {"links": [{"owner": "NOPE-1"}]})
    assert "NOPE-1" in errors(nope)["metadata.links.0.owner"]


def test_the_multipart_body_itself_is_checked(api, monkeypatch):
    no_file = api.open("POST", URL, data={"metadata": "{}"}, content_type="multipart/form-data")
    assert "file" in errors(no_file)
    as_text = api.open("POST", URL, data={"file": "not a part"}, content_type="multipart/form-data")
    assert "file" in errors(as_text)
    extra = upload(api, jpeg(4), "x.jpg", other="field")
    assert "other" in errors(extra)
    as_json = api.post(URL, {"file": "x"})
    assert as_json.status_code == 415
    monkeypatch.setattr(api_assets.AssetCollection, "max_body", 2000)
    big = upload(api, jpeg(5, (400, 400)), "big.jpg")
    assert big.status_code == 413
    assert big.get_json()["code"] == "payload_too_large"


# --- PATCH, lifecycle ---------------------------------------------------------------------


def test_patch_rights_with_etags_is_idempotent(api, catalog, db_session):
    asset = created(api, jpeg(6))
    item = f"{URL}/{asset['id']}"
    etag = api.get(item).headers["ETag"]
    change = {
        "licence_type": "cc_by",
        "creator": "Ann Photographer",
        "allowed_territories": ["FR"],
        "valid_until": "2099-01-31",
        "model_release": "unlimited",
        "title": {"en_US": "Front", "de_DE": "Vorne"},
    }
    first = api.patch(item, change, headers={"If-Match": etag})
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["licence_type"] == "cc_by" and body["creator"] == "Ann Photographer"
    assert body["title"] == {"en_US": "Front", "de_DE": "Vorne"}
    assert first.headers["ETag"] != etag
    versions = len(history(db_session, asset["id"]))
    second = api.patch(item, change, headers={"If-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] == first.headers["ETag"]
    assert len(history(db_session, asset["id"])) == versions  # nothing recorded
    stale = api.patch(item, {"creator": "Someone else"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["code"] == "precondition_failed"
    assert api.get(item).get_json()["creator"] == "Ann Photographer"
    assert api.delete(item, headers={"If-Match": etag}).status_code == 412
    bad = api.patch(item, {"valid_until": "31/01/2099", "focal_point": [2, 0], "tags": [1]})
    assert {"valid_until", "focal_point.0", "tags.0"} <= set(errors(bad))
    assert api.patch(f"{URL}/999999", {"creator": "x"}).status_code == 404


def test_status_moves_through_the_lifecycle(api):
    item = f"{URL}/{created(api, jpeg(7))['id']}"
    approved = api.patch(item, {"status": "approved", "licence_type": "owned"}).get_json()
    assert approved["status"] == "approved" and approved["usage_problems"] == []
    assert api.patch(item, {"status": "archived"}).get_json()["status"] == "archived"
    back = api.patch(item, {"status": "draft"}).get_json()
    assert back["status"] == "draft"
    past = (date.today() - timedelta(days=1)).isoformat()
    expired = api.patch(item, {"valid_until": past}).get_json()
    assert expired["effective_status"] == "expired"
    refused = api.patch(item, {"status": "approved"})
    assert refused.status_code == 422
    assert "status" in errors(refused)


# --- the list -----------------------------------------------------------------------------


def test_list_pages_and_filters(api, catalog):
    summer = created(api, jpeg(8), "beach.jpg", {"tags": ["summer"], "valid_until": "2030-06-30"})
    winter = created(api, jpeg(9), "snow.jpg", {"tags": ["winter"], "licence_type": "owned"})
    linked = created(
        api, jpeg(10), "crew.jpg", {"links": [{"owner": "TS-CREW-RED-S", "role": "main"}]}
    )
    api.patch(f"{URL}/{winter['id']}", {"status": "approved"})

    first = api.get(f"{URL}?limit=2").get_json()
    assert [a["id"] for a in first["items"]] == [summer["id"], winter["id"]]
    assert "links" not in first["items"][0] and first["items"][0]["url"].endswith(
        f"/assets/{summer['id']}"
    )
    second = api.get(first["next"]).get_json()
    assert [a["id"] for a in second["items"]] == [linked["id"]] and second["next"] is None

    def ids(query: str) -> list[int]:
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.get_json()
        return [a["id"] for a in response.get_json()["items"]]

    assert ids("status=approved") == [winter["id"]]
    assert ids("status=draft") == [summer["id"], linked["id"]]
    assert ids("search=tag:summer") == [summer["id"]]
    assert ids("search=snow") == [winter["id"]]
    assert ids("search=licence:owned") == [winter["id"]]
    assert ids("product=TS-CREW-RED-S") == [linked["id"]]
    assert ids("expiring_before=2031-01-01") == [summer["id"]]
    assert ids("kind=image&licence_type=owned") == [winter["id"]]
    assert ids("updated_since=2000-01-01T00:00:00Z") == [summer["id"], winter["id"], linked["id"]]
    assert ids("updated_since=2999-01-01T00:00:00Z") == []
    assert ids("in_trash=true") == []

    for query, field in (
        ("product=NOPE", "product"),
        ("product_model=NOPE", "product_model"),
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("cursor=zzz", "cursor"),
        ("colour=red", "colour"),
        ("search=sort:", "search"),
        ("search=a%00b", "search"),
        ("expiring_before=soon", "expiring_before"),
    ):
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 422, query
        assert field in errors(response), (query, errors(response))


# --- links --------------------------------------------------------------------------------


def test_links_are_put_and_deleted_per_owner(api, catalog):
    api.post("/api/v1/products", {"identifier": "TEE-1", "family": "tshirts"})
    asset = created(api, jpeg(11))
    links = f"{URL}/{asset['id']}/links"

    put = api.open("PUT", f"{links}/products/TEE-1", json_body={"role": "main"})
    assert put.status_code == 201, put.get_json()
    expected = {
        "owner_type": "product",
        "owner": "TEE-1",
        "role": "main",
        "position": 0,
        "attribute": "images",
    }
    assert put.get_json() == expected
    product = api.get("/api/v1/products/TEE-1").get_json()
    assert product["values"]["images"][0]["data"] == [asset["code"]]
    version = product["version"]
    again = api.open("PUT", f"{links}/products/TEE-1", json_body={"role": "main"})
    assert again.status_code == 200 and again.get_json() == expected
    assert api.get("/api/v1/products/TEE-1").get_json()["version"] == version  # unchanged

    model = api.open("PUT", f"{links}/product-models/TS-CREW-RED", json_body={"position": 3})
    assert model.status_code == 201
    listed = api.get(f"{links}?limit=1").get_json()
    assert [item["owner"] for item in listed["items"]] == ["TEE-1"]
    assert [item["owner"] for item in api.get(listed["next"]).get_json()["items"]] == [
        "TS-CREW-RED"
    ]

    missing = api.open("PUT", f"{links}/products/NOPE-2", json_body={})
    assert missing.status_code == 422
    assert "NOPE-2" in missing.get_json()["detail"] and "owner" in errors(missing)
    assert "role" in errors(api.open("PUT", f"{links}/products/TEE-1", json_body={"role": "hero"}))
    assert "position" in errors(
        api.open("PUT", f"{links}/products/TEE-1", json_body={"position": -1})
    )
    assert api.open("PUT", f"{links}/variants/TEE-1", json_body={}).status_code == 404
    assert api.open("PUT", f"{URL}/999999/links/products/TEE-1", json_body={}).status_code == 404

    assert api.delete(f"{links}/products/TEE-1").status_code == 204
    assert api.get("/api/v1/products/TEE-1").get_json()["values"].get("images") is None
    assert api.delete(f"{links}/products/TEE-1").status_code == 404
    assert api.delete(f"{links}/products/TEE%00").status_code == 404
    assert [item["owner"] for item in api.get(links).get_json()["items"]] == ["TS-CREW-RED"]


# --- renditions and downloads -------------------------------------------------------------


def test_renditions_and_their_downloads(api, monkeypatch):
    asset = created(api, jpeg(12, (300, 200)))
    listed = api.get(f"{URL}/{asset['id']}/renditions").get_json()
    presets = {item["preset"]: item for item in listed["items"]}
    assert set(presets) == set(current_media().settings.presets)
    assert listed["next"] is None
    thumb = presets["thumb"]
    assert thumb["generated"] and thumb["size"] > 0

    download = api.get(thumb["url"])
    assert download.status_code == 200
    assert download.mimetype == thumb["content_type"]
    with Image.open(io.BytesIO(download.data)) as image:
        assert (image.width, image.height) == (thumb["width"], thumb["height"])
    assert f"{asset['code']}-thumb." in download.headers["Content-Disposition"]

    assert "preset" in errors(api.get(f"{URL}/{asset['id']}/download?preset=poster"))
    assert "version" in errors(api.get(f"{URL}/{asset['id']}/download?preset=thumb&version=1"))
    assert "version" in errors(api.get(f"{URL}/{asset['id']}/download?version=zero"))
    assert api.get(f"{URL}/{asset['id']}/download?version=9").status_code == 404
    assert api.get(f"{URL}/999999/renditions").status_code == 404

    monkeypatch.setattr(api_files, "queue_renditions", lambda ids: None)  # a busy queue
    monkeypatch.setattr(api_assets, "queue_renditions", lambda ids: None)
    waiting = created(api, jpeg(13))
    assert not any(r["generated"] for r in waiting["renditions"])
    pending = api.get(f"{URL}/{waiting['id']}/download?preset=thumb")
    assert pending.status_code == 503
    assert int(pending.headers["Retry-After"]) > 0


def test_on_s3_a_download_redirects_to_a_presigned_url(api, app, s3_server, monkeypatch):
    import urllib.request

    from dam.context import Media

    storage_url = s3_server.storage_url(s3_server.new_bucket(), "api")
    media = Media(storage_url=storage_url, settings_path="", max_pixels=100_000_000)
    monkeypatch.setitem(app.extensions, "vitrine_media", media)
    data = jpeg(14)
    asset = created(api, data, "on s3.jpg")

    response = api.get(asset["download_url"])
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "X-Amz-Expires=" in location and "response-content-disposition=attachment" in location
    with urllib.request.urlopen(location) as fetched:  # noqa: S310 - the test's own server
        assert fetched.read() == data


# --- file versions ------------------------------------------------------------------------


def test_new_file_versions_and_restoring_an_earlier_one(api, db_session):
    old, new = jpeg(15), jpeg(16, (80, 80))
    asset = created(api, old)
    versions = f"{URL}/{asset['id']}/versions"

    response = upload(api, new, "second.jpg", url=versions, comment="retouched")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["file_version"] == 2 and body["filename"] == "second.jpg"
    assert (body["width"], body["height"]) == (80, 80)
    assert body["versions"][-1]["comment"] == "retouched"
    assert response.headers["Location"].endswith("/download?version=2")
    assert api.get(f"{URL}/{asset['id']}/download?version=1").data == old
    assert api.get(f"{URL}/{asset['id']}/download").data == new

    same = upload(api, new, "again.jpg", url=versions)
    assert same.status_code == 422 and "again.jpg" in errors(same)["file"]
    cut = truncated_jpeg()
    broken = upload(api, cut, "cut.jpg", url=versions)
    assert broken.status_code == 422 and errors(broken)["file"].startswith("cut.jpg: ")
    assert not stored(cut)
    third = upload(api, jpeg(17), "third.jpg", url=versions)
    stale_tag = f'"{asset["id"]}-1"'  # the record has changed since
    refused = api.open(
        "POST",
        versions,
        data={"file": (io.BytesIO(jpeg(18)), "late.jpg")},
        content_type="multipart/form-data",
        headers={"If-Match": stale_tag},
    )
    assert third.status_code == 201 and refused.status_code == 412

    restored = api.open("POST", f"{URL}/{asset['id']}/versions/1/restore")  # no body
    assert restored.status_code == 201, restored.get_json()
    assert restored.get_json()["file_version"] == 4
    assert restored.get_json()["sha256"] == hashlib.sha256(old).hexdigest()
    assert restored.get_json()["versions"][-1]["comment"] == "restored version 1"
    commented = api.post(f"{URL}/{asset['id']}/versions/2/restore", {"comment": "undo"})
    assert commented.get_json()["versions"][-1]["comment"] == "restored version 2: undo"
    assert api.post(f"{URL}/{asset['id']}/versions/5/restore", {}).status_code == 422
    assert api.post(f"{URL}/{asset['id']}/versions/99/restore", {}).status_code == 404


# --- trash --------------------------------------------------------------------------------


def test_delete_moves_to_the_trash_and_restore_takes_it_back(api, catalog):
    asset = created(api, jpeg(19), metadata={"links": [{"owner": "TS-CREW-RED-M"}]})
    item = f"{URL}/{asset['id']}"

    in_use = api.delete(item)
    assert in_use.status_code == 409
    assert "force=true" in in_use.get_json()["detail"]
    assert api.delete(f"{item}?force=maybe").status_code == 422
    assert api.delete(f"{item}?force=true").status_code == 204
    trashed = api.get(item).get_json()
    assert trashed["in_trash"] is True and trashed["links"] == []
    assert [a["id"] for a in api.get(URL).get_json()["items"]] == []
    assert [a["id"] for a in api.get(f"{URL}?in_trash=true").get_json()["items"]] == [asset["id"]]
    assert api.delete(item).status_code == 204  # already there
    assert api.get(f"{item}/download?preset=thumb").status_code == 404

    restored = api.patch(item, {"in_trash": False})
    assert restored.status_code == 200 and restored.get_json()["in_trash"] is False
    assert api.patch(item, {"in_trash": "maybe"}).status_code == 422
    assert [a["id"] for a in api.get(URL).get_json()["items"]] == [asset["id"]]
    assert api.delete("/api/v1/assets/999999").status_code == 404


# --- permissions --------------------------------------------------------------------------


def test_reading_needs_read_writing_needs_edit_and_every_call_a_token(api, api_as, catalog, client):
    asset = created(api, jpeg(20))
    item = f"{URL}/{asset['id']}"
    reads = (URL, item, f"{item}/links", f"{item}/renditions", f"{item}/download")
    for role, may_read, may_write in (
        ("admin", True, True),
        ("editor", True, True),
        ("translator", True, False),
        ("viewer", True, False),
        ("supplier", False, False),
    ):
        user = api_as(role)
        assert {user.get(url).status_code for url in reads} == {200 if may_read else 403}, role
        writes = {
            "upload": upload(user, jpeg(21), "mine.jpg").status_code,
            "patch": user.patch(item, {"creator": role}).status_code,
            "link": user.open(
                "PUT", f"{item}/links/products/TS-CREW-RED-S", json_body={}
            ).status_code,
            "unlink": user.delete(f"{item}/links/products/TS-CREW-RED-S").status_code,
            "version": upload(user, jpeg(22), "v2.jpg", url=f"{item}/versions").status_code,
            "trash": user.delete(item).status_code,
            "restore": user.patch(item, {"in_trash": False}).status_code,
        }
        if may_write:
            assert writes == {
                "upload": 201 if role == "admin" else 200,  # the editor's is a duplicate
                "patch": 200,
                "link": 201,
                "unlink": 204,
                "version": 201 if role == "admin" else 422,  # the same bytes as the current file
                "trash": 204,
                "restore": 200,
            }, role
        else:
            assert set(writes.values()) == {403}, (role, writes)

    for method, url in (
        ("GET", URL),
        ("GET", item),
        ("GET", f"{item}/download"),
        ("POST", URL),
        ("PATCH", item),
        ("PUT", f"{item}/links/products/TS-CREW-RED-S"),
        ("DELETE", item),
    ):
        for headers in ({}, {"Authorization": "Bearer vtr_nope"}):
            response = client.open(url, method=method, headers=headers)
            assert response.status_code == 401, (method, url)
            assert response.get_json()["code"] == "unauthorized"
