"""Uploads that bring their description: a file plus metadata, rights and product links,
all checked before the file reaches storage (the REST API's uploads and new versions).

:func:`dam.services.assets.upload` stores the original as soon as the file is examined,
then the caller describes the asset. Here the storage writes of the asset services are
held back (:class:`DeferredStorage`) until the description and the links have been
accepted by their services, so a refused upload leaves nothing behind: no row, no object.
As in the asset services, storage is written before the transaction commits; a failed
commit leaves an orphan that :func:`dam.services.cleanup.remove_orphans` deletes later.

Uploads made here are stricter than the library's in one way: an image whose data is cut
short is refused (a client whose transfer broke retries), where the library keeps it and
flags it for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from dam.models import Asset, AssetVersion, LinkRole
from dam.services import assets, editing, links
from dam.services.ingest import Staged, UploadTooLarge, original_key, staged
from pim.models import Product, ProductModel
from pim.services import product_models, products
from pim.services.actors import Actor
from pim.services.errors import InvalidData, NotFound, Problem

#: How :func:`dam.probe.probe` flags image data it could not decode to the end.
CORRUPT_IMAGE = "truncated or corrupt image data"
OWNER_TYPES = ("product", "product_model")


class DeferredStorage:
    """Stands in for the storage during an upload: remembers what would be stored under
    the staged file's key, and stores it on :meth:`write`."""

    def __init__(self, storage, stage: Staged):
        self.storage = storage
        self.stage = stage
        self.pending: dict[str, str | None] = {}

    def put_file(self, key: str, path: Path, content_type: str | None = None) -> None:
        """Note the write; only the staged file (content-addressed) is ever written."""
        if key != original_key(self.stage.sha256):
            raise ValueError(_("unexpected storage write to %(key)s", key=key))
        self.pending[key] = content_type

    def write(self) -> None:
        """Store the staged file under the keys noted."""
        for key, content_type in self.pending.items():
            self.storage.put_file(key, self.stage.path, content_type)


@dataclass
class DeferredMedia:
    """The media context the asset services see while writes are held back."""

    storage: DeferredStorage
    max_pixels: int


@dataclass
class LinkRequest:
    """A product or product model an uploaded asset is to be shown on."""

    owner: Product | ProductModel
    role: str = LinkRole.GALLERY
    position: int | None = None
    attribute: str | None = ""


@dataclass
class Description:
    """What an upload says about its asset: editable fields (as
    :func:`dam.services.editing.update_asset` takes them) and links."""

    fields: dict = field(default_factory=dict)
    links: list[LinkRequest] = field(default_factory=list)


def find_owner(session, owner_type: str, key: str) -> Product | ProductModel:
    """The product or product model a link names; NotFound naming it."""
    if owner_type == "product":
        return products.get_product(session, key)
    if owner_type == "product_model":
        return product_models.get_model(session, key)
    raise NotFound(
        _(
            "unknown owner type %(owner_type)r; use one of %(owner_types)s",
            owner_type=owner_type,
            owner_types=", ".join(OWNER_TYPES),
        )
    )


def owners_or_invalid(session, subject: str, requested: list[dict]) -> list[LinkRequest]:
    """Links as :class:`LinkRequest` (``owner_type``, ``owner``, ``role``, ``position``,
    ``attribute``); :class:`InvalidData` naming every product or model that does not exist."""
    found, problems = [], []
    for index, item in enumerate(requested):
        try:
            owner = find_owner(session, item.get("owner_type", "product"), item["owner"])
        except NotFound as missing:
            problems.append(Problem(str(missing), field=f"links.{index}.owner"))
            continue
        options = {k: item[k] for k in ("role", "position", "attribute") if k in item}
        found.append(LinkRequest(owner=owner, **options))
    if problems:
        raise InvalidData(subject, problems)
    return found


def upload_described(
    session, media, fileobj, filename: str, description: Description, *, user, actor: Actor
) -> assets.UploadResult:
    """A new asset from ``fileobj``, described and linked; or the existing asset with the
    same bytes, left as it is (``duplicate``: its description is not changed).

    Raises :class:`~dam.services.assets.AssetRefused` for a file that cannot become an
    asset, :class:`InvalidData` or :class:`~dam.services.links.LinkRefused` for a
    description that does not hold; nothing is stored then.
    """
    name = assets.clean_filename(filename)
    with _staged(fileobj, name) as stage:
        deferred = DeferredStorage(media.storage, stage)
        result = assets.upload_path(
            session,
            DeferredMedia(deferred, media.max_pixels),
            stage.path,
            name,
            user=user,
            actor=actor,
        )
        if result.duplicate:
            return result
        refuse_corrupt(result.asset.problems, name)
        describe(session, result.asset, description, actor=actor)
        deferred.write()
    return result


def new_version(
    session, media, asset: Asset, fileobj, filename: str, *, user, comment: str = ""
) -> AssetVersion:
    """Give ``asset`` a new file (see :func:`dam.services.assets.replace_file`), refusing
    an image cut short before anything is stored."""
    name = assets.clean_filename(filename)
    with _staged(fileobj, name) as stage:
        deferred = DeferredStorage(media.storage, stage)
        with stage.path.open("rb") as source:
            version = assets.replace_file(
                session,
                DeferredMedia(deferred, media.max_pixels),
                asset,
                source,
                name,
                user=user,
                comment=comment,
            )
        refuse_corrupt(version.problems, name)
        deferred.write()
    return version


def describe(session, asset: Asset, description: Description, *, actor: Actor) -> None:
    """Apply an upload's fields and links to its new asset (each through its service)."""
    if description.fields:
        editing.update_asset(session, asset, description.fields, actor)
    for item in description.links:
        links.link(
            session,
            asset,
            item.owner,
            role=item.role,
            position=item.position,
            attribute=item.attribute,
            actor=actor,
        )


def refuse_corrupt(problems: list[str], name: str) -> None:
    """AssetRefused when the file's image data could not be decoded to the end."""
    for problem in problems or ():
        if problem.startswith(CORRUPT_IMAGE):
            raise assets.AssetRefused(
                _(
                    "%(name)s: the image data is cut short or corrupt (%(problem)s); send the "
                    "whole file again",
                    name=name,
                    problem=problem,
                )
            )


@contextmanager
def _staged(fileobj, name: str) -> Iterator[Staged]:
    """:func:`dam.services.ingest.staged`, with an oversize file refused as AssetRefused."""
    try:
        with staged(fileobj, name) as stage:
            yield stage
    except UploadTooLarge as exc:
        raise assets.AssetRefused(str(exc)) from exc
