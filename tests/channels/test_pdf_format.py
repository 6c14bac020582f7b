"""Print catalogue (PDF): chapters in category order, variants tables with prices in the
feed's locale, pictures from fetch_image only (never the network), safe text, valid PDFs.

Rendering a PDF takes a fraction of a second, so the catalogue is rendered once per module
and the tests read its HTML and its bytes.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import socket
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import html as lxml_html
from PIL import Image

from channels.formats import FeedWriter
from channels.formats.base import FeedContext
from channels.formats.pdf import PdfCatalogueWriter, count_pages

TOPS = {"code": "women_tops", "label": "Tops", "trail": "Women > Tops"}
SUMMER = {"code": "summer", "label": "Summer selection", "trail": "Summer selection"}
RED_PICTURE = "https://vitrine.example.com/assets/1/renditions/print"
BLUE_PICTURE = "https://vitrine.example.com/assets/2/renditions/print"
BAG_PICTURE = "https://vitrine.example.com/assets/3/renditions/print"
MISSING_PICTURE = "http://example.invalid/assets/404.jpg"
NASTY = 'Café <script>alert("x")</script> ]]> \x01\x0b bell 😀'
GENERATED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 48), colour).save(out, "PNG")
    return out.getvalue()


PICTURES = {RED_PICTURE: png((200, 30, 30)), BLUE_PICTURE: png((30, 30, 200))}
PICTURES[BAG_PICTURE] = png((120, 90, 40))


def feature(code, label, value, type_="text", unit=None) -> dict:
    return {"code": code, "label": label, "type": type_, "value": value, "unit": unit}


def tshirt(colour: str, size: str, weight: str) -> dict:
    """A variant of the crew T-shirt model (colour × size)."""
    axes = [
        {"code": "color", "label": "Colour", "value": colour.lower(), "value_label": colour},
        {"code": "size", "label": "Size", "value": size.lower(), "value_label": size},
    ]
    return {
        "id": f"TS-CREW-{colour.upper()}-{size}",
        "title": f"Crew-neck T-shirt {colour} {size}",
        "description": "<p>Soft <b>organic</b> cotton.</p><script>steal()</script>",
        "brand": "Maison Lune",
        "gtin": "4006381333931",
        "price": {"amount": Decimal("15"), "currency": "EUR"},
        "image_link": RED_PICTURE if colour == "Red" else BLUE_PICTURE,
        "item_group_id": "TS-CREW",
        "_variant": True,
        "_group_label": "Crew-neck T-shirt",
        "_axes": axes,
        "_categories": [TOPS, SUMMER],
        "_features": [
            feature("name", "Name", f"Crew-neck T-shirt {colour} {size}"),
            feature("material", "Material", "Organic cotton", "simple_select"),
            feature("color", "Colour", colour, "simple_select"),
            feature("weight", "Weight", Decimal(weight), "metric", "GRM"),
            feature("care", "Care", "Wash at <30°C", "textarea"),
            feature("sku", "SKU", "TS-CREW", "identifier"),
        ],
    }


def catalogue_items() -> list[dict]:
    """A bag (first seen: Summer), the T-shirt model (Tops, then Summer in tree order),
    and a product without category whose picture cannot be had and whose text is nasty."""
    bag = {
        "id": "BAG-TOTE",
        "title": "Canvas tote bag",
        "description": "Roomy.\n\nFits a laptop.",
        "price": {"amount": Decimal("39.9"), "currency": "EUR"},
        "sale_price": {"amount": Decimal("29.9"), "currency": "EUR"},
        "image_link": BAG_PICTURE,
        "_variant": False,
        "_group_label": None,
        "_axes": [],
        "_categories": [SUMMER],
        "_features": [
            feature("name", "Name", "Canvas tote bag"),
            feature("material", "Material", "Canvas"),
        ],
    }
    variants = [
        tshirt(colour, size, "180" if size == "S" else "200")
        for colour in ("Red", "Blue")
        for size in ("S", "M")
    ]
    odd = {
        "id": "ODD-1",
        "title": NASTY,
        "description": NASTY,
        "brand": NASTY,
        "price": {"amount": Decimal("5"), "currency": "EUR"},
        "image_link": MISSING_PICTURE,
        "_variant": False,
        "_group_label": None,
        "_axes": [],
        "_categories": [],
    }
    return [bag, *variants, odd]


class NetworkGuard:
    """Records (and refuses) every attempt to open a connection or resolve a name."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.attempts: list[object] = []
        monkeypatch.setattr(socket.socket, "connect", self._refuse)
        monkeypatch.setattr(socket.socket, "connect_ex", self._refuse)
        monkeypatch.setattr(socket, "getaddrinfo", self._refuse)

    def _refuse(self, *args, **kwargs):
        self.attempts.append(args[-1] if args else kwargs)
        raise OSError("network access during a test")


