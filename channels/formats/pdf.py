"""A printable product catalogue, as a PDF rendered by WeasyPrint.

The document: a cover (the feed's label, channel, language and generation date), a table
of contents with page numbers, then one chapter per category and, last, "Other products"
for products without a category. A product goes in the chapter of its first category.
Each product group (a model with its variants, or a standalone product) is one block:
name, picture, brand, description, a table of the features the variants share and a
table of the variants (axis values, SKU, GTIN, price). Dates, prices and numbers are
formatted by Babel for the feed's locale, and the fixed words of the layout (headings,
table headers, "Page 3 of 12") come from the UI catalogue of the feed's language
(``fr_FR`` → ``fr``; English when the UI does not speak it): :func:`ui_language`.

Chapters follow the category tree as the items reveal it: each item lists its categories
in tree order, and those sequences are merged (categories no item orders relative to each
other keep the order in which they were first seen).

Memory. WeasyPrint lays the whole document out in memory before it writes the first
byte, pictures included (each picture's bytes are kept until the PDF is written): that
cannot be streamed. Everything else is kept small: each group's HTML is rendered as
soon as the group is complete and appended to its chapter's file in a temporary folder,
so only the chapter titles stay in memory while items are written; pictures are
referenced by URL and read at render time through :meth:`FeedContext.fetch_image`.
``close()`` reads the chapters back into one HTML string and renders it. Peak memory is
therefore that of WeasyPrint's layout, which grows with the page count: about 2 MiB a page
on ``bench/bench_pdf.py`` (a 250-page catalogue of 2,000 items with a 600-px picture per
model peaked at 660 MiB). Fine for a print catalogue of a few thousand products; a whole
web catalogue of 100,000 would need splitting into several catalogues.

Nothing is fetched over the network while rendering: WeasyPrint's URL fetcher is replaced
by :class:`ImageFetcher`, which hands http(s) URLs to ``fetch_image`` (which reads the
media storage) and refuses every other URL; a picture it cannot have leaves an empty frame.
The style sheet is inlined and the fonts are the system's (DejaVu Sans).
"""

from __future__ import annotations

