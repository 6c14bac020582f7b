"""BMEcat 2005 catalogues: the documents validate against the official XSD, hostile text
stays well-formed, and every rule that keeps an item out names its field."""

from __future__ import annotations

import gzip
import io
import logging
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import etree

from channels.formats.base import FeedContext, FeedWriter
from channels.formats.bmecat import (
    LANGUAGES,
    NS,
    XSD_ENV,
    BMEcatWriter,
    language_code,
    load_schema,
    xsd_path,
)

B = f"{{{NS}}}"
CHANNEL = {"title": "Maison B2B", "link": "https://shop.example", "description": "All"}
CONTEXT = FeedContext(
    code="maison-b2b",
    label="Maison – catalogue pro",
    locale="de_DE",
    currency="EUR",
    territory="DE",
    generated_at=datetime(2026, 11, 23, 18, 30, 5, tzinfo=UTC),
)
needs_xsd = pytest.mark.skipif(
    not xsd_path().is_file(),
    reason=f"BMEcat 2005 XSD not found at {xsd_path()} (set {XSD_ENV} to its path)",
)
HOSTILE = "<p>Zip \x00\x08\x0b\x1f ]]> <script>alert(1)</script>&amp; naïve 🧵 <b>bold</b></p>"


def make_item(**changes):
    """A publishable standalone product; ``changes`` override keys (None removes one)."""
    item = {
        "id": "LAMP-1",
        "title": "Desk lamp",
        "description": "<p>A <b>brass</b> desk lamp.</p>",
        "price": {"amount": Decimal("49.9"), "currency": "EUR"},
        "gtin": "4006381333931",
        "mpn": "DL-100",
        "brand": "Maison",
        "image_link": "https://img.example/lamp.jpg",
        "additional_image_link": ["https://img.example/lamp-2.gif", "https://img.example/lamp-3"],
        "_variant": False,
        "_features": [
            {"code": "weight", "label": "Gewicht", "type": "metric", "value": "1.2", "unit": "KGM"},
            {"code": "colour", "label": "Farbe", "type": "simple_select", "value": "Messing"},
        ],
    }
    item.update(changes)
    return {key: value for key, value in item.items() if value is not None}


def variant(size: str, gtin: str):
    return make_item(
        id=f"SHIRT-1-{size}",
        title=f"Linen shirt {size}",
        gtin=gtin,
        item_group_id="SHIRT-1",
        _variant=True,
        _features=[{"code": "size", "label": "Größe", "type": "simple_select", "value": size}],
    )


def catalogue():
    """A standalone product, two variants of one model, and one full of hostile text."""
    return [
        make_item(),
        variant("M", "4006381333924"),
        variant("L", "4006381333917"),
        make_item(
            id="ODD-1",
            title="Emoji 🧵 & <odd> ]]> title\x07",
            description=HOSTILE,
            gtin=None,
            link="https://shop.example/p/odd-1?a=1&b=2",
            tax=Decimal("0.19"),
            order_unit="pk",
            _features=[
                {"code": "care", "label": "Pflege", "type": "textarea", "value": "Long prose"},
                {"code": "note", "label": "Hinweis ]]>\x01", "type": "text", "value": "x" * 80},
                {"code": "blank", "label": "Leer", "type": "text", "value": " \x02 "},
            ],
        ),
    ]


def write(items, context=CONTEXT, stream=None, **options):
    stream = stream or io.BytesIO()
    writer = BMEcatWriter(context, **options)
    writer.open(stream, **CHANNEL)
    for item in items:
        assert writer.check(item) == []
        writer.write(item)
    writer.close()
    return stream


def products(data: bytes):
    return etree.fromstring(data).findall(f"{B}T_NEW_CATALOG/{B}PRODUCT")


def _path(path: str) -> str:
    """``"A/B"`` in the BMEcat namespace, for ``find``."""
    return "/".join(B + part for part in path.split("/"))


# --- the protocol and the feed settings ------------------------------------------------------


