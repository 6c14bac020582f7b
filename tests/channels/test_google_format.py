"""Google Merchant Center feeds: the XML and TSV files as Google would read them, and
every rule that keeps an item out."""

from __future__ import annotations

import csv
import gc
import io
import sys
import tracemalloc
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from channels.formats import FORMATS, FeedWriter
from channels.formats.google import (
    COLUMNS,
    NS,
    GoogleMerchantTSVWriter,
    GoogleMerchantXMLWriter,
    check_item,
)
from channels.formats.meta import MetaCatalogCSVWriter

G = f"{{{NS}}}"
CHANNEL = {"title": "Vitrine – Maison", "link": "https://shop.example", "description": "All"}


def make_item(**changes):
    """A publishable apparel variant; ``changes`` override keys (None removes one)."""
    item = {
        "id": "SKU-1-M",
        "title": "Linen shirt",
        "description": "A light linen shirt.",
        "link": "https://shop.example/p/linen-shirt?size=M",
        "image_link": "https://img.example/linen-shirt.jpg",
        "availability": "in_stock",
        "price": (Decimal("49.9"), "EUR"),
        "brand": "Maison",
        "gtin": "4006381333931",
        "condition": "new",
        "color": "white",
        "size": "M",
        "gender": "male",
        "age_group": "adult",
        "item_group_id": "SKU-1",
        "_apparel": True,
        "_variant": True,
    }
    item.update(changes)
    return {key: value for key, value in item.items() if value is not None}


def write_feed(writer, items, stream=None):
    stream = stream or io.BytesIO()
    writer.open(stream, **CHANNEL)
    for item in items:
        assert writer.check(item) == []
        writer.write(item)
    writer.close()
    return stream


def xml_items(items):
    data = write_feed(GoogleMerchantXMLWriter(), items).getvalue()
    return etree.fromstring(data).findall("channel/item")


def tsv_rows(items):
    text = write_feed(GoogleMerchantTSVWriter(), items).getvalue().decode("utf-8")
    assert text.endswith("\n")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert all(len(row) == len(COLUMNS) for row in rows)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- the registry and the protocol ----------------------------------------------------------


def test_formats_are_registered_and_implement_the_writer_protocol():
    assert {
        "google_merchant": GoogleMerchantXMLWriter,
        "google_merchant_tsv": GoogleMerchantTSVWriter,
        "meta": MetaCatalogCSVWriter,
    }.items() <= dict(FORMATS).items()
    assert set(FORMATS) >= {"shopify", "jsonld", "bmecat", "print_pdf"}
    for writer_class in FORMATS.values():
        assert isinstance(writer_class(), FeedWriter)
    assert (GoogleMerchantXMLWriter.extension, GoogleMerchantTSVWriter.extension) == ("xml", "tsv")
    assert GoogleMerchantXMLWriter.content_type == "application/rss+xml"
    assert GoogleMerchantTSVWriter.content_type.startswith("text/tab-separated-values")


@pytest.mark.parametrize("writer_class", FORMATS.values())
def test_writers_refuse_calls_out_of_order(writer_class):
    writer = writer_class()
    with pytest.raises(RuntimeError, match="cannot write to a new feed writer"):
        writer.write(make_item())
    write_feed(writer, [])
    with pytest.raises(RuntimeError, match="cannot close a closed feed writer"):
        writer.close()
    with pytest.raises(RuntimeError, match="cannot open a closed feed writer"):
        writer.open(io.BytesIO(), **CHANNEL)


# --- XML ------------------------------------------------------------------------------------


def test_xml_is_rss_2_with_the_google_namespace():
    data = write_feed(GoogleMerchantXMLWriter(), [make_item()]).getvalue()
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    rss = etree.fromstring(data)
    assert rss.tag == "rss"
    assert rss.get("version") == "2.0"
    assert rss.nsmap == {"g": NS}
    channel = rss.find("channel")
    assert channel.findtext("title") == "Vitrine – Maison"
    assert channel.findtext("link") == "https://shop.example"
    assert channel.findtext("description") == "All"
    # The namespace is declared once, on <rss>, not again on each item.
    assert data.count(NS.encode()) == 1