import gzip
import heapq
import mmap
import re
import shutil
import tempfile
import weakref
import zlib
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import jinja2
import nh3
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from channels.formats.base import REQUIRED, FeedContext, OrderedCalls, field_problem, is_blank
from channels.formats.text import clean_xml_text, collapse_whitespace, is_markup
from pim.i18n import DEFAULT_UI_LOCALE, N_, TRANSLATIONS_DIR, UI_LOCALES, english

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE = "channels/print/catalogue.html"
MAX_THUMBNAILS = 4
#: Tags kept in a rich-text description; no links, pictures or styles (nothing to fetch).
DESCRIPTION_TAGS = frozenset(
    {"p", "br", "ul", "ol", "li", "b", "strong", "i", "em", "u", "sub", "sup", "h3", "h4"}
)
#: Feature types left out of the features table: the SKU is in the variants table and
#: long texts (the description, usually) do not fit in a table cell.
HIDDEN_FEATURE_TYPES = frozenset({"identifier", "textarea", "asset_collection", "price"})
#: UN/ECE Rec. 20 unit codes as printed after a value; other codes are printed as is.
UNIT_SYMBOLS = {
    "MGM": "mg", "GRM": "g", "KGM": "kg", "LBR": "lb", "ONZ": "oz",
    "MMT": "mm", "CMT": "cm", "DMT": "dm", "MTR": "m", "INH": "in", "FOT": "ft",
    "MLT": "ml", "CLT": "cl", "LTR": "l", "CMK": "cm²", "MTK": "m²", "MTQ": "m³",
    "WTT": "W", "KWT": "kW", "VLT": "V", "AMP": "A", "CEL": "°C", "P1": "%",
    "SEC": "s", "MIN": "min", "HUR": "h", "DAY": "d", "C62": "",
}  # fmt: skip
_CURRENCY = re.compile(r"[A-Z]{3}")
_PAGE = re.compile(rb"/Type\s*/Page\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
_STREAM_START = re.compile(rb"stream\r?\n")
_EOF = re.compile(rb"%%EOF\s*\Z")


class ImageFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for the catalogue: image links only, never the network.

    An http(s) URL is handed to ``fetch_image`` (which reads the media storage); every
    other URL (``file:``, ``data:``, relative…) is refused. A refusal or a missing image
    raises an ordinary exception, which WeasyPrint logs before drawing nothing in its place.
    ``calls`` lists the URLs asked for, in order.
    """

    def __init__(self, fetch_image: Callable[[str], tuple[bytes, str] | None]) -> None:
        super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
        self._fetch_image = fetch_image
        self.calls: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        """The image at ``url`` from ``fetch_image``; LookupError when it cannot be had."""
        self.calls.append(url)
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise LookupError(f"only image links are fetched, not {url[:80]}")
        found = self._fetch_image(url)
        if found is None:
            raise LookupError(f"no image for {url}")
        body, content_type = found
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def ui_language(locale: str | None) -> str:
    """The UI language whose catalogue prints a feed's fixed words: ``fr_FR`` → ``fr``,
    English for a language the UI does not speak."""
    language = re.split(r"[_-]", locale or "")[0].lower()
    return language if language in UI_LOCALES else DEFAULT_UI_LOCALE


@cache
def translations(language: str) -> NullTranslations:
    """The compiled UI catalogue of ``language`` (read once per process; the app compiles
    the catalogues when it starts). Read directly, not through Flask-Babel: feeds are
    built by the worker and the CLI, outside any request."""
    return Translations.load(str(TRANSLATIONS_DIR), [language])


@cache
def environment(language: str = DEFAULT_UI_LOCALE) -> jinja2.Environment:
    """The templates folder with autoescape and ``_()`` / ``ngettext()`` speaking
    ``language``, usable without a Flask app (CLI, worker)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_printable,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def _printable(value: object) -> object:
    """Every ``{{ }}`` output without the control characters a document must not carry."""
    if isinstance(value, Markup):
        return Markup(clean_xml_text(str(value)))  # noqa: S704 (markup in, markup out)
    return clean_xml_text(value) if isinstance(value, str) else value


def macros(language: str = DEFAULT_UI_LOCALE):
    """The catalogue template's macros in ``language``: ``document(doc)`` and
    ``product_group(group)``."""
    return environment(language).get_template(TEMPLATE).module


# --- formatting --------------------------------------------------------------------------


class Formats:
    """Dates, prices and numbers in one locale, through Babel (``en_US`` when unknown),
    and the fixed words in its UI language (:meth:`gettext`)."""

    def __init__(self, locale: str) -> None:
        try:
            self.locale = Locale.parse(locale or "en_US")
        except (UnknownLocaleError, ValueError, TypeError):
            self.locale = Locale.parse("en_US")
        self.ui_language = ui_language(str(self.locale))

    def gettext(self, message: str, **variables) -> str:
        """``message`` in the feed's UI language, ``%(name)s`` placeholders filled."""
        text = translations(self.ui_language).gettext(message)
        return text % variables if variables else text

    def number(self, value: int | Decimal) -> str:
        """A number with the locale's separators, every decimal kept."""
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def page_footer(self) -> Markup:
        """The CSS ``content`` of the page footer: ``"Page " counter(page) " of "
        counter(pages)`` in the feed's language."""
        _ = self.gettext
        text = _("Page %(page)s of %(pages)s", page="\0page\0", pages="\0pages\0")
        parts = []
        for index, piece in enumerate(text.split("\0")):
            if index % 2:
                parts.append(f"counter({piece})")
            elif piece:
                parts.append(_css_string(piece))
        return Markup(" ".join(parts))  # noqa: S704 (CSS strings escaped by _css_string)

    @property
    def lang(self) -> str:
        """The locale as an HTML ``lang`` attribute (``en-US``)."""
        return str(self.locale).replace("_", "-")

    @property
    def language(self) -> str:
        """The locale's name in its own language (``English (United States)``)."""
        return self.locale.get_display_name(self.locale) or str(self.locale)

    def date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def price(self, value: object) -> str:
        amount, currency = price_parts(value)
        return format_currency(amount, currency, locale=self.locale)

    def feature(self, feature: dict) -> str:
        """A feature's value and unit as printed in the features table."""
        value = feature.get("value")
        if isinstance(value, dict) and "amount" in value:
            value = value["amount"]
        if isinstance(value, bool):
            text = self.gettext("Yes") if value else self.gettext("No")
        elif isinstance(value, int | float | Decimal):
            text = format_decimal(value, locale=self.locale, decimal_quantization=False)
        elif isinstance(value, date):
            text = format_date(value, format="medium", locale=self.locale)
        elif isinstance(value, list | tuple | set):
            text = ", ".join(str(part) for part in value)
        else:
            text = str(value)
        unit = UNIT_SYMBOLS.get(feature.get("unit") or "", feature.get("unit") or "")
        return collapse_whitespace(f"{text} {unit}")


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the style element."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&\n\r' or ord(char) < 32 else char for char in text
    )
    return f'"{escaped}"'