def render(items, context: FeedContext) -> tuple[PdfCatalogueWriter, str, bytes]:
    """Write ``items`` (each must pass check); the writer, its HTML and the PDF bytes."""
    stream = io.BytesIO()
    writer = PdfCatalogueWriter(context)
    writer.open(stream, title="Vitrine", link="https://shop.example", description="")
    for item in items:
        assert writer.check(item) == []
        writer.write(item)
    html = writer.build_html()
    writer.close()
    return writer, html, stream.getvalue()


@pytest.fixture(scope="module")
def rendered():
    """The small catalogue rendered once, with the network cut off."""
    asked: list[str] = []

    def fetch_image(url: str):
        asked.append(url)
        return (PICTURES[url], "image/png") if url in PICTURES else None

    context = FeedContext(
        label="Spring catalogue",
        channel="print",
        locale="en_US",
        generated_at=GENERATED,
        fetch_image=fetch_image,
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        guard = NetworkGuard(monkeypatch)
        writer, html, pdf = render(catalogue_items(), context)
    return {"writer": writer, "html": html, "pdf": pdf, "asked": asked, "guard": guard}


@pytest.fixture(scope="module")
def page(rendered):
    return lxml_html.document_fromstring(rendered["html"])


def select(element, selector: str) -> list:
    """Descendants matching a chain of ``tag``, ``.class`` or ``tag.class`` steps (a tiny
    CSS selector: lxml's needs the cssselect package, which is not installed)."""
    path = ""
    for step in selector.split():
        tag, _, css_class = step.partition(".")
        path += f"//{tag or '*'}"
        if css_class:
            path += f"[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]"
    return element.xpath("." + path)


def texts(elements) -> list[str]:
    """Each element's text, pieces separated by one space (no-break spaces kept)."""
    return [re.sub(r"[ \t\n]+", " ", " ".join(element.itertext())).strip() for element in elements]


def test_is_a_feed_writer_built_with_a_context():
    writer = PdfCatalogueWriter()
    assert isinstance(writer, FeedWriter)
    assert (writer.extension, writer.content_type) == ("pdf", "application/pdf")
    assert writer.wants_context and writer.grouped and writer.wants_features


def test_the_pdf_is_valid_has_a_page_per_chapter_and_embeds_the_pictures(rendered, tmp_path):
    pdf = rendered["pdf"]
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(pdf)
    assert PdfCatalogueWriter.validate_file(path, gzipped=False) == []
    # cover, contents, then three chapters, each starting on a new page
    assert count_pages(pdf) >= 5
    # three distinct pictures (the T-shirt's two colours and the bag); the missing one
    # left an empty frame instead of breaking the rendering
    assert pdf.count(b"/Subtype /Image") == 3


def test_cover_shows_the_catalogue_channel_language_and_date(page):
    (cover,) = select(page, "section.cover")
    assert texts(select(cover, "h1")) == ["Spring catalogue"]
    assert texts(select(cover, "dd")) == [
        "print",
        "English (United States)",
        "March 14, 2026",
        "3 (6 references)",
    ]


def test_chapters_follow_the_category_tree_and_the_contents_link_to_them(page):
    chapters = select(page, "section.chapter")
    # The bag came first, but the T-shirt lists Tops before Summer selection: tree order.
    assert texts(select(c, "h1")[0] for c in chapters) == [
        "Tops",
        "Summer selection",
        "Other products",
    ]
    links = select(page, "nav.toc a")
    assert texts(links) == ["Tops", "Summer selection", "Other products"]
    assert [a.get("href") for a in links] == [f"#{c.get('id')}" for c in chapters]
    names = [texts(select(c, "article .name")) for c in chapters]
    assert names[:2] == [["Crew-neck T-shirt"], ["Canvas tote bag"]]
    assert "Café" in names[2][0]
    assert texts(select(chapters[0], ".trail")) == ["Women > Tops"]


def test_a_model_is_one_block_with_a_row_per_variant_and_formatted_prices(page):
    (tshirt,) = select(select(page, "section.chapter")[0], "article.product")
    table = select(tshirt, "table.variants")[0]
    assert texts(select(table, "thead th")) == ["Colour", "Size", "SKU", "GTIN", "Price"]
    rows = [texts(select(row, "td")) for row in select(table, "tbody tr")]
    assert rows == [
        [colour, size, f"TS-CREW-{colour.upper()}-{size}", "4006381333931", "€15.00"]
        for colour in ("Red", "Blue")
        for size in ("S", "M")
    ]
    assert texts(select(tshirt, ".brand")) == ["Maison Lune"]
    assert texts(select(tshirt, ".description p")) == ["Soft organic cotton."]
    # Shared features only: no axis (colour), nothing that varies (name, weight), no
    # identifier or long text.
    assert texts(select(tshirt, "table.features tr")) == ["Material Organic cotton"]
    pictures = [img.get("src") for img in select(tshirt, "img")]
    assert pictures == [RED_PICTURE, BLUE_PICTURE]


def test_a_standalone_product_has_its_sale_price_and_paragraphs(page):
    (bag,) = select(select(page, "section.chapter")[1], "article.product")
    table = select(bag, "table.variants")[0]
    assert texts(select(table, "thead th")) == ["SKU", "Price"]
    assert texts(select(table, "tbody td")) == ["BAG-TOTE", "€39.90 €29.90"]
    assert texts(select(table, "del")) == ["€39.90"]
    assert texts(select(bag, ".description p")) == ["Roomy.", "Fits a laptop."]
    assert texts(select(bag, "table.features tr")) == ["Material Canvas"]


def test_pictures_come_from_fetch_image_only_and_nothing_touches_the_network(rendered):
    assert rendered["guard"].attempts == []
    wanted = [RED_PICTURE, BLUE_PICTURE, BAG_PICTURE, MISSING_PICTURE]
    assert sorted(rendered["asked"]) == sorted(wanted)  # each picture asked for once
    assert sorted(rendered["writer"].fetcher.calls) == sorted(wanted)  # and nothing else


def test_other_urls_are_refused_without_asking_fetch_image():
    asked: list[str] = []
    writer = PdfCatalogueWriter(FeedContext(fetch_image=lambda url: asked.append(url)))
    for url in ("file:///etc/passwd", "data:image/png;base64,AAAA", "ftp://x.example/a"):
        with pytest.raises(LookupError):
            writer.fetcher(url)
    assert asked == []


def test_unsafe_text_is_escaped_and_control_characters_removed(rendered, page):
    html = rendered["html"]
    assert "<script" not in html
    assert "]]>" not in html
    assert "\x01" not in html and "\x0b" not in html
    (odd,) = select(select(page, "section.chapter")[2], "article.product")
    expected = 'Café <script>alert("x")</script> ]]> bell 😀'
    assert texts(select(odd, ".name")) == [expected]
    assert texts(select(odd, ".brand")) == [expected]
    # the picture that could not be had leaves its frame, empty
    assert [img.get("src") for img in select(odd, ".picture img")] == [MISSING_PICTURE]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler) not installed")
