"""Write-path benchmark: our bulk product import against bare SQLAlchemy Core inserts.

1. Database A gets the demo structure and the product models of N generated variants.
   A copy of it, database B, is taken at that point (same schema, same rows, same indexes).
2. Then, batch by batch (1,000 variants, one commit each):
   a. timed on A: ``bulk.import_products`` — validation, versions, unique values,
      category links and completeness;
   b. untimed: the rows that batch wrote (products, category links, unique values,
      versions, completeness) are read back from A;
   c. timed on B: the same rows inserted with Core ``insert()`` executemany — the floor
      any write path on this schema pays.
   Interleaving the two paths means background load on the machine hits both alike.

Prints both rates in products/s and their ratio (target: ours ≥ 0.4 × bare).

    .venv/bin/python bench/bench_catalog_write.py [--products 20000]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from itertools import islice
from pathlib import Path

from benchlib import create_database, drop_database, machine, make_app, postgres_version
from sqlalchemy import create_engine, insert, select

from pim.config import sqlalchemy_url
from pim.demo import CatalogueGenerator, build_structure
from pim.extensions import configure_sqlite, db
from pim.models import Completeness, Product, UniqueValue, Version, product_category
from pim.services import bulk
from pim.services.actors import Actor
from pim.services.structure_cache import Structure

BATCH = 1000
ACTOR = Actor.system()


def chunks(items: list, size: int):
    """Consecutive slices of ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def prepare(app, products: int, seed: int) -> list[dict]:
    """Structure and product models on A (timed, for information); the variant payloads."""
    models, variants = [], []
    for article in CatalogueGenerator(seed).articles(products):
        models += article.models
        variants += article.variants
    with app.app_context():
        build_structure(db.session, ACTOR)
        db.session.commit()
        started = time.perf_counter()
        for batch in chunks(models, BATCH):
            result = bulk.import_product_models(db.session, batch, ACTOR)
            assert not result.failed, result.failed[:3]
            db.session.commit()
        elapsed = time.perf_counter() - started
    print(f"  models: {len(models)} in {elapsed:.1f} s ({len(models) / elapsed:.0f}/s)")
    return variants


TABLES = {
    "product": (Product.__table__, Product.__table__.c.id),
    "product_category": (product_category, product_category.c.product_id),
    "unique_value": (UniqueValue.__table__, UniqueValue.__table__.c.product_id),
    "completeness": (Completeness.__table__, Completeness.__table__.c.product_id),
    "version": (Version.__table__, Version.__table__.c.resource_id),
}


def write_ours(variants: list[dict], known: Structure) -> float:
    """Seconds to write one batch through ``bulk.import_products`` and commit."""
    started = time.perf_counter()
    result = bulk.import_products(db.session, variants, ACTOR, batch_size=BATCH, structure=known)
    assert result.created == len(variants), result.failed[:3]
    db.session.commit()
    return time.perf_counter() - started


def read_back(identifiers: list[str]) -> dict:
    """The rows of each table our path wrote for these products."""
    ids = list(db.session.scalars(select(Product.id).where(Product.identifier.in_(identifiers))))
    batch = {}
    for name, (table, key) in TABLES.items():
        query = select(table).where(key.in_(ids))
        if name == "version":
            query = query.where(table.c.resource_type == "product")
        rows = [dict(row._mapping) for row in db.session.execute(query)]
        if name in ("version", "unique_value"):
            for row in rows:
                row.pop("id")  # surrogate keys: let B assign its own
        batch[name] = rows
    return batch


def write_bare(engine, batch: dict) -> float:
    """Seconds to insert one batch of read-back rows with Core executemany and commit."""
    started = time.perf_counter()
    with engine.begin() as connection:
        for name, (table, _key) in TABLES.items():
            if batch[name]:
                connection.execute(insert(table), batch[name])
    return time.perf_counter() - started


def compare(app, url_b: str, variants: list[dict]) -> tuple[float, float, dict]:
    """Seconds spent by our path and by bare inserts, interleaved; rows per table."""
    engine = create_engine(sqlalchemy_url(url_b))
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    ours = bare = 0.0
    counts = dict.fromkeys(TABLES, 0)
    try:
        with app.app_context():
            known = Structure.load(db.session)
            for chunk in chunks(variants, BATCH):
                ours += write_ours(chunk, known)
                batch = read_back([v["identifier"] for v in chunk])
                db.session.commit()
                bare += write_bare(engine, batch)
                for name, rows in batch.items():
                    counts[name] += len(rows)
    finally:
        engine.dispose()
    return ours, bare, counts


def run(products: int, base_url: str | None, seed: int) -> dict:
    """The whole comparison on one backend; returns the figures."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        url_a = create_database(base_url, folder)
        url_b = None
        try:
            app = make_app(url_a, folder)
            variants = prepare(app, products, seed)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()  # PostgreSQL copies a template only without sessions
            url_b = create_database(base_url, folder, template=url_a)
            ours, bare, counts = compare(app, url_b, variants)
            with app.app_context():
                db.engine.dispose()
        finally:
            for url in (url_a, url_b):
                if url:
                    drop_database(base_url, url)
    return {
        "backend": postgres_version(base_url or "sqlite"),
        "products": products,
        "ours": products / ours,
        "bare": products / bare,
        "counts": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--database-url", help="PostgreSQL server to create scratch DBs on")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    figures = run(args.products, args.database_url, args.seed)
    rows = ", ".join(f"{n} {t}" for t, n in figures["counts"].items())
    print(f"  rows written per run: {rows}")
    print(
        f"{figures['backend']}: {figures['products']} products — "
        f"our path {figures['ours']:.0f} products/s, bare Core inserts "
        f"{figures['bare']:.0f} products/s, ratio {figures['ours'] / figures['bare']:.2f} "
        "(target ≥ 0.40)"
    )


if __name__ == "__main__":
    main()
