"""What an accepted upload contains: dimensions, frames, pages, duration, and what is wrong.

:func:`probe` reads only what it needs and never trusts a declared size: images go through
:func:`dam.imaging.open_image` (bombs refused) and are decoded once to catch truncation;
PDFs and MP4/QuickTime files are walked in bounded, streaming passes. Problems that do not
stop the upload (a truncated image, an animation, a malformed box) are returned as
human-readable ``problems``; only images that cannot be opened at all raise
:class:`~dam.imaging.ImageRefused`.
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from dam.imaging import open_image
from dam.sniff import ALLOWED_TYPES

#: Page counts above this are reported as this many, with a problem.
MAX_PDF_PAGES = 10_000
#: Most ISO media boxes read before giving up (a file of tiny boxes must not take minutes).
MAX_BOXES = 100_000

_ORIENTATION = 0x0112
_ROTATED_ORIENTATIONS = {5, 6, 7, 8}  # 90° or 270°: width and height swap on display


@dataclass
class MediaInfo:
    """Facts about one upload; ``problems`` are non-fatal flags shown to users."""

    kind: str
    content_type: str
    width: int | None = None
    height: int | None = None
    frames: int | None = None
    pages: int | None = None
    duration: float | None = None  # seconds
    problems: list[str] = field(default_factory=list)


def probe(path: Path, content_type: str, *, max_pixels: int, name: str) -> MediaInfo:
    """Measure the file at ``path``, whose sniffed type is ``content_type``.

    Raises :class:`~dam.imaging.ImageRefused` for an image that is too large or unreadable
    (the caller refuses the upload) and ``ValueError`` for a type that is not accepted.
    WebM files get no duration or dimensions (``None``): parsing EBML is not worth it yet.
    """
    kind = ALLOWED_TYPES.get(content_type)
    if kind is None:
        raise ValueError(f"{name}: {content_type} is not an accepted type")
    info = MediaInfo(kind=kind, content_type=content_type)
    if kind == "image":
        _probe_image(Path(path), info, max_pixels=max_pixels, name=name)
    elif content_type == "application/pdf":
        _probe_pdf(Path(path), info)
    elif content_type in ("video/mp4", "video/quicktime"):
        _probe_iso_media(Path(path), info)
    return info


# --- images ----------------------------------------------------------------------------


def _probe_image(path: Path, info: MediaInfo, *, max_pixels: int, name: str) -> None:
    """Size after EXIF orientation, frame count, and a full decode of the first frame."""
    with open_image(path, max_pixels=max_pixels, name=name) as image:
        width, height = image.size
        if _orientation(image) in _ROTATED_ORIENTATIONS:
            width, height = height, width
        info.width, info.height = width, height
        info.frames = getattr(image, "n_frames", 1) or 1
        if info.frames > 1 and image.format == "TIFF":
            info.problems.append(f"multi-page TIFF: {info.frames} pages, renditions use the first")
        elif info.frames > 1 and image.format != "MPO":  # MPO: a JPEG with a stereo twin
            info.problems.append(f"animated: {info.frames} frames, renditions use the first")
        problem = _decode_problem(image)
        if problem:
            info.problems.append(problem)


def _orientation(image: Image.Image) -> int | None:
    """The EXIF orientation tag, or ``None`` when absent or unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # corrupt EXIF is the metadata reader's business
            value = image.getexif().get(_ORIENTATION)
    except Exception:  # noqa: BLE001 - hostile EXIF raises assorted errors; orientation is optional
        return None
    return value if isinstance(value, int) else None


