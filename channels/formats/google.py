"""Google Merchant Center product data, as RSS 2.0 XML or as tab-separated text.

Attribute names, limits and supported values follow Google's product data specification
(support.google.com/merchants/answer/7052112) and its RSS 2.0 page (answer/14987622).
Items are plain dicts keyed by attribute name; see :data:`ATTRIBUTES` for the ones known
here and :func:`check_item` for the rules. Values are normalised the same way for both
files: whitespace collapsed, HTML descriptions reduced to text, prices written
``15.00 EUR``, GTINs without separators, booleans as ``yes``/``no``.

Both writers stream: an item is formatted, written and forgotten, so memory does not
grow with the catalogue. Values are formatted once: :meth:`check` keeps what it formatted
for a publishable item, and :meth:`write` uses it when handed the same, unchanged dict.
The formatters take a fast path for the common case (printable text, plain ``http(s)``
URLs, ``Decimal`` amounts) that gives exactly what the general path would.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import BinaryIO
from urllib.parse import urlsplit

from channels.formats.base import (
    FOR_A_VARIANT,
    REQUIRED,
    Field,
    cannot_read,
    field_problem,
    is_blank,
    not_a_number,
    other_currency,
)
from channels.formats.gtin import gtin_problem, strip_separators
from channels.formats.text import clean_xml_text, collapse_whitespace, is_markup, strip_html
from pim.i18n import N_, english

NS = "http://base.google.com/ns/1.0"
# RSS 2.0's own item elements; every other attribute is written in the g: namespace.
RSS_ELEMENTS = frozenset({"title", "link", "description"})
MAX_ADDITIONAL_IMAGES = 10
MAX_URL_LENGTH = 2000
AVAILABILITIES = frozenset({"in_stock", "out_of_stock", "preorder", "backorder"})
DATED_AVAILABILITIES = frozenset({"preorder", "backorder"})
CONDITIONS = frozenset({"new", "refurbished", "used"})
GENDERS = frozenset({"male", "female", "unisex"})
AGE_GROUPS = frozenset({"newborn", "infant", "toddler", "kids", "adult"})
SIZE_SYSTEMS = frozenset({"AU", "BR", "CN", "DE", "EU", "FR", "IT", "JP", "MEX", "UK", "US"})
SIZE_TYPES = frozenset({"regular", "petite", "maternity", "big", "tall", "plus"})
WEIGHT_UNITS = frozenset({"lb", "oz", "g", "kg"})
# Google requires these for Apparel & Accessories (brand: for every product with a brand,
# which fashion always has); the pipeline marks such items with ``_apparel``.
APPAREL_REQUIRED = ("brand", "color", "size", "gender", "age_group")

ATTRIBUTES: tuple[Field, ...] = (
    Field("id", required=True, max_length=50),
    Field("title", required=True, max_length=150),
    Field("description", required=True, max_length=5000),
    Field("link", required=True, max_length=MAX_URL_LENGTH),
    Field("image_link", required=True, max_length=MAX_URL_LENGTH),
    Field("additional_image_link"),
    Field("availability", required=True, choices=AVAILABILITIES),
    Field("availability_date", max_length=25),
    Field("price", required=True),
    Field("sale_price"),
    Field("brand", max_length=70),
    Field("gtin", max_length=50),
    Field("mpn", max_length=70),
    Field("identifier_exists", choices=frozenset({"yes", "no"})),
    Field("condition", choices=CONDITIONS),
    Field("google_product_category", max_length=750),
    Field("product_type", max_length=750),
    Field("color", max_length=100),
    Field("size", max_length=100),
    Field("gender", choices=GENDERS),
    Field("age_group", choices=AGE_GROUPS),
    Field("size_system", choices=SIZE_SYSTEMS),
    Field("size_type", choices=SIZE_TYPES),
    Field("material", max_length=200),
    Field("pattern", max_length=100),
    Field("item_group_id", max_length=50),
    Field("shipping_weight"),
    *(Field(f"custom_label_{n}", max_length=100) for n in range(5)),
)
COLUMNS: tuple[str, ...] = tuple(field.name for field in ATTRIBUTES)
_FIELDS = {field.name: field for field in ATTRIBUTES}
#: publishable items whose formatted values a writer keeps between check and write; the
#: feed run checks a batch of 1,000 before writing it
MAX_CHECKED = 2048
_CURRENCY = re.compile(r"[A-Za-z]{3}")
# Google's form, YYYY-MM-DDThh:mm with a zone (Z or ±hhmm); seconds and ±hh:mm also pass.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})")
_CENT = Decimal("0.01")
_SPACE = re.compile(r"\s")
# text.is_markup's pattern: a tag or an entity
_MARKUP_AT = re.compile(r"<[A-Za-z/!]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
# A URL urlsplit reads as http(s) with a plain host name: no need to split it.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]*)?(?:[/?#]|\Z)")

Value = str | list[str]


# --- formatting: one function per kind of value; ValueError says what is wrong -----------


def _text(value: object) -> str:
    """A value as one line of XML-safe text."""
    if value.__class__ is str and value.isprintable() and "  " not in value:
        # Printable text has no character XML refuses and no whitespace but single
        # spaces: the clean-up below would only strip it.
        return value.strip()
    if isinstance(value, list | tuple | set | dict):
        raise ValueError(
            english(N_("must be a single value, not a %(kind)s"), kind=type(value).__name__)
        )
    return collapse_whitespace(clean_xml_text(str(value)))


def _description(value: object) -> str:
    if value.__class__ is str and value.isprintable():  # nothing for clean_xml_text to do
        if ("<" in value or "&" in value) and _has_markup(value):
            return strip_html(value)
        return value.strip() if "  " not in value else collapse_whitespace(value)
    text = clean_xml_text(str(value))
    return strip_html(text) if is_markup(text) else collapse_whitespace(text)


def _has_markup(text: str) -> bool:
    """:func:`~channels.formats.text.is_markup`, trying its pattern only where a ``<`` or
    ``&`` is: a regex scan of a whole description costs more than the rest of its checks."""
    for mark in "<&":
        at = text.find(mark)
        while at != -1:
            if _MARKUP_AT.match(text, at):
                return True
            at = text.find(mark, at + 1)
    return False


def _keyword(value: object) -> str:
    """Supported values are lower-case English; ``in stock`` is the legacy ``in_stock``."""
    return _text(value).lower().replace(" ", "_")


def _url(value: object) -> str:
    if (
        value.__class__ is str
        and value.isprintable()
        and " " not in value
        and _PLAIN_URL.match(value)
    ):
        return value
    url = clean_xml_text(str(value)).strip()
    if _SPACE.search(url):
        raise ValueError(english(N_("must not contain spaces (%(url)s)"), url=url))
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(english(N_("must be an http or https URL (%(url)s)"), url=url))
    return url


def _urls(value: object) -> list[str]:
    if isinstance(value, str):
        urls = [value]
    elif isinstance(value, list | tuple):
        urls = list(value)
    else:
        raise ValueError(
            english(N_("must be a list of URLs, not %(kind)s"), kind=type(value).__name__)
        )
    if len(urls) > MAX_ADDITIONAL_IMAGES:
        raise ValueError(
            english(
                N_("%(count)s images, at most %(limit)s allowed"),
                count=len(urls),
                limit=MAX_ADDITIONAL_IMAGES,
            )
        )
    return [_url(url) for url in urls if not _blank(url)]


def _price(value: object) -> str:
    """``15.00 EUR`` from ``(amount, currency)``, ``{"amount", "currency"}`` or that text."""
    amount, currency = _pair(value, "amount", "currency")
    number = _decimal(amount)
    if number < 0:
        raise ValueError(english(N_("must not be negative (%(amount)s)"), amount=amount))
    if not _is_currency(currency):
        raise ValueError(
            english(
                N_("currency must be a 3-letter ISO 4217 code, not %(currency)s"),
                currency=repr(currency),
            )
        )
    try:
        cents = (number + 0).quantize(_CENT, ROUND_HALF_UP)  # + 0 turns -0 into 0
    except InvalidOperation:
        raise ValueError(english(N_("amount is too large (%(amount)s)"), amount=amount)) from None
    return f"{cents} {currency.strip().upper()}"


def _is_currency(currency: object) -> bool:
    if currency.__class__ is str and len(currency) == 3 and currency.isascii():
        return currency.isalpha()  # the common case, without a regex
    return isinstance(currency, str) and bool(_CURRENCY.fullmatch(currency.strip()))


def _pair(value: object, first: str, second: str) -> tuple[object, object]:
    """Two parts from ``(a, b)``, ``{first: a, second: b}`` or the text ``"a b"``."""
    if isinstance(value, dict):
        return value.get(first), value.get(second)
    if isinstance(value, str):
        parts = value.split()
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        parts = []
    if len(parts) != 2:
        raise ValueError(
            english(
                N_("must give %(first)s and %(second)s (%(value)s)"),
                first=first,
                second=second,
                value=repr(value),
            )
        )
    return parts[0], parts[1]


def _decimal(amount: object) -> Decimal:
    if amount.__class__ is Decimal and amount.is_finite():
        return amount  # what Decimal(str(amount)) would give
    try:
        number = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(not_a_number(amount)) from None
    if not number.is_finite():
        raise ValueError(not_a_number(amount))
    return number


def _yes_no(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    word = _keyword(value)
    return {"true": "yes", "false": "no"}.get(word, word)


def _date(value: object) -> str:
    """ISO 8601 as Google shows it: ``2026-12-25T13:00-0800``; a date means midnight UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(english(N_("needs a time zone (%(value)s)"), value=value.isoformat()))
        return value.strftime("%Y-%m-%dT%H:%M%z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00Z"
    text = _text(value)
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(
            english(
                N_("must be an ISO 8601 date such as 2026-12-25T13:00-0800 (%(value)s)"),
                value=text,
            )
        )
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            english(N_("is not a real date and time (%(value)s)"), value=text)
        ) from None
    return text


