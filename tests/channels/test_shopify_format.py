"""Shopify product CSV: products as consecutive rows of one handle, options from the variant
axes, images on rows of their own, and the checks that keep Shopify's import from failing."""

from __future__ import annotations

import csv
import gzip
import io
from decimal import Decimal

import pytest

from channels.formats.base import FeedWriter
from channels.formats.shopify import COLUMNS, ShopifyCSVWriter, slugify

CHANNEL = {"title": "Vitrine", "link": "https://shop.example", "description": "All"}
EUR = "EUR"


def axis(code: str, label: str, value: str) -> dict:
    return {"code": code, "label": label, "value": value.lower(), "value_label": value}


def variant(sku: str, color: str = "Red", size: str = "M", **changes) -> dict:
    """A variant of the crew-neck tee model; ``changes`` override keys (None removes one)."""
    item = {
        "id": sku,
        "item_group_id": "TS_CREW",
        "title": f"Crew tee {color} {size}",
        "description": "<p>Soft <b>organic</b> cotton</p>",
        "brand": "Maison Lune",
        "product_type": "Tops",
        "google_product_category": "Apparel & Accessories > Clothing > Shirts & Tops",
        "tags": ["summer", "cotton"],
        "link": f"https://shop.example/p/ts-crew?sku={sku}",
        "image_link": f"https://img.example/ts-{color.lower()}.jpg",
        "additional_image_link": ["https://img.example/ts-back.jpg"],
        "price": {"amount": Decimal("19.9"), "currency": EUR},
        "gtin": "4006381333931",
        "weight": {"amount": Decimal("0.18"), "unit": "KILOGRAM"},
        "availability": "in_stock",
        "_variant": True,
        "_group_label": "Crew-neck tee",
        "_axes": [axis("color", "Colour", color), axis("size", "Size", size)],
    }
    item.update(changes)
    return {key: value for key, value in item.items() if value is not None}


def standalone(sku: str = "MUG-1", **changes) -> dict:
    item = {
        "id": sku,
        "title": "Stoneware mug",
        "price": {"amount": Decimal("12"), "currency": EUR},
        "image_link": "https://img.example/mug.jpg",
        "_variant": False,
        "_axes": [],
        "_group_label": None,
    }
    item.update(changes)
    return {key: value for key, value in item.items() if value is not None}


def write(items, writer=None) -> bytes:
    """The file of ``items``, every one of which must pass its check."""
    writer = writer or ShopifyCSVWriter()
    stream = io.BytesIO()
    writer.open(stream, **CHANNEL)
    for item in items:
        assert writer.check(item) == []
        writer.write(item)
    writer.close()
    return stream.getvalue()


def rows(items) -> list[dict]:
    data = write(items)
    table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(table[0]) == COLUMNS
    assert all(len(row) == len(COLUMNS) for row in table)
    return [dict(zip(COLUMNS, row, strict=True)) for row in table[1:]]


def checks(items) -> list[list[str]]:
    """What one writer's ``check`` says of each item, in order, writing the accepted ones."""
    writer = ShopifyCSVWriter()
    writer.open(io.BytesIO(), **CHANNEL)
    results = []
    for item in items:
        results.append(problems := writer.check(item))
        if not problems:
            writer.write(item)
    return results


# --- the protocol ---------------------------------------------------------------------------


def test_is_a_grouped_feed_writer_of_csv():
    writer = ShopifyCSVWriter()
    assert isinstance(writer, FeedWriter)
    assert ShopifyCSVWriter.grouped is True
    assert (writer.extension, writer.content_type) == ("csv", "text/csv; charset=utf-8")


def test_calls_out_of_order_are_refused():
    writer = ShopifyCSVWriter()
    with pytest.raises(RuntimeError, match="cannot write to a new feed writer"):
        writer.write(standalone())
    write([], writer)
    with pytest.raises(RuntimeError, match="cannot close a closed feed writer"):
        writer.close()


def test_empty_feed_is_the_header_alone_in_plain_utf8(tmp_path):
    data = write([])
    assert data == (",".join(COLUMNS) + "\r\n").encode()
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM: Shopify expects plain UTF-8
    path = tmp_path / "empty.csv"
    path.write_bytes(data)
    assert ShopifyCSVWriter.validate_file(path, gzipped=False) == []


# --- products, variants and images ------------------------------------------------------------


