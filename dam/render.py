"""Rendering one rendition: a source file and a :class:`~dam.presets.Preset` → image bytes.

Pure functions (no database, no Flask). Images are opened through
:func:`dam.imaging.open_image`, so bombs raise :class:`~dam.imaging.ImageRefused`. A JPEG is
decoded at the smallest DCT scale (``draft``) that still leaves twice the target size, the
resize happens in the file's own orientation and colour space, and only the small result is
rotated (EXIF orientation), colour-converted to sRGB, flattened, padded and encoded, straight
into ``out``. PDFs get a first-page preview when poppler's ``pdftoppm`` is installed; other
documents, videos without a poster frame and audio get a generic icon with a ``note``.
"""

from __future__ import annotations

import contextlib
import io
import math
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from PIL import (
    Image,
    ImageChops,
    ImageCms,
    ImageColor,
    ImageDraw,
    ImageFont,
    ImageMath,
    PngImagePlugin,
    TiffImagePlugin,
)

from dam.imaging import DEFAULT_MAX_PIXELS, open_image
from dam.presets import Preset

#: A JPEG is decoded (DCT-scaled) to at least this many times the target size.
DRAFT_GAP = 2.0
#: ``reducing_gap`` of the final resize: ≥ 3 is indistinguishable from a full LANCZOS pass.
RESIZE_GAP = 3.0
PDF_TIMEOUT = 30
#: Longest side of a PDF page preview (the preset's box, capped).
PDF_MAX_SIDE = 3000
PLACEHOLDER_GREY = (226, 226, 226)
MARK_GREY = (160, 160, 160)
ICON_KINDS = ("document", "video", "audio", "image")
PDF_UNAVAILABLE = (
    "PDF preview unavailable: no renderer installed (poppler-utils' pdftoppm); generic icon served"
)
NO_POSTER = "no poster frame provided; generic video icon served"
# EXIF orientation → the transpose that shows the image upright (as ImageOps.exif_transpose).
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
EXIF_ARTIST, EXIF_COPYRIGHT, EXIF_ORIENTATION, XMP_TAG = 0x013B, 0x8298, 0x0112, 700


class RenderError(ValueError):
    """A source that cannot be rendered (damaged, truncated, unsupported); names the file."""


@dataclass
class Rendered:
    """What was written: its type and size, and why it is not a real preview (if so)."""

    content_type: str
    width: int
    height: int
    note: str | None = None


def render(
    source: Path,
    source_type: str,
    preset: Preset,
    out: BinaryIO,
    *,
    focal: tuple[float, float] | None = None,
    copyright: dict | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    name: str | None = None,
) -> Rendered:
    """Write ``source`` (of MIME type ``source_type``) as ``preset`` into ``out``.

    ``focal`` is the point (x, y in 0..1 of the upright image) a ``fill`` crop keeps;
    ``copyright`` the rights fields written when ``preset.metadata == "copyright"``
    (creator, copyright_notice, credit_line, usage_terms); ``name`` how messages call the file.
    """
    label = name or Path(source).name
    kind = source_kind(source_type)
    if kind == "pdf":
        return _render_pdf(Path(source), preset, out, focal, copyright, max_pixels, label)
    if kind == "video":
        return replace(icon(preset, out, "video"), note=NO_POSTER)
    if kind != "image":
        note = f"no preview for {source_type or 'unknown type'}; generic {kind} icon served"
        return replace(icon(preset, out, kind), note=note)
    with open_image(source, max_pixels=max_pixels, name=label) as image:
        picture = _picture(image, preset, focal or (0.5, 0.5), label)
    _save(picture, preset, out, copyright)
    return Rendered(preset.content_type, *picture.size)


def source_kind(content_type: str) -> str:
    """``image``, ``pdf``, ``video``, ``audio`` or ``document`` for a MIME type."""
    major = (content_type or "").split(";")[0].strip().lower()
    if major == "application/pdf":
        return "pdf"
    if major in ("", "application/octet-stream") or major.startswith("image/"):
        return "image" if major != "image/svg+xml" else "document"
    return major.split("/")[0] if major.split("/")[0] in ("video", "audio") else "document"


# --- images ----------------------------------------------------------------------------


