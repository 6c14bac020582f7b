"""Feed formats: pure writers that turn item dicts into channel files, no database involved.

Usage::

    writer = FORMATS["google_merchant"]()          # a FeedWriter
    writer.open(stream, title="Vitrine", link="https://shop.example", description="…")
    for item in items:                             # dicts keyed by the format's attributes
        if not (problems := writer.check(item)):   # sentences naming the field
            writer.write(item)
    writer.close()

The text helpers (:mod:`channels.formats.text`) and GTIN checks
(:mod:`channels.formats.gtin`) are shared by every format.
"""

from __future__ import annotations

from channels.formats.base import FeedWriter, Field
from channels.formats.bmecat import BMEcatWriter
from channels.formats.google import GoogleMerchantTSVWriter, GoogleMerchantXMLWriter
from channels.formats.jsonld import JsonLdWriter
from channels.formats.meta import MetaCatalogCSVWriter
from channels.formats.pdf import PdfCatalogueWriter
from channels.formats.shopify import ShopifyCSVWriter

__all__ = [
    "FORMATS",
    "BMEcatWriter",
    "FeedWriter",
    "Field",
    "GoogleMerchantTSVWriter",
    "GoogleMerchantXMLWriter",
    "JsonLdWriter",
    "MetaCatalogCSVWriter",
    "PdfCatalogueWriter",
    "ShopifyCSVWriter",
]

FORMATS: dict[str, type[FeedWriter]] = {
    "google_merchant": GoogleMerchantXMLWriter,
    "google_merchant_tsv": GoogleMerchantTSVWriter,
    "meta": MetaCatalogCSVWriter,
    "shopify": ShopifyCSVWriter,
    "jsonld": JsonLdWriter,
    "bmecat": BMEcatWriter,
    "print_pdf": PdfCatalogueWriter,
}