def test_xml_item_values():
    (item,) = xml_items([make_item(mpn="LS-01", material="linen", product_type="Men > Shirts")])
    assert [child.tag for child in item][:4] == [G + "id", "title", "description", "link"]
    assert item.findtext(G + "id") == "SKU-1-M"
    assert item.findtext("title") == "Linen shirt"
    assert item.findtext("link") == "https://shop.example/p/linen-shirt?size=M"
    assert item.findtext(G + "image_link") == "https://img.example/linen-shirt.jpg"
    assert item.findtext(G + "availability") == "in_stock"
    assert item.findtext(G + "price") == "49.90 EUR"
    assert item.findtext(G + "gtin") == "4006381333931"
    assert item.findtext(G + "mpn") == "LS-01"
    assert item.findtext(G + "product_type") == "Men > Shirts"
    assert item.findtext(G + "item_group_id") == "SKU-1"
    assert item.find(G + "sale_price") is None  # absent values write no element


def test_pipeline_flags_are_never_written():
    data = write_feed(GoogleMerchantXMLWriter(), [make_item()]).getvalue()
    assert b"_apparel" not in data and b"_variant" not in data
    assert "_apparel" not in tsv_rows([make_item()])[0]


@pytest.mark.parametrize(
    ("price", "written"),
    [
        (("15", "EUR"), "15.00 EUR"),
        ((15, "eur"), "15.00 EUR"),
        ((Decimal("9.999"), "USD"), "10.00 USD"),
        ((Decimal("0.125"), "GBP"), "0.13 GBP"),
        ((12.5, "CHF"), "12.50 CHF"),
        ({"amount": "1234.5", "currency": "SEK"}, "1234.50 SEK"),
        ("7 JPY", "7.00 JPY"),
        ((0, "EUR"), "0.00 EUR"),
        ((Decimal("-0"), "EUR"), "0.00 EUR"),
        ((Decimal("1E+3"), "EUR"), "1000.00 EUR"),
    ],
)
def test_prices_have_two_decimals_and_an_upper_case_currency(price, written):
    (item,) = xml_items([make_item(price=price)])
    assert item.findtext(G + "price") == written


def test_sale_price_is_written_like_price():
    (item,) = xml_items([make_item(sale_price=(Decimal("29.5"), "EUR"))])
    assert item.findtext(G + "sale_price") == "29.50 EUR"


def test_hostile_description_gives_well_formed_xml_with_the_unicode_kept():
    description = (
        "<p>Soft &amp; <b>light</b> 👗✨</p><script>alert('x')</script>"
        "<![CDATA[x]]> ]]> \x00\x08\x0b\ufffe\ud83d emoji 🧵 中文 é"
    )
    title = 'Shirt <b>not a tag</b> & "quotes" ]]> 💚'
    (item,) = xml_items([make_item(description=description, title=title)])
    text = item.findtext("description")
    assert text.startswith("Soft & light 👗✨")
    assert "alert" not in text and "\x00" not in text
    assert "]]>" in text and text.endswith("emoji 🧵 中文 é")
    assert item.findtext("title") == title  # a title is text, not HTML: kept verbatim


def test_plain_description_is_kept_as_text():
    (item,) = xml_items([make_item(description="5 < 6 & 7 > 3\n\nsecond   paragraph")])
    assert item.findtext("description") == "5 < 6 & 7 > 3 second paragraph"


def test_additional_images_are_repeated_elements():
    images = [f"https://img.example/{n}.jpg" for n in range(10)]
    (item,) = xml_items([make_item(additional_image_link=images)])
    assert [el.text for el in item.findall(G + "additional_image_link")] == images


def test_other_values_are_normalised():
    (item,) = xml_items(
        [
            make_item(
                gtin="400-6381 333931",
                availability="in stock",
                identifier_exists=True,
                gender="Male",
                size_system="eu",
                shipping_weight=(Decimal("1.50"), "kg"),
                google_product_category=2271,
                title="  Linen\tshirt\n ",
            )
        ]
    )
    assert item.findtext(G + "gtin") == "4006381333931"
    assert item.findtext(G + "availability") == "in_stock"
    assert item.findtext(G + "identifier_exists") == "yes"
    assert item.findtext(G + "gender") == "male"
    assert item.findtext(G + "size_system") == "EU"
    assert item.findtext(G + "shipping_weight") == "1.5 kg"
    assert item.findtext(G + "google_product_category") == "2271"
    assert item.findtext("title") == "Linen shirt"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (date(2026, 12, 25), "2026-12-25T00:00Z"),
        (
            datetime(2026, 12, 25, 13, 0, tzinfo=timezone(timedelta(hours=-8))),
            "2026-12-25T13:00-0800",
        ),
        (datetime(2026, 12, 25, 13, 0, tzinfo=UTC), "2026-12-25T13:00+0000"),
        ("2026-12-25T13:00-0800", "2026-12-25T13:00-0800"),
    ],
)
def test_availability_dates_are_iso_8601(value, written):
    (item,) = xml_items([make_item(availability="preorder", availability_date=value)])
    assert item.findtext(G + "availability_date") == written


