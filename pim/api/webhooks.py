"""``/api/v1/webhooks``: subscriptions (administrators only), their delivery log, retries
and pings. See docs/webhooks.md for the events, the payload and the signature."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import select

from pim import events
from pim.api import API_PREFIX, etags
from pim.api.auth import current_user
from pim.api.pagination import decode_cursor, encode_cursor, next_url, paginate
from pim.api.problems import ApiError
from pim.api.resources import documented_errors, json_response
from pim.api.schemas import DEFAULT_LIMIT, MAX_LIMIT, ApiSchema, StrictBoolean
from pim.extensions import db
from pim.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from pim.webhooks import services

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix=f"{API_PREFIX}/webhooks",
    description="Webhook subscriptions, their delivery log, retries and pings "
    "(administrators only).",
)
#: every method needs ``configure``: URLs and secrets are the administrators' business
ADMIN_ONLY = dict.fromkeys(("GET", "HEAD", "OPTIONS", "POST", "PATCH", "DELETE"), "configure")
ETAG_HEADER = {"ETag": {"description": "version of the webhook", "schema": {"type": "string"}}}
DELIVERY_STATUSES = [s.value for s in DeliveryStatus]


# --- schemas -------------------------------------------------------------------------------


def _events_field(**kwargs) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        validate=validate.Length(min=1, max=50),
        metadata={"description": "event types (GET /api/v1/webhooks/event-types lists them)"},
        **kwargs,
    )


class WebhookWriteSchema(ApiSchema):
    """A webhook in a PATCH: fields given replace the stored ones."""

    url = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "http(s) URL receiving the POSTs; private addresses refused"},
    )
    events = _events_field()
    active = StrictBoolean()
    description = fields.String(validate=validate.Length(max=500))
    rotate_secret = StrictBoolean(
        metadata={"description": "true: a new secret is made and shown in the answer, once"}
    )


class WebhookCreateSchema(WebhookWriteSchema):
    """A new webhook; the secret is generated unless given."""

    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    events = _events_field(required=True)
    secret = fields.String(
        validate=validate.Length(min=16, max=200),
        metadata={"description": "signing secret; generated (whsec_…) when omitted"},
    )


class WebhookSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    description = fields.String(required=True)
    secret = fields.String(
        metadata={"description": "only in the answer to its creation or rotation"}
    )
    secret_hint = fields.String(required=True, metadata={"description": "its last characters"})
    created_by = fields.String(allow_none=True, metadata={"description": "e-mail"})
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})
    version = fields.Integer(required=True)


class WebhookPageSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema), required=True)
    next = fields.String(required=True, allow_none=True)


class DeliverySchema(Schema):
    """One event sent to the webhook, with the outcome of its last attempt."""

    id = fields.Integer(required=True)
    delivery = fields.String(required=True, metadata={"description": "X-Vitrine-Delivery"})
    event = fields.String(required=True, metadata={"description": "the payload's id"})
    event_type = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(DELIVERY_STATUSES))
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    response_excerpt = fields.String(
        allow_none=True, metadata={"description": "first KiB of the last answer"}
    )
    duration_ms = fields.Integer(allow_none=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    last_attempt_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    delivered_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    payload = fields.Dict(required=True, metadata={"description": "the JSON body sent"})


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema), required=True)
    next = fields.String(required=True, allow_none=True)


class EventTypeSchema(Schema):
    type = fields.String(required=True)
    description = fields.String(required=True)


class EventTypeListSchema(Schema):
    items = fields.List(fields.Nested(EventTypeSchema), required=True)


class PageArgs(ApiSchema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    cursor = fields.String(metadata={"description": "opaque: the ``next`` link carries it"})


class EmptySchema(ApiSchema):
    """An empty JSON object: ``{}``."""


class DeliveryListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))


# --- views ---------------------------------------------------------------------------------


@blp.route("")
class WebhookCollection(MethodView):
    permissions = ADMIN_ONLY

    @blp.arguments(PageArgs, location="query", unknown=RAISE)
    @blp.response(200, WebhookPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List webhooks

        In creation order; follow ``next``. Secrets are never listed.
        """
        query = select(WebhookSubscription)
        rows, cursor = paginate(
            db.session,
            query,
            WebhookSubscription.id,
            after=decode_cursor(args.get("cursor")),
            limit=args["limit"],
        )
        return json_response({"items": [webhook_doc(r) for r in rows], "next": next_url(cursor)})

    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 413, 415, 422)
    def post(self, payload):
        """Create a webhook

        The answer carries the signing ``secret``: the only time it is shown (rotate it
        with ``PATCH {"rotate_secret": true}``). A URL whose host is or resolves to a
        private, loopback or link-local address is refused (422 on ``url``) unless
        ``VITRINE_FETCH_ALLOWED_NETWORKS`` allows it.
        """
        payload.pop("rotate_secret", None)
        subscription = services.create_subscription(db.session, payload, current_user())
        db.session.commit()
        response = _item_response(subscription, status=201, secret=True)
        response.headers["Location"] = url_for("webhooks.WebhookItem", webhook_id=subscription.id)
        return response


