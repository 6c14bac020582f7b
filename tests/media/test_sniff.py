"""Upload types come from the bytes, never the name; refused uploads say why, naming the file."""

from __future__ import annotations

import io

import pytest
from media_samples import (
    animated_gif,
    avif_bytes,
    cmyk_jpeg,
    heic_head,
    html_page,
    jpeg_bytes,
    mp4_bytes,
    pdf_bytes,
    php_script,
    png_16bit,
    svg_with_script,
    tiff_with_metadata,
    webm_head,
    webp_with_xmp,
    xmp_packet,
)
from PIL import Image

from dam.sniff import ALLOWED_TYPES, HEAD_BYTES, refusal, sniff


def _bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "BMP")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (jpeg_bytes, "image/jpeg"),
        (cmyk_jpeg, "image/jpeg"),
        (png_16bit, "image/png"),
        (animated_gif, "image/gif"),
        (lambda: webp_with_xmp(xmp_packet(creators=["A"])), "image/webp"),
        (tiff_with_metadata, "image/tiff"),
        (_bmp, "image/bmp"),
        (avif_bytes, "image/avif"),
        (heic_head, "image/heic"),
        (pdf_bytes, "application/pdf"),
        (mp4_bytes, "video/mp4"),
        (lambda: mp4_bytes(brand=b"qt  "), "video/quicktime"),
        (webm_head, "video/webm"),
        (svg_with_script, "image/svg+xml"),
        (html_page, "text/html"),
        (php_script, "application/x-php"),
    ],
)
def test_sniff_recognises_formats_from_their_bytes(make, expected):
    assert sniff(make()[:HEAD_BYTES], "whatever.bin") == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"  \n<HTML><head><title>x</title>", "text/html"),
        (b"\t<Script>alert(1)</script>", "text/html"),
        (b"<body onload=alert(1)>", "text/html"),
        (b"<iframe src=//evil>", "text/html"),
        (b"hello <script>alert(1)</script>", "text/html"),
        ("\ufeff<!doctype html><p>".encode("utf-16"), "text/html"),
        (b"<!-- a comment -->\n<svg viewBox='0 0 1 1'/>", "image/svg+xml"),
        (b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
        (b'<?xml version="1.0"?><catalog/>', "application/xml"),
        (b"<?= `id` ?>", "application/x-php"),
        (b"GIF89a<?php echo 1; ?>", "image/gif"),  # magic wins: served as an image, harmless
        (b"PK\x03\x04\x14\x00", "application/zip"),
        (b"sku;name\nA1;Dress\n", "text/plain"),
        (b"BMW 320d, red\n", "text/plain"),  # "BM" without a BMP header is text
        (b"\x00\x01\x02\x03\x04\x05garbage", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_sniff_text_and_edge_cases(head, expected):
    assert sniff(head) == expected


def test_filename_never_decides_the_type():
    assert sniff(html_page(), "logo.jpg") == sniff(html_page(), "page.html") == "text/html"
    assert sniff(jpeg_bytes(), "notes.txt") == "image/jpeg"


def test_accepted_types_and_their_kinds():
    assert ALLOWED_TYPES["image/jpeg"] == "image"
    assert ALLOWED_TYPES["application/pdf"] == "document"
    assert ALLOWED_TYPES["video/webm"] == "video"
    assert "image/svg+xml" not in ALLOWED_TYPES
    assert refusal("image/png", "a.png") is None


@pytest.mark.parametrize(
    ("make", "filename", "message"),
    [
        (html_page, "logo.jpg", "logo.jpg: the file is HTML, not an image; refused"),
        (svg_with_script, "x.svg", "x.svg: SVG images may contain scripts; refused"),
        (svg_with_script, "logo.jpg", "logo.jpg: SVG images may contain scripts; refused"),
        (php_script, "shell.jpg", "shell.jpg: the file is a PHP script, not an image; refused"),
        (php_script, "x.php", "x.php: the file is a PHP script, not an image, a video or a PDF"),
        (heic_head, "IMG_0001.HEIC", "IMG_0001.HEIC: HEIC images cannot be rendered"),
        (lambda: b"just notes", "clip.mp4", "clip.mp4: the file is plain text, not a video"),
        (
            lambda: b"PK\x03\x04",
            "brochure.pdf",
            "brochure.pdf: the file is a ZIP archive, not a PDF",
        ),
    ],
)
def test_refused_uploads_get_a_message_naming_the_file(make, filename, message):
    content_type = sniff(make()[:HEAD_BYTES], filename)
    assert content_type not in ALLOWED_TYPES
    assert refusal(content_type, filename).startswith(message)


def test_canon_raw_is_not_mistaken_for_a_video():
    head = mp4_bytes(brand=b"crx ")
    assert sniff(head) == "image/x-canon-cr3"
    assert refusal(sniff(head), "IMG_1.CR3") == (
        "IMG_1.CR3: the file is a Canon raw photo (CR3), not an image, a video or a PDF; refused"
    )


def test_unknown_binary_is_refused_with_the_accepted_list():
    message = refusal(sniff(b"\x00\x00\x00\x00junk"), "data.bin")
    assert message.startswith("data.bin: unrecognised file type")
    assert "JPEG" in message and "PDF" in message and message.endswith("refused")
