"""Sample media generated in code for DAM tests: good files, odd files and hostile files.

Every function returns the file's bytes; :func:`write` puts them at a path. Import by bare
name from tests in ``tests/media`` (``from media_samples import jpeg_with_metadata``).
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image

APP1, APP13 = 0xE1, 0xED
XMP_JPEG_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
PLUS_VOCAB = "http://ns.useplus.org/ldf/vocab/"


def write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (parents created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _saved(image: Image.Image, format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


# --- images ----------------------------------------------------------------------------


def jpeg_bytes(
    size: tuple[int, int] = (64, 48),
    *,
    mode: str = "RGB",
    exif: Image.Exif | bytes | None = None,
    noise: bool = False,
) -> bytes:
    """A small JPEG (a flat colour, or noise so it has real entropy-coded data)."""
    image = (
        Image.effect_noise(size, 60).convert(mode)
        if noise
        else Image.new(mode, size, "#c0392b" if mode == "RGB" else 128)
    )
    return _saved(image, "JPEG", quality=85, **({"exif": exif} if exif is not None else {}))


def exif_block(
    *,
    make: str | None = None,
    model: str | None = None,
    orientation: int | None = None,
    artist: str | None = None,
    copyright: str | None = None,
    software: str | None = None,
    datetime_original: str | None = None,
    offset_original: str | None = None,
    lens: str | None = None,
    iso: int | None = None,
) -> Image.Exif:
    """EXIF with the given fields (dates as EXIF writes them: "2024:03:05 14:22:01")."""
    exif = Image.Exif()
    for tag, value in (
        (0x010F, make),
        (0x0110, model),
        (0x0112, orientation),
        (0x013B, artist),
        (0x8298, copyright),
        (0x0131, software),
    ):
        if value is not None:
            exif[tag] = value
    sub_ifd = exif.get_ifd(0x8769)
    for tag, value in ((0x9003, datetime_original), (0x9011, offset_original), (0xA434, lens)):
        if value is not None:
            sub_ifd[tag] = value
    if iso is not None:
        sub_ifd[0x8827] = iso
    return exif


def insert_jpeg_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """``jpeg`` with one APPn segment (``marker``, e.g. 0xED) inserted right after SOI."""
    assert jpeg[:2] == b"\xff\xd8" and len(payload) <= 65533
    return (
        jpeg[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]
    )


def iim_dataset(record: int, number: int, value: str | bytes, encoding: str = "utf-8") -> bytes:
    """One IIM dataset (tag marker 0x1C); values over 32767 bytes use the extended length."""
    data = value.encode(encoding) if isinstance(value, str) else value
    if len(data) <= 0x7FFF:
        return bytes([0x1C, record, number]) + struct.pack(">H", len(data)) + data
    return bytes([0x1C, record, number]) + struct.pack(">HI", 0x8004, len(data)) + data


def iim_block(
    datasets: Iterable[tuple[int, int, str | bytes]],
    *,
    encoding: str = "utf-8",
    declare_utf8: bool = True,
) -> bytes:
    """An IIM block; ``declare_utf8`` adds dataset 1:90 = ESC % G first."""
    head = iim_dataset(1, 90, b"\x1b%G") if declare_utf8 else b""
    return head + b"".join(iim_dataset(r, n, v, encoding) for r, n, v in datasets)


def photoshop_segment(iim: bytes, *, resources_before: bytes = b"") -> bytes:
    """An APP13 payload: "Photoshop 3.0\\0" then 8BIM resource 0x0404 holding ``iim``."""
    return b"Photoshop 3.0\x00" + resources_before + photoshop_resource(0x0404, iim)


def photoshop_resource(resource_id: int, data: bytes, name: bytes = b"") -> bytes:
    """One Photoshop image resource: 8BIM, id, padded Pascal name, size, padded data."""
    pascal = bytes([len(name)]) + name
    pascal += b"\x00" * (len(pascal) % 2)
    return (
        b"8BIM"
        + struct.pack(">H", resource_id)
        + pascal
        + struct.pack(">I", len(data))
        + (data + b"\x00" * (len(data) % 2))
    )


def jpeg_with_metadata(
    *,
    exif: Image.Exif | None = None,
    iim: bytes | None = None,
    xmp: bytes | None = None,
    size: tuple[int, int] = (64, 48),
) -> bytes:
    """A JPEG with EXIF (Pillow), a Photoshop/IIM APP13 and an XMP APP1 (both by hand)."""
    jpeg = jpeg_bytes(size, exif=exif)
    if iim is not None:
        jpeg = insert_jpeg_segment(jpeg, APP13, photoshop_segment(iim))
    if xmp is not None:
        jpeg = insert_jpeg_segment(jpeg, APP1, XMP_JPEG_HEADER + xmp)
    return jpeg


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_xmp(packet: bytes, *, compressed: bool = False, after_image: bool = False) -> bytes:
    """A PNG with an ``XML:com.adobe.xmp`` iTXt chunk (before IDAT, or after it)."""
    png = _saved(Image.new("RGB", (40, 30), "#2980b9"), "PNG")
    text = zlib.compress(packet) if compressed else packet
    chunk = png_chunk(
        b"iTXt", b"XML:com.adobe.xmp\x00" + bytes([compressed, 0]) + b"\x00\x00" + text
    )
    at = png.index(b"IEND") - 4 if after_image else png.index(b"IDAT") - 4
    return png[:at] + chunk + png[at:]


def png_bomb_itxt() -> bytes:
    """A PNG whose compressed XMP iTXt chunk inflates to 64 MB of spaces."""
    inflater = zlib.compressobj(9)
    text = inflater.compress(b" " * (64 << 20)) + inflater.flush()
    png = _saved(Image.new("RGB", (4, 4)), "PNG")
    chunk = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + text)
    at = png.index(b"IDAT") - 4
    return png[:at] + chunk + png[at:]


def webp_with_xmp(packet: bytes) -> bytes:
    """A WebP (extended format) with an ``XMP `` chunk."""
    webp = _saved(Image.new("RGB", (32, 32), "#16a085"), "WEBP", xmp=packet)
    assert b"XMP " in webp
    return webp


def tiff_with_metadata(*, xmp: bytes | None = None, iim: bytes | None = None) -> bytes:
    """A TIFF with XMP in tag 700 and IIM in tag 33723."""
    from PIL.TiffImagePlugin import ImageFileDirectory_v2

    tags = ImageFileDirectory_v2()
    if xmp is not None:
        tags[700] = xmp
        tags.tagtype[700] = 1  # BYTE
    if iim is not None:
        tags[33723] = iim
        tags.tagtype[33723] = 7  # UNDEFINED
    return _saved(Image.new("RGB", (24, 16), "#8e44ad"), "TIFF", tiffinfo=tags)


def cmyk_jpeg() -> bytes:
    """A CMYK JPEG (as print workflows deliver)."""
    return jpeg_bytes((80, 60), mode="CMYK")


def png_16bit() -> bytes:
    """A 16-bit greyscale PNG (mode I;16)."""
    image = Image.new("I;16", (50, 40))
    image.putpixel((0, 0), 65535)
    return _saved(image, "PNG")


def animated_gif(frames: int = 12, size: tuple[int, int] = (32, 32)) -> bytes:
    """An animated GIF with ``frames`` distinct frames."""
    images = [
        Image.new("RGB", size, (index * 37 % 256, 255 - index * 37 % 256, 90))
        for index in range(frames)
    ]
    return _saved(images[0], "GIF", save_all=True, append_images=images[1:], duration=80, loop=0)


def avif_bytes() -> bytes:
    """A small AVIF (needs Pillow's AVIF support)."""
    return _saved(Image.new("RGB", (16, 16), "#f1c40f"), "AVIF")


def heic_head() -> bytes:
    """The first bytes of a HEIC file (an ``ftyp`` box with brand heic); not decodable."""
    return _box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic") + _box(b"meta", b"\0" * 8)


def truncated_jpeg() -> bytes:
    """A noisy 400×300 JPEG cut in the middle of its image data (as a failed upload)."""
    jpeg = jpeg_bytes((400, 300), noise=True)
    return jpeg[: len(jpeg) // 2]


@functools.lru_cache(maxsize=4)
def huge_png(width: int = 30000, height: int = 30000) -> bytes:
    """A valid 1-bit greyscale PNG of ``width``×``height`` zeros: ~100 KB for 900 megapixels.

    The IDAT is written by hand, compressing 1 MB blocks of zero rows (filter byte 0 and
    zero pixels are all zero bytes), so generating it takes a fraction of a second.
    """
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor, block, parts = zlib.compressobj(9), bytes(1 << 20), []
    remaining = height * (1 + (width + 7) // 8)
    while remaining > 0:
        parts.append(compressor.compress(block[: min(remaining, len(block))]))
        remaining -= len(block)
    parts.append(compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def _gif(screen: tuple[int, int], frame: tuple[int, int]) -> bytes:
    """A one-frame GIF with a 2-colour palette and the given screen and frame sizes."""
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", *screen, 0x80, 0, 0)
        + b"\x00\x00\x00\xff\xff\xff"
        + b","
        + struct.pack("<HHHHB", 0, 0, *frame, 0)
        + b"\x02\x02\x44\x01\x00;"
    )


def gif_with_huge_screen() -> bytes:
    """A GIF declaring a 65535×65535 logical screen (the format's maximum) with a 1×1 frame."""
    return _gif((65535, 65535), (1, 1))


def gif_with_huge_frame() -> bytes:
    """A GIF with a 1×1 screen whose only frame declares 65535×65535 pixels."""
    return _gif((1, 1), (65535, 65535))


# --- XMP -------------------------------------------------------------------------------

NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "plus": "http://ns.useplus.org/ldf/xmp/1.0/",
}


def xmp_packet(
    *,
    creators: Iterable[str] = (),
    rights: str | Mapping[str, str] | None = None,
    title: str | Mapping[str, str] | None = None,
    description: str | Mapping[str, str] | None = None,
    keywords: Iterable[str] = (),
    credit: str | None = None,
    source: str | None = None,
    usage_terms: str | Mapping[str, str] | None = None,
    web_statement: str | None = None,
    marked: bool | None = None,
    licensors: Iterable[str] = (),
    copyright_owners: Iterable[str] = (),
    model_release: str | None = None,
    property_release: str | None = None,
    license_end_date: str | None = None,
    as_attributes: bool = False,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    """An XMP packet with the given fields, as Adobe tools write it.

    Language alternatives take a string (x-default) or ``{lang: text}``; release statuses
    take a PLUS code ("MR-NON") written as its vocabulary URI. ``as_attributes`` writes the
    simple properties as attributes of ``rdf:Description``; ``prefixes`` renames namespace
    prefixes (``{"dc": "d"}``) to prove readers match namespace URIs, not prefixes.
    """
    p = {name: (prefixes or {}).get(name, name) for name in NAMESPACES}
    simple = {
        f"{p['photoshop']}:Credit": credit,
        f"{p['photoshop']}:Source": source,
        f"{p['xmpRights']}:WebStatement": web_statement,
        f"{p['xmpRights']}:Marked": None if marked is None else str(marked),
        f"{p['plus']}:ModelReleaseStatus": model_release and PLUS_VOCAB + model_release,
        f"{p['plus']}:PropertyReleaseStatus": property_release and PLUS_VOCAB + property_release,
        f"{p['plus']}:LicenseEndDate": license_end_date,
    }
    simple = {name: value for name, value in simple.items() if value is not None}
    elements = [
        _xmp_list(f"{p['dc']}:creator", "Seq", creators),
        _xmp_alt(f"{p['dc']}:rights", rights),
        _xmp_alt(f"{p['dc']}:title", title),
        _xmp_alt(f"{p['dc']}:description", description),
        _xmp_list(f"{p['dc']}:subject", "Bag", keywords),
        _xmp_alt(f"{p['xmpRights']}:UsageTerms", usage_terms),
        _xmp_structs(f"{p['plus']}:Licensor", f"{p['plus']}:LicensorName", licensors, False),
        _xmp_structs(
            f"{p['plus']}:CopyrightOwner", f"{p['plus']}:CopyrightOwnerName", copyright_owners, True
        ),
    ]
    if as_attributes:
        attributes = "".join(f" {name}={quoteattr(value)}" for name, value in simple.items())
    else:
        attributes = ""
        elements += [f"<{name}>{escape(value)}</{name}>" for name, value in simple.items()]
    declarations = "".join(f' xmlns:{p[name]}="{uri}"' for name, uri in NAMESPACES.items())
    body = "\n    ".join(element for element in elements if element)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about=""{declarations}{attributes}>\n    {body}\n'
        "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def _xmp_list(name: str, kind: str, values: Iterable[str]) -> str:
    items = "".join(f"<rdf:li>{escape(value)}</rdf:li>" for value in values)
    return f"<{name}><rdf:{kind}>{items}</rdf:{kind}></{name}>" if items else ""


def _xmp_alt(name: str, value: str | Mapping[str, str] | None) -> str:
    if value is None:
        return ""
    languages = {"x-default": value} if isinstance(value, str) else value
    items = "".join(
        f'<rdf:li xml:lang="{lang}">{escape(text)}</rdf:li>' for lang, text in languages.items()
    )
    return f"<{name}><rdf:Alt>{items}</rdf:Alt></{name}>"


def _xmp_structs(name: str, field: str, values: Iterable[str], as_description: bool) -> str:
    """An rdf:Seq of structures: parseType="Resource" items, or nested rdf:Description."""
    if as_description:
        items = "".join(
            f"<rdf:li><rdf:Description {field}={quoteattr(value)}/></rdf:li>" for value in values
        )
    else:
        items = "".join(
            f'<rdf:li rdf:parseType="Resource"><{field}>{escape(value)}</{field}></rdf:li>'
            for value in values
        )
    return f"<{name}><rdf:Seq>{items}</rdf:Seq></{name}>" if items else ""


def billion_laughs_xmp() -> bytes:
    """An XMP packet with nested entity definitions that would expand to gigabytes."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE x:xmpmeta [{entities}]>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:creator><rdf:Seq><rdf:li>&lol9;</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def external_entity_xmp(target: str = "file:///etc/passwd") -> bytes:
    """An XMP packet whose creator is an external entity pointing at ``target``."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "{target}">]>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:creator><rdf:Seq><rdf:li>&xxe;</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


# --- documents and videos ---------------------------------------------------------------


def pdf_bytes(pages: int = 3, *, object_streams: bool = False) -> bytes:
    """A valid PDF with ``pages`` empty pages, written by hand.

    ``object_streams`` stores the page tree in a compressed object stream with an
    xref stream (PDF 1.5, as Word and many PDF libraries write), so page objects are not
    visible in the raw bytes.
    """
    if object_streams:
        return _pdf_with_object_stream(pages)
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"] * pages,
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pdf_with_object_stream(pages: int) -> bytes:
    """Catalog in plain sight; page tree (objects 2…) in object stream N; xref stream N+1."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    members = [f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()] + [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"
    ] * pages
    header, body = [], b""
    for index, member in enumerate(members):
        header.append(f"{2 + index} {len(body)}")
        body += member + b"\n"
    header_bytes = " ".join(header).encode() + b"\n"
    stream = zlib.compress(header_bytes + body)
    stream_number = 2 + len(members)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    catalog_at = len(out)
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    stream_at = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n" % (
        stream_number,
        len(members),
        len(header_bytes),
        len(stream),
    )
    out += b"stream\n" + stream + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF), struct.pack(">BIH", 1, catalog_at, 0)]
    rows += [struct.pack(">BIH", 2, stream_number, index) for index in range(len(members))]
    rows += [struct.pack(">BIH", 1, stream_at, 0), struct.pack(">BIH", 1, xref_at, 0)]
    xref = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n" % (stream_number + 1, stream_number + 2, len(xref))
    )
    out += xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_box(kind: bytes, payload: bytes = b"") -> bytes:
    """One ISO base media box: 32-bit size, four-letter type, payload."""
    return _box(kind, payload)


_IDENTITY = (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
_ROTATE_90 = (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)


def mvhd_box(duration: int, timescale: int, version: int = 0) -> bytes:
    """A movie header box (version 0: 32-bit times; version 1: 64-bit)."""
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    rest = struct.pack(">IH10x9i24xI", 0x10000, 0x100, *_IDENTITY, 2)
    return _box(b"mvhd", bytes([version, 0, 0, 0]) + times + rest)


def tkhd_box(width: int, height: int, *, version: int = 0, rotate: bool = False) -> bytes:
    """A track header box; ``width``/``height`` 0 for an audio track."""
    if version == 1:
        times = struct.pack(">QQI4xQ", 0, 0, 1, 0)
    else:
        times = struct.pack(">III4xI", 0, 0, 1, 0)
    matrix = _ROTATE_90 if rotate else _IDENTITY
    rest = struct.pack(">8xhhH2x9iII", 0, 0, 0, *matrix, width << 16, height << 16)
    return _box(b"tkhd", bytes([version, 0, 0, 3]) + times + rest)


def mp4_bytes(
    *,
    duration: int = 12_500,
    timescale: int = 1000,
    version: int = 0,
    size: tuple[int, int] = (1920, 1080),
    rotate: bool = False,
    audio_first: bool = True,
    faststart: bool = True,
    brand: bytes = b"isom",
    mdat_bytes: int = 4096,
) -> bytes:
    """A minimal MP4: ftyp, moov (mvhd; an audio trak, then a video trak) and an mdat.

    ``faststart=False`` puts the mdat before the moov, as cameras write.
    """
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 0x200) + b"isomiso2avc1mp41")
    tracks = [_box(b"trak", tkhd_box(*size, version=version, rotate=rotate))]
    if audio_first:
        tracks.insert(0, _box(b"trak", tkhd_box(0, 0, version=version)))
    moov = _box(b"moov", mvhd_box(duration, timescale, version) + b"".join(tracks))
    mdat = _box(b"mdat", b"\x00" * mdat_bytes)
    return ftyp + (moov + mdat if faststart else mdat + moov)


def webm_head() -> bytes:
    """The EBML header of a WebM file (DocType "webm") and the start of its Segment."""
    elements = b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    elements += b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(elements)]) + elements + b"\x18\x53\x80\x67"


# --- hostile uploads --------------------------------------------------------------------


def svg_with_script() -> bytes:
    """An SVG (XML declaration, comment, doctype) with an inline script."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- logo -->\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )


def html_page() -> bytes:
    """An HTML page with a UTF-8 BOM, leading blank lines and an upper-case doctype."""
    return (
        b"\xef\xbb\xbf\n  \r\n<!DOCTYPE HTML>\n<html><body><script>alert(1)</script></body></html>"
    )


def php_script() -> bytes:
    """A PHP web shell."""
    return b"<?php system($_GET['c']); ?>\n"
