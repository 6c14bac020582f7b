"""schema.org JSON-LD: a ProductGroup per model and a Product per standalone product, one
line each, safe to embed in a page's <script> element."""

from __future__ import annotations

import gzip
import io
import json
from decimal import Decimal

import pytest

from channels.formats.base import FeedWriter
from channels.formats.jsonld import JsonLdWriter

CHANNEL = {"title": "Vitrine", "link": "https://shop.example", "description": "All"}
S = "https://schema.org/"


def axis(code: str, label: str, value: str, value_label: str | None = None) -> dict:
    return {"code": code, "label": label, "value": value, "value_label": value_label or value}


def variant(sku: str, color: str = "Red", size: str = "M", **changes) -> dict:
    """A variant of the linen shirt model; ``changes`` override keys (None removes one)."""
    item = {
        "id": sku,
        "item_group_id": "LS-01",
        "title": f"Linen shirt {color} {size}",
        "description": "<p>Light <b>linen</b> &amp; mother-of-pearl buttons.</p>",
        "brand": "Maison",
        "link": f"https://shop.example/p/linen-shirt?sku={sku}#top",
        "image_link": f"https://img.example/ls-{color.lower()}.jpg",
        "additional_image_link": ["https://img.example/ls-back.jpg"],
        "price": {"amount": Decimal("49.9"), "currency": "EUR"},
        "availability": "in_stock",
        "condition": "new",
        "gtin": "4006381333931",
        "_variant": True,
        "_group_label": "Linen shirt",
        "_axes": [
            axis("color", "Colour", color.lower(), color),
            axis("size", "Size", size.lower(), size),
        ],
    }
    item.update(changes)
    return {key: value for key, value in item.items() if value is not None}


def standalone(sku: str = "MUG-1", **changes) -> dict:
    item = {
        "id": sku,
        "title": "Stoneware mug",
        "description": "Holds 300 ml.",
        "brand": "Atelier",
        "link": "https://shop.example/p/mug",
        "image_link": "https://img.example/mug.jpg",
        "price": {"amount": Decimal("12"), "currency": "EUR"},
        "gtin": "0012345678905",
        "_variant": False,
        "_axes": [],
        "_group_label": None,
    }
    item.update(changes)
    return {key: value for key, value in item.items() if value is not None}


def write(items, writer=None) -> bytes:
    writer = writer or JsonLdWriter()
    stream = io.BytesIO()
    writer.open(stream, **CHANNEL)
    for item in items:
        assert writer.check(item) == []
        writer.write(item)
    writer.close()
    return stream.getvalue()


def documents(items) -> list[dict]:
    data = write(items)
    assert data == b"" or data.endswith(b"\n")
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


# --- the protocol ---------------------------------------------------------------------------


def test_is_a_grouped_feed_writer_of_json_ld():
    writer = JsonLdWriter()
    assert isinstance(writer, FeedWriter)
    assert JsonLdWriter.grouped is True
    assert (writer.extension, writer.content_type) == ("jsonld", "application/ld+json")


def test_calls_out_of_order_are_refused_and_no_items_is_an_empty_file(tmp_path):
    writer = JsonLdWriter()
    with pytest.raises(RuntimeError, match="cannot write to a new feed writer"):
        writer.write(standalone())
    assert write([], writer) == b""
    with pytest.raises(RuntimeError, match="cannot close a closed feed writer"):
        writer.close()
    path = tmp_path / "empty.jsonld"
    path.write_bytes(b"")
    assert JsonLdWriter.validate_file(path, gzipped=False) == []


# --- documents --------------------------------------------------------------------------------


def test_a_line_per_product_in_feed_order():
    docs = documents(
        [
            variant("LS-RED-M"),
            variant("LS-RED-L", size="L"),
            variant("LS-BLUE-M", color="Blue"),
            standalone(),
            variant("CH-1", item_group_id="CHINO", _axes=[axis("size", "Size", "32")]),
        ]
    )
    assert [(d["@context"], d["@type"]) for d in docs] == [
        ("https://schema.org", "ProductGroup"),
        ("https://schema.org", "Product"),
        ("https://schema.org", "ProductGroup"),
    ]
    assert [v["sku"] for v in docs[0]["hasVariant"]] == ["LS-RED-M", "LS-RED-L", "LS-BLUE-M"]
    assert docs[2]["productGroupID"] == "CHINO"
    assert [v["sku"] for v in docs[2]["hasVariant"]] == ["CH-1"]


