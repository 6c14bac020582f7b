"""marshmallow schemas of the REST API: they validate requests and, through apispec, are
the OpenAPI document's components. One source of truth for both.

Write schemas only check the *shape* of a payload (types, known fields); the services
check the meaning (attributes of the family, locales of a localizable attribute…) and
their problems come back in the same ``errors`` list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates
from webargs.fields import DelimitedList

from pim.models import Lifecycle, WorkflowStatus

WORKFLOW_STATUSES = [s.value for s in WorkflowStatus]
LIFECYCLES = [c.value for c in Lifecycle]
MAX_LIMIT = 100
DEFAULT_LIMIT = 25
#: ``completeness=CHANNEL:LOCALE:OPERATOR PERCENT``, several separated by commas (all must
#: hold): ``ecommerce:en_US:>=80,print:fr_FR:=100``.
COMPLETENESS_FILTER = re.compile(
    r"^(?P<channel>[\w-]+):(?P<locale>[\w-]+):(?P<op><=|>=|<|>|=)(?P<percent>\d{1,3})$"
)


class StrictBoolean(fields.Boolean):
    """JSON ``true``/``false`` only (marshmallow would also take "yes", 1…)."""

    def __init__(self, **kwargs):
        super().__init__(truthy={True}, falsy={False}, **kwargs)


class ApiSchema(Schema):
    """Base of every API schema: refuses NUL bytes and non-finite numbers anywhere in the
    input (PostgreSQL cannot store them, and no attribute needs them)."""

    @pre_load
    def refuse_unstorable(self, data, **_kwargs):
        problems = dict(_unstorable(data, ()))
        if problems:
            raise ValidationError(problems)
        return data


def _unstorable(data, path: tuple):
    where = ".".join(map(str, path)) or "_schema"
    if isinstance(data, str):
        if "\x00" in data:
            yield where, ["must not contain NUL bytes (\\u0000)"]
    elif isinstance(data, float):
        if not math.isfinite(data):
            yield where, ["must be a finite number"]
    elif isinstance(data, Mapping):  # a JSON object, or webargs' view of query arguments
        for key, inner in data.items():
            if isinstance(key, str) and "\x00" in key:
                yield ".".join(map(str, (*path, repr(key)))), ["keys must not contain NUL bytes"]
                continue
            yield from _unstorable(inner, (*path, key))
    elif isinstance(data, list):
        for index, inner in enumerate(data):
            yield from _unstorable(inner, (*path, index))


# --- problems ------------------------------------------------------------------------------


class ProblemErrorSchema(Schema):
    field = fields.String(
        allow_none=True,
        metadata={"description": "Dotted path of the field (``values.name``); null for the body"},
    )
    message = fields.String(required=True)
    locale = fields.String(allow_none=True)
    scope = fields.String(allow_none=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details, with a machine-readable ``code``."""

    type = fields.String(required=True, metadata={"format": "uri"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(
        required=True,
        metadata={
            "description": "validation_failed, not_found, unauthorized, forbidden, conflict, "
            "precondition_failed, payload_too_large, unsupported_media_type, bad_request…"
        },
    )
    errors = fields.List(fields.Nested(ProblemErrorSchema))


# --- values --------------------------------------------------------------------------------


class ValueSchema(ApiSchema):
    """One value of an attribute: ``locale`` and ``scope`` are null unless the attribute
    is localizable / scopable."""

    locale = fields.String(allow_none=True, load_default=None)
    scope = fields.String(allow_none=True, load_default=None)
    data = fields.Raw(
        required=True,
        allow_none=True,
        metadata={"description": "text, number, boolean, option code(s), price list, metric…"},
    )


def values_field(**kwargs) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.List(fields.Nested(ValueSchema)),
        metadata={
            "description": "Standard format: ``{attribute: [{locale, scope, data}]}``. In a "
            "PATCH, entries are merged per attribute, locale and scope; null data clears."
        },
        **kwargs,
    )


class AssociationTargetsSchema(ApiSchema):
    products = fields.List(fields.String(), load_default=list)
    product_models = fields.List(fields.String(), load_default=list)


def associations_field(**kwargs) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Nested(AssociationTargetsSchema),
        metadata={
            "description": "``{association_type: {products: [...], product_models: [...]}}``; "
            "each type given replaces that type's targets, other types are kept."
        },
        **kwargs,
    )


# --- products ------------------------------------------------------------------------------


class ProductWriteSchema(ApiSchema):
    """A product in a PATCH: every field optional; only those given change."""

    identifier = fields.String(validate=validate.Length(min=1, max=255))
    family = fields.String(allow_none=True)
    parent = fields.String(allow_none=True, metadata={"description": "product model code"})
    enabled = StrictBoolean()
    categories = fields.List(fields.String(), metadata={"description": "replaces the list"})
    workflow_status = fields.String(validate=validate.OneOf(WORKFLOW_STATUSES))
    lifecycle = fields.String(validate=validate.OneOf(LIFECYCLES))
    values = values_field()
    associations = associations_field()


class ProductCreateSchema(ProductWriteSchema):
    """A product in a POST (or a line of a batch upsert): ``identifier`` is required."""

    identifier = fields.String(required=True, validate=validate.Length(min=1, max=255))


