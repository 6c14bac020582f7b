"""Shopify product CSV, the file of Shopify's product import (admin → Products → Import).

Columns and rules follow Shopify's help page "Using CSV files to import and export
products" (help.shopify.com/en/manual/products/import-export/using-csv):

* one row per variant, and every row of a product shares its ``Handle``; rows of one
  handle are consecutive (items arrive grouped, see ``grouped`` in
  :mod:`channels.formats.base`). The handle is the slug of ``item_group_id`` — of ``id``
  for a standalone product: lower-case ASCII letters, digits and hyphens;
* product columns (Title, Body (HTML), Vendor, Product Category, Type, Tags, Published,
  the option names, Gift Card, SEO Title, SEO Description, Status) are filled on the
  first row of a handle only, variant columns on every variant row;
* at most three options: ``OptionN Name`` is a variant axis label, ``OptionN Value`` the
  variant's value label. A product without variants gets Shopify's own convention,
  ``Option1 Name = Title`` and ``Option1 Value = Default Title``. Two variants of one
  product never share their option values (the second one is refused in ``check``);
* images: every distinct picture of the product (the variants' ``image_link`` first, then
  the additional links) once, on rows of their own after the variant rows, carrying only
  Handle, Image Src, Image Position and Image Alt Text; ``Variant Image`` links each
  variant to its own picture;
* prices are amounts only (``15.00``), since a Shopify shop sells in its own currency.
  A ``sale_price`` lower than the price becomes ``Variant Price`` and the regular price
  ``Variant Compare At Price``; a sale price that is not lower is ignored;
* ``Variant Grams`` is the weight in whole grams; ``Variant Weight Unit`` is the unit the
  catalogue uses (g, kg, lb, oz), which is how the admin shows the weight;
* ``Product Category`` takes a category path (Shopify's taxonomy descends from Google's);
  a bare Google category number is left out, since Shopify's category ids differ.

The file is plain UTF-8 without a byte order mark, quoted by the :mod:`csv` module. Shopify
reads every cell as text, so a barcode such as ``0012345678905`` keeps its leading zeros
(a spreadsheet that opens and saves the file would turn it into a number: import the
barcode column as text when editing it there). Cells a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading ``'``
(:func:`~channels.formats.text.escape_formula`); Shopify keeps that apostrophe, the price
of a file that is safe to open. Barcodes are digits only and never need it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import BinaryIO

from channels.formats.base import (
    FOR_A_VARIANT,
    REQUIRED,
    Field,
    OrderedCalls,
    field_problem,
    group_key,
    is_blank,
    not_a_number,
    other_currency,
    too_long,
)
from channels.formats.google import format_value
from channels.formats.gtin import strip_separators
from channels.formats.text import clean_xml_text, collapse_whitespace, escape_formula
from pim.i18n import N_, english
from pim.units import UNIT_FAMILIES

# fmt: off
COLUMNS: tuple[str, ...] = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags",
    "Published", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
    "Option3 Name", "Option3 Value", "Variant SKU", "Variant Grams",
    "Variant Inventory Tracker", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src",
    "Image Position", "Image Alt Text", "Gift Card", "SEO Title", "SEO Description",
    "Variant Image", "Variant Weight Unit", "Status",
)
# fmt: on
IMAGE_COLUMNS = ("Handle", "Image Src", "Image Position", "Image Alt Text")
PRICE_COLUMNS = ("Variant Price", "Variant Compare At Price")
_BARCODE = COLUMNS.index("Variant Barcode")
MAX_OPTIONS = 3
MAX_LENGTH = 255  # Shopify's limit for titles, handles, SKUs and option values
#: the name problems of a variant's option values go under
OPTION_VALUES = "option values"
MAX_SEO_TITLE = 70
MAX_SEO_DESCRIPTION = 320
DEFAULT_OPTION = ("Title", "Default Title")
GRAMS = UNIT_FAMILIES["Weight"]  # Akeneo unit code → grams
WEIGHT_UNITS = {"MILLIGRAM": "g", "GRAM": "g", "KILOGRAM": "kg", "OUNCE": "oz", "POUND": "lb"}
_UNIT_SYMBOLS = {"mg": "MILLIGRAM", "g": "GRAM", "kg": "KILOGRAM", "oz": "OUNCE", "lb": "POUND"}
# Google availabilities that still take orders: Shopify keeps selling when out of stock.
SELL_WHEN_OUT = frozenset({"backorder", "preorder"})
_CENT = Decimal("0.01")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_MAX_PROBLEMS = 100

FIELDS: tuple[Field, ...] = (
    Field("id", required=True, max_length=MAX_LENGTH),
    Field("item_group_id", max_length=MAX_LENGTH),
    Field("brand", max_length=MAX_LENGTH),
    Field("product_type", max_length=MAX_LENGTH),
)


# --- values -------------------------------------------------------------------------------


def slugify(text: object) -> str:
    """``text`` as a Shopify handle: accents dropped, lower-case a-z, 0-9 and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:MAX_LENGTH].rstrip("-")