def test_product_group_of_a_model():
    (group,) = documents([variant("LS-RED-M"), variant("LS-BLUE-L", color="Blue", size="L")])
    assert group["productGroupID"] == "LS-01"
    assert group["name"] == "Linen shirt"
    assert group["description"] == "Light linen & mother-of-pearl buttons."
    assert group["brand"] == {"@type": "Brand", "name": "Maison"}
    assert group["url"] == "https://shop.example/p/linen-shirt"  # the page, no variant chosen
    assert group["variesBy"] == [S + "color", S + "size"]
    first = group["hasVariant"][0]
    assert first == {
        "@type": "Product",
        "sku": "LS-RED-M",
        "gtin": "4006381333931",
        "name": "Linen shirt Red M",
        "image": ["https://img.example/ls-red.jpg", "https://img.example/ls-back.jpg"],
        "color": "Red",
        "size": "M",
        "offers": {
            "@type": "Offer",
            "url": "https://shop.example/p/linen-shirt?sku=LS-RED-M#top",
            "price": "49.90",
            "priceCurrency": "EUR",
            "availability": S + "InStock",
            "itemCondition": S + "NewCondition",
        },
    }


def test_variants_on_pages_of_their_own_give_the_group_no_url():
    (group,) = documents(
        [
            variant("A", link="https://shop.example/p/a"),
            variant("B", size="L", link="https://shop.example/p/b"),
        ]
    )
    assert "url" not in group


def test_standalone_product():
    (doc,) = documents([standalone()])
    assert doc == {
        "@context": "https://schema.org",
        "@type": "Product",
        "sku": "MUG-1",
        "gtin": "0012345678905",
        "name": "Stoneware mug",
        "description": "Holds 300 ml.",
        "brand": {"@type": "Brand", "name": "Atelier"},
        "image": ["https://img.example/mug.jpg"],
        "offers": {
            "@type": "Offer",
            "url": "https://shop.example/p/mug",
            "price": "12.00",
            "priceCurrency": "EUR",
        },
    }


def test_varies_by_uses_schema_org_urls_and_unknown_axes_are_additional_properties():
    axes = [
        axis("main_colour", "Main colour", "navy", "Navy"),
        axis("taille", "Taille", "38"),
        axis("fabric_material", "Fabric", "linen", "Linen"),
        axis("gender", "Gender", "female", "Women"),
        axis("age_group", "Age group", "kids", "Kids"),
        axis("fit", "Fit", "slim", "Slim fit"),
    ]
    (group,) = documents([variant("A", _axes=axes)])
    assert group["variesBy"] == [
        S + "color",
        S + "size",
        S + "material",
        S + "suggestedGender",
        S + "suggestedAge",
    ]
    (one,) = group["hasVariant"]
    assert (one["color"], one["size"], one["material"]) == ("Navy", "38", "Linen")
    assert one["audience"] == {
        "@type": "PeopleAudience",
        "suggestedGender": "female",
        "suggestedMinAge": 5,
        "suggestedMaxAge": 13,
    }
    assert one["additionalProperty"] == [
        {"@type": "PropertyValue", "name": "Fit", "value": "Slim fit"}
    ]


def test_fields_that_are_not_axes_still_describe_the_variant():
    item = variant("A", _axes=[axis("size", "Size", "M")])
    # the colour is a field here, not an axis (variant()'s color argument names the axis)
    item |= {"color": "Ecru", "pattern": "striped", "gender": "male", "age_group": "adult"}
    (group,) = documents([item])
    assert group["variesBy"] == [S + "size"]
    (one,) = group["hasVariant"]
    assert (one["color"], one["pattern"]) == ("Ecru", "striped")
    assert one["audience"] == {
        "@type": "PeopleAudience",
        "suggestedGender": "male",
        "suggestedMinAge": 13,
    }


@pytest.mark.parametrize(
    ("availability", "url"),
    [
        ("in_stock", S + "InStock"),
        ("out_of_stock", S + "OutOfStock"),
        ("preorder", S + "PreOrder"),
        ("backorder", S + "BackOrder"),
        ("in stock", S + "InStock"),
    ],
)
def test_availability_is_a_schema_org_url(availability, url):
    (doc,) = documents([standalone(availability=availability)])
    assert doc["offers"]["availability"] == url


@pytest.mark.parametrize(
    ("condition", "url"),
    [
        ("new", S + "NewCondition"),
        ("used", S + "UsedCondition"),
        ("refurbished", S + "RefurbishedCondition"),
    ],
)
def test_condition_is_a_schema_org_url(condition, url):
    (doc,) = documents([standalone(condition=condition)])
    assert doc["offers"]["itemCondition"] == url


