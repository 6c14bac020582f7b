"""Storage housekeeping: orphaned objects and the trash.

An object is an orphan when no asset version or rendition names it, e.g. after a
transaction failed once the file was already stored. Orphans are deleted only when a
previous run already saw them (at least ``grace`` earlier), so an upload whose transaction
is still open is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from dam.models import Asset, AssetVersion, Rendition
from pim.models.types import utcnow

PREFIXES = ("originals/", "renditions/")


@dataclass
class CleanupReport:
    orphans_found: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)


def referenced_keys(session) -> set[str]:
    keys = set(session.scalars(select(AssetVersion.storage_key)))
    keys |= set(
        session.scalars(select(Rendition.storage_key).where(Rendition.storage_key.isnot(None)))
    )
    return keys


def remove_orphans(
    session,
    storage,
    seen: dict[str, str],
    *,
    grace: timedelta = timedelta(hours=1),
    now: datetime | None = None,
    dry_run: bool = False,
) -> tuple[CleanupReport, dict[str, str]]:
    """Delete orphans first seen at least ``grace`` ago; return the report and the new
    ``seen`` map (key → ISO time first seen) to keep for the next run."""
    now = now or utcnow()
    referenced = referenced_keys(session)
    report = CleanupReport()
    still_seen = {}
    for prefix in PREFIXES:
        for key in storage.keys(prefix):
            if key in referenced:
                continue
            report.orphans_found.append(key)
            first = datetime.fromisoformat(seen.get(key, now.isoformat()))
            if now - first >= grace and not dry_run:
                storage.delete(key)
                report.deleted.append(key)
            else:
                report.waiting.append(key)
                still_seen[key] = first.isoformat()
    return report, still_seen


def purge_trash(session, *, older_than: timedelta, now=None) -> tuple[list[str], set[str]]:
    """Delete assets in the trash for longer than ``older_than``; return their codes and the
    storage keys no other asset shares, to delete once the transaction is committed (if the
    commit fails, the files are still there)."""
    now = now or utcnow()
    doomed = list(session.scalars(select(Asset).where(Asset.deleted_at < now - older_than)))
    keys = set()
    for asset in doomed:
        keys |= {v.storage_key for v in asset.versions}
        keys |= set(
            session.scalars(
                select(Rendition.storage_key).where(
                    Rendition.asset_id == asset.id, Rendition.storage_key.isnot(None)
                )
            )
        )
        session.delete(asset)
    session.flush()
    return [asset.code for asset in doomed], keys - referenced_keys(session)
