"""Search benchmark: indexing rate and query latency of the Whoosh and PostgreSQL backends.

``--documents`` (default 100,000) synthetic product documents shaped like the real ones
(identifier tokens, names and descriptions in three locales, family, categories with
their ancestors, workflow status, lifecycle, colour / size / material options,
completeness for seven channel/locale pairs, timestamps, sort strings) are indexed in a
temporary Whoosh folder and in a scratch table of ``--database-url`` (dropped afterwards),
in batches of ``--batch``. Then ``--queries`` queries (default 200: free text, filters,
completeness ranges, facets on family/status/colour, sort by ``updated``, page 1 and 50)
run against each backend after a warm-up pass; latencies are p50 / p95 / max in
milliseconds, per kind of query and overall. "after a write" is the first search after a
one-document update, when the backend has to reopen what it caches.

    cd bench && ../.venv/bin/python bench_search.py [--documents 20000]
"""

from __future__ import annotations

import argparse
import functools
import gc
import random
import secrets
import string
import tempfile
import time
from pathlib import Path

from benchlib import machine, percentiles, postgres_version
from sqlalchemy import create_engine

from pim.config import sqlalchemy_url
from pim.search.base import Document, Query, Range, Results, Term, tokens
from pim.search.postgres_backend import PostgresBackend
from pim.search.whoosh_backend import WhooshBackend

LOCALES = ("en_US", "fr_FR", "de_DE")
CHANNELS = [("ecommerce", "en_US"), ("ecommerce", "fr_FR"), ("ecommerce", "de_DE"),
            ("print", "en_US"), ("print", "fr_FR"), ("marketplace", "en_US"),
            ("marketplace", "de_DE")]  # fmt: skip
FAMILIES = ["tshirts", "shirts", "polos", "sweaters", "hoodies", "jackets", "coats", "jeans",
            "trousers", "shorts", "skirts", "dresses", "suits", "socks", "underwear",
            "swimwear", "pyjamas", "scarves", "hats", "gloves", "belts", "bags", "sneakers",
            "boots", "sandals"]  # fmt: skip
GARMENTS = {
    "en_US": ["tee", "shirt", "polo", "sweater", "hoodie", "jacket", "coat", "jeans", "dress"],
    "fr_FR": ["tee-shirt", "chemise", "polo", "pull", "sweat", "veste", "manteau", "jean"],
    "de_DE": ["T-Shirt", "Hemd", "Polo", "Pullover", "Kapuzenpulli", "Jacke", "Mantel"],
}
ADJECTIVES = {
    "en_US": ["organic", "classic", "slim", "relaxed", "vintage", "essential", "premium"],
    "fr_FR": ["bio", "classique", "ajusté", "décontracté", "rétro", "essentiel", "écru"],
    "de_DE": ["Bio", "klassisch", "schmal", "lässig", "Vintage", "Grundlegend", "Größe"],
}
COLORS = ["black", "white", "navy", "red", "blue", "green", "grey", "beige", "pink", "yellow",
          "orange", "purple", "brown", "khaki", "ecru", "burgundy", "teal", "olive", "coral",
          "mint"]  # fmt: skip
SIZES = ["xxs", "xs", "s", "m", "l", "xl", "xxl", "3xl"]
MATERIALS = ["cotton", "organic_cotton", "linen", "wool", "merino", "cashmere", "silk",
             "polyester", "recycled_polyester", "nylon", "elastane", "viscose", "leather",
             "denim", "hemp"]  # fmt: skip
