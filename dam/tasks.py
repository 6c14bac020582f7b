"""Queue tasks of the DAM: renditions, the daily expiry, pending media from imports."""

from __future__ import annotations

import logging

from dam.services import lifecycle, renditions
from pim.extensions import db
from pim.queue import periodic, task

log = logging.getLogger(__name__)

task(renditions.TASK)(renditions.run_rendition_task)


@periodic("dam.expire", minute="5", hour="0")
def expire_daily() -> None:
    """Every night: assets whose usage rights ended become ``expired``."""
    expired = lifecycle.expire_assets(db.session)
    db.session.commit()
    if expired:
        log.info("expired %d asset(s): %s", len(expired), ", ".join(a.code for a in expired))


@periodic("dam.pending_media", minute="*/5")
def resolve_pending_task() -> None:
    """Every five minutes: turn the media links imports left pending into linked assets
    (``vitrine dam resolve-pending`` does it at once)."""
    from dam.context import current_media
    from dam.services.pending import resolve_pending

    resolve_pending(db.session, current_media(), commit=db.session.commit)


@periodic("dam.presets", minute="*/10")
def presets_changed_task() -> None:
    """Every ten minutes: when the rendition presets changed, queue the new renditions."""
    from dam.context import current_media

    renditions.queue_after_preset_change(db.session, current_media())
