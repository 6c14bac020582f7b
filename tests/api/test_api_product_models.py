"""Product models through the API: the same contract as products."""

from __future__ import annotations

from pim.services import history, product_models

URL = "/api/v1/product-models"


def value(data, locale=None, scope=None):
    return [{"locale": locale, "scope": scope, "data": data}]


def test_create_read_update_and_delete_a_model_tree(api, catalog, db_session):
    root = api.post(
        URL,
        {
            "code": "POLO",
            "family_variant": "tshirts_color_size",
            "values": {"name": value("Polo", "en_US")},
            "categories": ["men"],
        },
    )
    assert root.status_code == 201, root.get_json()
    assert root.headers["Location"].endswith("/api/v1/product-models/POLO")
    assert root.get_json()["family"] == "tshirts"
    sub = api.post(URL, {"code": "POLO-RED", "parent": "POLO", "values": {"color": value("red")}})
    assert sub.status_code == 201, sub.get_json()
    assert sub.get_json()["values"]["name"] == value("Polo", "en_US")  # inherited
    variant = api.post(
        "/api/v1/products",
        {"identifier": "POLO-RED-S", "parent": "POLO-RED", "values": {"size": value("s")}},
    )
    assert variant.status_code == 201, variant.get_json()

    etag = api.get(f"{URL}/POLO").headers["ETag"]
    patched = api.patch(
        f"{URL}/POLO", {"values": {"name": value("Polo FR", "fr_FR")}}, headers={"If-Match": etag}
    )
    assert patched.status_code == 200
    names = {e["locale"] for e in patched.get_json()["values"]["name"]}
    assert names == {"en_US", "fr_FR"}
    again = api.patch(f"{URL}/POLO", {"values": {"name": value("Polo FR", "fr_FR")}})
    assert again.headers["ETag"] == patched.headers["ETag"]
    model = product_models.get_model(db_session, "POLO")
    assert len(history.list_versions(db_session, "product_model", model.id)) == 2
    assert (
        api.patch(f"{URL}/POLO", {"enabled": True}, headers={"If-Match": etag}).status_code == 422
    )
    assert (
        api.patch(
            f"{URL}/POLO", {"workflow_status": "in_review"}, headers={"If-Match": etag}
        ).status_code
        == 412
    )

    # a variant's ETag follows its models
    before = api.get("/api/v1/products/POLO-RED-S").headers["ETag"]
    api.patch(f"{URL}/POLO-RED", {"values": {"images": value([])}})
    api.patch(f"{URL}/POLO", {"values": {"brand": value("acme")}})
    assert api.get("/api/v1/products/POLO-RED-S").headers["ETag"] != before

    assert api.delete(f"{URL}/POLO").status_code == 204
    for gone in (f"{URL}/POLO", f"{URL}/POLO-RED", "/api/v1/products/POLO-RED-S"):
        assert api.get(gone).status_code == 404


def test_model_rules_come_back_as_field_errors(api, catalog):
    response = api.post(URL, {"code": "X", "family_variant": "nope"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "family_variant"
    changed = api.patch(f"{URL}/TS-CREW-RED", {"parent": None})
    assert changed.status_code == 422
    assert changed.get_json()["errors"][0]["field"] == "parent"
    duplicate = api.post(URL, {"code": "TS-CREW", "family_variant": "tshirts_color_size"})
    assert duplicate.status_code == 409
    assert duplicate.get_json()["code"] == "conflict"


def test_model_completeness_counts_complete_variants(api, catalog):
    body = api.get(f"{URL}/TS-CREW?with_completeness=true&scope=print").get_json()
    assert body["completeness"] == [
        {"channel": "print", "locale": "fr_FR", "complete": 0, "total": 2}
    ]
