"""Rendering renditions: sizes, crops, orientation, colour, transparency, metadata, bombs."""

from __future__ import annotations

import io
import struct
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from PIL import (
    Image,
    ImageChops,
    ImageCms,
    ImageOps,
    ImageStat,
    JpegImagePlugin,
    features,
)

from dam import render as render_module
from dam.imaging import ImageRefused
from dam.presets import DEFAULT_PRESETS, Preset
from dam.render import (
    NO_POSTER,
    PDF_UNAVAILABLE,
    RenderError,
    icon,
    layout,
    placeholder,
    render,
    source_kind,
)

RED, BLUE, GREEN, YELLOW = (255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 0)
RIGHTS = {
    "creator": "Zoë Martin",
    "copyright_notice": "© 2026 Vitrine SA",
    "credit_line": "Photo: Studio <Nord>",
    "usage_terms": "Web and print catalogues only",
}


def png(width: int, height: int, mode: str = "fit", **settings) -> Preset:
    return Preset("test", width, height, mode=mode, format="PNG", **settings)


def save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def run(source: Path, preset: Preset, source_type: str = "image/jpeg", **kwargs):
    """Render into memory; the Rendered and the output reopened with Pillow."""
    out = io.BytesIO()
    rendered = render(source, source_type, preset, out, **kwargs)
    out.seek(0)
    output = Image.open(out)
    output.load()
    return rendered, output


def split(size=(400, 200), left=RED, right=BLUE) -> Image.Image:
    """Left half one colour, right half another."""
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def photo(size: tuple[int, int]) -> Image.Image:
    """Gradients and noise: detail for the decoder and the resampler to get wrong."""
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    radial = Image.radial_gradient("L").resize(size)
    return Image.merge("RGB", (gradient, radial, noise))


def near(colour, expected, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=False))


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


# --- sizes and crops -------------------------------------------------------------------


def test_fit_keeps_the_aspect_ratio_inside_the_box(tmp_path):
    source = save(split((4000, 2000)), tmp_path / "wide.jpg", quality=90)
    rendered, output = run(source, Preset("t", 300, 300))
    assert (rendered.width, rendered.height) == output.size == (300, 150)
    assert (rendered.content_type, output.format, rendered.note) == ("image/jpeg", "JPEG", None)


def test_fit_never_enlarges(tmp_path):
    source = save(split((120, 80)), tmp_path / "small.png")
    rendered, output = run(source, png(300, 300), "image/png")
    assert output.size == (120, 80) == (rendered.width, rendered.height)
    assert mean_difference(output, split((120, 80))) < 0.5


@pytest.mark.parametrize("size", [(4000, 2000), (500, 1500), (30, 20)])
def test_fill_and_pad_give_exactly_the_box(tmp_path, size):
    source = save(split(size), tmp_path / "source.png")
    for mode in ("fill", "pad"):
        rendered, output = run(source, png(64, 48, mode), "image/png")
        assert output.size == (64, 48) == (rendered.width, rendered.height)


def test_pad_centres_on_the_background(tmp_path):
    source = save(Image.new("RGB", (400, 200), RED), tmp_path / "red.png")
    _, output = run(source, png(100, 100, "pad", background="#00ff00"), "image/png")
    assert output.getpixel((50, 10)) == GREEN  # band above
    assert output.getpixel((50, 50)) == RED
    assert output.getpixel((50, 90)) == GREEN  # band below


@pytest.mark.parametrize(
    ("focal", "expected"),
    [((0.1, 0.5), RED), ((0.0, 0.0), RED), ((0.9, 0.5), BLUE), ((1.0, 1.0), BLUE)],
)
def test_fill_crops_around_the_focal_point(tmp_path, focal, expected):
    source = save(split((400, 200)), tmp_path / "split.png")
    _, output = run(source, png(100, 100, "fill"), "image/png", focal=focal)
    # Only the chosen half (LANCZOS may borrow a faint fringe from just outside the crop).
    assert all(near(colour, expected, 16) for _, colour in output.getcolors())


def test_fill_crops_the_centre_by_default(tmp_path):
    source = save(split((400, 200)), tmp_path / "split.png")
    _, output = run(source, png(100, 100, "fill"), "image/png")
    assert output.getpixel((10, 50)) == RED
    assert output.getpixel((90, 50)) == BLUE


def test_fill_enlarges_a_small_image_to_the_box(tmp_path):
    source = save(split((40, 20)), tmp_path / "tiny.png")
    _, output = run(source, png(64, 64, "fill"), "image/png", focal=(0.0, 0.5))
    assert output.size == (64, 64)
    assert output.getpixel((5, 32)) == RED


