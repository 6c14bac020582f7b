"""XMP: find the packet in its container, parse it with a hardened parser, read rights fields.

Where the packet is looked for: JPEG APP1 ``http://ns.adobe.com/xap/1.0/\\0``; PNG iTXt
``XML:com.adobe.xmp`` (inflated at most :data:`MAX_PACKET_BYTES`); TIFF tag 700; WebP
``XMP `` chunk; for every other type, a scan of the first 4 MB for ``<x:xmpmeta`` …
``</x:xmpmeta>`` (GIF, PDF, video, AVIF/HEIC). Extended XMP (JPEG packets over 64 KB split
across segments) is not read.

Packets with a ``<!DOCTYPE`` or ``<!ENTITY`` are refused before parsing (no entity is ever
expanded, no DTD or network fetched). Properties are matched by namespace URI, never by
prefix, and may be attributes of ``rdf:Description`` or child elements.
"""

from __future__ import annotations

import re
import zlib
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from dam.metadata.exif import APP1, jpeg_segments, tiff_tags

#: Largest packet read (after inflating, for compressed PNG chunks).
MAX_PACKET_BYTES = 4 << 20
JPEG_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_KEYWORD = b"XML:com.adobe.xmp"
_TIFF_XMP = 700
_SCAN_BYTES = 4 << 20
_MAX_CHUNKS = 100_000

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML = "http://www.w3.org/XML/1998/namespace"
DC = "http://purl.org/dc/elements/1.1/"
PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"

REFUSED = "XMP refused: DOCTYPE/entities not allowed"
_FORBIDDEN = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def read_xmp(path: Path, content_type: str) -> tuple[dict[str, Any], list[str]]:
    """XMP fields of the file at ``path``: see :func:`parse_packet`."""
    problems: list[str] = []
    packet = find_packet(path, content_type, problems)
    if packet is None:
        return {}, problems
    fields, parse_problems = parse_packet(packet)
    return fields, problems + parse_problems


def find_packet(path: Path, content_type: str, problems: list[str]) -> bytes | None:
    """The raw XMP packet of the file, or ``None``; every read is bounded."""
    path = Path(path)
    if content_type == "image/jpeg":
        segments = jpeg_segments(path, APP1, JPEG_HEADER, problems)
        return segments[0] if segments else None
    if content_type == "image/tiff":
        return tiff_tags(path, (_TIFF_XMP,), problems).get(_TIFF_XMP)
    with path.open("rb") as file:
        if content_type == "image/png":
            return _png_packet(file, problems)
        if content_type == "image/webp":
            return _webp_packet(file, problems)
        return _scanned_packet(file)


def _png_packet(file: BinaryIO, problems: list[str]) -> bytes | None:
    """The packet of the first ``XML:com.adobe.xmp`` iTXt chunk, seeking past the others."""
    position = 8
    for _ in range(_MAX_CHUNKS):
        file.seek(position)
        header = file.read(8)
        if len(header) < 8 or header[4:] == b"IEND":
            return None
        length = int.from_bytes(header[:4], "big")
        position += 8 + length + 4  # header, data, CRC
        if header[4:] != b"iTXt" or file.read(len(PNG_KEYWORD) + 1) != PNG_KEYWORD + b"\0":
            continue
        if length > MAX_PACKET_BYTES:
            problems.append(f"XMP packet of {length:,} bytes ignored (too large)")
            return None
        return _itxt_text(file.read(length - len(PNG_KEYWORD) - 1), problems)
    return None


def _itxt_text(body: bytes, problems: list[str]) -> bytes | None:
    """The text of an iTXt chunk after its keyword, inflated if compressed (bounded)."""
    if len(body) < 2:
        return None
    compressed, rest = body[0], body[2:]
    parts = rest.split(b"\0", 2)  # language tag, translated keyword, text
    if len(parts) < 3:
        problems.append("XMP: malformed PNG iTXt chunk")
        return None
    text = parts[2]
    if not compressed:
        return text
    inflater = zlib.decompressobj()
    try:
        packet = inflater.decompress(text, MAX_PACKET_BYTES)
    except zlib.error:
        problems.append("XMP: corrupt compressed PNG iTXt chunk")
        return None
    if inflater.unconsumed_tail:
        problems.append("XMP: compressed packet expands beyond 4 MB; ignored")
        return None
    return packet


