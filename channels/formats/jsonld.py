"""schema.org product data as JSON-LD, for storefronts to embed in their product pages.

The file holds one line per product, each line a complete JSON-LD document with
``"@context": "https://schema.org"`` (NDJSON-style), so a storefront finds its product's
line by ``productGroupID`` (a model with variants) or ``sku`` (a standalone product) and
puts it as-is in a ``<script type="application/ld+json">`` element:

* a model with variants is a ``ProductGroup`` (schema.org; Google's "product variant
  structured data"): ``productGroupID`` (the ``item_group_id``), ``name`` (the model's
  label), ``description``, ``brand``, ``url`` (the variants' page without its query, when
  they share one page), ``variesBy`` (the schema.org URLs of the axes Google supports:
  color, size, material, pattern, suggestedGender, suggestedAge) and ``hasVariant``, one
  ``Product`` per variant with its ``sku``, ``gtin``, ``name``, ``image``, axis values
  and ``offers``. Axes Google does not know are given on each variant as
  ``additionalProperty`` (``PropertyValue``) and left out of ``variesBy``;
* a standalone product is a ``Product`` with the same properties;
* an ``Offer`` has ``price`` (``"15.00"``), ``priceCurrency``, ``availability`` and
  ``itemCondition`` (schema.org URLs for Google's ``in_stock``… and ``new``…) and
  ``url``. With a lower ``sale_price``, ``price`` is the sale price and the regular price
  follows as a ``UnitPriceSpecification`` with ``priceType`` StrikethroughPrice (a sale
  price that is not lower is ignored).

Descriptions are reduced to text. The JSON is safe inside ``<script>``: ``<``, ``>`` and
``&`` are written ``\\u003c``, ``\\u003e``, ``\\u0026`` (so ``</script>`` in a description
cannot end the element), U+2028/U+2029 escaped too; other characters are kept as UTF-8.
"""

from __future__ import annotations

import gzip
import json
import re
from decimal import Decimal
from typing import BinaryIO
from urllib.parse import urlsplit, urlunsplit

from channels.formats.base import (
    FOR_A_VARIANT,
    REQUIRED,
    Field,
    OrderedCalls,
    field_problem,
    group_key,
    is_blank,
    other_currency,
)
from channels.formats.google import format_value
from channels.formats.gtin import gtin_problem, strip_separators
from channels.formats.text import clean_xml_text, collapse_whitespace, is_markup, strip_html
from pim.i18n import N_

CONTEXT = "https://schema.org"
SCHEMA = "https://schema.org/"
AVAILABILITY = {
    "in_stock": "InStock",
    "out_of_stock": "OutOfStock",
    "preorder": "PreOrder",
    "backorder": "BackOrder",
}
CONDITION = {"new": "NewCondition", "refurbished": "RefurbishedCondition", "used": "UsedCondition"}
STRIKETHROUGH = SCHEMA + "StrikethroughPrice"
GENDERS = frozenset({"male", "female", "unisex"})
# Google's age groups in years, as its structured data documentation maps them.
AGE_RANGES: dict[str, tuple[Decimal, Decimal | None]] = {
    "newborn": (Decimal(0), Decimal("0.25")),
    "infant": (Decimal("0.25"), Decimal(1)),
    "toddler": (Decimal(1), Decimal(5)),
    "kids": (Decimal(5), Decimal(13)),
    "adult": (Decimal(13), None),
}
# Which schema.org property an axis is, from its code or label (a few languages).
AXIS_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("color", re.compile(r"colou?r|couleur|farbe|colore")),
    ("size", re.compile(r"size|taille|gr(ö|oe)(ß|ss)e|taglia|talla")),
    ("material", re.compile(r"material|mati[eè]re")),
    ("pattern", re.compile(r"pattern|motif|muster")),
    ("suggestedGender", re.compile(r"gender|genre|geschlecht")),
    ("suggestedAge", re.compile(r"(^|[^a-z])age([^a-z]|$)|age_?group")),
)
TEXT_PROPERTIES = ("color", "size", "material", "pattern")
TYPES = frozenset({"Product", "ProductGroup"})
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_MAX_PROBLEMS = 100

