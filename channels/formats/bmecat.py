"""BMEcat 2005 product catalogues: a whole catalogue (``T_NEW_CATALOG``) as XML, streamed
and checked against the official XSD.

The XSD (``bmecat_2005.xsd``, licence unknown, so never copied into the repository) is
read from ``$VITRINE_BMECAT_XSD`` or ``<repo>/../shared/specs/bmecat_2005.xsd``. Its target
namespace is ``http://www.bmecat.org/bmecat/2005fd``, the one documents must use to
validate against it (the ``…/2005`` namespace belongs to the copy openTRANS 2.1 embeds).

One catalogue document per feed::

    BMECAT version="2005"
      HEADER: GENERATOR_INFO, CATALOG (LANGUAGE from the feed's locale as ISO 639-2,
              CATALOG_ID = feed code, CATALOG_VERSION, CATALOG_NAME = feed label,
              DATETIME generation_date, TERRITORY, CURRENCY), SUPPLIER (SUPPLIER_NAME)
      T_NEW_CATALOG: one PRODUCT mode="new" per item, its children in the XSD's order:
        SUPPLIER_PID            id (at most 32 characters)
        PRODUCT_DETAILS         DESCRIPTION_SHORT (title, cut at 150), DESCRIPTION_LONG
                                (description as plain text), INTERNATIONAL_PID type="gtin",
                                MANUFACTURER_PID (mpn), MANUFACTURER_NAME (brand)
        PRODUCT_FEATURES        system "Vitrine"; a FEATURE per ``_features`` entry
                                (FNAME label, FVALUE, FUNIT when the value has a unit)
        PRODUCT_ORDER_DETAILS   ORDER_UNIT and CONTENT_UNIT (``order_unit``/``content_unit``,
                                default C62 "one"), NO_CU_PER_OU, PRICE_QUANTITY,
                                QUANTITY_MIN and QUANTITY_INTERVAL all 1
        PRODUCT_PRICE_DETAILS   valid from the generation date; PRODUCT_PRICE of the
                                writer's ``price_type`` (default net_list): PRICE_AMOUNT
                                with 2 decimals, PRICE_CURRENCY, TAX (``tax``, a rate like 0.19)
        MIME_INFO               image_link (purpose "normal"), additional_image_link
                                ("detail"), in MIME_ORDER; ``link`` as MIME_TYPE "url"

Every variant is a PRODUCT of its own. The variants of one model share a first feature
``item_group_id`` = the model code (the name Google and Meta feeds use): a FEATURE is what
the XSD offers for a property several products share. SUPPLIER_ALT_PID would claim the
model code identifies each variant, and PRODUCT_REFERENCE must point at a product of the
catalogue, which a model is not.

The XSD bounds some texts tighter than a PIM does: feature names and values (60
characters) are cut between words with "…", as are titles (150) and descriptions
(64,000); text attributes (``textarea``) are long prose, not features, and are left out.
Identifiers and links that do not fit refuse the item instead (see :meth:`check`).
Keys BMEcat has no element for (availability, condition, colour…) are left out, so one
mapping can serve a Google feed and a BMEcat catalogue.
Its MIME_TYPE pattern knows image/jpeg and image/gif only: other images (``.png``,
``.webp``…) are written without MIME_TYPE, links without extension (Vitrine's rendition
URLs) with the writer's ``image_type``, JPEG by default.

Prices are ``net_list`` by default (the supplier's list price before VAT, for any buyer:
the header names none); pass ``price_type="gros_list"`` (with VAT) or ``"nrp"``
(recommended retail price) when the feed's price is that. A catalogue without products is
a valid document; mind that a buyer importing a T_NEW_CATALOG replaces its whole copy.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from lxml import etree

from channels.formats.base import (
    REQUIRED,
    FeedContext,
    Field,
    OrderedCalls,
    field_problem,
    is_blank,
)
from channels.formats.google import format_value
from channels.formats.text import clean_xml_text, collapse_whitespace, truncate_words
from pim.i18n import N_, english

log = logging.getLogger(__name__)

NS = "http://www.bmecat.org/bmecat/2005fd"
XSD_ENV = "VITRINE_BMECAT_XSD"
DEFAULT_XSD = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "bmecat_2005.xsd"
GENERATOR = "Vitrine"
# The XSD's name pattern is [\w\-\.]{1,80}, and XSD's \w excludes "_" (punctuation): the
# spec's "udf_NAME-x.y" form for user-defined systems does not validate.
FEATURE_SYSTEM = "Vitrine"
GROUP_FEATURE = "item_group_id"
DEFAULT_UNIT = "C62"  # UN/ECE Rec. 20 "one": a piece
MAX_PROBLEMS = 20
#: feature types left out: long prose has no place in a 60-character FVALUE
NOT_FEATURES = frozenset({"textarea"})
#: ISO 639-1 (the feed locale's language) → ISO 639-2/T, every code in the XSD's dtLANG
LANGUAGES = {
    "ar": "ara", "be": "bel", "bg": "bul", "ca": "cat", "cs": "ces", "da": "dan",
    "de": "deu", "el": "ell", "en": "eng", "es": "spa", "et": "est", "eu": "eus",
    "fa": "fas", "fi": "fin", "fr": "fra", "ga": "gle", "gl": "glg", "he": "heb",
    "hi": "hin", "hr": "hrv", "hu": "hun", "id": "ind", "is": "isl", "it": "ita",
    "ja": "jpn", "kk": "kaz", "ko": "kor", "lb": "ltz", "lt": "lit", "lv": "lav",
    "mk": "mkd", "ms": "msa", "mt": "mlt", "nb": "nob", "nl": "nld", "nn": "nno",
    "no": "nor", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "sk": "slk",
    "sl": "slv", "sq": "sqi", "sr": "srp", "sv": "swe", "th": "tha", "tr": "tur",
    "uk": "ukr", "vi": "vie", "zh": "zho",
}  # fmt: skip
#: image file extensions → the MIME_TYPE BMEcat 2005 can state (its pattern allows no
#: other "type/subtype"; PNG, WebP… are written without MIME_TYPE)
MIME_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".gif": "image/gif",
}
OTHER_IMAGES = frozenset({".png", ".webp", ".avif", ".tif", ".tiff", ".svg", ".bmp", ".heic"})

FIELDS: tuple[Field, ...] = (
    Field("id", required=True, max_length=32),
    Field("title", required=True),
    Field("description"),
    Field("gtin"),
    Field("mpn", max_length=50),
    Field("brand", max_length=50),
    Field("item_group_id", max_length=60),
)
_UNIT = re.compile(r"[0-9A-Z]{2,3}")
_PRICE_TYPE = re.compile(
    r"gros_list|net_customer|net_customer_exp|net_list|nrp|on_request|udp_[A-Za-z0-9]{1,16}"
)
_VERSION = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}")
_LIMITS = {"short": 150, "long": 64000, "fname": 60, "fvalue": 60, "name": 100, "mime": 255}
_local = threading.local()


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


# --- the XSD: where it is, its schema, its code lists ---------------------------------------


def xsd_path() -> Path:
    """Where the BMEcat 2005 XSD is read from: ``$VITRINE_BMECAT_XSD`` or the shared specs."""
    return Path(os.environ.get(XSD_ENV) or DEFAULT_XSD)


def load_schema() -> etree.XMLSchema | None:
    """The XSD as a validator (one per thread and path), or None when the file is missing."""
    path = xsd_path()
    schemas = _local.__dict__.setdefault("schemas", {})
    if path not in schemas:
        schemas[path] = etree.XMLSchema(etree.parse(str(path))) if path.is_file() else None
    return schemas[path]


@functools.cache
def _code_lists(path: Path) -> dict[str, tuple[frozenset[str], tuple[re.Pattern, ...]]]:
    """Enumerations and patterns of the XSD's named simple types (code lists, formats)."""
    xs = "{http://www.w3.org/2001/XMLSchema}"
    lists = {}
    for simple in etree.parse(str(path)).getroot().iter(f"{xs}simpleType"):
        if simple.get("name"):
            values = frozenset(e.get("value") for e in simple.iter(f"{xs}enumeration"))
            patterns = tuple(re.compile(p.get("value")) for p in simple.iter(f"{xs}pattern"))
            lists[simple.get("name")] = (values, patterns)
    return lists


