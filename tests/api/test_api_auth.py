"""Bearer tokens, roles and the things the API never does (cookies, CSRF)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pim.auth import issue_token, revoke_token
from pim.models import ApiToken
from pim.services import products
from pim.services.actors import Actor

SYSTEM = Actor.system()

PRODUCT = {"identifier": "API-1", "family": "tshirts"}


def _problem(response):
    assert response.headers["Content-Type"] == "application/problem+json"
    return response.get_json()


def test_every_failed_authentication_is_the_same_plain_401(client, db_session, make_user):
    user = make_user(role="admin")
    revoked = issue_token(db_session, user)
    revoke_token(db_session, db_session.query(ApiToken).one())
    inactive_user = make_user(role="admin")
    inactive = issue_token(db_session, inactive_user)
    inactive_user.active = False
    attempts = [
        {},
        {"Authorization": "Bearer vtr_not-a-real-token"},
        {"Authorization": f"Bearer {revoked}"},
        {"Authorization": f"Bearer {inactive}"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "\u00e9" * 20},
    ]
    bodies = set()
    for headers in attempts:
        response = client.get("/api/v1/products", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = _problem(response)
        assert body["code"] == "unauthorized"
        bodies.add(response.get_data())
    assert len(bodies) == 1


def test_a_valid_token_reads_and_last_use_is_written_at_most_once_a_minute(
    api, db_session, catalog
):
    row = db_session.query(ApiToken).filter_by(user_id=api.user.id).one()
    assert row.last_used_at is None
    assert api.get("/api/v1/products").status_code == 200
    db_session.refresh(row)
    first = row.last_used_at
    assert first is not None
    assert api.get("/api/v1/products").status_code == 200
    db_session.refresh(row)
    assert row.last_used_at == first  # not rewritten within the minute
    row.last_used_at = first - timedelta(minutes=2)
    assert api.get("/api/v1/products").status_code == 200
    db_session.refresh(row)
    assert row.last_used_at > first - timedelta(minutes=2)


def test_a_token_stops_working_once_revoked(api, db_session, catalog):
    assert api.get("/api/v1/products").status_code == 200
    revoke_token(db_session, db_session.query(ApiToken).filter_by(user_id=api.user.id).one())
    assert api.get("/api/v1/products").status_code == 401


READS = [
    ("GET", "/api/v1/products"),
    ("GET", "/api/v1/products/TS-CREW-RED-S"),
    ("GET", "/api/v1/product-models"),
    ("GET", "/api/v1/product-models/TS-CREW"),
]
WRITES = [
    ("POST", "/api/v1/products", PRODUCT),
    ("PATCH", "/api/v1/products/TS-CREW-RED-S", {"enabled": False}),
    ("DELETE", "/api/v1/products/TS-CREW-RED-M", None),
    ("POST", "/api/v1/product-models", {"code": "M-API", "family_variant": "tshirts_color_size"}),
    ("PATCH", "/api/v1/product-models/TS-CREW", {"workflow_status": "in_review"}),
    ("DELETE", "/api/v1/product-models/TS-CREW-RED", None),
]


@pytest.mark.parametrize(
    ("role", "can_read", "can_write"),
    [
        ("admin", True, True),
        ("editor", True, True),
        ("translator", True, False),
        ("viewer", True, False),
        ("supplier", False, False),
    ],
)
def test_each_role_gets_what_the_ui_allows(api_as, catalog, role, can_read, can_write):
    api = api_as(role)
    for method, url in READS:
        response = api.open(method, url)
        assert response.status_code == (200 if can_read else 403), (method, url)
    for method, url, body in WRITES:
        response = api.open(method, url, json_body=body)
        if can_write:
            assert response.status_code in (200, 201, 204), (method, url, response.get_json())
        else:
            assert response.status_code == 403, (method, url)
            assert _problem(response)["code"] == "forbidden"
    batch = api.ndjson("/api/v1/products", [PRODUCT])
    assert batch.status_code == (200 if can_write else 403)


def test_the_session_cookie_does_not_authenticate(logged_in_client, catalog):
    browser = logged_in_client("admin")
    assert browser.get("/products").status_code == 200
    assert browser.get("/api/v1/products").status_code == 401


def test_api_writes_need_no_csrf_token_and_set_no_cookie(api, app, catalog, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = api.post("/api/v1/products", PRODUCT)
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


def test_docs_and_document_are_public(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_a_translator_patches_only_the_values_of_their_locales(api_as, catalog, db_session):
    translator = api_as("translator")
    translator.user.locales = ["fr_FR"]
    products.create_product(db_session, {"identifier": "TR-1", "family": "tshirts"}, SYSTEM)
    url = "/api/v1/products/TR-1"
    name = [{"locale": "fr_FR", "scope": None, "data": "T-shirt col rond"}]
    ok = translator.patch(url, {"values": {"name": name}})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["values"]["name"] == name
    refused = [
        (url, {"values": {"name": [{"locale": "en_US", "scope": None, "data": "x"}]}}),
        (url, {"values": {"color": [{"locale": None, "scope": None, "data": "blue"}]}}),
        (url, {"enabled": False}),
        ("/api/v1/products/NEW-BY-TRANSLATOR", {"values": {"name": name}}),
        ("/api/v1/product-models/TS-CREW", {"workflow_status": "in_review"}),
    ]
    for target, body in refused:
        response = translator.patch(target, body)
        assert response.status_code == 403, (target, body)
    model = translator.patch("/api/v1/product-models/TS-CREW", {"values": {"name": name}})
    assert model.status_code == 200


def test_unknown_query_parameters_are_refused_not_ignored(api, catalog):
    response = api.get("/api/v1/products?familly=tshirts")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "familly"
