"""Renditions: one stored file per (asset version, preset as configured), made in the
background, get-or-create.

A page never renders in bulk: it asks :func:`find_rendition`, and when nothing is stored yet
it queues :func:`make_renditions` (once, see :func:`queue_renditions`) and serves a
placeholder. A source that cannot be rendered gets a ``failed`` row with the reason, so it
is reported, not retried forever; a new file version or a preset change makes a new row.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dam.imaging import ImageRefused
from dam.models import Asset, AssetVersion, Rendition
from dam.presets import Preset
from dam.render import RenderError, render
from pim.extensions import db

log = logging.getLogger(__name__)

TASK = "dam.renditions"


class UnknownPreset(LookupError):
    """A rendition was asked for with a preset name the settings do not define."""


def preset_named(media, name: str) -> Preset:
    preset = media.settings.presets.get(name)
    if preset is None:
        known = ", ".join(sorted(media.settings.presets))
        raise UnknownPreset(
            _("unknown rendition preset %(name)r; known presets: %(known)s", name=name, known=known)
        )
    return preset


def preset_for_channel(media, channel: str) -> Preset | None:
    """The preset a channel's feed uses (None when the settings name none)."""
    name = media.settings.channel_presets.get(channel)
    return media.settings.presets[name] if name else None


def fingerprint(asset: Asset, preset: Preset) -> str:
    """The preset's settings, plus the focal point for crops: what the file depends on."""
    if preset.mode != "fill" or asset.focal_x is None:
        return preset.fingerprint
    focal = f"{preset.fingerprint}:{asset.focal_x:.4f},{asset.focal_y:.4f}"
    return hashlib.sha256(focal.encode()).hexdigest()[:16]


def rendition_key(version: AssetVersion, preset: Preset, print_: str) -> str:
    sha = version.sha256
    return f"renditions/{sha[:2]}/{sha}/{preset.name}-{print_}.{preset.extension}"


def find_rendition(session, asset: Asset, preset: Preset) -> Rendition | None:
    """The stored rendition of the asset's current version for ``preset``, if made."""
    return session.scalars(
        select(Rendition).where(
            Rendition.asset_id == asset.id,
            Rendition.version == asset.current_version,
            Rendition.preset == preset.name,
            Rendition.fingerprint == fingerprint(asset, preset),
        )
    ).first()


def current_version(asset: Asset) -> AssetVersion:
    return next(v for v in asset.versions if v.number == asset.current_version)


def make_rendition(session, media, asset: Asset, preset: Preset) -> Rendition:
    """Get or create the rendition of the asset's current version for ``preset``."""
    found = find_rendition(session, asset, preset)
    if found is not None:
        return found
    version = current_version(asset)
    print_ = fingerprint(asset, preset)
    row = Rendition(
        asset_id=asset.id, version=version.number, preset=preset.name, fingerprint=print_
    )
    with tempfile.TemporaryDirectory(prefix="vitrine-rendition-") as tmp:
        source = Path(tmp) / "source"
        target = Path(tmp) / f"out.{preset.extension}"
        media.storage.download_to(version.storage_key, source)
        focal = (asset.focal_x, asset.focal_y) if asset.focal_x is not None else None
        copyright_fields = {
            "creator": asset.creator,
            "copyright_notice": asset.copyright_notice or asset.copyright_holder,
            "credit_line": asset.credit_line,
            "usage_terms": asset.usage_terms,
        }
        try:
            with target.open("wb") as out:
                made = render(
                    source,
                    version.content_type,
                    preset,
                    out,
                    focal=focal,
                    copyright=copyright_fields,
                    max_pixels=media.max_pixels,
                    name=version.filename,
                )
        except (ImageRefused, RenderError) as exc:
            row.status = "failed"
            row.note = str(exc)
        else:
            key = rendition_key(version, preset, print_)
            media.storage.put_file(key, target, made.content_type)
            row.status = "ready"
            row.storage_key = key
            row.content_type = made.content_type
            row.width, row.height = made.width, made.height
            row.size = target.stat().st_size
            row.note = made.note
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another worker made it meanwhile: theirs is as good
        return find_rendition(session, asset, preset)
    return row


def missing_presets(session, media, asset: Asset) -> list[str]:
    """Names of the presets the asset's current version has no rendition for yet."""
    made = {
        (r.preset, r.fingerprint)
        for r in session.scalars(
            select(Rendition).where(
                Rendition.asset_id == asset.id, Rendition.version == asset.current_version
            )
        )
    }
    return [
        name
        for name, preset in media.settings.presets.items()
        if (name, fingerprint(asset, preset)) not in made
    ]


def make_renditions(session, media, asset_id: int, presets: list[str] | None = None) -> int:
    """Make the missing renditions of one asset (all presets or those named); the count."""
    asset = session.get(Asset, asset_id)
    if asset is None or asset.deleted_at is not None:
        return 0
    names = presets or missing_presets(session, media, asset)
    made = 0
    for name in names:
        preset = media.settings.presets.get(name)
        if preset is not None and find_rendition(session, asset, preset) is None:
            make_rendition(session, media, asset, preset)
            made += 1
    return made


def queue_renditions(asset_ids, presets: list[str] | None = None) -> None:
    """Queue the rendition job for these assets, at most once per asset until it has run.

    Commit first: the worker reads the assets from the database.
    """
    from pim.queue import current_queue

    queue = current_queue()
    for asset_id in asset_ids:
        marker = f"dam-rendition-queued:{asset_id}"
        if presets is None and queue.peek(marker):
            continue
        if presets is None:
            queue.put(marker, True)
        queue.enqueue(TASK, int(asset_id), presets)


#: Queue store key: the preset fingerprints the renditions were last queued for.
PRESETS_SEEN = "dam-presets-seen"


def preset_signature(media) -> dict[str, str]:
    """Each configured preset's fingerprint, by name."""
    return {name: preset.fingerprint for name, preset in media.settings.presets.items()}


def queue_after_preset_change(session, media) -> list[str]:
    """Queue the renditions of every asset for the presets added or changed since the last
    call (a deployment edited ``VITRINE_MEDIA_SETTINGS``); the names of those presets.

    The first call only records the presets: uploads queue their own renditions.
    """
    from pim.queue import current_queue

    queue = current_queue()
    seen = queue.peek(PRESETS_SEEN)
    current = preset_signature(media)
    changed = [] if seen is None else sorted(n for n, f in current.items() if seen.get(n) != f)
    if changed:
        ids = session.scalars(
            select(Asset.id).where(Asset.deleted_at.is_(None)).order_by(Asset.id)
        ).all()
        queue_renditions(ids, presets=changed)
        log.info("presets %s changed: renditions of %d asset(s) queued", changed, len(ids))
    queue.put(PRESETS_SEEN, current)
    return changed


def run_rendition_task(asset_id: int, presets: list[str] | None) -> None:
    """The queue task: make the renditions and commit after each one."""
    from dam.context import current_media
    from pim.queue import current_queue

    media = current_media()
    try:
        make_renditions(db.session, media, asset_id, presets)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("renditions of asset %s failed", asset_id)
        raise
    finally:
        if presets is None:
            current_queue().delete(f"dam-rendition-queued:{asset_id}")
