"""Meta (Facebook/Instagram) catalog data feed, as CSV.

Items are the same dicts as Google Merchant's (the pipeline maps catalogue attributes to
Google attribute names), written with Meta's column names and vocabulary:

* required: ``id`` (≤ 100), ``title`` (≤ 200), ``description`` (≤ 9,999, HTML removed),
  ``availability``, ``condition``, ``price`` (``15.00 EUR``), ``link``, ``image_link``,
  and ``brand`` — or, without a brand, a ``gtin`` or an ``mpn``;
* availability in Meta's words: ``in stock``, ``out of stock``, ``preorder``,
  ``available for order`` (Google's ``in_stock``, ``out_of_stock``, ``preorder`` and
  ``backorder`` are translated); ``condition`` defaults to ``new``;
* up to 20 ``additional_image_link`` URLs, comma-separated in one cell;
* variants share ``item_group_id``.

Values are formatted by the Google module's formatters (prices, URLs, GTIN check digits),
and every cell is escaped against spreadsheet formulas (a cell starting with ``=``, ``+``,
``-``, ``@``, tab or CR gets a leading ``'``).
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from channels.formats.base import FOR_A_VARIANT, Field, field_problem, is_blank
from channels.formats.google import format_value
from channels.formats.text import collapse_whitespace, escape_formula
from pim.i18n import N_, english

MAX_ADDITIONAL_IMAGES = 20
AVAILABILITY = {
    "in_stock": "in stock",
    "out_of_stock": "out of stock",
    "preorder": "preorder",
    "backorder": "available for order",
    "in stock": "in stock",
    "out of stock": "out of stock",
    "available for order": "available for order",
}
CONDITIONS = frozenset({"new", "refurbished", "used"})

FIELDS: tuple[Field, ...] = (
    Field("id", required=True, max_length=100),
    Field("title", required=True, max_length=200),
    Field("description", required=True, max_length=9999),
    Field("availability", required=True),
    Field("condition", required=True, choices=CONDITIONS),
    Field("price", required=True),
    Field("link", required=True, max_length=2000),
    Field("image_link", required=True, max_length=2000),
    Field("brand", max_length=100),
    Field("additional_image_link"),
    Field("sale_price"),
    Field("gtin", max_length=70),
    Field("mpn", max_length=100),
    Field("item_group_id", max_length=100),
    Field("color", max_length=200),
    Field("size", max_length=200),
    Field("gender"),
    Field("age_group"),
    Field("material", max_length=200),
    Field("pattern", max_length=100),
    Field("google_product_category", max_length=750),
    Field("product_type", max_length=750),
)
COLUMNS: tuple[str, ...] = tuple(field.name for field in FIELDS)
_KNOWN = frozenset(COLUMNS) | {"availability_date", "identifier_exists", "size_system"}


def prepare(item: dict) -> tuple[dict[str, str], list[str]]:
    """The cells of ``item`` as written, and every problem, each naming its column."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for field in FIELDS:
        raw = item.get(field.name)
        if field.name == "condition" and is_blank(raw):
            raw = "new"
        if is_blank(raw):
            value = None
        elif field.name == "availability":
            value = AVAILABILITY.get(str(raw).strip().lower())
            if value is None:
                problems.append(
                    field_problem(
                        "availability",
                        N_("%(value)s is not one of %(allowed)s"),
                        value=repr(raw),
                        allowed="in stock, out of stock, preorder, available for order",
                    )
                )
                continue
        else:
            try:
                value = _format(field.name, raw)
            except ValueError as error:
                problems.append(field_problem(field.name, error))
                continue
        field_problems = field.problems(value)
        problems += field_problems
        if value is not None and not field_problems:
            values[field.name] = value
    if all(is_blank(item.get(name)) for name in ("brand", "gtin", "mpn")):
        problems.append(
            field_problem("brand", N_("is required when the item has neither gtin nor mpn"))
        )
    if item.get("_variant") and is_blank(item.get("item_group_id")):
        problems.append(field_problem("item_group_id", FOR_A_VARIANT))
    problems += [
        field_problem(key, N_("is not a Meta catalog column this feed writes"))
        for key in item
        if not str(key).startswith("_") and key not in _KNOWN
    ]
    return values, problems


def _format(name: str, raw: object) -> str:
    """A cell's text; additional images are checked one by one (Meta allows 20, Google 10)."""
    if name != "additional_image_link":
        return format_value(name, raw)
    urls = [raw] if isinstance(raw, str) else list(raw)
    if len(urls) > MAX_ADDITIONAL_IMAGES:
        raise ValueError(
            english(
                N_("%(count)s images, at most %(limit)s"),
                count=len(urls),
                limit=MAX_ADDITIONAL_IMAGES,
            )
        )
    return ",".join(format_value("link", url).replace(",", "%2C") for url in urls)


class MetaCatalogCSVWriter:
    """One header row of Meta's column names, then one CSV row per item (UTF-8)."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def __init__(self) -> None:
        self._stream: BinaryIO | None = None
        self._state = "new"

    def check(self, item: dict) -> list[str]:
        return prepare(item)[1]

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        """Write the header row; a CSV feed has no place for the channel metadata."""
        self._move("new", "open", "open")
        self._stream = stream
        self._row(COLUMNS)

    def write(self, item: dict) -> None:
        self._move("open", "open", "write to")
        values, _ = prepare(item)
        self._row([collapse_whitespace(values.get(name, "")) for name in COLUMNS])

    def close(self) -> None:
        """Flush what was written; the stream itself stays open."""
        self._move("open", "closed", "close")
        self._stream.flush()

    def _move(self, expected: str, new: str, action: str) -> None:
        if self._state != expected:
            raise RuntimeError(f"cannot {action} a {self._state} feed writer")
        self._state = new

    def _row(self, cells) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([escape_formula(c) for c in cells])
        self._stream.write(buffer.getvalue().encode("utf-8"))
