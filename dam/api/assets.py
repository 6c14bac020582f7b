"""``/api/v1/assets``: list (cursor, filters), upload (multipart), get, PATCH of the
description, rights and status, trash and restore, new file versions."""

from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from flask.views import MethodView
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dam.api.common import (
    ETAG_HEADER,
    asset_or_404,
    asset_response,
    blp,
    expected_version,
    summary,
)
from dam.api.schemas import (
    AssetListArgs,
    AssetPageSchema,
    AssetPatchSchema,
    AssetSchema,
    AssetUploadSchema,
    DeleteArgs,
    VersionRestoreSchema,
    VersionUploadSchema,
)
from dam.context import current_media
from dam.models import Asset, AssetLink
from dam.services import assets, editing, uploads
from dam.services.ingest import MAX_UPLOAD_BYTES
from dam.services.links import LinkRefused
from dam.services.renditions import queue_renditions
from dam.storage import StorageError
from dam.web.listing import status_clause
from pim.api import auth, filters
from pim.api.pagination import decode_cursor, next_url, paginate
from pim.api.problems import ApiError, problem_errors
from pim.api.resources import documented_errors, json_response
from pim.extensions import db
from pim.services.errors import InvalidData, NotFound

MULTIPART = ("multipart/form-data",)
#: Room for the multipart framing and the metadata part around the largest file.
UPLOAD_OVERHEAD = 1024 * 1024


def refused(error: Exception, field: str = "file") -> ApiError:
    """A 422 naming the file (the services' messages start with its name)."""
    return ApiError(
        422, "The file was not stored.", errors=[{"field": field, "message": str(error)}]
    )


def unavailable(error: StorageError) -> ApiError:
    """A 503 for a storage failure (logged; its message names storage internals)."""
    current_app.logger.warning("API upload: storage failed: %s", error)
    return ApiError(503, "The file could not be stored now; try again later.")


