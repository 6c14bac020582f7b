"""Feed benchmark: the Google Merchant XML writer on 100,000 variants, against bare lxml.

A. Writer level. N prepared apparel variants (what the pipeline hands a writer: id,
   title, a 300–800-character description, links, 1 + 3 images, availability, a price
   and on every third item a sale price as ``{"amount": Decimal, "currency": "EUR"}``,
   brand, a valid EAN-13, mpn, condition, colour, size, gender, age group, item group,
   ``_apparel`` and ``_variant``) are generated lazily, 10 at a time, untimed. Timed:

   * **ours**: ``writer.check(item)`` then ``writer.write(item)`` for every item,
     :class:`GoogleMerchantXMLWriter` into a file;
   * **bare lxml**: the same elements with the same already-formatted strings (made by the
     generator, not timed) written with ``etree.xmlfile`` into the same file, no checks —
     one ``xf.element`` per field, and one ``<item>`` built with ``SubElement`` and
     passed to ``xf.write`` (lxml then declares ``xmlns:g`` again on every item; the
     files are compared without it). The ratio is taken against the faster of the two.

   Best of 3 runs, the paths interleaved, on the wall clock and on CPU time (the machine
   may be shared). Each N runs in its own process, so ``ru_maxrss`` is that N's; one more
   pass of each path under ``tracemalloc`` gives the peak of Python allocations during
   the write loop.

B. ``--pipeline N``: the demo catalogue with N variants (``pim.demo.load_demo``, one
   cleared picture linked to every root model so that items have an ``image_link``) in a
   temporary SQLite file, then ``channels.runs.run_feed`` of its ``google_merchant`` feed
   (database reads, filters, mapping, picture rights, check, write, validation of the
   file, storage in a local media folder), in a fresh process: items/s and peak RSS;
   ``--profile`` adds cProfile's top 15 functions by cumulative time; ``--folder DIR``
   keeps the catalogue there (and reuses it next time).

    .venv/bin/python bench/bench_feeds.py [--items 10000,100000]
        [--pipeline 10000 [--profile] [--folder /tmp/feeds-10k] [--skip-writer]]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import io
import json
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from random import Random

from benchlib import machine
from lxml import etree

from channels.formats.google import NS, GoogleMerchantXMLWriter
from channels.formats.gtin import compute_check_digit

CHANNEL = {
    "title": "Vitrine",
    "link": "https://shop.example.com",
    "description": "ecommerce products (en_US, EUR)",
}
CHUNK = 10
RUNS = 3
REPEATED_NS = f'<item xmlns:g="{NS}">'.encode()
COLORS = ("Black", "White", "Navy", "Red", "Forest green", "Beige", "Grey", "Pink")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
BRANDS = ("Vitrine", "Atelier Nord", "Solène", "Nordwind & Co")
KINDS = ("shirt", "T-shirt", "dress", "cardigan", "chino trousers", "linen jacket")
WORDS = (
    "soft organic cotton jersey with a relaxed fit, ribbed crew neck and dropped shoulders;",
    "garment-dyed for a lived-in look & washed for softness (100% cotton, 180 g/m²).",
    "Made in Portugal in a family-run workshop that we have worked with since 2014.",
    "Pair it with our wide-leg trousers or wear it layered under a light overshirt.",
    "Machine wash at 30 °C, inside out; do not tumble dry; iron at low temperature.",
    "The model is 1.85 m tall and wears a size M — choose your usual size.",
    "Recycled packaging, shipped carbon-neutral from our warehouse in Lyon.",
    "Reinforced seams, double-needle hems and a tag-free neck label for comfort.",
)
G = f"{{{NS}}}"
#: the tag of each attribute as written (RSS's own elements have no namespace)
# fmt: off
ATTRIBUTES = (
    "id", "title", "description", "link", "image_link", "additional_image_link",
    "availability", "price", "sale_price", "brand", "gtin", "mpn", "condition", "color",
    "size", "gender", "age_group", "item_group_id",
)
# fmt: on
TAGS = {name: name if name in ("title", "link", "description") else G + name for name in ATTRIBUTES}


def ean13(number: int) -> str:
    body = f"{400_000_000_000 + number:012d}"
    return body + str(compute_check_digit(body))


def make_item(rng: Random, number: int) -> tuple[dict, list[tuple[str, str]]]:
    """One prepared variant, and its elements as written (tag, text) for the bare path."""
    style, rest = divmod(number, len(COLORS) * len(SIZES))
    color, size = COLORS[rest // len(SIZES)], SIZES[rest % len(SIZES)]
    kind, brand = KINDS[style % len(KINDS)], BRANDS[style % len(BRANDS)]
    group = f"ST{style:06d}"
    sku = f"{group}-{color.upper().replace(' ', '')}-{size}"
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 10))]
    description = f"{brand} {kind} {style}: " + " ".join(words)
    price = Decimal(19 + style % 80) + Decimal("0.90")
    base = "https://cdn.shop.example.com/assets"
    images = [f"{base}/{style * 4 + i}/renditions/google" for i in range(4)]
    item = {
        "id": sku,
        "title": f"{brand} {kind} {style} – {color}, size {size}",
        "description": description,
        "link": f"https://shop.example.com/products/{sku}?utm_source=google&size={size}",
        "image_link": images[0],
        "additional_image_link": images[1:],
        "availability": "in_stock" if number % 17 else "out_of_stock",
        "price": {"amount": price, "currency": "EUR"},
        "brand": brand,
        "gtin": ean13(number),
        "mpn": sku,
        "condition": "new",
        "color": color,
        "size": size,
        "gender": ("female", "male", "unisex")[style % 3],
        "age_group": "adult",
        "item_group_id": group,
        "_apparel": True,
        "_variant": True,
    }
    if number % 3 == 0:
        item["sale_price"] = {"amount": price - 5, "currency": "EUR"}
    return item, _elements(item)


def _elements(item: dict) -> list[tuple[str, str]]:
    elements = []
    for name, tag in TAGS.items():
        value = item.get(name)
        if value is None:
            continue
        if isinstance(value, dict):
            value = f"{value['amount']} {value['currency']}"
        for text in value if isinstance(value, list) else [value]:
            elements.append((tag, text))
    return elements


def chunks(items: int, seed: int = 7) -> Iterator[list]:
    """The items, generated lazily ``CHUNK`` at a time (the same for every call)."""
    rng = Random(seed)
    for start in range(0, items, CHUNK):
        yield [make_item(rng, n) for n in range(start, min(start + CHUNK, items))]


# --- the three write paths: each consumes the chunks, times only its own work -------------


class Clock:
    """Wall and CPU seconds of the timed parts only (the machine may be shared)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def ours(stream, items: int) -> Clock:
    """Our writer: check, then write, every item."""
    writer, clock = GoogleMerchantXMLWriter(), Clock()
    with clock:
        writer.open(stream, **CHANNEL)
    for chunk in chunks(items):
        with clock:
            for item, _elements in chunk:
                if not writer.check(item):
                    writer.write(item)
                else:
                    raise AssertionError(f"{item['id']}: {writer.check(item)}")
    with clock:
        writer.close()
    return clock