def test_a_lower_sale_price_is_the_price_and_the_regular_one_is_struck_through():
    (doc,) = documents([standalone(sale_price={"amount": Decimal("9.5"), "currency": "EUR"})])
    assert doc["offers"]["price"] == "9.50"
    assert doc["offers"]["priceSpecification"] == {
        "@type": "UnitPriceSpecification",
        "priceType": S + "StrikethroughPrice",
        "price": "12.00",
        "priceCurrency": "EUR",
    }
    (same,) = documents([standalone(sale_price={"amount": Decimal("12"), "currency": "EUR"})])
    assert same["offers"]["price"] == "12.00" and "priceSpecification" not in same["offers"]


def test_text_cannot_end_the_script_element():
    title = "Shirt </script><script>alert(1)</script> & <b>"
    data = write([standalone(title=title, description="a\u2028b")])
    assert b"<" not in data and b">" not in data and b"&" not in data
    assert b"\\u003c/script\\u003e" in data and b"\\u2028" not in data.replace(b"\\\\", b"")
    (doc,) = [json.loads(line) for line in data.splitlines()]
    assert doc["name"] == title  # the escapes are JSON: the text comes back unchanged
    assert "\u2028" not in data.decode("utf-8")


def test_descriptions_lose_html_and_control_characters_but_keep_emoji():
    description = (
        "<p>Soft &amp; light 👗</p><script>alert('x')</script> ]]> \x00\x08\x0b\ud83d 中文 é"
    )
    (doc,) = documents([standalone(description=description, title="Mug 🍵\x07")])
    assert doc["description"] == "Soft & light 👗 ]]> 中文 é"
    assert doc["name"] == "Mug 🍵"


# --- checks -----------------------------------------------------------------------------------


def test_required_values_and_bad_ones_are_named():
    problems = JsonLdWriter().check(
        variant(
            None,
            title=None,
            _group_label=None,
            link=None,
            item_group_id=None,
            price={"amount": Decimal("5")},
            gtin="4006381333932",
            availability="sold",
            condition="mint",
        )
    )
    assert problems == [
        "id: is required",
        "link: is required",
        "title: is required",
        "price: currency must be a 3-letter ISO 4217 code, not None",
        "gtin: check digit is wrong (4006381333932)",
        "availability: 'sold' is not one of in_stock, out_of_stock, preorder, backorder",
        "condition: 'mint' is not one of new, refurbished, used",
        "item_group_id: is required for a variant",
    ]
    assert JsonLdWriter().check(standalone(sale_price={"amount": 5, "currency": "USD"})) == [
        "sale_price: currency USD differs from the price's EUR"
    ]
    assert (
        JsonLdWriter()
        .check(standalone(link="javascript:alert(1)"))[0]
        .startswith("link: must be an http or https URL")
    )


def test_a_group_label_stands_in_for_a_missing_title():
    writer = JsonLdWriter()
    assert writer.check(variant("A", title=None)) == []
    (group,) = documents([variant("A", title=None)])
    assert group["hasVariant"][0]["name"] == "Linen shirt"


# --- checking a written file ------------------------------------------------------------------


def test_written_file_is_valid_also_gzipped(tmp_path):
    data = write([variant("A"), variant("B", size="L"), standalone()])
    path = tmp_path / "feed.jsonld.gz"
    path.write_bytes(gzip.compress(data))
    assert JsonLdWriter.validate_file(path, gzipped=True) == []


def test_validate_file_finds_broken_lines(tmp_path):
    offer = {"@type": "Offer", "price": "1.00", "priceCurrency": "EUR"}
    lines = [
        json.dumps({"@context": "https://schema.org", "@type": "Product", "offers": offer}),
        '{"@context": "https://schema.org", "@type": "Product", ',
        json.dumps(["not", "an", "object"]),
        json.dumps({"@type": "Product", "offers": offer}),
        json.dumps({"@context": "https://schema.org", "@type": "Offer"}),
        json.dumps(
            {"@context": "https://schema.org", "@type": "ProductGroup", "productGroupID": "G"}
        ),
        json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "ProductGroup",
                "productGroupID": "G",
                "hasVariant": [{"@type": "Product", "offers": {"@type": "Offer", "price": "1"}}],
            }
        ),
        json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "Product",
                "name": "</script>",
                "offers": offer,
            }
        ),
        json.dumps({"@context": "https://schema.org", "@type": "Product"}),
    ]
    path = tmp_path / "broken.jsonld"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = JsonLdWriter.validate_file(path, gzipped=False)
    assert problems[0].startswith("line 2: is not JSON")
    assert problems[1:] == [
        "line 3: is not a JSON object",
        "line 4: @context is not https://schema.org",
        "line 5: @type 'Offer' is not Product or ProductGroup",
        "line 6: ProductGroup has no hasVariant",
        "line 7: productGroupID 'G' is on line 6 too",
        "line 7, variant 1: offer has no priceCurrency",
        "line 8: has a raw '<', which could end the page's <script> element",
        "line 9: has no offer",
    ]
