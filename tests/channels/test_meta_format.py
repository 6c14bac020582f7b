"""Meta catalog CSV: Meta's columns and vocabulary, checks naming the column, safe cells."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from channels.formats import FORMATS
from channels.formats.meta import MetaCatalogCSVWriter


def item(**changes) -> dict:
    base = {
        "id": "TS-CREW-RED-M",
        "title": "Crew-neck T-shirt",
        "description": "<p>Soft <b>organic</b> cotton &amp; a relaxed fit.</p>",
        "link": "https://shop.example.com/p/TS-CREW-RED-M",
        "image_link": "https://vitrine.example.com/assets/1/renditions/google",
        "availability": "backorder",
        "price": {"amount": Decimal("19.9"), "currency": "EUR"},
        "brand": "Maison Lune",
        "item_group_id": "TS-CREW",
        "_variant": True,
    }
    return {**base, **changes}


def rows(*items) -> list[dict]:
    stream = io.BytesIO()
    writer = MetaCatalogCSVWriter()
    writer.open(stream, title="t", link="https://x.example", description="d")
    for one in items:
        assert writer.check(one) == []
        writer.write(one)
    writer.close()
    return list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8"))))


def test_registered_as_a_format():
    assert FORMATS["meta"] is MetaCatalogCSVWriter


def test_meta_columns_vocabulary_and_prices():
    (row,) = rows(item())
    assert row["availability"] == "available for order"  # Google's backorder, in Meta's words
    assert row["condition"] == "new"
    assert row["price"] == "19.90 EUR"
    assert row["description"] == "Soft organic cotton & a relaxed fit."
    assert row["item_group_id"] == "TS-CREW"


def test_cells_that_could_run_as_formulas_are_escaped():
    (row,) = rows(item(title='=HYPERLINK("http://evil")', brand="+Brand"))
    assert row["title"].startswith("'=") and row["brand"] == "'+Brand"


def test_each_problem_names_its_column():
    writer = MetaCatalogCSVWriter()
    problems = writer.check(
        item(
            availability="sold",
            brand=None,
            image_link=None,
            item_group_id=None,
            additional_image_link=[f"https://x.example/{n}.jpg" for n in range(21)],
            colour="red",
        )
    )
    assert (
        "availability: 'sold' is not one of in stock, out of stock, preorder, available for order"
        in problems
    )
    assert "brand: is required when the item has neither gtin nor mpn" in problems
    assert "image_link: is required" in problems
    assert "item_group_id: is required for a variant" in problems
    assert "additional_image_link: 21 images, at most 20" in problems
    assert "colour: is not a Meta catalog column this feed writes" in problems
    assert writer.check(item(brand=None, gtin="4006381333931")) == []
    assert any(p.startswith("gtin:") for p in writer.check(item(gtin="4006381333932")))
