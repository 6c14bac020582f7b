"""``/api/v1/webhooks``: CRUD for administrators only, the secret shown once, the SSRF
check on save, bad input as problem documents, the delivery log, retry and ping, and
product writes through the API recording their events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pim.models import OutboxEvent, WebhookDelivery
from pim.webhooks import signing
from pim.webhooks.services import deliver_due

URL = "/api/v1/webhooks"


def _errors(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    body = response.get_json()
    assert body["status"] == response.status_code
    return {e["field"]: e["message"] for e in body.get("errors", [])}


@pytest.fixture
def admin(api_as, allow_loopback):
    return api_as("admin")


def _create(admin, receiver, events=("product.created",), **extra):
    response = admin.post(URL, {"url": receiver.url, "events": list(events), **extra})
    assert response.status_code == 201, response.get_json()
    return response


def test_create_shows_the_secret_once_then_get_update_and_delete(admin, receiver):
    created = _create(admin, receiver, description="ERP sync")
    body = created.get_json()
    assert body["secret"].startswith("whsec_")
    assert body["secret_hint"] == "…" + body["secret"][-4:]
    assert body["events"] == ["product.created"] and body["active"] is True
    assert body["created_by"] == admin.user.email
    item_url = f"{URL}/{body['id']}"
    assert created.headers["Location"].endswith(item_url)

    fetched = admin.get(item_url)
    assert fetched.status_code == 200 and "secret" not in fetched.get_json()
    assert fetched.headers["ETag"] == created.headers["ETag"]
    listed = admin.get(URL).get_json()
    assert [w["id"] for w in listed["items"]] == [body["id"]] and listed["next"] is None
    assert "secret" not in listed["items"][0]

    stale = {"If-Match": '"0-0"'}
    assert admin.patch(item_url, {"active": False}, headers=stale).status_code == 412
    patched = admin.patch(
        item_url,
        {"active": False, "events": ["product.deleted", "import.finished"]},
        headers={"If-Match": fetched.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["events"] == ["import.finished", "product.deleted"]
    assert patched.get_json()["version"] == 2 and "secret" not in patched.get_json()
    rotated = admin.patch(item_url, {"rotate_secret": True}).get_json()
    assert rotated["secret"] != body["secret"]

    assert admin.delete(item_url, headers={"If-Match": patched.headers["ETag"]}).status_code == 412
    assert admin.delete(item_url).status_code == 204
    assert admin.get(item_url).status_code == 404


def test_a_loopback_url_is_refused_unless_the_setting_allows_it(api_as, app, monkeypatch):
    admin = api_as("admin")
    monkeypatch.setitem(app.config, "FETCH_ALLOWED_NETWORKS", "")
    for url in ("http://127.0.0.1:8080/x", "http://10.1.2.3/x", "http://169.254.169.254/"):
        response = admin.post(URL, {"url": url, "events": ["product.created"]})
        assert response.status_code == 422
        assert "url" in _errors(response), url
    response = admin.post(URL, {"url": "ftp://example.com/x", "events": ["product.created"]})
    assert "only http" in _errors(response)["url"]
    monkeypatch.setitem(app.config, "FETCH_ALLOWED_NETWORKS", "127.0.0.0/8")
    allowed = admin.post(URL, {"url": "http://127.0.0.1:8080/x", "events": ["product.created"]})
    assert allowed.status_code == 201


BAD_INPUT = [
    ({"events": ["product.renamed"]}, "events"),
    ({"events": []}, "events"),
    ({"events": "product.created"}, "events"),
    ({"events": [5]}, "events.0"),
    ({"url": 5}, "url"),
    ({"url": "http://127.0.0.1/" + "a" * 2000}, "url"),
    ({"url": None}, "url"),
    ({"description": "nul \x00 byte"}, "description"),
    ({"active": "yes"}, "active"),
    ({"secret": "short"}, "secret"),
    ({"colour": "red"}, "colour"),
]


def test_bad_input_is_a_422_naming_the_field(admin, receiver):
    for payload, field in BAD_INPUT:
        body = {"url": receiver.url, "events": ["product.created"], **payload}
        response = admin.post(URL, body)
        assert response.status_code == 422, (payload, response.get_json())
        assert field in _errors(response), payload
    assert admin.get(URL).get_json()["items"] == []


def test_other_bad_requests_are_problem_documents(admin, receiver):
    webhook = _create(admin, receiver).get_json()
    assert admin.get(f"{URL}/999999").status_code == 404
    assert admin.get(f"{URL}/abc").status_code == 404
    assert admin.patch(f"{URL}/999999", {"active": True}).status_code == 404
    assert admin.patch(f"{URL}/{webhook['id']}", {"events": ["nope"]}).status_code == 422
    assert admin.get(f"{URL}?cursor=bogus").status_code == 422
    assert admin.get(f"{URL}?limit=101").status_code == 422
    assert admin.get(f"{URL}/{webhook['id']}/deliveries?status=lost").status_code == 422
    assert admin.get(f"{URL}?colour=red").status_code == 422
    text = admin.open("POST", URL, data="{}", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and _errors(text) == {}
    broken = admin.open("POST", URL, data="{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    huge = admin.open(
        "POST", URL, data=b"x" * (11 * 1024 * 1024), headers={"Content-Type": "application/json"}
    )
    assert huge.status_code == 413


def test_only_administrators_may_use_webhooks(api_as, admin, receiver):
    webhook = _create(admin, receiver).get_json()
    item = f"{URL}/{webhook['id']}"
    for role in ("editor", "translator", "viewer", "supplier", None):
        caller = api_as(role or "viewer")
        if role is None:
            caller.token = None
        calls = [
            caller.get(URL),
            caller.post(URL, {"url": receiver.url, "events": ["product.created"]}),
            caller.get(item),
            caller.patch(item, {"active": False}),
            caller.delete(item),
            caller.get(f"{item}/deliveries"),
            caller.post(f"{item}/ping", {}),
            caller.get(f"{URL}/event-types"),
            caller.open("HEAD", item),
        ]
        expected = 401 if role is None else 403
        assert [c.status_code for c in calls] == [expected] * len(calls), role
        assert all(c.headers["Content-Type"] == "application/problem+json" for c in calls[:-1])
    assert admin.get(item).get_json()["active"] is True
    assert len(admin.get(URL).get_json()["items"]) == 1
    assert receiver.requests == []


def test_event_types_are_listed(admin):
    types = {t["type"] for t in admin.get(f"{URL}/event-types").get_json()["items"]}
    assert {
        "product.created",
        "product.updated",
        "product.deleted",
        "import.finished",
        "asset.updated",
        "feed.run.finished",
    } <= types
    assert "ping" not in types


def test_product_writes_through_the_api_are_delivered(admin, api_as, catalog, db_session, receiver):
    secret = _create(
        admin, receiver, events=["product.created", "product.updated", "product.deleted"]
    ).get_json()["secret"]
    editor = api_as("editor")
    assert (
        editor.post("/api/v1/products", {"identifier": "API-1", "family": "tshirts"}).status_code
        == 201
    )
    assert editor.patch("/api/v1/products/API-1", {"enabled": False}).status_code == 200
    assert editor.patch("/api/v1/products/API-1", {"enabled": False}).status_code == 200  # no-op
    refused = editor.post("/api/v1/products", {"identifier": "API-2", "family": "nope"})
    assert refused.status_code == 422  # refused writes emit nothing
    assert editor.delete("/api/v1/products/API-1").status_code == 204

    deliver_due(db_session)

    sent = [
        (r.json["type"], r.json["data"]["identifier"], r.json["data"]["version"])
        for r in receiver.requests
    ]
    assert sent == [
        ("product.created", "API-1", 1),
        ("product.updated", "API-1", 2),
        ("product.deleted", "API-1", 2),
    ]
    assert all(
        signing.verify(secret, r.body, r.headers["X-Vitrine-Signature"]) for r in receiver.requests
    )


def test_delivery_log_retry_and_ping(admin, app, catalog, db_session, receiver, monkeypatch):
    webhook = _create(admin, receiver, events=["product.created"]).get_json()
    item = f"{URL}/{webhook['id']}"
    receiver.statuses = [500]
    editor_product = {"identifier": "LOG-1", "family": "tshirts"}
    admin.post("/api/v1/products", editor_product)
    deliver_due(db_session)

    log = admin.get(f"{item}/deliveries").get_json()
    [failed] = log["items"]
    assert failed["status"] == "failed" and failed["attempts"] == 1
    assert failed["last_status_code"] == 500 and failed["response_excerpt"] == "receiver trouble"
    assert failed["event_type"] == "product.created"
    assert failed["payload"]["data"]["identifier"] == "LOG-1"
    assert failed["next_attempt_at"] is not None

    retried = admin.post(f"{item}/deliveries/{failed['id']}/retry", {})
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json()["status"] == "succeeded" and retried.get_json()["attempts"] == 2
    assert receiver.requests[0].body == receiver.requests[1].body

    ping = admin.post(f"{item}/ping", {})
    assert ping.status_code == 200, ping.get_json()
    assert ping.get_json()["status"] == "succeeded" and ping.get_json()["event_type"] == "ping"
    assert receiver.requests[-1].json["type"] == "ping"
    assert receiver.requests[-1].json["data"] == {
        "webhook": webhook["id"],
        "events": ["product.created"],
    }
    assert receiver.requests[-1].headers["X-Vitrine-Event"] == "ping"

    newest_first = admin.get(f"{item}/deliveries?limit=1").get_json()
    assert newest_first["items"][0]["event_type"] == "ping" and newest_first["next"]
    second = admin.get(newest_first["next"]).get_json()
    assert second["items"][0]["id"] == failed["id"] and second["next"] is None
    only_pings = admin.get(f"{item}/deliveries?status=succeeded").get_json()["items"]
    assert len(only_pings) == 2

    other = _create(admin, receiver).get_json()
    assert admin.post(f"{URL}/{other['id']}/deliveries/{failed['id']}/retry", {}).status_code == 404
    assert admin.post(f"{item}/deliveries/999999/retry", {}).status_code == 404
    assert admin.post(f"{item}/ping").status_code == 415  # the body is {}
    assert admin.delete(item).status_code == 204
    remaining = db_session.scalars(select(WebhookDelivery.subscription_id)).all()
    assert webhook["id"] not in remaining
    assert db_session.scalar(select(OutboxEvent.id).limit(1)) is not None


def test_the_openapi_document_describes_the_webhook_operations(admin):
    spec = admin.get("/api/v1/openapi.json").get_json()
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        if path.startswith(URL)
        for method, op in item.items()
        if method in ("get", "post", "patch", "delete")
    ]
    assert len(operations) == 9
    for path, method, op in operations:
        assert op.get("summary"), (path, method)
        assert {"401", "403", "default"} <= set(map(str, op["responses"])), (path, method)
        if method in ("post", "patch"):
            assert op["requestBody"]["content"], (path, method)
    assert "WebhookCreate" in spec["components"]["schemas"]