def xsd_accepts(type_name: str, value: str) -> bool | None:
    """Whether the XSD's simple type ``type_name`` takes ``value``; None without the XSD."""
    path = xsd_path()
    if not path.is_file():
        return None
    values, patterns = _code_lists(path)[type_name]
    if values and value not in values:
        return False
    return all(pattern.fullmatch(value) for pattern in patterns)


def language_code(locale: str) -> str:
    """The ISO 639-2 code of a locale's language (``fr_FR`` → ``fra``); ValueError if unknown."""
    language = re.split(r"[_-]", locale.strip(), maxsplit=1)[0].lower()
    if language not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"locale: no ISO 639-2 code known for {locale!r} (languages: {known})")
    return LANGUAGES[language]


# --- values as written ----------------------------------------------------------------------


@dataclass
class _Product:
    """An item's values as written, in the XSD's terms."""

    pid: str
    short: str
    amount: str
    long: str | None = None
    gtin: str | None = None
    mpn: str | None = None
    brand: str | None = None
    tax: str | None = None
    order_unit: str = DEFAULT_UNIT
    content_unit: str = DEFAULT_UNIT
    features: list[tuple[str, str, str | None]] = field(default_factory=list)
    mimes: list[tuple[str | None, str, str]] = field(default_factory=list)  # type, source, purpose