def test_the_pdf_text_has_page_numbers_in_contents_and_footers(rendered, tmp_path):
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(rendered["pdf"])
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    contents = " ".join(pages[1].split())
    assert "Tops ." in contents and "Summer selection ." in contents
    chapter_pages = [int(line.split()[-1]) for line in pages[1].splitlines() if "...." in line]
    assert chapter_pages == sorted(chapter_pages) and chapter_pages[0] == 3
    total = count_pages(rendered["pdf"])
    assert re.search(rf"\bPage 3 of {total}\b", pages[2])  # the footer
    assert "€15.00" in text and "Crew-neck T-shirt" in text


def test_prices_and_dates_follow_the_feed_locale():
    writer = PdfCatalogueWriter(
        FeedContext(label="Printemps", locale="fr_FR", generated_at=GENERATED)
    )
    writer.open(io.BytesIO(), title="t", link="", description="")
    for item in catalogue_items()[1:5]:
        writer.write(item)
    page = lxml_html.document_fromstring(writer.build_html())
    assert page.get("lang") == "fr-FR"
    assert texts(select(page, ".facts .date")) == ["14 mars 2026"]
    assert set(texts(select(page, "td.price"))) == {"15,00\xa0€"}


def test_an_empty_catalogue_is_a_valid_pdf_saying_so(tmp_path):
    _writer, html, pdf = render([], FeedContext(label="Nothing yet"))
    page = lxml_html.document_fromstring(html)
    assert texts(select(page, ".empty")) == ["No products"]
    assert select(page, "nav.toc") == []
    path = tmp_path / "empty.pdf.gz"
    path.write_bytes(gzip.compress(pdf))
    assert PdfCatalogueWriter.validate_file(path, gzipped=True) == []
    assert count_pages(pdf) == 1