def test_writer_implements_the_feed_writer_protocol_and_asks_for_context_and_features():
    assert isinstance(BMEcatWriter(), FeedWriter)
    assert (BMEcatWriter.extension, BMEcatWriter.content_type) == ("xml", "application/xml")
    assert BMEcatWriter.wants_context and BMEcatWriter.wants_features


def test_writer_refuses_calls_out_of_order():
    writer = BMEcatWriter()
    with pytest.raises(RuntimeError, match="cannot write to a new feed writer"):
        writer.write(make_item())
    writer.open(io.BytesIO(), **CHANNEL)
    writer.close()
    with pytest.raises(RuntimeError, match="cannot close a closed feed writer"):
        writer.close()


def test_write_refuses_an_item_that_fails_its_check():
    writer = BMEcatWriter(CONTEXT)
    writer.open(io.BytesIO(), **CHANNEL)
    with pytest.raises(ValueError, match="price: is required"):
        writer.write(make_item(price=None))


@pytest.mark.parametrize(
    ("locale", "code"), [("en_US", "eng"), ("fr_FR", "fra"), ("de_DE", "deu"), ("pt-BR", "por")]
)
def test_the_catalogue_language_is_the_locale_language_in_iso_639_2(locale, code):
    assert language_code(locale) == code


@needs_xsd
def test_every_known_language_code_is_in_the_xsd_list():
    xs = "{http://www.w3.org/2001/XMLSchema}"
    schema = etree.parse(str(xsd_path())).getroot()
    assert schema.get("targetNamespace") == NS
    lang = next(t for t in schema.iter(f"{xs}simpleType") if t.get("name") == "dtLANG")
    allowed = {e.get("value") for e in lang.iter(f"{xs}enumeration")}
    assert set(LANGUAGES.values()) <= allowed


@needs_xsd
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"locale": "xx_XX"}, "locale: no ISO 639-2 code known for 'xx_XX'"),
        ({"currency": "PLN"}, "currency: PLN is not in BMEcat 2005's currency list"),
        ({"code": "a-feed-code-over-twenty"}, "code: 'a-feed-code-over-twenty' must have 1 to 20"),
    ],
)
def test_feed_settings_bmecat_cannot_carry_stop_the_writer(settings, message):
    context = FeedContext(**{"code": "shop", **settings})
    with pytest.raises(ValueError, match=message):
        BMEcatWriter(context)


@needs_xsd
def test_a_territory_bmecat_does_not_list_is_left_out_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        writer = BMEcatWriter(FeedContext(code="shop", territory="RS"))
    assert writer.territory is None
    assert "territory RS is not in BMEcat 2005's country list" in caplog.text


# --- the document ----------------------------------------------------------------------------


@needs_xsd
def test_a_catalogue_validates_against_the_xsd(tmp_path):
    path = tmp_path / "catalogue.xml"
    with path.open("wb") as stream:
        write(catalogue(), stream=stream)
    assert BMEcatWriter.validate_file(path, gzipped=False) == []
    # and the same verdict from a plain, whole-document validation
    schema = load_schema()
    assert schema.validate(etree.parse(str(path))), schema.error_log


@needs_xsd
def test_an_empty_catalogue_is_a_valid_document(tmp_path):
    path = tmp_path / "empty.xml"
    path.write_bytes(write([]).getvalue())
    assert BMEcatWriter.validate_file(path, gzipped=False) == []
    assert products(path.read_bytes()) == []