def _decode_problem(image: Image.Image) -> str | None:
    """Decode the first frame fully: truncated or corrupt data is flagged, never raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.seek(0)
            image.load()
    # Pillow's decoders raise OSError, SyntaxError, ValueError, EOFError, struct.error… on
    # hostile data; whatever it is, the asset is kept and flagged.
    except Exception as exc:  # noqa: BLE001
        return f"truncated or corrupt image data: {exc}"
    return None


# --- PDF -------------------------------------------------------------------------------

_PAGE = re.compile(rb"/Type\s{0,16}/Page(?![A-Za-z0-9_.#-])")
_OBJECT_STREAM = re.compile(
    rb"/Type\s{0,16}/ObjStm(?![A-Za-z0-9]).{0,512}?stream(?:\r\n|\n|\r)", re.DOTALL
)
_CHUNK = 1 << 20
_OVERLAP = 1024  # longer than any match, so a match across two chunks is seen once
_MAX_OBJECT_STREAM_BYTES = 64 << 20
_MAX_OBJECT_STREAMS = 2_000


def _probe_pdf(path: Path, info: MediaInfo) -> None:
    """Page count by a heuristic: count page objects (``/Type /Page``, not ``/Pages``).

    Page objects stored in compressed object streams (PDF 1.5+) are counted by inflating
    those streams (64 MB at most in all). Incremental updates that rewrite a page may
    count it twice; a file where no page is found gets ``pages=None`` and a problem.
    """
    with path.open("rb") as file:
        if b"%PDF-" not in file.read(1024):
            info.problems.append("no PDF header: the file may be damaged")
        pages, stream_offsets = _scan_pdf(file)
        pages += _count_in_object_streams(file, stream_offsets, info.problems)
        file.seek(max(0, file.seek(0, 2) - 2048))
        if b"%%EOF" not in file.read():
            info.problems.append("no end-of-file marker: the PDF may be truncated")
    if pages == 0:
        info.problems.append("page count unknown: no page objects found")
    elif pages > MAX_PDF_PAGES:
        info.problems.append(f"more than {MAX_PDF_PAGES:,} pages counted; capped")
    info.pages = min(pages, MAX_PDF_PAGES) or None


def _scan_pdf(file: BinaryIO) -> tuple[int, list[int]]:
    """Page objects in plain sight, and where each compressed object stream's data starts."""
    file.seek(0)
    pages, offsets, carry, chunk_start = 0, [], b"", 0
    while True:
        data = file.read(_CHUNK)
        chunk = carry + data
        limit = len(chunk) if not data else len(chunk) - _OVERLAP
        pages += sum(1 for match in _PAGE.finditer(chunk) if match.start() < limit)
        offsets += [
            chunk_start + match.end()
            for match in _OBJECT_STREAM.finditer(chunk)
            if match.start() < limit
        ]
        if not data:
            return pages, offsets
        limit = max(limit, 0)
        carry, chunk_start = chunk[limit:], chunk_start + limit


def _count_in_object_streams(file: BinaryIO, offsets: list[int], problems: list[str]) -> int:
    """Page objects inside Flate-compressed object streams, within a total inflate budget."""
    pages, budget = 0, _MAX_OBJECT_STREAM_BYTES
    if len(offsets) > _MAX_OBJECT_STREAMS:
        problems.append("page count may be low: too many compressed object streams")
    for offset in offsets[:_MAX_OBJECT_STREAMS]:
        file.seek(offset)
        data = _inflate(file, budget)
        if data is None:
            continue
        budget -= len(data)
        if budget <= 0:
            problems.append("page count may be low: compressed objects too large to inspect")
            break
        pages += len(_PAGE.findall(data))
    return pages


def _inflate(file: BinaryIO, limit: int) -> bytes | None:
    """Inflate the zlib stream at the file's position, at most ``limit`` bytes of output."""
    inflater, output = zlib.decompressobj(), bytearray()
    try:
        while not inflater.eof and len(output) < limit:
            data = inflater.unconsumed_tail or file.read(1 << 14)
            if not data:
                break
            output += inflater.decompress(data, limit - len(output))
    except zlib.error:
        return None
    return bytes(output)


# --- MP4 / QuickTime -------------------------------------------------------------------

_CONTAINER_BOXES = {b"moov", b"trak", b"mvex"}
_UNKNOWN_32 = 0xFFFF_FFFF
_UNKNOWN_64 = 0xFFFF_FFFF_FFFF_FFFF


def _probe_iso_media(path: Path, info: MediaInfo) -> None:
    """Duration from ``moov/mvhd`` (or ``mvex/mehd``), display size from the first video ``tkhd``.

    Only box headers are read (``mdat`` is skipped by seeking); malformed boxes end the walk
    with a problem, never an exception or an endless loop.
    """
    with path.open("rb") as file:
        reader = _BoxReader(file, info.problems)
        end = file.seek(0, 2)
        moov = next((box for box in reader.boxes(0, end) if box[0] == b"moov"), None)
        if moov is None:
            info.problems.append("no movie header (moov box): duration and size unknown")
            return
        _read_movie(reader, moov, info)
    if info.duration is None:
        info.problems.append("duration unknown")


