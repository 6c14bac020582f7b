"""Category trees through the API: create under a parent, list by parent or tree, move a
subtree with PATCH, delete (refused while a channel uses the tree)."""

from __future__ import annotations

import pytest

from pim.models import Category, Version

URL = "/api/v1/categories"


def _errors(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    return {e["field"]: e["message"] for e in response.get_json().get("errors", [])}


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["code"] for item in response.get_json()["items"]]


@pytest.fixture
def admin(api_as):
    return api_as("admin")


def test_list_and_filters(admin, catalog):
    assert _codes(admin.get(URL)) == ["master", "women", "men", "women_tops"]
    assert _codes(admin.get(f"{URL}?parent=master")) == ["women", "men"]
    assert _codes(admin.get(f"{URL}?root=women")) == ["women", "women_tops"]
    assert _codes(admin.get(f"{URL}?is_root=true")) == ["master"]
    assert _codes(admin.get(f"{URL}?is_root=false&search=WOM")) == ["women", "women_tops"]
    assert _codes(admin.get(f"{URL}?search=Master")) == ["master"]  # the English label
    first = admin.get(f"{URL}?limit=3").get_json()
    assert admin.get(first["next"]).get_json()["items"][0]["code"] == "women_tops"
    assert "parent" in _errors(admin.get(f"{URL}?parent=nope"))
    assert "root" in _errors(admin.get(f"{URL}?root=nope"))
    assert "search" in _errors(admin.get(f"{URL}?search=a%00b"))
    assert admin.get(f"{URL}/women_tops").get_json() == {
        "code": "women_tops",
        "parent": "women",
        "labels": {},
        "sort_order": 0,
    }


def test_create_update_move_and_delete(admin, catalog, db_session):
    created = admin.post(URL, {"code": "sale", "labels": {"en_US": "Sale"}})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["parent"] is None
    assert created.headers["Location"].endswith(f"{URL}/sale")
    child = admin.post(URL, {"code": "sale_tops", "parent": "sale", "sort_order": 2})
    assert child.get_json()["parent"] == "sale"
    assert admin.post(URL, {"code": "sale"}).status_code == 409
    assert "parent" in _errors(admin.post(URL, {"code": "x", "parent": "nope"}))

    labels = {"labels": {"en_US": "Sales", "fr_FR": "Soldes"}}
    first = admin.patch(f"{URL}/sale", labels)
    assert first.status_code == 200
    assert admin.patch(f"{URL}/sale", labels).headers["ETag"] == first.headers["ETag"]
    count = db_session.query(Version).filter_by(resource_type="category", resource_key="sale")
    assert count.count() == 2

    moved = admin.patch(f"{URL}/sale", {"parent": "men"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["parent"] == "men"
    assert _codes(admin.get(f"{URL}?root=master"))[-2:] == ["sale", "sale_tops"]
    tops = db_session.query(Category).filter_by(code="sale_tops").one()
    men = db_session.query(Category).filter_by(code="men").one()
    db_session.refresh(tops)
    assert tops.path.startswith(men.path)  # the subtree moved along
    loop = admin.patch(f"{URL}/sale", {"parent": "sale_tops"})
    assert loop.status_code == 422 and "parent" in _errors(loop)
    assert admin.patch(f"{URL}/sale", {"parent": None}).get_json()["parent"] is None

    assert admin.delete(f"{URL}/sale").status_code == 204
    assert admin.get(f"{URL}/sale_tops").status_code == 404  # the subtree went too


def test_a_channel_tree_cannot_be_deleted_or_moved(admin, catalog):
    admin.post(URL, {"code": "other"})
    refused = admin.delete(f"{URL}/master")
    assert refused.status_code == 409
    assert "channel" in refused.get_json()["detail"]
    moved = admin.patch(f"{URL}/master", {"parent": "other", "labels": {"en_US": "Changed"}})
    assert moved.status_code == 409
    assert admin.get(f"{URL}/master").get_json()["labels"] == {"en_US": "Master"}
    assert admin.get(f"{URL}/women").status_code == 200


def test_products_lose_a_deleted_category(admin, catalog):
    admin.post(URL, {"code": "promo", "parent": "women"})
    api_products = "/api/v1/products"
    admin.post(api_products, {"identifier": "P-9", "family": "tshirts", "categories": ["promo"]})
    assert admin.delete(f"{URL}/promo").status_code == 204
    assert admin.get(f"{api_products}/P-9").get_json()["categories"] == []


def test_etags_and_bad_input(admin, catalog):
    etag = admin.get(f"{URL}/men").headers["ETag"]
    assert admin.get(f"{URL}/men", headers={"If-None-Match": etag}).status_code == 304
    assert (
        admin.patch(f"{URL}/men", {"sort_order": 5}, headers={"If-Match": etag}).status_code == 200
    )
    assert (
        admin.patch(f"{URL}/men", {"sort_order": 6}, headers={"If-Match": etag}).status_code == 412
    )
    assert admin.delete(f"{URL}/men", headers={"If-Match": etag}).status_code == 412
    bad = admin.post(URL, {"code": ["x"], "parent": 3, "sort_order": "first", "labels": []})
    assert {"code", "parent", "sort_order", "labels"} <= set(_errors(bad))
    assert "code" in _errors(admin.post(URL, {"code": "a" * 101}))
    assert admin.post(URL, {"code": "x\x00"}).status_code == 422
    assert admin.patch(f"{URL}/nope", {"sort_order": 1}).status_code == 404


def test_roles(api_as, client, catalog):
    for role in ("editor", "translator", "viewer"):
        reader = api_as(role)
        assert reader.get(URL).status_code == 200, role
        assert reader.get(f"{URL}/men").status_code == 200
        assert reader.post(URL, {"code": "x"}).status_code == 403
        assert reader.patch(f"{URL}/men", {"parent": None}).status_code == 403
        assert reader.delete(f"{URL}/men").status_code == 403
    assert api_as("supplier").get(f"{URL}/men").status_code == 403
    assert client.get(URL).status_code == 401
    assert client.patch(f"{URL}/men", data=b"{}").status_code == 401