def test_header_describes_the_catalogue():
    root = etree.fromstring(write([make_item()]).getvalue())
    assert root.tag == f"{B}BMECAT" and root.get("version") == "2005"
    assert root.nsmap == {None: NS}
    header = root.find(f"{B}HEADER")
    assert header.findtext(f"{B}GENERATOR_INFO") == "Vitrine"
    catalog = header.find(f"{B}CATALOG")
    assert [child.tag.removeprefix(B) for child in catalog] == [
        "LANGUAGE", "CATALOG_ID", "CATALOG_VERSION", "CATALOG_NAME", "DATETIME", "TERRITORY",
        "CURRENCY",
    ]  # fmt: skip
    assert catalog.findtext(f"{B}LANGUAGE") == "deu"
    assert catalog.findtext(f"{B}CATALOG_ID") == "maison-b2b"
    assert catalog.findtext(f"{B}CATALOG_NAME") == "Maison – catalogue pro"
    moment = catalog.find(f"{B}DATETIME")
    assert moment.get("type") == "generation_date"
    assert [moment.findtext(B + tag) for tag in ("DATE", "TIME", "TIMEZONE")] == [
        "2026-11-23", "18:30:05", "+00:00",
    ]  # fmt: skip
    assert (catalog.findtext(f"{B}TERRITORY"), catalog.findtext(f"{B}CURRENCY")) == ("DE", "EUR")
    assert header.findtext(_path("SUPPLIER/SUPPLIER_NAME")) == "Vitrine"


def test_supplier_name_and_price_type_are_writer_options():
    data = write([make_item()], supplier_name="Maison SARL", price_type="nrp").getvalue()
    root = etree.fromstring(data)
    assert root.findtext(_path("HEADER/SUPPLIER/SUPPLIER_NAME")) == "Maison SARL"
    price = products(data)[0].find(_path("PRODUCT_PRICE_DETAILS/PRODUCT_PRICE"))
    assert price.get("price_type") == "nrp"
    with pytest.raises(ValueError, match="price_type: 'cheap' is not a BMEcat 2005 price type"):
        BMEcatWriter(price_type="cheap")


def test_a_product_has_its_elements_in_the_xsd_order():
    (product,) = products(write([make_item(tax="0.19")]).getvalue())
    assert product.get("mode") == "new"
    assert [child.tag.removeprefix(B) for child in product] == [
        "SUPPLIER_PID", "PRODUCT_DETAILS", "PRODUCT_FEATURES", "PRODUCT_ORDER_DETAILS",
        "PRODUCT_PRICE_DETAILS", "MIME_INFO",
    ]  # fmt: skip
    assert product.findtext(f"{B}SUPPLIER_PID") == "LAMP-1"
    details = product.find(f"{B}PRODUCT_DETAILS")
    assert [(child.tag.removeprefix(B), child.text, dict(child.attrib)) for child in details] == [
        ("DESCRIPTION_SHORT", "Desk lamp", {}),
        ("DESCRIPTION_LONG", "A brass desk lamp.", {}),
        ("INTERNATIONAL_PID", "4006381333931", {"type": "gtin"}),
        ("MANUFACTURER_PID", "DL-100", {}),
        ("MANUFACTURER_NAME", "Maison", {}),
    ]
    order = product.find(f"{B}PRODUCT_ORDER_DETAILS")
    assert [(child.tag.removeprefix(B), child.text) for child in order] == [
        ("ORDER_UNIT", "C62"), ("CONTENT_UNIT", "C62"), ("NO_CU_PER_OU", "1"),
        ("PRICE_QUANTITY", "1"), ("QUANTITY_MIN", "1"), ("QUANTITY_INTERVAL", "1"),
    ]  # fmt: skip
    prices = product.find(f"{B}PRODUCT_PRICE_DETAILS")
    assert prices.find(f"{B}DATETIME").get("type") == "valid_start_date"
    assert prices.findtext(_path("DATETIME/DATE")) == "2026-11-23"
    price = prices.find(f"{B}PRODUCT_PRICE")
    assert price.get("price_type") == "net_list"
    assert [(child.tag.removeprefix(B), child.text) for child in price] == [
        ("PRICE_AMOUNT", "49.90"), ("PRICE_CURRENCY", "EUR"), ("TAX", "0.19"),
    ]  # fmt: skip


def test_features_carry_labels_values_and_units():
    (product,) = products(write([make_item()]).getvalue())
    features = product.find(f"{B}PRODUCT_FEATURES")
    assert features.findtext(f"{B}REFERENCE_FEATURE_SYSTEM_NAME") == "Vitrine"
    assert [
        [(child.tag.removeprefix(B), child.text) for child in feature]
        for feature in features.findall(f"{B}FEATURE")
    ] == [
        [("FNAME", "Gewicht"), ("FVALUE", "1.2"), ("FUNIT", "KGM")],
        [("FNAME", "Farbe"), ("FVALUE", "Messing")],
    ]


