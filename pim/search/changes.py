"""Noting what a transaction changed, for the index (see :mod:`pim.search.indexer`).

Write paths that bypass the ORM (Core inserts, the completeness refresh) call
:func:`touch`; ORM changes are noted by the indexer's flush listener. This module imports
nothing of the app, so every service may use it.
"""

from __future__ import annotations

from collections.abc import Iterable

PENDING = "vitrine_search_pending"
REFRESH = "vitrine_search_refresh"


def touch(session, kind: str, ids: Iterable[int]) -> None:
    """Note that items of ``kind`` changed in this transaction (indexed after commit)."""
    pending = session.info.setdefault(PENDING, set())
    pending.update(f"{kind}:{int(i)}" for i in ids)


def refresh_later(session) -> None:
    """Note that this transaction changed labels or requirements: refresh all after commit."""
    session.info[REFRESH] = True