def _cut(text: str, limit: str) -> str:
    return truncate_words(text, _LIMITS[limit], "…")


def _one_line(value: object) -> str:
    text = str(value)
    if text.isprintable() and "  " not in text:  # no control characters, no odd spaces
        return text.strip()
    return collapse_whitespace(clean_xml_text(text))


def _features(item: dict) -> list[tuple[str, str, str | None]]:
    """FNAME, FVALUE, FUNIT of each feature: the model code first, blanks and prose left out."""
    features = []
    if not is_blank(item.get("item_group_id")):
        features.append((GROUP_FEATURE, _cut(_one_line(item["item_group_id"]), "fvalue"), None))
    for feature in item.get("_features") or ():
        if not isinstance(feature, dict) or feature.get("type") in NOT_FEATURES:
            continue
        name = _one_line(feature.get("label") or feature.get("code") or "")
        value = _one_line(feature.get("value") if feature.get("value") is not None else "")
        if not name or not value:
            continue
        unit = _one_line(feature.get("unit") or "")[:20] or None
        features.append((_cut(name, "fname"), _cut(value, "fvalue"), unit))
    return features


def _mime_type(url: str, default: str | None) -> str | None:
    """What BMEcat 2005 can say of an image's type from its URL's extension."""
    suffix = os.path.splitext(urlsplit(url).path)[1].lower()
    if suffix in MIME_TYPES:
        return MIME_TYPES[suffix]
    return None if suffix in OTHER_IMAGES else default


def _urls(raw: object) -> list[str]:
    urls = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else None
    if urls is None:
        raise ValueError(
            english(N_("must be a URL or a list of URLs, not %(kind)s"), kind=type(raw).__name__)
        )
    checked = [format_value("link", url) for url in urls if not is_blank(url)]
    for url in checked:
        if len(url) > _LIMITS["mime"]:
            raise ValueError(
                english(
                    N_("URL of %(length)s characters, BMEcat allows at most 255 (%(url)s)"),
                    length=len(url),
                    url=url,
                )
            )
    return checked


def _tax(raw: object) -> str:
    try:
        rate = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(english(N_("is not a number (%(value)s)"), value=repr(raw))) from None
    if not rate.is_finite() or not 0 <= rate < 1:
        raise ValueError(
            english(N_("must be a rate such as 0.19 for 19%%, not %(value)s"), value=raw)
        )
    return f"{rate.normalize():f}"


def _unit(raw: object) -> str:
    code = _one_line(raw).upper()
    if not _UNIT.fullmatch(code) or xsd_accepts("dtPUNIT", code) is False:
        raise ValueError(
            english(
                N_("%(code)s is not a UN/ECE Rec. 20 unit code BMEcat 2005 knows"),
                code=repr(code),
            )
        )
    return code


# --- the writer -----------------------------------------------------------------------------