FIELDS: tuple[Field, ...] = (
    Field("id", required=True),
    Field("price", required=True),
    Field("link", required=True),
)


# --- values -------------------------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None else collapse_whitespace(clean_xml_text(str(value)))


def _keyword(value: object) -> str:
    return _text(value).lower().replace(" ", "_")


def description(value: object) -> str:
    """A description as text: HTML reduced to what a reader sees."""
    text = clean_xml_text(str(value))
    return strip_html(text) if is_markup(text) else collapse_whitespace(text)


def price(value: object) -> tuple[str, str]:
    """``("15.00", "EUR")``; ValueError says what is wrong."""
    amount, currency = format_value("price", value).split()
    return amount, currency


def gtin(value: object) -> str:
    """The GTIN's digits; ValueError when the length or check digit is wrong."""
    digits = strip_separators(_text(value))
    reason = gtin_problem(digits)
    if reason:
        raise ValueError(reason)
    return digits


def axis_property(axis: dict) -> str | None:
    """The schema.org property an axis varies (``color``, ``suggestedAge``…), or None."""
    for key in ("code", "label"):
        text = str(axis.get(key) or "").lower()
        for name, pattern in AXIS_PATTERNS:
            if text and pattern.search(text):
                return name
    return None


def page(url: str) -> str:
    """``url`` without its query and fragment: the page, whichever variant is selected."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def dumps(document: dict) -> str:
    """One line of JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_SAFE)


# --- checking -----------------------------------------------------------------------------


def check_item(item: dict) -> list[str]:
    """Every reason ``item`` cannot be described, each a sentence naming the field."""
    problems: list[str] = []
    for spec in FIELDS:
        problems += spec.problems(item.get(spec.name))
    if not _name(item):
        problems.append(field_problem("title", REQUIRED))
    problems += _formatted_problems(item)
    if not is_blank(item.get("availability")) and _keyword(item["availability"]) not in (
        AVAILABILITY
    ):
        problems.append(
            field_problem(
                "availability",
                N_("%(value)s is not one of %(allowed)s"),
                value=repr(_text(item["availability"])),
                allowed=", ".join(AVAILABILITY),
            )
        )
    if not is_blank(item.get("condition")) and _keyword(item["condition"]) not in CONDITION:
        problems.append(
            field_problem(
                "condition",
                N_("%(value)s is not one of %(allowed)s"),
                value=repr(_text(item["condition"])),
                allowed=", ".join(CONDITION),
            )
        )
    if item.get("_variant") and is_blank(item.get("item_group_id")):
        problems.append(field_problem("item_group_id", FOR_A_VARIANT))
    return problems


def _formatted_problems(item: dict) -> list[str]:
    """Values that must parse: prices, the GTIN and URLs."""
    problems = []
    checks = {"price": price, "sale_price": price, "gtin": gtin, "link": _url, "image_link": _url}
    for name, parse in checks.items():
        if not is_blank(item.get(name)):
            try:
                parse(item[name])
            except ValueError as error:
                problems.append(field_problem(name, error))
    for url in _extra_images(item):
        try:
            _url(url)
        except ValueError as error:
            problems.append(field_problem("additional_image_link", error))
    if not problems and not any(is_blank(item.get(n)) for n in ("price", "sale_price")):
        sale, regular = price(item["sale_price"])[1], price(item["price"])[1]
        if sale != regular:
            problems.append(other_currency(sale, regular))
    return problems


def _url(value: object) -> str:
    return format_value("link", value)


def _extra_images(item: dict) -> list:
    raw = item.get("additional_image_link")
    if is_blank(raw):
        return []
    return [raw] if isinstance(raw, str) else [url for url in raw if not is_blank(url)]


def _name(item: dict) -> str:
    return _text(item.get("title")) or _text(item.get("_group_label"))


# --- building documents -------------------------------------------------------------------