def test_variants_are_products_sharing_their_model_code_as_first_feature():
    data = write(catalogue()[1:3]).getvalue()
    shirts = products(data)
    assert [p.findtext(f"{B}SUPPLIER_PID") for p in shirts] == ["SHIRT-1-M", "SHIRT-1-L"]
    for product, size in zip(shirts, ["M", "L"], strict=True):
        pairs = [
            (f.findtext(f"{B}FNAME"), f.findtext(f"{B}FVALUE"))
            for f in product.iterfind(_path("PRODUCT_FEATURES/FEATURE"))
        ]
        assert pairs == [("item_group_id", "SHIRT-1"), ("Größe", size)]


def test_images_are_mime_entries_in_order_with_their_purpose():
    (product,) = products(write([make_item(link="https://shop.example/p/lamp")]).getvalue())
    mimes = [
        {child.tag.removeprefix(B): child.text for child in mime}
        for mime in product.iterfind(_path("MIME_INFO/MIME"))
    ]
    assert mimes == [
        {"MIME_TYPE": "image/jpeg", "MIME_SOURCE": "https://img.example/lamp.jpg",
         "MIME_PURPOSE": "normal", "MIME_ORDER": "1"},
        {"MIME_TYPE": "image/gif", "MIME_SOURCE": "https://img.example/lamp-2.gif",
         "MIME_PURPOSE": "detail", "MIME_ORDER": "2"},
        # no extension: a Vitrine rendition URL, in the feed's format (JPEG by default)
        {"MIME_TYPE": "image/jpeg", "MIME_SOURCE": "https://img.example/lamp-3",
         "MIME_PURPOSE": "detail", "MIME_ORDER": "3"},
        {"MIME_TYPE": "url", "MIME_SOURCE": "https://shop.example/p/lamp",
         "MIME_PURPOSE": "others", "MIME_ORDER": "4"},
    ]  # fmt: skip


def test_image_type_states_the_format_of_links_without_extension():
    item = make_item(image_link="https://img.example/r/1", additional_image_link=None)
    for image_type, expected in (("image/gif", "image/gif"), (None, None)):
        (product,) = products(write([item], image_type=image_type).getvalue())
        assert product.findtext(_path("MIME_INFO/MIME/MIME_TYPE")) == expected
    with pytest.raises(ValueError, match="image_type: BMEcat 2005 states image/jpeg or image/gif"):
        BMEcatWriter(image_type="image/png")


@needs_xsd
def test_a_png_image_is_written_without_the_mime_type_bmecat_2005_cannot_state(tmp_path):
    item = make_item(image_link="https://img.example/lamp.PNG", additional_image_link=None)
    path = tmp_path / "png.xml"
    path.write_bytes(write([item]).getvalue())
    (mime,) = products(path.read_bytes())[0].iterfind(_path("MIME_INFO/MIME"))
    assert mime.find(f"{B}MIME_TYPE") is None
    assert mime.findtext(f"{B}MIME_SOURCE") == "https://img.example/lamp.PNG"
    assert BMEcatWriter.validate_file(path, gzipped=False) == []


@needs_xsd
def test_hostile_text_stays_well_formed_and_valid(tmp_path):
    path = tmp_path / "hostile.xml"
    path.write_bytes(write(catalogue()).getvalue())
    raw = path.read_bytes()
    assert b"]]&gt;" in raw and b"<script" not in raw and b"\x00" not in raw
    odd = products(raw)[-1]
    details = odd.find(f"{B}PRODUCT_DETAILS")
    assert details.findtext(f"{B}DESCRIPTION_SHORT") == "Emoji 🧵 & <odd> ]]> title"
    assert details.findtext(f"{B}DESCRIPTION_LONG") == "Zip ]]> & naïve 🧵 bold"
    features = [
        (f.findtext(f"{B}FNAME"), f.findtext(f"{B}FVALUE"))
        for f in odd.iterfind(_path("PRODUCT_FEATURES/FEATURE"))
    ]
    # prose (textarea) and blanks are left out; a value over 60 characters is cut
    assert features == [("Hinweis ]]>", "x" * 59 + "…")]
    assert odd.findtext(_path("PRODUCT_ORDER_DETAILS/ORDER_UNIT")) == "PK"
    assert BMEcatWriter.validate_file(path, gzipped=False) == []


