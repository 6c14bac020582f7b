"""Demo feeds on the demo catalogue's ``ecommerce`` channel: CSV, NDJSON and, when the
Google Merchant formats are installed, Google's XML and TSV files."""

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

#: (code = format, mapping, label, rendition preset or None for the channel's)
DEMO_FEEDS = [
    ("csv", GENERIC_MAPPING, "Products (CSV)", None),
    ("ndjson", GENERIC_MAPPING, "Products (NDJSON)", None),
    ("google_merchant", GOOGLE_MAPPING, "Google Merchant Center (XML)", "google"),
    ("google_merchant_tsv", GOOGLE_MAPPING, "Google Merchant Center (TSV)", "google"),
    ("meta", GOOGLE_MAPPING, "Meta catalog (CSV)", "google"),
]


def load_demo_feeds(session) -> dict:
    """Create the demo feeds (those whose format is installed); returns counts."""
    if session.scalar(select(Channel.id).where(Channel.code == "ecommerce")) is None:
        return {}
    formats = known_formats()
    created = 0
    for code, mapping, label, preset in DEMO_FEEDS:
        if code not in formats:
            continue
        save_feed(
            session,
            {
                "code": code,
                "label": label,
                "channel": "ecommerce",
                "format": code,
                "locale": "en_US",
                "currency": "EUR",
                "territory": "FR",
                "mapping": mapping,
                "filters": {"enabled_only": True},
                "rendition_preset": preset,
            },
        )
        created += 1
    return {"feeds": created}
