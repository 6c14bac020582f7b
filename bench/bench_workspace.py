"""Workspace benchmark: search on the demo catalogue, through the whole pipeline.

1. The demo catalogue (``--products``, default 100,000 variants) is loaded into a scratch
   database (SQLite, or PostgreSQL with ``--database-url``), not timed. The queue is the
   embedded SQLite one with no worker, so the indexing jobs the load queues never run.
2. For each backend (Whoosh in a temporary folder, PostgreSQL full text in a scratch table
   of ``--search-database-url``): timed ``vitrine search reindex`` (documents built from
   the database and written) → docs/s.
3. Timed: ``pim.search.service.search`` for a mix of queries users type (free text,
   filters, completeness ranges, facets, sorts, deep pages) → p50 / p95 / max, and the
   product grid (``GET /products?q=…``, signed in, test client) and the product editor
   (``GET /products/ID`` with a second locale side by side) → p50 / p95 / max.
4. Timed: saving a root model's name (service update + commit, which re-indexes the model
   and its variants after the commit) and finding the new word at once.

    .venv/bin/python bench/bench_workspace.py [--products 100000]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]
        [--search-database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from pathlib import Path

from benchlib import create_database, drop_database, machine, percentiles, postgres_version
from sqlalchemy import create_engine, select, text

from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.config import sqlalchemy_url
from pim.demo import load_demo
from pim.extensions import db
from pim.models import Product, ProductModel, User
from pim.search import indexer, service
from pim.services import product_models
from pim.services.actors import Actor

QUERIES = [
    "shirt",
    "lin",
    "coton bio",
    "family:tshirts",
    "status:in_review",
    "color:red",
    "color:red size:m",
    "completeness:ecommerce/fr_FR<100",
    "completeness:ecommerce/de_DE<100 family:shirts",
    "has:images -status:draft",
    "category:women",
    "dress sort:-updated",
    "sort:identifier",
    "sort:completeness:ecommerce/en_US",
    "enabled:no",
    "updated>=2020-01-01 sort:label",
]
PAGES = (0, 49)  # first page and page 50


def make(url: str, folder: Path, search_url: str):
    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder / f"instance_{secrets.token_hex(4)}"),
            "SECRET_KEY": "bench-" + "x" * 26,
            "WTF_CSRF_ENABLED": False,
            "SEARCH_URL": search_url,
        }
    )


def load(url: str, folder: Path, count: int) -> None:
    app = make(url, folder, "memory://")
    with app.app_context():
        upgrade_database()
        started = time.perf_counter()
        load_demo(db.session, products=count, on_batch=lambda _n: db.session.commit())
        db.session.commit()
        create_user(db.session, "bench@vitrine.local", "editor", "bench password 123")
        db.session.commit()
        print(f"  demo of {count} products loaded in {time.perf_counter() - started:.0f} s")


def measure(app, label: str, runs: int) -> None:
    with app.app_context():
        started = time.perf_counter()
        written = indexer.reindex(db.session.get_bind())
        elapsed = time.perf_counter() - started
        print(
            f"[{label}] reindex: {written} documents in {elapsed:.1f} s = {written / elapsed:.0f}/s"
        )
        timings = []
        for _ in range(runs):
            for query in QUERIES:
                for page in PAGES:
                    started = time.perf_counter()
                    service.search(db.session, query, offset=page * 50, limit=50)
                    timings.append((time.perf_counter() - started) * 1000)
        stats = percentiles(timings)
        print(f"[{label}] search() {len(timings)} queries, ms: " + _fmt(stats))
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "bench@vitrine.local"))
        user_id = user.id
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    timings = []
    for query in QUERIES:
        client.get("/products", query_string={"q": query})  # warm-up
    for _ in range(runs):
        for query in QUERIES:
            started = time.perf_counter()
            response = client.get("/products", query_string={"q": query})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (query, response.status_code)
    print(
        f"[{label}] grid GET /products?q=… {len(timings)} requests, ms: "
        + _fmt(percentiles(timings))
    )
    with app.app_context():
        sample = db.session.scalars(
            select(Product.identifier).order_by(Product.id).offset(1000).limit(40)
        ).all()
    timings = []
    for identifier in sample:
        started = time.perf_counter()
        response = client.get(f"/products/{identifier}", query_string={"compare": "fr_FR"})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, identifier
    print(
        f"[{label}] product editor GET /products/ID (side by side), ms: "
        + _fmt(percentiles(timings))
    )
    with app.app_context():
        saves, indexing = [], []
        roots = db.session.scalars(
            select(ProductModel.id).where(ProductModel.parent_id.is_(None)).limit(20)
        ).all()
        for n, model_id in enumerate(roots):
            model = db.session.get(ProductModel, model_id)
            word = f"benchword{n}x{secrets.token_hex(3)}"
            started = time.perf_counter()
            product_models.update_model(
                db.session,
                model,
                {"values": {"name": [{"locale": "en_US", "scope": None, "data": word}]}},
                Actor.system("ui"),
            )
            before_commit = time.perf_counter()
            db.session.commit()
            found = service.search(db.session, word, limit=1)
            done = time.perf_counter()
            assert found.total > 1, word  # the model and its variants
            saves.append((done - started) * 1000)
            indexing.append((done - before_commit) * 1000)
        print(f"[{label}] save a root model + commit + searchable, ms: " + _fmt(percentiles(saves)))
        print(
            f"[{label}]   of which commit (indexing model and variants) + search, ms: "
            + _fmt(percentiles(indexing))
        )


def _fmt(stats: dict) -> str:
    return f"p50 {stats['p50']:.1f}  p95 {stats['p95']:.1f}  max {stats['max']:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--search-database-url", default="postgresql://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url = create_database(args.database_url, folder)
        table = f"bench_search_{secrets.token_hex(4)}"
        try:
            print(f"database: {postgres_version(url)}")
            load(url, folder, args.products)
            measure(make(url, folder, f"whoosh://{folder / 'whoosh'}"), "whoosh", args.runs)
            search_url = f"{args.search_database_url}?table={table}"
            measure(make(url, folder, search_url), "postgresql", args.runs)
        finally:
            engine = create_engine(sqlalchemy_url(args.search_database_url))
            with engine.begin() as connection:
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}"'))
            engine.dispose()
            drop_database(args.database_url, url)


if __name__ == "__main__":
    main()
