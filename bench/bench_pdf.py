"""Print catalogue benchmark: the PDF writer on 1,000 products, against bare WeasyPrint.

1. N models × V variants (default 250 × 4 = 1,000 items, colour × size) in 10 categories,
   each model with its own JPEG (600×600, gradients and shapes, generated with Pillow once
   and served from memory by ``fetch_image``).
2. Timed, each in a fresh process so that each peak RSS is its own:
   a. ours: ``PdfCatalogueWriter`` — check, write (Jinja blocks spooled per chapter),
      close (assembly, layout, PDF written to a file);
   b. bare WeasyPrint on the very HTML the writer assembled, with the same pictures:
      what the writer adds to the renderer's own cost;
   c. bare WeasyPrint on that HTML without its pictures: the floor for a document of
      that size (the ratio asked for).
   Each reports wall-clock and CPU seconds (the ratios use CPU time, which background
   load on the machine disturbs less), pages, pages/s and the process's peak RSS (and its
   RSS before the timed part: interpreter, imports and the generated pictures).

    .venv/bin/python bench/bench_pdf.py [--models 250] [--variants 4] [--image-size 600]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import re
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from random import Random

from benchlib import machine
from PIL import Image, ImageDraw

from channels.formats.base import FeedContext

COLOURS = ("Red", "Navy", "Sand", "Black", "Olive", "White")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
CATEGORIES = [
    {"code": f"{parent.lower()}_{child.lower()}", "label": child, "trail": f"{parent} > {child}"}
    for parent in ("Women", "Men")
    for child in ("Tops", "Shirts", "Knitwear", "Trousers", "Jackets")
]


def picture(size: int, seed: int) -> bytes:
    """A JPEG with gradients and shapes (compresses like a product shot, not a flat)."""
    rng = Random(seed)
    image = Image.merge(
        "RGB", [Image.linear_gradient("L").rotate(rng.choice((0, 90, 180, 270))) for _ in "rgb"]
    ).resize((size, size))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y, w = rng.randrange(size), rng.randrange(size), rng.randrange(size // 8, size // 3)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x, y, x + w, y + w), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def image_url(model: int) -> str:
    return f"https://vitrine.example.com/assets/{model}/renditions/print"


def items(models: int, variants: int) -> list[dict]:
    """Variants of ``models`` models, in item_group_id order, as the pipeline sends them."""
    rng = Random(7)
    result = []
    for model in range(models):
        category = CATEGORIES[model % len(CATEGORIES)]
        features = [
            {"code": "material", "label": "Material", "type": "simple_select",
             "value": rng.choice(("Cotton", "Linen", "Wool", "Recycled polyester")), "unit": None},
            {"code": "fit", "label": "Fit", "type": "simple_select", "value": "Regular",
             "unit": None},
            {"code": "weight", "label": "Weight", "type": "metric",
             "value": Decimal(rng.randrange(150, 900)), "unit": "GRM"},
            {"code": "care", "label": "Machine washable", "type": "boolean", "value": True,
             "unit": None},
        ]  # fmt: skip
        for n in range(variants):
            colour, size = COLOURS[n // len(SIZES) % len(COLOURS)], SIZES[n % len(SIZES)]
            result.append(
                {
                    "id": f"M{model:04d}-{colour[:3].upper()}-{size}",
                    "title": f"Model {model} {colour} {size}",
                    "description": f"<p>Model {model}: a <b>garment</b> for every day.</p>"
                    "<ul><li>Relaxed fit</li><li>Made in Portugal</li></ul>",
                    "brand": "Maison Lune",
                    "gtin": "4006381333931",
                    "price": {
                        "amount": Decimal(rng.randrange(1500, 15000)) / 100,
                        "currency": "EUR",
                    },
                    "image_link": image_url(model),
                    "item_group_id": f"M{model:04d}",
                    "_variant": True,
                    "_group_label": f"Model {model} crew-neck",
                    "_axes": [
                        {
                            "code": "color",
                            "label": "Colour",
                            "value": colour,
                            "value_label": colour,
                        },
                        {"code": "size", "label": "Size", "value": size, "value_label": size},
                    ],
                    "_categories": [category],
                    "_features": features,
                }
            )
    return result


def fetcher_of(pictures: dict[str, bytes]):
    def fetch_image(url: str):
        return (pictures[url], "image/jpeg") if url in pictures else None

    return fetch_image


def rss_mib() -> float:
    """Peak RSS of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(job: dict) -> dict:
    """In a fresh process: the whole writer, timed."""
    from channels.formats.pdf import PdfCatalogueWriter, count_pages

    pictures = {image_url(m): picture(job["size"], m) for m in range(job["models"])}
    catalogue = items(job["models"], job["variants"])
    context = FeedContext(label="Bench", channel="print", fetch_image=fetcher_of(pictures))
    before = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    with open(job["pdf"], "wb") as stream:
        writer = PdfCatalogueWriter(context)
        writer.open(stream, title="Bench", link="https://shop.example", description="")
        for item in catalogue:
            assert not writer.check(item)
            writer.write(item)
        writer.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    data = Path(job["pdf"]).read_bytes()
    return _figures(seconds, cpu, count_pages(data), len(data), before)


