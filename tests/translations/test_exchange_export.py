"""Exporting catalogue values for translation: which units, with what context, which files."""

import io
import zipfile

import pytest
from lxml import etree

from pim.services import products
from pim.services.translation_exchange import (
    ExchangeError,
    ExportSelection,
    export_translations,
)
from pim.translations.sheet import read_sheet
from pim.translations.xliff import read_xliff
from tests.factories import SYSTEM, value

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
RICH = (
    '<p>Soft <strong>organic</strong> cotton, <a href="https://example.com/care" '
    'rel="noopener noreferrer">care</a>.</p>'
)


def add_solo(session, identifier="TS-SOLO", **values):
    """A product without a model: it holds its names and descriptions itself."""
    values = {
        "name": value("Solo tee", "en_US") + value("T-shirt solo", "fr_FR"),
        "description": value(RICH, "en_US", "ecommerce"),
        **values,
    }
    return products.create_product(
        session, {"identifier": identifier, "family": "tshirts", "values": values}, SYSTEM
    )


def units_by_id(result, name="export.xlf"):
    return {unit.id: unit for unit in read_xliff(result.data, name=name).units}


def test_units_are_products_and_models_with_their_own_source_texts(catalog):
    add_solo(catalog.session)
    result = export_translations(catalog.session, ExportSelection(target_locales=["fr_FR"]))

    assert result.filename == "vitrine-translations-en_US-fr_FR.xlf"
    assert result.mimetype == "application/x-xliff+xml"
    units = units_by_id(result)
    # the model's name is exported once, on the model, not on each variant
    assert set(units) == {
        "model/TS-CREW/name",
        "product/TS-SOLO/name",
        "product/TS-SOLO/description@ecommerce",
    }
    assert (result.units, result.items) == (3, 2)
    solo_name = units["product/TS-SOLO/name"]
    assert (solo_name.source, solo_name.target, solo_name.max_length) == (
        "Solo tee",
        "T-shirt solo",
        80,
    )
    assert "Product: TS-SOLO — Solo tee" in solo_name.notes
    assert "Attribute: Name" in solo_name.notes
    description = units["product/TS-SOLO/description@ecommerce"]
    assert description.rich and description.source == RICH and description.target is None


def test_rich_text_is_written_as_inline_tags(catalog):
    add_solo(catalog.session)
    selection = ExportSelection(target_locales=["fr_FR"], attributes=["description"])
    result = export_translations(catalog.session, selection)

    root = etree.fromstring(result.data)
    source = root.find(f".//{{{NS12}}}trans-unit/{{{NS12}}}source")
    # tags are XLIFF inline elements, not escaped HTML a translator could break
    assert [element.get("ctype") for element in source.iter(f"{{{NS12}}}g")] == [
        "x-html-p",
        "x-html-strong",
        "x-html-a",
    ]
    assert "<" not in "".join(source.itertext())


def test_selection_by_identifier_brings_the_models_of_a_variant(catalog):
    add_solo(catalog.session)
    selection = ExportSelection(target_locales=["de_DE"], identifiers=["TS-CREW-RED-S"])
    result = export_translations(catalog.session, selection)

    assert set(units_by_id(result)) == {"model/TS-CREW/name"}


def test_selection_by_search_query(catalog, app):
    add_solo(catalog.session)
    add_solo(catalog.session, "TS-OTHER", name=value("Other tee", "en_US"))
    catalog.session.flush()
    from pim.search import indexer

    indexer.reindex(catalog.session.connection())
    selection = ExportSelection(target_locales=["de_DE"], query="solo", attributes=["name"])
    result = export_translations(catalog.session, selection)

    assert set(units_by_id(result)) == {"product/TS-SOLO/name"}


def test_only_pending_leaves_out_current_translations(catalog):
    add_solo(catalog.session)
    selection = ExportSelection(target_locales=["fr_FR"], only_pending=True, attributes=["name"])
    assert set(units_by_id(export_translations(catalog.session, selection))) == {
        "model/TS-CREW/name"
    }
    # the source changes: the French name is outdated, hence pending again
    solo = catalog.product("TS-SOLO")
    products.update_product(
        catalog.session, solo, {"values": {"name": value("Solo tee v2", "en_US")}}, SYSTEM
    )
    assert "product/TS-SOLO/name" in units_by_id(export_translations(catalog.session, selection))


def test_several_locales_make_a_zip_and_sheets_are_supported(catalog):
    add_solo(catalog.session)
    selection = ExportSelection(target_locales=["fr_FR", "de_DE"], attributes=["name"])
    result = export_translations(catalog.session, selection, "xlsx")

    assert result.filename == "vitrine-translations-en_US.zip"
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        names = sorted(archive.namelist())
        assert names == [
            "vitrine-translations-en_US-de_DE.xlsx",
            "vitrine-translations-en_US-fr_FR.xlsx",
        ]
        sheet = read_sheet(archive.read(names[1]), file_format="xlsx")
    assert {unit.id: unit.target for unit in sheet.units} == {
        "model/TS-CREW/name": None,
        "product/TS-SOLO/name": "T-shirt solo",
    }
    assert result.units == 4


@pytest.mark.parametrize(
    ("selection", "file_format", "message"),
    [
        (ExportSelection(target_locales=["fr_FR"]), "docx", "Unknown file format"),
        (ExportSelection(target_locales=[]), "xliff12", "at least one target locale"),
        (ExportSelection(target_locales=["it_IT"]), "xliff12", "not activated"),
        (ExportSelection(target_locales=["en_US"]), "xliff12", "is the source locale"),
        (ExportSelection(["fr_FR"], attributes=["nope"]), "xliff12", "Unknown attribute"),
        (ExportSelection(["fr_FR"], attributes=["brand"]), "xliff12", "not a localizable text"),
        (ExportSelection(["fr_FR"], identifiers=["NOPE"]), "xliff12", "NOPE"),
        (ExportSelection(["fr_FR"], query="nosuchfield:1"), "xliff12", "nosuchfield"),
    ],
)
def test_bad_requests_are_refused_with_a_message(catalog, selection, file_format, message):
    with pytest.raises(ExchangeError, match=message):
        export_translations(catalog.session, selection, file_format)