def handle_of(item: dict) -> str:
    """The Shopify handle of the product ``item`` belongs to."""
    return slugify(group_key(item)[1])


def product_title(item: dict) -> str:
    """The product's title: the model's label, else the item's own title."""
    label = item.get("_group_label")
    return _line(item.get("title") if is_blank(label) else label)


def amount(value: object) -> tuple[Decimal, str | None]:
    """The amount (≥ 0) and currency, if given, of a price; ValueError says what is wrong.

    Takes ``{"amount", "currency"}``, ``(amount, currency)``, ``"15 EUR"`` or a number.
    """
    if isinstance(value, dict):
        raw, currency = value.get("amount"), value.get("currency")
    elif isinstance(value, list | tuple) and len(value) == 2:
        raw, currency = value
    elif isinstance(value, str) and len(value.split()) == 2:
        raw, currency = value.split()
    else:
        raw, currency = value, None
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(not_a_number(raw)) from None
    if not number.is_finite():
        raise ValueError(not_a_number(raw))
    if number < 0:
        raise ValueError(english(N_("must not be negative (%(amount)s)"), amount=raw))
    return number + 0, (str(currency).strip().upper() if currency else None)


def money(number: Decimal) -> str:
    """``15.00``: two decimals, rounded half up."""
    return str(number.quantize(_CENT, ROUND_HALF_UP))


def prices(item: dict) -> tuple[str, str]:
    """``(Variant Price, Variant Compare At Price)`` of a checked item."""
    price, _ = amount(item["price"])
    if is_blank(item.get("sale_price")):
        return money(price), ""
    sale, _ = amount(item["sale_price"])
    if sale < price:
        return money(sale), money(price)
    return money(price), ""


def weight(value: object) -> tuple[int, str]:
    """Whole grams and the display unit of ``{"amount", "unit"}`` (Akeneo unit codes)."""
    if isinstance(value, dict):
        raw, unit = value.get("amount"), value.get("unit")
    elif isinstance(value, list | tuple) and len(value) == 2:
        raw, unit = value
    else:
        raise ValueError(
            english(N_("must give an amount and a unit (%(value)s)"), value=repr(value))
        )
    code = _UNIT_SYMBOLS.get(str(unit).strip().lower(), str(unit).strip().upper())
    if code not in GRAMS:
        known = ", ".join(GRAMS)
        raise ValueError(
            english(N_("unit must be one of %(units)s, not %(unit)s"), units=known, unit=repr(unit))
        )
    number, _ = amount(raw)
    grams = (number * GRAMS[code]).quantize(Decimal(1), ROUND_HALF_UP)
    return int(grams), WEIGHT_UNITS[code]


