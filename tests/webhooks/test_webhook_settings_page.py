"""The Webhooks settings page: list and create, the secret shown once, edit, ping, the
delivery log with its retry button, delete; administrators only."""

from __future__ import annotations

from factories import SYSTEM
from sqlalchemy import select

from pim.models import WebhookSubscription
from pim.services import products
from pim.webhooks.services import deliver_due


def test_an_admin_manages_webhooks_in_the_settings(
    logged_in_client, allow_loopback, catalog, db_session, receiver
):
    browser = logged_in_client("admin")
    assert b"Webhooks" in browser.get("/settings").data

    refused = browser.post("/settings/webhooks", data={"url": receiver.url, "events": ["nope"]})
    assert refused.status_code == 422 and b"unknown event type" in refused.data
    too_long = {"url": receiver.url, "events": ["product.created"], "description": "d" * 501}
    refused = browser.post("/settings/webhooks", data=too_long)
    assert refused.status_code == 422 and b"longer than 500" in refused.data

    created = browser.post(
        "/settings/webhooks",
        data={"url": receiver.url, "events": ["product.created"], "description": "ERP"},
    )
    assert created.status_code == 302
    page = browser.get(created.headers["Location"]).data.decode()
    assert "data-secret" in page and "whsec_" in page
    again = browser.get(created.headers["Location"]).data.decode()
    assert "data-secret" not in again and "whsec_" not in again  # shown once
    assert receiver.url in browser.get("/settings/webhooks").data.decode()

    receiver.statuses = [500]
    products.create_product(db_session, {"identifier": "UI-1", "family": "tshirts"}, SYSTEM)
    db_session.commit()
    deliver_due(db_session)
    page = browser.get(created.headers["Location"]).data.decode()
    assert "product.created" in page and "the receiver answered 500" in page

    webhook_url = created.headers["Location"]
    retry_forms = [line for line in page.splitlines() if "/retry" in line]
    action = retry_forms[0].split('action="')[1].split('"')[0]
    assert browser.post(action).status_code == 302
    assert browser.post(f"{webhook_url}/ping").status_code == 302
    page = browser.get(webhook_url).data.decode()
    assert page.count("succeeded") >= 2 and len(receiver.requests) == 3

    saved = browser.post(webhook_url, data={"url": receiver.url, "events": ["product.deleted"]})
    assert saved.status_code == 302
    [webhook] = db_session.scalars(select(WebhookSubscription)).all()
    assert webhook.events == ["product.deleted"] and webhook.active is False  # box unticked
    assert browser.post(f"{webhook_url}/delete").status_code == 302
    assert browser.get(webhook_url).status_code == 404


def test_other_roles_cannot_see_webhooks(logged_in_client):
    for role in ("editor", "viewer"):
        assert logged_in_client(role).get("/settings/webhooks").status_code == 403
