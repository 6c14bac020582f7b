"""``/api/v1/translations``: export texts to translate as XLIFF or a sheet, and import the
translated file back (dry run first), over HTTP.

* ``POST /api/v1/translations/exports`` takes a JSON selection (target locales, items by
  identifier or search query, attributes, format…) and answers the file itself as an
  attachment: XLIFF 1.2 or 2.0, CSV or XLSX, a zip when several target locales are asked.
* ``POST /api/v1/translations/imports`` takes the translated file (``multipart/form-data``,
  ``dry_run`` true by default) and answers the report: the changes it makes (or would
  make), unchanged and empty units. An import is all or nothing: when any unit is refused
  the answer is a ``422`` problem document like every validation failure, one ``errors``
  item per problem with the unit id as its ``field`` (null for the whole file), and
  nothing is written; a clean ``dry_run=false`` import is applied and committed at once.

Both need ``translate`` (editors, administrators and translators). A translator works in
their own locales only: an export to another locale is refused here (403), an import
into one is refused by the service (422).
"""

from __future__ import annotations

import os

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import RAISE, fields, validate

from pim.api import API_PREFIX, auth
from pim.api.imports import UploadLimit
from pim.api.problems import ApiError
from pim.api.resources import documented_errors, json_response
from pim.api.schemas import ApiSchema, StrictBoolean
from pim.extensions import db
from pim.models import Source, User
from pim.services import translation_exchange as exchange
from pim.services.actors import Actor
from pim.web.translation_exchange import export_response

MULTIPART = "multipart/form-data"
ZIP = "application/zip"
#: changes and problems listed in one report (the counts are always complete)
MAX_SHOWN = 1000

blp = Blueprint(
    "translations",
    __name__,
    url_prefix=f"{API_PREFIX}/translations",
    description="Texts to translate out as XLIFF or a sheet, translations back in.",
)


# --- schemas -------------------------------------------------------------------------------


def _codes(description: str):
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=255)),
        load_default=list,
        validate=validate.Length(max=10_000),
        metadata={"description": description},
    )


class TranslationExportSchema(ApiSchema):
    """What to export: the target locales, the items and attributes, the file format."""

    target_locales = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)),
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "locale codes (fr_FR): one file per locale, zipped if several"},
    )
    source_locale = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "the locale translated from (default: the configured one)"},
    )
    identifiers = _codes("product identifiers and model codes (empty: see query)")
    query = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=1000),
        metadata={"description": "search query, as in the product grid (none: every item)"},
    )
    attributes = _codes("attribute codes (empty: every translatable attribute)")
    scope = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "channel of scopable attributes (none: every channel)"},
    )
    only_pending = StrictBoolean(
        load_default=False,
        metadata={"description": "only texts missing or outdated in the target locale"},
    )
    format = fields.String(
        load_default="xliff12",
        validate=validate.OneOf(tuple(exchange.FORMATS)),
        metadata={"description": ", ".join(exchange.FORMATS)},
    )


class TranslationImportFormSchema(ApiSchema):
    """The multipart form of an import."""

    file = Upload(
        metadata={"description": "XLIFF 1.2/2.0, CSV or XLSX file, or a zip of them (required)"}
    )
    dry_run = fields.Boolean(
        load_default=True,
        metadata={"description": "check and report, write nothing (default ``true``)"},
    )


class ImportChangeSchema(ApiSchema):
    unit_id = fields.String(required=True)
    item_kind = fields.String(required=True, metadata={"description": "product or model"})
    item_key = fields.String(required=True, metadata={"description": "identifier or code"})
    attribute = fields.String(required=True)
    locale = fields.String(required=True)
    scope = fields.String(allow_none=True)
    old = fields.String(allow_none=True, metadata={"description": "the stored text"})
    new = fields.String(required=True, metadata={"description": "the text of the file"})


class UnitProblemSchema(ApiSchema):
    unit_id = fields.String(allow_none=True, metadata={"description": "null: the whole file"})
    message = fields.String(required=True)
    line = fields.Integer(allow_none=True, metadata={"description": "line of the file"})


class TranslationImportReportSchema(ApiSchema):
    """What an import did, or would do on a dry run (a refused import is a 422)."""

    filename = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    applied = fields.Boolean(required=True, metadata={"description": "changes were written"})
    source_locale = fields.String(allow_none=True)
    target_locales = fields.List(fields.String(), required=True)
    units = fields.Integer(required=True, metadata={"description": "units read"})
    unchanged = fields.Integer(required=True, metadata={"description": "target already stored"})
    empty = fields.Integer(required=True, metadata={"description": "units without a target"})
    items_changed = fields.Integer(required=True)
    change_count = fields.Integer(required=True)
    changes = fields.List(
        fields.Nested(ImportChangeSchema),
        required=True,
        metadata={"description": f"the first {MAX_SHOWN} changes"},
    )
    warnings = fields.List(
        fields.Nested(UnitProblemSchema),
        required=True,
        metadata={"description": "imported all the same (a source changed since the export)"},
    )


FILE_RESPONSE = {
    "description": "The file to translate, as an attachment",
    "headers": {
        "X-Vitrine-Units": {"description": "units written", "schema": {"type": "integer"}},
        "X-Vitrine-Items": {"description": "products and models", "schema": {"type": "integer"}},
    },
    "content": {
        mimetype: {"schema": {"type": "string", "format": "binary"}}
        for mimetype in sorted({m for _, m in exchange.FORMATS.values()} | {ZIP})
    },
}