def test_variants_share_a_handle_and_product_columns_are_on_the_first_row_only():
    jeans = [
        variant(
            f"JN-{size}",
            item_group_id="JEANS 01",
            _group_label="Straight jeans",
            _axes=[axis("size", "Waist", size)],
            image_link="https://img.example/jn.jpg",
            additional_image_link=None,
        )
        for size in ("30", "32")
    ]
    table = rows(
        [
            variant("TS-RED-M"),
            variant("TS-RED-L", size="L"),
            variant("TS-BLUE-M", color="Blue"),
            standalone(),
            *jeans,
        ]
    )
    handles = [row["Handle"] for row in table]
    # 3 variants + 3 distinct images; the mug and its image; 2 jeans + their one image
    assert handles == ["ts-crew"] * 6 + ["mug-1"] * 2 + ["jeans-01"] * 3
    first, second, third = table[:3]
    assert first["Title"] == "Crew-neck tee"  # the model's label, not the variant's title
    assert first["Body (HTML)"] == "<p>Soft <b>organic</b> cotton</p>"
    assert (first["Vendor"], first["Type"], first["Tags"]) == (
        "Maison Lune",
        "Tops",
        "summer, cotton",
    )
    assert first["Product Category"] == "Apparel & Accessories > Clothing > Shirts & Tops"
    assert (first["Published"], first["Status"], first["Gift Card"]) == ("TRUE", "active", "FALSE")
    product_columns = (
        "Title",
        "Body (HTML)",
        "Vendor",
        "Type",
        "Tags",
        "Published",
        "Option1 Name",
        "Option2 Name",
        "Status",
        "Product Category",
    )
    for row in (second, third):
        assert all(row[column] == "" for column in product_columns)
    assert [row["Variant SKU"] for row in table[:3]] == ["TS-RED-M", "TS-RED-L", "TS-BLUE-M"]
    assert [row["Variant Image"] for row in table[:3]] == [
        "https://img.example/ts-red.jpg",
        "https://img.example/ts-red.jpg",
        "https://img.example/ts-blue.jpg",
    ]


def test_images_are_rows_of_their_own_each_url_once_in_order():
    table = rows(
        [variant("TS-RED-M"), variant("TS-RED-L", size="L"), variant("TS-BLUE-M", color="Blue")]
    )
    image_rows = table[3:]
    assert [(r["Image Src"], r["Image Position"]) for r in image_rows] == [
        ("https://img.example/ts-red.jpg", "1"),
        ("https://img.example/ts-blue.jpg", "2"),
        ("https://img.example/ts-back.jpg", "3"),
    ]
    for row in image_rows:
        filled = {column for column, value in row.items() if value}
        assert filled == {"Handle", "Image Src", "Image Position", "Image Alt Text"}
        assert row["Image Alt Text"] == "Crew-neck tee"
    assert all(row["Image Src"] == "" for row in table[:3])


def test_option_columns_come_from_the_axes():
    three = [axis("color", "Colour", "Red"), axis("size", "Size", "M"), axis("fit", "Fit", "Slim")]
    first, second = rows(
        [variant("A", _axes=three), variant("B", _axes=[*three[:2], axis("fit", "Fit", "Loose")])]
    )[:2]
    assert [first[f"Option{n} Name"] for n in (1, 2, 3)] == ["Colour", "Size", "Fit"]
    assert [first[f"Option{n} Value"] for n in (1, 2, 3)] == ["Red", "M", "Slim"]
    assert [second[f"Option{n} Value"] for n in (1, 2, 3)] == ["Red", "M", "Loose"]
    assert second["Option1 Name"] == ""


def test_standalone_product_gets_shopifys_default_title_option():
    (row, image) = rows([standalone()])
    assert (row["Handle"], row["Title"], row["Variant SKU"]) == ("mug-1", "Stoneware mug", "MUG-1")
    assert (row["Option1 Name"], row["Option1 Value"]) == ("Title", "Default Title")
    assert row["Option2 Name"] == row["Variant Grams"] == row["Variant Barcode"] == ""
    assert image["Image Src"] == "https://img.example/mug.jpg"


def test_more_than_three_axes_are_refused():
    four = [axis(c, c.title(), "x") for c in ("color", "size", "fit", "length")]
    (problems,) = checks([variant("A", _axes=four)])
    assert problems == [
        "_axes: Shopify allows at most 3 options, this product has 4 (Color, Size, Fit, Length)"
    ]


