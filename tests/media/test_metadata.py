"""Embedded metadata: EXIF, IPTC and XMP read from generated files, merged into rights fields."""

from __future__ import annotations

import struct
import time

import pytest
from media_samples import (
    APP1,
    APP13,
    XMP_JPEG_HEADER,
    animated_gif,
    billion_laughs_xmp,
    exif_block,
    external_entity_xmp,
    iim_block,
    iim_dataset,
    insert_jpeg_segment,
    jpeg_bytes,
    jpeg_with_metadata,
    mp4_bytes,
    pdf_bytes,
    photoshop_resource,
    photoshop_segment,
    png_bomb_itxt,
    png_with_xmp,
    tiff_with_metadata,
    webp_with_xmp,
    write,
    xmp_packet,
)

from dam.metadata import extract, holder_from_notice, merge_rights
from dam.metadata.iptc import parse_iim
from dam.metadata.xmp import REFUSED, parse_packet

RIGHTS_KEYS = {
    "creator",
    "copyright_holder",
    "copyright_notice",
    "credit_line",
    "source",
    "usage_terms",
    "web_statement",
    "marked",
    "licensor",
    "model_release",
    "property_release",
    "valid_until",
    "keywords",
    "title",
    "description",
    "captured_at",
    "camera",
}


def _extract(tmp_path, data, content_type="image/jpeg", name="photo.jpg"):
    return extract(write(tmp_path / name, data), content_type)


# --- EXIF ------------------------------------------------------------------------------


def test_exif_fields(tmp_path):
    exif = exif_block(
        make="Canon",
        model="Canon EOS R5",
        orientation=6,
        artist="Carl Weber\x00\x00",
        copyright="(c) 2023 Carl Weber\x00Studio Nord",
        software="Lightroom 13.1",
        datetime_original="2024:03:05 14:22:01",
        offset_original="+01:00",
        lens="RF24-70mm F2.8 L IS USM",
        iso=200,
    )
    found = _extract(tmp_path, jpeg_bytes(exif=exif))
    assert found.exif == {
        "make": "Canon",
        "model": "Canon EOS R5",
        "orientation": 6,
        "artist": "Carl Weber",
        "copyright": "(c) 2023 Carl Weber; Studio Nord",
        "software": "Lightroom 13.1",
        "datetime_original": "2024-03-05T14:22:01+01:00",
        "lens": "RF24-70mm F2.8 L IS USM",
        "iso": 200,
    }
    assert found.rights["camera"] == "Canon EOS R5"  # make not repeated
    assert found.rights["captured_at"] == "2024-03-05T14:22:01+01:00"
    assert found.rights["creator"] == "Carl Weber"
    assert found.rights["copyright_holder"] == "Carl Weber; Studio Nord"
    assert found.problems == []


def test_exif_camera_joins_make_and_model(tmp_path):
    found = _extract(tmp_path, jpeg_bytes(exif=exif_block(make="FUJIFILM", model="X-T5")))
    assert found.rights["camera"] == "FUJIFILM X-T5"


def test_exif_bad_date_is_a_problem(tmp_path):
    exif = exif_block(datetime_original="yesterday noon")
    found = _extract(tmp_path, jpeg_bytes(exif=exif))
    assert "datetime_original" not in found.exif
    assert found.problems == ["EXIF DateTimeOriginal 'yesterday noon' is not a date; ignored"]


def test_exif_zero_date_placeholder_is_ignored_quietly(tmp_path):
    found = _extract(tmp_path, jpeg_bytes(exif=exif_block(datetime_original="0000:00:00 00:00:00")))
    assert found.rights["captured_at"] is None and found.problems == []


def test_corrupt_exif_segment_is_a_problem_not_an_exception(tmp_path):
    data = insert_jpeg_segment(jpeg_bytes(), APP1, b"Exif\x00\x00MM\x00*\x00\x00\xff\xf0junk")
    found = _extract(tmp_path, data)
    assert found.exif == {}
    assert found.rights["camera"] is None


def test_exif_tag_pointing_past_the_end_is_noted(tmp_path):
    exif = exif_block(make="Canon", artist="A long enough artist name").tobytes()
    cut = exif[: exif.index(b"A long")]  # the artist's value is no longer there
    data = insert_jpeg_segment(jpeg_bytes(), APP1, cut)
    found = _extract(tmp_path, data)
    assert found.exif == {"make": "Canon"}
    assert any(problem.startswith("EXIF: ") for problem in found.problems), found.problems