def offer(item: dict) -> dict:
    """The ``Offer`` of a checked item."""
    amount, currency = price(item["price"])
    result = {"@type": "Offer", "url": _url(item["link"])}
    if not is_blank(item.get("sale_price")):
        sale, _ = price(item["sale_price"])
        if Decimal(sale) < Decimal(amount):
            result |= {
                "price": sale,
                "priceCurrency": currency,
                "priceSpecification": {
                    "@type": "UnitPriceSpecification",
                    "priceType": STRIKETHROUGH,
                    "price": amount,
                    "priceCurrency": currency,
                },
            }
    result.setdefault("price", amount)
    result.setdefault("priceCurrency", currency)
    if not is_blank(item.get("availability")):
        result["availability"] = SCHEMA + AVAILABILITY[_keyword(item["availability"])]
    if not is_blank(item.get("condition")):
        result["itemCondition"] = SCHEMA + CONDITION[_keyword(item["condition"])]
    return result


def product(item: dict, *, standalone: bool) -> dict:
    """The ``Product`` of one checked item: a variant, or a whole standalone product."""
    result: dict = {"@type": "Product", "sku": _text(item["id"])}
    if not is_blank(item.get("gtin")):
        result["gtin"] = gtin(item["gtin"])
    result["name"] = _name(item)
    if standalone:
        result |= _shared(item)
    image = [item.get("image_link"), *_extra_images(item)]
    urls = list(dict.fromkeys(_url(url) for url in image if not is_blank(url)))
    if urls:
        result["image"] = urls
    result |= _characteristics(item)
    result["offers"] = offer(item)
    return result


def _shared(item: dict) -> dict:
    """What variants share and a group states once: description and brand."""
    result = {}
    if not is_blank(item.get("description")) and (text := description(item["description"])):
        result["description"] = text
    if not is_blank(item.get("brand")):
        result["brand"] = {"@type": "Brand", "name": _text(item["brand"])}
    return result


def _characteristics(item: dict) -> dict:
    """Color, size, material, pattern and audience, from the axes or the item's fields."""
    values: dict[str, str] = {}
    extra = []
    for axis in item.get("_axes") or []:
        label = _text(axis.get("value_label") or axis.get("value"))
        name = axis_property(axis)
        if name in ("suggestedGender", "suggestedAge"):
            values[name] = _keyword(axis.get("value") or label)
            if _audience({name: values[name]}):
                continue
        elif name is not None:
            values[name] = label
            continue
        extra.append({"@type": "PropertyValue", "name": _axis_label(axis), "value": label})
    for name, key in (*((p, p) for p in TEXT_PROPERTIES), ("suggestedGender", "gender")):
        if name not in values and not is_blank(item.get(key)):
            values[name] = _text(item[key]) if name in TEXT_PROPERTIES else _keyword(item[key])
    if "suggestedAge" not in values and not is_blank(item.get("age_group")):
        values["suggestedAge"] = _keyword(item["age_group"])
    result: dict = {name: values[name] for name in TEXT_PROPERTIES if values.get(name)}
    if audience := _audience(values):
        result["audience"] = audience
    if extra:
        result["additionalProperty"] = extra
    return result


def _axis_label(axis: dict) -> str:
    return _text(axis.get("label") or axis.get("code"))


def _audience(values: dict[str, str]) -> dict | None:
    """A ``PeopleAudience`` for Google's gender and age group words, None for others."""
    audience: dict = {}
    if values.get("suggestedGender") in GENDERS:
        audience["suggestedGender"] = values["suggestedGender"]
    if values.get("suggestedAge") in AGE_RANGES:
        low, high = AGE_RANGES[values["suggestedAge"]]
        audience["suggestedMinAge"] = _number(low)
        if high is not None:
            audience["suggestedMaxAge"] = _number(high)
    return {"@type": "PeopleAudience", **audience} if audience else None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def group_document(items: list[dict]) -> dict:
    """The ``ProductGroup`` of a model's checked variants, in feed order."""
    first = items[0]
    document: dict = {
        "@context": CONTEXT,
        "@type": "ProductGroup",
        "productGroupID": _text(first["item_group_id"]),
        "name": _text(first.get("_group_label")) or _name(first),
        **_shared(first),
    }
    pages = {page(_url(item["link"])) for item in items}
    if len(pages) == 1:
        document["url"] = pages.pop()
    varies = dict.fromkeys(
        SCHEMA + name
        for item in items
        for axis in item.get("_axes") or []
        if (name := axis_property(axis)) and _varies(name, axis)
    )
    if varies:
        document["variesBy"] = list(varies)
    document["hasVariant"] = [product(item, standalone=False) for item in items]
    return document