def _read_movie(reader: _BoxReader, moov: tuple[bytes, int, int], info: MediaInfo) -> None:
    """Fill duration and size from the children of ``moov``."""
    timescale = None
    for kind, start, end in reader.walk(moov, depth=2):
        if kind == b"mvhd":
            timescale, info.duration = _movie_header(reader.read(start, end, 32), info.problems)
        elif kind == b"mehd" and not info.duration and timescale:
            info.duration = _fragment_duration(reader.read(start, end, 12), timescale)
        elif kind == b"tkhd" and info.width is None:
            info.width, info.height = _track_size(reader.read(start, end, 96))


def _movie_header(data: bytes, problems: list[str]) -> tuple[int | None, float | None]:
    """(timescale, duration in seconds) from an ``mvhd`` payload, version 0 or 1."""
    if data[:1] == b"\x01" and len(data) >= 32:
        timescale, duration, unknown = _u32(data, 20), _u64(data, 24), _UNKNOWN_64
    elif data[:1] == b"\x00" and len(data) >= 20:
        timescale, duration, unknown = _u32(data, 12), _u32(data, 16), _UNKNOWN_32
    else:
        problems.append("malformed movie header (mvhd box)")
        return None, None
    if timescale == 0:
        problems.append("movie header has a zero timescale")
        return None, None
    if duration == unknown:
        return timescale, None
    return timescale, round(duration / timescale, 3)


def _fragment_duration(data: bytes, timescale: int) -> float | None:
    """Duration of a fragmented movie from its ``mehd`` payload."""
    if data[:1] == b"\x01" and len(data) >= 12:
        return round(_u64(data, 4) / timescale, 3)
    if len(data) >= 8:
        return round(_u32(data, 4) / timescale, 3)
    return None


def _track_size(data: bytes) -> tuple[int | None, int | None]:
    """Display width and height of a track (``None`` for audio), rotation applied."""
    matrix_at = 52 if data[:1] == b"\x01" else 40
    if len(data) < matrix_at + 44:
        return None, None
    width, height = _u32(data, matrix_at + 36) >> 16, _u32(data, matrix_at + 40) >> 16
    if not width or not height:
        return None, None
    a, d = _u32(data, matrix_at), _u32(data, matrix_at + 16)
    return (height, width) if a == 0 and d == 0 else (width, height)


def _u32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "big")


def _u64(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 8], "big")


class _BoxReader:
    """Walks ISO base media boxes by reading headers only, within a global box budget."""

    def __init__(self, file: BinaryIO, problems: list[str]) -> None:
        self.file, self.problems, self.budget = file, problems, MAX_BOXES

    def boxes(self, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
        """``(type, payload start, box end)`` of each box between ``start`` and ``end``."""
        position = start
        while position < end:
            box = self._header(position, end)
            if box is None:
                return
            yield box
            position = box[2]

    def walk(self, box: tuple[bytes, int, int], depth: int) -> Iterator[tuple[bytes, int, int]]:
        """The children of ``box``, descending into known containers up to ``depth`` levels."""
        for child in self.boxes(box[1], box[2]):
            yield child
            if depth > 1 and child[0] in _CONTAINER_BOXES:
                yield from self.walk(child, depth - 1)

    def read(self, start: int, end: int, at_most: int) -> bytes:
        """Up to ``at_most`` bytes of a payload."""
        self.file.seek(start)
        return self.file.read(max(0, min(end - start, at_most)))

    def _header(self, position: int, end: int) -> tuple[bytes, int, int] | None:
        """Parse one box header; ``None`` (and a problem) when the walk must stop."""
        self.budget -= 1
        if self.budget < 0:
            self.problems.append(f"more than {MAX_BOXES:,} boxes; the rest was not read")
            return None
        self.file.seek(position)
        header = self.file.read(16)
        if len(header) < 8 or end - position < 8:
            self.problems.append(f"truncated box header at byte {position}")
            return None
        size, kind, header_size = _u32(header, 0), header[4:8], 8
        if size == 1:  # 64-bit size follows the type
            size, header_size = (_u64(header, 8), 16) if len(header) == 16 else (0, 16)
        elif size == 0:  # box extends to the end of its container
            size = end - position
        label = kind.decode("latin-1").encode("unicode_escape").decode()
        if size < header_size:
            self.problems.append(f"malformed '{label}' box at byte {position}: size {size}")
            return None
        if position + size > end:
            self.problems.append(f"'{label}' box at byte {position} is cut short: file truncated?")
            size = end - position
            if size < header_size:
                return None
        return kind, position + header_size, position + size
