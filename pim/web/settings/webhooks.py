"""Webhooks in the settings (admins only): the subscriptions with a create form, and per
webhook an edit form, its delivery log with a retry button, ping and delete.

The secret is shown once, on the page the browser is sent to after creating the webhook
or rotating its secret (kept in the session for that one page)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pim import events
from pim.extensions import db
from pim.models import WebhookDelivery, WebhookSubscription
from pim.web.blueprint import bp
from pim.web.settings.common import checked, configure, save
from pim.webhooks import services

#: deliveries shown on a webhook's page (newest first)
LOG_SIZE = 50
_SHOW_SECRET = "webhook_reveal"  # noqa: S105 - a session key, not a secret


@bp.get("/settings/webhooks")
@configure
def settings_webhooks():
    """Every webhook, and a form to add one."""
    return _render_list({"url": "", "events": [], "description": ""})


@bp.post("/settings/webhooks")
@configure
def settings_webhook_create():
    """Add a webhook; its page then shows the secret once."""
    data = _form_data()
    outcome = save(lambda: services.create_subscription(db.session, data, current_user))
    if not outcome.saved:
        return _render_list(data, outcome.errors), 422
    session[_SHOW_SECRET] = outcome.result.id
    flash(_("Added the webhook. Copy its secret now: it is not shown again."), "success")
    return redirect(url_for("web.settings_webhook", webhook_id=outcome.result.id))


@bp.get("/settings/webhooks/<int:webhook_id>")
@configure
def settings_webhook(webhook_id: int):
    """A webhook's settings and its delivery log."""
    subscription = _get_or_404(webhook_id)
    return _render_item(subscription, _form_of(subscription))


@bp.post("/settings/webhooks/<int:webhook_id>")
@configure
def settings_webhook_update(webhook_id: int):
    """Save a webhook's URL, events, description and whether it is active."""
    subscription = _get_or_404(webhook_id)
    data = {**_form_data(), "active": checked(request.form, "active")}
    outcome = save(lambda: services.update_subscription(db.session, subscription, data))
    if not outcome.saved:
        return _render_item(subscription, data, outcome.errors), 422
    flash(_("Saved the webhook.") if outcome.result else _("Nothing changed."), "success")
    return redirect(url_for("web.settings_webhook", webhook_id=webhook_id))


@bp.post("/settings/webhooks/<int:webhook_id>/secret")
@configure
def settings_webhook_rotate(webhook_id: int):
    """Make a new secret (shown once)."""
    subscription = _get_or_404(webhook_id)
    save(lambda: services.update_subscription(db.session, subscription, {"rotate_secret": True}))
    session[_SHOW_SECRET] = webhook_id
    flash(_("Made a new secret. Copy it now: it is not shown again."), "success")
    return redirect(url_for("web.settings_webhook", webhook_id=webhook_id))


@bp.post("/settings/webhooks/<int:webhook_id>/ping")
@configure
def settings_webhook_ping(webhook_id: int):
    """Send a ping now and say how it went."""
    subscription = _get_or_404(webhook_id)
    item = services.ping(db.session, subscription)
    db.session.commit()
    _attempt_and_flash(item)
    return redirect(url_for("web.settings_webhook", webhook_id=webhook_id))


@bp.post("/settings/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/retry")
@configure
def settings_webhook_retry(webhook_id: int, delivery_id: int):
    """Send one delivery again now."""
    item = db.session.get(WebhookDelivery, delivery_id)
    if item is None or item.subscription_id != webhook_id:
        abort(404)
    _attempt_and_flash(item)
    return redirect(url_for("web.settings_webhook", webhook_id=webhook_id))


@bp.post("/settings/webhooks/<int:webhook_id>/delete")
@configure
def settings_webhook_delete(webhook_id: int):
    """Delete a webhook and its delivery log."""
    subscription = _get_or_404(webhook_id)
    services.delete_subscription(db.session, subscription)
    db.session.commit()
    flash(_("Deleted the webhook and its delivery log."), "success")
    return redirect(url_for("web.settings_webhooks"))


# --- helpers -------------------------------------------------------------------------------


def _get_or_404(webhook_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, webhook_id)
    if subscription is None:
        abort(404)
    return subscription


def _form_data() -> dict:
    form = request.form
    return {
        "url": form.get("url", "").strip(),
        "events": form.getlist("events"),
        "description": form.get("description", "").strip(),
    }


def _form_of(subscription: WebhookSubscription) -> dict:
    return {
        "url": subscription.url,
        "events": list(subscription.events or ()),
        "description": subscription.description,
        "active": subscription.active,
    }


def _attempt_and_flash(item: WebhookDelivery) -> None:
    status = services.attempt(db.session, item)
    db.session.commit()
    if status == "succeeded":
        flash(
            _("Delivered: the receiver answered %(code)s.", code=item.last_status_code), "success"
        )
    else:
        flash(
            _("Not delivered (%(status)s): %(error)s", status=status, error=item.last_error),
            "error",
        )


def _render_list(form: dict, errors=None):
    rows = db.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
    return render_template(
        "settings/webhooks.html",
        rows=list(rows),
        form=form,
        errors=errors or {},
        event_types=sorted(events.EVENT_TYPES.items()),
    )


def _render_item(subscription: WebhookSubscription, form: dict, errors=None):
    log = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(LOG_SIZE)
    )
    show_secret = session.pop(_SHOW_SECRET, None) == subscription.id
    return render_template(
        "settings/webhook_edit.html",
        webhook=subscription,
        form=form,
        errors=errors or {},
        deliveries=list(log),
        secret=subscription.secret if show_secret else None,
        event_types=sorted(events.EVENT_TYPES.items()),
    )