def _varies(name: str, axis: dict) -> bool:
    """Gender and age axes count only with Google's words (else they are additional)."""
    if name not in ("suggestedGender", "suggestedAge"):
        return True
    word = _keyword(axis.get("value") or axis.get("value_label"))
    return _audience({name: word}) is not None


def document_for(items: list[dict]) -> dict:
    """The JSON-LD document of one product: a ProductGroup, or a Product when standalone."""
    if is_blank(items[0].get("item_group_id")):
        return {"@context": CONTEXT, **product(items[0], standalone=True)}
    return group_document(items)


# --- the writer ---------------------------------------------------------------------------


class JsonLdWriter(OrderedCalls):
    """One JSON-LD document per product, a line each; see the module's description."""

    extension = "jsonld"
    content_type = "application/ld+json"
    grouped = True

    def __init__(self) -> None:
        self._stream: BinaryIO | None = None
        self._buffer: list[dict] = []

    def check(self, item: dict) -> list[str]:
        """Problems that keep ``item`` out of the file; see :func:`check_item`."""
        return check_item(item)

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        """Start the file; JSON-LD lines have no header, the channel metadata is not used."""
        self._move("new", "open", "open")
        self._stream = stream

    def write(self, item: dict) -> None:
        """Buffer ``item``; a product's line is written once its last variant is in."""
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
        if self._buffer:
            items, self._buffer = self._buffer, []
            self._stream.write(dumps(document_for(items)).encode("utf-8") + b"\n")

    @classmethod
    def validate_file(cls, path, *, gzipped: bool) -> list[str]:
        """Problems of a written file, each naming its line."""
        opener = gzip.open if gzipped else open
        problems: list[str] = []
        groups: dict[str, int] = {}
        try:
            with opener(path, "rt", encoding="utf-8", newline="\n") as text:
                for number, line in enumerate(text, start=1):
                    problems += _line_problems(number, line.rstrip("\n"), groups)
        except (UnicodeDecodeError, OSError) as error:
            return [f"the file cannot be read as UTF-8 text: {error}"]
        if len(problems) > _MAX_PROBLEMS:
            more = len(problems) - _MAX_PROBLEMS
            problems = [*problems[:_MAX_PROBLEMS], f"… and {more} more problems"]
        return problems


def _line_problems(number: int, line: str, groups: dict[str, int]) -> list[str]:
    where = f"line {number}"
    if "<" in line:
        return [f"{where}: has a raw '<', which could end the page's <script> element"]
    try:
        document = json.loads(line)
    except ValueError as error:
        return [f"{where}: is not JSON ({error})"]
    if not isinstance(document, dict):
        return [f"{where}: is not a JSON object"]
    if str(document.get("@context", "")).rstrip("/") not in (CONTEXT, "http://schema.org"):
        return [f"{where}: @context is not https://schema.org"]
    kind = document.get("@type")
    if kind not in TYPES:
        return [f"{where}: @type {kind!r} is not Product or ProductGroup"]
    if kind == "Product":
        return _offer_problems(where, document)
    group = document.get("productGroupID")
    problems = [] if group else [f"{where}: ProductGroup has no productGroupID"]
    if group in groups:
        problems.append(f"{where}: productGroupID {group!r} is on line {groups[group]} too")
    groups.setdefault(group, number)
    variants = document.get("hasVariant")
    if not isinstance(variants, list) or not variants:
        return [*problems, f"{where}: ProductGroup has no hasVariant"]
    for index, variant in enumerate(variants, start=1):
        if not isinstance(variant, dict) or variant.get("@type") != "Product":
            problems.append(f"{where}: variant {index} is not a Product")
        else:
            problems += _offer_problems(f"{where}, variant {index}", variant)
    return problems


def _offer_problems(where: str, document: dict) -> list[str]:
    offers = document.get("offers")
    offers = offers if isinstance(offers, list) else [offers]
    problems = []
    for one in offers:
        if not isinstance(one, dict):
            problems.append(f"{where}: has no offer")
            continue
        problems += [
            f"{where}: offer has no {key}"
            for key in ("price", "priceCurrency")
            if is_blank(one.get(key))
        ]
    return problems
