"""marshmallow schemas of the assets API: they validate requests (query, JSON and
multipart bodies) and are the OpenAPI document's components.

Write schemas check the shape; :func:`dam.services.editing.update_asset` checks the
meaning (known locales and channels, ISO country codes, dates in order, status moves)
and its problems come back in the same ``errors`` list.
"""

from __future__ import annotations

import json
from datetime import UTC

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from dam.models import AssetStatus, LicenceType, LinkRole, ReleaseStatus
from dam.sniff import ALLOWED_TYPES
from pim.api.schemas import DEFAULT_LIMIT, MAX_LIMIT, ApiSchema

STATUSES = [s.value for s in AssetStatus]
#: What an editor may set; ``expired`` follows from ``valid_until``.
SETTABLE_STATUSES = [s.value for s in AssetStatus if s != AssetStatus.EXPIRED]
LICENCES = [c.value for c in LicenceType]
RELEASES = [r.value for r in ReleaseStatus]
ROLES = [r.value for r in LinkRole]
KINDS = sorted(set(ALLOWED_TYPES.values()))
OWNER_TYPES = ["product", "product_model"]
#: Largest ``metadata`` part of an upload (a JSON document, not a file).
MAX_METADATA_BYTES = 256 * 1024


def _texts(limit: int, what: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=20)),
        values=fields.String(allow_none=True, validate=validate.Length(max=limit)),
        metadata={"description": f"locale → {what}; null or empty removes a locale's text"},
    )


def _text(limit: int, description: str = "") -> fields.String:
    return fields.String(
        allow_none=True, validate=validate.Length(max=limit), metadata={"description": description}
    )


class AssetWriteSchema(ApiSchema):
    """An asset in a PATCH: every field optional, only those given change; lists replace."""

    status = fields.String(
        validate=validate.OneOf(SETTABLE_STATUSES),
        metadata={
            "description": "draft → approved/archived, approved → draft/archived, archived → "
            "draft/approved; an expired asset may only be archived"
        },
    )
    title = _texts(500, "title")
    alt_text = _texts(1000, "alternative text")
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=100)))
    collections = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        metadata={"description": "collection codes (created when new)"},
    )
    focal_point = fields.List(
        fields.Float(validate=validate.Range(min=0, max=1)),
        allow_none=True,
        validate=validate.Length(equal=2),
        metadata={"description": "[x, y] kept by cropped renditions, each 0–1; null clears"},
    )
    copyright_holder = _text(500)
    copyright_notice = _text(1000)
    creator = _text(500)
    credit_line = _text(500)
    licensor = _text(500)
    usage_terms = _text(10_000)
    web_statement = _text(2000, "URL of the rights statement")
    licence_type = fields.String(validate=validate.OneOf(LICENCES))
    allowed_channels = fields.List(
        fields.String(), metadata={"description": "channel codes; empty: every channel"}
    )
    allowed_territories = fields.List(
        fields.String(), metadata={"description": "ISO 3166-1 alpha-2 codes; empty: worldwide"}
    )
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(
        allow_none=True, metadata={"description": "usage rights end (the asset expires after)"}
    )
    model_release = fields.String(validate=validate.OneOf(RELEASES))
    property_release = fields.String(validate=validate.OneOf(RELEASES))


class AssetPatchSchema(AssetWriteSchema):
    """An asset in a PATCH: the fields of an upload's metadata, and the trash flag."""

    in_trash = fields.Boolean(
        metadata={
            "description": "false takes the asset out of the trash (its links are not "
            "restored); true moves it there (409 while linked: DELETE with force=true)"
        }
    )


class VersionRestoreSchema(ApiSchema):
    """The optional body of a version restore."""

    comment = fields.String(
        validate=validate.Length(max=400), metadata={"description": "why (kept on the version)"}
    )