def test_long_titles_and_feature_names_are_cut_between_words():
    title = "Lamp " * 40
    item = make_item(title=title, _features=[{"label": "Name " * 20, "type": "text", "value": "v"}])
    (product,) = products(write([item]).getvalue())
    short = product.findtext(_path("PRODUCT_DETAILS/DESCRIPTION_SHORT"))
    assert len(short) <= 150 and short.endswith("Lamp…")
    name = product.findtext(_path("PRODUCT_FEATURES/FEATURE/FNAME"))
    assert len(name) <= 60 and name.endswith("Name…")


# --- refused items ---------------------------------------------------------------------------


@needs_xsd
@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": None}, "id: is required"),
        ({"id": "X" * 33}, "id: 33 characters, at most 32 allowed"),
        ({"title": " \x01 "}, "title: is required"),
        ({"price": None}, "price: is required"),
        ({"price": {"amount": Decimal("5")}}, "price: currency must be a 3-letter ISO 4217 code"),
        ({"price": {"amount": "5", "currency": "USD"}}, "price: in USD, the catalogue is in EUR"),
        ({"price": {"amount": "-1", "currency": "EUR"}}, "price: must not be negative"),
        ({"gtin": "4006381333932"}, "gtin: check digit is wrong (4006381333932)"),
        ({"mpn": "M" * 51}, "mpn: 51 characters, at most 50 allowed"),
        ({"order_unit": "XYZ"}, "order_unit: 'XYZ' is not a UN/ECE Rec. 20 unit code"),
        ({"content_unit": "piece"}, "content_unit: 'PIECE' is not a UN/ECE Rec. 20 unit code"),
        ({"tax": "19"}, "tax: must be a rate such as 0.19 for 19%, not 19"),
        ({"image_link": "ftp://img.example/a.jpg"}, "image_link: must be an http or https URL"),
        (
            {"additional_image_link": ["https://img.example/" + "a" * 250]},
            "additional_image_link: URL of 270 characters, BMEcat allows at most 255",
        ),
    ],
)
def test_check_refuses_items_bmecat_cannot_carry(changes, problem):
    problems = BMEcatWriter(CONTEXT).check(make_item(**changes))
    assert any(p.startswith(problem) for p in problems), problems


def test_check_accepts_a_price_as_amount_and_currency_pair():
    writer = BMEcatWriter(CONTEXT)
    assert writer.check(make_item(price=(Decimal("3"), "EUR"))) == []
    assert writer.check(make_item(price="3.5 EUR")) == []


def test_keys_bmecat_has_no_element_for_are_left_out():
    item = make_item(availability="in_stock", condition="new", color="brass")
    assert BMEcatWriter(CONTEXT).check(item) == []
    data = write([item]).getvalue()
    assert b"in_stock" not in data and b"brass<" not in data


# --- validating a written file ---------------------------------------------------------------


def broken(data: bytes) -> bytes:
    """The catalogue with the second product's SUPPLIER_PID removed."""
    return data.replace(b"<SUPPLIER_PID>SHIRT-1-M</SUPPLIER_PID>", b"", 1)


@needs_xsd
@pytest.mark.parametrize("gzipped", [False, True])
def test_validate_file_names_the_line_of_a_product_without_supplier_pid(tmp_path, gzipped):
    data = broken(write(catalogue()).getvalue())
    line = next(n for n, text in enumerate(data.splitlines(), 1) if b"SHIRT" in text)
    path = tmp_path / "broken.xml"
    path.write_bytes(gzip.compress(data) if gzipped else data)
    assert BMEcatWriter.validate_file(path, gzipped=gzipped) == [
        f"line {line}: Element 'PRODUCT_DETAILS': This element is not expected. "
        "Expected is ( SUPPLIER_PID )."
    ]


