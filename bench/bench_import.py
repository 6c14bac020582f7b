"""Import benchmark: a generated fashion CSV through a mapping profile, against bare inserts.

1. A catalogue structure of 35 attributes (3 locales, 2 channels, prices in 2 currencies,
   metrics, selects) and a CSV of N SKUs — styles × colours × sizes, ~60 columns — are
   generated (not timed).
2. Timed: ``vitrine pim import``'s engine (read, map, hash, validate, ownership, write
   products, versions, completeness, unique values, row hashes, report) into an empty
   catalogue, committing per batch as the worker does. Peak memory of the process is
   reported (ru_maxrss), and ``--memory-check`` repeats the import at N/4 in a subprocess
   to show memory does not grow with the file.
3. Timed: the final rows of the same tables read back and inserted with bare SQLAlchemy
   Core executemany into a second empty database (the floor on this schema).
4. Timed: re-import of the unchanged file (every row skipped by hash).

    .venv/bin/python bench/bench_import.py [--products 100000]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--memory-check]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from random import Random

from benchlib import create_database, drop_database, machine, make_app, postgres_version
from sqlalchemy import create_engine, insert, select

from pim.config import sqlalchemy_url
from pim.extensions import configure_sqlite, db
from pim.imports import jobs, profiles, report
from pim.models import Completeness, ImportRowHash, Product, UniqueValue, Version, product_category
from pim.services import structure
from pim.services.actors import Actor

ACTOR = Actor.system()
LOCALES = ("en_US", "fr_FR", "de_DE")
CHANNELS = ("ecommerce", "print")
CHANNEL_LOCALES = {"ecommerce": LOCALES, "print": ("fr_FR", "de_DE")}
COLORS = ("black", "white", "navy", "red", "green", "beige", "grey", "pink")
SIZES = ("xs", "s", "m", "l", "xl", "xxl")
SELECTS = {
    "brand": ("vitrine", "atelier", "nordwind", "solene"),
    "gender": ("women", "men", "unisex"),
    "season": ("ss26", "aw26", "ss27"),
    "country_of_origin": ("pt", "it", "tr", "in", "bd", "cn"),
    "fit": ("slim", "regular", "relaxed"),
    "neckline": ("crew", "v", "polo", "none"),
    "sleeve_length": ("short", "long", "sleeveless"),
    "pattern": ("plain", "striped", "checked", "printed"),
    "stock_status": ("in_stock", "low", "out"),
}
MULTI = {"material": ("cotton", "linen", "wool", "polyester", "elastane", "viscose")}
MULTI["care"] = ("wash_30", "wash_40", "no_tumble", "iron_low", "dry_clean")


def attributes() -> list[dict]:
    """The 35 attributes of the bench family."""
    attrs = [{"code": "sku", "type": "identifier"}]
    attrs += [{"code": c, "type": "text"} for c in ("style_code", "collection", "hs_code")]
    attrs += [{"code": c, "type": "text"} for c in ("supplier_ref",)]
    attrs += [{"code": "ean", "type": "text", "unique": True, "regex": r"^\d{13}$"}]
    for code in ("name", "short_description", "composition", "keywords"):
        attrs.append({"code": code, "type": "text", "localizable": True})
    attrs += [{"code": "description", "type": "textarea", "localizable": True, "scopable": True}]
    attrs += [{"code": "meta_title", "type": "text", "localizable": True, "scopable": True}]
    for code, options in {**SELECTS, "color": COLORS, "size": SIZES}.items():
        attrs.append({"code": code, "type": "simple_select", "options": _options(options)})
    for code, options in MULTI.items():
        attrs.append({"code": code, "type": "multi_select", "options": _options(options)})
    attrs += [{"code": c, "type": "price", "min_value": "0"} for c in ("price", "sale_price")]
    for code, family, unit in (
        ("weight", "Weight", "GRAM"),
        ("length", "Length", "CENTIMETER"),
        ("model_height", "Length", "CENTIMETER"),
    ):
        attrs.append(
            {"code": code, "type": "metric", "metric_family": family, "default_unit": unit}
        )
    attrs += [{"code": c, "type": "boolean"} for c in ("washable", "organic")]
    attrs += [{"code": "release_date", "type": "date"}]
    attrs += [{"code": c, "type": "number"} for c in ("recycled_share", "pieces_in_pack")]
    return [{**a, "group": "bench"} for a in attrs]


def _options(codes) -> list[dict]:
    return [{"code": c, "labels": {"en_US": c.title()}} for c in codes]


def build_structure(session) -> None:
    """Locales, currencies, channels, the 35 attributes and the family with requirements."""
    for code in LOCALES:
        structure.create_locale(session, code, ACTOR)
    for code in ("EUR", "USD"):
        structure.create_currency(session, code, ACTOR)
    structure.create_category(session, {"code": "master"}, ACTOR)
    for code in ("women", "men", "kids"):
        structure.create_category(session, {"code": code, "parent": "master"}, ACTOR)
    for code, locales in CHANNEL_LOCALES.items():
        channel = {"code": code, "locales": list(locales), "currencies": ["EUR", "USD"]}
        structure.create_channel(session, {**channel, "category_tree": "master"}, ACTOR)
    structure.create_attribute_group(session, {"code": "bench"}, ACTOR)
    attrs = attributes()
    for i, attr in enumerate(attrs):
        structure.create_attribute(session, {"sort_order": i, **attr}, ACTOR)
    required = ["sku", "name", "description", "price", "color", "size", "ean", "weight"]
    structure.create_family(
        session,
        {
            "code": "apparel",
            "attributes": [a["code"] for a in attrs],
            "requirements": {"ecommerce": required, "print": required[:4]},
        },
        ACTOR,
    )


def header() -> list[str]:
    """The CSV columns, named Akeneo-style (``code-locale-channel``)."""
    columns = ["sku", "categories"]
    for attr in attributes()[1:]:
        code = attr["code"]
        locales = LOCALES if attr.get("localizable") else (None,)
        scopes = CHANNELS if attr.get("scopable") else (None,)
        for locale in locales:
            for scope in scopes:
                if scope and locale not in CHANNEL_LOCALES[scope]:
                    continue
                name = "-".join(p for p in (code, locale, scope) if p)
                if attr["type"] == "price":
                    columns += [f"{name}-EUR", f"{name}-USD"]
                elif attr["type"] == "metric":
                    columns += [name, f"{name}-unit"]
                else:
                    columns.append(name)
    return columns


def row(rng: Random, number: int, columns: list[str]) -> dict:
    """One SKU: style number // 48, colour and size from the rest."""
    style, rest = divmod(number, len(COLORS) * len(SIZES))
    color, size = COLORS[rest // len(SIZES)], SIZES[rest % len(SIZES)]
    eur = 19 + style % 80
    cells = {
        "sku": f"ST{style:06d}-{color.upper()}-{size.upper()}",
        "categories": rng.choice(("women", "men", "kids")),
        "style_code": f"ST{style:06d}",
        "collection": f"Collection {style % 12}",
        "hs_code": "61091000",
        "supplier_ref": f"SUP-{number:08d}",
        "ean": f"{400000000000 + number:012d}" + "0",
        "color": color,
        "size": size,
        "material": ",".join(sorted(rng.sample(MULTI["material"], 2))),
        "care": ",".join(sorted(rng.sample(MULTI["care"], 2))),
        "price-EUR": f"{eur}.90",
        "price-USD": f"{eur + 5}.00",
        "sale_price-EUR": f"{eur - 5}.90",
        "sale_price-USD": "",
        "weight": str(150 + number % 400),
        "weight-unit": "GRAM",
        "length": str(60 + number % 20),
        "length-unit": "CENTIMETER",
        "model_height": "178",
        "model_height-unit": "CENTIMETER",
        "washable": "1",
        "organic": rng.choice(("0", "1")),
        "release_date": f"2026-{1 + style % 12:02d}-15",
        "recycled_share": str(style % 60),
        "pieces_in_pack": "1",
    }
    for code, options in SELECTS.items():
        cells[code] = options[(style + len(code)) % len(options)]
    for locale in LOCALES:
        tag = locale[:2]
        cells[f"name-{locale}"] = f"{tag} Shirt {style} {color}"
        cells[f"short_description-{locale}"] = f"{tag} everyday shirt, style {style}"
        cells[f"composition-{locale}"] = f"{tag} 95% cotton, 5% elastane"
        cells[f"keywords-{locale}"] = f"{tag}, shirt, {color}"
        for channel in (c for c in CHANNELS if locale in CHANNEL_LOCALES[c]):
            cells[f"description-{locale}-{channel}"] = f"<p>{tag} {channel} shirt {style}</p>"
            cells[f"meta_title-{locale}-{channel}"] = f"{tag} Shirt {style} | Vitrine"
    return {c: cells.get(c, "") for c in columns}


def write_csv(path: Path, products: int, seed: int = 7) -> int:
    """Write the bench file; returns its size in bytes."""
    rng, columns = Random(seed), header()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, delimiter=";")
        writer.writeheader()
        for number in range(products):
            writer.writerow(row(rng, number, columns))
    return path.stat().st_size


