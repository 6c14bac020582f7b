"""Demo feeds, one per format: the web shop's on the ``ecommerce`` channel (CSV, NDJSON,
Google Merchant XML and TSV, Meta, Shopify, schema.org JSON-LD) and the printed
catalogue's on the ``print`` channel (BMEcat, PDF)."""

from __future__ import annotations

from sqlalchemy import select

from channels.feeds import known_formats, save_feed
from pim.models import Channel

SHOP = "https://shop.example.com/products/"

GENERIC_MAPPING = {
    "title": {"attribute": "name"},
    "description": {"expr": ["truncate", ["strip_html", {"attribute": "description"}], 5000]},
    "link": {"expr": ["concat", SHOP, {"field": "identifier"}]},
    "price": {"attribute": "price"},
    "sale_price": {"attribute": "sale_price"},
    "brand": {"expr": ["label", "brand"]},
    "gtin": {"attribute": "ean"},
    "color": {"expr": ["label", "color"]},
    "size": {"expr": ["label", "size"]},
    "categories": {"field": "categories"},
}

GOOGLE_MAPPING = {
    "title": {"attribute": "name"},
    "description": {"expr": ["truncate", ["strip_html", {"attribute": "description"}], 5000]},
    "link": {"expr": ["concat", SHOP, {"field": "identifier"}]},
    "availability": {"constant": "in_stock"},
    "price": {"attribute": "price"},
    "brand": {"expr": ["label", "brand"]},
    "gtin": {"attribute": "ean"},
    "mpn": {"field": "identifier"},
    "condition": {"constant": "new"},
    "color": {"expr": ["label", "color"]},
    "size": {"expr": ["label", "size"]},
    "gender": {
        "expr": [
            "map",
            {"attribute": "gender"},
            {"women": "female", "men": "male", "kids": "unisex", "unisex": "unisex"},
        ]
    },
    "age_group": {"expr": ["map", {"attribute": "age_group"}, {"adult": "adult", "kids": "kids"}]},
    "_apparel": {"constant": True},
}

SHOPIFY_MAPPING = {
    "title": {"attribute": "name"},
    "description": {"attribute": "description"},
    "brand": {"expr": ["label", "brand"]},
    "product_type": {"field": "family"},
    "tags": {"expr": ["label", "material"]},
    "price": {"attribute": "price"},
    "sale_price": {"attribute": "sale_price"},
    "gtin": {"attribute": "ean"},
    "weight": {"attribute": "weight"},
}

JSONLD_MAPPING = {
    **{key: GOOGLE_MAPPING[key] for key in ("title", "description", "link", "brand", "gtin")},
    "price": {"attribute": "price"},
    "sale_price": {"attribute": "sale_price"},
    "availability": {"constant": "in_stock"},
    "condition": {"constant": "new"},
    "material": {"expr": ["label", "material"]},
}

PRINT_MAPPING = {
    "title": {"attribute": "name"},
    "description": {
        "expr": [
            "strip_html",
            ["first", {"attribute": "short_description"}, {"attribute": "description"}],
        ]
    },
    "brand": {"expr": ["label", "brand"]},
    "gtin": {"attribute": "ean"},
    "mpn": {"field": "identifier"},
    "price": {"attribute": "price"},
}

#: (code = format, channel, locale, mapping, label, rendition preset or None: the channel's)
DEMO_FEEDS = [
    ("csv", "ecommerce", "en_US", GENERIC_MAPPING, "Products (CSV)", None),
    ("ndjson", "ecommerce", "en_US", GENERIC_MAPPING, "Products (NDJSON)", None),
    (
        "google_merchant",
        "ecommerce",
        "en_US",
        GOOGLE_MAPPING,
        "Google Merchant Center (XML)",
        "google",
    ),
    (
        "google_merchant_tsv",
        "ecommerce",
        "en_US",
        GOOGLE_MAPPING,
        "Google Merchant Center (TSV)",
        "google",
    ),
    ("meta", "ecommerce", "en_US", GOOGLE_MAPPING, "Meta catalog (CSV)", "google"),
    ("shopify", "ecommerce", "en_US", SHOPIFY_MAPPING, "Shopify products (CSV)", None),
    ("jsonld", "ecommerce", "en_US", JSONLD_MAPPING, "Storefront structured data (JSON-LD)", None),
    ("bmecat", "print", "en_US", PRINT_MAPPING, "Print catalogue (BMEcat 2005)", "print"),
    ("print_pdf", "print", "en_US", PRINT_MAPPING, "Print catalogue (PDF)", "print"),
]


def load_demo_feeds(session) -> dict:
    """Create the demo feeds (those whose format is installed); returns counts."""
    channels = set(session.scalars(select(Channel.code)))
    formats = known_formats()
    created = 0
    for code, channel, locale, mapping, label, preset in DEMO_FEEDS:
        if code not in formats or channel not in channels:
            continue
        save_feed(
            session,
            {
                "code": code,
                "label": label,
                "channel": channel,
                "format": code,
                "locale": locale,
                "currency": "EUR",
                "territory": "FR",
                "mapping": mapping,
                "filters": {"enabled_only": True},
                "rendition_preset": preset,
            },
        )
        created += 1
    return {"feeds": created}