@blp.route("/<int:webhook_id>")
class WebhookItem(MethodView):
    permissions = ADMIN_ONLY

    @blp.response(200, WebhookSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404)
    def get(self, webhook_id):
        """Get a webhook"""
        return _item_response(_get_or_404(webhook_id))

    @blp.arguments(WebhookWriteSchema)
    @blp.response(200, WebhookSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 409, 412, 413, 415, 422)
    def patch(self, payload, webhook_id):
        """Update a webhook

        Fields given replace the stored ones; ``rotate_secret: true`` makes a new secret,
        shown in this answer only. ``If-Match`` is honoured.
        """
        subscription = _get_or_404(webhook_id)
        expected = _expected_version(subscription)
        services.update_subscription(db.session, subscription, payload, expected_version=expected)
        db.session.commit()
        return _item_response(subscription, secret=bool(payload.get("rotate_secret")))

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 412)
    def delete(self, webhook_id):
        """Delete a webhook and its delivery log"""
        subscription = _get_or_404(webhook_id)
        _expected_version(subscription)
        services.delete_subscription(db.session, subscription)
        db.session.commit()
        return "", 204


@blp.route("/event-types")
class EventTypes(MethodView):
    permissions = ADMIN_ONLY

    @blp.response(200, EventTypeListSchema)
    @documented_errors(blp, 401, 403)
    def get(self):
        """List the event types a webhook may subscribe to"""
        items = [{"type": t, "description": d} for t, d in sorted(events.EVENT_TYPES.items())]
        return json_response({"items": items})


@blp.route("/<int:webhook_id>/deliveries")
class Deliveries(MethodView):
    permissions = ADMIN_ONLY

    @blp.arguments(DeliveryListArgs, location="query", unknown=RAISE)
    @blp.response(200, DeliveryPageSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def get(self, args, webhook_id):
        """List the deliveries of a webhook

        Newest first; follow ``next``. ``status`` keeps one status (pending, succeeded,
        failed: will be retried, dead: no more retries).
        """
        subscription = _get_or_404(webhook_id)
        query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
        if args.get("status"):
            query = query.where(WebhookDelivery.status == args["status"])
        before = decode_cursor(args.get("cursor"))
        if before:
            query = query.where(WebhookDelivery.id < before)
        limit = args["limit"]
        rows = list(db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit + 1)))
        cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
        items = [delivery_doc(row) for row in rows[:limit]]
        return json_response({"items": items, "next": next_url(cursor)})


@blp.route("/<int:webhook_id>/deliveries/<int:delivery_id>/retry")
class RetryDelivery(MethodView):
    permissions = ADMIN_ONLY

    @blp.arguments(EmptySchema)
    @blp.response(200, DeliverySchema)
    @documented_errors(blp, 401, 403, 404, 415, 422)
    def post(self, _body, webhook_id, delivery_id):
        """Send a delivery again now

        One attempt, made during the request (a few seconds at most); the answer is the
        delivery after it. A failure schedules the next automatic retry unless the
        delivery has used all its attempts (then it stays ``dead``).
        """
        subscription = _get_or_404(webhook_id)
        item = db.session.get(WebhookDelivery, delivery_id)
        if item is None or item.subscription_id != subscription.id:
            raise ApiError(404, f"webhook {webhook_id} has no delivery {delivery_id}.")
        services.attempt(db.session, item)
        db.session.commit()
        return json_response(delivery_doc(item))


@blp.route("/<int:webhook_id>/ping")
class Ping(MethodView):
    permissions = ADMIN_ONLY

    @blp.arguments(EmptySchema)
    @blp.response(200, DeliverySchema)
    @documented_errors(blp, 401, 403, 404, 415, 422)
    def post(self, _body, webhook_id):
        """Send a ping event now

        A ``ping`` event (``data: {webhook, events}``) to this webhook only, sent during
        the request; the answer is its delivery, with the receiver's status code. Retried
        like any delivery when it fails.
        """
        subscription = _get_or_404(webhook_id)
        item = services.ping(db.session, subscription)
        db.session.commit()
        services.attempt(db.session, item)
        db.session.commit()
        return json_response(delivery_doc(item))


# --- helpers -------------------------------------------------------------------------------


def _get_or_404(webhook_id: int) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, webhook_id)
    if subscription is None:
        raise ApiError(404, f"webhook {webhook_id} does not exist.")
    return subscription


def _tag(subscription: WebhookSubscription) -> str:
    return f"{subscription.id}-{subscription.version}"


def _expected_version(subscription: WebhookSubscription) -> int | None:
    """The version a write may expect (None without ``If-Match``); 412 when stale."""
    return etags.match(_tag(subscription), subscription.version, "webhook")


def _item_response(subscription, *, status: int = 200, secret: bool = False):
    response = json_response(webhook_doc(subscription, secret=secret), status)
    response.set_etag(_tag(subscription))
    return response


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def webhook_doc(subscription: WebhookSubscription, *, secret: bool = False) -> dict:
    """A subscription as the API shows it (the secret only when asked)."""
    doc = {
        "id": subscription.id,
        "url": subscription.url,
        "events": list(subscription.events or ()),
        "active": subscription.active,
        "description": subscription.description,
        "secret_hint": "…" + subscription.secret[-4:],
        "created_by": subscription.created_by.email if subscription.created_by else None,
        "created_at": _iso(subscription.created_at),
        "updated_at": _iso(subscription.updated_at),
        "version": subscription.version,
    }
    if secret:
        doc["secret"] = subscription.secret
    return doc


def delivery_doc(item: WebhookDelivery) -> dict:
    """A delivery of the log."""
    return {
        "id": item.id,
        "delivery": item.uuid,
        "event": item.event.uuid,
        "event_type": item.event_type,
        "status": item.status,
        "attempts": item.attempts,
        "next_attempt_at": _iso(item.next_attempt_at),
        "last_status_code": item.last_status_code,
        "last_error": item.last_error,
        "response_excerpt": item.response_excerpt,
        "duration_ms": item.duration_ms,
        "created_at": _iso(item.created_at),
        "last_attempt_at": _iso(item.last_attempt_at),
        "delivered_at": _iso(item.delivered_at),
        "payload": item.event.payload,
    }