def test_a_bad_value_in_write_raises_before_writing_anything():
    writer = GoogleMerchantXMLWriter()
    stream = io.BytesIO()
    writer.open(stream, **CHANNEL)
    writer.write(make_item(id="A"))
    with pytest.raises(ValueError, match="negative"):
        writer.write(make_item(id="B", price=(-1, "EUR")))  # the caller skipped check()
    writer.write(make_item(id="C"))
    writer.close()
    ids = [item.findtext(G + "id") for item in etree.fromstring(stream.getvalue()).iter("item")]
    assert ids == ["A", "C"]


class CountingStream:
    """A write-only binary stream that keeps the byte count, not the bytes."""

    def __init__(self):
        self.size = 0
        self.writes = 0

    def write(self, data):
        self.size += len(data)
        self.writes += 1
        return len(data)

    def flush(self):
        pass


def test_xml_reaches_the_stream_while_items_are_written():
    writer = GoogleMerchantXMLWriter()
    stream = CountingStream()
    writer.open(stream, **CHANNEL)
    sizes = []
    for n in range(3000):
        writer.write(make_item(id=f"SKU-{n}"))
        if n % 1000 == 999:
            sizes.append(stream.size)
    writer.close()
    # Output flows out in step with the items instead of piling up until close().
    assert 0 < sizes[0] < sizes[1] < sizes[2] <= stream.size
    assert stream.size - sizes[2] < 64 * 1024


DESCRIPTION = (
    "<p>A relaxed shirt in washed <b>linen</b>, breathable &amp; light. " * 12
    + "</p><ul><li>100% linen</li><li>Mother-of-pearl buttons</li><li>Regular fit</li></ul>"
    + "<p>Machine wash at 30&nbsp;°C; do not tumble dry.</p>"
)


def feed_item(n):
    """A realistic item (about 1,500 bytes of XML, an HTML description), unique per ``n``,
    each of its own model (writers that write a model with its variants buffer one model)."""
    return make_item(
        id=f"SKU-{n}-M",
        item_group_id=f"SKU-{n}",
        title=f"Linen shirt {n}",
        description=DESCRIPTION,
        _axes=[{"code": "size", "label": "Size", "value": "m", "value_label": "M"}],
    )


#: formats that stream; the PDF catalogue is laid out in memory by WeasyPrint (its own tests)
STREAMING = [writer for name, writer in FORMATS.items() if name != "print_pdf"]


@pytest.mark.parametrize("writer_class", STREAMING)
def test_memory_stays_flat_for_a_large_feed(writer_class, tmp_path):
    # sys.getallocatedblocks() counts live Python objects at no cost per allocation, so the
    # items run at full speed; anything kept per item would show as steady growth.
    count = 6_000
    samples = []
    with open(tmp_path / "feed", "wb") as stream:
        writer = writer_class()
        writer.open(stream, **CHANNEL)
        for n in range(count):
            writer.write(feed_item(n))
            if n % 1_000 == 999:
                gc.collect()
                samples.append(sys.getallocatedblocks())
        writer.close()
    assert (tmp_path / "feed").stat().st_size > count * 800
    assert max(samples) - samples[0] < 500, samples


@pytest.mark.parametrize("writer_class", STREAMING)
def test_peak_memory_is_a_small_fraction_of_the_document(writer_class, tmp_path):
    count = 3_000
    tracemalloc.start()
    try:
        with open(tmp_path / "feed", "wb") as stream:
            writer = writer_class()
            writer.open(stream, **CHANNEL)
            for n in range(count):
                writer.write(feed_item(n))
            writer.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = (tmp_path / "feed").stat().st_size
    assert size > count * 800
    # Python-side peak: a few item-sized strings, whatever the number of items.
    assert peak < 250_000 < size / 10, f"peak {peak} bytes while writing a {size}-byte feed"


# --- TSV ------------------------------------------------------------------------------------


def test_tsv_has_a_header_of_attribute_names_and_a_row_per_item():
    data = write_feed(GoogleMerchantTSVWriter(), [make_item(id="A"), make_item(id="B")])
    lines = data.getvalue().decode("utf-8").splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    assert lines[0].startswith("id\ttitle\tdescription\tlink\timage_link\t")
    assert len(lines) == 3
    rows = tsv_rows([make_item(id="A"), make_item(id="B")])
    assert [row["id"] for row in rows] == ["A", "B"]
    assert rows[0]["price"] == "49.90 EUR"
    assert rows[0]["mpn"] == ""