def _gtin(value: object) -> str:
    text = _text(value)
    gtin = text if text.isdigit() and text.isascii() else strip_separators(text)
    reason = gtin_problem(gtin)
    if reason:
        raise ValueError(reason)
    return gtin


def _weight(value: object) -> str:
    """``1.5 kg`` from ``(amount, unit)`` or that text."""
    amount, unit = _pair(value, "amount", "unit")
    number = _decimal(amount)
    if number <= 0:
        raise ValueError(english(N_("must be positive (%(amount)s)"), amount=amount))
    if unit not in WEIGHT_UNITS:
        raise ValueError(
            english(
                N_("unit must be one of %(units)s, not %(unit)s"),
                units=", ".join(sorted(WEIGHT_UNITS)),
                unit=repr(unit),
            )
        )
    return f"{number.normalize():f} {unit}"


_FORMATTERS = {
    "description": _description,
    "link": _url,
    "image_link": _url,
    "additional_image_link": _urls,
    "availability": _keyword,
    "availability_date": _date,
    "price": _price,
    "sale_price": _price,
    "gtin": _gtin,
    "identifier_exists": _yes_no,
    "condition": _keyword,
    "gender": _keyword,
    "age_group": _keyword,
    "size_system": lambda value: _text(value).upper(),
    "size_type": _keyword,
    "shipping_weight": _weight,
}


