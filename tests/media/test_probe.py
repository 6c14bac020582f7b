"""Probing uploads: sizes as displayed, frames, pages, durations; damage flagged, bombs refused."""

from __future__ import annotations

import struct
import time

import pytest
from media_samples import (
    animated_gif,
    avif_bytes,
    cmyk_jpeg,
    exif_block,
    gif_with_huge_frame,
    gif_with_huge_screen,
    huge_png,
    jpeg_bytes,
    mp4_box,
    mp4_bytes,
    mvhd_box,
    pdf_bytes,
    png_16bit,
    tkhd_box,
    truncated_jpeg,
    webm_head,
    write,
)

from dam.imaging import ImageRefused
from dam.probe import MAX_PDF_PAGES, MediaInfo, probe

LIMIT = 100_000_000


def _probe(tmp_path, name, data, content_type):
    return probe(write(tmp_path / name, data), content_type, max_pixels=LIMIT, name=name)


# --- images ----------------------------------------------------------------------------


def test_plain_jpeg(tmp_path):
    info = _probe(tmp_path, "a.jpg", jpeg_bytes((64, 48)), "image/jpeg")
    assert info == MediaInfo(
        kind="image", content_type="image/jpeg", width=64, height=48, frames=1, problems=[]
    )


@pytest.mark.parametrize(("orientation", "size"), [(1, (64, 48)), (3, (64, 48)), (6, (48, 64))])
def test_exif_orientation_gives_the_displayed_size(tmp_path, orientation, size):
    data = jpeg_bytes((64, 48), exif=exif_block(orientation=orientation))
    info = _probe(tmp_path, "phone.jpg", data, "image/jpeg")
    assert (info.width, info.height) == size


def test_orientation_8_also_swaps(tmp_path):
    data = jpeg_bytes((64, 48), exif=exif_block(orientation=8))
    assert _probe(tmp_path, "p.jpg", data, "image/jpeg").width == 48


def test_truncated_jpeg_is_kept_and_flagged(tmp_path):
    info = _probe(tmp_path, "cut.jpg", truncated_jpeg(), "image/jpeg")
    assert (info.width, info.height) == (400, 300)
    assert len(info.problems) == 1
    assert info.problems[0].startswith("truncated or corrupt image data")


def test_cmyk_jpeg_and_16_bit_png_probe_without_problems(tmp_path):
    cmyk = _probe(tmp_path, "print.jpg", cmyk_jpeg(), "image/jpeg")
    deep = _probe(tmp_path, "deep.png", png_16bit(), "image/png")
    assert (cmyk.width, cmyk.height, cmyk.problems) == (80, 60, [])
    assert (deep.width, deep.height, deep.problems) == (50, 40, [])


def test_animated_gif_frames_are_counted_and_flagged(tmp_path):
    info = _probe(tmp_path, "spin.gif", animated_gif(frames=12), "image/gif")
    assert info.frames == 12
    assert info.problems == ["animated: 12 frames, renditions use the first"]


def test_avif_probes(tmp_path):
    info = _probe(tmp_path, "a.avif", avif_bytes(), "image/avif")
    assert (info.width, info.height, info.problems) == (16, 16, [])


def test_900_megapixel_png_is_refused_fast(tmp_path):
    data = huge_png(30000, 30000)
    assert len(data) < 200_000
    started = time.perf_counter()
    with pytest.raises(ImageRefused, match="bomb.png: .*too large"):
        _probe(tmp_path, "bomb.png", data, "image/png")
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("make", [gif_with_huge_screen, gif_with_huge_frame])
def test_gif_declaring_huge_dimensions_is_refused(tmp_path, make):
    with pytest.raises(ImageRefused, match="huge.gif"):
        _probe(tmp_path, "huge.gif", make(), "image/gif")


