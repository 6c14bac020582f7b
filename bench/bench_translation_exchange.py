"""Translation exchange on a catalogue: export 10,000 products × 3 attributes × 4 locales
through the service, then import one locale back (dry run, apply, apply again).

A temporary SQLite catalogue holds ``--products`` products of one family with three
localizable texts (a plain ``name``, a plain ``short_description``, a rich ``description``
of 300–600 characters with ``<p>``, ``<strong>``, ``<a href>``, ``<ul><li>``), written in
en_US; every other product already has a French translation. Loaded untimed through the
bulk writer.

* **export**: :func:`pim.services.translation_exchange.export_translations` for fr_FR,
  de_DE, it_IT and es_ES in XLIFF 1.2 (items selected, values and stamps read, units and
  notes built, four files written, zipped).
* **bare file layer**: :func:`pim.translations.xliff.write_xliff` of the same units,
  already built in memory: the floor the service adds its database work to.
* **import**: the exported German file with every target filled, checked (dry run), applied
  (one version per product, values stamped, completeness and search updated) and applied
  again (no change, no version).

Wall and CPU time of one run each; peak RSS at the end.

    .venv/bin/python bench/bench_translation_exchange.py [--products 10000]
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from random import Random

from benchlib import machine, make_app

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pim.extensions import db  # noqa: E402
from pim.services import bulk, structure  # noqa: E402
from pim.services.actors import Actor  # noqa: E402
from pim.services.translation_exchange import (  # noqa: E402
    ExportSelection,
    export_translations,
    import_translations,
)
from pim.translations.xliff import read_xliff, write_xliff  # noqa: E402

TARGETS = ["fr_FR", "de_DE", "it_IT", "es_ES"]
WORDS = [
    "linen",
    "cotton",
    "shirt",
    "relaxed",
    "fit",
    "soft",
    "washed",
    "summer",
    "collar",
    "pocket",
    "button",
    "breathable",
]


def sentence(rng: Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def rich(rng: Random) -> str:
    parts = [f"<p>{sentence(rng, 14)} <strong>{sentence(rng, 3)}</strong> & more.</p>"]
    parts.append(f'<p>See <a href="https://example.com/care">{sentence(rng, 2)}</a>.</p>')
    parts.append("<ul>" + "".join(f"<li>{sentence(rng, 6)}</li>" for _ in range(3)) + "</ul>")
    while sum(map(len, parts)) < rng.randint(300, 600):
        parts.append(f"<p>{sentence(rng, 12)}</p>")
    return "".join(parts)


def build(products: int) -> None:
    actor = Actor.system()
    for code in ["en_US", *TARGETS]:
        structure.create_locale(db.session, code, actor)
    structure.create_currency(db.session, "EUR", actor)
    structure.create_category(db.session, {"code": "master"}, actor)
    structure.create_channel(
        db.session,
        {"code": "web", "locales": ["en_US", *TARGETS], "currencies": ["EUR"]}
        | {"category_tree": "master"},
        actor,
    )
    structure.create_attribute_group(db.session, {"code": "marketing"}, actor)
    attributes = [
        {"code": "sku", "type": "identifier"},
        {"code": "name", "type": "text", "localizable": True, "max_length": 200},
        {"code": "short_description", "type": "textarea", "localizable": True},
        {"code": "description", "type": "textarea", "localizable": True, "rich_text": True},
    ]
    for attr in attributes:
        structure.create_attribute(db.session, {"group": "marketing", **attr}, actor)
    structure.create_family(
        db.session,
        {"code": "shirts", "attributes": [a["code"] for a in attributes]}
        | {"label_attribute": "name"},
        actor,
    )
    db.session.commit()
    rng = Random(7)

    def payloads():
        for number in range(products):
            values = {
                "name": [{"locale": "en_US", "scope": None, "data": sentence(rng, 4)}],
                "short_description": [
                    {"locale": "en_US", "scope": None, "data": sentence(rng, 12) + " <&>"}
                ],
                "description": [{"locale": "en_US", "scope": None, "data": rich(rng)}],
            }
            if number % 2:
                values["name"].append({"locale": "fr_FR", "scope": None, "data": "Chemise"})
            yield {"identifier": f"P{number:06d}", "family": "shirts", "values": values}

    result = bulk.import_products(db.session, payloads(), actor)
    db.session.commit()
    assert result.created == products, result.failed[:3]


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()
    print(f"# Translation exchange benchmark — {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(f"sqlite:///{Path(folder) / 'bench.db'}", Path(folder))
        with app.app_context():
            started = time.perf_counter()
            build(args.products)
            print(
                f"  catalogue: {args.products:,} products in {time.perf_counter() - started:.0f} s"
            )

            selection = ExportSelection(target_locales=TARGETS)
            with Clock() as export_clock:
                result = export_translations(db.session, selection, "xliff12")
            files = zipfile.ZipFile(io.BytesIO(result.data))
            parsed = {name: read_xliff(files.read(name), name=name) for name in files.namelist()}
            units = [unit for file in parsed.values() for unit in file.units]
            with Clock() as bare_clock:
                for file in parsed.values():
                    write_xliff(file, io.BytesIO())
            print(
                f"  export: {result.units:,} units of {result.items:,} products in "
                f"{len(parsed)} files ({len(result.data) / 2**20:.1f} MiB zipped): "
                f"{export_clock.wall:.1f} s wall, {export_clock.cpu:.1f} s CPU "
                f"= {result.units / export_clock.wall:,.0f} units/s"
            )
            print(
                f"  bare file layer (write_xliff of the same {len(units):,} units): "
                f"{bare_clock.wall:.1f} s → ratio {export_clock.wall / bare_clock.wall:.2f}"
            )

            german = next(file for file in parsed.values() if file.target_locale == "de_DE")
            for unit in german.units:
                unit.target = unit.source.replace("linen", "Leinen")
                unit.state = "translated"
            out = io.BytesIO()
            write_xliff(german, out)
            data = out.getvalue()
            actor = Actor.system("translation")
            figures = []
            for label, dry_run in (("dry run", True), ("apply", False), ("apply again", False)):
                with Clock() as clock:
                    report = import_translations(
                        db.session, data, "de.xlf", actor=actor, dry_run=dry_run
                    )
                    db.session.commit()
                assert report.ok, report.problems[:3]
                figures.append((label, clock, len(report.changes), report.items_changed))
            for label, clock, changes, items in figures:
                print(
                    f"  import {label}: {report.units:,} units, {changes:,} changes "
                    f"({items:,} products written): {clock.wall:.1f} s wall, {clock.cpu:.1f} s CPU"
                    f" = {report.units / clock.wall:,.0f} units/s"
                )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