def test_tsv_values_never_break_the_row():
    (row,) = tsv_rows(
        [
            make_item(
                title="Linen\tshirt\r\nwith\u2028collar",
                description="<p>First\tparagraph</p>\n<p>Second 👗</p>",
                material="linen\x00\x1f",
            )
        ]
    )
    assert row["title"] == "Linen shirt with collar"
    assert row["description"] == "First paragraph Second 👗"
    assert row["material"] == "linen"


def test_tsv_additional_images_are_comma_separated():
    images = ["https://img.example/1.jpg", "https://img.example/a,b.jpg"]
    (row,) = tsv_rows([make_item(additional_image_link=images)])
    assert row["additional_image_link"] == "https://img.example/1.jpg,https://img.example/a%2Cb.jpg"


def test_tsv_is_not_formula_escaped():
    (row,) = tsv_rows([make_item(title="-50% linen shirt")])
    assert row["title"] == "-50% linen shirt"


# --- check() --------------------------------------------------------------------------------


def test_a_complete_item_passes():
    assert check_item(make_item()) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": None}, "id: is required"),
        ({"id": "x" * 51}, "id: 51 characters, at most 50 allowed"),
        ({"title": "  "}, "title: is required"),
        ({"title": "x" * 151}, "title: 151 characters, at most 150 allowed"),
        ({"description": None}, "description: is required"),
        ({"description": "x" * 5001}, "description: 5001 characters, at most 5000 allowed"),
        ({"description": "<p></p>"}, "description: is required"),
        ({"link": None}, "link: is required"),
        ({"link": "ftp://shop.example/p"}, "link: must be an http or https URL"),
        ({"link": "shop.example/p"}, "link: must be an http or https URL"),
        ({"link": "javascript:alert(1)"}, "link: must be an http or https URL"),
        ({"link": "https://shop.example/a b"}, "link: must not contain spaces"),
        ({"image_link": None}, "image_link: is required"),
        ({"image_link": "/img/1.jpg"}, "image_link: must be an http or https URL"),
        (
            {"additional_image_link": [f"https://img.example/{n}.jpg" for n in range(11)]},
            "additional_image_link: 11 images, at most 10 allowed",
        ),
        (
            {"additional_image_link": ["https://img.example/1.jpg", "data:image/png;base64,x"]},
            "additional_image_link: must be an http or https URL",
        ),
        ({"availability": None}, "availability: is required"),
        ({"availability": "limited"}, "availability: 'limited' is not one of backorder"),
        (
            {"availability": "preorder"},
            "availability_date: is required when availability is preorder",
        ),
        (
            {"availability": "backorder"},
            "availability_date: is required when availability is backorder",
        ),
        (
            {"availability": "preorder", "availability_date": "25/12/2026"},
            "availability_date: must be an ISO 8601 date",
        ),
        (
            {"availability": "preorder", "availability_date": datetime(2026, 12, 25, 13, 0)},
            "availability_date: needs a time zone",
        ),
        (
            {"availability": "preorder", "availability_date": "2026-12-25"},
            "availability_date: must be an ISO 8601 date",
        ),
        (
            {"availability": "preorder", "availability_date": "2026-02-30T10:00Z"},
            "availability_date: is not a real date and time (2026-02-30T10:00Z)",
        ),
        ({"price": None}, "price: is required"),
        ({"price": (Decimal("1E+30"), "EUR")}, "price: amount is too large"),
        ({"price": (-1, "EUR")}, "price: must not be negative (-1)"),
        ({"price": ("abc", "EUR")}, "price: amount is not a number ('abc')"),
        ({"price": (Decimal("NaN"), "EUR")}, "price: amount is not a number"),
        ({"price": (10, "EURO")}, "price: currency must be a 3-letter ISO 4217 code, not 'EURO'"),
        ({"price": (10, "€")}, "price: currency must be a 3-letter ISO 4217 code"),
        ({"price": (10, None)}, "price: currency must be a 3-letter ISO 4217 code"),
        ({"price": "15.00"}, "price: must give amount and currency ('15.00')"),
        ({"price": 15}, "price: must give amount and currency (15)"),
        ({"sale_price": ("49.90", "EUR")}, "sale_price: 49.90 EUR must be lower than the price"),
        (
            {"sale_price": (60, "EUR")},
            "sale_price: 60.00 EUR must be lower than the price 49.90 EUR",
        ),
        ({"sale_price": (10, "USD")}, "sale_price: currency USD differs from the price's EUR"),
        ({"gtin": "4006381333932"}, "gtin: check digit is wrong (4006381333932)"),
        ({"gtin": "40063813339"}, "gtin: must be 8, 12, 13 or 14 digits long, not 11"),
        ({"gtin": "ABC"}, "gtin: must contain only digits (ABC)"),
        ({"gtin": None}, "identifier_exists: must be 'no' when the item has neither gtin nor mpn"),
        (
            {"gtin": None, "identifier_exists": "yes"},
            "identifier_exists: must be 'no' when the item has neither gtin nor mpn",
        ),
        ({"identifier_exists": "maybe"}, "identifier_exists: 'maybe' is not one of no, yes"),
        ({"condition": "mint"}, "condition: 'mint' is not one of new, refurbished, used"),
        ({"brand": None}, "brand: is required for apparel"),
        ({"color": None}, "color: is required for apparel"),
        ({"size": None}, "size: is required for apparel"),
        ({"gender": None}, "gender: is required for apparel"),
        ({"age_group": ""}, "age_group: is required for apparel"),
        ({"gender": "men"}, "gender: 'men' is not one of female, male, unisex"),
        ({"age_group": "teen"}, "age_group: 'teen' is not one of adult, infant, kids"),
        ({"size_system": "XX"}, "size_system: 'XX' is not one of AU, BR"),
        ({"size_type": "slim"}, "size_type: 'slim' is not one of big, maternity"),
        ({"color": "x" * 101}, "color: 101 characters, at most 100 allowed"),
        ({"color": ["white", "blue"]}, "color: must be a single value, not a list"),
        ({"additional_image_link": 3}, "additional_image_link: must be a list of URLs, not int"),
        ({"item_group_id": None}, "item_group_id: is required for a variant"),
        ({"item_group_id": "g" * 51}, "item_group_id: 51 characters, at most 50 allowed"),
        ({"shipping_weight": (1, "stone")}, "shipping_weight: unit must be one of g, kg, lb, oz"),
        ({"shipping_weight": (0, "kg")}, "shipping_weight: must be positive (0)"),
        ({"colour": "white"}, "colour: is not a Google Merchant attribute this feed writes"),
    ],
)
def test_each_rule_names_the_field(changes, problem):
    problems = check_item(make_item(**changes))
    assert any(found.startswith(problem) for found in problems), problems
    assert len(problems) == 1, problems