def format_value(name: str, value: object) -> Value:
    """``value`` as written in the feed; ValueError (a phrase, no field name) if it cannot be."""
    formatter = _FORMATTERS.get(name, _text)
    try:
        return formatter(value)
    except TypeError:
        raise ValueError(cannot_read(value)) from None


def prepare(item: dict) -> dict[str, Value]:
    """The attributes of a checked item as written, in :data:`COLUMNS` order, blanks left out."""
    values = {}
    for name in COLUMNS:
        raw = item.get(name)
        if raw is not None and not _blank(raw):
            value = format_value(name, raw)
            if not _blank(value):
                values[name] = value
    return values


def _blank(value: object) -> bool:
    """:func:`is_blank`, without copying a string to strip it."""
    if value.__class__ is str:
        return not value or value.isspace()
    return is_blank(value)


# --- checking -----------------------------------------------------------------------------

#: (name, formatter, required, choices, max length, field) of every attribute, in order
_PLAN = tuple(
    (f.name, _FORMATTERS.get(f.name, _text), f.required, f.choices, f.max_length, f)
    for f in ATTRIBUTES
)


def check_item(item: dict) -> list[str]:
    """Every reason Google would disapprove ``item``, each a sentence naming the attribute."""
    return _check(item)[0]


def _check(item: dict) -> tuple[list[str], dict[str, Value]]:
    """The problems of ``item`` and, when there are none, its values as :func:`prepare`
    gives them (formatted once, not once to check and again to write)."""
    problems: list[str] = []
    values: dict[str, Value] = {}
    get = item.get
    for name, formatter, required, choices, most, field in _PLAN:
        raw = get(name)
        if raw is None or _blank(raw):
            if required:
                problems.append(field_problem(name, REQUIRED))
            continue
        try:
            value = formatter(raw)
        except ValueError as error:
            problems.append(field_problem(name, error))
            continue
        except TypeError:  # as format_value says it
            problems.append(field_problem(name, cannot_read(raw)))
            continue
        if value.__class__ is str:
            if not value or value.isspace():
                if required:
                    problems.append(field_problem(name, REQUIRED))
                continue
            text = value
        elif is_blank(value):
            if required:
                problems.append(field_problem(name, REQUIRED))
            continue
        else:
            text = str(value)
        if (choices is not None and text not in choices) or (most is not None and len(text) > most):
            problems += field.problems(value)  # its sentence
            continue
        values[name] = value
    problems += _dependency_problems(item, values)
    problems += _unknown_keys(item)
    return problems, values


