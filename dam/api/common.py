"""What the assets API's views share: the blueprint (whose argument parser reads multipart
bodies whole), lookups answering 404, representations and ETags."""

from __future__ import annotations

import hashlib
import json

from flask import current_app, request, url_for
from flask_smorest import Blueprint
from sqlalchemy import select
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from dam.context import current_media
from dam.models import Asset, Rendition
from dam.serialize import asset_dict
from dam.services.public import public_path
from dam.services.renditions import fingerprint
from dam.services.rights import usage_problems
from pim.api import API_PREFIX, etags
from pim.api.problems import ApiError
from pim.api.resources import json_response


class MultipartParser(FlaskParser):
    """webargs' parser, with the ``files`` location holding a multipart body's file parts
    *and* its plain fields (documented as one ``multipart/form-data`` request body)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class AssetsBlueprint(Blueprint):
    ARGUMENTS_PARSER = MultipartParser()


blp = AssetsBlueprint(
    "assets",
    __name__,
    url_prefix=f"{API_PREFIX}/assets",
    description="Assets of the DAM: files with metadata, rights, lifecycle, product links "
    "and renditions.",
)
ETAG_HEADER = {"ETag": {"description": "version of the asset", "schema": {"type": "string"}}}


#: Larger ids cannot be stored (32-bit integer column); such a URL names no asset.
MAX_ID = 2**31 - 1


def asset_or_404(session, asset_id: int) -> Asset:
    """The asset with this id (in the trash too), else 404."""
    asset = session.get(Asset, asset_id) if asset_id <= MAX_ID else None
    if asset is None:
        raise ApiError(404, f"asset {asset_id} does not exist.")
    return asset


# --- representations -------------------------------------------------------------------------


def summary(session, asset: Asset) -> dict:
    """An asset as the list shows it."""
    return _completed(asset, asset_dict(session, asset, detail=False))


def detail(session, asset: Asset) -> dict:
    """Everything about an asset (its single-item representation)."""
    doc = _completed(asset, asset_dict(session, asset))
    for version in doc["versions"]:
        version["download_url"] = download_url(asset, version=version["number"])
    doc["renditions"] = renditions(session, asset)
    return doc


def _completed(asset: Asset, doc: dict) -> dict:
    doc["status"] = str(doc["status"])
    doc["effective_status"] = str(doc["effective_status"])
    doc["version"] = asset.row_version
    doc["updated_at"] = asset.updated_at.isoformat()
    doc["usage_problems"] = usage_problems(asset)
    doc["url"] = url_for("assets.AssetItem", asset_id=asset.id, _external=True)
    doc["download_url"] = download_url(asset)
    return doc


def download_url(asset: Asset, **args) -> str:
    return url_for("assets.AssetDownload", asset_id=asset.id, _external=True, **args)


def renditions(session, asset: Asset) -> list[dict]:
    """Every configured preset with the rendition of the current file, if made."""
    made = {
        (row.preset, row.fingerprint): row
        for row in session.scalars(
            select(Rendition).where(
                Rendition.asset_id == asset.id, Rendition.version == asset.current_version
            )
        )
    }
    base = current_app.config["FEEDS_BASE_URL"].rstrip("/")
    out = []
    for name, preset in current_media().settings.presets.items():
        row = made.get((name, fingerprint(asset, preset)))
        out.append(
            {
                "preset": name,
                "content_type": preset.content_type,
                "generated": row is not None and row.status == "ready",
                "status": row.status if row is not None else "pending",
                "width": row.width if row else None,
                "height": row.height if row else None,
                "size": row.size if row else None,
                "note": row.note if row else None,
                "url": download_url(asset, preset=name),
                "public_url": base + public_path(asset.id, name, preset.extension),
            }
        )
    return out


# --- ETags -----------------------------------------------------------------------------------


def version_tag(asset: Asset) -> str:
    """The unquoted tag of the asset's current record version."""
    return f"{asset.id}-{asset.row_version}"


def representation_tag(asset: Asset, doc: dict) -> str:
    """The tag of one representation: the record version, and a digest of what else it
    shows (links, renditions, a status that expired with the date), after ``;``."""
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode())
    return f"{version_tag(asset)};{digest.hexdigest()[:12]}"


def expected_version(asset: Asset) -> int | None:
    """The record version a write may expect: None without ``If-Match``; 412 when no tag
    of ``If-Match`` names the current version (``*`` matches any)."""
    return etags.match(version_tag(asset), asset.row_version, "asset")


def asset_response(session, asset: Asset, status: int = 200, *, location: str | None = None):
    """The asset's full representation with its ETag; 304 for a matching If-None-Match."""
    doc = detail(session, asset)
    tag = representation_tag(asset, doc)
    if request.method == "GET" and (cached := etags.not_modified(tag)) is not None:
        return cached
    response = json_response(doc, status)
    response.set_etag(tag)
    if location:
        response.headers["Location"] = location
    return response