def _picture(image: Image.Image, preset: Preset, focal, label: str) -> Image.Image:
    """The upright, sRGB, flattened or padded picture of the opened ``image``."""
    try:
        orientation = _orientation(image)
        turned = orientation in (5, 6, 7, 8)
        box = (preset.height, preset.width) if turned else (preset.width, preset.height)
        size, region = layout(image.size, box, preset.mode, raw_focal(focal, orientation))
        _draft(image, size, region)
        image.load()
    except (OSError, SyntaxError, EOFError) as exc:
        raise RenderError(f"{label}: damaged or truncated image ({exc})") from exc
    icc = image.info.get("icc_profile")
    try:
        small = _resize(_working_mode(image), size, region)
    except ValueError as exc:
        raise RenderError(f"{label}: cannot convert {image.mode} pixels ({exc})") from exc
    if small is image:  # already the right size and mode: detach it from the file
        small = image.copy()
    small = _to_srgb(_to_8bit(small), icc)
    if orientation in TRANSPOSE:
        small = small.transpose(TRANSPOSE[orientation])
    small = _alpha(small, preset)
    return _pad(small, preset) if preset.mode == "pad" else small


def _orientation(image: Image.Image) -> int:
    # Corrupt EXIF must not block a rendition: Pillow warns about it, we read what we can.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = image.getexif().get(EXIF_ORIENTATION, 1)
    return value if value in TRANSPOSE else 1


def raw_focal(focal: tuple[float, float], orientation: int) -> tuple[float, float]:
    """The focal point (0..1, upright image) in the stored pixels' orientation."""
    x, y = (min(max(float(v), 0.0), 1.0) for v in focal)
    return {
        2: (1 - x, y),
        3: (1 - x, 1 - y),
        4: (x, 1 - y),
        5: (y, x),
        6: (y, 1 - x),
        7: (1 - y, 1 - x),
        8: (1 - y, x),
    }.get(orientation, (x, y))


def layout(
    size: tuple[int, int], box: tuple[int, int], mode: str, focal: tuple[float, float]
) -> tuple[tuple[int, int], tuple[float, float, float, float]]:
    """Output size, and the source region (fractions of the image) it is resized from.

    ``fit`` and ``pad`` keep the whole image inside ``box``, never enlarged; ``fill`` takes
    the largest region of the box's shape centred on ``focal`` (moved inwards at the edges)
    and scales it to exactly ``box``.
    """
    (width, height), (box_w, box_h) = size, box
    if mode != "fill":
        scale = min(box_w / width, box_h / height, 1.0)
        fitted = (max(1, round(width * scale)), max(1, round(height * scale)))
        return fitted, (0.0, 0.0, 1.0, 1.0)
    scale = max(box_w / width, box_h / height)
    part_w, part_h = min(1.0, box_w / scale / width), min(1.0, box_h / scale / height)
    left = min(max(focal[0] - part_w / 2, 0.0), 1.0 - part_w)
    top = min(max(focal[1] - part_h / 2, 0.0), 1.0 - part_h)
    return (box_w, box_h), (left, top, left + part_w, top + part_h)


def _draft(image: Image.Image, size: tuple[int, int], region) -> None:
    """Let a JPEG decoder scale down by 1/2, 1/4 or 1/8, keeping ≥ DRAFT_GAP × the target.

    A no-op for other formats (and for a JPEG already loaded).
    """
    needed = (
        math.ceil(size[0] / (region[2] - region[0]) * DRAFT_GAP),
        math.ceil(size[1] / (region[3] - region[1]) * DRAFT_GAP),
    )
    image.draft(image.mode, needed)


def _working_mode(image: Image.Image) -> Image.Image:
    """A mode Pillow resizes well: 8-bit L/LA/RGB/RGBA/CMYK, or 16/32-bit grey."""
    mode = image.mode
    if mode in ("P", "L", "RGB") and "transparency" in image.info:
        return image.convert("RGBA")
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK", "I;16", "I", "F"):
        return image
    if mode.startswith("I;16"):  # big-endian and native variants
        return image.convert("I;16")
    if mode in ("PA", "RGBa"):
        return image.convert("RGBA")
    return image.convert("LA" if mode == "La" else "RGB")  # 1, P, RGBX, YCbCr, LAB, HSV…