def price_parts(value: object) -> tuple[Decimal, str]:
    """``(amount, currency)`` of a price dict or pair; ValueError saying what is wrong."""
    if isinstance(value, dict):
        amount, currency = value.get("amount"), value.get("currency")
    elif isinstance(value, list | tuple) and len(value) == 2:
        amount, currency = value
    else:
        raise ValueError(english(N_("must be an amount and a currency")))
    try:
        number = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(
            english(N_("amount %(amount)s is not a number"), amount=repr(amount))
        ) from None
    if not number.is_finite() or number < 0:
        raise ValueError(english(N_("amount %(amount)s is not a price"), amount=repr(amount)))
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency.strip().upper()):
        raise ValueError(
            english(
                N_("currency must be a 3-letter ISO 4217 code, not %(currency)s"),
                currency=repr(currency),
            )
        )
    return number, currency.strip().upper()


def description_html(text: object) -> Markup:
    """A description as safe HTML: rich text keeps a few tags (no links, no pictures),
    plain text becomes paragraphs at its blank lines."""
    if is_blank(text):
        return Markup("")
    text = clean_xml_text(str(text))
    if is_markup(text):
        clean = nh3.clean(text, tags=set(DESCRIPTION_TAGS), attributes={})
        return Markup(clean)  # noqa: S704 (sanitised by nh3: a few tags, no attributes)
    paragraphs = [collapse_whitespace(part) for part in re.split(r"\n\s*\n", text)]
    return Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs if p)


# --- one product group -------------------------------------------------------------------


def group_view(items: list[dict], formats: Formats) -> dict:
    """What the template prints for one product group (a model's variants, or one product)."""
    first = items[0]
    axes = [(axis["code"], axis.get("label") or axis["code"]) for axis in first.get("_axes") or ()]
    images = list(
        dict.fromkeys(i["image_link"] for i in items if not is_blank(i.get("image_link")))
    )
    rows = [_variant_row(item, [code for code, _ in axes], formats) for item in items]
    name, brand = _text(first.get("_group_label") or first.get("title")), _text(first.get("brand"))
    features = _common_features(items, {code for code, _ in axes}, formats)
    return {
        "name": name,
        "brand": brand,
        "description": description_html(first.get("description")),
        "image": images[0] if images else None,
        "thumbnails": images[1 : 1 + MAX_THUMBNAILS],
        "features": [(label, text) for label, text in features if text not in (name, brand)],
        "axes": [label for _, label in axes],
        "rows": rows,
        "gtin": any(row["gtin"] for row in rows),
    }


def _text(value: object) -> str:
    return "" if is_blank(value) else collapse_whitespace(str(value))


def _variant_row(item: dict, axis_codes: list[str], formats: Formats) -> dict:
    values = {
        axis["code"]: axis.get("value_label") or axis.get("value")
        for axis in item.get("_axes") or ()
    }
    sale = item.get("sale_price")
    return {
        "axes": [_text(values.get(code)) for code in axis_codes],
        "sku": _text(item.get("id")),
        "gtin": _text(item.get("gtin")),
        "price": formats.price(item["price"]),
        "sale": formats.price(sale) if not is_blank(sale) and _is_price(sale) else None,
    }


def _is_price(value: object) -> bool:
    try:
        price_parts(value)
    except ValueError:
        return False
    return True


def _common_features(items: list[dict], axes: set[str], formats: Formats) -> list[tuple]:
    """(label, value) of the first item's features that every item of the group shares;
    the variant axes are in the variants table, and values that vary are left out (the
    name and brand are dropped by the caller, which prints them above)."""
    shared = []
    for feature in items[0].get("_features") or ():
        code = feature.get("code")
        if code in axes or feature.get("type") in HIDDEN_FEATURE_TYPES:
            continue
        if is_blank(feature.get("value")):
            continue
        if all(_feature_value(item, code) == feature.get("value") for item in items[1:]):
            shared.append((_text(feature.get("label") or code), formats.feature(feature)))
    return shared


def _feature_value(item: dict, code: str) -> object:
    return next(
        (f.get("value") for f in item.get("_features") or () if f.get("code") == code), None
    )


# --- chapters ----------------------------------------------------------------------------