# --- IPTC ------------------------------------------------------------------------------

IPTC_FIELDS = [
    (2, 5, "Summer look 12"),
    (2, 25, "dress"),
    (2, 25, "linen"),
    (2, 80, "Bob Martin"),
    (2, 80, "Lea Roux"),
    (2, 110, "Maison Lune / Bob Martin"),
    (2, 115, "Studio Nord"),
    (2, 116, "© 2022 Maison Lune"),
    (2, 120, "Linen dress on a beach"),
    (2, 55, "20220614"),
]


def test_iptc_fields(tmp_path):
    found = _extract(tmp_path, jpeg_with_metadata(iim=iim_block(IPTC_FIELDS)))
    assert found.iptc == {
        "title": "Summer look 12",
        "keywords": ["dress", "linen"],
        "creators": ["Bob Martin", "Lea Roux"],
        "credit": "Maison Lune / Bob Martin",
        "source": "Studio Nord",
        "copyright_notice": "© 2022 Maison Lune",
        "caption": "Linen dress on a beach",
        "date_created": "2022-06-14",
    }
    rights = found.rights
    assert rights["creator"] == "Bob Martin; Lea Roux"
    assert rights["copyright_notice"] == "© 2022 Maison Lune"
    assert rights["copyright_holder"] == "Maison Lune"
    assert rights["credit_line"] == "Maison Lune / Bob Martin"
    assert rights["source"] == "Studio Nord"
    assert rights["title"] == "Summer look 12"
    assert rights["description"] == "Linen dress on a beach"
    assert rights["keywords"] == ["dress", "linen"]
    assert found.problems == [] and found.conflicts == []


@pytest.mark.parametrize(
    ("encoding", "declare_utf8"),
    [("utf-8", True), ("latin-1", False), ("cp1252", False), ("utf-8", False)],
)
def test_iptc_character_sets(tmp_path, encoding, declare_utf8):
    iim = iim_block(
        [(2, 80, "Zoë Müller"), (2, 25, "été")], encoding=encoding, declare_utf8=declare_utf8
    )
    found = _extract(tmp_path, jpeg_with_metadata(iim=iim))
    assert found.iptc["creators"] == ["Zoë Müller"]
    assert found.iptc["keywords"] == ["été"]
    assert found.problems == []


def test_iptc_declared_utf8_with_latin1_bytes_is_replaced_and_noted(tmp_path):
    iim = iim_block([(2, 80, "Zoë Müller")], encoding="latin-1", declare_utf8=True)
    found = _extract(tmp_path, jpeg_with_metadata(iim=iim))
    assert found.iptc["creators"] == ["Zo\ufffd M\ufffdller"]
    assert found.problems == ["IPTC: text in an undeclared or wrong character set; bytes replaced"]


def test_iptc_undecodable_cp1252_bytes_are_replaced_and_noted():
    fields, problems = parse_iim(iim_dataset(2, 80, b"Ana \x81\x8d"))
    assert fields["creators"] == ["Ana \ufffd\ufffd"]
    assert problems == ["IPTC: text in an undeclared or wrong character set; bytes replaced"]


def test_iptc_extended_length_dataset_is_read():
    caption = "x" * 40_000
    fields, problems = parse_iim(iim_dataset(2, 120, caption) + iim_dataset(2, 80, "Ana"))
    assert fields == {"caption": caption, "creators": ["Ana"]}
    assert problems == []


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        pytest.param(
            b"\x1c\x02\x78" + struct.pack(">HI", 0x8004, 0xFFFF_FFFF) + b"short",
            "IPTC 2:120 declares 4,294,967,295 bytes but only 5 remain; ignored",
            id="extended-4GB",
        ),
        pytest.param(
            b"\x1c\x02\x78" + struct.pack(">H", 0xFFFF) + b"\x00" * 10,
            "IPTC 2:120: invalid extended length; stopped",
            id="length-of-length-32767",
        ),
        pytest.param(
            b"\x1c\x02\x78" + struct.pack(">H", 0x7FFF) + b"abc",
            "IPTC 2:120 declares 32,767 bytes but only 3 remain; ignored",
            id="plain-too-long",
        ),
        pytest.param(b"\x1c\x02", "IPTC: truncated dataset header; the rest ignored", id="cut"),
        pytest.param(
            b"garbage!", "IPTC: unexpected bytes between datasets; the rest ignored", id="junk"
        ),
    ],
)
def test_iptc_hostile_lengths_are_bounded(tmp_path, bad, problem):
    iim = iim_block([(2, 80, "Ana"), (2, 116, "© Ana")]) + bad
    started = time.perf_counter()
    found = _extract(tmp_path, jpeg_with_metadata(iim=iim))
    assert time.perf_counter() - started < 1
    assert found.iptc == {"creators": ["Ana"], "copyright_notice": "© Ana"}
    assert found.problems == [problem]


