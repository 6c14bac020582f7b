"""Products through the API: CRUD, merge semantics, idempotence, ETags, trimming and bad
input of every kind (each refused with a problem document, never a 500)."""

from __future__ import annotations

import json
from dataclasses import replace

from pim.api import products as api_products
from pim.models import Version
from pim.services import history, product_models, products
from pim.services.actors import Actor

URL = "/api/v1/products"


def value(data, locale=None, scope=None):
    return [{"locale": locale, "scope": scope, "data": data}]


def _errors(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    body = response.get_json()
    assert body["type"].startswith("https://vitrine.dev/problems/")
    assert body["status"] == response.status_code
    return {e["field"]: e["message"] for e in body.get("errors", [])}


def _versions(db_session, identifier):
    product = products.get_product(db_session, identifier)
    return [v.number for v in history.list_versions(db_session, "product", product.id)]


def test_create_get_and_delete_a_product(api, catalog, db_session):
    payload = {
        "identifier": "TEE-1",
        "family": "tshirts",
        "categories": ["women"],
        "values": {
            "name": value("Tee", "en_US") + value("T-shirt", "fr_FR"),
            "color": value("blue"),
            "price": value([{"amount": "10.00", "currency": "EUR"}]),
        },
    }
    created = api.post(URL, payload)
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith("/api/v1/products/TEE-1")
    assert created.headers["ETag"]
    body = created.get_json()
    assert body["identifier"] == "TEE-1"
    assert body["family"] == "tshirts"
    assert body["categories"] == ["women"]
    assert body["values"]["color"] == value("blue")
    assert body["version"] == 1

    fetched = api.get(f"{URL}/TEE-1")
    assert fetched.status_code == 200
    assert fetched.get_json()["values"] == body["values"]
    assert fetched.headers["ETag"] == created.headers["ETag"]

    assert api.post(URL, payload).status_code == 409
    deleted = api.delete(f"{URL}/TEE-1")
    assert deleted.status_code == 204
    assert api.get(f"{URL}/TEE-1").status_code == 404
    last = db_session.query(Version).filter_by(resource_key="TEE-1").order_by(Version.id).all()[-1]
    assert last.snapshot == {"deleted": True}
    assert last.source == "api"
    assert last.author == api.user.email


def test_a_variant_shows_its_inherited_values(api, catalog):
    body = api.get(f"{URL}/TS-CREW-RED-S").get_json()
    assert body["parent"] == "TS-CREW-RED"
    assert body["values"]["color"] == value("red")  # from the sub-model
    assert body["values"]["brand"] == value("vitrine")  # from the root model
    assert body["values"]["size"] == value("s")


def test_patch_replaces_scalars_and_merges_values_and_associations(api, catalog, db_session):
    api.post(URL, {"identifier": "OTHER", "family": "tshirts"})
    api.post(
        URL,
        {
            "identifier": "TEE-2",
            "family": "tshirts",
            "categories": ["women"],
            "values": {"name": value("Tee", "en_US") + value("T-shirt FR", "fr_FR")},
            "associations": {"cross_sell": {"products": ["TS-CREW-RED-S"]}},
        },
    )
    response = api.patch(
        f"{URL}/TEE-2",
        {
            "enabled": False,
            "categories": ["men"],
            "values": {"name": value("Tee v2", "en_US"), "color": value("black")},
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["enabled"] is False
    assert body["categories"] == ["men"]  # a list is replaced
    names = {e["locale"]: e["data"] for e in body["values"]["name"]}
    assert names == {"en_US": "Tee v2", "fr_FR": "T-shirt FR"}  # merged per locale
    assert body["values"]["color"] == value("black")
    assert body["associations"]["cross_sell"]["products"] == ["TS-CREW-RED-S"]  # kept

    cleared = api.patch(f"{URL}/TEE-2", {"values": {"name": value(None, "fr_FR")}}).get_json()
    assert [e["locale"] for e in cleared["values"]["name"]] == ["en_US"]


def test_the_same_patch_twice_records_no_new_version(api, catalog, db_session):
    api.post(URL, {"identifier": "TEE-3", "family": "tshirts"})
    change = {"values": {"name": value("Idem", "en_US"), "color": value("red")}, "enabled": True}
    first = api.patch(f"{URL}/TEE-3", change)
    second = api.patch(f"{URL}/TEE-3", change)
    assert first.status_code == second.status_code == 200
    assert first.headers["ETag"] == second.headers["ETag"]
    assert second.get_json()["version"] == first.get_json()["version"]
    assert sorted(_versions(db_session, "TEE-3")) == [1, 2]


def test_patch_creates_a_missing_product_with_the_url_identifier(api, catalog):
    response = api.patch(f"{URL}/NEW-1", {"family": "tshirts", "values": {"color": value("red")}})
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/api/v1/products/NEW-1")
    assert response.get_json()["identifier"] == "NEW-1"
    mismatch = api.patch(f"{URL}/NEW-1", {"identifier": "RENAMED"})
    assert mismatch.status_code == 422
    assert "identifier" in _errors(mismatch)


def test_if_match_protects_against_lost_updates(api, catalog, db_session):
    created = api.post(URL, {"identifier": "TEE-4", "family": "tshirts"})
    etag = created.headers["ETag"]
    ok = api.patch(f"{URL}/TEE-4", {"enabled": False}, headers={"If-Match": etag})
    assert ok.status_code == 200
    assert ok.headers["ETag"] != etag
    stale = api.patch(f"{URL}/TEE-4", {"enabled": True}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["code"] == "precondition_failed"
    assert api.get(f"{URL}/TEE-4").get_json()["enabled"] is False
    assert api.delete(f"{URL}/TEE-4", headers={"If-Match": etag}).status_code == 412
    assert api.patch(f"{URL}/NOPE", {}, headers={"If-Match": etag}).status_code == 412
    assert api.delete(f"{URL}/TEE-4", headers={"If-Match": ok.headers["ETag"]}).status_code == 204


def test_without_if_match_the_last_writer_wins_and_history_keeps_both(api_as, catalog, db_session):
    first, second = api_as("editor"), api_as("admin")
    first.post(URL, {"identifier": "TEE-5", "family": "tshirts"})
    first.patch(f"{URL}/TEE-5", {"values": {"color": value("red")}})
    second.patch(f"{URL}/TEE-5", {"values": {"color": value("blue")}})
    assert first.get(f"{URL}/TEE-5").get_json()["values"]["color"] == value("blue")
    product = products.get_product(db_session, "TEE-5")
    authors = [v.author for v in history.list_versions(db_session, "product", product.id)]
    assert set(authors) == {first.user.email, second.user.email}
    assert len(authors) == 3


def test_if_none_match_gives_304_until_the_product_or_its_model_changes(api, catalog, db_session):
    etag = api.get(f"{URL}/TS-CREW-RED-S").headers["ETag"]
    cached = api.get(f"{URL}/TS-CREW-RED-S", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.headers["ETag"] == etag
    model = product_models.get_model(db_session, "TS-CREW")
    product_models.update_model(
        db_session, model, {"values": {"brand": value("acme")}}, Actor.system()
    )
    fresh = api.get(f"{URL}/TS-CREW-RED-S", headers={"If-None-Match": etag})
    assert fresh.status_code == 200  # an inherited value changed
    assert fresh.get_json()["values"]["brand"] == value("acme")


def test_get_trims_values_and_adds_completeness(api, catalog):
    api.post(
        URL,
        {
            "identifier": "TEE-6",
            "family": "tshirts",
            "values": {
                "name": value("Tee", "en_US") + value("Tee FR", "fr_FR"),
                "description": value("<p>Web</p>", "en_US", "ecommerce")
                + value("<p>Print</p>", "fr_FR", "print"),
                "color": value("red"),
            },
        },
    )
    full = api.get(f"{URL}/TEE-6")
    trimmed = api.get(f"{URL}/TEE-6?locales=fr_FR&scope=print&attributes=name,description,color")
    assert trimmed.status_code == 200
    values = trimmed.get_json()["values"]
    assert values["name"] == value("Tee FR", "fr_FR")
    assert values["description"] == value("<p>Print</p>", "fr_FR", "print")
    assert values["color"] == value("red")
    assert trimmed.headers["ETag"] != full.headers["ETag"]
    only = api.get(f"{URL}/TEE-6?attributes=color").get_json()["values"]
    assert list(only) == ["color"]
    assert "completeness" not in full.get_json()
    with_c = api.get(f"{URL}/TEE-6?with_completeness=true&scope=ecommerce&locales=en_US")
    rows = with_c.get_json()["completeness"]
    assert [(r["channel"], r["locale"]) for r in rows] == [("ecommerce", "en_US")]
    assert "price" in rows[0]["missing"]
    assert 0 < rows[0]["ratio"] < 100
    # an If-Match with a trimmed representation's tag still names the version
    etag = trimmed.headers["ETag"]
    assert (
        api.patch(f"{URL}/TEE-6", {"enabled": False}, headers={"If-Match": etag}).status_code == 200
    )


def test_unknown_channel_or_locale_in_trimming_is_a_422(api, catalog):
    assert "scope" in _errors(api.get(f"{URL}/TS-CREW-RED-S?scope=nope"))
    assert "locales" in _errors(api.get(f"{URL}/TS-CREW-RED-S?locales=xx_XX"))


def test_validation_problems_name_each_field(api, catalog):
    response = api.post(
        URL,
        {
            "identifier": "BAD-1",
            "family": "tshirts",
            "values": {
                "nope": value("x"),  # unknown attribute
                "color": value("red", "en_US"),  # locale on a non-localizable attribute
                "pieces": value("many"),  # not a number
            },
        },
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_failed"
    errors = _errors(response)
    assert set(errors) == {"values.nope", "values.color", "values.pieces"}
    color = next(e for e in body["errors"] if e["field"] == "values.color")
    assert color["locale"] == "en_US"
    assert "\n" not in body["detail"] and "Traceback" not in response.get_data(as_text=True)
    assert api.get(f"{URL}/BAD-1").status_code == 404


def test_wrong_types_and_unknown_fields_are_refused_by_the_schema(api, catalog):
    response = api.post(
        URL,
        {
            "identifier": 12,
            "enabled": "yes",
            "categories": "women",
            "values": {"name": {"locale": "en_US", "data": "x"}},
            "colour": "red",
            "workflow_status": "published",
        },
    )
    assert response.status_code == 422
    errors = _errors(response)
    assert {
        "identifier",
        "enabled",
        "categories",
        "values.name",
        "colour",
        "workflow_status",
    } <= set(errors)
    assert api.patch(f"{URL}/TS-CREW-RED-S", [1, 2]).status_code == 422
    entry = api.patch(f"{URL}/TS-CREW-RED-S", {"values": {"size": [{"locale": None}]}})
    assert "values.size.0.data" in _errors(entry)


def test_malformed_json_is_a_400_and_other_media_types_a_415(api, catalog):
    bad = api.open(
        "PATCH",
        f"{URL}/TS-CREW-RED-S",
        data=b'{"enabled": tru',
        headers={"Content-Type": "application/json"},
    )
    assert bad.status_code == 400
    assert bad.get_json()["code"] == "bad_request"
    not_utf8 = api.open(
        "POST", URL, data=b'{"identifier": "\xff"}', headers={"Content-Type": "application/json"}
    )
    assert not_utf8.status_code == 400
    text = api.open(
        "PATCH",
        f"{URL}/TS-CREW-RED-S",
        data=b"enabled=false",
        headers={"Content-Type": "text/plain"},
    )
    assert text.status_code == 415
    assert text.get_json()["code"] == "unsupported_media_type"


def test_a_body_over_10_mb_is_a_413(api, catalog):
    big = json.dumps({"values": {"name": value("x" * (10 * 1024 * 1024), "en_US")}})
    response = api.open(
        "PATCH", f"{URL}/TS-CREW-RED-S", data=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"


def test_unicode_is_kept_and_nul_bytes_are_refused_clearly(api, catalog):
    text = "Tee \u00e9t\u00e9 \u6f22\u5b57 \U0001f455 \u200f\u05e2\u05d1"
    created = api.post(
        URL,
        {"identifier": "TEE-\u00e9", "family": "tshirts", "values": {"name": value(text, "en_US")}},
    )
    assert created.status_code == 201, created.get_json()
    fetched = api.get(f"{URL}/TEE-%C3%A9").get_json()
    assert fetched["values"]["name"] == value(text, "en_US")
    for payload in (
        {"values": {"name": value("a\x00b", "en_US")}},
        {"values": {"name\x00": value("x", "en_US")}},
        {"family": "tsh\x00irts"},
        {"categories": ["wo\x00men"]},
        {"values": {"name": [{"locale": "en\x00US", "scope": None, "data": "x"}]}},
    ):
        response = api.patch(f"{URL}/TEE-%C3%A9", payload)
        assert response.status_code == 422, (payload, response.get_data())
        assert any("NUL" in m for m in _errors(response).values())
    assert api.get(f"{URL}/TEE%00").status_code == 404
    assert api.get(f"{URL}?family=ts%00").status_code == 422
    assert api.get(f"{URL}?search=a%00b").status_code == 422


def test_non_finite_numbers_are_refused(api, catalog):
    response = api.open(
        "PATCH",
        f"{URL}/TS-CREW-RED-S",
        data=b'{"values": {"pieces": [{"locale": null, "scope": null, "data": NaN}]}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422


def test_unknown_urls_and_methods_under_the_api_are_problems(api, catalog):
    missing = api.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    wrong = api.open("PUT", f"{URL}/TS-CREW-RED-S")
    assert wrong.status_code == 405
    assert wrong.get_json()["code"] == "method_not_allowed"
    assert "PATCH" in wrong.headers["Allow"]
    assert api.get(f"{URL}/NOPE").get_json()["code"] == "not_found"


def test_a_server_error_is_a_generic_problem_without_trace(api, catalog, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(
        api_products, "RESOURCE", replace(api_products.RESOURCE, to_standard=broken)
    )
    response = api.get(f"{URL}/TS-CREW-RED-S")
    assert response.status_code == 500
    assert response.get_json()["code"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)
    assert "secret internals" in caplog.text
