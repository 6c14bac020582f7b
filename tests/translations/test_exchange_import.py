"""Importing translation files into the catalogue: dry run, apply, and hostile or wrong files."""

import copy
import csv
import io
import json
import re

import pytest
from lxml import etree
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from pim.models import Product, ProductModel, Version
from pim.services import products, structure, translation_status
from pim.services.actors import Actor
from pim.services.structure_cache import Structure
from pim.services.translation_exchange import (
    ExportSelection,
    export_translations,
    import_translations,
)
from tests.factories import SYSTEM, value

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
RICH = (
    '<p>Soft <strong>organic</strong> cotton, <a href="https://example.com/care" '
    'rel="noopener noreferrer">care</a>.</p>'
)
RICH_FR = (
    '<p>Coton <strong>bio</strong> tout doux, <a href="https://example.com/care" '
    'rel="noopener noreferrer">entretien</a>.</p>'
)
FRENCH = {
    "Soft ": "Coton ",
    "organic": "bio",
    " cotton, ": " tout doux, ",
    "care": "entretien",
    "Solo tee": "T-shirt solo revu",
    "Crew-neck T-shirt": "T-shirt col rond",
}


@pytest.fixture
def shop(catalog):
    """The test catalogue plus a product holding its own name (translated) and description."""
    products.create_product(
        catalog.session,
        {
            "identifier": "TS-SOLO",
            "family": "tshirts",
            "values": {
                "name": value("Solo tee", "en_US") + value("T-shirt solo", "fr_FR"),
                "description": value(RICH, "en_US", "ecommerce"),
            },
        },
        SYSTEM,
    )
    catalog.session.flush()
    return catalog


def export(session, file_format="xliff12", locale="fr_FR"):
    return export_translations(session, ExportSelection(target_locales=[locale]), file_format).data


def _translate_text(element, words: dict) -> None:
    for node in element.iter():
        if node.text:
            node.text = words.get(node.text, node.text)
        if node is not element and node.tail:
            node.tail = words.get(node.tail, node.tail)


def cat_tool_12(data: bytes, words: dict = FRENCH, edit=None) -> bytes:
    """What a CAT tool makes of an XLIFF 1.2 export: ``<seg-source>`` and ``<mrk>``
    segments, targets with the source's inline tags and ``state="translated"``."""
    root = etree.fromstring(data)
    for unit in root.iter(f"{{{NS12}}}trans-unit"):
        source = unit.find(f"{{{NS12}}}source")
        for old in unit.findall(f"{{{NS12}}}target"):
            unit.remove(old)
        seg_source = etree.Element(f"{{{NS12}}}seg-source")
        seg_source.append(_segment(source))
        target = etree.Element(f"{{{NS12}}}target", state="translated")
        segment = _segment(source)
        _translate_text(segment, words)
        target.append(segment)
        source.addnext(seg_source)
        seg_source.addnext(target)
        if edit:
            edit(unit, segment)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _segment(source):
    segment = copy.deepcopy(source)
    segment.tag = f"{{{NS12}}}mrk"
    segment.attrib.clear()
    segment.set("mtype", "seg")
    segment.set("mid", "1")
    segment.tail = None
    return segment


def catalogue_state(session):
    """Everything an import may write: values, stamps and versions."""
    session.expire_all()
    rows = [
        (item.__class__.__name__, item.id, item.values, item.translation_sources, item.version)
        for model in (Product, ProductModel)
        for item in session.scalars(select(model).order_by(model.id))
    ]
    return rows, session.scalar(select(func.count()).select_from(Version))


def run(session, data, filename="fr.xlf", actor=SYSTEM, dry_run=False):
    return import_translations(session, data, filename, actor=actor, dry_run=dry_run)


def name_of(item, locale):
    return next((e["data"] for e in item.values.get("name", []) if e["locale"] == locale), None)


def test_a_cat_tool_round_trip_dry_run_apply_and_again(shop):
    session = shop.session
    translated = cat_tool_12(export(session))
    before = catalogue_state(session)

    dry = run(session, translated, dry_run=True)
    assert dry.ok and not dry.applied, dry.problems
    changes = {change.unit_id: (change.old, change.new) for change in dry.changes}
    assert changes == {
        "model/TS-CREW/name": (None, "T-shirt col rond"),
        "product/TS-SOLO/name": ("T-shirt solo", "T-shirt solo revu"),
        "product/TS-SOLO/description@ecommerce": (None, RICH_FR),
    }
    assert (dry.source_locale, dry.target_locales, dry.units) == ("en_US", ["fr_FR"], 3)
    assert catalogue_state(session) == before

    report = run(session, translated)
    assert report.ok and report.applied and report.items_changed == 2
    solo, crew = shop.product("TS-SOLO"), shop.model("TS-CREW")
    assert name_of(solo, "fr_FR") == "T-shirt solo revu"
    assert name_of(crew, "fr_FR") == "T-shirt col rond"
    description = {(e["locale"], e["scope"]): e["data"] for e in solo.values["description"]}
    assert description[("fr_FR", "ecommerce")] == RICH_FR
    for resource_type, item in (("product", solo), ("product_model", crew)):
        versions = session.scalars(
            select(Version)
            .where(Version.resource_type == resource_type, Version.resource_id == item.id)
            .order_by(Version.number)
        ).all()
        assert versions[-1].source == "translation" and versions[-2].source != "translation"
    status = translation_status.of_item(solo, Structure.current(session), ["fr_FR"])["fr_FR"]
    assert status.state == "complete"

    after = catalogue_state(session)
    again = run(session, translated)
    assert again.ok and not again.changes and again.unchanged == 3 and not again.applied
    assert catalogue_state(session) == after