STATUSES = ["draft"] * 2 + ["in_review"] + ["approved"] * 2 + ["published"] * 5
LIFECYCLES = ["new"] * 2 + ["active"] * 6 + ["end_of_life"] + ["archived"]
NOW = 1_780_000_000  # a fixed "now" so that runs are comparable
FACETS = ("family", "status", "attr.color")
NEWEST = {"sort": "updated", "descending": True}


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    """Pronounceable pseudo-words for descriptions, most frequent first."""
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    words: set[str] = set()
    while len(words) < size:
        syllables = rng.randint(2, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(words)


def categories(rng: random.Random) -> list[list[str]]:
    """Leaf categories as ``[root, root_sub, root_sub_leaf]`` paths (120 leaves)."""
    paths = []
    for root in ("women", "men", "kids"):
        for sub in range(8):
            for leaf in range(5):
                paths.append([root, f"{root}_{sub}", f"{root}_{sub}_{leaf}"])
    rng.shuffle(paths)
    return paths


def make_documents(count: int, words: list[str], seed: int) -> list[Document]:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like frequencies
    leaves = categories(rng)
    documents = []
    for number in range(1, count + 1):
        family = rng.choice(FAMILIES)
        identifier = f"{family[:3].upper()}-{number:06d}-{rng.choice(string.ascii_uppercase)}"
        color = rng.choice(COLORS)
        names = {
            locale: f"{rng.choice(ADJECTIVES[locale])} {color} {rng.choice(GARMENTS[locale])}"
            for locale in LOCALES
        }
        description = " ".join(rng.choices(words, weights, k=rng.randint(5, 8) * 3))
        text = " ".join([identifier, *names.values(), description])
        paths = rng.sample(leaves, rng.randint(2, 4))
        updated = NOW - rng.randint(0, 730 * 86400)
        documents.append(
            Document(
                kind="product",
                id=number,
                tokens=tokens(text),
                fields={
                    "family": [family],
                    "category": sorted({code for path in paths for code in path}),
                    "status": [rng.choice(STATUSES)],
                    "lifecycle": [rng.choice(LIFECYCLES)],
                    "enabled": [rng.choice(["yes", "yes", "yes", "no"])],
                    "attr.color": [color],
                    "attr.size": rng.sample(SIZES, rng.randint(1, 6)),
                    "attr.material": rng.sample(MATERIALS, rng.randint(1, 2)),
                    "has": ["images"] if rng.random() < 0.6 else [],
                    "model": [f"model_{number // 4}"] if rng.random() < 0.5 else [],
                },
                numbers={
                    **{
                        f"completeness.{channel}.{locale}": rng.choice([1.0, 1.0, 0.9])
                        if rng.random() < 0.5
                        else round(rng.random(), 2)
                        for channel, locale in CHANNELS
                    },
                    "updated": float(updated),
                    "created": float(updated - rng.randint(0, 365 * 86400)),
                    "price": round(rng.uniform(5, 400), 2),
                },
                sortable={"identifier": identifier, "label": names["en_US"]},
                stamp=secrets.token_hex(8),
            )
        )
    return documents


def make_queries(count: int, words: list[str], seed: int) -> list[tuple[str, Query]]:
    """``(kind of query, query)`` pairs cycling through the shapes the product list sends."""
    rng = random.Random(seed)
    prefixes = [w[: rng.randint(3, len(w))] for w in words[:400]] + COLORS + ["tee", "shirt"]

    def text() -> Query:
        return Query(words=tokens(rng.choice(prefixes)), facets=FACETS)

    def two_words() -> Query:
        return Query(words=tokens(f"{rng.choice(prefixes)} {rng.choice(COLORS)}"), facets=FACETS)

    def identifier() -> Query:
        return Query(words=tokens(f"{rng.choice(FAMILIES)[:3]} {rng.randint(1, 999):03d}"))

    def filters() -> Query:
        terms = [Term("family", rng.choice(FAMILIES)), Term("status", rng.choice(STATUSES))]
        if rng.random() < 0.5:
            terms.append(Term("attr.color", rng.choice(COLORS)))
        return Query(terms=terms, facets=FACETS, **NEWEST)

    def category() -> Query:
        code = rng.choice(["women", "men", "kids"]) + f"_{rng.randrange(8)}"
        terms = [Term("category", code), Term("status", "draft", negate=True)]
        return Query(terms=terms, facets=FACETS, sort="label")

    def completeness() -> Query:
        channel, locale = rng.choice(CHANNELS)
        bound = rng.choice([Range("x", "<", 1.0), Range("x", ">=", 0.8)])
        field = f"completeness.{channel}.{locale}"
        terms = [Term("family", rng.choice(FAMILIES))] if rng.random() < 0.5 else []
        ranges = [Range(field, bound.op, bound.value)]
        return Query(terms=terms, ranges=ranges, facets=FACETS, **NEWEST)

    def everything() -> Query:
        return Query(facets=FACETS, **NEWEST)

    def page_50() -> Query:
        terms = (
            [Term("status", rng.choice(["published", "approved"]))] if rng.random() < 0.5 else []
        )
        return Query(terms=terms, facets=FACETS, offset=49 * 50, **NEWEST)

    shapes = [text, two_words, identifier, filters, category, completeness, everything, page_50]
    return [(shape.__name__, shape()) for shape in (shapes * count)[:count]]


def timed(function, *args) -> float:
    """Milliseconds taken by ``function(*args)``."""
    started = time.perf_counter()
    function(*args)
    return (time.perf_counter() - started) * 1000


def run_backend(
    name: str, backend, documents, queries, warm_up, batch: int, analyze=None
) -> list[Results]:
    """Index, time the queries, print the figures; returns the queries' results.

    ``analyze`` refreshes the planner's statistics after indexing (PostgreSQL).
    """
    started = time.perf_counter()
    for index in range(0, len(documents), batch):
        backend.update(documents[index : index + batch])
    elapsed = time.perf_counter() - started
    rate = len(documents) / elapsed
    print(
        f"\n{name}: indexed {len(documents)} in {elapsed:.1f} s, {rate:.0f} docs/s ({batch}/call)"
    )
    if analyze:
        print(f"  ANALYZE (what autovacuum does after a bulk load): {analyze():.1f} s")
    first = timed(backend.search, queries[0][1])
    for _shape, query in warm_up:  # other queries: what a running server has cached
        backend.search(query)
    by_shape: dict[str, list[float]] = {}
    results = []
    for shape, query in queries:
        started = time.perf_counter()
        results.append(backend.search(query))
        by_shape.setdefault(shape, []).append((time.perf_counter() - started) * 1000)
    every = [ms for samples in by_shape.values() for ms in samples]
    after_write = []
    for number in range(1, 6):
        backend.update(documents[number * 97 : number * 97 + 1])
        after_write.append(timed(backend.search, Query(facets=FACETS, **NEWEST)))
    rows = [(shape, percentiles(samples)) for shape, samples in by_shape.items()]
    rows.append((f"ALL ({len(every)} queries)", percentiles(every)))
    print(f"  {'query':<24} {'p50':>8} {'p95':>8} {'max':>8}  (ms)")
    for shape, stats in rows:
        print(f"  {shape:<24} {stats['p50']:8.1f} {stats['p95']:8.1f} {stats['max']:8.1f}")
    stats = percentiles(after_write)
    print(f"  first search after indexing: {first:.0f} ms")
    print(f"  search after a one-document write: p50 {stats['p50']:.0f} ms, max {stats['max']:.0f}")
    total = backend.search(Query()).total
    assert total == len(documents), f"{name} holds {total} documents, not {len(documents)}"
    return results


def execute(database_url: str, statement: str) -> float:
    """Run one SQL statement on its own connection; returns the seconds it took."""
    engine = create_engine(sqlalchemy_url(database_url))
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--backends", default="whoosh,postgresql")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    started = time.perf_counter()
    words = vocabulary(random.Random(args.seed))
    documents = make_documents(args.documents, words, args.seed)
    queries = make_queries(args.queries, words, args.seed)
    warm_up = make_queries(args.queries, words, args.seed + 1)
    # the corpus is the benchmark's, not a server's: keep the garbage collector from
    # walking its million objects in the middle of the timed searches
    gc.freeze()
    average = sum(len(d.tokens) for d in documents) / len(documents)
    elapsed = time.perf_counter() - started
    print(f"generated {len(documents)} documents ({average:.0f} tokens each) in {elapsed:.1f} s")
    backends = args.backends.split(",")
    results = {}
    if "whoosh" in backends:
        with tempfile.TemporaryDirectory(prefix="bench_search_") as folder:
            backend = WhooshBackend(Path(folder) / "index")
            try:
                results["Whoosh"] = run_backend(
                    "Whoosh", backend, documents, queries, warm_up, args.batch
                )
            finally:
                backend.close()
    if "postgresql" in backends:
        table = f"bench_search_{secrets.token_hex(4)}"
        backend = PostgresBackend(args.database_url, table=table)
        try:
            name = postgres_version(args.database_url)
            analyze = functools.partial(execute, args.database_url, f"ANALYZE {table}")
            results["PostgreSQL"] = run_backend(
                name, backend, documents, queries, warm_up, args.batch, analyze
            )
        finally:
            backend.close()
            execute(args.database_url, f"DROP TABLE IF EXISTS {table}")
    if len(results) == 2:
        whoosh, postgres = results.values()
        same = sum(a == b for a, b in zip(whoosh, postgres, strict=True))
        print(f"\nidentical results (page, total, facets) on both: {same} of {len(whoosh)} queries")


if __name__ == "__main__":
    main()
