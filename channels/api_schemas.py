"""marshmallow schemas of the feeds resource of the REST API (:mod:`channels.api`).

They check the shape of a feed definition only; :func:`channels.feeds.save_feed` checks
its meaning (channel, locale, currency, format, mapping, filters, schedule…) with the
messages the feed form shows, each naming its setting.
"""

from __future__ import annotations

from marshmallow import fields, validate

from channels.views import LENGTHS
from pim.api.job_schemas import PageArgs, next_field
from pim.api.schemas import ApiSchema, StrictBoolean


def _text(name: str, **kwargs):
    return fields.String(validate=validate.Length(max=LENGTHS[name]), **kwargs)


class FeedWriteSchema(ApiSchema):
    """A feed's settings in a PATCH: only those given change."""

    label = _text("label")
    channel = fields.String(validate=validate.Length(min=1, max=100))
    format = fields.String(
        validate=validate.Length(min=1, max=40), metadata={"description": "csv, google…"}
    )
    locale = fields.String(validate=validate.Length(min=1, max=20))
    currency = fields.String(validate=validate.Length(min=1, max=3))
    territory = fields.String(
        allow_none=True, metadata={"description": "ISO country code (image rights)"}
    )
    mapping = fields.Dict(
        keys=fields.String(),
        metadata={"description": "target field → {attribute|field|constant|expr}"},
    )
    filters = fields.Dict(
        keys=fields.String(),
        metadata={"description": "enabled_only, statuses, min_completeness, families…"},
    )
    rendition_preset = fields.String(allow_none=True, validate=validate.Length(max=40))
    destination_url = _text(
        "destination_url",
        allow_none=True,
        metadata={"description": "file:///dir or s3://bucket/prefix"},
    )
    gzip = StrictBoolean()
    max_drop = fields.Float(
        metadata={"description": "largest share of items a run may lose before it is held"}
    )
    cron = _text("cron", allow_none=True)
    timezone = _text("timezone")


class FeedCreateSchema(FeedWriteSchema):
    """A new feed: its code and channel, format, locale and currency are required."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=100))
    channel = fields.String(required=True, validate=validate.Length(min=1, max=100))
    format = fields.String(required=True, validate=validate.Length(min=1, max=40))
    locale = fields.String(required=True, validate=validate.Length(min=1, max=20))
    currency = fields.String(required=True, validate=validate.Length(min=1, max=3))


class FeedDraftSchema(FeedWriteSchema):
    """A definition to preview without saving it (``code`` optional)."""

    code = fields.String(validate=validate.Length(min=1, max=100))


class RunSummarySchema(ApiSchema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "running, succeeded…"})
    included = fields.Integer()
    excluded = fields.Integer()
    started_at = fields.String(metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    url = fields.String()


class FeedSchema(FeedCreateSchema):
    created_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})
    last_run = fields.Nested(RunSummarySchema, allow_none=True)
    runs = fields.String(metadata={"description": "URL of the run history"})
    pull_url = fields.String(
        metadata={"description": "the feed's pull URL with its secret (configure only)"}
    )


class FeedListArgs(PageArgs):
    channel = fields.String(validate=validate.Length(min=1, max=100))


class FeedPageSchema(ApiSchema):
    items = fields.List(fields.Nested(FeedSchema), required=True)
    next = next_field()


class ExclusionSchema(ApiSchema):
    count = fields.Integer()
    sample = fields.List(fields.String(), metadata={"description": "some excluded items"})


class RunSchema(RunSummarySchema):
    feed = fields.String()
    delta = fields.Boolean()
    message = fields.String()
    duration_seconds = fields.Float(allow_none=True)
    exclusions = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ExclusionSchema),
        metadata={"description": "reason → count and sample identifiers"},
    )
    errors = fields.List(fields.String())
    size = fields.Integer(allow_none=True)
    download = fields.String(allow_none=True, metadata={"description": "URL of the output"})
    job = fields.String(metadata={"description": "the run as a job"})


class RunPageSchema(ApiSchema):
    items = fields.List(fields.Nested(RunSchema), required=True)
    next = next_field()


class RunStartSchema(ApiSchema):
    """ "Run now" takes no settings: send no body, or ``{}``."""


class PreviewArgs(ApiSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class PreviewSchema(ApiSchema):
    format = fields.String()
    columns = fields.List(fields.String())
    items = fields.List(fields.Dict(), metadata={"description": "field → value as text"})
    output = fields.String(allow_none=True, metadata={"description": "the writer's output"})
    note = fields.String()
    funnel = fields.Dict(metadata={"description": "scanned, included, excluded, reasons"})