def options(item: dict) -> list[tuple[str, str]]:
    """``(name, value)`` per option: the variant axes, or Shopify's ``Title / Default Title``."""
    if not item.get("_variant"):
        return [DEFAULT_OPTION]
    return [(_axis_name(axis), _axis_value(axis)) for axis in item.get("_axes") or []]


def _axis_name(axis: dict) -> str:
    return _line(axis.get("label") or axis.get("code") or "")


def _axis_value(axis: dict) -> str:
    label = axis.get("value_label")
    return _line(axis.get("value") if is_blank(label) else label)


def tags(value: object) -> str:
    """Tags as Shopify writes them: comma-separated, each once (a tag has no comma)."""
    parts = value if isinstance(value, list | tuple | set) else [value]
    found = [_line(tag) for part in parts for tag in str(part).split(",")]
    return ", ".join(dict.fromkeys(tag for tag in found if tag))


def images(items: list[dict]) -> list[str]:
    """Every distinct image URL of a product: the variants' pictures, then additional ones."""
    urls = [item.get("image_link") for item in items]
    for item in items:
        extra = item.get("additional_image_link") or []
        urls += [extra] if isinstance(extra, str) else list(extra)
    return list(dict.fromkeys(_line(url) for url in urls if not is_blank(url)))


def _line(value: object) -> str:
    return "" if value is None else collapse_whitespace(clean_xml_text(str(value)))