@needs_xsd
def test_validate_file_reports_header_problems_and_shortens_code_lists(tmp_path):
    data = write([make_item()]).getvalue()
    data = data.replace(b"<CURRENCY>EUR</CURRENCY>", b"<CURRENCY>XXX</CURRENCY>")
    data = data.replace(b"<ORDER_UNIT>C62<", b"<ORDER_UNIT>BOX<")
    path = tmp_path / "codes.xml"
    path.write_bytes(data)
    problems = BMEcatWriter.validate_file(path, gzipped=False)
    assert problems == [
        "line 5: Element 'ORDER_UNIT': [facet 'enumeration'] The value 'BOX' is not one of "
        "the values the XSD allows.",
        "line 3: Element 'CURRENCY': [facet 'enumeration'] The value 'XXX' is not one of the "
        "values the XSD allows.",
    ]


@needs_xsd
def test_validate_file_stops_at_twenty_problems(tmp_path):
    items = [make_item(id=f"P{n}") for n in range(30)]
    data = write(items).getvalue()
    path = tmp_path / "many.xml"
    path.write_bytes(data.replace(b"<SUPPLIER_PID>", b"<SUPPLIER_PID/><X>").replace(
        b"</SUPPLIER_PID>", b"</X>"
    ))  # fmt: skip
    problems = BMEcatWriter.validate_file(path, gzipped=False)
    assert len(problems) == 20
    assert problems[0].startswith("line 5: Element 'SUPPLIER_PID'")


@needs_xsd
def test_validate_file_reports_malformed_xml_with_its_line(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_bytes(write(catalogue()).getvalue()[:-40])
    (problem,) = BMEcatWriter.validate_file(path, gzipped=False)
    assert problem.startswith("line 8: the XML is not well-formed:")


@needs_xsd
def test_validate_file_refuses_a_document_in_another_namespace(tmp_path):
    path = tmp_path / "other.xml"
    path.write_bytes(write([make_item()]).getvalue().replace(b"/2005fd", b"/2005"))
    assert BMEcatWriter.validate_file(path, gzipped=False) == [
        "line 2: Element '{http://www.bmecat.org/bmecat/2005}BMECAT': No matching global "
        "declaration available for the validation root."
    ]


def test_without_the_xsd_validate_file_checks_well_formedness_and_warns(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv(XSD_ENV, str(tmp_path / "missing.xsd"))
    good, cut = tmp_path / "good.xml", tmp_path / "cut.xml"
    good.write_bytes(broken(write(catalogue()).getvalue()))  # invalid, but well-formed
    cut.write_bytes(good.read_bytes()[:-40])
    with caplog.at_level(logging.WARNING):
        assert BMEcatWriter.validate_file(good, gzipped=False) == []
    assert "BMEcat XSD not found" in caplog.text and "well-formedness only" in caplog.text
    assert BMEcatWriter.validate_file(cut, gzipped=False)[0].startswith("line 8: the XML")


# --- streaming -------------------------------------------------------------------------------


def test_writing_streams_in_constant_memory(tmp_path):
    count = 600
    write([make_item()])  # warm up: parsers and code lists are loaded once per process
    tracemalloc.start()
    try:
        with open(tmp_path / "big.xml", "wb") as stream:
            writer = BMEcatWriter(CONTEXT)
            writer.open(stream, **CHANNEL)
            for n in range(count):
                writer.write(make_item(id=f"P{n}", title=f"Lamp {n}"))
            writer.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = (tmp_path / "big.xml").stat().st_size
    assert size > count * 1500
    # Python-side peak: a few item-sized objects, whatever the number of items.
    assert peak < 60_000 < size / 10, f"peak {peak} bytes while writing a {size}-byte file"
