"""Page benchmark: the product list and product pages on a 100,000-product catalogue.

Without ``--database-url`` the demo catalogue (``--products``, default 100,000) is loaded
into a temporary SQLite file first. With it, that database is used as it is (migrated,
and loaded with the demo when it has no product yet) — e.g. one filled by
``vitrine demo --products 100000``.

Requests go through the Flask test client, signed in, in this process: the time covers
routing, queries, templates and the response, not the network. Each case is warmed up,
then timed over ``--requests`` requests (p50 / p95 / max in milliseconds).

    .venv/bin/python bench/bench_pages.py [--database-url sqlite:////path/vitrine.db]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from benchlib import machine, make_app, percentiles, postgres_version
from sqlalchemy import func, select, text

from pim.auth import create_user
from pim.demo import load_demo
from pim.extensions import db
from pim.models import Product, User

BENCH_USER = "bench@vitrine.local"
WARM_UP = 10


def ensure_catalogue(app, products: int) -> int:
    """Load the demo when the database has no product; return the number of products."""
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Product))
        if not count:
            started = time.perf_counter()
            load_demo(db.session, products=products, on_batch=lambda _n: db.session.commit())
            db.session.commit()
            print(f"  loaded the demo ({products}) in {time.perf_counter() - started:.0f} s")
            count = products
        return count


def analyze(app) -> None:
    """Refresh the planner statistics (what autovacuum does after a bulk load)."""
    with app.app_context():
        started = time.perf_counter()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"  ANALYZE took {time.perf_counter() - started:.1f} s")


def signed_in_client(app):
    """A test client whose session belongs to an editor (created on first use)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == BENCH_USER))
        if user is None:
            user = create_user(db.session, BENCH_USER, "editor", "bench password 123")
            db.session.commit()
        user_id = user.id
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def cases(app, requests: int, seed: int = 1) -> dict[str, list[str]]:
    """URLs per case; product pages cycle through random products."""
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Product))
        deep = db.session.scalar(
            select(Product.id).order_by(Product.id).offset(int(total * 0.9)).limit(1)
        )
        rng = random.Random(seed)
        offsets = sorted(rng.randrange(total) for _ in range(requests + WARM_UP))
        identifiers = [
            db.session.scalar(select(Product.identifier).order_by(Product.id).offset(o).limit(1))
            for o in offsets
        ]
    rng.shuffle(identifiers)
    return {
        "list: first page": ["/products"],
        "list: deep page (cursor at 90%)": [f"/products?after={deep}"],
        "list: family + status filter": ["/products?family=sneakers&status=approved"],
        "list: identifier search": ["/products?q=-NAVY-M"],
        "list: search, no match (full scan)": ["/products?q=NO-SUCH-SKU"],
        "list: other channel/locale": ["/products?scope=marketplace&locale=de_DE"],
        "product page": [f"/products/{identifier}" for identifier in identifiers],
    }


def time_case(client, urls: list[str], requests: int) -> dict:
    """Warm up, then time ``requests`` GETs cycling through ``urls``."""
    samples = []
    for i in range(WARM_UP + requests):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        if i >= WARM_UP:
            samples.append(elapsed)
    return percentiles(samples)


def run(url: str | None, products: int, requests: int, refresh_stats: bool) -> None:
    """Build or reuse the database, then time every case and print a table."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        url = url or f"sqlite:///{folder / 'pages.db'}"
        app = make_app(url, folder)
        count = ensure_catalogue(app, products)
        if refresh_stats:
            analyze(app)
        client = signed_in_client(app)
        print(f"{postgres_version(url)}, {count} products, {requests} requests per case")
        print(f"{'case':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, urls in cases(app, requests).items():
            stats = time_case(client, urls, requests)
            print(f"{name:<36} {stats['p50']:>8.1f} {stats['p95']:>8.1f} {stats['max']:>8.1f}")
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="use this database (loaded if empty)")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE before timing")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    run(args.database_url, args.products, args.requests, args.analyze)


if __name__ == "__main__":
    main()