class BMEcatWriter(OrderedCalls):
    """A BMEcat 2005 ``T_NEW_CATALOG`` document, streamed with :class:`lxml.etree.xmlfile`.

    The feed's settings come from ``context``: the catalogue's language (its locale), id
    (code, at most 20 characters), name (label), currency (which every price must be in)
    and territory. The constructor raises ValueError for settings BMEcat 2005 cannot
    carry (a language without ISO 639-2 code, a currency missing from its code list…);
    a territory missing from its country list is left out with a warning.
    """

    extension = "xml"
    content_type = "application/xml"
    wants_context = True
    wants_features = True

    def __init__(
        self,
        context: FeedContext | None = None,
        *,
        supplier_name: str = GENERATOR,
        catalog_version: str = "1.0",
        price_type: str = "net_list",
        image_type: str | None = "image/jpeg",
    ) -> None:
        """``image_type`` is the MIME_TYPE of image links without a file extension (the
        feed's rendition format); None writes them without one."""
        self.context = context or FeedContext()
        self.language = language_code(self.context.locale)
        self.currency = _setting("currency", self.context.currency.strip().upper(), 3)
        if xsd_accepts("dtCURRENCIES", self.currency) is False:
            raise ValueError(f"currency: {self.currency} is not in BMEcat 2005's currency list")
        self.catalog_id = _setting("code", self.context.code, 20)
        self.supplier_name = _setting("supplier_name", supplier_name, 50)
        if not _VERSION.fullmatch(catalog_version):
            raise ValueError(f"catalog_version: {catalog_version!r} is not like 1.0 (n.n)")
        if not _PRICE_TYPE.fullmatch(price_type):
            raise ValueError(f"price_type: {price_type!r} is not a BMEcat 2005 price type")
        if image_type is not None and image_type not in MIME_TYPES.values():
            raise ValueError(
                f"image_type: BMEcat 2005 states image/jpeg or image/gif, not {image_type}"
            )
        self.catalog_version, self.price_type, self.image_type = (
            catalog_version, price_type, image_type
        )  # fmt: skip
        self.territory = _territory(self.context.territory)

    # --- checking ---

    def check(self, item: dict) -> list[str]:
        """Problems that keep ``item`` out of the catalogue, each naming the item key."""
        return self._prepare(item, full=False)[1]

    def _prepare(self, item: dict, *, full: bool = True) -> tuple[_Product | None, list[str]]:
        """The product as written and the item's problems; ``full=False`` (a check) skips
        what cannot fail: the description's HTML stripping and the features."""
        values, problems = {}, []
        for spec in FIELDS:
            raw = item.get(spec.name)
            if spec.name == "description" and not full:
                continue
            try:
                value = None if is_blank(raw) else format_value(spec.name, raw)
            except ValueError as error:
                problems.append(field_problem(spec.name, error))
                continue
            problems += spec.problems(value)
            values[spec.name] = value
        amount = self._amount(item.get("price"), problems)
        extras = {}
        for name, convert in (("tax", _tax), ("order_unit", _unit), ("content_unit", _unit)):
            if not is_blank(item.get(name)):
                try:
                    extras[name] = convert(item[name])
                except ValueError as error:
                    problems.append(field_problem(name, error))
        mimes = self._mimes(item, problems)
        if problems or not full:
            return None, problems
        product = _Product(
            pid=values["id"],
            short=_cut(values["title"], "short"),
            amount=amount,
            long=_cut(values["description"], "long") if values["description"] else None,
            gtin=values["gtin"],
            mpn=values["mpn"],
            brand=values["brand"],
            features=_features(item),
            mimes=mimes,
            **extras,
        )
        return product, []

    def _amount(self, raw: object, problems: list[str]) -> str:
        if is_blank(raw):
            problems.append(field_problem("price", REQUIRED))
            return ""
        try:
            amount, currency = format_value("price", raw).split()
        except ValueError as error:
            problems.append(field_problem("price", error))
            return ""
        if currency != self.currency:
            problems.append(
                field_problem(
                    "price",
                    N_("in %(currency)s, the catalogue is in %(catalogue)s"),
                    currency=currency,
                    catalogue=self.currency,
                )
            )
        return amount

    def _mimes(self, item: dict, problems: list[str]) -> list[tuple[str | None, str, str]]:
        mimes = []
        for name, purpose in (("image_link", "normal"), ("additional_image_link", "detail")):
            if is_blank(item.get(name)):
                continue
            try:
                urls = _urls(item[name])
            except ValueError as error:
                problems.append(field_problem(name, error))
                continue
            mimes += [(_mime_type(url, self.image_type), url, purpose) for url in urls]
        if not is_blank(item.get("link")):
            try:
                mimes += [("url", url, "others") for url in _urls(item["link"])]
            except ValueError as error:
                problems.append(field_problem("link", error))
        return mimes

    # --- writing ---

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        """Write the declaration and HEADER, and open ``T_NEW_CATALOG``."""
        self._move("new", "open", "open")
        self._stack = contextlib.ExitStack()
        self._xf = self._stack.enter_context(etree.xmlfile(stream, encoding="utf-8"))
        self._xf.write_declaration()
        self._stack.enter_context(self._xf.element(_q("BMECAT"), nsmap={None: NS}, version="2005"))
        self._xf.write("\n")
        self._header(_one_line(self.context.label or title))
        self._xf.write("\n")
        self._stack.enter_context(self._xf.element(_q("T_NEW_CATALOG")))

    def _header(self, name: str) -> None:
        with self._xf.element(_q("HEADER")):
            self._leaf("GENERATOR_INFO", GENERATOR)
            with self._xf.element(_q("CATALOG")):
                self._leaf("LANGUAGE", self.language)
                self._leaf("CATALOG_ID", self.catalog_id)
                self._leaf("CATALOG_VERSION", self.catalog_version)
                if name:
                    self._leaf("CATALOG_NAME", _cut(name, "name"))
                with self._xf.element(_q("DATETIME"), type="generation_date"):
                    self._datetime(self.context.generated_at)
                if self.territory:
                    self._leaf("TERRITORY", self.territory)
                self._leaf("CURRENCY", self.currency)
            with self._xf.element(_q("SUPPLIER")):
                self._leaf("SUPPLIER_NAME", self.supplier_name)

    def write(self, item: dict) -> None:
        """Write one PRODUCT; the item must have passed :meth:`check`."""
        self._move("open", "open", "write to")
        product, problems = self._prepare(item)
        if product is None:
            raise ValueError(f"cannot write an item that fails its check: {problems[0]}")
        self._xf.write("\n")
        with self._xf.element(_q("PRODUCT"), mode="new"):
            self._leaf("SUPPLIER_PID", product.pid)
            self._details(product)
            if product.features:
                self._features(product.features)
            self._order_details(product)
            self._price_details(product)
            if product.mimes:
                self._mime_info(product.mimes)

    def close(self) -> None:
        """Close ``T_NEW_CATALOG`` and ``BMECAT`` and flush; the stream stays open."""
        self._move("open", "closed", "close")
        self._xf.write("\n")
        self._stack.close()

    def _details(self, product: _Product) -> None:
        with self._xf.element(_q("PRODUCT_DETAILS")):
            self._leaf("DESCRIPTION_SHORT", product.short)
            if product.long:
                self._leaf("DESCRIPTION_LONG", product.long)
            if product.gtin:
                self._leaf("INTERNATIONAL_PID", product.gtin, type="gtin")
            if product.mpn:
                self._leaf("MANUFACTURER_PID", product.mpn)
            if product.brand:
                self._leaf("MANUFACTURER_NAME", product.brand)

    def _features(self, features: list[tuple[str, str, str | None]]) -> None:
        with self._xf.element(_q("PRODUCT_FEATURES")):
            self._leaf("REFERENCE_FEATURE_SYSTEM_NAME", FEATURE_SYSTEM)
            for name, value, unit in features:
                with self._xf.element(_q("FEATURE")):
                    self._leaf("FNAME", name)
                    self._leaf("FVALUE", value)
                    if unit:
                        self._leaf("FUNIT", unit)

    def _order_details(self, product: _Product) -> None:
        with self._xf.element(_q("PRODUCT_ORDER_DETAILS")):
            self._leaf("ORDER_UNIT", product.order_unit)
            self._leaf("CONTENT_UNIT", product.content_unit)
            for tag in ("NO_CU_PER_OU", "PRICE_QUANTITY", "QUANTITY_MIN", "QUANTITY_INTERVAL"):
                self._leaf(tag, "1")

    def _price_details(self, product: _Product) -> None:
        with self._xf.element(_q("PRODUCT_PRICE_DETAILS")):
            with self._xf.element(_q("DATETIME"), type="valid_start_date"):
                self._leaf("DATE", self.context.generated_at.date().isoformat())
            with self._xf.element(_q("PRODUCT_PRICE"), price_type=self.price_type):
                self._leaf("PRICE_AMOUNT", product.amount)
                self._leaf("PRICE_CURRENCY", self.currency)
                if product.tax is not None:
                    self._leaf("TAX", product.tax)

    def _mime_info(self, mimes: list[tuple[str | None, str, str]]) -> None:
        with self._xf.element(_q("MIME_INFO")):
            for order, (mime_type, source, purpose) in enumerate(mimes, 1):
                with self._xf.element(_q("MIME")):
                    if mime_type:
                        self._leaf("MIME_TYPE", mime_type)
                    self._leaf("MIME_SOURCE", source)
                    self._leaf("MIME_PURPOSE", purpose)
                    self._leaf("MIME_ORDER", str(order))

    def _datetime(self, moment: datetime) -> None:
        self._leaf("DATE", moment.date().isoformat())
        self._leaf("TIME", moment.strftime("%H:%M:%S"))
        if moment.utcoffset() is not None:
            self._leaf("TIMEZONE", moment.isoformat(timespec="seconds")[19:])

    def _leaf(self, tag: str, text: str, **attributes: str) -> None:
        with self._xf.element(_q(tag), **attributes):
            self._xf.write(text)

    # --- checking a written file ---

    @classmethod
    def validate_file(cls, path: str | Path, *, gzipped: bool) -> list[str]:
        """At most 20 problems of a written catalogue against the XSD, each with its line.

        Memory stays flat: the file is read with ``iterparse`` and each PRODUCT, once
        parsed, is validated alone in a minimal valid document, then dropped; the rest
        (header, catalogue frame) is validated at the end. Without the XSD only the
        well-formedness is checked, and a warning says so.
        """
        schema = load_schema()
        opener = gzip.open if gzipped else open
        with opener(path, "rb") as stream:
            if schema is None:
                log.warning(
                    "BMEcat XSD not found at %s (set %s): checking %s for well-formedness only",
                    xsd_path(), XSD_ENV, path,
                )  # fmt: skip
                return _well_formedness_problems(stream)
            return _schema_problems(stream, schema)


