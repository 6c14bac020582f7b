"""Image and file cells → pending media links (the DAM turns them into assets later).

Akeneo exports media files next to the CSV files; a cell holds the path relative to the
import folder. A file that exists there is recorded once as a :class:`PendingMedia` row
(re-importing records nothing new); a missing file, or a path leading outside the folder,
is a warning naming the line, column and path.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from pim.imports.akeneo.context import Context
from pim.imports.akeneo.summary import Fault
from pim.models import PendingMedia

SOURCE = "migration"


def link_media(ctx: Context, file: str, owner_type: str, plans: list) -> None:
    """Record a pending link for every existing file named by the written ``plans``."""
    refs = [(plan, ref) for plan in plans for ref in plan.media]
    if not refs:
        return
    root = ctx.directory.resolve()
    stored = _stored_links(ctx.session, owner_type, {plan.key for plan, _ in refs})
    for plan, ref in refs:
        path = _inside(root, ref.path)
        if path is None or not _is_file(path):
            ctx.summary.warn(file, plan.line, plan.key, _missing(ref, root, path))
            continue
        link = (plan.key, ref.attribute, ref.locale or "", ref.scope or "", str(path))
        if link not in stored:
            stored.add(link)
            ctx.session.add(_pending(owner_type, link))
    ctx.session.flush()


def _stored_links(session, owner_type: str, keys: set) -> set:
    query = select(
        PendingMedia.owner_key,
        PendingMedia.attribute,
        PendingMedia.locale,
        PendingMedia.scope,
        PendingMedia.reference,
    ).where(PendingMedia.owner_type == owner_type, PendingMedia.owner_key.in_(keys))
    return {tuple(row) for row in session.execute(query)}


def _inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` resolved, or None when it leads outside ``root``."""
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) else None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, for instance
        return False


def _missing(ref, root: Path, path: Path | None) -> Fault:
    if path is None:
        reason = "the path leads outside the import folder; no asset link recorded"
    else:
        reason = f"file not found: {path}; no asset link recorded"
    return Fault(ref.column, ref.path, reason)


def _pending(owner_type: str, link: tuple) -> PendingMedia:
    owner_key, attribute, locale, scope, reference = link
    return PendingMedia(
        owner_type=owner_type,
        owner_key=owner_key,
        attribute=attribute,
        locale=locale,
        scope=scope,
        reference=reference,
        source=SOURCE,
        status="pending",
    )
