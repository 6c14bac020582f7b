"""Uploading, replacing, finding, trashing and restoring assets.

An upload is staged and hashed locally, sniffed from its bytes, probed (a bomb or a file
that is not what it claims is refused before anything is stored), checked for duplicates
by SHA-256, then written to storage and recorded. Storage is written before the rows are
flushed: if the transaction then fails, the object is an orphan that
:func:`dam.services.cleanup.remove_orphans` finds and deletes (and says so); a failed
storage write records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import or_, select

from dam.imaging import ImageRefused
from dam.metadata import extract
from dam.models import Asset, AssetLink, AssetStatus, AssetVersion, ReleaseStatus
from dam.probe import probe
from dam.services.editing import asset_state, record_version
from dam.services.ingest import Staged, UploadTooLarge, original_key, staged, staged_path
from dam.sniff import ALLOWED_TYPES, refusal, sniff
from pim.models import Locale, Source
from pim.models.types import utcnow
from pim.services.actors import Actor
from pim.services.errors import DomainError, NotFound


class AssetRefused(DomainError):
    """The file cannot become an asset; the message names the file and why."""


class AssetInUse(DomainError):
    """Deleting an asset that products still show; ``links`` says where."""

    def __init__(self, asset: Asset, links: list[AssetLink]):
        self.asset = asset
        self.links = links
        super().__init__(
            f"asset {asset.code} ({asset.filename}) is linked to {len(links)} product(s) or "
            "model(s); unlink it first or delete with force"
        )


@dataclass
class UploadResult:
    """What an upload did: a new asset, or the existing asset with the same content."""

    asset: Asset
    created: bool
    duplicate: bool = False
    problems: list[str] = field(default_factory=list)


def find_asset(session, ref: str | int, *, include_trash: bool = True) -> Asset:
    """The asset with this id, code or SHA-256 (of any of its versions)."""
    ref = str(ref).strip()
    clauses = [Asset.code == ref]
    if ref.isdigit():
        clauses.append(Asset.id == int(ref))
    if len(ref) == 64:
        clauses.append(Asset.sha256 == ref.lower())
    asset = session.scalars(select(Asset).where(or_(*clauses)).limit(1)).first()
    if asset is None and len(ref) == 64:
        asset = duplicate_of(session, ref.lower())
    if asset is None or (asset.deleted_at is not None and not include_trash):
        raise NotFound(_("no asset %(ref)r", ref=ref))
    return asset


def duplicate_of(session, sha256: str) -> Asset | None:
    """The asset whose current or an earlier file has this content, if any."""
    asset = session.scalars(select(Asset).where(Asset.sha256 == sha256).limit(1)).first()
    if asset is not None:
        return asset
    return session.scalars(
        select(Asset).join(AssetVersion).where(AssetVersion.sha256 == sha256).limit(1)
    ).first()


def upload(
    session, media, fileobj: BinaryIO, filename: str, *, user=None, actor: Actor | None = None
) -> UploadResult:
    """Store ``fileobj`` as a new asset, or report the existing asset with the same bytes."""
    name = clean_filename(filename)
    try:
        with staged(fileobj, name) as stage:
            return _upload_staged(session, media, stage, name, user, actor)
    except UploadTooLarge as exc:
        raise AssetRefused(str(exc)) from exc


def upload_path(
    session, media, path, filename: str, *, user=None, actor: Actor | None = None
) -> UploadResult:
    """:func:`upload` for a file already on local disk (bulk imports; no copy)."""
    name = clean_filename(filename)
    try:
        with staged_path(path, name) as stage:
            return _upload_staged(session, media, stage, name, user, actor)
    except UploadTooLarge as exc:
        raise AssetRefused(str(exc)) from exc


def _upload_staged(session, media, stage: Staged, name: str, user, actor=None) -> UploadResult:
    existing = duplicate_of(session, stage.sha256)
    if existing is not None:
        return UploadResult(asset=existing, created=False, duplicate=True)
    facts = _examine(media, stage, name)
    media.storage.put_file(original_key(stage.sha256), stage.path, facts["content_type"])
    asset = Asset(
        code=_new_code(session, stage.sha256),
        uploaded_by_id=getattr(user, "id", None),
        status=AssetStatus.DRAFT,
        title={},
        alt_text={},
        tags=[],
        allowed_channels=[],
        allowed_territories=[],
    )
    session.add(asset)
    _add_version(session, asset, stage, name, facts, user, number=1)
    _prefill_rights(asset, facts["rights"], _first_locale(session))
    session.flush()
    record_version(session, asset, actor or _actor(user), None, comment=f"uploaded {name}")
    return UploadResult(asset=asset, created=True, problems=list(asset.problems))


def replace_file(
    session, media, asset: Asset, fileobj: BinaryIO, filename: str, *, user=None, comment=""
) -> AssetVersion:
    """Give ``asset`` a new file; earlier versions stay restorable, renditions are redone."""
    name = clean_filename(filename)
    before = asset_state(asset)
    try:
        with staged(fileobj, name) as stage:
            if stage.sha256 == asset.sha256:
                raise AssetRefused(
                    _(
                        "%(name)s is the file asset %(code)s already has; nothing to replace",
                        name=name,
                        code=asset.code,
                    )
                )
            facts = _examine(media, stage, name)
            media.storage.put_file(original_key(stage.sha256), stage.path, facts["content_type"])
            version = _add_version(
                session, asset, stage, name, facts, user, number=asset.current_version + 1
            )
    except UploadTooLarge as exc:
        raise AssetRefused(str(exc)) from exc
    version.comment = comment[:500]
    session.flush()
    record_version(session, asset, _actor(user), before, comment=f"new file: {name}")
    return version


def restore_version(session, asset: Asset, number: int, *, user=None) -> AssetVersion:
    """Make an earlier file current again, as a new version (history stays linear)."""
    old = next((v for v in asset.versions if v.number == number), None)
    if old is None:
        raise NotFound(
            _("asset %(code)s has no version %(number)s", code=asset.code, number=number)
        )
    if number == asset.current_version:
        raise AssetRefused(
            _(
                "version %(number)s of asset %(code)s is already the current one",
                number=number,
                code=asset.code,
            )
        )
    version = AssetVersion(
        number=asset.current_version + 1,
        storage_key=old.storage_key,
        sha256=old.sha256,
        size=old.size,
        filename=old.filename,
        content_type=old.content_type,
        kind=old.kind,
        width=old.width,
        height=old.height,
        frames=old.frames,
        pages=old.pages,
        duration=old.duration,
        problems=list(old.problems),
        embedded=dict(old.embedded),
        uploaded_by_id=getattr(user, "id", None),
        comment=f"restored version {number}",
    )
    before = asset_state(asset)
    asset.versions.append(version)
    _mirror(asset, version)
    session.flush()
    record_version(session, asset, _actor(user), before, comment=version.comment)
    return version


def _actor(user) -> Actor:
    return Actor.for_user(user, Source.UI) if user is not None else Actor.system()


def trash(session, asset: Asset, *, force: bool = False, actor=None) -> list[AssetLink]:
    """Move ``asset`` to the trash; refused while linked unless ``force`` (links removed).

    Returns the links that were removed (their products' values are resynchronised).
    """
    if asset.deleted_at is not None:
        return []
    links = list(asset.links)
    if links and not force:
        raise AssetInUse(asset, links)
    if links:
        from dam.services.links import remove_links

        remove_links(session, links, actor=actor)
    asset.deleted_at = utcnow()
    session.flush()
    return links


def restore(session, asset: Asset) -> None:
    """Take ``asset`` out of the trash (its links are not restored)."""
    asset.deleted_at = None
    session.flush()


def clean_filename(filename: str) -> str:
    """The last path segment of a client-supplied name, without control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "unnamed"


def _examine(media, stage: Staged, name: str) -> dict:
    content_type = sniff(stage.head, name)
    if (message := refusal(content_type, name)) is not None:
        raise AssetRefused(message)
    if content_type not in ALLOWED_TYPES:
        raise AssetRefused(
            _(
                "%(name)s: files of type %(content_type)s are not accepted",
                name=name,
                content_type=content_type,
            )
        )
    try:
        info = probe(stage.path, content_type, max_pixels=media.max_pixels, name=name)
    except ImageRefused as exc:
        raise AssetRefused(str(exc)) from exc
    extracted = extract(stage.path, content_type)
    return {
        "content_type": content_type,
        "info": info,
        "rights": extracted.rights,
        "embedded": {
            "exif": extracted.exif,
            "iptc": extracted.iptc,
            "xmp": extracted.xmp,
            "conflicts": list(extracted.conflicts),
        },
        "problems": list(info.problems) + list(extracted.problems),
    }


def _add_version(session, asset, stage: Staged, name, facts, user, *, number) -> AssetVersion:
    info = facts["info"]
    version = AssetVersion(
        number=number,
        storage_key=original_key(stage.sha256),
        sha256=stage.sha256,
        size=stage.size,
        filename=name,
        content_type=facts["content_type"],
        kind=info.kind,
        width=info.width,
        height=info.height,
        frames=info.frames,
        pages=info.pages,
        duration=info.duration,
        problems=facts["problems"],
        embedded=facts["embedded"],
        uploaded_by_id=getattr(user, "id", None),
    )
    asset.versions.append(version)
    _mirror(asset, version)
    return version


def _mirror(asset: Asset, version: AssetVersion) -> None:
    asset.current_version = version.number
    for name in (
        "filename",
        "content_type",
        "kind",
        "size",
        "sha256",
        "width",
        "height",
        "frames",
        "pages",
        "duration",
    ):
        setattr(asset, name, getattr(version, name))
    asset.problems = list(version.problems)
    asset.embedded = dict(version.embedded)


def _new_code(session, sha256: str) -> str:
    base = sha256[:16]
    taken = set(session.scalars(select(Asset.code).where(Asset.code.like(f"{base}%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


#: Extracted rights → asset columns (pre-filled on upload; editors confirm or correct).
_RIGHTS_FIELDS = {
    "creator": 500,
    "copyright_holder": 500,
    "copyright_notice": 1000,
    "credit_line": 500,
    "licensor": 500,
    "web_statement": 2000,
}
_RELEASES = {status.value for status in ReleaseStatus}


def _first_locale(session) -> str:
    return session.scalar(select(Locale.code).order_by(Locale.id).limit(1)) or "en_US"


def _prefill_rights(asset: Asset, rights: dict, locale: str) -> None:
    for name, limit in _RIGHTS_FIELDS.items():
        setattr(asset, name, str(rights.get(name) or "")[:limit])
    asset.usage_terms = str(rights.get("usage_terms") or "")
    for name in ("model_release", "property_release"):
        value = rights.get(name)
        setattr(asset, name, value if value in _RELEASES else ReleaseStatus.UNKNOWN)
    if rights.get("valid_until"):
        try:
            asset.valid_until = date.fromisoformat(str(rights["valid_until"])[:10])
        except ValueError:
            asset.problems = [*asset.problems, "embedded licence end date is not a date"]
    if rights.get("title"):
        asset.title = {locale: str(rights["title"])[:500]}
    if rights.get("description"):
        asset.alt_text = {locale: str(rights["description"])[:1000]}
    asset.tags = [str(word)[:100] for word in rights.get("keywords") or []][:50]