def _body(value: object) -> str:
    """The description as given (HTML allowed), without the characters files cannot hold."""
    if is_blank(value):
        return ""
    text = clean_xml_text(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _category(value: object) -> str:
    text = _line(value)
    return "" if text.isdigit() else text


# --- checking -----------------------------------------------------------------------------


def check_item(item: dict) -> list[str]:
    """What keeps ``item`` out of a Shopify file on its own (its group aside)."""
    problems: list[str] = []
    for spec in FIELDS:
        problems += spec.problems(item.get(spec.name))
    title = product_title(item)
    if not title:
        problems.append(field_problem("title", REQUIRED))
    elif len(title) > MAX_LENGTH:
        problems.append(too_long("title", len(title), MAX_LENGTH))
    problems += _price_problems(item)
    problems += _value_problems(item)
    problems += _option_problems(item)
    if not is_blank(item.get("id")) and not handle_of(item):
        name = "item_group_id" if group_key(item)[0] == "group" else "id"
        problems.append(
            field_problem(name, N_("gives no Shopify handle (it needs ASCII letters or digits)"))
        )
    return problems


def _price_problems(item: dict) -> list[str]:
    if is_blank(item.get("price")):
        return [field_problem("price", REQUIRED)]
    try:
        _, currency = amount(item["price"])
    except ValueError as error:
        return [field_problem("price", error)]
    if is_blank(item.get("sale_price")):
        return []
    try:
        _, sale_currency = amount(item["sale_price"])
    except ValueError as error:
        return [field_problem("sale_price", error)]
    if currency and sale_currency and currency != sale_currency:
        return [other_currency(sale_currency, currency)]
    return []


def _value_problems(item: dict) -> list[str]:
    problems = []
    if not is_blank(item.get("weight")):
        try:
            weight(item["weight"])
        except ValueError as error:
            problems.append(field_problem("weight", error))
    gtin = item.get("gtin")
    if not is_blank(gtin) and not (_barcode(gtin).isascii() and _barcode(gtin).isdigit()):
        problems.append(
            field_problem("gtin", N_("must contain only digits (%(gtin)s)"), gtin=_line(gtin))
        )
    for name in ("image_link", "additional_image_link"):
        raw = item.get(name)
        urls = [] if is_blank(raw) else [raw] if isinstance(raw, str) else list(raw)
        for url in urls:
            try:
                format_value("link", url)
            except ValueError as error:
                problems.append(field_problem(name, error))
    return problems


def _barcode(value: object) -> str:
    return strip_separators(_line(value))


def _option_problems(item: dict) -> list[str]:
    if not item.get("_variant"):
        return []
    problems = []
    if is_blank(item.get("item_group_id")):
        problems.append(field_problem("item_group_id", FOR_A_VARIANT))
    axes = item.get("_axes") or []
    if not axes:
        return [*problems, field_problem(OPTION_VALUES, N_("variant has no axis values"))]
    if len(axes) > MAX_OPTIONS:
        names = ", ".join(_axis_name(axis) for axis in axes)
        problems.append(
            field_problem(
                "_axes",
                N_(
                    "Shopify allows at most %(limit)s options, this product has %(count)s "
                    "(%(names)s)"
                ),
                limit=MAX_OPTIONS,
                count=len(axes),
                names=names,
            )
        )
    for name, value in options(item):
        if not value:
            problems.append(
                field_problem(OPTION_VALUES, N_("%(name)s has no value"), name=name or "an axis")
            )
        elif len(value) > MAX_LENGTH:
            problems.append(
                field_problem(
                    OPTION_VALUES,
                    N_("%(name)s is longer than %(limit)s characters"),
                    name=name,
                    limit=MAX_LENGTH,
                )
            )
    return problems


@dataclass
class _Group:
    """What ``check`` remembers of the product being checked: enough to refuse clashes."""

    key: tuple[str, str] | None = None
    handle: str = ""
    names: tuple[str, ...] | None = None
    seen: dict[tuple[str, ...], str] = field(default_factory=dict)  # option values → id


# --- the writer ---------------------------------------------------------------------------


class ShopifyCSVWriter(OrderedCalls):
    """Shopify's product CSV: a row per variant, then a row per image, product by product."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    grouped = True

    def __init__(self) -> None:
        self._stream: BinaryIO | None = None
        self._checked = _Group()
        self._buffer: list[dict] = []

    def check(self, item: dict) -> list[str]:
        """Problems of ``item`` itself, then clashes with the product's earlier variants.

        Items are checked in feed order right before they are written, so remembering the
        option values of the product in hand finds two variants Shopify could not tell
        apart; checking the same item twice is harmless.
        """
        problems = check_item(item)
        if problems:
            return problems
        key, handle = group_key(item), handle_of(item)
        group = self._checked
        if key != group.key:
            if handle == group.handle:
                name = "item_group_id" if key[0] == "group" else "id"
                return [
                    field_problem(
                        name,
                        N_(
                            "its handle %(handle)s is the previous product's (%(previous)s); "
                            "Shopify would merge them"
                        ),
                        handle=repr(handle),
                        previous=group.key[1],
                    )
                ]
            group = self._checked = _Group(key=key, handle=handle)
        return self._clashes(item, group)

    def _clashes(self, item: dict, group: _Group) -> list[str]:
        pairs = options(item)
        names = tuple(name.casefold() for name, _ in pairs)
        values = tuple(value.casefold() for _, value in pairs)
        if group.names is not None and names != group.names:
            shown = " / ".join(name for name, _ in pairs)
            return [
                field_problem(
                    "_axes",
                    N_("option names %(names)s differ from the product's other variants"),
                    names=shown,
                )
            ]
        sku = _line(item["id"])
        owner = group.seen.get(values, sku)
        if owner != sku:
            shown = " / ".join(value for _, value in pairs)
            return [
                field_problem(
                    OPTION_VALUES,
                    N_("%(values)s are already used by %(owner)s in this product"),
                    values=shown,
                    owner=owner,
                )
            ]
        group.names, group.seen[values] = names, sku
        return []

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        """Write the header row; a CSV file has no place for the channel metadata."""
        self._move("new", "open", "open")
        self._stream = stream
        self._row(COLUMNS, escape=False)

    def write(self, item: dict) -> None:
        """Buffer ``item``; a product's rows are written once its last variant is in."""
        self._move("open", "open", "write to")
        if self._buffer and group_key(self._buffer[0]) != group_key(item):
            self._flush()
        self._buffer.append(item)

    def close(self) -> None:
        """Write the last product and flush; the stream itself stays open."""
        self._move("open", "closed", "close")
        self._flush()
        self._stream.flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        items, self._buffer = self._buffer, []
        handle, title = handle_of(items[0]), product_title(items[0])
        for index, item in enumerate(items):
            cells = _variant_cells(item, handle)
            if index == 0:
                cells |= _product_cells(item, title)
            self._row([cells.get(column, "") for column in COLUMNS])
        for position, url in enumerate(images(items), start=1):
            cells = dict(zip(IMAGE_COLUMNS, (handle, url, str(position), title), strict=True))
            self._row([cells.get(column, "") for column in COLUMNS])

    def _row(self, cells, *, escape: bool = True) -> None:
        if escape:  # barcodes are digits only (checked) and must stay exactly as they are
            cells = [c if i == _BARCODE else escape_formula(c) for i, c in enumerate(cells)]
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        self._stream.write(buffer.getvalue().encode("utf-8"))

    @classmethod
    def validate_file(cls, path, *, gzipped: bool) -> list[str]:
        """Problems of a written file, each naming its row (the header is row 1)."""
        opener = gzip.open if gzipped else open
        try:
            with opener(path, "rt", encoding="utf-8", newline="") as text:
                problems = _FileCheck().run(csv.reader(text))
        except (UnicodeDecodeError, csv.Error, OSError) as error:
            return [f"the file cannot be read as UTF-8 CSV: {error}"]
        if len(problems) > _MAX_PROBLEMS:
            more = len(problems) - _MAX_PROBLEMS
            problems = [*problems[:_MAX_PROBLEMS], f"… and {more} more problems"]
        return problems


def _variant_cells(item: dict, handle: str) -> dict[str, str]:
    price, compare_at = prices(item)
    availability = str(item.get("availability") or "").strip().lower().replace(" ", "_")
    cells = {
        "Handle": handle,
        "Variant SKU": _line(item["id"]),
        "Variant Inventory Policy": "continue" if availability in SELL_WHEN_OUT else "deny",
        "Variant Fulfillment Service": "manual",
        "Variant Price": price,
        "Variant Compare At Price": compare_at,
        "Variant Requires Shipping": "TRUE",
        "Variant Taxable": "TRUE",
        "Variant Image": _line(item.get("image_link")),
    }
    if not is_blank(item.get("gtin")):
        cells["Variant Barcode"] = _barcode(item["gtin"])
    if not is_blank(item.get("weight")):
        grams, unit = weight(item["weight"])
        cells |= {"Variant Grams": str(grams), "Variant Weight Unit": unit}
    for number, (_, value) in enumerate(options(item), start=1):
        cells[f"Option{number} Value"] = value
    return cells


def _product_cells(item: dict, title: str) -> dict[str, str]:
    cells = {
        "Title": title,
        "Body (HTML)": _body(item.get("description")),
        "Vendor": _line(item.get("brand")),
        "Product Category": _category(item.get("google_product_category")),
        "Type": _line(item.get("product_type")),
        "Tags": "" if is_blank(item.get("tags")) else tags(item["tags"]),
        "Published": "TRUE",
        "Gift Card": "FALSE",
        "SEO Title": _line(item.get("seo_title"))[:MAX_SEO_TITLE],
        "SEO Description": _line(item.get("seo_description"))[:MAX_SEO_DESCRIPTION],
        "Status": "active",
    }
    for number, (name, _) in enumerate(options(item), start=1):
        cells[f"Option{number} Name"] = name
    return cells


# --- validating a written file ------------------------------------------------------------


class _FileCheck:
    """One pass over a Shopify CSV: handles consecutive, options consistent, prices numbers."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.first_row: dict[str, int] = {}  # handle → row where it started
        self.handle = ""
        self.names: list[str] = []
        self.combos: dict[tuple[str, ...], int] = {}
        self.reappeared = False

    def run(self, reader) -> list[str]:
        header = next(reader, None)
        if header is None:
            return ["the file is empty: the header row is missing"]
        if header[:1] and header[0].startswith("\ufeff"):
            self.problems.append("row 1: starts with a byte order mark; Shopify expects none")
            header = [header[0].lstrip("\ufeff"), *header[1:]]
        if tuple(header) != COLUMNS:
            missing = [c for c in COLUMNS if c not in header]
            extra = [c for c in header if c not in COLUMNS]
            return [
                *self.problems,
                f"row 1: not Shopify's product CSV header (missing: {', '.join(missing) or '-'};"
                f" unexpected: {', '.join(extra) or '-'})",
            ]
        for number, cells in enumerate(reader, start=2):
            if len(cells) != len(COLUMNS):
                self.problems.append(
                    f"row {number}: {len(cells)} cells, the header has {len(COLUMNS)}"
                )
                continue
            self.row(number, dict(zip(COLUMNS, cells, strict=True)))
        return self.problems

    def row(self, number: int, row: dict[str, str]) -> None:
        handle = row["Handle"]
        if not _SLUG.fullmatch(handle):
            self.problems.append(
                f"row {number}: handle {handle!r} is not lower-case a-z, 0-9 and hyphens"
            )
        if handle != self.handle:
            self.start(number, handle, row)
        for column in PRICE_COLUMNS:
            self.price(number, column, row[column])
        if row["Variant Grams"] and not row["Variant Grams"].isdigit():
            self.problems.append(
                f"row {number}: Variant Grams {row['Variant Grams']!r} is not a whole number"
            )
        if _is_variant(row) and not self.reappeared:
            self.variant(number, row)

    def start(self, number: int, handle: str, row: dict[str, str]) -> None:
        self.handle, self.combos = handle, {}
        self.names = [row[f"Option{n} Name"] for n in range(1, MAX_OPTIONS + 1)]
        self.reappeared = handle in self.first_row
        if self.reappeared:
            # Its rows belong to a product seen before: one problem says it all.
            self.problems.append(
                f"row {number}: handle {handle!r} reappears after other "
                f"products (it started on row {self.first_row[handle]})"
            )
            return
        self.first_row[handle] = number
        if not row["Title"]:
            self.problems.append(f"row {number}: the first row of {handle!r} has no Title")

    def price(self, number: int, column: str, text: str) -> None:
        if not text:
            return
        try:
            valid = Decimal(text).is_finite() and Decimal(text) >= 0
        except InvalidOperation:
            valid = False
        if not valid:
            self.problems.append(f"row {number}: {column} {text!r} is not a number")

    def variant(self, number: int, row: dict[str, str]) -> None:
        values = []
        for n, expected in enumerate(self.names, start=1):
            name, value = row[f"Option{n} Name"], row[f"Option{n} Value"]
            if name and name != expected:
                self.problems.append(
                    f"row {number}: Option{n} Name {name!r} differs from "
                    f"{expected!r} on the product's first row"
                )
            if value and not expected:
                self.problems.append(f"row {number}: Option{n} Value without an Option{n} Name")
            if expected and not value:
                self.problems.append(f"row {number}: Option{n} Value is missing")
            values.append(value.casefold())
        combo = tuple(values)
        if combo in self.combos:
            self.problems.append(f"row {number}: the option values repeat row {self.combos[combo]}")
        self.combos.setdefault(combo, number)
        if not row["Variant Price"]:
            self.problems.append(f"row {number}: Variant Price is missing")


def _is_variant(row: dict[str, str]) -> bool:
    """Image rows carry only the handle and image columns; every other row is a variant."""
    return any(value for column, value in row.items() if column not in IMAGE_COLUMNS)
