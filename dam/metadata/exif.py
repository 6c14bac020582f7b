"""EXIF fields (through Pillow), and the JPEG and TIFF walkers the IPTC and XMP readers share.

EXIF is a TIFF directory, usually inside a JPEG APP1 segment; IPTC and XMP live in sibling
JPEG segments or TIFF tags, so the bounded walkers over both containers live here too.
Nothing here raises on malformed data: problems are appended to the caller's list.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from PIL.TiffImagePlugin import IFDRational

#: JPEG markers of the segments holding EXIF and XMP (APP1) and Photoshop/IPTC (APP13).
APP1, APP13 = 0xE1, 0xED
#: Most bytes of metadata segments or tags read from one file.
MAX_METADATA_BYTES = 4 << 20
_MAX_JPEG_SEGMENTS = 1024
_MAX_FILL_BYTES = 64

_EXIF_IFD = 0x8769
_IFD0_TEXT = {
    0x010E: "description",
    0x010F: "make",
    0x0110: "model",
    0x0131: "software",
    0x013B: "artist",
    0x8298: "copyright",
}
_EXIF_TEXT = {0xA433: "lens_make", 0xA434: "lens"}
_EXIF_NUMBERS = {0x829A: "exposure_time", 0x829D: "f_number", 0x920A: "focal_length"}
_ORIENTATION, _MODIFIED = 0x0112, 0x0132
_ISO, _DATETIME_ORIGINAL, _OFFSET_ORIGINAL = 0x8827, 0x9003, 0x9011
_OFFSET = re.compile(r"[+-]\d\d:\d\d")


def read_exif(path: Path) -> tuple[dict[str, Any], list[str]]:
    """EXIF fields of an image: text stripped of NULs, dates as ISO strings, numbers as floats.

    A PNG eXIf chunk placed after the image data is not read (Pillow would decode every
    pixel to reach it).

    Keys (each only when present): make, model, orientation, software, artist, copyright,
    description, datetime, datetime_original, lens_make, lens, exposure_time, f_number,
    focal_length, iso.
    """
    problems: list[str] = []
    try:
        # Pillow's notices about corrupt EXIF are warnings: recorded, they become problems.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Headers only, no pixel is decoded (Pillow still refuses extreme bombs at open).
            with Image.open(path) as image:
                if image.format == "PNG" and "exif" not in image.info:
                    return {}, []  # a late eXIf chunk is not worth decoding every pixel for
                exif = image.getexif()
                ifd0, exif_ifd = dict(exif), dict(exif.get_ifd(_EXIF_IFD))
    except (UnidentifiedImageError, Image.DecompressionBombError):
        return {}, ["EXIF not read: the image could not be opened"]
    except Exception as exc:  # noqa: BLE001 - Pillow's EXIF parser fails in many ways on junk
        return {}, [f"EXIF unreadable: {exc}"]
    notices = (
        str(warning.message).strip() for warning in caught if warning.category is UserWarning
    )
    problems += [f"EXIF: {notice}" for notice in dict.fromkeys(notices)]
    return _fields(ifd0, exif_ifd, problems), problems


def _fields(ifd0: dict, exif_ifd: dict, problems: list[str]) -> dict[str, Any]:
    """Named, JSON-friendly fields from the two directories."""
    fields: dict[str, Any] = {}
    for tags, source in ((_IFD0_TEXT, ifd0), (_EXIF_TEXT, exif_ifd)):
        for tag, key in tags.items():
            if text := _text(source.get(tag)):
                fields[key] = text
    for tag, key in _EXIF_NUMBERS.items():
        if (number := _number(exif_ifd.get(tag))) is not None:
            fields[key] = number
    iso = exif_ifd.get(_ISO)
    iso = iso[0] if isinstance(iso, tuple) and iso else iso
    if isinstance(iso, int) and iso > 0:
        fields["iso"] = iso
    orientation = ifd0.get(_ORIENTATION)
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        fields["orientation"] = orientation
    elif orientation is not None:
        problems.append(f"EXIF orientation {orientation!r} is not valid; ignored")
    if modified := _date(ifd0.get(_MODIFIED), None, "DateTime", problems):
        fields["datetime"] = modified
    offset = _text(exif_ifd.get(_OFFSET_ORIGINAL))
    original = _date(exif_ifd.get(_DATETIME_ORIGINAL), offset, "DateTimeOriginal", problems)
    if original:
        fields["datetime_original"] = original
    return fields


def _text(value: object) -> str | None:
    """A text tag as clean text: NUL-separated parts (e.g. "author\\0editor") joined by "; "."""
    if isinstance(value, bytes):
        try:
            value = value.decode()
        except UnicodeDecodeError:
            value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    parts = [part.strip() for part in value.split("\x00")]
    return "; ".join(part for part in parts if part) or None


def _number(value: object) -> float | None:
    """A rational or integer tag as a float; ``None`` for x/0 and other junk."""
    if isinstance(value, tuple) and value:
        value = value[0]
    if isinstance(value, IFDRational) and value.denominator == 0:
        return None
    if isinstance(value, int | float | IFDRational):
        return round(float(value), 6)
    return None


def _date(value: object, offset: str | None, tag: str, problems: list[str]) -> str | None:
    """An EXIF "YYYY:MM:DD HH:MM:SS" as ISO 8601, with its UTC offset when one is recorded."""
    text = _text(value)
    if not text or text.strip("0: ") == "":
        return None  # absent, or the all-zero placeholder some cameras write
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        problems.append(f"EXIF {tag} {text!r} is not a date; ignored")
        return None
    suffix = offset if offset and _OFFSET.fullmatch(offset) else ""
    return moment.isoformat() + suffix


# --- containers shared with the IPTC and XMP readers -----------------------------------


def jpeg_segments(path: Path, marker: int, prefix: bytes, problems: list[str]) -> list[bytes]:
    """Payloads (``prefix`` removed) of the JPEG segments ``marker`` that start with ``prefix``.

    Walks marker headers up to the start of scan, seeking past other segments; reads at
    most :data:`MAX_METADATA_BYTES` in all.
    """
    found: list[bytes] = []
    total = 0
    with Path(path).open("rb") as file:
        if file.read(2) != b"\xff\xd8":
            return found
        for _ in range(_MAX_JPEG_SEGMENTS):
            current = _next_marker(file)
            if current is None:
                problems.append("JPEG: malformed or truncated headers; later metadata ignored")
                return found
            if current in (0xDA, 0xD9):  # start of scan, end of image: metadata is before
                return found
            if current == 0x01 or 0xD0 <= current <= 0xD8:  # markers without a length
                continue
            length = int.from_bytes(file.read(2), "big") - 2
            if length < 0:
                problems.append("JPEG: malformed segment length; later metadata ignored")
                return found
            wanted = current == marker and length >= len(prefix)
            head = file.read(len(prefix)) if wanted else b""
            if head != prefix or not wanted:
                file.seek(length - len(head), 1)
                continue
            if total + length > MAX_METADATA_BYTES:
                problems.append("JPEG: metadata segments too large; the rest ignored")
                return found
            payload = file.read(length - len(prefix))
            total += length
            found.append(payload)
    problems.append("JPEG: too many segments; later metadata ignored")
    return found


def _next_marker(file: Any) -> int | None:
    """The next marker code (after optional 0xFF fill bytes), or ``None`` if there is none."""
    if file.read(1) != b"\xff":
        return None
    for _ in range(_MAX_FILL_BYTES):
        byte = file.read(1)
        if byte != b"\xff":
            return byte[0] if byte not in (b"", b"\x00") else None
    return None


_TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 7: 1, 9: 4}  # BYTE ASCII SHORT LONG UNDEFINED SLONG


def tiff_tags(path: Path, tags: Collection[int], problems: list[str]) -> dict[int, bytes]:
    """Raw bytes of the first directory's ``tags`` in a classic TIFF (XMP 700, IPTC 33723…)."""
    with Path(path).open("rb") as file:
        header = file.read(8)
        order = {b"II*\x00": "little", b"MM\x00*": "big"}.get(header[:4])
        if order is None:  # BigTIFF or not a TIFF: nothing read
            return {}
        file.seek(int.from_bytes(header[4:8], order))
        count = int.from_bytes(file.read(2), order)
        entries = file.read(12 * min(count, 4096))
        found: dict[int, bytes] = {}
        for at in range(0, len(entries) - 11, 12):
            entry = entries[at : at + 12]
            tag = int.from_bytes(entry[:2], order)
            if tag in tags and (value := _tiff_value(file, entry, order, problems)) is not None:
                found[tag] = value
    return found


def _tiff_value(file: Any, entry: bytes, order: Any, problems: list[str]) -> bytes | None:
    """The bytes of one directory entry, inline or at its offset; ``None`` if too large."""
    size = _TIFF_TYPE_SIZES.get(int.from_bytes(entry[2:4], order), 1)
    length = size * int.from_bytes(entry[4:8], order)
    if length <= 4:
        return entry[8 : 8 + length]
    if length > MAX_METADATA_BYTES:
        problems.append(f"TIFF: metadata tag of {length:,} bytes ignored")
        return None
    file.seek(int.from_bytes(entry[8:12], order))
    return file.read(length)
