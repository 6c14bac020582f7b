"""IPTC IIM ("legacy IPTC") from JPEG Photoshop segments and TIFF tags, parsed by hand.

A JPEG carries IIM in APP13 segments starting ``Photoshop 3.0\\0``, followed by Photoshop
image resources (``8BIM``, id, padded Pascal name, size, data); resource 0x0404 is the IIM
block. A TIFF carries it in tag 33723 (or inside a Photoshop block in tag 34377).

Text is decoded with the character set declared in dataset 1:90 (``ESC % G`` = UTF-8).
Without a declaration, valid UTF-8 is taken as UTF-8 (what most current tools write
without saying so) and anything else as Windows-1252; undecodable bytes are replaced and
noted in ``problems``. Every length field is checked against the bytes actually present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dam.metadata.exif import APP13, jpeg_segments, tiff_tags

PHOTOSHOP_HEADER = b"Photoshop 3.0\x00"
IIM_RESOURCE = 0x0404
_TIFF_IPTC, _TIFF_PHOTOSHOP = 33723, 34377
_MAX_DATASETS = 5_000
_UTF8_DECLARATION = b"\x1b%G"

# Record 2 datasets kept, and their keys; the repeatable ones become lists.
_FIELDS = {
    5: "title",
    25: "keywords",
    40: "instructions",
    55: "date_created",
    80: "creators",
    85: "creator_title",
    90: "city",
    95: "state",
    101: "country",
    105: "headline",
    110: "credit",
    115: "source",
    116: "copyright_notice",
    120: "caption",
    122: "caption_writer",
}
_REPEATABLE = {25, 80}


def read_iptc(path: Path, content_type: str) -> tuple[dict[str, Any], list[str]]:
    """IIM fields of a JPEG or TIFF file (other types have none): see :func:`parse_iim`."""
    problems: list[str] = []
    if content_type == "image/jpeg":
        segments = jpeg_segments(path, APP13, PHOTOSHOP_HEADER, problems)
        iim = iim_from_photoshop(b"".join(segments), problems) if segments else None
    elif content_type == "image/tiff":
        tags = tiff_tags(path, (_TIFF_IPTC, _TIFF_PHOTOSHOP), problems)
        iim = tags.get(_TIFF_IPTC)
        if iim is None and _TIFF_PHOTOSHOP in tags:
            iim = iim_from_photoshop(tags[_TIFF_PHOTOSHOP], problems)
    else:
        iim = None
    if not iim:
        return {}, problems
    fields, parse_problems = parse_iim(iim)
    return fields, problems + parse_problems


def iim_from_photoshop(resources: bytes, problems: list[str]) -> bytes | None:
    """The IIM block (resource 0x0404) among Photoshop image resources, or ``None``."""
    position = 0
    while position + 12 <= len(resources):
        if resources[position : position + 4] != b"8BIM":
            if resources[position:].strip(b"\x00"):
                problems.append("IPTC: malformed Photoshop resources; the rest ignored")
            return None
        resource_id = int.from_bytes(resources[position + 4 : position + 6], "big")
        name_length = resources[position + 6]
        position += 6 + name_length + 1 + (name_length + 1) % 2  # Pascal name, padded to even
        size = int.from_bytes(resources[position : position + 4], "big")
        position += 4
        if position + size > len(resources):
            problems.append("IPTC: a Photoshop resource is cut short; ignored")
            return None
        if resource_id == IIM_RESOURCE:
            return resources[position : position + size]
        position += size + size % 2
    return None


def parse_iim(data: bytes) -> tuple[dict[str, Any], list[str]]:
    """Fields of an IIM block: title, keywords, creators, credit, source, copyright_notice,
    caption, headline, city, state, country, instructions, caption_writer, creator_title,
    date_created (ISO date). Lists for keywords and creators, strings otherwise.
    """
    problems: list[str] = []
    datasets = _datasets(data, problems)
    declared_utf8 = any(r == 1 and n == 90 and _UTF8_DECLARATION in v for r, n, v in datasets)
    fields: dict[str, Any] = {}
    replaced = False
    for record, number, value in datasets:
        key = _FIELDS.get(number)
        if record != 2 or key is None:
            continue
        text, lossy = _decode(value, declared_utf8)
        replaced |= lossy
        if not text:
            continue
        if number in _REPEATABLE:
            fields.setdefault(key, []).append(text)
        else:
            fields.setdefault(key, text)  # a repeated non-repeatable dataset: first wins
    if replaced:
        problems.append("IPTC: text in an undeclared or wrong character set; bytes replaced")
    if "date_created" in fields:
        fields["date_created"] = _iso_date(fields["date_created"], problems)
        if fields["date_created"] is None:
            del fields["date_created"]
    return fields, problems


def _datasets(data: bytes, problems: list[str]) -> list[tuple[int, int, bytes]]:
    """``(record, dataset, value)`` triples; stops with a problem at the first bad length."""
    datasets: list[tuple[int, int, bytes]] = []
    position = 0
    while position < len(data) and len(datasets) < _MAX_DATASETS:
        if data[position] != 0x1C:
            if data[position:].strip(b"\x00"):
                problems.append("IPTC: unexpected bytes between datasets; the rest ignored")
            break
        if position + 5 > len(data):
            problems.append("IPTC: truncated dataset header; the rest ignored")
            break
        record, number = data[position + 1], data[position + 2]
        length = int.from_bytes(data[position + 3 : position + 5], "big")
        position += 5
        if length & 0x8000:  # extended dataset: the low bits give the size of the length
            size_of_length = length & 0x7FFF
            if not 1 <= size_of_length <= 4 or position + size_of_length > len(data):
                problems.append(f"IPTC {record}:{number:02d}: invalid extended length; stopped")
                break
            length = int.from_bytes(data[position : position + size_of_length], "big")
            position += size_of_length
        if position + length > len(data):
            problems.append(
                f"IPTC {record}:{number:02d} declares {length:,} bytes but only "
                f"{len(data) - position:,} remain; ignored"
            )
            break
        datasets.append((record, number, data[position : position + length]))
        position += length
    else:
        if len(datasets) >= _MAX_DATASETS:
            problems.append(f"IPTC: more than {_MAX_DATASETS:,} datasets; the rest ignored")
    return datasets


def _decode(value: bytes, declared_utf8: bool) -> tuple[str, bool]:
    """Text of one dataset, and whether bytes had to be replaced."""
    if not declared_utf8:
        try:
            return _clean(value.decode("utf-8")), False
        except UnicodeDecodeError:
            pass
        text = value.decode("cp1252", errors="replace")
    else:
        text = value.decode("utf-8", errors="replace")
    return _clean(text), "\ufffd" in text


def _clean(text: str) -> str:
    return text.replace("\x00", "").strip()


def _iso_date(value: str, problems: list[str]) -> str | None:
    """IIM CCYYMMDD as YYYY-MM-DD (month or day may be 00: unknown, kept as year only)."""
    if len(value) != 8 or not value.isdigit():
        problems.append(f"IPTC date created {value!r} is not CCYYMMDD; ignored")
        return None
    year, month, day = value[:4], value[4:6], value[6:]
    if month == "00":
        return year
    return f"{year}-{month}" if day == "00" else f"{year}-{month}-{day}"