def _webp_packet(file: BinaryIO, problems: list[str]) -> bytes | None:
    """The ``XMP `` chunk of a WebP (RIFF) file."""
    file.seek(12)
    for _ in range(_MAX_CHUNKS):
        header = file.read(8)
        if len(header) < 8:
            return None
        size = int.from_bytes(header[4:], "little")
        if header[:4] == b"XMP ":
            if size > MAX_PACKET_BYTES:
                problems.append(f"XMP packet of {size:,} bytes ignored (too large)")
                return None
            return file.read(size)
        file.seek(size + size % 2, 1)
    return None


def _scanned_packet(file: BinaryIO) -> bytes | None:
    """A packet found by scanning the start of a file whose container we do not walk."""
    data = file.read(_SCAN_BYTES)
    start = data.find(b"<x:xmpmeta")
    end = data.find(b"</x:xmpmeta>", start)
    if start < 0 or end < 0:
        return None
    return data[start : end + len(b"</x:xmpmeta>")]


# --- parsing ---------------------------------------------------------------------------

_MODEL_RELEASES = {
    "MR-NON": "none",
    "MR-NAP": "not_applicable",
    "MR-UMR": "unlimited",
    "MR-LMR": "limited",
}
_PROPERTY_RELEASES = {
    "PR-NON": "none",
    "PR-NAP": "not_applicable",
    "PR-UPR": "unlimited",
    "PR-LPR": "limited",
}
_CONTAINERS = tuple(f"{{{RDF}}}{name}" for name in ("Seq", "Bag", "Alt"))
# Output key, namespace, property, and how its value is read.
_PROPERTIES = (
    ("creators", DC, "creator", "array"),
    ("rights", DC, "rights", "alternative"),
    ("title", DC, "title", "alternative"),
    ("description", DC, "description", "alternative"),
    ("keywords", DC, "subject", "array"),
    ("credit", PHOTOSHOP, "Credit", "simple"),
    ("source", PHOTOSHOP, "Source", "simple"),
    ("usage_terms", XMP_RIGHTS, "UsageTerms", "alternative"),
    ("web_statement", XMP_RIGHTS, "WebStatement", "simple"),
    ("marked", XMP_RIGHTS, "Marked", "simple"),
    ("model_release", PLUS, "ModelReleaseStatus", "simple"),
    ("property_release", PLUS, "PropertyReleaseStatus", "simple"),
    ("license_end_date", PLUS, "LicenseEndDate", "simple"),
)
# Arrays of structures: output key, property, and the field of each structure kept.
_STRUCTS = (
    ("licensors", "Licensor", "LicensorName"),
    ("copyright_owners", "CopyrightOwner", "CopyrightOwnerName"),
)


def parse_packet(packet: bytes) -> tuple[dict[str, Any], list[str]]:
    """Fields of an XMP packet (each only when present).

    creators, keywords, licensors, copyright_owners: lists; rights, title, description,
    usage_terms (``x-default`` language preferred), credit, source, web_statement: strings;
    marked: bool; model_release, property_release: "none" | "not_applicable" |
    "unlimited" | "limited"; license_end_date: ISO date string.
    """
    data = _as_utf8(packet)
    if _FORBIDDEN.search(data):
        return {}, [REFUSED]
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        return {}, [f"XMP unreadable: malformed XML ({exc})"]
    descriptions = [
        element
        for element in root.iter(f"{{{RDF}}}Description")
        if element.getparent() is None or element.getparent().tag == f"{{{RDF}}}RDF"
    ]
    problems: list[str] = []
    return _fields(descriptions, problems), problems