def _resize(image: Image.Image, size: tuple[int, int], region) -> Image.Image:
    box = (region[0] * image.width, region[1] * image.height)
    box += (region[2] * image.width, region[3] * image.height)
    if size == image.size and box == (0, 0, *image.size):
        return image
    return image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=RESIZE_GAP)


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit grey scaled to 0..255 (Pillow's own convert clips at 255).

    ``+ 0.5`` rounds: the integer point transform truncates.
    """
    if image.mode == "F":
        high = image.getextrema()[1]
        factor = 255.0 if high <= 1.0 else 1.0
        return image.point(lambda v: v * factor).convert("L")
    if image.mode == "I;16":
        return image.convert("I").point(lambda v: v / 257 + 0.5).convert("L")
    if image.mode != "I":
        return image
    if image.getextrema()[1] > 255:  # 16-bit values (an 8-bit-valued "I" image stays as is)
        image = image.point(lambda v: v / 257 + 0.5)
    return image.convert("L")


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB or RGBA in sRGB, through the embedded ICC profile when it is usable."""
    target = "RGBA" if image.mode in ("LA", "RGBA") else "RGB"
    if icc and image.mode in ("L", "RGB", "RGBA", "CMYK"):
        try:
            return ImageCms.applyTransform(image, _transform(icc, image.mode, target))
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or mismatched profile: fall back to the plain conversion
    return image if image.mode == target else image.convert(target)


@lru_cache(maxsize=32)
def _transform(icc: bytes, mode: str, target: str) -> ImageCms.ImageCmsTransform:
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    return ImageCms.buildTransform(source, _srgb(), mode, target)


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _alpha(image: Image.Image, preset: Preset) -> Image.Image:
    """Drop an alpha channel that is fully opaque; flatten it when the format has none."""
    if image.mode != "RGBA":
        return image
    if image.getchannel("A").getextrema() == (255, 255):
        return image.convert("RGB")
    if preset.keeps_alpha:
        return image
    flat = Image.new("RGB", image.size, ImageColor.getrgb(preset.background))
    flat.paste(image, mask=image.getchannel("A"))
    return flat


def _pad(image: Image.Image, preset: Preset) -> Image.Image:
    """``image`` centred on a ``background`` canvas of exactly the preset's box."""
    colour = ImageColor.getrgb(preset.background)
    colour = (*colour, 255) if image.mode == "RGBA" else colour
    canvas = Image.new(image.mode, (preset.width, preset.height), colour)
    offset = ((preset.width - image.width) // 2, (preset.height - image.height) // 2)
    canvas.paste(image, offset)
    return canvas


# --- output ----------------------------------------------------------------------------


def _save(image: Image.Image, preset: Preset, out: BinaryIO, rights: dict | None) -> None:
    """Encode ``image`` (RGB or RGBA) as ``preset`` says, with no inherited metadata."""
    if preset.colour == "cmyk":
        image = to_cmyk(image)
    image.info = {}  # Pillow's savers fall back to these (ICC, comments, compression…)
    options = _format_options(preset)
    if preset.dpi:
        options["dpi"] = (preset.dpi, preset.dpi)
    if preset.metadata == "copyright":
        options.update(_rights_options(preset.format, rights or {}))
    image.save(out, format=preset.format, **options)


def _format_options(preset: Preset) -> dict:
    return {
        "JPEG": {"quality": preset.quality, "optimize": True, "progressive": True},
        "PNG": {"compress_level": 6},
        "WEBP": {"quality": preset.quality, "method": 4},
        "AVIF": {"quality": preset.quality},
        "TIFF": {"compression": "tiff_lzw"},
    }[preset.format]


def to_cmyk(image: Image.Image) -> Image.Image:
    """Device CMYK with full grey-component replacement: neutrals and black on K only.

    Pillow's own conversion leaves K at 0 (300 % ink for black); this is the exact inverse
    of Pillow's CMYK → RGB, so previews of the file match the RGB image.
    """
    if image.mode != "RGB":
        image = image.convert("RGB")
    red, green, blue = image.split()
    black = ImageChops.invert(ImageChops.lighter(ImageChops.lighter(red, green), blue))

    def ink(channel: Image.Image) -> Image.Image:
        return ImageMath.lambda_eval(
            lambda a: a["convert"]((255 - a["c"] - a["k"]) * 255 / a["max"](255 - a["k"], 1), "L"),
            c=channel,
            k=black,
        )

    return Image.merge("CMYK", (ink(red), ink(green), ink(blue), black))


def _rights_options(fmt: str, rights: dict) -> dict:
    """EXIF Artist/Copyright and an XMP packet for the rights fields that have a value."""
    rights = {k: str(v).strip() for k, v in rights.items() if v and str(v).strip()}
    xmp = rights_xmp(rights)
    tags = {EXIF_ARTIST: rights.get("creator"), EXIF_COPYRIGHT: rights.get("copyright_notice")}
    tags = {tag: value for tag, value in tags.items() if value}
    if fmt == "TIFF":  # IFD0 tags, written by libtiff (ASCII only: the XMP keeps accents)
        ifd = TiffImagePlugin.ImageFileDirectory_v2()
        ifd.update(tags)
        if xmp:
            ifd[XMP_TAG] = xmp
        return {"tiffinfo": ifd} if len(ifd) else {}
    exif = Image.Exif()
    for tag, value in tags.items():
        # UTF-8 bytes in EXIF "ASCII" fields, as phones and exiftool write them (Pillow
        # would otherwise turn every accented letter into "?").
        exif[tag] = value.encode()
    options: dict = {"exif": exif.tobytes()} if tags else {}
    if xmp and fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
        options["pnginfo"] = info
    elif xmp:
        options["xmp"] = xmp
    return options


def rights_xmp(rights: dict) -> bytes | None:
    """A small XMP packet (Dublin Core, Photoshop, XMP Rights) for the rights fields."""
    parts = []
    if rights.get("creator"):
        parts.append(f"<dc:creator><rdf:Seq>{_li(rights['creator'])}</rdf:Seq></dc:creator>")
    if rights.get("copyright_notice"):
        parts.append(f"<dc:rights><rdf:Alt>{_li(rights['copyright_notice'], 1)}</rdf:Alt>")
        parts[-1] += "</dc:rights>"
    if rights.get("credit_line"):
        parts.append(f"<photoshop:Credit>{escape(rights['credit_line'])}</photoshop:Credit>")
    if rights.get("usage_terms"):
        terms = _li(rights["usage_terms"], 1)
        parts.append(f"<xmpRights:UsageTerms><rdf:Alt>{terms}</rdf:Alt></xmpRights:UsageTerms>")
    if not parts:
        return None
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/">'
        + "".join(parts)
        + '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>'
    ).encode()


def _li(text: str, lang: bool = False) -> str:
    attribute = ' xml:lang="x-default"' if lang else ""
    return f"<rdf:li{attribute}>{escape(text)}</rdf:li>"


# --- PDF -------------------------------------------------------------------------------


def _render_pdf(source: Path, preset, out, focal, rights, max_pixels, label) -> Rendered:
    """The first page through ``pdftoppm``, or a document icon when it is not installed."""
    program = shutil.which("pdftoppm")
    if program is None:
        return replace(icon(preset, out, "document", "PDF"), note=PDF_UNAVAILABLE)
    side = min(max(preset.width, preset.height), PDF_MAX_SIDE)
    with tempfile.TemporaryDirectory(prefix="vitrine-pdf-") as folder:
        target = Path(folder) / "page"
        command = [program, "-f", "1", "-l", "1", "-singlefile", "-png"]
        command += ["-scale-to", str(side), str(source.absolute()), str(target)]
        try:
            subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT, check=True)
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"{label}: PDF preview took longer than {PDF_TIMEOUT} s") from exc
        except subprocess.CalledProcessError as exc:
            detail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
            raise RenderError(f"{label}: PDF cannot be rendered ({detail[0]})") from exc
        page = target.with_suffix(".png")
        if not page.exists():
            raise RenderError(f"{label}: PDF renderer wrote no page")
        return render(
            page,
            "image/png",
            preset,
            out,
            focal=focal,
            copyright=rights,
            max_pixels=max_pixels,
            name=label,
        )