def test_several_problems_are_all_reported():
    problems = check_item({"_apparel": True})
    fields = {problem.split(":")[0] for problem in problems}
    assert {"id", "title", "description", "link", "image_link", "availability", "price"} <= fields
    assert {"brand", "color", "size", "gender", "age_group", "identifier_exists"} <= fields


@pytest.mark.parametrize(
    "changes",
    [
        {"gtin": None, "mpn": "LS-01"},
        {"gtin": None, "identifier_exists": "no"},
        {"gtin": None, "identifier_exists": False},
        {"gtin": "0 36000 29145 2"},
        {"gtin": "96385074"},
        {"gtin": "10012345678902"},
        {"availability": "preorder", "availability_date": "2026-12-25T13:00-0800"},
        {"availability": "backorder", "availability_date": date(2026, 12, 25)},
        {"availability": "out_of_stock"},
        {"condition": None},
        {"condition": "refurbished"},
        {"_apparel": False, "brand": None, "color": None, "size": None, "gender": None},
        {"_variant": False, "item_group_id": None},
        {"sale_price": ("39.90", "EUR")},
        {"price": (0, "EUR")},
        {"additional_image_link": [f"http://img.example/{n}.jpg" for n in range(10)]},
        {"additional_image_link": []},
        {"description": "x" * 4990 + "<b>bold</b>"},  # 5001 with tags, 4994 without
        {"title": "x" * 150},
        {"id": "x" * 50},
        {"gender": "unisex", "age_group": "kids", "size_system": "EU", "size_type": "petite"},
        {"_internal_note": "anything"},
    ],
)
def test_items_that_satisfy_the_rules_pass(changes):
    assert check_item(make_item(**changes)) == []


def test_write_uses_the_item_as_it_is_when_written():
    writer, stream = GoogleMerchantXMLWriter(), io.BytesIO()
    writer.open(stream, **CHANNEL)
    item = make_item(title="Old")
    assert writer.check(item) == []
    item["title"] = "New"
    writer.write(item)
    writer.close()
    assert etree.fromstring(stream.getvalue()).findtext("channel/item/title") == "New"
