"""Keeping the index equal to the database: change tracking, indexing after commit, drift.

**What is tracked.** After every flush, the ORM objects added, changed or deleted are noted
in ``session.info`` by kind (products, models, and whatever plugins register, e.g. the
DAM's assets) with :func:`touch`; write paths that bypass the ORM (the bulk writers, the
completeness refresh) call :func:`touch` themselves. A model's change reaches its
descendants (they inherit its values), and changes to categories, attributes, families or
channels — anything that changes labels or completeness — make a full refresh.

**When.** After the transaction commits (never before: a rolled-back change must not be
searchable), the noted keys are indexed at once when there are few
(:data:`SYNC_LIMIT`), else in batches by the queue task ``search.index``. Documents are
read through a session of their own on the committed data. An indexing failure never
fails the write: it is logged and the keys are queued again; ``vitrine search check``
reports any drift and ``--fix`` (or ``reindex``) repairs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from pim.models import (
    Attribute,
    AttributeGroup,
    AttributeOption,
    Category,
    Channel,
    Family,
    FamilyVariant,
    Product,
    ProductModel,
)
from pim.search import documents
from pim.search.base import Document
from pim.search.changes import PENDING, REFRESH, refresh_later, touch
from pim.services.common import chunks

log = logging.getLogger(__name__)

#: Keys indexed right after the commit; more go to the queue in batches of BATCH.
SYNC_LIMIT = 500
BATCH = 1000
TASK = "search.index"
REFRESH_TASK = "search.refresh"
#: Structure objects whose change alters labels or completeness of many items.
STRUCTURE_CLASSES = (
    Attribute,
    AttributeGroup,
    AttributeOption,
    Category,
    Channel,
    Family,
    FamilyVariant,
)


@dataclass
class SearchSource:
    """A kind of searchable item: how to build its documents and list its ids.

    ``expand(session, ids)`` (optional) returns other keys to refresh when items of this
    kind change (a model's descendants); ``watch`` names other classes whose changes
    alter an item (an asset's links).
    """

    kind: str
    model: type
    build: Callable[[Session, list[int]], list[Document]]
    all_ids: Callable[[Session], Iterable[int]]
    expand: Callable[[Session, list[int]], list[str]] | None = None
    #: filter names of this kind's documents beyond the catalogue's (``linked``…)
    fields: tuple[str, ...] = ()
    #: other classes whose change alters an item of this kind: (class, obj → item id)
    watch: tuple[tuple[type, Callable[[object], int | None]], ...] = ()


def _model_descendants(session, ids: list[int]) -> list[str]:
    keys: list[str] = []
    frontier = list(ids)
    while frontier:
        children = session.scalars(
            select(ProductModel.id).where(ProductModel.parent_id.in_(frontier))
        ).all()
        keys += [f"model:{i}" for i in children]
        products = session.scalars(select(Product.id).where(Product.parent_id.in_(frontier)))
        keys += [f"product:{i}" for i in products]
        frontier = list(children)
    return keys


CATALOGUE_SOURCES = (
    SearchSource(
        "product",
        Product,
        documents.product_documents,
        lambda session: session.scalars(select(Product.id).order_by(Product.id)),
    ),
    SearchSource(
        "model",
        ProductModel,
        documents.model_documents,
        lambda session: session.scalars(select(ProductModel.id).order_by(ProductModel.id)),
        expand=_model_descendants,
    ),
)


def sources() -> dict[str, SearchSource]:
    """The registered sources by kind (the catalogue's and the plugins')."""
    registered = current_app.extensions.get("vitrine_search_sources", ())
    return {source.kind: source for source in (*CATALOGUE_SOURCES, *registered)}


# --- session events --------------------------------------------------------------------


def install() -> None:
    """Listen to every session's flushes, commits and rollbacks (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _after_flush(session, flush_context) -> None:
    if not has_app_context() or "vitrine_search" not in current_app.extensions:
        return
    by_class = {}
    for source in sources().values():
        by_class[source.model] = (source.kind, lambda obj: obj.id)
        for cls, item_id in source.watch:
            by_class[cls] = (source.kind, item_id)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, STRUCTURE_CLASSES):
            refresh_later(session)
            continue
        watched = by_class.get(type(obj))
        if watched is not None:
            item_id = watched[1](obj)
            if item_id is not None:
                touch(session, watched[0], [item_id])


def _after_rollback(session) -> None:
    # A savepoint rollback (begin_nested) also lands here; what it undid may still have
    # been noted, which only costs a harmless re-index of unchanged items.
    if not session.in_transaction():
        session.info.pop(PENDING, None)
        session.info.pop(REFRESH, None)


def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the outer transaction may still roll back
    keys = session.info.pop(PENDING, set())
    refresh = session.info.pop(REFRESH, False)
    if not has_app_context() or "vitrine_search" not in current_app.extensions:
        return
    bind = session.get_bind()
    inline = _queue_runs_inline()
    try:
        if refresh:
            if inline:
                check(bind, fix=True)
            else:
                _queue_refresh()
        if keys and (inline or len(keys) <= SYNC_LIMIT):
            index_keys(bind, keys)
        elif keys:
            _queue(keys)
    except Exception:  # noqa: BLE001 - the write is committed; the index catches up later
        log.exception("search: indexing %d key(s) after commit failed; queued again", len(keys))
        if not inline:
            _queue(keys)


def _queue_runs_inline() -> bool:
    """True for the in-memory queue of tests, which would run a task inside this commit
    (on the committing session); the work is then done here on a session of its own."""
    from pim.queue import current_queue

    return bool(current_queue().huey.immediate)


def _queue(keys) -> None:
    from pim.queue import current_queue

    queue = current_queue()
    for batch in chunks(sorted(keys), BATCH):
        queue.enqueue(TASK, batch)


def _queue_refresh() -> None:
    from pim.queue import current_queue

    current_queue().enqueue(REFRESH_TASK)


# --- indexing --------------------------------------------------------------------------


def backend():
    """The app's search backend (opened on first use)."""
    return current_app.extensions["vitrine_search"].backend


def index_keys(bind, keys: Iterable[str]) -> int:
    """Rebuild the documents of ``keys`` (and what they reach) from committed data; delete
    the keys whose rows are gone. Returns the number of documents written."""
    by_kind: dict[str, set[int]] = {}
    for key in keys:
        kind, _, id_ = key.partition(":")
        by_kind.setdefault(kind, set()).add(int(id_))
    known = sources()
    written = 0
    with Session(bind=bind) as session:
        for kind in list(by_kind):
            source = known.get(kind)
            if source is not None and source.expand is not None:
                for key in source.expand(session, sorted(by_kind[kind])):
                    other, _, id_ = key.partition(":")
                    by_kind.setdefault(other, set()).add(int(id_))
        for kind, ids in by_kind.items():
            source = known.get(kind)
            if source is None:
                continue
            for batch in chunks(sorted(ids), BATCH):
                docs = source.build(session, batch)
                found = {doc.id for doc in docs}
                backend().update(docs)
                backend().delete([f"{kind}:{i}" for i in batch if i not in found])
                written += len(docs)
    return written


@dataclass
class Drift:
    """What differs between the index and the database, by key."""

    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    stale: list[str] = field(default_factory=list)  # indexed from older data
    extra: list[str] = field(default_factory=list)  # in the index, gone from the database
    checked: int = 0

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check(bind, *, fix: bool = False, kinds: Iterable[str] | None = None, progress=None) -> Drift:
    """Compare every document the database gives with the index's stamps; ``fix`` writes
    the missing and stale documents and deletes the extra keys."""
    drift = Drift()
    index = backend()
    with Session(bind=bind) as session:
        for kind, source in sources().items():
            if kinds is not None and kind not in kinds:
                continue
            stamps = index.stamps(kind)
            seen = set()
            for batch in chunks(list(source.all_ids(session)), BATCH):
                docs = source.build(session, batch)
                outdated = []
                for doc in docs:
                    seen.add(doc.key)
                    stamp = stamps.get(doc.key)
                    if stamp != doc.stamp:
                        (drift.missing if stamp is None else drift.stale).append(doc.key)
                        outdated.append(doc)
                drift.checked += len(docs)
                if fix and outdated:
                    index.update(outdated)
                if progress:
                    progress(drift.checked)
            extra = sorted(set(stamps) - seen)
            drift.extra += extra
            if fix and extra:
                index.delete(extra)
    return drift


def reindex(bind, progress=None) -> int:
    """Rebuild the whole index from scratch; the number of documents written."""
    index = backend()
    index.clear()
    written = 0
    with Session(bind=bind) as session:
        for source in sources().values():
            for batch in chunks(list(source.all_ids(session)), BATCH):
                docs = source.build(session, batch)
                index.update(docs)
                written += len(docs)
                if progress:
                    progress(written)
    return written