def _dependency_problems(item: dict, values: dict[str, Value]) -> list[str]:
    """Rules between attributes; ``values`` holds only the ones that passed their own checks."""

    def missing(name: str) -> bool:  # what is in ``values`` was not blank

        return name not in values and _blank(item.get(name))

    problems = []
    availability = values.get("availability")
    if availability in DATED_AVAILABILITIES and missing("availability_date"):
        problems.append(
            field_problem(
                "availability_date",
                N_("is required when availability is %(availability)s"),
                availability=availability,
            )
        )
    if missing("gtin") and missing("mpn") and values.get("identifier_exists") != "no":
        problems.append(
            field_problem(
                "identifier_exists", N_("must be 'no' when the item has neither gtin nor mpn")
            )
        )
    if item.get("_apparel"):
        problems += [
            field_problem(name, N_("is required for apparel"))
            for name in APPAREL_REQUIRED
            if missing(name)
        ]
    if item.get("_variant") and missing("item_group_id"):
        problems.append(field_problem("item_group_id", FOR_A_VARIANT))
    if "sale_price" in values:
        problems += _sale_price_problems(values)
    return problems


def _sale_price_problems(values: dict[str, Value]) -> list[str]:
    if "price" not in values or "sale_price" not in values:
        return []
    price, currency = str(values["price"]).split()
    sale, sale_currency = str(values["sale_price"]).split()
    if sale_currency != currency:
        return [other_currency(sale_currency, currency)]
    if Decimal(sale) >= Decimal(price):
        return [
            field_problem(
                "sale_price",
                N_("%(sale)s must be lower than the price %(price)s"),
                sale=f"{sale} {currency}",
                price=f"{price} {currency}",
            )
        ]
    return []


def _unknown_keys(item: dict) -> list[str]:
    return [
        field_problem(key, N_("is not a Google Merchant attribute this feed writes"))
        for key in item
        if key not in _FIELDS and not str(key).startswith("_")
    ]


# --- writers ------------------------------------------------------------------------------


class _GoogleMerchantWriter:
    """What both Google files share: the checks, and open → write* → close bookkeeping."""

    extension = ""
    content_type = ""

    def __init__(self) -> None:
        self._state = "new"
        # id(item) → (item, its keys and values when checked, its formatted values)
        self._checked: dict[int, tuple[dict, dict, dict[str, Value]]] = {}

    def check(self, item: dict) -> list[str]:
        """Problems that keep ``item`` out of the feed; see :func:`check_item`.

        The values of a publishable item are kept for :meth:`write` (at most
        :data:`MAX_CHECKED` items at a time).
        """
        problems, values = _check(item)
        if not problems:
            if len(self._checked) >= MAX_CHECKED:
                self._checked.clear()  # checked and never written: format them again
            self._checked[id(item)] = (item, dict(item), values)
        return problems

    def _prepared(self, item: dict) -> dict[str, Value]:
        """The values :meth:`check` formatted for this same dict if it has not changed since
        (a key added, removed or given another value is noticed; a list or dict changed in
        place is not), else the item formatted now."""
        kept = self._checked.pop(id(item), None)
        if kept is not None and kept[0] is item and kept[1] == item:
            return kept[2]
        return prepare(item)

    def _move(self, expected: str, new: str, action: str) -> None:
        if self._state != expected:
            raise RuntimeError(f"cannot {action} a {self._state} feed writer")
        self._state = new


