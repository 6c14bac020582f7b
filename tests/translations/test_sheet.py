"""The CSV/XLSX translation sheet: round trips, formula safety, and sheets that are refused."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from pim.translations.sheet import SheetError, columns, read_sheet, write_sheet
from pim.translations.units import TranslationFile, TranslationUnit

RICH = '<p>Soft <strong>cotton</strong> &amp; <a href="https://x.example/?a=1&amp;b=2">care</a></p>'
RICH_FR = (
    '<p><a href="https://x.example/?a=1&amp;b=2">Entretien</a> &amp; <strong>coton</strong></p>'
)
FORMULAS = ['=HYPERLINK("http://evil")', "+33 1 23 45", "-10 %", "@SUM(A1)", "'quoted"]


def unit(key="TS-1", attribute="name", **fields):
    values = {
        "item_kind": "product",
        "item_key": key,
        "attribute": attribute,
        "scope": None,
        "source_locale": "en_US",
        "target_locale": "fr_FR",
        "source": "Crew T-shirt",
        "target": None,
    }
    values.update(fields)
    return TranslationUnit(**values)


def sample_units():
    return [
        unit(notes=["Product: Crew T-shirt", "Attribute: Name"], max_length=40, target="T-shirt"),
        unit("TS-1", "description", scope="ecommerce", source=RICH, target=RICH_FR, rich=True),
        unit("a/b c \u00e9", "name", item_kind="model", source="A & B < C \u65e5\u672c"),
        unit("TS-2", "care", source='line 1\nline 2, "quoted"; x', target="ligne 1\nligne 2"),
        *(unit(f"F-{i}", "name", source=text, target=text) for i, text in enumerate(FORMULAS)),
    ]


def expected(units):
    for item in units:
        item.state = "translated" if item.target is not None else "new"
    return units


def sheet_bytes(units, file_format="csv") -> bytes:
    out = io.BytesIO()
    write_sheet(TranslationFile("en_US", "fr_FR", units), out, file_format)
    return out.getvalue()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_sheet_reads_back_the_units_it_was_written_from(tmp_path, file_format):
    path = tmp_path / f"fr.{file_format}"
    path.write_bytes(sheet_bytes(sample_units(), file_format))

    result = read_sheet(path, source_locale="en_US", target_locale="fr_FR")

    assert result.problems == []
    assert result.units == expected(sample_units())
    assert (result.source_locale, result.target_locale) == ("en_US", "fr_FR")


def test_csv_cells_that_look_like_formulas_are_escaped():
    rows = list(csv.reader(io.StringIO(sheet_bytes(sample_units()).decode("utf-8-sig"))))

    assert rows[0] == columns(TranslationFile("en_US", "fr_FR"))
    targets = [row[4] for row in rows if row[0].startswith("product/F-")]
    assert targets == ["'" + text for text in FORMULAS]


def test_xlsx_cells_that_look_like_formulas_stay_text():
    book = load_workbook(io.BytesIO(sheet_bytes(sample_units(), "xlsx")))
    rows = [row for row in book.active.iter_rows() if row[0].value.startswith("product/F-")]

    assert [row[4].value for row in rows] == FORMULAS
    assert {row[4].data_type for row in rows} == {"s"}


def test_a_sheet_saved_again_by_a_spreadsheet_with_semicolons_is_read():
    rows = list(csv.reader(io.StringIO(sheet_bytes(sample_units()[:1]).decode("utf-8-sig"))))
    rows[1][4] = "T-shirt col rond"
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows(rows)

    (only,) = read_sheet(text.getvalue().encode()).units

    assert only.target == "T-shirt col rond"


def csv_sheet(*rows, header=None) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header or columns(TranslationFile("en_US", "fr_FR")))
    writer.writerows(rows)
    return text.getvalue().encode()


def row(uid="product/TS-1/name", source="Tee", target="T-shirt", max_length="", notes=""):
    return [uid, "TS-1", "name", source, target, max_length, notes]


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (row(uid="TS-1"), "is not of the form kind/item/attribute"),
        (row(target="T-shirt trop long", max_length="10"), "target is 17 characters long"),
        (row(max_length="ten"), "max length 'ten' is not a whole number"),
        (row(target="T\x00shirt"), "contains a NUL byte"),
        (row(target="<b>T-shirt</b>"), "the target has HTML tags but the source has none"),
        (row(source=RICH, target="<p>coton</p>"), "tag <strong> (id 2) is missing"),
        (
            row(source=RICH, target=RICH_FR.replace("x.example", "evil.example")),
            "is not in the source",
        ),
        (
            row(source=RICH, target=RICH_FR.replace("</strong>", "")),
            "<strong> is not closed before </p>",
        ),
    ],
)
def test_bad_rows_are_reported_and_the_others_read(bad_row, message):
    data = csv_sheet(bad_row, row(uid="product/TS-2/name"))

    result = read_sheet(data)

    assert [u.id for u in result.units] == ["product/TS-2/name"]
    (problem,) = result.problems
    assert message in problem.message
    assert problem.line == 2


def test_repeated_ids_are_refused_everywhere():
    result = read_sheet(csv_sheet(row(), row(uid="product/TS-2/name"), row(), row(uid="")))

    assert [u.id for u in result.units] == ["product/TS-2/name"]
    assert [(p.unit_id, p.message, p.line) for p in result.problems] == [
        ("product/TS-1/name", "the id is also on line 2", 4),
        (None, "the row has no id", 5),
    ]


def test_an_empty_target_is_no_translation():
    (only,) = read_sheet(csv_sheet(row(target=""))).units

    assert only.target is None and only.state == "new"


def refused(data, **options) -> SheetError:
    with pytest.raises(SheetError) as caught:
        read_sheet(data, name="agency.csv", **options)
    assert 'The file "agency.csv"' in str(caught.value)
    return caught.value


def test_a_sheet_without_the_columns_is_refused():
    error = refused(b"id,product,source,target\nproduct/A/name,A,x,y\n")

    assert (
        "has no column attribute, max length, notes, source (<locale>), target (<locale>)"
        in str(error)
    )
    assert error.line == 1


def test_a_sheet_for_other_locales_is_refused():
    header = [
        "id",
        "product",
        "attribute",
        "source (en_US)",
        "target (de_DE)",
        "max length",
        "notes",
    ]
    data = csv_sheet(row(), header=header)

    assert "is for the target locale de_DE, not fr_FR" in str(refused(data, target_locale="fr_FR"))
    assert read_sheet(data, target_locale="de_DE").target_locale == "de_DE"
    bad = [*header[:4], "target (French!)", *header[5:]]
    assert 'has a bad locale in the column "target (French!)"' in str(
        refused(csv_sheet(header=bad))
    )


def test_an_xlsx_that_is_not_a_zip_is_refused():
    error = refused(b"this is not a workbook at all", file_format="xlsx")

    assert "is not a valid XLSX file" in str(error)


def test_an_xlsx_edited_by_hand_is_read(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(columns(TranslationFile("en_US", "fr_FR")))
    sheet.append(["product/TS-1/name", "TS-1", "name", "Tee", "T-shirt", 40, None])
    path = tmp_path / "fr.xlsx"
    book.save(path)

    (only,) = read_sheet(path).units

    assert (only.target, only.max_length, only.notes) == ("T-shirt", 40, [])


def test_xlsx_leaves_out_characters_it_cannot_hold():
    data = sheet_bytes([unit(source="bell\x07", target="cloche\x07")], "xlsx")

    (only,) = read_sheet(data).units

    assert (only.source, only.target) == ("bell", "cloche")


def test_write_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="csv or xlsx"):
        write_sheet(TranslationFile("en_US", "fr_FR", []), io.BytesIO(), "ods")
