"""Families and family variants through the API: requirements per channel drive
completeness, levels and axes are checked by the services, deletions are refused while
products use them, and every role gets what the settings give it."""

from __future__ import annotations

import pytest

from pim.models import Completeness, Version

URL = "/api/v1/families"
VARIANTS = f"{URL}/tshirts/variants"


def _errors(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    return {e["field"]: e["message"] for e in response.get_json().get("errors", [])}


def _versions(db_session, resource_type, code) -> int:
    return (
        db_session.query(Version).filter_by(resource_type=resource_type, resource_key=code).count()
    )


@pytest.fixture
def admin(api_as):
    return api_as("admin")


def test_get_and_list_families(admin, catalog):
    body = admin.get(f"{URL}/tshirts").get_json()
    assert body["label_attribute"] == "name"
    assert body["labels"] == {"en_US": "T-shirts"}
    assert body["requirements"]["print"] == ["name", "price", "sku"]
    assert "ean" in body["attributes"]
    page = admin.get(URL).get_json()
    assert [f["code"] for f in page["items"]] == ["tshirts"] and page["next"] is None
    assert admin.get(f"{URL}?search=shirt").get_json()["items"][0]["code"] == "tshirts"
    assert admin.get(f"{URL}?search=zzz").get_json()["items"] == []
    assert admin.get(f"{URL}/nope").status_code == 404


def test_create_update_and_delete_a_family(admin, catalog, db_session):
    payload = {
        "code": "dresses",
        "labels": {"en_US": "Dresses"},
        "attributes": ["name", "price", "color", "images"],
        "label_attribute": "name",
        "image_attribute": "images",
        "requirements": {"ecommerce": ["name", "price"]},
    }
    created = admin.post(URL, payload)
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith(f"{URL}/dresses")
    body = created.get_json()
    assert body["attributes"] == ["color", "images", "name", "price", "sku"]  # identifier added
    assert body["image_attribute"] == "images"
    assert body["requirements"] == {"ecommerce": ["name", "price"]}
    assert admin.post(URL, payload).status_code == 409

    change = {"requirements": {"print": ["name"]}, "labels": {"en_US": "Robes"}}
    first = admin.patch(f"{URL}/dresses", change)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["requirements"] == {"ecommerce": ["name", "price"], "print": ["name"]}
    second = admin.patch(f"{URL}/dresses", change)
    assert second.headers["ETag"] == first.headers["ETag"]
    assert _versions(db_session, "family", "dresses") == 2

    removed = admin.patch(f"{URL}/dresses", {"attributes": ["name", "color"]}).get_json()
    assert removed["requirements"] == {"ecommerce": ["name"], "print": ["name"]}
    assert removed["image_attribute"] == "images" or removed["image_attribute"] is None

    deleted = admin.delete(f"{URL}/dresses", headers={"If-Match": "*"})
    assert deleted.status_code == 204
    assert admin.get(f"{URL}/dresses").status_code == 404


def test_a_requirement_change_recomputes_completeness(admin, catalog, db_session):
    def ratio():
        product = catalog.product("TS-CREW-RED-S")
        rows = db_session.query(Completeness).filter_by(product_id=product.id).all()
        return sorted(r.ratio for r in rows)

    before = ratio()
    response = admin.patch(
        f"{URL}/tshirts", {"requirements": {"ecommerce": ["sku"], "print": ["sku"]}}
    )
    assert response.status_code == 200, response.get_json()
    assert ratio() != before
    assert set(ratio()) == {100}


def test_family_refusals(admin, catalog, db_session):
    used = admin.delete(f"{URL}/tshirts")
    assert used.status_code == 409
    assert "product" in used.get_json()["detail"]
    assert used.get_json()["code"] == "conflict"
    outside = admin.patch(f"{URL}/tshirts", {"label_attribute": "nope"})
    assert "label_attribute" in _errors(outside)
    channel = admin.patch(f"{URL}/tshirts", {"requirements": {"shop": ["sku"]}})
    assert "requirements" in _errors(channel)
    unknown = admin.post(URL, {"code": "x", "attributes": ["nope"]})
    assert "attributes" in _errors(unknown)
    types = admin.post(URL, {"code": "x", "attributes": "name", "requirements": ["sku"]})
    assert {"attributes", "requirements"} <= set(_errors(types))
    nul = admin.patch(f"{URL}/tshirts", {"labels": {"en\x00US": "x"}})
    assert nul.status_code == 422
    assert "code" in _errors(admin.patch(f"{URL}/tshirts", {"code": "other"}))
    etag = admin.get(f"{URL}/tshirts").headers["ETag"]
    admin.patch(f"{URL}/tshirts", {"labels": {"en_US": "Tees"}})
    assert (
        admin.patch(f"{URL}/tshirts", {"labels": {}}, headers={"If-Match": etag}).status_code == 412
    )
    assert admin.get(f"{URL}/tshirts", headers={"If-None-Match": etag}).status_code == 200


def test_family_variants(admin, catalog, db_session):
    listed = admin.get(VARIANTS).get_json()
    assert [v["code"] for v in listed["items"]] == ["tshirts_color_size"]
    fetched = admin.get(f"{VARIANTS}/tshirts_color_size")
    levels = fetched.get_json()["variant_attribute_sets"]
    assert levels[0] == {"level": 1, "axes": ["color"], "attributes": ["color", "images"]}
    assert levels[1]["axes"] == ["size"]

    payload = {
        "code": "tshirts_size",
        "labels": {"en_US": "By size"},
        "variant_attribute_sets": [{"axes": ["size"], "attributes": ["ean"]}],
    }
    created = admin.post(VARIANTS, payload)
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith(f"{VARIANTS}/tshirts_size")
    assert created.get_json()["family"] == "tshirts"
    assert admin.post(VARIANTS, payload).status_code == 409

    unused = {"variant_attribute_sets": [{"level": 1, "axes": ["color", "size"]}]}
    changed = admin.patch(f"{VARIANTS}/tshirts_size", unused)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["variant_attribute_sets"][0]["axes"] == ["color", "size"]
    assert (
        admin.patch(f"{VARIANTS}/tshirts_size", unused).headers["ETag"] == changed.headers["ETag"]
    )
    assert _versions(db_session, "family_variant", "tshirts_size") == 2

    locked = admin.patch(f"{VARIANTS}/tshirts_color_size", unused)
    assert locked.status_code == 422
    assert "product models" in _errors(locked)["variant_attribute_sets"]
    axis = admin.post(VARIANTS, {"code": "bad", "variant_attribute_sets": [{"axes": ["name"]}]})
    assert "variant_attribute_sets" in _errors(axis)
    three = [{"axes": ["size"]}, {"axes": ["color"]}, {"axes": ["washable"]}]
    assert "variant_attribute_sets" in _errors(
        admin.post(VARIANTS, {"code": "bad", "variant_attribute_sets": three})
    )
    assert "variant_attribute_sets" in _errors(admin.post(VARIANTS, {"code": "bad"}))
    other = admin.post(VARIANTS, {**payload, "code": "x", "family": "dresses"})
    assert "family" in _errors(other)

    used = admin.delete(f"{VARIANTS}/tshirts_color_size")
    assert used.status_code == 409 and "product models" in used.get_json()["detail"]
    assert admin.delete(f"{VARIANTS}/tshirts_size").status_code == 204
    assert admin.get(f"{VARIANTS}/tshirts_size").status_code == 404
    assert admin.get(f"{URL}/nope/variants").status_code == 404
    admin.post(URL, {"code": "socks", "attributes": ["size"]})
    assert admin.get(f"{URL}/socks/variants/tshirts_color_size").status_code == 404


def test_only_admins_write(api_as, catalog, client):
    for role in ("editor", "translator", "viewer"):
        caller = api_as(role)
        assert caller.get(f"{URL}/tshirts").status_code == 200, role
        assert caller.get(VARIANTS).status_code == 200
        assert caller.post(URL, {"code": "x"}).status_code == 403
        assert caller.patch(f"{URL}/tshirts", {"labels": {}}).status_code == 403
        assert caller.delete(f"{URL}/tshirts").status_code == 403
        variant = {"code": "x", "variant_attribute_sets": [{"axes": ["size"]}]}
        assert caller.post(VARIANTS, variant).status_code == 403
        assert caller.patch(f"{VARIANTS}/tshirts_color_size", {"labels": {}}).status_code == 403
        assert caller.delete(f"{VARIANTS}/tshirts_color_size").status_code == 403
    assert api_as("supplier").get(URL).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.get(f"{VARIANTS}/tshirts_color_size").status_code == 401
