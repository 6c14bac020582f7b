"""Deliveries: signed POSTs to a loopback receiver, retries with exponential backoff until
dead, the SSRF guard at delivery time, and ``vitrine webhooks deliver``."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from factories import SYSTEM
from sqlalchemy import select

from pim.models import DeliveryStatus, OutboxEvent, WebhookDelivery
from pim.models.types import utcnow
from pim.services import products
from pim.webhooks import signing
from pim.webhooks.services import deliver_due, fan_out, purge

SECRET = "test-secret-0123456789"


def deliveries(session) -> list[WebhookDelivery]:
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_signature_verifies_and_refuses_tampering_other_secrets_and_old_requests():
    body = b'{"id":"1","type":"ping"}'
    header = signing.signature_header(SECRET, body)
    assert signing.verify(SECRET, body, header)
    assert not signing.verify(SECRET, body + b" ", header)
    assert not signing.verify("another-secret-0123", body, header)
    assert not signing.verify(SECRET, body, header, now=time.time() + 3600)
    assert not signing.verify(SECRET, body, "v1=deadbeef")
    assert not signing.verify(SECRET, body, "t=soon,v1=deadbeef")
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signing.signature_header(SECRET, body, 1700000000) == f"t=1700000000,v1={expected}"
    assert signing.new_secret().startswith("whsec_") and signing.new_secret() != SECRET


def test_a_committed_event_is_posted_signed_to_each_matching_subscription(
    catalog, db_session, receiver, subscribe
):
    subscribe(receiver.url, ["product.created"])
    subscribe(receiver.url + "/other", ["product.deleted"])  # not interested
    products.create_product(db_session, {"identifier": "SENT-1", "family": "tshirts"}, SYSTEM)
    db_session.commit()

    outcome = deliver_due(db_session)

    assert (outcome.dispatched, outcome.succeeded, outcome.failed) == (1, 1, 0)
    [request] = receiver.requests
    assert request.path == "/hooks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Vitrine-Event"] == "product.created"
    assert signing.verify(SECRET, request.body, request.headers["X-Vitrine-Signature"])
    assert request.json["type"] == "product.created"
    assert request.json["data"]["identifier"] == "SENT-1"
    [item] = deliveries(db_session)
    assert request.headers["X-Vitrine-Delivery"] == item.uuid
    assert item.status == DeliveryStatus.SUCCEEDED and item.attempts == 1
    assert item.last_status_code == 200 and item.response_excerpt == '{"ok": true}'
    assert item.delivered_at is not None and item.duration_ms >= 0
    assert deliver_due(db_session).dispatched == 0  # nothing is sent twice
    assert len(receiver.requests) == 1


def test_failures_are_retried_with_exponential_backoff_then_dead(
    app, catalog, db_session, receiver, subscribe, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOKS_RETRY_BASE_SECONDS", 10)
    monkeypatch.setitem(app.config, "WEBHOOKS_MAX_ATTEMPTS", 3)
    receiver.statuses = [500, 503, 502]
    subscribe(receiver.url, ["product.created"])
    products.create_product(db_session, {"identifier": "RETRY-1", "family": "tshirts"}, SYSTEM)
    db_session.commit()
    start = utcnow()

    assert deliver_due(db_session, now=start).failed == 1
    [item] = deliveries(db_session)
    assert (item.status, item.attempts, item.last_status_code) == ("failed", 1, 500)
    assert item.next_attempt_at == start + timedelta(seconds=10)
    assert item.last_error == "the receiver answered 500"
    assert item.response_excerpt == "receiver trouble"

    assert deliver_due(db_session, now=start + timedelta(seconds=9)).failed == 0  # not yet
    deliver_due(db_session, now=start + timedelta(seconds=10))
    assert (item.attempts, item.last_status_code) == (2, 503)
    assert item.next_attempt_at == start + timedelta(seconds=30)  # 10 s, then 20 s

    assert deliver_due(db_session, now=start + timedelta(seconds=30)).dead == 1
    assert (item.status, item.attempts, item.next_attempt_at) == ("dead", 3, None)
    assert deliver_due(db_session, now=start + timedelta(days=1)).dead == 0
    assert len(receiver.requests) == 3
    bodies = {r.body for r in receiver.requests}
    assert len(bodies) == 1  # the same event every time
    assert {r.headers["X-Vitrine-Delivery"] for r in receiver.requests} == {item.uuid}


def test_a_failure_then_success_ends_succeeded(
    app, catalog, db_session, receiver, subscribe, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOKS_RETRY_BASE_SECONDS", 0)
    receiver.statuses = [500]
    subscribe(receiver.url, ["product.created"])
    products.create_product(db_session, {"identifier": "FLAKY", "family": "tshirts"}, SYSTEM)
    db_session.commit()

    deliver_due(db_session)
    deliver_due(db_session)

    [item] = deliveries(db_session)
    assert (item.status, item.attempts, item.last_status_code) == ("succeeded", 2, 200)
    assert item.last_error is None


def test_a_redirect_is_not_followed_and_an_unreachable_receiver_fails(
    app, catalog, db_session, receiver, subscribe
):
    receiver.statuses = [302]
    subscribe(receiver.url, ["product.created"])
    subscribe("http://127.0.0.1:9/nothing-listens", ["product.created"])
    products.create_product(db_session, {"identifier": "MOVED", "family": "tshirts"}, SYSTEM)
    db_session.commit()

    assert deliver_due(db_session).failed == 2

    redirected, unreachable = deliveries(db_session)
    assert redirected.status == "failed" and redirected.last_status_code == 302
    assert redirected.last_error == "the receiver answered 302"
    assert len(receiver.requests) == 1
    assert unreachable.status == "failed" and unreachable.last_status_code is None
    assert "connection failed" in unreachable.last_error


def test_loopback_is_refused_at_delivery_when_the_setting_no_longer_allows_it(
    app, catalog, db_session, receiver, subscribe, monkeypatch
):
    subscribe(receiver.url, ["product.created"])
    products.create_product(db_session, {"identifier": "SSRF", "family": "tshirts"}, SYSTEM)
    db_session.commit()
    monkeypatch.setitem(app.config, "FETCH_ALLOWED_NETWORKS", "")

    assert deliver_due(db_session).failed == 1

    [item] = deliveries(db_session)
    assert item.status == "failed" and item.last_status_code is None
    assert "loopback" in item.last_error and "webhooks may not" in item.last_error
    assert receiver.requests == []


def test_inactive_subscriptions_get_no_new_deliveries(catalog, db_session, receiver, subscribe):
    subscription = subscribe(receiver.url, ["product.created"])
    products.create_product(db_session, {"identifier": "OFF-1", "family": "tshirts"}, SYSTEM)
    subscription.active = False
    db_session.commit()
    assert fan_out(db_session) == 1
    assert deliveries(db_session) == []


def test_the_cli_delivers_pending_events(catalog, db_session, receiver, subscribe, cli_runner):
    subscribe(receiver.url, ["product.deleted"])
    products.delete_product(db_session, products.get_product(db_session, "TS-CREW-RED-M"), SYSTEM)

    result = cli_runner.invoke(args=["webhooks", "deliver"])

    assert result.exit_code == 0, result.output
    assert "1 event(s) dispatched" in result.output and "1 succeeded" in result.output
    assert json.loads(receiver.requests[0].body)["data"]["identifier"] == "TS-CREW-RED-M"


def test_a_commit_that_recorded_events_queues_the_delivery_task(
    app, catalog, db_session, subscribe, monkeypatch
):
    queued = []

    class Queue:  # a real worker's queue: tasks run later, elsewhere
        huey = type("Huey", (), {"immediate": False})()

        def enqueue(self, name, *args):
            queued.append(name)

    monkeypatch.setitem(app.extensions, "vitrine_queue", Queue())
    subscribe("http://127.0.0.1:9/hooks", ["product.created"])
    db_session.commit()
    products.create_product(db_session, {"identifier": "UNDONE", "family": "tshirts"}, SYSTEM)
    db_session.rollback()
    db_session.commit()
    assert "webhooks.deliver" not in queued  # nothing was committed

    products.create_product(db_session, {"identifier": "QUEUED", "family": "tshirts"}, SYSTEM)
    db_session.commit()
    assert queued.count("webhooks.deliver") == 1
    db_session.commit()
    assert queued.count("webhooks.deliver") == 1


def test_bad_webhook_settings_stop_the_start_naming_the_variable(tmp_path):
    from pim.config import ConfigError, build_config

    base = {"INSTANCE_PATH": str(tmp_path)}
    assert build_config(base)["WEBHOOKS_MAX_ATTEMPTS"] == 8
    assert (
        build_config({**base, "WEBHOOKS_RETRY_BASE_SECONDS": "0"})["WEBHOOKS_RETRY_BASE_SECONDS"]
        == 0
    )
    for name, bad in (
        ("WEBHOOKS_MAX_ATTEMPTS", "0"),
        ("WEBHOOKS_MAX_ATTEMPTS", "many"),
        ("WEBHOOKS_RETRY_BASE_SECONDS", "-1"),
        ("WEBHOOKS_TIMEOUT", "0"),
    ):
        with pytest.raises(ConfigError, match=f"VITRINE_{name}"):
            build_config({**base, name: bad})


def test_old_events_are_purged_unless_a_retry_is_pending(catalog, db_session, receiver, subscribe):
    subscribe(receiver.url, ["product.created"])
    receiver.statuses = [200, 500]
    for identifier in ("OLD-OK", "OLD-RETRYING", "RECENT"):
        products.create_product(db_session, {"identifier": identifier, "family": "tshirts"}, SYSTEM)
    db_session.commit()
    long_ago = utcnow() - timedelta(days=40)
    for event in db_session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()[:2]:
        event.created_at = long_ago
    deliver_due(db_session)

    assert purge(db_session) == 1

    kept = db_session.scalars(select(OutboxEvent.payload)).all()
    assert sorted(p["data"]["identifier"] for p in kept) == ["OLD-RETRYING", "RECENT"]
    assert len(deliveries(db_session)) == 2