PROFILE = {
    "code": "bench",
    "source": "erp",
    "reader": {"format": "csv", "delimiter": ";", "encoding": "utf-8"},
    "mapping": {
        "key": {"column": "sku"},
        "fields": {"family": {"value": "apparel"}},
        "auto": True,
    },
}


def import_file(app, path: Path) -> tuple[float, dict]:
    """Seconds to run the import job; the job's counts."""
    with app.app_context():
        profile = profiles.get_profile(db.session, "bench")
        job = jobs.create_job(db.session, profile, path, path.name)
        db.session.commit()
        started = time.perf_counter()
        job = jobs.run_job(db.session, job.id)
        elapsed = time.perf_counter() - started
        counts = {
            "status": job.status,
            "created": job.rows_created,
            "skipped": job.rows_skipped,
            "failed": job.rows_failed,
            "message": job.message,
            "first_issues": [
                (i.line, i.column, i.value, i.reason) for i in report.issues(db.session, job, 3)
            ],
        }
        db.session.remove()
    return elapsed, counts


TABLES = {
    "product": Product.__table__,
    "product_category": product_category,
    "unique_value": UniqueValue.__table__,
    "completeness": Completeness.__table__,
    "version": Version.__table__,
    "import_row_hash": ImportRowHash.__table__,
}


