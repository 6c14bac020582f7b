"""Queue tasks of search: batches of keys to index, and full refreshes after structure
changes."""

from __future__ import annotations

import logging

from pim.extensions import db
from pim.queue import periodic, task
from pim.search import indexer

log = logging.getLogger(__name__)


@task(indexer.TASK)
def index_task(keys: list[str]) -> None:
    """Index one batch of keys from committed data."""
    indexer.index_keys(db.session.get_bind(), keys)


@task(indexer.REFRESH_TASK)
def refresh_task() -> None:
    """Bring every document up to date (after a change of labels or requirements)."""
    drift = indexer.check(db.session.get_bind(), fix=True)
    if not drift.clean:
        log.info(
            "search refresh: %d missing, %d stale, %d extra document(s) fixed",
            len(drift.missing),
            len(drift.stale),
            len(drift.extra),
        )


@periodic("search.maintain", minute="*/10")
def maintain_task() -> None:
    """Every ten minutes: let the backend tidy up (Whoosh merges the segments of quick
    writes; PostgreSQL needs nothing)."""
    backend = indexer.backend()
    if hasattr(backend, "maintain"):
        backend.maintain()