def test_pixel_limit_is_the_callers(tmp_path):
    path = write(tmp_path / "big.jpg", jpeg_bytes((200, 100)))
    with pytest.raises(ImageRefused, match="more than the limit"):
        probe(path, "image/jpeg", max_pixels=10_000, name="big.jpg")


def test_gif_with_a_broken_frame_header_is_refused_not_crashed(tmp_path):
    # Pillow raises IndexError while counting frames; open_image turns it into a refusal.
    with pytest.raises(ImageRefused, match="cut.gif: unreadable image"):
        _probe(tmp_path, "cut.gif", animated_gif(frames=12)[:121], "image/gif")


def test_garbage_declared_as_image_is_refused(tmp_path):
    with pytest.raises(ImageRefused, match="junk.png"):
        _probe(tmp_path, "junk.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png")


def test_type_that_is_not_accepted_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="image/svg"):
        _probe(tmp_path, "x.svg", b"<svg/>", "image/svg+xml")


# --- PDF -------------------------------------------------------------------------------


def test_pdf_page_count(tmp_path):
    info = _probe(tmp_path, "lookbook.pdf", pdf_bytes(3), "application/pdf")
    assert (info.kind, info.pages, info.problems) == ("document", 3, [])


def test_pdf_pages_in_compressed_object_streams_are_counted(tmp_path):
    data = pdf_bytes(5, object_streams=True)
    assert b"/Type /Page " not in data
    assert _probe(tmp_path, "word.pdf", data, "application/pdf").pages == 5


def test_pdf_page_count_across_read_chunks(tmp_path):
    # Pages spread over several megabytes: matches straddling 1 MB chunk edges count once.
    filler = b"% " + b"x" * 997 + b"\n"
    body = b"".join(b"%d 0 obj << /Type /Page >> endobj\n" % i + filler * 37 for i in range(120))
    data = b"%PDF-1.4\n" + body + b"%%EOF\n"
    assert len(data) > 4_000_000
    assert _probe(tmp_path, "big.pdf", data, "application/pdf").pages == 120


def test_truncated_pdf_is_flagged(tmp_path):
    data = pdf_bytes(2)
    info = _probe(tmp_path, "cut.pdf", data[: data.index(b"xref")], "application/pdf")
    assert info.pages == 2
    assert info.problems == ["no end-of-file marker: the PDF may be truncated"]


def test_pdf_without_pages_says_so(tmp_path):
    info = _probe(tmp_path, "odd.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n", "application/pdf")
    assert info.pages is None
    assert info.problems == ["page count unknown: no page objects found"]


def test_pdf_page_count_is_capped(tmp_path):
    data = b"%PDF-1.4\n" + b"<</Type/Page>>" * (MAX_PDF_PAGES + 5) + b"\n%%EOF"
    info = _probe(tmp_path, "many.pdf", data, "application/pdf")
    assert info.pages == MAX_PDF_PAGES
    assert info.problems == ["more than 10,000 pages counted; capped"]


# --- MP4 / QuickTime / WebM ------------------------------------------------------------


@pytest.mark.parametrize("version", [0, 1])
def test_mp4_duration_and_size(tmp_path, version):
    data = mp4_bytes(duration=12_500, timescale=1000, version=version)
    info = _probe(tmp_path, "clip.mp4", data, "video/mp4")
    assert (info.kind, info.duration, info.width, info.height) == ("video", 12.5, 1920, 1080)
    assert info.problems == []


def test_mp4_v1_with_64_bit_duration(tmp_path):
    data = mp4_bytes(duration=90_000 * 3 * 3600, timescale=90_000, version=1)
    assert _probe(tmp_path, "long.mp4", data, "video/mp4").duration == 10800.0


def test_camera_mov_with_moov_after_mdat_and_rotation(tmp_path):
    data = mp4_bytes(brand=b"qt  ", faststart=False, rotate=True, mdat_bytes=2_000_000)
    info = _probe(tmp_path, "phone.mov", data, "video/quicktime")
    assert (info.duration, info.width, info.height) == (12.5, 1080, 1920)