def _setting(name: str, value: str, limit: int) -> str:
    text = _one_line(value)
    if not 1 <= len(text) <= limit:
        raise ValueError(f"{name}: {text!r} must have 1 to {limit} characters for BMEcat")
    return text


def _territory(territory: str | None) -> str | None:
    if is_blank(territory):
        return None
    code = territory.strip().upper()
    if xsd_accepts("dtCOUNTRIES", code) is False:
        log.warning("territory %s is not in BMEcat 2005's country list: left out", code)
        return None
    return code


# --- validation -----------------------------------------------------------------------------

_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False}
_SKELETON = f"""<BMECAT xmlns="{NS}" version="2005"><HEADER><CATALOG><LANGUAGE>eng</LANGUAGE>
<CATALOG_ID>x</CATALOG_ID><CATALOG_VERSION>1.0</CATALOG_VERSION></CATALOG><SUPPLIER>
<SUPPLIER_NAME>x</SUPPLIER_NAME></SUPPLIER></HEADER><T_NEW_CATALOG/></BMECAT>"""
_VALUE_SET = re.compile(r"is not an element of the set \{.*\}\.")


def _schema_problems(stream: BinaryIO, schema: etree.XMLSchema) -> list[str]:
    skeleton = etree.fromstring(_SKELETON)
    holder = skeleton[1]
    problems: list[str] = []
    events = etree.iterparse(stream, events=("end",), tag=_q("PRODUCT"), **_PARSER_OPTIONS)
    try:
        for _event, product in events:
            if not _in_catalogue(product):
                continue  # misplaced: the whole-document check below reports it
            holder.append(product)  # moved, line numbers and all
            if not schema.validate(skeleton):
                problems += _messages(schema.error_log)
            holder.remove(product)
            if len(problems) >= MAX_PROBLEMS:
                return problems[:MAX_PROBLEMS]
    except etree.XMLSyntaxError as error:
        return [*problems, f"line {error.lineno}: the XML is not well-formed: {error.msg}"]
    if not schema.validate(events.root.getroottree()):
        problems += _messages(schema.error_log)
    return problems[:MAX_PROBLEMS]


def _in_catalogue(product: etree._Element) -> bool:
    parent = product.getparent()
    return (
        parent is not None
        and parent.tag == _q("T_NEW_CATALOG")
        and parent.getparent() is not None
        and parent.getparent().getparent() is None
    )


def _messages(error_log) -> list[str]:
    """libxml2's messages without the namespace and the code lists they quote in full."""
    messages = []
    for entry in error_log:
        text = entry.message.replace(f"{{{NS}}}", "")
        text = _VALUE_SET.sub("is not one of the values the XSD allows.", text)
        messages.append(f"line {entry.line}: {text}")
    return messages


def _well_formedness_problems(stream: BinaryIO) -> list[str]:
    try:
        for _event, element in etree.iterparse(stream, events=("end",), **_PARSER_OPTIONS):
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        return [f"line {error.lineno}: the XML is not well-formed: {error.msg}"]
    return []