# --- placeholders and icons ------------------------------------------------------------


def placeholder(preset: Preset, out: BinaryIO, label: str = "") -> Rendered:
    """A neutral grey image of the preset's box with a picture mark (while a rendition waits)."""
    return _drawn(preset, out, "image", label)


def icon(preset: Preset, out: BinaryIO, kind: str, label: str = "") -> Rendered:
    """A generic ``document``, ``video``, ``audio`` or ``image`` icon of the preset's box."""
    if kind not in ICON_KINDS:
        raise ValueError(f"unknown icon kind {kind!r} (known: {', '.join(ICON_KINDS)})")
    return _drawn(preset, out, kind, label)


def _drawn(preset: Preset, out: BinaryIO, kind: str, label: str) -> Rendered:
    canvas = Image.new("RGB", (preset.width, preset.height), PLACEHOLDER_GREY)
    draw = ImageDraw.Draw(canvas)
    unit = min(preset.width, preset.height) / 10
    centre = (preset.width / 2, preset.height / 2 - (unit / 2 if label else 0))
    _MARKS[kind](draw, centre, unit)
    if label and unit >= 8:
        _label(draw, label, (centre[0], centre[1] + 2.6 * unit), unit)
    _save(canvas, preset, out, None)
    return Rendered(preset.content_type, preset.width, preset.height)