class GoogleMerchantXMLWriter(_GoogleMerchantWriter):
    """RSS 2.0 with the ``g:`` namespace, one ``<item>`` per line.

    The markup is written as text, escaped as libxml2 escapes text content (the bytes are
    those :class:`lxml.etree.xmlfile` wrote with one element per attribute, at a fraction
    of its cost per element); every value has been through the formatters first, which
    remove the characters XML 1.0 cannot carry.
    """

    extension = "xml"
    content_type = "application/rss+xml"

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        """Write the XML declaration and open ``<rss><channel>`` with its metadata."""
        self._move("new", "open", "open")
        self._stream = stream
        self._pending: list[str] = [_XML_START]
        self._size = 0
        for tag, text in (("title", title), ("link", link), ("description", description)):
            self._pending.append(f"\n<{tag}>{_escape(_text(text))}</{tag}>")

    def write(self, item: dict) -> None:
        """Write one ``<item>``; formatting happens first so a bad value writes nothing."""
        self._move("open", "open", "write to")
        parts = ["\n<item>"]
        for name, value in self._prepared(item).items():
            start, end = _ELEMENTS[name]
            if value.__class__ is list:
                for text in value:
                    parts += (start, _escape(text), end)
            else:
                parts += (start, _escape(value), end)
        parts.append("</item>")
        text = "".join(parts)
        self._pending.append(text)
        self._size += len(text)
        if self._size >= _WRITE_EVERY:
            self._flush()

    def close(self) -> None:
        """Close ``</channel></rss>``; the stream itself stays open."""
        self._move("open", "closed", "close")
        self._checked.clear()
        self._pending.append("\n</channel></rss>")
        self._flush()

    def _flush(self) -> None:
        self._stream.write("".join(self._pending).encode("utf-8"))
        self._pending.clear()
        self._size = 0


_XML_START = (
    f"<?xml version='1.0' encoding='utf-8'?>\n<rss xmlns:g=\"{NS}\" version=\"2.0\"><channel>"
)
# Each attribute's start and end tags: RSS's own elements have no namespace.
_ELEMENTS = {
    name: (f"<{tag}>", f"</{tag}>")
    for name in COLUMNS
    for tag in [name if name in RSS_ELEMENTS else f"g:{name}"]
}
#: characters of markup gathered before they are handed to the stream
_WRITE_EVERY = 16 * 1024


def _escape(text: str) -> str:
    """Text content as libxml2 writes it: ``&``, ``<``, ``>`` and carriage returns escaped."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class GoogleMerchantTSVWriter(_GoogleMerchantWriter):
    """Tab-separated text: a header of attribute names, then one line per item (UTF-8).

    Tabs and line breaks inside values become spaces; additional images are one cell,
    comma-separated (a comma inside such a URL is percent-encoded). Spreadsheet formula
    escaping is deliberately not applied: Google reads the cells literally, so a leading
    ``'`` would end up in titles.
    """

    extension = "tsv"
    content_type = "text/tab-separated-values; charset=utf-8"

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        """Write the header row; a text feed has no place for the channel metadata."""
        self._move("new", "open", "open")
        self._stream = stream
        self._row(COLUMNS)

    def write(self, item: dict) -> None:
        """Write one row, a cell per column, empty where the item has no value."""
        self._move("open", "open", "write to")
        values = self._prepared(item)
        self._row([_cell(values.get(name, "")) for name in COLUMNS])

    def close(self) -> None:
        """Flush what was written; the stream itself stays open."""
        self._move("open", "closed", "close")
        self._checked.clear()
        self._stream.flush()

    def _row(self, cells: list[str] | tuple[str, ...]) -> None:
        self._stream.write(("\t".join(cells) + "\n").encode("utf-8"))


def _cell(value: Value) -> str:
    if isinstance(value, list):
        return ",".join(url.replace(",", "%2C") for url in value)
    return collapse_whitespace(value)
