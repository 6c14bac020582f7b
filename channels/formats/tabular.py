"""Generic feeds: CSV (spreadsheet-safe), JSON and NDJSON writers.

They implement the writer protocol of :mod:`channels.formats` (``check``, ``open``,
``write``, ``close``) and stream: one item is written at a time. Flags (fields starting
with ``_``) are never written. CSV cells are escaped against formula injection and lose
the control characters spreadsheets mangle; JSON keeps every character (escaped by the
encoder) and writes amounts as strings, never floats.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import BinaryIO

from channels.formats.base import field_problem
from channels.formats.text import clean_xml_text, escape_formula
from channels.mapping import as_text
from pim.i18n import N_

#: fields every item has, first in a CSV header
LEADING = ("id", "item_group_id")
TRAILING = ("image_link", "additional_image_link")


def columns_for(mapping: dict) -> list[str]:
    """The CSV columns of a feed: id and group, the mapped fields, then the images."""
    mapped = [name for name in mapping if not name.startswith("_")]
    ordered = [*LEADING, *mapped, *TRAILING]
    return list(dict.fromkeys(ordered))


def _public(item: dict) -> dict:
    return {key: value for key, value in item.items() if not key.startswith("_")}


class _Base:
    def __init__(self, columns: list[str] | None = None) -> None:
        self.columns = columns or list(LEADING + TRAILING)
        self.stream: BinaryIO | None = None

    def check(self, item: dict) -> list[str]:
        """An item needs an ``id``; nothing else is required by a generic format."""
        if not str(item.get("id") or "").strip():
            return [field_problem("id", N_("missing"))]
        return []


class CsvWriter(_Base):
    """Comma-separated values, UTF-8 with a BOM (spreadsheets detect the encoding)."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        self.stream = stream
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        self.csv = csv.writer(self.text)
        self.csv.writerow(self.columns)

    def write(self, item: dict) -> None:
        self.csv.writerow([cell(item.get(column)) for column in self.columns])

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def cell(value) -> str:
    """One CSV cell: plain text, control characters removed, formulas defused."""
    return escape_formula(clean_xml_text(as_text(value)))


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} in a JSON feed")


def _dumps(item: dict) -> bytes:
    return json.dumps(_public(item), ensure_ascii=False, default=_json_default).encode()


class NdjsonWriter(_Base):
    """One JSON object per line."""

    extension = "ndjson"
    content_type = "application/x-ndjson"

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        self.stream = stream

    def write(self, item: dict) -> None:
        self.stream.write(_dumps(item) + b"\n")

    def close(self) -> None:
        self.stream.flush()


class JsonWriter(_Base):
    """``{"title", "link", "description", "items": [...]}``, written item by item."""

    extension = "json"
    content_type = "application/json"

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        self.stream = stream
        self.first = True
        head = json.dumps({"title": title, "link": link, "description": description})
        stream.write(head[:-1].encode() + b', "items": [')

    def write(self, item: dict) -> None:
        self.stream.write((b"\n" if self.first else b",\n") + _dumps(item))
        self.first = False

    def close(self) -> None:
        self.stream.write(b"\n]}\n")
        self.stream.flush()


#: format name → writer class (``columns=`` is the CSV header)
TABULAR = {"csv": CsvWriter, "ndjson": NdjsonWriter, "json": JsonWriter}