def test_iptc_after_other_photoshop_resources_with_odd_names(tmp_path):
    before = photoshop_resource(0x03ED, b"\x00" * 16, name=b"res") + photoshop_resource(
        0x0425, b"\x01" * 7
    )
    payload = photoshop_segment(iim_block([(2, 80, "Ana")]), resources_before=before)
    found = _extract(tmp_path, insert_jpeg_segment(jpeg_bytes(), APP13, payload))
    assert found.iptc == {"creators": ["Ana"]}


def test_truncated_photoshop_resource_is_a_problem(tmp_path):
    payload = photoshop_segment(iim_block([(2, 80, "Ana")]))[:-3]
    found = _extract(tmp_path, insert_jpeg_segment(jpeg_bytes(), APP13, payload))
    assert found.iptc == {}
    assert found.problems == ["IPTC: a Photoshop resource is cut short; ignored"]


def test_jpeg_with_broken_segment_markers_is_a_problem(tmp_path):
    data = b"\xff\xd8\xff\xe1\x00\x05ab" + b"\x00" * 32
    found = _extract(tmp_path, data)
    assert "JPEG: malformed or truncated headers; later metadata ignored" in found.problems


# --- XMP -------------------------------------------------------------------------------

FULL_XMP = {
    "creators": ["Ana Lima", "Théo Blanc"],
    "rights": {"en": "© 2024 Other", "x-default": "© 2024 Ana Lima. All rights reserved."},
    "title": "Look 12",
    "description": {"x-default": "Linen dress", "fr": "Robe en lin"},
    "keywords": ["summer", "Linen"],
    "credit": "Maison Lune",
    "source": "Studio Nord",
    "usage_terms": "Web and social only",
    "web_statement": "https://maison-lune.example/licence",
    "marked": True,
    "licensors": ["Getty Images", "Maison Lune"],
    "copyright_owners": ["Ana Lima"],
    "model_release": "MR-UMR",
    "property_release": "PR-NAP",
    "license_end_date": "2026-12-31T23:59:59+01:00",
}
EXPECTED_XMP = {
    "creators": ["Ana Lima", "Théo Blanc"],
    "rights": "© 2024 Ana Lima. All rights reserved.",
    "title": "Look 12",
    "description": "Linen dress",
    "keywords": ["summer", "Linen"],
    "credit": "Maison Lune",
    "source": "Studio Nord",
    "usage_terms": "Web and social only",
    "web_statement": "https://maison-lune.example/licence",
    "marked": True,
    "licensors": ["Getty Images", "Maison Lune"],
    "copyright_owners": ["Ana Lima"],
    "model_release": "unlimited",
    "property_release": "not_applicable",
    "license_end_date": "2026-12-31",
}


@pytest.mark.parametrize("as_attributes", [False, True])
def test_xmp_fields_as_elements_or_attributes(tmp_path, as_attributes):
    found = _extract(
        tmp_path, jpeg_with_metadata(xmp=xmp_packet(**FULL_XMP, as_attributes=as_attributes))
    )
    assert found.xmp == EXPECTED_XMP
    assert found.problems == []
    rights = found.rights
    assert rights["creator"] == "Ana Lima; Théo Blanc"
    assert rights["copyright_holder"] == "Ana Lima"
    assert rights["copyright_notice"] == "© 2024 Ana Lima. All rights reserved."
    assert rights["licensor"] == "Getty Images; Maison Lune"
    assert rights["valid_until"] == "2026-12-31"
    assert (rights["model_release"], rights["property_release"]) == ("unlimited", "not_applicable")
    assert (rights["usage_terms"], rights["marked"]) == ("Web and social only", True)
    assert rights["web_statement"] == "https://maison-lune.example/licence"