def test_layout():
    whole = (0.0, 0.0, 1.0, 1.0)
    assert layout((400, 200), (100, 100), "fit", (0.5, 0.5)) == ((100, 50), whole)
    assert layout((400, 200), (100, 100), "pad", (0.5, 0.5)) == ((100, 50), whole)
    assert layout((50, 10), (100, 100), "fit", (0.5, 0.5)) == ((50, 10), whole)
    assert layout((400, 200), (100, 100), "fill", (0.5, 0.5)) == ((100, 100), (0.25, 0, 0.75, 1))
    assert layout((400, 200), (100, 100), "fill", (0.0, 0.5)) == ((100, 100), (0, 0, 0.5, 1))
    assert layout((400, 200), (100, 100), "fill", (0.9, 0.9)) == ((100, 100), (0.5, 0, 1, 1))
    assert layout((10_000, 1), (300, 300), "fit", (0.5, 0.5))[0] == (300, 1)


# --- JPEG decoding at reduced scale ----------------------------------------------------


def test_jpeg_is_decoded_at_reduced_scale_with_enough_pixels(tmp_path, monkeypatch):
    source = save(photo((4000, 2000)), tmp_path / "big.jpg", quality=90)
    decoded = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = original(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    _, output = run(source, png(300, 300))
    # 300×150 wanted, so ≥ 600×300 decoded: the 1/4 scale (1/8 would give 500×250).
    assert decoded == [(1000, 500)]
    assert output.size == (300, 150)


def test_reduced_scale_decoding_keeps_the_quality(tmp_path):
    source = save(photo((4000, 2000)), tmp_path / "big.jpg", quality=95)
    _, output = run(source, png(300, 300))
    with Image.open(source) as full:
        reference = full.resize((300, 150), Image.Resampling.LANCZOS)
    assert mean_difference(output, reference) < 1.5


# --- orientation -----------------------------------------------------------------------


def exif_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def test_exif_orientation_is_applied(tmp_path):
    source = save(split((200, 100)), tmp_path / "turned.jpg", exif=exif_orientation(6))
    rendered, output = run(source, Preset("t", 300, 300))
    assert output.size == (100, 200) == (rendered.width, rendered.height)
    # Orientation 6 means "rotate 90° clockwise to view": the left (red) half goes on top.
    assert near(output.getpixel((50, 20)), RED, 40)
    assert near(output.getpixel((50, 180)), BLUE, 40)


def quadrants(size=(400, 200)) -> Image.Image:
    image = Image.new("RGB", size, RED)
    w, h = size
    image.paste(BLUE, (w // 2, 0, w, h // 2))
    image.paste(GREEN, (0, h // 2, w // 2, h))
    image.paste(YELLOW, (w // 2, h // 2, w, h))
    image.paste((255, 255, 255), (w // 8, h // 8, w // 4, h // 4))  # breaks any symmetry
    return image


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("focal", [(0.2, 0.3), (0.8, 0.9)])
def test_focal_point_refers_to_the_upright_image(tmp_path, orientation, focal):
    stored = save(quadrants(), tmp_path / "stored.png", exif=exif_orientation(orientation))
    with Image.open(stored) as image:
        upright = save(ImageOps.exif_transpose(image), tmp_path / "upright.png")
    preset = png(60, 100, "fill")
    _, output = run(stored, preset, "image/png", focal=focal)
    _, expected = run(upright, preset, "image/png", focal=focal)
    assert output.size == (60, 100)
    assert mean_difference(output, expected) < 1


# --- colour modes ----------------------------------------------------------------------


def test_cmyk_jpeg_becomes_red_not_cyan(tmp_path):
    source = save(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), tmp_path / "cmyk.jpg")
    with Image.open(source) as check:
        assert check.mode == "CMYK" and "adobe" in check.info  # Adobe (inverted) CMYK
    _, output = run(source, Preset("t", 32, 32))
    red, green, blue = output.convert("RGB").getpixel((16, 16))
    assert red > 220 and green < 40 and blue < 40


def test_embedded_icc_profile_is_applied(tmp_path, monkeypatch):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = save(Image.new("RGB", (64, 64), (200, 120, 40)), tmp_path / "srgb.png")
    source = save(Image.open(source), tmp_path / "tagged.png", icc_profile=srgb)
    calls = []
    original = ImageCms.applyTransform
    monkeypatch.setattr(ImageCms, "applyTransform", lambda *a: calls.append(1) or original(*a))
    _, output = run(source, png(32, 32), "image/png")
    assert calls and near(output.getpixel((16, 16)), (200, 120, 40), 3)
    assert "icc_profile" not in output.info


def test_broken_icc_profile_falls_back_to_plain_conversion(tmp_path):
    source = save(Image.new("RGB", (64, 64), (200, 120, 40)), tmp_path / "bad.png")
    source = save(Image.open(source), tmp_path / "badicc.png", icc_profile=b"not a profile")
    _, output = run(source, png(32, 32), "image/png")
    assert output.getpixel((16, 16)) == (200, 120, 40)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_grey_is_scaled_not_clipped(tmp_path, fmt):
    image = Image.new("I;16", (64, 64), 32896)  # mid grey in 16 bits
    image.paste(65535, (0, 0, 32, 64))
    source = save(image, tmp_path / f"grey16.{fmt.lower()}", format=fmt)
    with Image.open(source) as check:
        assert check.mode.startswith("I")
    _, output = run(source, png(64, 64), f"image/{fmt.lower()}")
    assert near(output.getpixel((48, 32)), (128, 128, 128), 2)
    assert output.getpixel((8, 32)) == (255, 255, 255)


def test_dark_16_bit_grey_stays_dark(tmp_path):
    source = save(Image.new("I;16", (32, 32), 200), tmp_path / "dark16.png")
    _, output = run(source, png(32, 32), "image/png")
    assert output.getpixel((16, 16)) == (1, 1, 1)  # 200 / 257, not 200


def test_one_bit_and_palette_images_are_converted(tmp_path):
    bilevel = save(split().convert("1"), tmp_path / "bilevel.png")
    palette = save(split().convert("P"), tmp_path / "palette.png")
    for source in (bilevel, palette):
        _, output = run(source, Preset("t", 100, 100), "image/png")
        assert output.mode == "RGB" and output.size == (100, 50)


# --- transparency ----------------------------------------------------------------------


def transparent(size=(64, 64)) -> Image.Image:
    image = Image.new("RGBA", size, (0, 0, 0, 0))  # transparent *black*
    image.paste((255, 0, 0, 255), (0, 0, size[0] // 2, size[1]))
    return image


def test_transparency_flattened_on_white_for_jpeg(tmp_path):
    source = save(transparent(), tmp_path / "cutout.png")
    _, output = run(source, Preset("t", 64, 64), "image/png")
    assert output.mode == "RGB"
    assert near(output.getpixel((48, 32)), (255, 255, 255), 4)
    assert near(output.getpixel((8, 32)), RED, 12)


def test_transparency_flattened_on_the_preset_background(tmp_path):
    source = save(transparent(), tmp_path / "cutout.png")
    _, output = run(source, Preset("t", 64, 64, background="#0000ff", format="TIFF"))
    assert output.getpixel((48, 32)) == BLUE


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_transparency_kept_by_formats_with_alpha(tmp_path, fmt):
    source = save(transparent(), tmp_path / "cutout.png")
    _, output = run(source, Preset("t", 64, 64, format=fmt), "image/png")
    assert output.mode == "RGBA"
    assert output.getpixel((48, 32))[3] == 0
    assert output.getpixel((8, 32))[3] == 255


def test_palette_and_grey_transparency(tmp_path):
    gif = save(transparent().convert("P"), tmp_path / "cutout.gif", transparency=0)
    grey = Image.new("LA", (64, 64), (0, 0))
    grey.paste((90, 255), (0, 0, 32, 64))
    la = save(grey, tmp_path / "grey.png")
    for source in (gif, la):
        _, output = run(source, Preset("t", 64, 64), "image/png")
        assert near(output.getpixel((48, 32)), (255, 255, 255), 4), source.name


def test_opaque_alpha_channel_is_dropped(tmp_path):
    source = save(Image.new("RGBA", (32, 32), (10, 20, 30, 255)), tmp_path / "opaque.png")
    _, output = run(source, png(32, 32), "image/png")
    assert output.mode == "RGB"


# --- animations ------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "options"), [("gif", {}), ("webp", {}), ("png", {})])
def test_animations_give_their_first_frame(tmp_path, suffix, options):
    frames = [Image.new("RGB", (64, 64), colour) for colour in (RED, BLUE, GREEN)]
    source = tmp_path / f"anim.{suffix}"
    frames[0].save(source, save_all=True, append_images=frames[1:], duration=100, **options)
    with Image.open(source) as check:
        assert check.n_frames == 3
    _, output = run(source, png(32, 32), f"image/{suffix}")
    assert near(output.getpixel((16, 16)), RED, 8)


# --- formats and output ----------------------------------------------------------------


FORMATS = ["JPEG", "PNG", "WEBP", "TIFF"] + (["AVIF"] if features.check("avif") else [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips(tmp_path, fmt):
    source = save(photo((800, 600)), tmp_path / "photo.jpg", quality=90)
    preset = Preset("t", 200, 200, format=fmt)
    rendered, output = run(source, preset)
    assert output.format == fmt
    assert Image.MIME[fmt] == rendered.content_type == preset.content_type
    assert output.size == (200, 150)


def test_jpeg_output_is_progressive_and_quality_matters(tmp_path):
    source = save(photo((800, 600)), tmp_path / "photo.jpg", quality=95)
    sizes = []
    for quality in (40, 90):
        out = io.BytesIO()
        render(source, "image/jpeg", Preset("t", 400, 400, quality=quality), out)
        out.seek(0)
        with Image.open(out) as output:
            assert output.info.get("progressive")
        sizes.append(len(out.getvalue()))
    assert sizes[0] < sizes[1]


def test_dpi_is_written(tmp_path):
    source = save(photo((300, 200)), tmp_path / "photo.png")
    for fmt in ("JPEG", "PNG", "TIFF"):
        _, output = run(source, Preset("t", 100, 100, format=fmt, dpi=300), "image/png")
        assert tuple(round(v) for v in output.info["dpi"]) == (300, 300), fmt


def test_print_preset_writes_cmyk_with_black_on_k(tmp_path):
    image = Image.new("RGB", (300, 100), (0, 0, 0))
    image.paste((200, 120, 40), (100, 0, 200, 100))
    image.paste((255, 255, 255), (200, 0, 300, 100))
    source = save(image, tmp_path / "print.png")
    for fmt in ("JPEG", "TIFF"):
        preset = Preset("print", 300, 300, format=fmt, colour="cmyk", quality=95)
        _, output = run(source, preset, "image/png")
        assert output.mode == "CMYK"
        assert near(output.getpixel((50, 50)), (0, 0, 0, 255), 4), fmt
        assert near(output.convert("RGB").getpixel((150, 50)), (200, 120, 40), 6), fmt
        assert near(output.getpixel((250, 50)), (0, 0, 0, 0), 4), fmt


# --- metadata --------------------------------------------------------------------------


def camera_jpeg(path: Path) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R5"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS position
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-xmp</x:xmpmeta>'
    return save(
        photo((600, 400)), path, quality=90, exif=exif.tobytes(), icc_profile=srgb,
        xmp=xmp, comment=b"secret-comment",
    )  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_metadata_stripped_by_default(tmp_path, fmt):
    source = camera_jpeg(tmp_path / "camera.jpg")
    out = io.BytesIO()
    render(source, "image/jpeg", Preset("t", 200, 200, format=fmt), out, copyright=RIGHTS)
    data = out.getvalue()
    # "Martin" for the creator Zoë Martin: two bytes such as b"Zo" turn up in compressed noise
    for secret in (b"Canon", b"EOS R5", b"secret-xmp", b"secret-comment", b"Martin", b"Vitrine"):
        assert secret not in data
    with Image.open(io.BytesIO(data)) as output:
        assert not set(output.info) & {"exif", "icc_profile", "xmp", "comment"}
        assert 0x8825 not in output.getexif()


@pytest.mark.parametrize("fmt", FORMATS)
def test_copyright_metadata_keeps_only_the_rights(tmp_path, fmt):
    source = camera_jpeg(tmp_path / "camera.jpg")
    preset = Preset("t", 200, 200, format=fmt, metadata="copyright")
    out = io.BytesIO()
    render(source, "image/jpeg", preset, out, copyright={**RIGHTS, "internal_note": "no"})
    data = out.getvalue()
    assert b"Canon" not in data and b"secret" not in data and b"internal_note" not in data
    with Image.open(io.BytesIO(data)) as output:
        exif = output.getexif()
        # No camera make/model, GPS or Exif sub-IFD; a TIFF also has its own structure tags.
        assert not {0x010F, 0x0110, 0x8825, 0x8769} & set(exif)
        if fmt != "TIFF":
            assert set(exif) == {0x013B, 0x8298}
        assert "2026 Vitrine SA" in exif[0x8298]
        assert exif[0x013B].startswith("Zo")
        xmp = output.info.get("xmp")
    assert xmp, "an XMP packet with the rights"
    assert xmp_values(xmp) == {
        "creator": "Zoë Martin",
        "rights": "© 2026 Vitrine SA",
        "credit": "Photo: Studio <Nord>",
        "terms": "Web and print catalogues only",
    }


def test_exif_rights_keep_accents_in_utf8(tmp_path):
    source = save(photo((100, 100)), tmp_path / "photo.png")
    out = io.BytesIO()
    render(source, "image/png", Preset("t", 50, 50, metadata="copyright"), out, copyright=RIGHTS)
    assert "Zoë Martin".encode() in out.getvalue()


def xmp_values(packet) -> dict:
    packet = packet if isinstance(packet, bytes) else packet.encode()
    root = ET.fromstring(packet)  # noqa: S314 (our own packet)
    ns = {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "dc": "http://purl.org/dc/elements/1.1/",
        "photoshop": "http://ns.adobe.com/photoshop/1.0/",
        "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    }
    return {
        "creator": root.find(".//dc:creator//rdf:li", ns).text,
        "rights": root.find(".//dc:rights//rdf:li", ns).text,
        "credit": root.find(".//photoshop:Credit", ns).text,
        "terms": root.find(".//xmpRights:UsageTerms//rdf:li", ns).text,
    }


def test_copyright_preset_without_rights_writes_nothing(tmp_path):
    source = camera_jpeg(tmp_path / "camera.jpg")
    _, output = run(source, DEFAULT_PRESETS["print"], copyright={"creator": " "})
    assert "exif" not in output.info and "xmp" not in output.info


# --- damaged files and bombs -----------------------------------------------------------


def test_truncated_jpeg_is_a_render_error(tmp_path):
    whole = save(photo((800, 600)), tmp_path / "whole.jpg", quality=90)
    source = tmp_path / "cut.jpg"
    source.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(RenderError, match=r"^IMG_0001\.JPG: damaged or truncated image"):
        run(source, Preset("t", 200, 200), name="IMG_0001.JPG")


def test_not_an_image_is_refused(tmp_path):
    source = tmp_path / "notes.jpg"
    source.write_bytes(b"these are not pixels" * 10)
    with pytest.raises(ImageRefused, match="notes.jpg: not an image"):
        run(source, Preset("t", 200, 200))


def png_bomb(path: Path, side: int = 30_000) -> Path:
    """A valid 1-bit PNG of side × side black pixels, compressed by hand (~100 KB)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = bytes(1 + (side + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data))
    with path.open("ab") as handle:
        handle.write(chunk(b"IEND", b""))
    return path


def test_decompression_bomb_is_refused_fast(tmp_path):
    source = png_bomb(tmp_path / "bomb.png")
    assert source.stat().st_size < 1_000_000
    started = time.perf_counter()
    with pytest.raises(ImageRefused, match="bomb.png"):
        run(source, DEFAULT_PRESETS["thumb"], "image/png")
    assert time.perf_counter() - started < 1.0


def test_pixel_limit_is_the_callers(tmp_path):
    source = save(Image.new("RGB", (2000, 1000)), tmp_path / "large.png")
    with pytest.raises(ImageRefused, match="more than the limit of 1"):
        run(source, png(100, 100), "image/png", max_pixels=1_000_000, name="large.png")


# --- PDFs, videos, other documents -----------------------------------------------------


def test_pdf_without_renderer_gets_an_icon(tmp_path, monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    source = tmp_path / "sheet.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    rendered, output = run(source, DEFAULT_PRESETS["thumb"], "application/pdf")
    assert rendered.note == PDF_UNAVAILABLE
    assert output.size == (300, 300) and output.format == "WEBP"


def fake_pdftoppm(tmp_path: Path, body: str) -> Path:
    """An executable standing in for poppler's pdftoppm (the real one may not be installed)."""
    script = tmp_path / "pdftoppm"
    script.write_text(f"#!{sys.executable}\nimport sys, time\nfrom PIL import Image\n{body}\n")
    script.chmod(0o755)
    return script


def test_pdf_first_page_through_pdftoppm(tmp_path, monkeypatch):
    script = fake_pdftoppm(
        tmp_path,
        "open(sys.argv[-1] + '.args', 'w').write(' '.join(sys.argv[1:]))\n"
        "Image.new('RGB', (595, 842), (0, 0, 255)).save(sys.argv[-1] + '.png')\n"
        "import shutil; shutil.copy(sys.argv[-1] + '.args', sys.argv[-2] + '.args')",
    )
    monkeypatch.setattr(render_module.shutil, "which", lambda name: str(script))
    source = tmp_path / "sheet.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    rendered, output = run(source, DEFAULT_PRESETS["preview"], "application/pdf")
    assert rendered.note is None and output.size == (595, 842)
    assert near(output.getpixel((300, 400)), BLUE, 8)
    args = (tmp_path / "sheet.pdf.args").read_text().split()
    assert args[:6] == ["-f", "1", "-l", "1", "-singlefile", "-png"]
    assert args[6:8] == ["-scale-to", "1200"]


def test_pdf_renderer_failure_is_a_render_error(tmp_path, monkeypatch):
    script = fake_pdftoppm(tmp_path, "print('Syntax Error: broken xref', file=sys.stderr)\n"
                                     "sys.exit(1)")  # fmt: skip
    monkeypatch.setattr(render_module.shutil, "which", lambda name: str(script))
    source = tmp_path / "broken.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(RenderError, match=r"broken.pdf: PDF cannot be rendered \(Syntax Error"):
        run(source, DEFAULT_PRESETS["thumb"], "application/pdf")


def test_pdf_renderer_timeout_is_a_render_error(tmp_path, monkeypatch):
    script = fake_pdftoppm(tmp_path, "time.sleep(10)")
    monkeypatch.setattr(render_module.shutil, "which", lambda name: str(script))
    monkeypatch.setattr(render_module, "PDF_TIMEOUT", 0.5)
    source = tmp_path / "slow.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(RenderError, match="slow.pdf: PDF preview took longer than 0.5 s"):
        run(source, DEFAULT_PRESETS["thumb"], "application/pdf")


def test_video_without_poster_gets_an_icon(tmp_path):
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    rendered, output = run(source, DEFAULT_PRESETS["google"], "video/mp4")
    assert rendered.note == NO_POSTER == "no poster frame provided; generic video icon served"
    assert output.size == (1200, 1200)


def test_video_poster_frame_is_an_image(tmp_path):
    poster = save(split((1920, 1080)), tmp_path / "poster.jpg")
    rendered, output = run(poster, DEFAULT_PRESETS["thumb"], "image/jpeg")
    assert rendered.note is None and output.size == (300, 169)


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("image/jpeg", "image"),
        ("image/png; charset=binary", "image"),
        ("application/octet-stream", "image"),
        ("", "image"),
        ("application/pdf", "pdf"),
        ("video/quicktime", "video"),
        ("audio/mpeg", "audio"),
        ("image/svg+xml", "document"),
        ("application/zip", "document"),
    ],
)
def test_source_kind(content_type, kind):
    assert source_kind(content_type) == kind


def test_other_documents_get_an_icon_with_a_note(tmp_path):
    source = tmp_path / "specs.docx"
    source.write_bytes(b"PK\x03\x04")
    rendered, output = run(source, DEFAULT_PRESETS["swatch"], "application/msword")
    assert rendered.note == "no preview for application/msword; generic document icon served"
    assert output.size == (64, 64)


# --- placeholders and icons ------------------------------------------------------------


@pytest.mark.parametrize("name", list(DEFAULT_PRESETS))
def test_placeholder_fills_the_box_in_the_presets_format(name):
    preset = DEFAULT_PRESETS[name]
    out = io.BytesIO()
    rendered = placeholder(preset, out, label="Rendition queued")
    output = Image.open(io.BytesIO(out.getvalue()))
    assert (rendered.width, rendered.height) == output.size == (preset.width, preset.height)
    assert output.format == preset.format and rendered.content_type == preset.content_type
    assert near(output.convert("RGB").getpixel((1, 1)), render_module.PLACEHOLDER_GREY, 6)
    assert len(output.convert("L").getcolors(65536)) >= 2  # a mark, not a blank square


@pytest.mark.parametrize("kind", ["document", "video", "audio", "image"])
@pytest.mark.parametrize("size", [(1, 1), (64, 64), (300, 120)])
def test_icons_of_every_kind_and_size(kind, size):
    out = io.BytesIO()
    rendered = icon(png(*size), out, kind, label="PDF")
    assert Image.open(io.BytesIO(out.getvalue())).size == size == (rendered.width, rendered.height)


def test_unknown_icon_kind_is_refused():
    with pytest.raises(ValueError, match="unknown icon kind 'spreadsheet'"):
        icon(png(10, 10), io.BytesIO(), "spreadsheet")