def test_mp4_with_64_bit_box_size(tmp_path):
    mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + 100) + b"\x00" * 100
    moov = mp4_box(b"moov", mvhd_box(3000, 600))
    data = mp4_box(b"ftyp", b"isom\x00\x00\x02\x00isom") + mdat + moov
    assert _probe(tmp_path, "big.mp4", data, "video/mp4").duration == 5.0


def test_fragmented_mp4_duration_from_mehd(tmp_path):
    mehd = mp4_box(b"mehd", b"\x00\x00\x00\x00" + struct.pack(">I", 7_000))
    moov = mp4_box(b"moov", mvhd_box(0, 1000) + mp4_box(b"mvex", mehd))
    data = mp4_box(b"ftyp", b"iso6\x00\x00\x00\x00") + moov
    assert _probe(tmp_path, "dash.mp4", data, "video/mp4").duration == 7.0


FTYP = mp4_box(b"ftyp", b"isom\x00\x00\x02\x00isom")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param(
            FTYP + struct.pack(">I4s", 4, b"moov"), "malformed 'moov' box", id="smaller-than-header"
        ),
        pytest.param(
            FTYP + struct.pack(">I4s", 1, b"mdat") + b"\x00\x00",
            "malformed 'mdat' box",
            id="64-bit-size-missing",
        ),
        pytest.param(
            FTYP + struct.pack(">I4sQ", 1, b"mdat", 3), "malformed 'mdat' box", id="64-bit-size-3"
        ),
        pytest.param(
            FTYP + struct.pack(">I4s", 0, b"mdat") + b"\x00" * 64,
            "no movie header",
            id="size-0-to-end",
        ),
        pytest.param(FTYP + b"\x00" * 9, "no movie header", id="zero-type-size-0"),
        pytest.param(
            FTYP + mp4_box(b"moov", mvhd_box(100, 10))[:30], "cut short", id="truncated-moov"
        ),
        pytest.param(
            FTYP + mp4_box(b"moov", struct.pack(">I4s", 0, b"trak")),
            "duration unknown",
            id="no-mvhd",
        ),
        pytest.param(
            FTYP + mp4_box(b"moov", mp4_box(b"mvhd", b"\x05junk")),
            "malformed movie header",
            id="bad-mvhd",
        ),
        pytest.param(
            FTYP + mp4_box(b"moov", mvhd_box(100, 0)), "zero timescale", id="zero-timescale"
        ),
        pytest.param(FTYP + b"\xff\xff\xff\xff\x00", "truncated box header", id="short-header"),
        pytest.param(b"\x00\x00\x00\x00", "truncated box header", id="four-bytes"),
    ],
)
def test_malformed_mp4_boxes_are_problems_not_exceptions(tmp_path, data, problem):
    started = time.perf_counter()
    info = _probe(tmp_path, "bad.mp4", data, "video/mp4")
    assert time.perf_counter() - started < 1
    assert any(problem in text for text in info.problems), info.problems


def test_mp4_of_endless_tiny_boxes_stops(tmp_path):
    data = FTYP + mp4_box(b"free") * 150_000 + mp4_box(b"moov", mvhd_box(10, 10))
    info = _probe(tmp_path, "tiny.mp4", data, "video/mp4")
    assert "more than 100,000 boxes; the rest was not read" in info.problems


def test_audio_track_does_not_give_the_video_size(tmp_path):
    trak = mp4_box(b"trak", tkhd_box(0, 0))
    data = FTYP + mp4_box(b"moov", mvhd_box(10, 10) + trak)
    info = _probe(tmp_path, "sound.mp4", data, "video/mp4")
    assert (info.width, info.height, info.duration) == (None, None, 1.0)


def test_webm_is_accepted_without_duration(tmp_path):
    info = _probe(tmp_path, "clip.webm", webm_head(), "video/webm")
    assert (info.kind, info.duration, info.problems) == ("video", None, [])
