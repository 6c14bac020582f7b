"""Helpers of the DAM service tests: a media context on any storage, sample pictures."""

from __future__ import annotations

import io
import random

from PIL import Image

from dam.context import Media


def media_on(storage_url: str, settings_path: str = "") -> Media:
    """A media context like the app's, on the given storage."""
    return Media(storage_url=storage_url, settings_path=settings_path, max_pixels=100_000_000)


def jpeg_bytes(width=64, height=48, color=(200, 30, 30), seed=None, **save) -> bytes:
    """A small JPEG; ``seed`` adds noise so that each seed gives different bytes."""
    image = Image.new("RGB", (width, height), color)
    if seed is not None:
        rng = random.Random(seed)
        for _ in range(20):
            image.putpixel((rng.randrange(width), rng.randrange(height)), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def png_bytes(width=32, height=32, mode="RGBA", color=(0, 0, 255, 128)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, "PNG")
    return out.getvalue()