@blp.route("")
class AssetCollection(MethodView):
    max_body = MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD
    accepts = {"POST": MULTIPART}

    @blp.arguments(AssetListArgs, location="query", unknown=RAISE)
    @blp.response(200, AssetPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List assets

        Ordered by upload (id), ``limit`` per page; follow ``next``. Filters combine (all
        must hold). The trash is left out unless ``in_trash=true``.
        """
        session = db.session
        query = filtered(session, args)
        candidates = (
            filters.search_ids(session, args["search"], "asset") if args.get("search") else None
        )
        rows, cursor = paginate(
            session,
            query,
            Asset.id,
            after=decode_cursor(args.get("cursor")),
            limit=args["limit"],
            candidates=candidates,
        )
        items = [summary(session, asset) for asset in rows]
        return json_response({"items": items, "next": next_url(cursor)})

    @blp.arguments(AssetUploadSchema, location="files", content_type=MULTIPART[0], unknown=RAISE)
    @blp.response(201, AssetSchema, headers=ETAG_HEADER, description="Stored as a new asset")
    @blp.alt_response(
        200, schema=AssetSchema, headers=ETAG_HEADER, description="Duplicate: the same bytes"
    )
    @documented_errors(blp, 401, 403, 413, 415, 422, 503)
    def post(self, form):
        """Upload an asset

        ``multipart/form-data`` with the ``file`` part and an optional ``metadata`` part
        (JSON: the fields of a PATCH, plus ``links``: ``[{owner_type, owner, role,
        position}]``). The file's type is read from its bytes; a file that is not an
        accepted image, video or PDF, a truncated image, a decompression bomb or an empty
        file is a 422 naming the file, and nothing is stored; so is metadata that does not
        hold or a link to a product that does not exist.

        The same bytes as an existing asset (in the trash too) store nothing: the answer
        is ``200`` with that asset, whose metadata is left unchanged (PATCH it).
        Renditions are made in the background.
        """
        session = db.session
        metadata = dict(form.get("metadata") or {})
        try:
            description = uploads.Description(
                links=uploads.owners_or_invalid(session, "the upload", metadata.pop("links", [])),
                fields=metadata,
            )
            result = uploads.upload_described(
                session,
                current_media(),
                form["file"].stream,
                form["file"].filename,
                description,
                user=auth.current_user(),
                actor=auth.actor(),
            )
            session.commit()
        except assets.AssetRefused as error:
            raise refused(error) from None
        except InvalidData as invalid:
            raise ApiError(
                422,
                "The file was not stored: its metadata does not hold.",
                errors=[_in_metadata(e) for e in problem_errors(invalid.problems)],
            ) from None
        except LinkRefused as error:
            raise refused(error, "metadata.links") from None
        except StorageError as error:
            raise unavailable(error) from None
        if result.created:
            queue_renditions([result.asset.id])
        location = url_for("assets.AssetItem", asset_id=result.asset.id)
        return asset_response(
            session, result.asset, 201 if result.created else 200, location=location
        )


@blp.route("/<int:asset_id>")
class AssetItem(MethodView):
    @blp.response(200, AssetSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404)
    def get(self, asset_id):
        """Get an asset

        File facts, checksums, description, rights, lifecycle, file versions, product
        links, renditions per preset (with URLs) and the download URL.
        """
        return asset_response(db.session, asset_or_404(db.session, asset_id))

    @blp.arguments(AssetPatchSchema)
    @blp.response(200, AssetSchema, headers=ETAG_HEADER, description="Updated (or unchanged)")
    @documented_errors(blp, 401, 403, 404, 409, 412, 413, 415, 422)
    def patch(self, payload, asset_id):
        """Update an asset's description, rights or status

        Fields given replace the stored ones (``title`` and ``alt_text`` as a whole).
        ``status`` moves the asset through its lifecycle (draft, approved, archived);
        ``in_trash: false`` takes it out of the trash. Send the ETag in ``If-Match`` to
        get 412 rather than overwrite a newer version. The same payload twice records no
        new version.
        """
        session = db.session
        asset = asset_or_404(session, asset_id)
        expected = expected_version(asset)
        in_trash = payload.pop("in_trash", None)
        editing.update_asset(session, asset, payload, auth.actor(), expected_version=expected)
        if in_trash is False:
            assets.restore(session, asset)
        elif in_trash:
            _trash(session, asset, force=False)
        session.commit()
        if "focal_point" in payload:
            queue_renditions([asset.id])  # crops follow the focal point
        return asset_response(session, asset)

    @blp.arguments(DeleteArgs, location="query", unknown=RAISE)
    @blp.response(204, description="In the trash")
    @documented_errors(blp, 401, 403, 404, 409, 412, 422)
    def delete(self, args, asset_id):
        """Move an asset to the trash

        Refused (409) while products show it, unless ``force=true`` (the links are then
        removed). PATCH ``in_trash: false`` takes it back out. ``If-Match`` is honoured.
        """
        session = db.session
        asset = asset_or_404(session, asset_id)
        expected_version(asset)
        _trash(session, asset, force=args["force"])
        session.commit()
        return "", 204


@blp.route("/<int:asset_id>/versions")
class AssetVersions(MethodView):
    max_body = MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD
    accepts = {"POST": MULTIPART}

    @blp.arguments(VersionUploadSchema, location="files", content_type=MULTIPART[0], unknown=RAISE)
    @blp.response(201, AssetSchema, headers=ETAG_HEADER, description="The new file is current")
    @documented_errors(blp, 401, 403, 404, 412, 413, 415, 422, 503)
    def post(self, form, asset_id):
        """Give an asset a new file

        ``multipart/form-data`` with ``file`` and an optional ``comment``. Earlier files
        stay as versions (``…/download?version=n``); renditions are redone. The same bytes
        as the current file, or a file refused as on upload, is a 422 naming the file.
        ``If-Match`` is honoured.
        """
        session = db.session
        asset = asset_or_404(session, asset_id)
        expected_version(asset)
        upload = form["file"]
        try:
            version = uploads.new_version(
                session,
                current_media(),
                asset,
                upload.stream,
                upload.filename,
                user=auth.current_user(),
                comment=form["comment"],
            )
            session.commit()
        except assets.AssetRefused as error:
            raise refused(error) from None
        except StorageError as error:
            raise unavailable(error) from None
        queue_renditions([asset.id])
        location = url_for("assets.AssetDownload", asset_id=asset.id, version=version.number)
        return asset_response(session, asset, 201, location=location)


@blp.route("/<int:asset_id>/versions/<int:number>/restore")
class AssetVersionRestore(MethodView):
    accepts = {"POST": ("application/json", "")}  # the body is optional

    @blp.arguments(VersionRestoreSchema, required=False)
    @blp.response(201, AssetSchema, headers=ETAG_HEADER, description="Restored as a new version")
    @documented_errors(blp, 401, 403, 404, 412, 415, 422)
    def post(self, body, asset_id, number):
        """Make an earlier file current again

        As a new version (history stays linear); 422 when it is already the current one.
        The body is optional. ``If-Match`` is honoured.
        """
        session = db.session
        asset = asset_or_404(session, asset_id)
        expected_version(asset)
        try:
            version = assets.restore_version(session, asset, number, user=auth.current_user())
        except NotFound as missing:
            raise ApiError(404, f"{missing}.") from None
        except assets.AssetRefused as error:
            raise refused(error, "number") from None
        if body.get("comment"):
            version.comment = f"{version.comment}: {body['comment']}"[:500]
        session.commit()
        queue_renditions([asset.id])
        location = url_for("assets.AssetDownload", asset_id=asset.id, version=version.number)
        return asset_response(session, asset, 201, location=location)


def _in_metadata(error: dict) -> dict:
    """A service problem about an upload's metadata, named as the multipart field."""
    return {**error, "field": "metadata." + error["field"] if error["field"] else "metadata"}


def _trash(session, asset: Asset, *, force: bool) -> None:
    try:
        assets.trash(session, asset, force=force, actor=auth.actor())
    except assets.AssetInUse as in_use:
        raise ApiError(409, f"{in_use}: add force=true to remove the links.") from None


def filtered(session, args: dict):
    """The assets query with the list's filters applied (none is a search)."""
    query = select(Asset).options(selectinload(Asset.collections))
    in_trash = Asset.deleted_at.is_not(None) if args["in_trash"] else Asset.deleted_at.is_(None)
    query = query.where(in_trash)
    if args.get("status"):
        query = query.where(status_clause(args["status"], date.today()))
    if args.get("product"):
        owner = _owner(session, "product", args["product"])
        query = query.where(Asset.id.in_(_linked(AssetLink.product_id == owner.id)))
    if args.get("product_model"):
        owner = _owner(session, "product_model", args["product_model"])
        query = query.where(Asset.id.in_(_linked(AssetLink.product_model_id == owner.id)))
    if args.get("updated_since"):
        query = query.where(Asset.updated_at >= args["updated_since"])
    if args.get("expiring_before"):
        query = query.where(Asset.valid_until <= args["expiring_before"])
    if args.get("kind"):
        query = query.where(Asset.kind == args["kind"])
    if args.get("licence_type"):
        query = query.where(Asset.licence_type == args["licence_type"])
    return query


def _owner(session, owner_type: str, key: str):
    try:
        return uploads.find_owner(session, owner_type, key)
    except NotFound as missing:
        raise filters.invalid(owner_type, str(missing)) from None


def _linked(condition):
    return select(AssetLink.asset_id).where(condition)