def test_xmp_is_matched_by_namespace_not_prefix():
    prefixes = {"dc": "d", "photoshop": "ps", "xmpRights": "r", "plus": "p"}
    fields, problems = parse_packet(xmp_packet(**FULL_XMP, prefixes=prefixes))
    assert fields == EXPECTED_XMP and problems == []


def test_xmp_with_a_wrong_namespace_uri_is_not_read():
    packet = xmp_packet(creators=["Ana"]).replace(
        b"http://purl.org/dc/elements/1.1/", b"http://example.com/not-dc/"
    )
    assert parse_packet(packet) == ({}, [])


@pytest.mark.parametrize(
    ("model", "property_", "expected"),
    [
        ("MR-NON", "PR-NON", ("none", "none")),
        ("MR-NAP", "PR-NAP", ("not_applicable", "not_applicable")),
        ("MR-UMR", "PR-UPR", ("unlimited", "unlimited")),
        ("MR-LMR", "PR-LPR", ("limited", "limited")),
    ],
)
def test_plus_release_statuses(model, property_, expected):
    fields, _ = parse_packet(xmp_packet(model_release=model, property_release=property_))
    assert (fields["model_release"], fields["property_release"]) == expected


def test_unknown_release_status_and_bad_date_are_problems():
    fields, problems = parse_packet(
        xmp_packet(model_release="MR-MAYBE", license_end_date="2026", marked=None)
    )
    assert "model_release" not in fields and "license_end_date" not in fields
    assert problems == [
        "XMP ModelReleaseStatus 'http://ns.useplus.org/ldf/vocab/MR-MAYBE' is not a PLUS "
        "release status; ignored",
        "XMP LicenseEndDate '2026' is not a full date; ignored",
    ]


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        pytest.param(lambda x: png_with_xmp(x), "image/png", id="png-itxt"),
        pytest.param(lambda x: png_with_xmp(x, compressed=True), "image/png", id="png-zipped"),
        pytest.param(lambda x: png_with_xmp(x, after_image=True), "image/png", id="png-late"),
        pytest.param(webp_with_xmp, "image/webp", id="webp"),
        pytest.param(lambda x: tiff_with_metadata(xmp=x), "image/tiff", id="tiff-700"),
        pytest.param(lambda x: animated_gif(3) + x, "image/gif", id="gif-scan"),
        pytest.param(lambda x: pdf_bytes(1) + x, "application/pdf", id="pdf-scan"),
        pytest.param(lambda x: mp4_bytes() + x, "video/mp4", id="mp4-scan"),
        pytest.param(lambda x: jpeg_bytes(), "image/jpeg", id="jpeg-without-xmp"),
    ],
)
def test_xmp_is_found_in_each_container(tmp_path, make, content_type):
    data = make(xmp_packet(creators=["Ana"], rights="© Ana"))
    found = _extract(tmp_path, data, content_type, name="asset")
    expected = {} if content_type == "image/jpeg" else {"creators": ["Ana"], "rights": "© Ana"}
    assert found.xmp == expected
    assert found.problems == []


def test_tiff_iptc_tag(tmp_path):
    data = tiff_with_metadata(iim=iim_block([(2, 80, "Zoë")]))
    assert _extract(tmp_path, data, "image/tiff", "a.tif").iptc == {"creators": ["Zoë"]}


def test_utf16_xmp_packet_is_read():
    packet = xmp_packet(creators=["Ana"]).decode().encode("utf-16")
    assert parse_packet(packet) == ({"creators": ["Ana"]}, [])


# --- hostile XMP -----------------------------------------------------------------------


def test_billion_laughs_is_refused_without_expansion(tmp_path):
    started = time.perf_counter()
    found = _extract(tmp_path, jpeg_with_metadata(xmp=billion_laughs_xmp()))
    assert time.perf_counter() - started < 1
    assert found.xmp == {} and found.rights["creator"] is None
    assert found.problems == [REFUSED] == ["XMP refused: DOCTYPE/entities not allowed"]


def test_external_entity_is_refused_and_never_read(tmp_path):
    secret = write(tmp_path / "secret.txt", b"TOP-SECRET")
    found = _extract(tmp_path, jpeg_with_metadata(xmp=external_entity_xmp(secret.as_uri())))
    assert found.problems == [REFUSED]
    assert "TOP-SECRET" not in repr(found)


def test_doctype_hidden_in_utf16_is_refused():
    assert parse_packet(billion_laughs_xmp().decode().encode("utf-16")) == ({}, [REFUSED])