def test_a_source_changed_since_the_export_leaves_the_translation_outdated(shop):
    session = shop.session
    translated = cat_tool_12(export(session))
    solo = shop.product("TS-SOLO")
    products.update_product(session, solo, {"values": {"name": value("Solo", "en_US")}}, SYSTEM)

    report = run(session, translated)
    assert report.applied and [w.unit_id for w in report.warnings] == ["product/TS-SOLO/name"]
    status = translation_status.of_item(solo, Structure.current(session), ["fr_FR"])["fr_FR"]
    assert status.outdated == ["name-fr_FR"]


def test_an_outdated_translation_kept_by_the_translator_becomes_current(shop):
    session = shop.session
    solo = shop.product("TS-SOLO")
    products.update_product(session, solo, {"values": {"name": value("Solo", "en_US")}}, SYSTEM)
    pending = export_translations(
        session, ExportSelection(["fr_FR"], attributes=["name"], only_pending=True)
    ).data
    root = etree.fromstring(pending)
    target = root.find(f".//{{{NS12}}}trans-unit[@id='product/TS-SOLO/name']/{{{NS12}}}target")
    assert target.get("state") == "needs-review-translation"

    untouched = run(session, pending)  # still "needs review": nothing is confirmed
    assert untouched.ok and not untouched.confirmed and not untouched.applied
    target.set("state", "translated")  # reviewed, kept as it is
    reviewed = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    count = catalogue_state(session)[1]

    report = run(session, reviewed)

    assert report.applied and report.confirmed == ["product/TS-SOLO/name"] and not report.changes
    status = translation_status.of_item(solo, Structure.current(session), ["fr_FR"])["fr_FR"]
    assert status.outdated == []
    assert catalogue_state(session)[1] == count  # values unchanged: no version
    assert not run(session, reviewed).confirmed


def test_xliff_20_round_trip(shop):
    session = shop.session
    root = etree.fromstring(export(session, "xliff20"))
    for unit in root.iter(f"{{{NS20}}}unit"):
        segment = unit.find(f"{{{NS20}}}segment")
        source = segment.find(f"{{{NS20}}}source")
        target = copy.deepcopy(source)
        target.tag = f"{{{NS20}}}target"
        for old in segment.findall(f"{{{NS20}}}target"):
            segment.remove(old)
        _translate_text(target, FRENCH)
        segment.append(target)
        segment.set("state", "translated")
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")

    report = run(session, data)
    assert report.applied and len(report.changes) == 3, report.problems
    assert name_of(shop.model("TS-CREW"), "fr_FR") == "T-shirt col rond"
    assert run(session, data).changes == []


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_sheet_round_trip(shop, file_format):
    session = shop.session
    data = export(session, file_format, "de_DE")
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    else:
        workbook = load_workbook(io.BytesIO(data))
        rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    header = rows[0]
    source, target = header.index("source (en_US)"), header.index("target (de_DE)")
    for row in rows[1:]:
        # a person typing the German text, tags of the rich text included
        row[target] = row[source].replace("Soft", "Weich").replace("tee", "Shirt")
        row[target] = row[target].replace("Crew-neck T-shirt", "Rundhals-T-Shirt")
    out = io.BytesIO()
    if file_format == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([[cell or "" for cell in row] for row in rows])
        out.write(text.getvalue().encode())
    else:
        edited = Workbook()
        for row in rows:
            edited.active.append(row)
        edited.save(out)

    report = run(session, out.getvalue(), filename=f"de.{file_format}")
    assert report.applied and len(report.changes) == 3, report.problems
    assert name_of(shop.product("TS-SOLO"), "de_DE") == "Solo Shirt"
    assert name_of(shop.model("TS-CREW"), "de_DE") == "Rundhals-T-Shirt"
    assert run(session, out.getvalue(), filename=f"de.{file_format}").changes == []


# --- bad input: refused, nothing written ------------------------------------------------


def _rename(old, new):
    def edit(unit, segment):
        if unit.get("id") == old:
            unit.set("id", new)
            unit.set("resname", new)

    return edit


def _drop_inline_tag(unit, segment):
    if unit.get("id").startswith("product/TS-SOLO/description"):
        strong = next(segment.iter(f"{{{NS12}}}g"))[0]  # the <strong> inside the <p>
        strong.getparent().text = (strong.getparent().text or "") + (strong.text or "")
        strong.getparent().remove(strong)


def _break_inline_tag(unit, segment):
    if unit.get("id").startswith("product/TS-SOLO/description"):
        next(segment.iter(f"{{{NS12}}}g")).set("id", "99")


