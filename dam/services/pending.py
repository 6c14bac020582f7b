"""Media an import named (image URLs, files of an Akeneo export) becoming linked assets.

URLs are downloaded with the PIM's SSRF-safe fetcher; local paths are read only when the
Akeneo importer recorded them (it checked they lie inside the export folder): a path in a
supplier's spreadsheet could name any file of the server. Each row ends ``done`` or
``failed`` with the reason, and one bad row never stops the others.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from dam.models import LinkRole
from dam.services import links
from dam.services.assets import AssetRefused, upload_path
from dam.services.links import LinkRefused
from pim.imports.fetch import FetchError, FetchPolicy, fetch_url
from pim.models import PendingMedia, Product, ProductModel
from pim.services.actors import Actor
from pim.services.errors import DomainError

#: Sources whose local paths were checked when recorded (the Akeneo export folder).
TRUSTED_PATH_SOURCES = {"migration"}


def resolve_pending(
    session, media, *, job_id: int | None = None, commit: Callable[[], None] | None = None
) -> dict[str, int]:
    """Resolve pending media rows (of one import job, or all); counts by outcome."""
    query = select(PendingMedia).where(PendingMedia.status == "pending").order_by(PendingMedia.id)
    if job_id is not None:
        query = query.where(PendingMedia.job_id == job_id)
    counts = {"done": 0, "failed": 0}
    policy = FetchPolicy.from_config(current_app.config)
    for row in session.scalars(query).all():
        try:
            with session.begin_nested():
                _resolve(session, media, row, policy)
            row.status, row.error = "done", None
        except (AssetRefused, FetchError, LinkRefused, DomainError, OSError) as exc:
            row.status, row.error = "failed", str(exc)[:2000]
        counts[row.status] += 1
        session.flush()
        if commit is not None:
            commit()
    return counts


def _resolve(session, media, row: PendingMedia, policy: FetchPolicy) -> None:
    owner = _owner(session, row)
    actor = Actor.system(row.source)
    with tempfile.TemporaryDirectory(prefix="vitrine-media-") as tmp:
        reference = row.reference.strip()
        scheme = urlsplit(reference).scheme.lower()
        if scheme in ("http", "https"):
            path = Path(tmp) / "download"
            with path.open("wb") as out:
                fetch_url(reference, out, policy)
            name = Path(urlsplit(reference).path).name or "download"
        elif row.source in TRUSTED_PATH_SOURCES and Path(reference).is_absolute():
            path = Path(reference)
            name = path.name
        else:
            raise DomainError(
                _(
                    "%(value)s: only http(s) URLs can be fetched; upload files (or a zip) to the "
                    "asset library instead",
                    value=reference[:200],
                )
            )
        result = upload_path(session, media, path, name)
    attribute = row.attribute if not (row.locale or row.scope) else ""
    role = LinkRole.MAIN if not links.links_of(session, owner) else LinkRole.GALLERY
    try:
        links.link(session, result.asset, owner, role=role, attribute=attribute, actor=actor)
    except LinkRefused:
        links.link(session, result.asset, owner, role=role, attribute="", actor=actor)


def _owner(session, row: PendingMedia):
    if row.owner_type == "product":
        owner = session.scalar(select(Product).where(Product.identifier == row.owner_key))
    else:
        owner = session.scalar(select(ProductModel).where(ProductModel.code == row.owner_key))
    if owner is None:
        raise DomainError(
            _(
                "%(owner_type)s %(owner_key)s no longer exists",
                owner_type=row.owner_type,
                owner_key=row.owner_key,
            )
        )
    return owner