def test_malformed_xmp_is_a_problem(tmp_path):
    packet = xmp_packet(creators=["Ana"]).replace(b"</rdf:RDF>", b"")
    found = _extract(tmp_path, jpeg_with_metadata(xmp=packet, iim=iim_block([(2, 80, "Bob")])))
    assert found.xmp == {}
    assert len(found.problems) == 1
    assert found.problems[0].startswith("XMP unreadable: malformed XML")
    assert found.rights["creator"] == "Bob"  # the other sources still count


def test_png_xmp_decompression_bomb_is_capped(tmp_path):
    started = time.perf_counter()
    found = _extract(tmp_path, png_bomb_itxt(), "image/png", "bomb.png")
    assert time.perf_counter() - started < 2
    # Pillow refuses to open it too (its own text-chunk cap), so EXIF is not read either.
    assert "XMP: compressed packet expands beyond 4 MB; ignored" in found.problems
    assert found.xmp == {}


def test_non_image_types_have_no_exif_or_iptc(tmp_path):
    found = _extract(tmp_path, pdf_bytes(2), "application/pdf", "a.pdf")
    assert (found.exif, found.iptc, found.xmp, found.problems) == ({}, {}, {}, [])
    assert set(found.rights) == RIGHTS_KEYS
    assert found.rights["keywords"] == []


# --- merging ---------------------------------------------------------------------------


def test_precedence_xmp_over_iptc_over_exif_with_conflicts(tmp_path):
    data = jpeg_with_metadata(
        exif=exif_block(artist="Carl", copyright="(c) Carl"),
        iim=iim_block(
            [(2, 80, "Bob"), (2, 116, "© Bob"), (2, 110, "IPTC credit"), (2, 5, "Same title")]
        ),
        xmp=xmp_packet(creators=["Ana"], rights="© Ana", title="same  TITLE", keywords=["a"]),
    )
    found = _extract(tmp_path, data)
    assert found.rights["creator"] == "Ana"
    assert found.rights["copyright_notice"] == "© Ana"
    assert found.rights["copyright_holder"] == "Ana"
    assert found.rights["credit_line"] == "IPTC credit"  # only IPTC has it
    assert found.rights["title"] == "same  TITLE"
    assert found.conflicts == [
        "creator: XMP 'Ana' used over IPTC 'Bob', EXIF 'Carl'",
        "copyright_holder: XMP 'Ana' used over IPTC 'Bob', EXIF 'Carl'",
        "copyright_notice: XMP '© Ana' used over IPTC '© Bob', EXIF '(c) Carl'",
    ]  # titles differing only in case and spacing are not a conflict


def test_plus_copyright_owner_wins_over_the_notice():
    rights, conflicts = merge_rights(
        {}, {}, {"copyright_owners": ["Maison Lune"], "rights": "© 2024 Ana Lima"}
    )
    assert rights["copyright_holder"] == "Maison Lune"
    assert rights["copyright_notice"] == "© 2024 Ana Lima"
    assert conflicts == ["copyright_holder: PLUS 'Maison Lune' used over XMP 'Ana Lima'"]


def test_keywords_union_keeps_order_and_drops_duplicates():
    rights, _ = merge_rights(
        {}, {"keywords": ["linen", "Beach", "dress"]}, {"keywords": ["Dress", "summer"]}
    )
    assert rights["keywords"] == ["Dress", "summer", "linen", "Beach"]


def test_rights_have_every_key_even_when_empty():
    rights, conflicts = merge_rights({}, {}, {})
    assert set(rights) == RIGHTS_KEYS
    assert rights["keywords"] == [] and conflicts == []
    assert all(value is None for key, value in rights.items() if key != "keywords")


@pytest.mark.parametrize(
    ("notice", "holder"),
    [
        ("© 2024 Ana Lima. All rights reserved.", "Ana Lima"),
        ("Copyright (c) 2019-2024 Maison Lune", "Maison Lune"),
        ("(C) Studio Nord, all rights reserved", "Studio Nord"),
        ("Ana Lima", "Ana Lima"),
        ("© 2024", None),
        (None, None),
    ],
)
def test_holder_from_notice(notice, holder):
    assert holder_from_notice(notice) == holder


def test_xmp_header_constant_matches_the_reader():
    from dam.metadata.xmp import JPEG_HEADER

    assert JPEG_HEADER == XMP_JPEG_HEADER