def test_check_names_the_field_of_each_problem():
    writer = PdfCatalogueWriter()
    ok = catalogue_items()[0]
    assert writer.check(ok) == []
    assert writer.check({**ok, "id": " "}) == ["id: is required"]
    assert writer.check({**ok, "title": None}) == ["title: is required"]
    assert writer.check({**ok, "title": None, "_group_label": "Tote"}) == []
    assert writer.check({**ok, "price": None}) == ["price: is required"]
    assert writer.check({**ok, "price": {"amount": "abc", "currency": "EUR"}}) == [
        "price: amount 'abc' is not a number"
    ]
    assert writer.check({**ok, "price": {"amount": Decimal("5")}}) == [
        "price: currency must be a 3-letter ISO 4217 code, not None"
    ]


def test_validate_file_explains_what_is_wrong(tmp_path, rendered):
    pdf = rendered["pdf"]
    cases = {
        "cut.pdf": pdf[: len(pdf) // 2],
        "html.pdf": b"<html>not a pdf</html>",
        "empty.pdf": b"",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    check = PdfCatalogueWriter.validate_file
    assert check(tmp_path / "cut.pdf", gzipped=False) == [
        "the file does not end with %%EOF: it is truncated or damaged"
    ]
    assert check(tmp_path / "html.pdf", gzipped=False)[0] == (
        "the file does not start with %PDF-, it is not a PDF"
    )
    assert check(tmp_path / "empty.pdf", gzipped=False) == ["the file is empty, not a PDF"]
    no_pages = b"%PDF-1.7\n1 0 obj\n<</Type /Pages/Kids []/Count 0>>\nendobj\n%%EOF\n"
    (tmp_path / "blank.pdf").write_bytes(no_pages)
    assert check(tmp_path / "blank.pdf", gzipped=False) == ["the PDF has no page"]


def test_writer_lifecycle_is_enforced():
    writer = PdfCatalogueWriter()
    with pytest.raises(RuntimeError, match="cannot write to a new feed writer"):
        writer.write(catalogue_items()[0])