def test_variant_without_axis_values_is_refused():
    (empty, blank) = checks(
        [variant("A", _axes=[]), variant("B", _axes=[axis("size", "Size", "")])]
    )
    assert empty == ["option values: variant has no axis values"]
    assert blank == ["option values: Size has no value"]


def test_second_variant_with_the_same_option_values_is_refused():
    results = checks(
        [
            variant("A"),
            variant("A"),  # checking the same variant again is harmless
            variant("B", _axes=[axis("color", "Colour", "red"), axis("size", "Size", "m")]),
            variant("C", size="L"),
            variant("D", item_group_id="OTHER"),  # another product may use the same values
        ]
    )
    assert results == [
        [],
        [],
        ["option values: red / m are already used by A in this product"],
        [],
        [],
    ]


def test_variants_of_one_product_must_have_the_same_option_names():
    other_names = [axis("size", "Size", "M"), axis("color", "Colour", "Blue")]
    assert checks([variant("A"), variant("B", _axes=other_names)])[1] == [
        "_axes: option names Size / Colour differ from the product's other variants"
    ]


def test_two_products_giving_the_same_handle_in_a_row_are_not_merged():
    results = checks([variant("A"), variant("B", item_group_id="ts-crew")])
    assert results[1] == [
        "item_group_id: its handle 'ts-crew' is the previous product's (TS_CREW); "
        "Shopify would merge them"
    ]


@pytest.mark.parametrize(
    ("text", "handle"),
    [("TS_CREW", "ts-crew"), ("Été Crew  Tee #2", "ete-crew-tee-2"), ("--a..b--", "a-b")],
)
def test_handles_are_slugs(text, handle):
    assert slugify(text) == handle


def test_an_id_without_ascii_letters_or_digits_gives_no_handle():
    (problems,) = checks([standalone("商品")])
    assert problems == ["id: gives no Shopify handle (it needs ASCII letters or digits)"]


def test_required_values_and_bad_ones_are_named():
    (problems,) = checks(
        [
            variant(
                None,
                title=None,
                _group_label=None,
                price=None,
                item_group_id=None,
                weight={"amount": 1, "unit": "STONE"},
                gtin="4006-ABC",
                image_link="ftp://img.example/x.jpg",
            )
        ]
    )
    assert "id: is required" in problems
    assert "title: is required" in problems
    assert "price: is required" in problems
    assert "item_group_id: is required for a variant" in problems
    assert (
        "weight: unit must be one of MILLIGRAM, GRAM, KILOGRAM, OUNCE, POUND, not 'STONE'"
        in problems
    )
    assert "gtin: must contain only digits (4006-ABC)" in problems
    assert any(p.startswith("image_link: must be an http or https URL") for p in problems)
    negative = checks([standalone(price={"amount": Decimal("-1"), "currency": EUR})])[0]
    assert negative == ["price: must not be negative (-1)"]


# --- values -----------------------------------------------------------------------------------


def test_prices_are_amounts_and_a_lower_sale_price_is_the_price():
    table = rows(
        [
            variant("A", sale_price={"amount": Decimal("14.5"), "currency": EUR}),
            variant("B", size="L", sale_price={"amount": Decimal("25"), "currency": EUR}),
            variant("C", size="S", price={"amount": Decimal("9.999"), "currency": EUR}),
        ]
    )
    assert [(r["Variant Price"], r["Variant Compare At Price"]) for r in table[:3]] == [
        ("14.50", "19.90"),
        ("19.90", ""),  # a "sale" price above the price is no sale
        ("10.00", ""),
    ]


def test_sale_price_in_another_currency_is_refused():
    (problems,) = checks([variant("A", sale_price={"amount": 5, "currency": "USD"})])
    assert problems == ["sale_price: currency USD differs from the price's EUR"]


@pytest.mark.parametrize(
    ("weight", "grams", "unit"),
    [
        ({"amount": Decimal("180"), "unit": "GRAM"}, "180", "g"),
        ({"amount": Decimal("0.18"), "unit": "KILOGRAM"}, "180", "kg"),
        ({"amount": Decimal("1500"), "unit": "MILLIGRAM"}, "2", "g"),  # rounded half up
        ({"amount": Decimal("1"), "unit": "POUND"}, "454", "lb"),
        ({"amount": Decimal("2"), "unit": "OUNCE"}, "57", "oz"),
    ],
)
def test_weight_is_written_in_whole_grams(weight, grams, unit):
    row = rows([variant("A", weight=weight)])[0]
    assert (row["Variant Grams"], row["Variant Weight Unit"]) == (grams, unit)


