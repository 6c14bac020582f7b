"""BMEcat benchmark: ``BMEcatWriter`` on generated products, against bare lxml ``xmlfile``.

1. N item dicts are generated in this process (not timed): 20 features (five with a unit),
   3 images, an HTML description, a GTIN, a price; every fifth product stands alone, the
   others are variants of a model of four.
2. Timed, best of R runs, taking turns so a busy neighbour slows both alike:
   a. the writer as a feed run drives it: ``check(item)`` then ``write(item)`` for every
      item, into a temporary file;
   b. the floor: the same elements, in the same order, with the same texts, written with
      bare ``lxml.etree.xmlfile`` from values formatted beforehand (no checks, no HTML
      stripping, no price or GTIN formatting).
3. Timed once: ``BMEcatWriter.validate_file`` on the written file (each product validated
   alone against the XSD, flat memory) and, for comparison, a whole-document parse and
   ``XMLSchema.validate`` (memory grows with the file).

    .venv/bin/python bench/bench_bmecat.py [--products 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from random import Random

from benchlib import machine
from lxml import etree

from channels.formats.base import FeedContext
from channels.formats.bmecat import NS, BMEcatWriter, load_schema, xsd_path
from channels.formats.gtin import compute_check_digit
from channels.formats.text import strip_html

CHANNEL = {"title": "Bench", "link": "https://shop.example", "description": "bench"}
CONTEXT = FeedContext(code="bench", label="Bench catalogue", locale="de_DE", currency="EUR")
UNITS = ("MMT", "CMT", "KGM", "GRM", "LTR")
WORDS = ("brass", "linen", "oak", "walnut", "matte", "glossy", "warm", "cold", "round", "square")


def gtin(n: int) -> str:
    body = f"400638{n:06d}"
    return body + str(compute_check_digit(body))


def make_items(count: int, seed: int = 7) -> list[dict]:
    """Item dicts as the pipeline hands them to a writer that wants features."""
    rng = Random(seed)
    items = []
    for n in range(count):
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        item = {
            "id": f"SKU-{n:06d}",
            "title": f"Lamp {n} {words[:60]}",
            "description": f"<p>{words} <b>{words}</b></p><ul><li>{words}</li></ul>" * 3,
            "price": {"amount": Decimal(rng.randrange(100, 99_999)) / 100, "currency": "EUR"},
            "gtin": gtin(n),
            "mpn": f"MPN-{n}",
            "brand": "Maison",
            "image_link": f"https://img.example/assets/{n}/renditions/large",
            "additional_image_link": [
                f"https://img.example/assets/{n}-{k}/renditions/large" for k in (2, 3)
            ],
            "_features": [
                {
                    "code": f"f{k}",
                    "label": f"Feature {k}",
                    "type": "metric" if k < 5 else "simple_select",
                    "value": str(rng.randrange(1, 500)) if k < 5 else rng.choice(WORDS),
                    "unit": UNITS[k] if k < 5 else None,
                }
                for k in range(20)
            ],
        }
        if n % 5:
            item["item_group_id"] = f"MODEL-{n // 5}"
        items.append(item)
    return items


def with_writer(items: list[dict], path: Path) -> float:
    started = time.perf_counter()
    with path.open("wb") as stream:
        writer = BMEcatWriter(CONTEXT)
        writer.open(stream, **CHANNEL)
        for item in items:
            if not writer.check(item):
                writer.write(item)
        writer.close()
    return time.perf_counter() - started


def floor_records(items: list[dict]) -> list[dict]:
    """The texts the floor writes, formatted beforehand (not timed)."""
    records = []
    for item in items:
        features = (
            [("item_group_id", item["item_group_id"], None)] if "item_group_id" in item else []
        )
        features += [(f["label"], f["value"], f["unit"]) for f in item["_features"]]
        records.append(
            {
                "id": item["id"],
                "title": item["title"],
                "description": strip_html(item["description"]),
                "gtin": item["gtin"],
                "mpn": item["mpn"],
                "brand": item["brand"],
                "amount": f"{item['price']['amount']:.2f}",
                "features": features,
                "images": [item["image_link"], *item["additional_image_link"]],
            }
        )
    return records


def with_bare_lxml(records: list[dict], path: Path) -> float:
    started = time.perf_counter()
    with path.open("wb") as stream, etree.xmlfile(stream, encoding="utf-8") as xf:
        q = f"{{{NS}}}".__add__

        def leaf(tag: str, text: str, **attributes: str) -> None:
            with xf.element(q(tag), **attributes):
                xf.write(text)

        xf.write_declaration()
        with xf.element(q("BMECAT"), nsmap={None: NS}, version="2005"):
            with xf.element(q("HEADER")):
                leaf("GENERATOR_INFO", "Vitrine")
                with xf.element(q("CATALOG")):
                    for tag, text in (
                        ("LANGUAGE", "deu"), ("CATALOG_ID", "bench"), ("CATALOG_VERSION", "1.0"),
                        ("CATALOG_NAME", "Bench catalogue"),
                    ):  # fmt: skip
                        leaf(tag, text)
                    with xf.element(q("DATETIME"), type="generation_date"):
                        leaf("DATE", "2026-11-23")
                    leaf("CURRENCY", "EUR")
                with xf.element(q("SUPPLIER")):
                    leaf("SUPPLIER_NAME", "Vitrine")
            with xf.element(q("T_NEW_CATALOG")):
                for record in records:
                    xf.write("\n")
                    _floor_product(xf, leaf, q, record)
    return time.perf_counter() - started


def _floor_product(xf, leaf, q, record: dict) -> None:
    with xf.element(q("PRODUCT"), mode="new"):
        leaf("SUPPLIER_PID", record["id"])
        with xf.element(q("PRODUCT_DETAILS")):
            leaf("DESCRIPTION_SHORT", record["title"])
            leaf("DESCRIPTION_LONG", record["description"])
            leaf("INTERNATIONAL_PID", record["gtin"], type="gtin")
            leaf("MANUFACTURER_PID", record["mpn"])
            leaf("MANUFACTURER_NAME", record["brand"])
        with xf.element(q("PRODUCT_FEATURES")):
            leaf("REFERENCE_FEATURE_SYSTEM_NAME", "Vitrine")
            for name, value, unit in record["features"]:
                with xf.element(q("FEATURE")):
                    leaf("FNAME", name)
                    leaf("FVALUE", value)
                    if unit:
                        leaf("FUNIT", unit)
        with xf.element(q("PRODUCT_ORDER_DETAILS")):
            leaf("ORDER_UNIT", "C62")
            leaf("CONTENT_UNIT", "C62")
            for tag in ("NO_CU_PER_OU", "PRICE_QUANTITY", "QUANTITY_MIN", "QUANTITY_INTERVAL"):
                leaf(tag, "1")
        with xf.element(q("PRODUCT_PRICE_DETAILS")):
            with xf.element(q("DATETIME"), type="valid_start_date"):
                leaf("DATE", "2026-11-23")
            with xf.element(q("PRODUCT_PRICE"), price_type="net_list"):
                leaf("PRICE_AMOUNT", record["amount"])
                leaf("PRICE_CURRENCY", "EUR")
        with xf.element(q("MIME_INFO")):
            for order, url in enumerate(record["images"], 1):
                with xf.element(q("MIME")):
                    leaf("MIME_TYPE", "image/jpeg")
                    leaf("MIME_SOURCE", url)
                    leaf("MIME_PURPOSE", "normal" if order == 1 else "detail")
                    leaf("MIME_ORDER", str(order))


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run(count: int, runs: int, folder: Path) -> dict:
    items = make_items(count)
    records = floor_records(items)
    ours, floor = folder / "ours.xml", folder / "floor.xml"
    writer_s, bare_s = [], []
    for _ in range(runs):
        writer_s.append(with_writer(items, ours))
        bare_s.append(with_bare_lxml(records, floor))
    validate_s, problems = timed(lambda: BMEcatWriter.validate_file(ours, gzipped=False))
    schema = load_schema()
    whole_s, whole_ok = timed(lambda: schema.validate(etree.parse(str(ours))))
    floor_problems = BMEcatWriter.validate_file(floor, gzipped=False)
    return {
        "count": count, "runs": runs, "writer_s": min(writer_s), "bare_s": min(bare_s),
        "validate_s": validate_s, "problems": problems, "whole_s": whole_s,
        "whole_ok": whole_ok, "floor_problems": floor_problems,
        "ours_mib": ours.stat().st_size / 2**20, "floor_mib": floor.stat().st_size / 2**20,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if load_schema() is None:
        raise SystemExit(f"the BMEcat 2005 XSD is needed: not found at {xsd_path()}")
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as folder:
        f = run(args.products, args.runs, Path(folder))
    print(f"machine: {machine()}")
    _report(f)


def _report(f: dict) -> None:
    n = f["count"]
    print(
        f"{n} products (20 features, 3 images, HTML description each), best of {f['runs']}:\n"
        f"  BMEcatWriter check+write: {f['writer_s']:.3f} s, {n / f['writer_s']:,.0f} items/s "
        f"({f['ours_mib']:.1f} MiB)\n"
        f"  bare lxml xmlfile, values formatted beforehand: {f['bare_s']:.3f} s, "
        f"{n / f['bare_s']:,.0f} items/s ({f['floor_mib']:.1f} MiB)\n"
        f"  ratio writer / bare: {f['writer_s'] / f['bare_s']:.2f}\n"
        f"  validate_file (XSD, product by product, flat memory): {f['validate_s']:.3f} s, "
        f"{n / f['validate_s']:,.0f} items/s, problems: {f['problems'] or 'none'}\n"
        f"  whole-document parse + XMLSchema.validate: {f['whole_s']:.3f} s "
        f"(valid: {f['whole_ok']}); bare file's problems: {f['floor_problems'] or 'none'}"
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