def _too_long(unit, segment):
    if unit.get("id") == "product/TS-SOLO/name":
        unit.attrib.pop("maxwidth", None)  # a tool that drops the limit: checked again
        unit.attrib.pop("size-unit", None)
        segment.text = "x" * 81


@pytest.mark.parametrize(
    ("edit", "unit_id", "message"),
    [
        (_rename("product/TS-SOLO/name", "product/NOPE/name"), "product/NOPE/name", "no product"),
        (_rename("model/TS-CREW/name", "model/NOPE/name"), "model/NOPE/name", "no product model"),
        (
            _rename("product/TS-SOLO/name", "product/TS-SOLO/nope"),
            "product/TS-SOLO/nope",
            "no attribute",
        ),
        (
            _rename("product/TS-SOLO/name", "product/TS-SOLO/brand"),
            "product/TS-SOLO/brand",
            "not a localizable text",
        ),
        (
            _rename("product/TS-SOLO/name", "product/TS-SOLO/name@ecommerce"),
            "product/TS-SOLO/name@ecommerce",
            "not scopable",
        ),
        (_rename("product/TS-SOLO/name", "product/TS-SOLO/"), "product/TS-SOLO/", "badly encoded"),
        (_drop_inline_tag, "product/TS-SOLO/description@ecommerce", "<strong>.* missing"),
        (_break_inline_tag, "product/TS-SOLO/description@ecommerce", "id 99.* not in the source"),
        (_too_long, "product/TS-SOLO/name", "81 characters long, the maximum is 80"),
    ],
    ids=[
        "unknown-product",
        "unknown-model",
        "unknown-attribute",
        "not-localizable",
        "bad-scope",
        "bad-id",
        "missing-tag",
        "broken-tag",
        "too-long",
    ],
)
def test_a_bad_unit_refuses_the_whole_file(shop, edit, unit_id, message):
    session = shop.session
    data = cat_tool_12(export(session), edit=edit)
    before = catalogue_state(session)

    report = run(session, data)

    assert not report.ok and not report.applied
    problem = next(p for p in report.problems if p.unit_id == unit_id)
    assert re.search(message, problem.message), problem
    assert catalogue_state(session) == before


def test_a_file_for_a_locale_that_is_not_activated_is_refused(shop):
    session = shop.session
    structure.create_locale(session, "it_IT", SYSTEM)  # exists, but in no channel
    data = cat_tool_12(export(session)).replace(
        b'target-language="fr-FR"', b'target-language="it-IT"'
    )
    before = catalogue_state(session)

    report = run(session, data)

    assert not report.applied and report.target_locales == ["it_IT"]
    assert any("it_IT is not activated" in p.message for p in report.problems)
    assert catalogue_state(session) == before


def test_a_file_from_a_source_locale_that_is_not_activated_is_refused(shop):
    session = shop.session
    structure.create_locale(session, "it_IT", SYSTEM)
    data = cat_tool_12(export(session)).replace(
        b'source-language="en-US"', b'source-language="it-IT"'
    )
    report = run(session, data)
    assert not report.applied and "from it_IT, which is not activated" in str(report.problems)


def test_a_zip_of_several_locales_is_imported_at_once(shop):
    session = shop.session
    selection = ExportSelection(target_locales=["fr_FR", "de_DE"], attributes=["name"])
    data = export_translations(session, selection).data

    report = run(session, data, filename="translations.zip")

    assert report.ok and sorted(report.target_locales) == ["de_DE", "fr_FR"], report.problems
    assert (report.units, report.unchanged, report.empty, report.changes) == (4, 1, 3, [])
    assert json.loads(json.dumps(report.as_dict()))["target_locales"] == report.target_locales


def test_an_xxe_file_is_refused_with_nothing_written(shop, tmp_path):
    session = shop.session
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    data = (
        cat_tool_12(export(session))
        .replace(
            b"<xliff ",
            f'<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret}">]><xliff '.encode(),
            1,
        )
        .replace(b"T-shirt col rond", b"&xxe;")
    )
    before = catalogue_state(session)

    report = run(session, data)

    assert not report.applied and report.problems[0].unit_id is None
    assert "TOP SECRET" not in str(report.problems)
    assert catalogue_state(session) == before


def test_garbage_is_a_problem_not_an_exception(shop):
    report = run(shop.session, b"\x00\xff not a file", filename="x.xlf")
    assert not report.ok and report.units == 0


def test_a_translator_imports_only_into_their_locales(shop, make_user):
    session = shop.session
    translator = make_user(role="translator")
    translator.locales = ["de_DE"]
    data = cat_tool_12(export(session))
    actor = Actor.for_user(translator, "ui")
    before = catalogue_state(session)

    refused = run(session, data, actor=actor)
    assert not refused.applied
    assert "You do not translate into fr_FR" in refused.problems[0].message
    assert catalogue_state(session) == before

    translator.locales = ["de_DE", "fr_FR"]
    report = run(session, data, actor=actor)
    assert report.applied, report.problems
    version = session.scalars(select(Version).order_by(Version.id.desc())).first()
    assert (version.author, version.source) == (translator.email, "translation")