class LinkWriteSchema(ApiSchema):
    """How an asset is shown on a product or product model."""

    role = fields.String(
        load_default=LinkRole.GALLERY.value,
        validate=validate.OneOf(ROLES),
        metadata={"description": "one main picture per owner: a new main demotes the old one"},
    )
    position = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=100_000),
        metadata={
            "description": "0-based place among the owner's pictures; default: kept, "
            "or last for a new link (first for main)"
        },
    )
    attribute = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "asset collection attribute the link fills; default: the "
            "family's image attribute; null: none"
        },
    )


class UploadLinkSchema(LinkWriteSchema):
    owner_type = fields.String(load_default="product", validate=validate.OneOf(OWNER_TYPES))
    owner = fields.String(
        required=True,
        validate=validate.Length(min=1, max=255),
        metadata={"description": "product identifier or product model code"},
    )


class AssetUploadMetadataSchema(AssetWriteSchema):
    """The ``metadata`` part of an upload: the fields of a PATCH, and links to make."""

    links = fields.List(fields.Nested(UploadLinkSchema))


class FilePart(Upload):
    """A file part of a multipart body (a part with a filename)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("must be a file part (with a filename)")
        return value


class JsonPart(fields.Nested):
    """A multipart part holding a JSON object: a plain field, or a part of type
    ``application/json``; documented as the nested schema (JSON is the default encoding
    of object properties in OpenAPI multipart bodies)."""

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        if isinstance(value, FileStorage):
            value = value.stream.read(MAX_METADATA_BYTES + 1)
        if len(value) > MAX_METADATA_BYTES:
            raise ValidationError(f"must be at most {MAX_METADATA_BYTES} bytes")
        try:
            decoded = json.loads(value)
        except (TypeError, ValueError):  # also UnicodeDecodeError
            raise ValidationError("must be a JSON object") from None
        if not isinstance(decoded, dict):
            raise ValidationError("must be a JSON object")
        return super()._deserialize(decoded, attr, data, partial=partial, **kwargs)


class AssetUploadSchema(ApiSchema):
    """``multipart/form-data``: the file and, optionally, a ``metadata`` JSON part."""

    file = FilePart(required=True, metadata={"description": "the file (its name is kept)"})
    metadata = JsonPart(
        AssetUploadMetadataSchema,
        metadata={"description": "JSON: the fields of a PATCH, and ``links`` to make"},
    )


class VersionUploadSchema(ApiSchema):
    """``multipart/form-data``: the new file and an optional comment."""

    file = FilePart(required=True)
    comment = fields.String(validate=validate.Length(max=500), load_default="")


# --- representations -------------------------------------------------------------------------


class LinkSchema(Schema):
    owner_type = fields.String(required=True, validate=validate.OneOf(OWNER_TYPES))
    owner = fields.String(required=True, metadata={"description": "identifier or code"})
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    position = fields.Integer(required=True)
    attribute = fields.String(required=True, allow_none=True)


class LinkPageSchema(Schema):
    items = fields.List(fields.Nested(LinkSchema), required=True)
    next = fields.String(required=True, allow_none=True)


class RenditionSchema(Schema):
    preset = fields.String(required=True)
    content_type = fields.String(required=True, metadata={"description": "what the preset makes"})
    generated = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["ready", "failed", "pending"]))
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    size = fields.Integer(allow_none=True, metadata={"description": "bytes"})
    note = fields.String(allow_none=True)
    url = fields.String(required=True, metadata={"description": "API download (token needed)"})
    public_url = fields.String(
        required=True,
        metadata={"description": "signed link for feeds; works while the asset is approved"},
    )


class RenditionListSchema(Schema):
    items = fields.List(fields.Nested(RenditionSchema), required=True)
    next = fields.String(required=True, allow_none=True, metadata={"description": "always null"})


class VersionSchema(Schema):
    number = fields.Integer(required=True)
    filename = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    content_type = fields.String(required=True)
    uploaded_at = fields.String(required=True, metadata={"format": "date-time"})
    comment = fields.String(required=True)
    current = fields.Boolean(required=True)
    download_url = fields.String(required=True)


class AssetSummarySchema(Schema):
    """An asset in a list: file facts, lifecycle, description and rights."""

    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "what product values name"})
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    frames = fields.Integer(allow_none=True)
    pages = fields.Integer(allow_none=True)
    duration = fields.Float(allow_none=True, metadata={"description": "seconds"})
    problems = fields.List(fields.String(), required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    effective_status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={"description": "expired as soon as valid_until has passed"},
    )
    in_trash = fields.Boolean(required=True)
    file_version = fields.Integer(required=True)
    version = fields.Integer(required=True, metadata={"description": "of the record (ETag)"})
    uploaded_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    alt_text = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    tags = fields.List(fields.String(), required=True)
    collections = fields.List(fields.String(), required=True)
    focal_point = fields.List(fields.Float(), allow_none=True, required=True)
    copyright_holder = fields.String(required=True)
    copyright_notice = fields.String(required=True)
    creator = fields.String(required=True)
    credit_line = fields.String(required=True)
    licensor = fields.String(required=True)
    usage_terms = fields.String(required=True)
    web_statement = fields.String(required=True)
    licence_type = fields.String(required=True, validate=validate.OneOf(LICENCES))
    allowed_channels = fields.List(fields.String(), required=True)
    allowed_territories = fields.List(fields.String(), required=True)
    valid_from = fields.Date(allow_none=True, required=True)
    valid_until = fields.Date(allow_none=True, required=True)
    model_release = fields.String(required=True, validate=validate.OneOf(RELEASES))
    property_release = fields.String(required=True, validate=validate.OneOf(RELEASES))
    usage_problems = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "why a feed may not publish it today (empty: cleared)"},
    )
    url = fields.String(required=True)
    download_url = fields.String(required=True, metadata={"description": "the original file"})


class AssetSchema(AssetSummarySchema):
    """An asset with its embedded metadata, file versions, links and renditions."""

    embedded_metadata = fields.Dict(
        required=True, metadata={"description": "exif, iptc, xmp as read from the file"}
    )
    versions = fields.List(fields.Nested(VersionSchema), required=True)
    links = fields.List(fields.Nested(LinkSchema), required=True)
    renditions = fields.List(fields.Nested(RenditionSchema), required=True)


class AssetPageSchema(Schema):
    items = fields.List(fields.Nested(AssetSummarySchema), required=True)
    next = fields.String(required=True, allow_none=True)


# --- query arguments ------------------------------------------------------------------------


class PageArgs(ApiSchema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    cursor = fields.String(metadata={"description": "opaque: the ``next`` link carries it"})


class AssetListArgs(PageArgs):
    """Filters of the asset list; they combine (all must hold)."""

    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={"description": "effective status (expired includes past valid_until)"},
    )
    search = fields.String(
        validate=validate.Length(max=500),
        metadata={
            "description": "the UI's search syntax over filename, code, titles, tags, "
            "credits (``tag:summer licence:owned media:image``)"
        },
    )
    product = fields.String(metadata={"description": "linked to this product (identifier)"})
    product_model = fields.String(metadata={"description": "linked to this product model"})
    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        metadata={"description": "ISO 8601; assets changed at or after (UTC if no offset)"},
    )
    expiring_before = fields.Date(
        metadata={"description": "usage rights end on or before this day (expired included)"}
    )
    kind = fields.String(validate=validate.OneOf(KINDS))
    licence_type = fields.String(validate=validate.OneOf(LICENCES))
    in_trash = fields.Boolean(
        load_default=False, metadata={"description": "list the trash instead"}
    )


class DownloadArgs(ApiSchema):
    preset = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "a rendition preset instead of the original"},
    )
    version = fields.Integer(
        validate=validate.Range(min=1), metadata={"description": "an earlier original"}
    )


class DeleteArgs(ApiSchema):
    force = fields.Boolean(
        load_default=False,
        metadata={"description": "also remove the asset's links (else 409 while linked)"},
    )
