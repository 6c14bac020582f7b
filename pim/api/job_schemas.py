"""marshmallow schemas of the jobs, imports and mass edit resources of the REST API
(:mod:`pim.api.jobs`, :mod:`pim.api.imports`); plugins' job kinds share :class:`JobSchema`.
"""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from pim.api.schemas import DEFAULT_LIMIT, MAX_LIMIT, ApiSchema, StrictBoolean

IMPORT_MODES = ("skip", "all_or_nothing")
IMPORT_MISSING = ("ignore", "flag", "disable")


class PageArgs(ApiSchema):
    """Cursor pagination of a list."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    cursor = fields.String(metadata={"description": "opaque: the ``next`` link carries it"})


def next_field():
    return fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "URL of the next page; null on the last page"},
    )


# --- jobs ----------------------------------------------------------------------------------


class JobListArgs(PageArgs):
    kind = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "import, mass-edit, feed-run… (the kinds installed)"},
    )
    status = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={"description": "queued, running, succeeded, failed (feed runs: held)"},
    )


class ReportItemSchema(ApiSchema):
    """One line of a job's report: a rejected row, a warning, a refused product…"""

    severity = fields.String(required=True, metadata={"description": "error, warning…"})
    file = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True, metadata={"description": "line of the file"})
    key = fields.String(allow_none=True, metadata={"description": "identifier or code"})
    field = fields.String(allow_none=True, metadata={"description": "column or field"})
    value = fields.String(allow_none=True)
    message = fields.String(required=True)
    count = fields.Integer(metadata={"description": "how many items (feed exclusions)"})
    sample = fields.List(fields.String(), metadata={"description": "some of those items"})


class ReportPageSchema(ApiSchema):
    items = fields.List(fields.Nested(ReportItemSchema), required=True)
    next = next_field()


class JobReportSchema(ReportPageSchema):
    total = fields.Integer(required=True, metadata={"description": "lines in the whole report"})


class JobSchema(ApiSchema):
    """A job of any kind: its status, progress, counts, times and report."""

    id = fields.String(required=True, metadata={"description": "``<kind>-<number>``"})
    kind = fields.String(required=True)
    status = fields.String(required=True)
    finished = fields.Boolean(required=True)
    progress = fields.Float(required=True, metadata={"description": "0 to 1, live while running"})
    message = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    duration_seconds = fields.Float(allow_none=True)
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "per kind: rows read/created/updated…, products changed…"},
    )
    details = fields.Dict(metadata={"description": "what the kind adds (profile, feed…)"})
    report = fields.Nested(
        JobReportSchema,
        metadata={"description": "the first lines of the report; follow ``next`` for more"},
    )
    url = fields.String(required=True)


class JobPageSchema(ApiSchema):
    items = fields.List(fields.Nested(JobSchema), required=True)
    next = next_field()


# --- imports -------------------------------------------------------------------------------


class ImportProfileSchema(ApiSchema):
    code = fields.String(required=True)
    label = fields.String()
    source = fields.String(metadata={"description": "erp, plm, migration or supplier:NAME"})
    entity = fields.String(metadata={"description": "product or product_model"})
    reader = fields.Dict(metadata={"description": "format, delimiter, encoding…"})
    mapping = fields.Dict(metadata={"description": "columns → fields and attributes, options"})
    members = fields.List(fields.String(), metadata={"description": "suppliers' emails"})
    revision = fields.Integer()
    updated_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class ImportProfilePageSchema(ApiSchema):
    items = fields.List(fields.Nested(ImportProfileSchema), required=True)
    next = next_field()


class ImportUploadSchema(ApiSchema):
    """The multipart form of an import: the file, the profile and the job's options (left
    out: the profile's defaults)."""

    file = Upload(metadata={"description": "CSV, XLSX or XML file (required)"})
    profile = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"description": "code"}
    )
    dry_run = fields.Boolean(
        metadata={"description": "check every row, write nothing (``true``/``false``)"}
    )
    mode = fields.String(validate=validate.OneOf(IMPORT_MODES))
    create = fields.Boolean(metadata={"description": "false: update existing items only"})
    missing = fields.String(
        validate=validate.OneOf(IMPORT_MISSING),
        metadata={"description": "what becomes of products absent from the file"},
    )


# --- mass edits ----------------------------------------------------------------------------


class MassEditOperationSchema(ApiSchema):
    kind = fields.String(required=True, metadata={"description": "set_value, clear_value…"})
    attribute = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    scope = fields.String(allow_none=True)
    data = fields.Raw(allow_none=True)
    options = fields.List(fields.String())
    family = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    status = fields.String(allow_none=True)
    association_type = fields.String(allow_none=True)
    products = fields.List(fields.String(), metadata={"description": "association targets"})
    product_models = fields.List(fields.String())


class MassEditSchema(ApiSchema):
    """One operation on the products named by ``identifiers`` or matching ``query``."""

    identifiers = fields.List(
        fields.String(validate=validate.Length(min=1, max=255)),
        validate=validate.Length(min=1, max=1000),
    )
    query = fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "the UI's search syntax: every matching product ('': all)"},
    )
    operation = fields.Nested(MassEditOperationSchema, required=True)
    preview = StrictBoolean(
        load_default=False, metadata={"description": "true: what would happen, nothing saved"}
    )


class MassEditSampleSchema(ApiSchema):
    identifier = fields.String(required=True)
    outcome = fields.String(
        required=True, metadata={"description": "change, unchanged, delete or refused"}
    )
    changes = fields.Dict(metadata={"description": "what a version would record"})
    reason = fields.String(allow_none=True, metadata={"description": "why it is refused"})


class MassEditPreviewSchema(ApiSchema):
    total = fields.Integer(required=True, metadata={"description": "products selected"})
    description = fields.String(required=True)
    samples = fields.List(fields.Nested(MassEditSampleSchema), required=True)
