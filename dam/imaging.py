"""Opening untrusted images safely: one pixel limit, bombs refused, frames counted.

Pillow's own guard only warns below twice its limit; here every image larger than
``max_pixels`` (per frame, and over all frames of an animation) is refused with a
:class:`ImageRefused` naming the file, before any pixel is decoded.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

#: Default pixel limit (100 megapixels), overridden by ``VITRINE_DAM_MAX_PIXELS``.
DEFAULT_MAX_PIXELS = 100_000_000
#: Most frames an animated image may declare (GIF, WebP, APNG, multi-page TIFF).
MAX_FRAMES = 1000

# Truncated files fail loudly: a half-decoded picture must never become a rendition.
ImageFile.LOAD_TRUNCATED_IMAGES = False
# Pillow's own bomb check (a warning above the limit, an error above twice) uses our limit;
# :func:`open_image` turns the warning into a refusal too.
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS


def set_pixel_limit(max_pixels: int) -> None:
    """Apply the deployment's pixel limit to Pillow's own check (called by the app)."""
    Image.MAX_IMAGE_PIXELS = max_pixels


class ImageRefused(ValueError):
    """An image that is not decodable or too large to decode; the message names the file."""


@contextmanager
def open_image(
    path: Path | str, *, max_pixels: int = DEFAULT_MAX_PIXELS, name: str | None = None
) -> Iterator[Image.Image]:
    """Open ``path`` lazily (headers only), refusing bombs; close it afterwards.

    ``name`` is how the file is called in messages (the user's filename, not a temp path).
    """
    label = name or Path(path).name
    # Again here: WeasyPrint (channels' PDF format) turns it on when it is imported.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    image = _open_checked(path, max_pixels=max_pixels, label=label)
    try:
        yield image
    finally:
        image.close()


def _open_checked(path: Path | str, *, max_pixels: int, label: str) -> Image.Image:
    """``Image.open`` and :func:`check_size`; any failure on hostile bytes is an ImageRefused."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (UserWarning) about corrupt metadata it skips: not a reason to refuse,
            # and it must not escape as an exception where warnings are errors (the tests).
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            try:
                check_size(image, max_pixels=max_pixels, name=label)  # n_frames reads headers
            except BaseException:
                image.close()
                raise
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(f"{label}: image too large to decode safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise ImageRefused(f"{label}: not an image Vitrine can read") from exc
    # Besides OSError, SyntaxError and ValueError, Pillow's parsers raise IndexError and
    # struct.error (corrupt GIF frame headers), RuntimeError (AVIF)… on hostile bytes.
    except Exception as exc:  # noqa: BLE001
        raise ImageRefused(f"{label}: unreadable image ({exc})") from exc
    return image


def check_size(image: Image.Image, *, max_pixels: int, name: str) -> None:
    """Refuse an image whose pixels (per frame or over all frames) exceed ``max_pixels``."""
    width, height = image.size
    pixels = width * height
    if width <= 0 or height <= 0:
        raise ImageRefused(f"{name}: image has no pixels ({width}×{height})")
    if pixels > max_pixels:
        raise ImageRefused(
            f"{name}: {width}×{height} is {pixels / 1e6:.0f} megapixels, more than the "
            f"limit of {max_pixels / 1e6:.0f}"
        )
    frames = getattr(image, "n_frames", 1) or 1
    if frames > MAX_FRAMES:
        raise ImageRefused(f"{name}: {frames} frames, more than the limit of {MAX_FRAMES}")
    if frames * pixels > max_pixels * 4:
        raise ImageRefused(
            f"{name}: {frames} frames of {width}×{height} exceed the pixel limit "
            f"({max_pixels / 1e6:.0f} megapixels, ×4 for animations)"
        )
