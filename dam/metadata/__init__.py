"""Embedded metadata of uploaded assets: EXIF, IPTC IIM and XMP, merged into rights fields.

:func:`extract` never raises for malformed metadata: what could not be read is described
in ``problems`` and the rest is still returned.

Precedence
----------
When several sources give a field, **XMP wins over IPTC IIM, which wins over EXIF**
(XMP is what current tools write and keep in sync; IIM and EXIF are older and often stale).
Each rights field is taken from the first source that has it:

==================  ============================================================================
field               sources, in order
==================  ============================================================================
creator             XMP dc:creator (joined "; ") > IPTC 2:80 By-line (joined "; ") > EXIF Artist
copyright_holder    XMP plus:CopyrightOwner/CopyrightOwnerName (joined "; ") > the holder named in
                    XMP dc:rights > in IPTC 2:116 > in EXIF Copyright; the holder is the notice
                    without "©", "(c)", "Copyright", years and "All rights reserved"
copyright_notice    XMP dc:rights > IPTC 2:116 Copyright Notice > EXIF Copyright
credit_line         XMP photoshop:Credit > IPTC 2:110 Credit
source              XMP photoshop:Source > IPTC 2:115 Source
usage_terms         XMP xmpRights:UsageTerms
web_statement       XMP xmpRights:WebStatement
marked              XMP xmpRights:Marked (True: rights-managed, False: public domain)
licensor            XMP plus:Licensor/LicensorName (joined "; ")
model_release       XMP plus:ModelReleaseStatus: none | not_applicable | unlimited | limited
property_release    XMP plus:PropertyReleaseStatus: same values
valid_until         XMP plus:LicenseEndDate (ISO date)
keywords            XMP dc:subject then IPTC 2:25 Keywords, duplicates (ignoring case) dropped
title               XMP dc:title > IPTC 2:05 Object Name
description         XMP dc:description > IPTC 2:120 Caption/Abstract
captured_at         EXIF DateTimeOriginal (ISO 8601, with its UTC offset if recorded)
camera              EXIF Make and Model ("Canon Canon EOS R5" is shortened to "Canon EOS R5")
==================  ============================================================================

Language alternatives (dc:rights, dc:title…) use the ``x-default`` entry, else the first.
Every field is present in ``rights`` (``None`` or ``[]`` when no source has it). When
sources disagree on creator, copyright holder or notice, credit line, source, title or
description, ``conflicts`` says which value was used over which, e.g.
``creator: XMP 'Ana' used over IPTC 'Bob'`` (case and spacing differences are not conflicts).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dam.metadata.exif import read_exif
from dam.metadata.iptc import read_iptc
from dam.metadata.xmp import read_xmp

logger = logging.getLogger(__name__)

#: Types whose EXIF Pillow reads.
EXIF_TYPES = {"image/jpeg", "image/png", "image/webp", "image/tiff", "image/avif"}


@dataclass
class Extracted:
    """What :func:`extract` found: raw fields per source, merged ``rights``, and problems."""

    exif: dict[str, Any] = field(default_factory=dict)
    iptc: dict[str, Any] = field(default_factory=dict)
    xmp: dict[str, Any] = field(default_factory=dict)
    rights: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def extract(path: Path, content_type: str) -> Extracted:
    """Read EXIF, IPTC and XMP from the file at ``path`` (of sniffed ``content_type``)."""
    path = Path(path)
    result = Extracted()
    readers: list[tuple[str, Callable[[], tuple[dict[str, Any], list[str]]]]] = [
        ("iptc", lambda: read_iptc(path, content_type)),
        ("xmp", lambda: read_xmp(path, content_type)),
    ]
    if content_type in EXIF_TYPES:
        readers.insert(0, ("exif", lambda: read_exif(path)))
    for source, read in readers:
        fields, problems = _safely(source, read)
        setattr(result, source, fields)
        result.problems += problems
    result.rights, result.conflicts = merge_rights(result.exif, result.iptc, result.xmp)
    return result


def _safely(
    source: str, read: Callable[[], tuple[dict[str, Any], list[str]]]
) -> tuple[dict[str, Any], list[str]]:
    """Run one reader; an unforeseen parser failure on hostile bytes becomes a problem."""
    try:
        return read()
    except OSError:
        raise  # the file itself is unreadable: not a metadata problem
    except Exception as exc:  # noqa: BLE001 - logged with its traceback, reported to the user
        logger.exception("unexpected error reading %s metadata", source)
        return {}, [f"{source.upper()} metadata unreadable ({type(exc).__name__})"]


def merge_rights(
    exif: dict[str, Any], iptc: dict[str, Any], xmp: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The rights fields by the precedence in this module's docstring, and the conflicts."""
    conflicts: list[str] = []

    def pick(name: str, *candidates: tuple[str, str | None]) -> str | None:
        return _pick(name, candidates, conflicts)

    rights = {
        "creator": pick(
            "creator",
            ("XMP", _joined(xmp.get("creators"))),
            ("IPTC", _joined(iptc.get("creators"))),
            ("EXIF", exif.get("artist")),
        ),
        "copyright_holder": pick(
            "copyright_holder",
            ("PLUS", _joined(xmp.get("copyright_owners"))),
            ("XMP", holder_from_notice(xmp.get("rights"))),
            ("IPTC", holder_from_notice(iptc.get("copyright_notice"))),
            ("EXIF", holder_from_notice(exif.get("copyright"))),
        ),
        "copyright_notice": pick(
            "copyright_notice",
            ("XMP", xmp.get("rights")),
            ("IPTC", iptc.get("copyright_notice")),
            ("EXIF", exif.get("copyright")),
        ),
        "credit_line": pick(
            "credit_line", ("XMP", xmp.get("credit")), ("IPTC", iptc.get("credit"))
        ),
        "source": pick("source", ("XMP", xmp.get("source")), ("IPTC", iptc.get("source"))),
        "usage_terms": xmp.get("usage_terms"),
        "web_statement": xmp.get("web_statement"),
        "marked": xmp.get("marked"),
        "licensor": _joined(xmp.get("licensors")),
        "model_release": xmp.get("model_release"),
        "property_release": xmp.get("property_release"),
        "valid_until": xmp.get("license_end_date"),
        "keywords": _union(xmp.get("keywords", []), iptc.get("keywords", [])),
        "title": pick("title", ("XMP", xmp.get("title")), ("IPTC", iptc.get("title"))),
        "description": pick(
            "description", ("XMP", xmp.get("description")), ("IPTC", iptc.get("caption"))
        ),
        "captured_at": exif.get("datetime_original"),
        "camera": _camera(exif.get("make"), exif.get("model")),
    }
    return rights, conflicts