def bare_inserts(app, url_b: str, batch: int = 1000) -> float:
    """Seconds to insert the import's final rows with Core executemany into database B."""
    engine = create_engine(sqlalchemy_url(url_b))
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    elapsed = 0.0
    try:
        with app.app_context():
            for name, table in TABLES.items():
                query = select(table)
                if name == "version":
                    query = query.where(table.c.resource_type == "product")
                result = db.session.execute(query.execution_options(yield_per=batch))
                for part in result.partitions():
                    rows = [dict(r._mapping) for r in part]
                    for r in rows:
                        if name in ("version", "unique_value"):
                            r.pop("id")  # surrogate keys: let B assign its own
                    started = time.perf_counter()
                    with engine.begin() as connection:
                        connection.execute(insert(table), rows)
                    elapsed += time.perf_counter() - started
            db.session.remove()
    finally:
        engine.dispose()
    return elapsed


def prepare(app) -> None:
    with app.app_context():
        build_structure(db.session)
        profiles.save_profile(db.session, PROFILE)
        db.session.commit()
        db.session.remove()


def import_only(products: int, base_url: str | None, folder: Path) -> dict:
    """Peak memory of a process that only generates the file and imports it."""
    path = folder / "fashion.csv"
    size = write_csv(path, products)
    url = create_database(base_url, folder)
    try:
        app = make_app(url, folder)
        prepare(app)
        seconds, counts = import_file(app, path)
        assert counts["created"] == products, counts
        with app.app_context():
            db.engine.dispose()
    finally:
        drop_database(base_url, url)
    return {
        "products": products,
        "file_mib": size / 2**20,
        "import_per_s": products / seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(products: int, base_url: str | None, folder: Path) -> dict:
    """The whole benchmark on one backend; returns the figures."""
    path = folder / "fashion.csv"
    size = write_csv(path, products)
    url_a = create_database(base_url, folder)
    url_b = None
    try:
        app = make_app(url_a, folder)
        prepare(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        url_b = create_database(base_url, folder, template=url_a)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds, counts = import_file(app, path)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert counts["created"] == products, counts
        bare = bare_inserts(app, url_b)
        again, again_counts = import_file(app, path)
        assert again_counts["skipped"] == products, again_counts
        with app.app_context():
            db.engine.dispose()
    finally:
        for url in (url_a, url_b):
            if url:
                drop_database(base_url, url)
    return {
        "backend": postgres_version(base_url or "sqlite"),
        "products": products,
        "columns": len(header()),
        "file_mib": size / 2**20,
        "import_per_s": products / seconds,
        "bare_per_s": products / bare,
        "reimport_per_s": products / again,
        "peak_rss_mib": rss_after / 1024,
        "rss_growth_mib": (rss_after - rss_before) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL server to create scratch DBs on")
    parser.add_argument("--memory-check", action="store_true")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(import_only(args.products, args.database_url, Path(folder))))
        return
    with tempfile.TemporaryDirectory() as folder:
        figures = run(args.products, args.database_url, Path(folder))
    print(f"machine: {machine()}")
    _report(figures)
    if args.memory_check:
        for products in (args.products // 4, args.products):
            f = _subprocess_figures(products, args.database_url)
            print(
                f"  memory (a process that only imports): peak RSS {f['peak_rss_mib']:.0f} MiB "
                f"for {f['products']} rows ({f['file_mib']:.0f} MiB file)"
            )


def _subprocess_figures(products: int, base_url: str | None) -> dict:
    command = [sys.executable, __file__, "--products", str(products), "--json"]
    if base_url:
        command += ["--database-url", base_url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _report(f: dict) -> None:
    print(
        f"{f['backend']}: {f['products']} products, {f['columns']} columns, "
        f"{f['file_mib']:.0f} MiB CSV\n"
        f"  import: {f['import_per_s']:.0f} products/s; bare Core inserts of the same rows: "
        f"{f['bare_per_s']:.0f} products/s; ratio {f['import_per_s'] / f['bare_per_s']:.2f} "
        "(target ≥ 0.40)\n"
        f"  re-import of the unchanged file: {f['reimport_per_s']:.0f} rows/s "
        "(target ≥ 20,000)\n"
        f"  peak RSS {f['peak_rss_mib']:.0f} MiB (grew {f['rss_growth_mib']:.0f} MiB during "
        "the import)"
    )


if __name__ == "__main__":
    main()