def test_gtin_with_a_leading_zero_stays_text():
    data = write([variant("A", gtin="0012345678905")])
    assert b",0012345678905," in data  # written as-is, no apostrophe, no quotes
    assert rows([variant("A", gtin="0012 3456 78905")])[0]["Variant Barcode"] == "0012345678905"


def test_cells_a_spreadsheet_would_run_are_escaped():
    row = rows(
        [
            variant(
                "A",
                _group_label='=HYPERLINK("http://evil.example","x")',
                brand="+Brand",
                tags="-sale, @home",
                description="=1+1",
            )
        ]
    )[0]
    assert row["Title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert (row["Vendor"], row["Tags"], row["Body (HTML)"]) == ("'+Brand", "'-sale, @home", "'=1+1")


def test_description_keeps_html_emoji_and_cdata_ends_but_loses_control_characters():
    description = "<p>Soft &amp; light 👗</p>\r\n<ul><li>]]> 中文</li></ul>\x00\x08\x0b"
    row = rows([variant("A", description=description)])[0]
    assert row["Body (HTML)"] == "<p>Soft &amp; light 👗</p>\n<ul><li>]]> 中文</li></ul>"


def test_other_columns():
    row = rows(
        [
            variant(
                "A",
                availability="backorder",
                google_product_category="1604",
                tags="summer,  cotton, summer",
                seo_title="Crew tee " * 20,
            )
        ]
    )[0]
    assert row["Variant Inventory Policy"] == "continue"  # keeps selling, like a backorder
    assert row["Variant Fulfillment Service"] == "manual"
    assert row["Product Category"] == ""  # a Google category number is not Shopify's
    assert row["Tags"] == "summer, cotton"
    assert len(row["SEO Title"]) == 70
    assert (row["Variant Requires Shipping"], row["Variant Taxable"]) == ("TRUE", "TRUE")


# --- checking a written file ------------------------------------------------------------------


def test_written_file_is_valid_also_gzipped(tmp_path):
    data = write([variant("A"), variant("B", size="L"), standalone()])
    path = tmp_path / "feed.csv.gz"
    path.write_bytes(gzip.compress(data))
    assert ShopifyCSVWriter.validate_file(path, gzipped=True) == []


def _file(tmp_path, lines: list[dict]) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(COLUMNS)
    for cells in lines:
        out.writerow([cells.get(column, "") for column in COLUMNS])
    path = tmp_path / "hand-made.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_validate_file_finds_broken_rows(tmp_path):
    def row(handle, **cells):
        return {"Handle": handle, "Variant Price": "10.00", **cells}

    path = _file(
        tmp_path,
        [
            row("tee", Title="Tee", **{"Option1 Name": "Size", "Option1 Value": "M"}),
            row("tee", **{"Option1 Name": "Colour", "Option1 Value": "L"}),
            row("tee", **{"Option1 Value": "M", "Variant Price": "ten"}),
            row("mug", Title="Mug", **{"Option1 Name": "Title", "Variant Grams": "1.5"}),
            row("tee", **{"Option1 Value": "S"}),
            {"Handle": "tee", "Image Src": "https://img.example/x.jpg", "Image Position": "1"},
            row("Bad Handle", Title="X", **{"Option2 Value": "Red"}),
        ],
    )
    assert ShopifyCSVWriter.validate_file(path, gzipped=False) == [
        "row 3: Option1 Name 'Colour' differs from 'Size' on the product's first row",
        "row 4: Variant Price 'ten' is not a number",
        "row 4: the option values repeat row 2",
        "row 5: Variant Grams '1.5' is not a whole number",
        "row 5: Option1 Value is missing",
        "row 6: handle 'tee' reappears after other products (it started on row 2)",
        "row 8: handle 'Bad Handle' is not lower-case a-z, 0-9 and hyphens",
        "row 8: Option2 Value without an Option2 Name",
    ]


def test_validate_file_refuses_a_foreign_header_and_an_empty_file(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,title\nA,Tee\n", encoding="utf-8")
    (problem,) = ShopifyCSVWriter.validate_file(path, gzipped=False)
    assert problem.startswith("row 1: not Shopify's product CSV header (missing: Handle, Title")
    path.write_bytes(b"")
    assert ShopifyCSVWriter.validate_file(path, gzipped=False) == [
        "the file is empty: the header row is missing"
    ]