class ProductCompletenessSchema(Schema):
    channel = fields.String(required=True)
    locale = fields.String(required=True)
    ratio = fields.Integer(required=True, metadata={"description": "whole percent"})
    required = fields.Integer(required=True)
    missing = fields.List(fields.String(), required=True)


class ProductSchema(Schema):
    """A product in the standard format; ``values`` are the effective ones (inherited from
    the parent models included)."""

    identifier = fields.String(required=True)
    family = fields.String(required=True, allow_none=True)
    parent = fields.String(required=True, allow_none=True)
    enabled = fields.Boolean(required=True)
    workflow_status = fields.String(required=True, validate=validate.OneOf(WORKFLOW_STATUSES))
    lifecycle = fields.String(required=True, validate=validate.OneOf(LIFECYCLES))
    categories = fields.List(fields.String(), required=True)
    values = values_field(required=True)
    associations = associations_field(required=True)
    version = fields.Integer(required=True)
    created = fields.String(required=True, metadata={"format": "date-time"})
    updated = fields.String(required=True, metadata={"format": "date-time"})
    completeness = fields.List(
        fields.Nested(ProductCompletenessSchema),
        metadata={"description": "only with ``with_completeness=true``"},
    )


class ProductPageSchema(Schema):
    items = fields.List(fields.Nested(ProductSchema), required=True)
    next = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "URL of the next page, null on the last one"},
    )


# --- product models ------------------------------------------------------------------------


class ProductModelWriteSchema(ApiSchema):
    """A product model in a PATCH; ``family_variant`` and ``parent`` are fixed at creation."""

    code = fields.String(validate=validate.Length(min=1, max=255))
    family_variant = fields.String(allow_none=True)
    parent = fields.String(allow_none=True, metadata={"description": "root model of a sub-model"})
    categories = fields.List(fields.String())
    workflow_status = fields.String(validate=validate.OneOf(WORKFLOW_STATUSES))
    values = values_field()
    associations = associations_field()


class ProductModelCreateSchema(ProductModelWriteSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=255))


class ModelCompletenessSchema(Schema):
    channel = fields.String(required=True)
    locale = fields.String(required=True)
    complete = fields.Integer(required=True, metadata={"description": "complete variants"})
    total = fields.Integer(required=True, metadata={"description": "variants"})


class ProductModelSchema(Schema):
    code = fields.String(required=True)
    family = fields.String(required=True)
    family_variant = fields.String(required=True)
    parent = fields.String(required=True, allow_none=True)
    workflow_status = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    values = values_field(required=True)
    associations = associations_field(required=True)
    version = fields.Integer(required=True)
    created = fields.String(required=True, metadata={"format": "date-time"})
    updated = fields.String(required=True, metadata={"format": "date-time"})
    completeness = fields.List(fields.Nested(ModelCompletenessSchema))


class ProductModelPageSchema(Schema):
    items = fields.List(fields.Nested(ProductModelSchema), required=True)
    next = fields.String(required=True, allow_none=True)


# --- query arguments -----------------------------------------------------------------------


class TrimArgs(ApiSchema):
    """What part of each item to send back."""

    locales = DelimitedList(
        fields.String(),
        metadata={"description": "keep localizable values of these locales (comma list)"},
    )
    scope = fields.String(metadata={"description": "keep scopable values of this channel"})
    attributes = DelimitedList(
        fields.String(), metadata={"description": "keep these attributes only (comma list)"}
    )
    with_completeness = fields.Boolean(load_default=False)


class ListArgs(TrimArgs):
    """Cursor pagination and the filters every list shares."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    cursor = fields.String(metadata={"description": "opaque: the ``next`` link carries it"})
    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={"description": "ISO 8601; items updated at or after (UTC if no offset)"},
    )
    family = fields.String()
    categories = DelimitedList(
        fields.String(), metadata={"description": "comma list; sub-categories included"}
    )
    status = fields.String(validate=validate.OneOf(WORKFLOW_STATUSES))
    search = fields.String(
        metadata={"description": "the UI's search syntax (``crew color:red family:tshirts``)"}
    )


class ProductListArgs(ListArgs):
    enabled = fields.Boolean()
    completeness = DelimitedList(
        fields.String(),
        metadata={
            "description": "``CHANNEL:LOCALE:OP PERCENT`` with OP one of <, <=, >, >=, = "
            "(``ecommerce:en_US:>=80``); a comma list must all hold"
        },
    )

    @validates("completeness")
    def check_completeness(self, value, **_kwargs):
        for item in value:
            if not COMPLETENESS_FILTER.match(item):
                raise ValidationError(
                    f"{item!r} is not CHANNEL:LOCALE:OPERATOR PERCENT, e.g. ecommerce:en_US:>=80"
                )


class ProductModelListArgs(ListArgs):
    pass


class BatchLineSchema(Schema):
    """One line of a batch upsert's NDJSON answer, for the input line ``line``."""

    line = fields.Integer(required=True, metadata={"description": "1-based input line"})
    identifier = fields.String(allow_none=True, metadata={"description": "products"})
    code = fields.String(allow_none=True, metadata={"description": "product models"})
    status_code = fields.Integer(
        required=True,
        metadata={"description": "201 created, 204 updated or unchanged, 400, 409, 422"},
    )
    version = fields.Integer(metadata={"description": "the item's version after the line"})
    errors = fields.List(fields.Nested(ProblemErrorSchema))