# --- views ---------------------------------------------------------------------------------


@blp.route("/exports")
class TranslationExports(MethodView):
    permissions = {"POST": "translate"}

    @blp.arguments(TranslationExportSchema, unknown=RAISE)
    @blp.doc(responses={"200": FILE_RESPONSE})
    @documented_errors(blp, 401, 403, 413, 415, 422)
    def post(self, body):
        """Export texts to translate

        Answers the file itself (``Content-Disposition: attachment``): one XLIFF or sheet
        per target locale, a zip when there are several. Units are the translatable texts
        of the chosen products and models that have a source text; existing translations
        are included. ``only_pending`` keeps the missing and outdated ones.
        """
        user = auth.current_user()
        check_export_locales(user, body["target_locales"])
        selection = exchange.ExportSelection(
            target_locales=body["target_locales"],
            identifiers=body["identifiers"],
            query=body["query"] or None,
            attributes=body["attributes"],
            source_locale=body["source_locale"],
            only_pending=body["only_pending"],
            scope=body["scope"],
        )
        try:
            result = exchange.export_translations(db.session, selection, body["format"])
        except exchange.ExchangeError as error:
            db.session.rollback()
            raise ApiError(
                422,
                "Nothing was exported.",
                errors=[{"field": getattr(error, "field", None), "message": str(error)}],
            ) from None
        return export_response(result)


@blp.route("/imports")
class TranslationImports(MethodView):
    permissions = {"POST": "translate"}
    accepts = {"POST": (MULTIPART,)}
    max_body = UploadLimit()

    @blp.arguments(
        TranslationImportFormSchema, location="form", content_type=MULTIPART, unknown=RAISE
    )
    @blp.response(200, TranslationImportReportSchema, description="The report")
    @documented_errors(blp, 401, 403, 413, 415, 422)
    def post(self, form):
        """Import translations

        ``multipart/form-data`` with ``file`` (the XLIFF or sheet, as exported) and
        ``dry_run`` (default ``true``: check and report, write nothing). All or nothing:
        when any unit has a problem the answer is ``422`` whose ``errors`` name the units
        (``field``: the unit id, null for the whole file), and nothing is written.
        ``dry_run=false`` on a clean file writes every change (one version per item,
        source ``translation``) and answers the report with ``applied: true``. Importing
        the same file again changes nothing.
        """
        upload = request.files.get("file")
        data = _upload_bytes(upload)
        user = auth.current_user()
        actor = Actor.for_user(user, Source.TRANSLATION)
        session = db.session
        report = exchange.import_translations(
            session, data, upload.filename, actor=actor, dry_run=form["dry_run"]
        )
        if report.ok and report.applied:
            session.commit()
        else:
            session.rollback()
        if not report.ok:
            raise refused(report)
        return json_response(report_document(report))


# --- helpers -------------------------------------------------------------------------------


def check_export_locales(user: User, locales: list[str]) -> None:
    """403 when a translator asks for a locale that is not theirs (one with no locales
    set translates into every activated locale)."""
    allowed = user.translation_locales
    if allowed is None:
        return
    others = sorted(set(locales) - allowed)
    if others:
        raise ApiError(403, f"Your role may not translate into {', '.join(others)}.")


def _upload_bytes(upload) -> bytes:
    """The uploaded file's bytes; 422 naming ``file`` when missing or empty (the service
    reports a file it cannot read, by name)."""
    if upload is None or not upload.filename:
        raise _invalid("file", "send the translated file in the field 'file'")
    upload.stream.seek(0, os.SEEK_END)
    if upload.stream.tell() == 0:
        raise _invalid("file", f"the file {upload.filename} is empty")
    upload.stream.seek(0)
    return upload.stream.read()


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422, "The request has invalid fields.", errors=[{"field": field, "message": message}]
    )


#: what the API's report shows of :meth:`ImportReport.as_dict` (problems are a 422 instead)
REPORT_FIELDS = (
    "filename",
    "dry_run",
    "applied",
    "source_locale",
    "target_locales",
    "units",
    "unchanged",
    "empty",
    "items_changed",
)


def report_document(report) -> dict:
    """A clean report as JSON (long lists cut at :data:`MAX_SHOWN`, counts complete)."""
    data = report.as_dict()
    return {
        **{name: data[name] for name in REPORT_FIELDS},
        "change_count": len(report.changes),
        "changes": data["changes"][:MAX_SHOWN],
        "warnings": data["warnings"][:MAX_SHOWN],
    }


def refused(report) -> ApiError:
    """422 for a report with problems (nothing was written): one error per problem, its
    ``field`` the unit id (null for the whole file), the line in the message."""
    count = len(report.problems)
    detail = (
        f"The file {report.filename} was not imported: {count} "
        f"problem{'s' if count != 1 else ''}; nothing was written."
    )
    errors = [
        {"field": p.unit_id, "message": f"line {p.line}: {p.message}" if p.line else p.message}
        for p in report.problems[:MAX_SHOWN]
    ]
    return ApiError(422, detail, errors=errors)