def _parser() -> etree.XMLParser:
    """A parser that expands no entity, loads no DTD and fetches nothing (one per call)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _as_utf8(packet: bytes) -> bytes:
    """UTF-16 packets re-encoded as UTF-8 (declaration dropped), so checks see real text."""
    for start, codec in (
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if packet.startswith(start):
            text = packet.decode(codec, errors="replace").encode()
            return _XML_DECLARATION.sub(b"", text, count=1)
    return packet


def _fields(descriptions: list[Any], problems: list[str]) -> dict[str, Any]:
    """Named values from the top-level ``rdf:Description`` elements."""
    readers = {"array": _items, "alternative": _alternative, "simple": _simple}
    fields: dict[str, Any] = {}
    for key, namespace, name, reader in _PROPERTIES:
        value = readers[reader](_find(descriptions, namespace, name))
        if value:
            fields[key] = value
    for key, name, member in _STRUCTS:
        if values := _struct_values(_find(descriptions, PLUS, name), member):
            fields[key] = values
    _convert(fields, "marked", _boolean, problems)
    _convert(fields, "model_release", _release(_MODEL_RELEASES, "ModelReleaseStatus"), problems)
    _convert(
        fields, "property_release", _release(_PROPERTY_RELEASES, "PropertyReleaseStatus"), problems
    )
    _convert(fields, "license_end_date", _end_date, problems)
    return fields


def _convert(fields: dict[str, Any], key: str, convert: Any, problems: list[str]) -> None:
    """Replace ``fields[key]`` by its converted value, dropping it if conversion fails."""
    if key not in fields:
        return
    value = convert(fields[key], problems)
    if value is None:
        del fields[key]
    else:
        fields[key] = value


def _find(descriptions: list[Any], namespace: str, name: str) -> Any:
    """A property as an attribute value (str) or an element, from the first description with it."""
    key = f"{{{namespace}}}{name}"
    for description in descriptions:
        if key in description.attrib:
            return description.attrib[key]
        element = description.find(key)
        if element is not None:
            return element
    return None


def _items(node: Any) -> list[str]:
    """Values of a property: the ``rdf:li`` of a Seq/Bag/Alt, or its single value."""
    if node is None:
        return []
    if isinstance(node, str):
        return [text] if (text := _clean(node)) else []
    container = _container(node)
    members = list(container.iterchildren(f"{{{RDF}}}li")) if container is not None else [node]
    return [text for member in members if (text := _leaf_text(member))]


def _alternative(node: Any) -> str | None:
    """A language alternative: the ``x-default`` entry, else the first."""
    container = _container(node) if node is not None and not isinstance(node, str) else None
    if container is not None:
        for member in container.iterchildren(f"{{{RDF}}}li"):
            if member.get(f"{{{XML}}}lang") == "x-default" and (text := _leaf_text(member)):
                return text
    return _simple(node)


def _simple(node: Any) -> str | None:
    items = _items(node)
    return items[0] if items else None


def _struct_values(node: Any, member_name: str) -> list[str]:
    """One field (``plus:LicensorName``…) of each structure in an array of structures."""
    if node is None or isinstance(node, str):
        return []
    key = f"{{{PLUS}}}{member_name}"
    container = _container(node)
    members = list(container.iterchildren(f"{{{RDF}}}li")) if container is not None else [node]
    values = []
    for member in members:
        for holder in (member, *member.iterchildren(f"{{{RDF}}}Description")):
            element = holder.find(key)
            value = holder.get(key) or (_leaf_text(element) if element is not None else None)
            if value and (value := _clean(value)):
                values.append(value)
                break
    return values


def _container(element: Any) -> Any:
    return next((child for child in element if child.tag in _CONTAINERS), None)


def _leaf_text(element: Any) -> str | None:
    """The value of a leaf: its ``rdf:resource`` or its text."""
    resource = element.get(f"{{{RDF}}}resource")
    return _clean(resource if resource is not None else "".join(element.itertext()))


def _clean(text: str) -> str | None:
    return text.replace("\x00", "").strip() or None


def _boolean(value: str, problems: list[str]) -> bool | None:
    """xmpRights:Marked: "True" (rights-managed) or "False" (public domain)."""
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    problems.append(f"XMP Marked {value!r} is not True or False; ignored")
    return None


def _release(mapping: dict[str, str], label: str) -> Any:
    """A converter from a PLUS release status URI (or bare code) to our value."""

    def convert(value: str, problems: list[str]) -> str | None:
        code = value.rstrip("/").rsplit("/", 1)[-1].upper()
        if code in mapping:
            return mapping[code]
        problems.append(f"XMP {label} {value!r} is not a PLUS release status; ignored")
        return None

    return convert


def _end_date(value: str, problems: list[str]) -> str | None:
    """plus:LicenseEndDate as YYYY-MM-DD (the date part of an XMP date-time)."""
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        problems.append(f"XMP LicenseEndDate {value!r} is not a full date; ignored")
        return None