def run_bare(job: dict) -> dict:
    """In a fresh process: bare WeasyPrint on a saved HTML document, timed."""
    from weasyprint import HTML

    from channels.formats.pdf import ImageFetcher, count_pages

    pictures = {image_url(m): picture(job["size"], m) for m in range(job["models"])}
    html = Path(job["html"]).read_text(encoding="utf-8")
    before = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    HTML(string=html, url_fetcher=ImageFetcher(fetcher_of(pictures))).write_pdf(job["pdf"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    data = Path(job["pdf"]).read_bytes()
    return _figures(seconds, cpu, count_pages(data), len(data), before)


def _figures(seconds: float, cpu: float, pages: int, size: int, before: float) -> dict:
    return {"seconds": seconds, "cpu": cpu, "pages": pages, "mib": size / 2**20,
            "idle": before, "rss": rss_mib()}  # fmt: skip


def assembled_html(models: int, variants: int) -> str:
    """The HTML the writer assembles for the bench catalogue (no rendering)."""
    from channels.formats.pdf import PdfCatalogueWriter

    writer = PdfCatalogueWriter(FeedContext(label="Bench", channel="print"))
    writer.open(io.BytesIO(), title="Bench", link="https://shop.example", description="")
    for item in items(models, variants):
        writer.write(item)
    return writer.build_html()


def in_fresh_process(function, job: dict) -> dict:
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(function, (job,))


def run(args, folder: Path) -> dict:
    job = {"models": args.models, "variants": args.variants, "size": args.image_size}
    html = assembled_html(args.models, args.variants)
    (folder / "with.html").write_text(html, encoding="utf-8")
    without = re.sub(r"<img [^>]*>", "", html)
    (folder / "without.html").write_text(without, encoding="utf-8")
    return {
        "ours": in_fresh_process(run_ours, {**job, "pdf": folder / "ours.pdf"}),
        "bare": in_fresh_process(
            run_bare, {**job, "html": folder / "with.html", "pdf": folder / "bare.pdf"}
        ),
        "floor": in_fresh_process(
            run_bare, {**job, "html": folder / "without.html", "pdf": folder / "floor.pdf"}
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=250)
    parser.add_argument("--variants", type=int, default=4, help=f"at most {len(SIZES) ** 2}")
    parser.add_argument("--image-size", type=int, default=600, help="pixels, square JPEG")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as folder:
        figures = run(args, Path(folder))
    print(f"machine: {machine()}")
    print(
        f"{args.models} models × {args.variants} variants = {args.models * args.variants} "
        f"items in {len(CATEGORIES)} chapters, one {args.image_size}×{args.image_size} JPEG "
        "per model"
    )
    labels = {
        "ours": "PdfCatalogueWriter (check, write, close)",
        "bare": "bare WeasyPrint, same HTML, same pictures",
        "floor": "bare WeasyPrint, same HTML, no pictures",
    }
    for key, label in labels.items():
        f = figures[key]
        print(
            f"  {label}: {f['seconds']:.1f} s ({f['cpu']:.1f} s CPU), {f['pages']} pages, "
            f"{f['pages'] / f['seconds']:.1f} pages/s ({f['pages'] / f['cpu']:.1f} per CPU "
            f"second), {f['mib']:.1f} MiB PDF, "
            f"peak RSS {f['rss']:.0f} MiB (before: {f['idle']:.0f} MiB)"
        )
    ours, bare, floor = figures["ours"], figures["bare"], figures["floor"]
    print(
        f"  CPU time ratio ours / bare same HTML: {ours['cpu'] / bare['cpu']:.2f}; "
        f"ours / no-picture floor: {ours['cpu'] / floor['cpu']:.2f} (wall-clock: "
        f"{ours['seconds'] / bare['seconds']:.2f} and {ours['seconds'] / floor['seconds']:.2f})\n"
        f"  peak RSS ratio ours / bare same HTML: {ours['rss'] / bare['rss']:.2f}; "
        f"ours / no-picture floor: {ours['rss'] / floor['rss']:.2f}"
    )


if __name__ == "__main__":
    main()