def _open_bare(stream):
    stack = contextlib.ExitStack()
    xf = stack.enter_context(etree.xmlfile(stream, encoding="utf-8"))
    xf.write_declaration()
    stack.enter_context(xf.element("rss", nsmap={"g": NS}, version="2.0"))
    stack.enter_context(xf.element("channel"))
    for tag, text in CHANNEL.items():
        xf.write("\n")
        with xf.element(tag):
            xf.write(text)
    return stack, xf


def bare_per_field(stream, items: int) -> Clock:
    """Bare lxml, one ``xf.element`` context per field."""
    clock = Clock()
    with clock:
        stack, xf = _open_bare(stream)
    for chunk in chunks(items):
        with clock:
            for _item, elements in chunk:
                xf.write("\n")
                with xf.element("item"):
                    for tag, text in elements:
                        with xf.element(tag):
                            xf.write(text)
    with clock:
        xf.write("\n")
        stack.close()
    return clock


def bare_built(stream, items: int) -> Clock:
    """Bare lxml, one ``<item>`` built with SubElement and written whole (lxml then declares
    ``xmlns:g`` again on every item: the same document, not the same bytes)."""
    clock = Clock()
    with clock:
        stack, xf = _open_bare(stream)
    for chunk in chunks(items):
        with clock:
            for _item, elements in chunk:
                xf.write("\n")
                element = etree.Element("item", nsmap={"g": NS})
                for tag, text in elements:
                    etree.SubElement(element, tag).text = text
                xf.write(element)
    with clock:
        xf.write("\n")
        stack.close()
    return clock