class _Chapter:
    """A chapter being written: its title in memory, its product blocks in a file."""

    def __init__(self, folder: Path, number: int, code: str | None, title: str, trail: str):
        self.code, self.title, self.trail = code, title, trail
        self.anchor = f"chapter-{number}"
        self.path = folder / f"{number}.html"
        self.products = 0

    def append(self, html: str) -> None:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(html)
        self.products += 1

    def view(self) -> dict:
        # The product blocks this writer rendered with autoescape.
        body = Markup(self.path.read_text(encoding="utf-8"))  # noqa: S704
        return {"anchor": self.anchor, "title": self.title, "trail": self.trail, "body": body}


class CategoryOrder:
    """The tree order of categories as far as the items show it.

    Each item lists its categories in tree order, so consecutive codes are ordered pairs;
    :meth:`sort` orders codes consistently with every pair seen, ties (and contradictions)
    broken by the order in which codes were first seen.
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}
        self._after: dict[str, set[str]] = {}

    def learn(self, codes: list[str]) -> None:
        for code in codes:
            self._seen.setdefault(code, len(self._seen))
        for before, after in pairwise(codes):
            if before != after:
                self._after.setdefault(before, set()).add(after)

    def sort(self, codes: Iterable[str]) -> list[str]:
        wanted = set(codes)
        return [code for code in self._topological() if code in wanted]

    def _topological(self) -> list[str]:
        incoming = dict.fromkeys(self._seen, 0)
        for afters in self._after.values():
            for code in afters:
                incoming[code] += 1
        ready = [(rank, code) for code, rank in self._seen.items() if not incoming[code]]
        heapq.heapify(ready)
        order: list[str] = []
        placed: set[str] = set()
        while len(order) < len(self._seen):
            if not ready:  # a cycle: take the earliest seen code left
                code = min((c for c in self._seen if c not in placed), key=self._seen.get)
                ready.append((self._seen[code], code))
            _rank, code = heapq.heappop(ready)
            if code in placed:
                continue
            order.append(code)
            placed.add(code)
            for after in self._after.get(code, ()):
                incoming[after] -= 1
                if incoming[after] == 0 and after not in placed:
                    heapq.heappush(ready, (self._seen[after], after))
        return order


# --- the writer --------------------------------------------------------------------------


class PdfCatalogueWriter(OrderedCalls):
    """A print catalogue: cover, contents, a chapter per category, a block per product group.

    Product blocks are rendered to HTML as each group completes and spooled to disk per
    chapter; the PDF is laid out and written by :meth:`close` (see the module docstring
    for what that costs in memory).
    """

    extension = "pdf"
    content_type = "application/pdf"
    wants_context = True
    grouped = True
    wants_features = True

    def __init__(self, context: FeedContext | None = None) -> None:
        self.context = context or FeedContext()
        self.formats = Formats(self.context.locale)
        self._stream: BinaryIO | None = None
        self._folder: Path | None = None
        self._remove_folder: Callable[[], object] = lambda: None
        self._chapters: dict[str | None, _Chapter] = {}
        self._order = CategoryOrder()
        self._group: list[dict] = []
        self._items = 0
        self._meta = {"title": "", "link": "", "description": ""}
        self.fetcher = ImageFetcher(self.context.fetch_image)

    def check(self, item: dict) -> list[str]:
        problems = []
        if is_blank(item.get("id")):
            problems.append(field_problem("id", REQUIRED))
        if is_blank(item.get("title")) and is_blank(item.get("_group_label")):
            problems.append(field_problem("title", REQUIRED))
        if is_blank(item.get("price")):
            problems.append(field_problem("price", REQUIRED))
        else:
            try:
                price_parts(item["price"])
            except ValueError as error:
                problems.append(field_problem("price", error))
        return problems

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        """Remember the stream and the channel metadata; nothing is written before close."""
        self._move("new", "open", "open")
        self._stream = stream
        self._meta = {"title": title, "link": link, "description": description}
        self._folder = Path(tempfile.mkdtemp(prefix="vitrine-catalogue-"))
        # Removed by close(), or when the writer is dropped (a build that failed halfway).
        self._remove_folder = weakref.finalize(self, shutil.rmtree, self._folder, True)

    def write(self, item: dict) -> None:
        """Add ``item`` to its group; a group is rendered when the next one starts."""
        self._move("open", "open", "write to")
        if self._group and _group_key(item) != _group_key(self._group[-1]):
            self._flush_group()
        self._group.append(item)
        self._items += 1
        if _group_key(item) is None:  # a standalone product is a group of its own
            self._flush_group()

    def build_html(self) -> str:
        """The whole document as HTML (the group being written is ended first)."""
        self._flush_group()
        context = self.context
        codes = self._order.sort(code for code in self._chapters if code is not None)
        if None in self._chapters:
            codes.append(None)
        products = sum(chapter.products for chapter in self._chapters.values())
        doc = {
            "lang": self.formats.lang,
            "title": context.label or self._meta["title"] or self.formats.gettext("Catalogue"),
            "description": self._meta["description"],
            "channel": context.channel,
            "language": self.formats.language,
            "date": self.formats.date(context.generated_at),
            "created": context.generated_at.isoformat(),
            "products": self.formats.number(products),
            "references": self._items,
            "references_text": self.formats.number(self._items),
            "page_footer": self.formats.page_footer(),
            "chapters": [self._chapters[code].view() for code in codes],
        }
        return str(macros(self.formats.ui_language).document(doc))

    def close(self) -> None:
        """Lay the catalogue out and write the PDF; the stream stays open."""
        self._move("open", "closed", "close")
        try:
            html = self.build_html()
            base_url = self._meta["link"] if _is_web_url(self._meta["link"]) else None
            document = HTML(string=html, base_url=base_url, url_fetcher=self.fetcher)
            document.write_pdf(target=self._stream)
            self._stream.flush()
        finally:
            self._remove_folder()

    @classmethod
    def validate_file(cls, path, *, gzipped: bool) -> list[str]:
        """Problems of a written PDF: its header, its end marker, at least one page."""
        if gzipped:
            with gzip.open(path, "rb") as file:
                return pdf_problems(file.read())
        with open(path, "rb") as file:
            if not Path(path).stat().st_size:
                return ["the file is empty, not a PDF"]
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return pdf_problems(data)

    def _flush_group(self) -> None:
        if not self._group:
            return
        items, self._group = self._group, []
        for item in items:
            self._order.learn([c["code"] for c in item.get("_categories") or () if c.get("code")])
        html = macros(self.formats.ui_language).product_group(group_view(items, self.formats))
        self._chapter_of(items[0]).append(str(html) + "\n")

    def _chapter_of(self, item: dict) -> _Chapter:
        category = next((c for c in item.get("_categories") or () if c.get("code")), None)
        code = category["code"] if category else None
        if code not in self._chapters:
            other = self.formats.gettext("Other products")
            title = _text(category.get("label") or code) if category else other
            trail = _text(category.get("trail")) if category else ""
            number = len(self._chapters) + 1
            self._chapters[code] = _Chapter(self._folder, number, code, title, trail)
        return self._chapters[code]


def _group_key(item: dict) -> object:
    """Variants of one model share a key; a standalone product has None (a group alone)."""
    return item.get("item_group_id") if item.get("_variant") else None


def _is_web_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme.lower() in ("http", "https")


# --- checking a written file -------------------------------------------------------------


def pdf_problems(data: bytes | mmap.mmap) -> list[str]:
    """What is wrong with PDF bytes: the header, the end marker, the page count."""
    problems = []
    if data[:5] != b"%PDF-":
        problems.append("the file does not start with %PDF-, it is not a PDF")
    if not _EOF.search(data[-1024:]):
        problems.append("the file does not end with %%EOF: it is truncated or damaged")
    if problems:
        return problems
    try:
        pages = count_pages(data)
    except zlib.error:
        return ["an object stream of the PDF cannot be decompressed: the file is damaged"]
    if not pages:
        problems.append("the PDF has no page")
    return problems


def count_pages(data: bytes | mmap.mmap) -> int:
    """Page objects in a PDF, those packed in compressed object streams included."""
    return sum(len(_PAGE.findall(chunk)) for chunk in pdf_objects(data))


def pdf_objects(data: bytes | mmap.mmap) -> Iterable[bytes]:
    """The PDF's bytes, then the decompressed content of each object stream (``/ObjStm``,
    where WeasyPrint packs pages, outlines and links)."""
    yield data
    for match in _OBJECT_STREAM.finditer(data):
        start = _STREAM_START.search(data, match.end())
        if start is None:
            raise zlib.error("object stream without data")
        inflater = zlib.decompressobj()
        chunks, position = [], start.end()
        while not inflater.eof and position < len(data):
            chunks.append(inflater.decompress(data[position : position + 65536]))
            position += 65536
        if not inflater.eof:
            raise zlib.error("object stream cut short")
        yield b"".join(chunks)
