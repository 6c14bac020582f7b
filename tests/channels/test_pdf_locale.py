"""Print catalogue in the feed's locale: fixed words from the UI catalogue of the feed's
language (``fr_FR`` → ``fr``), prices, numbers and dates formatted by Babel for it."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from channels.formats.base import FeedContext
from channels.formats.pdf import Formats, PdfCatalogueWriter, ui_language
from pim.i18n import TRANSLATIONS_DIR, compile_catalogues

LAMP = {
    "id": "LAMP-1",
    "title": "Lampe Atelier",
    "price": {"amount": Decimal("1234.5"), "currency": "EUR"},
    "_variant": False,
    "_categories": [{"code": "lights", "label": "Luminaires", "trail": "Luminaires"}],
    "_features": [
        {
            "code": "weight",
            "label": "Poids",
            "type": "metric",
            "value": Decimal("1.25"),
            "unit": "KGM",
        },
        {"code": "dimmable", "label": "Variateur", "type": "boolean", "value": True, "unit": None},
    ],
}


def pdf_text(locale: str, tmp_path) -> str:
    compile_catalogues(TRANSLATIONS_DIR)  # as the app does when it starts
    stream = io.BytesIO()
    context = FeedContext(
        label="Printemps",
        channel="print",
        locale=locale,
        generated_at=datetime(2026, 3, 14, tzinfo=UTC),
    )
    writer = PdfCatalogueWriter(context)
    writer.open(stream, title="t", link="", description="")
    writer.write(LAMP)
    writer.close()
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(stream.getvalue())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.replace("\u202f", " ").replace("\xa0", " ")  # Babel's (narrow) no-break spaces


def test_feed_locales_map_to_ui_languages():
    assert [ui_language(code) for code in ("fr_FR", "de-CH", "it_IT", "nl_NL", None)] == [
        "fr",
        "de",
        "it",
        "en",
        "en",
    ]


def test_the_page_footer_is_css_from_the_translated_sentence():
    footer = str(Formats("en_US").page_footer())
    assert footer == '"Page " counter(page) " of " counter(pages)'


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler) not installed")
def test_a_french_feed_prints_french_headings_and_french_prices(tmp_path):
    text = pdf_text("fr_FR", tmp_path)
    assert "Canal" in text and "Produits" in text  # the cover's facts
    assert "Prix" in text and "Price" not in text  # the variants table's header
    assert "1 234,50 €" in text  # Babel, French: narrow no-break space, decimal comma
    assert "14 mars 2026" in text
    assert "1,25 kg" in text and "Oui" in text  # the features table


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler) not installed")
def test_an_english_feed_keeps_english_words_and_prices(tmp_path):
    text = pdf_text("en_GB", tmp_path)
    assert "Channel" in text and "Price" in text and "Prix" not in text
    assert "€1,234.50" in text