PATHS = {"ours": ours, "bare_per_field": bare_per_field, "bare_built": bare_built}


def writer_figures(items: int, folder: Path) -> dict:
    """Timings (best of RUNS, paths interleaved), output digests and tracemalloc peaks."""
    figures: dict = {"items": items}
    for run in range(RUNS):
        for name, path in PATHS.items():
            target = folder / f"{name}.xml"
            with target.open("wb") as stream:
                clock = path(stream, items)
            figures[f"{name}_s"] = min(clock.wall, figures.get(f"{name}_s", clock.wall))
            figures[f"{name}_cpu"] = min(clock.cpu, figures.get(f"{name}_cpu", clock.cpu))
            if run == 0:
                figures[f"{name}_sha"] = _digest(target)
                if name == "ours":
                    figures["file_mib"] = target.stat().st_size / 2**20
    for name, path in PATHS.items():
        with (folder / f"{name}.xml").open("wb") as stream:
            tracemalloc.start()
            path(stream, items)
            figures[f"{name}_peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
            tracemalloc.stop()
    figures["generate_only_peak_kib"] = _generation_peak(items)
    figures["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _digest(path: Path) -> str:
    """SHA-256 of the file, read line by line, with the items' repeated ``xmlns:g`` dropped."""
    digest = hashlib.sha256()
    with path.open("rb") as lines:
        for line in lines:
            digest.update(line.replace(REPEATED_NS, b"<item>"))
    return digest.hexdigest()


def _generation_peak(items: int) -> float:
    """tracemalloc peak of generating the chunks alone (part of every path's peak)."""
    tracemalloc.start()
    for _chunk in chunks(items):
        pass
    peak = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    return peak


def report_writer(f: dict) -> None:
    n = f["items"]
    rates = {name: n / f[f"{name}_s"] for name in PATHS}
    cpu = {name: n / f[f"{name}_cpu"] for name in PATHS}
    floor = max(rates["bare_per_field"], rates["bare_built"])
    same = "yes" if f["ours_sha"] == f["bare_per_field_sha"] == f["bare_built_sha"] else "NO"
    print(
        f"{n:,} items ({f['file_mib']:.0f} MiB of XML; same output on the three paths: {same})\n"
        f"  best of {RUNS}, items/s on the wall clock (on CPU time)\n"
        f"  ours (check + write):          {rates['ours']:>9,.0f}  ({cpu['ours']:,.0f})\n"
        f"  bare lxml, xf.element/field:   {rates['bare_per_field']:>9,.0f}  "
        f"({cpu['bare_per_field']:,.0f})\n"
        f"  bare lxml, built <item>:       {rates['bare_built']:>9,.0f}  "
        f"({cpu['bare_built']:,.0f})\n"
        f"  ratio ours / faster bare: {rates['ours'] / floor:.2f} "
        f"(CPU {cpu['ours'] / max(cpu['bare_per_field'], cpu['bare_built']):.2f}); "
        "targets ≥ 20,000 items/s, ≥ 0.5\n"
        f"  tracemalloc peak of the write loop: ours {f['ours_peak_kib']:,.0f} KiB, bare "
        f"{f['bare_per_field_peak_kib']:,.0f} / {f['bare_built_peak_kib']:,.0f} KiB "
        f"(generating a chunk alone: {f['generate_only_peak_kib']:,.0f} KiB)\n"
        f"  peak RSS of the process: {f['maxrss_mib']:.0f} MiB"
    )


# --- B: the whole pipeline on a demo catalogue ------------------------------------------------


def build_catalogue(products: int, folder: Path) -> str:
    """A SQLite demo catalogue of ``products`` variants with pictures on every root model;
    its URL (an existing ``catalogue.db`` in ``folder`` is used as it is)."""
    from benchlib import make_app
    from sqlalchemy import func, insert, select, text

    from dam.models import Asset, AssetLink, AssetStatus, LinkRole
    from pim.demo import load_demo
    from pim.extensions import db
    from pim.models import ProductModel

    url = f"sqlite:///{folder / 'catalogue.db'}"
    if (folder / "catalogue.db").exists():
        print(f"  catalogue: reusing {folder / 'catalogue.db'}")
        return url
    app = make_app(url, folder)
    with app.app_context():
        started = time.perf_counter()
        load_demo(db.session, products=products, on_batch=lambda _n: db.session.commit())
        db.session.commit()
        # Every root model gets the demo's first cleared packshot as its main picture.
        asset_id = db.session.scalar(
            select(Asset.id)
            .where(Asset.status == AssetStatus.APPROVED, Asset.licence_type == "owned")
            .order_by(Asset.id)
        )
        roots = db.session.scalars(
            select(ProductModel.id).where(ProductModel.parent_id.is_(None))
        ).all()
        db.session.execute(
            insert(AssetLink),
            [
                {
                    "asset_id": asset_id,
                    "product_model_id": root,
                    "role": LinkRole.MAIN,
                    "position": 0,
                }
                for root in roots
            ],
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(AssetLink))
        print(
            f"  catalogue: {products:,} variants loaded in {time.perf_counter() - started:.0f} s"
            f" ({count:,} picture links)"
        )
    return url


def run_feed_figures(url: str, folder: Path, profile: bool) -> dict:
    """Run the demo's google_merchant feed once (in this fresh process)."""
    from benchlib import make_app

    from channels.feeds import get_feed
    from channels.runs import run_feed
    from dam.context import Media
    from pim.extensions import db

    app = make_app(url, folder, migrate=False)
    media = Media(storage_url=(folder / "media-out").as_uri(), settings_path="", max_pixels=10**8)
    with app.app_context():
        feed = get_feed(db.session, "google_merchant")
        profiler = cProfile.Profile() if profile else None
        rss_before = _current_rss_mib()
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        run = run_feed(db.session, feed, media=media, commit=db.session.commit)
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        figures = {
            "status": run.status,
            "message": run.message,
            "included": run.included,
            "excluded": run.excluded,
            "reasons": {k: v["count"] for k, v in (run.exclusions or {}).items()},
            "size_mib": (run.size or 0) / 2**20,
            "seconds": elapsed,
            "cpu_seconds": cpu,
            "rss_before_mib": rss_before,
            "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
        figures["profile"] = out.getvalue()
    return figures


def _current_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def report_pipeline(f: dict, products: int) -> None:
    seen = f["included"] + f["excluded"]
    print(
        f"  run_feed: {f['status']} {f['message']!r}; {f['included']:,} items written, "
        f"{f['excluded']:,} excluded {f['reasons']}, {f['size_mib']:.0f} MiB\n"
        f"  {seen / f['seconds']:,.0f} products/s, {f['included'] / f['seconds']:,.0f} items/s "
        f"({f['seconds']:.1f} s for {products:,} products; on CPU time "
        f"{f['cpu_seconds']:.1f} s: {seen / f['cpu_seconds']:,.0f} products/s)"
        f"{' (under cProfile)' if 'profile' in f else ''}\n"
        f"  peak RSS {f['maxrss_mib']:.0f} MiB (RSS {f['rss_before_mib']:.0f} MiB before the run)"
    )
    if "profile" in f:
        print(f["profile"])


# --- driver ---------------------------------------------------------------------------------


def _child(arguments: list[str]) -> dict:
    command = [sys.executable, __file__, *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", default="10000,100000", help="item counts, comma-separated")
    parser.add_argument("--pipeline", type=int, default=0, help="variants for part B")
    parser.add_argument("--profile", action="store_true", help="cProfile the pipeline run")
    parser.add_argument("--skip-writer", action="store_true", help="part B only")
    parser.add_argument("--folder", help="keep (or reuse) part B's catalogue in this folder")
    parser.add_argument("--writer-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--feed-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer_child:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(writer_figures(args.writer_child, Path(folder))))
        return
    if args.feed_child:
        url, folder = args.feed_child
        print(json.dumps(run_feed_figures(url, Path(folder), args.profile)))
        return
    print(f"Machine: {machine()}")
    if not args.skip_writer:
        print("A. Google Merchant XML writer (each size in its own process)")
        for items in (int(n) for n in args.items.split(",")):
            report_writer(_child(["--writer-child", str(items)]))
    if args.pipeline:
        print(f"B. run_feed of the demo google_merchant feed, {args.pipeline:,} variants, SQLite")
        with contextlib.ExitStack() as stack:
            folder = args.folder or stack.enter_context(tempfile.TemporaryDirectory())
            Path(folder).mkdir(parents=True, exist_ok=True)
            url = build_catalogue(args.pipeline, Path(folder))
            extra = ["--profile"] if args.profile else []
            report_pipeline(_child(["--feed-child", url, folder, *extra]), args.pipeline)


if __name__ == "__main__":
    main()
