"""Set-based reads and writes of an import: stored rows by key, row hashes, media links."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from pim.models import ImportRowHash, PendingMedia, Product, ProductModel

ENTITIES = {
    "product": (Product, Product.identifier),
    "product_model": (ProductModel, ProductModel.code),
}


def _insert(session, table):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def stored_rows(session, entity: str, keys: Iterable[str]) -> dict[str, dict]:
    """Key → ``{"source", "value_sources", "values"}`` of the stored products or models."""
    model, column = ENTITIES[entity]
    rows = session.execute(
        select(column, model.source, model.value_sources, model.values).where(column.in_(keys))
    )
    return {
        key: {"source": source, "value_sources": sources or {}, "values": values or {}}
        for key, source, sources, values in rows
    }


def row_hashes(session, profile_id: int, entity: str, keys: Iterable[str]) -> dict[str, str]:
    """Key → hash of the row last imported through the profile, for keys whose product
    (or model) still exists."""
    _, column = ENTITIES[entity]
    rows = session.execute(
        select(ImportRowHash.key, ImportRowHash.hash)
        .join(column.class_, column == ImportRowHash.key)
        .where(ImportRowHash.profile_id == profile_id, ImportRowHash.key.in_(keys))
    )
    return dict(rows.all())


def save_hashes(session, profile_id: int, job_id: int, hashes: dict[str, str]) -> None:
    """Insert or replace the hashes of the rows just written."""
    if not hashes:
        return
    statement = _insert(session, ImportRowHash.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["profile_id", "key"],
        set_={"hash": statement.excluded.hash, "job_id": statement.excluded.job_id},
    )
    session.execute(
        statement,
        [
            {"profile_id": profile_id, "key": k, "hash": h, "job_id": job_id}
            for k, h in hashes.items()
        ],
    )


def mark_seen(session, profile_id: int, job_id: int, keys: Iterable[str]) -> None:
    """Record that this job's file still lists ``keys`` (for "missing from a full feed")."""
    keys = list(keys)
    if keys:
        session.execute(
            update(ImportRowHash)
            .where(ImportRowHash.profile_id == profile_id, ImportRowHash.key.in_(keys))
            .values(job_id=job_id)
        )


def missing_keys(session, profile_id: int, job_id: int, batch: int = 1000) -> Iterator[list[str]]:
    """Batches of keys imported by earlier jobs of the profile but absent from this one."""
    rows = session.scalars(
        select(ImportRowHash.key)
        .where(ImportRowHash.profile_id == profile_id, ImportRowHash.job_id != job_id)
        .order_by(ImportRowHash.key)
    ).all()
    for start in range(0, len(rows), batch):
        yield rows[start : start + batch]


#: tables a big import grows, whose statistics the PostgreSQL planner needs to keep using
#: their indexes for the per-batch lookups
GROWING_TABLES = ("product", "product_model", "unique_value", "import_row_hash", "completeness")


def refresh_statistics(session) -> None:
    """ANALYZE the tables an import grows (PostgreSQL; SQLite plans from its indexes).

    Without fresh statistics (autovacuum off, or not caught up during a long import) the
    planner keeps treating the growing tables as tiny and scans them for every batch.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {', '.join(GROWING_TABLES)}"))


def add_media_links(session, links: list[dict]) -> None:
    """Record pending media links, ignoring ones already recorded."""
    if links:
        statement = _insert(session, PendingMedia.__table__).on_conflict_do_nothing()
        session.execute(statement, links)
