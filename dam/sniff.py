"""What an upload really is, from its first bytes; which types the DAM accepts, and why not.

The type of an upload is decided by :func:`sniff` from magic bytes only: the filename and
the browser's declared type are attacker-controlled, so they are used to word messages and
never to decide. Callers read :data:`HEAD_BYTES` bytes from the start of the file.
"""

from __future__ import annotations

import re
from pathlib import PurePath

#: How many leading bytes callers read and pass to :func:`sniff`.
HEAD_BYTES = 4096

#: Accepted content types and the kind of asset each becomes.
ALLOWED_TYPES: dict[str, str] = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/tiff": "image",
    "image/bmp": "image",
    "image/avif": "image",
    "application/pdf": "document",
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/webm": "video",
}

OCTET_STREAM = "application/octet-stream"

# ISO base media (ftyp) brands: HEIF stills, AVIF, QuickTime; every other brand is MP4.
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
# Old QuickTime files start with an atom instead of ftyp.
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
# Sizes of the BMP info headers (BITMAPCOREHEADER … BITMAPV5HEADER).
_BMP_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}

# Tags after which a browser would render the text as a page (WHATWG MIME sniffing, plus some).
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frame|frameset|object|embed|style|"
    rb"title|meta|link|base|form|table|div|font|a|b|p|br|h1|img)[\s/>]"
)
# Tags that make any text dangerous to serve, wherever they appear in the first bytes.
_HTML_ANYWHERE = re.compile(rb"<(?:script|html|body|iframe|!doctype\s+html)[\s/>]")
_PROLOG_ITEM = re.compile(
    rb"\s*(?:<\?xml[^>]*\?>|<!--.*?-->|<!doctype[^>\[]*(?:\[.*?\])?\s*>)", re.S
)
_ELEMENT = re.compile(rb"<([a-z_][\w.:-]*)")

# What each refused type is called in messages.
_LABELS = {
    "text/html": "HTML",
    "application/x-php": "a PHP script",
    "text/plain": "plain text",
    "application/zip": "a ZIP archive",
    "application/xml": "XML",
    "audio/mp4": "MP4 audio",
    "video/x-matroska": "a Matroska video",
    "image/x-canon-cr3": "a Canon raw photo (CR3)",
}


def sniff(head: bytes, filename: str = "") -> str:
    """The MIME type of a file from its first bytes (``filename`` is never used to decide).

    Binary formats are recognised by their signatures; text is decoded and classified as
    SVG (an ``<svg`` root after an optional XML declaration, comments or doctype), HTML,
    PHP, other XML or plain text. Anything else is ``application/octet-stream``.
    """
    del filename  # accepted for symmetry with refusal(); deliberately ignored
    return _sniff_binary(head) or _sniff_text(head) or OCTET_STREAM


def refusal(content_type: str, filename: str) -> str | None:
    """A message for the user if ``content_type`` is not accepted, else ``None``.

    ``filename`` names the file and says what the user meant to upload (".jpg" → an image).
    """
    if content_type in ALLOWED_TYPES:
        return None
    name = filename or "upload"
    if content_type == "image/heic":
        return (
            f"{name}: HEIC images cannot be rendered by this installation; export the picture "
            "as JPEG, PNG or AVIF and upload that; refused"
        )
    if content_type == "image/svg+xml":
        return f"{name}: SVG images may contain scripts; refused"
    if content_type == "application/x-php":
        return f"{name}: the file is a PHP script, not {_expected(filename)}; refused"
    if content_type == OCTET_STREAM:
        return (
            f"{name}: unrecognised file type; Vitrine accepts JPEG, PNG, GIF, WebP, TIFF, BMP "
            "and AVIF images, PDF documents and MP4, QuickTime and WebM videos; refused"
        )
    label = _LABELS.get(content_type, content_type)
    return f"{name}: the file is {label}, not {_expected(filename)}; refused"


def _expected(filename: str) -> str:
    """What the extension says the user meant to upload, for messages only."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix in {"jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "bmp", "avif", "heic"}:
        return "an image"
    if suffix in {"mp4", "m4v", "mov", "webm"}:
        return "a video"
    if suffix == "pdf":
        return "a PDF"
    return "an image, a video or a PDF"


def _sniff_binary(head: bytes) -> str | None:
    """Types with a fixed signature, or ``None``."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    if _is_bmp(head):
        return "image/bmp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "application/zip"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    return _sniff_iso_media(head)


def _is_bmp(head: bytes) -> bool:
    """``BM`` alone is too weak (text may start with it): check the info header size too."""
    return (
        head[:2] == b"BM"
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES
    )


def _sniff_iso_media(head: bytes) -> str | None:
    """MP4, QuickTime, AVIF or HEIC from the ``ftyp`` box (major then compatible brands)."""
    size = int.from_bytes(head[:4], "big")
    # An atom under 16 MiB, or size 1 (64-bit size follows): not four letters of text.
    if head[4:8] in _QUICKTIME_ATOMS and (8 <= size < 1 << 24 or size == 1):
        return "video/quicktime"
    if head[4:8] != b"ftyp":
        return None
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(max(size, 16), len(head)) - 3, 4)}
    for brands in ({major}, compatible):
        if brands & _AVIF_BRANDS:
            return "image/avif"
        if brands & _HEIC_BRANDS:
            return "image/heic"
    if major == b"qt  ":
        return "video/quicktime"
    if major == b"crx ":  # Canon CR3 raw: an ISO box structure, but not a video
        return "image/x-canon-cr3"
    if major in _AUDIO_BRANDS:
        return "audio/mp4"
    return "video/mp4"


def _sniff_text(head: bytes) -> str | None:
    """SVG, HTML, PHP, XML or plain text; ``None`` for binary data."""
    text = _as_text(head)
    if text is None:
        return None
    lowered = text.lstrip().lower()
    if lowered.startswith(b"<?=") or b"<?php" in lowered:
        return "application/x-php"
    prolog_end = _skip_prolog(lowered)
    root = _ELEMENT.match(lowered, prolog_end)
    if root and root.group(1) == b"svg":
        return "image/svg+xml"
    if _HTML_START.match(lowered, prolog_end) or _HTML_ANYWHERE.search(lowered):
        return "text/html"
    if root or lowered.startswith(b"<?xml"):
        return "application/xml"
    return "text/plain"


def _skip_prolog(text: bytes) -> int:
    """Offset of the first element after an XML declaration, comments and a doctype."""
    position = 0
    while match := _PROLOG_ITEM.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    return len(text) - len(text[position:].lstrip())


def _as_text(head: bytes) -> bytes | None:
    """``head`` as UTF-8 bytes without BOM if it looks like text, else ``None``."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        body = head[2 : len(head) - (len(head) % 2)]
        return body.decode(codec, errors="replace").encode()
    head = head.removeprefix(b"\xef\xbb\xbf")
    if not head:
        return None
    control = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x1b")
    if b"\x00" in head or control > len(head) // 100:
        return None
    return head