def _pick(
    name: str, candidates: tuple[tuple[str, str | None], ...], conflicts: list[str]
) -> str | None:
    """The first present value; a conflict is noted for each differing later value."""
    present = [(source, value) for source, value in candidates if value]
    if not present:
        return None
    (winner_source, winner), others = present[0], present[1:]
    losers = [f"{source} '{value}'" for source, value in others if _same(value) != _same(winner)]
    losers = list(dict.fromkeys(losers))
    if losers:
        conflicts.append(f"{name}: {winner_source} '{winner}' used over {', '.join(losers)}")
    return winner


def _same(value: str) -> str:
    """How values are compared for conflicts: case and spacing ignored."""
    return " ".join(value.split()).casefold()


def _joined(values: list[str] | None) -> str | None:
    return "; ".join(values) if values else None


def _union(*lists: list[str]) -> list[str]:
    """Values of all lists in order, each once (compared ignoring case and spacing)."""
    seen: dict[str, str] = {}
    for values in lists:
        for value in values:
            seen.setdefault(_same(value), value)
    return list(seen.values())


def _camera(make: str | None, model: str | None) -> str | None:
    """ "Make Model", without repeating the make when the model already starts with it."""
    if make and model and _same(model).startswith(_same(make)):
        return model
    return " ".join(part for part in (make, model) if part) or None


_NOTICE_PREFIX = re.compile(
    r"^(?:\s*(?:©|\(c\)|copyright\b|\d{4}(?:\s*[-–]\s*\d{4})?)[\s,.:]*)+", re.IGNORECASE
)
_NOTICE_SUFFIX = re.compile(r"[\s,.;]*all rights reserved[\s.]*$", re.IGNORECASE)


def holder_from_notice(notice: str | None) -> str | None:
    """Who a copyright notice names: "© 2024 Ana Lima. All rights reserved." → "Ana Lima"."""
    if not notice:
        return None
    holder = _NOTICE_SUFFIX.sub("", _NOTICE_PREFIX.sub("", notice)).strip(" ,.;")
    return holder or None
