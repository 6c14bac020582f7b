"""Version history: record every change, show diffs, revert, purge old versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select

from pim.models import Version
from pim.models.types import utcnow
from pim.services.actors import Actor
from pim.services.errors import DomainError
from pim.values import value_key

#: resource type → function(session, version, actor) reverting to that version
_REVERTERS: dict[str, Callable] = {}


def register_reverter(resource_type: str, func: Callable) -> None:
    """Let :func:`revert` handle ``resource_type`` (called by the owning service module)."""
    _REVERTERS[resource_type] = func


def flatten_values(values: dict) -> dict:
    """``{name: [{locale: fr_FR, scope: None, data: x}]}`` → ``{"name-fr_FR": x}``."""
    return {
        value_key(code, e["locale"], e["scope"]): e["data"]
        for code, entries in (values or {}).items()
        for e in entries
    }


def diff_states(before: dict | None, after: dict) -> dict:
    """Changes between two snapshots: ``{field: {old, new}, "values": {key: {old, new}}}``."""
    if not before:
        return _creation(after)
    before = before or {}
    changes: dict = {}
    for key in sorted(before.keys() | after.keys()):
        if key == "values":
            continue
        if before.get(key) != after.get(key):
            changes[key] = {"old": before.get(key), "new": after.get(key)}
    old_values = flatten_values(before.get("values"))
    new_values = flatten_values(after.get("values"))
    value_changes = {
        key: {"old": old_values.get(key), "new": new_values.get(key)}
        for key in sorted(old_values.keys() | new_values.keys())
        if old_values.get(key) != new_values.get(key)
    }
    if value_changes:
        changes["values"] = value_changes
    return changes


def _creation(after: dict) -> dict:
    """:func:`diff_states` from nothing (the same result, without comparisons)."""
    changes: dict = {
        key: {"old": None, "new": after[key]}
        for key in sorted(after)
        if key != "values" and after[key] is not None
    }
    new_values = flatten_values(after.get("values"))
    if new_values:
        changes["values"] = {
            key: {"old": None, "new": new_values[key]} for key in sorted(new_values)
        }
    return changes


def record(
    session,
    *,
    resource_type: str,
    resource_id: int,
    resource_key: str,
    snapshot: dict,
    actor: Actor,
    before: dict | None = None,
    comment: str | None = None,
) -> Version | None:
    """Record a version when ``snapshot`` differs from ``before``; None when nothing changed.

    ``before=None`` means the resource was just created: this is its version 1.
    """
    changes = diff_states(before, snapshot)
    if before is not None and not changes:
        return None
    number = 1 if before is None else _next_number(session, resource_type, resource_id)
    version = Version(
        resource_type=resource_type,
        resource_id=resource_id,
        resource_key=resource_key,
        number=number,
        author_id=actor.user_id,
        author=actor.name,
        source=actor.source,
        changes=changes,
        snapshot=snapshot,
        comment=comment,
        created_at=utcnow(),
    )
    session.add(version)
    session.flush()
    return version


def _next_number(session, resource_type: str, resource_id: int) -> int:
    latest = session.scalar(
        select(func.max(Version.number)).where(
            Version.resource_type == resource_type, Version.resource_id == resource_id
        )
    )
    return (latest or 0) + 1


def list_versions(session, resource_type: str, resource_id: int) -> list[Version]:
    """Versions of a resource, newest first."""
    return list(
        session.scalars(
            select(Version)
            .where(Version.resource_type == resource_type, Version.resource_id == resource_id)
            .order_by(Version.number.desc())
        )
    )


def versions_since(session, resource_type: str, resource_id: int, number: int) -> list[Version]:
    """Versions recorded after version ``number`` (what others changed), oldest first."""
    return list(
        session.scalars(
            select(Version)
            .where(
                Version.resource_type == resource_type,
                Version.resource_id == resource_id,
                Version.number > number,
            )
            .order_by(Version.number)
        )
    )


def compare(older: Version, newer: Version) -> dict:
    """Diff between any two versions of the same resource."""
    if (older.resource_type, older.resource_id) != (newer.resource_type, newer.resource_id):
        raise DomainError("versions of different resources cannot be compared")
    return diff_states(older.snapshot, newer.snapshot)


def revert(session, version: Version, actor: Actor) -> Version | None:
    """Restore the state recorded in ``version`` as a new version (history is kept)."""
    reverter = _REVERTERS.get(version.resource_type)
    if reverter is None:
        raise DomainError(f"{version.resource_type} versions cannot be reverted")
    return reverter(session, version, actor)


def purge(session, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete versions older than ``older_than``, keeping each resource's latest version.

    The latest version stays so every resource keeps a baseline to diff and revert to.
    Returns the number of versions deleted.
    """
    cutoff = (now or utcnow()) - older_than
    latest = (
        select(Version.resource_type, Version.resource_id, func.max(Version.number).label("n"))
        .group_by(Version.resource_type, Version.resource_id)
        .subquery()
    )
    keep = select(Version.id).join(
        latest,
        and_(
            Version.resource_type == latest.c.resource_type,
            Version.resource_id == latest.c.resource_id,
            Version.number == latest.c.n,
        ),
    )
    result = session.execute(
        delete(Version)
        .where(Version.created_at < cutoff, Version.id.not_in(keep))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