def _label(draw: ImageDraw.ImageDraw, text: str, anchor_at, unit: float) -> None:
    font = ImageFont.load_default(size=max(10, round(unit * 0.8)))
    text = text if len(text) <= 40 else text[:39] + "…"
    # Pillow's bitmap fallback font (no FreeType) is Latin-1 only: then no label.
    with contextlib.suppress(UnicodeEncodeError):
        draw.text(anchor_at, text, fill=MARK_GREY, font=font, anchor="mt")


def _frame(draw, centre, unit, width_units: float, height_units: float):
    x, y = centre
    box = (x - width_units * unit, y - height_units * unit)
    box += (x + width_units * unit, y + height_units * unit)
    draw.rounded_rectangle(box, radius=unit / 3, outline=MARK_GREY, width=max(1, round(unit / 4)))
    return box


def _image_mark(draw, centre, unit) -> None:
    left, top, right, bottom = _frame(draw, centre, unit, 2.2, 1.7)
    draw.polygon(
        [
            (left + unit * 0.4, bottom - unit * 0.4),
            (left + unit * 1.6, top + unit * 1.2),
            (left + unit * 2.6, bottom - unit * 0.4),
        ],
        fill=MARK_GREY,
    )
    draw.ellipse(
        (right - unit * 1.4, top + unit * 0.5, right - unit * 0.6, top + unit * 1.3), fill=MARK_GREY
    )


def _document_mark(draw, centre, unit) -> None:
    left, top, right, bottom = _frame(draw, centre, unit, 1.5, 2.0)
    for row in range(4):
        y = top + unit * (1.0 + 0.8 * row)
        draw.line(
            (left + unit * 0.5, y, right - unit * 0.5, y),
            fill=MARK_GREY,
            width=max(1, round(unit / 5)),
        )


def _video_mark(draw, centre, unit) -> None:
    _frame(draw, centre, unit, 2.2, 1.6)
    x, y = centre
    draw.polygon(
        [(x - unit * 0.6, y - unit * 0.8), (x - unit * 0.6, y + unit * 0.8), (x + unit * 0.8, y)],
        fill=MARK_GREY,
    )


def _audio_mark(draw, centre, unit) -> None:
    x, y = centre
    draw.ellipse((x - unit * 1.2, y + unit * 0.6, x - unit * 0.2, y + unit * 1.4), fill=MARK_GREY)
    draw.line(
        (x - unit * 0.25, y + unit, x - unit * 0.25, y - unit * 1.6),
        fill=MARK_GREY,
        width=max(1, round(unit / 4)),
    )
    draw.line(
        (x - unit * 0.25, y - unit * 1.6, x + unit * 0.9, y - unit * 1.1),
        fill=MARK_GREY,
        width=max(1, round(unit / 4)),
    )


_MARKS = {
    "image": _image_mark,
    "document": _document_mark,
    "video": _video_mark,
    "audio": _audio_mark,
}
