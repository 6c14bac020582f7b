"""XLSX import reader: cell texts, header, sheets, and files that are not (safe) workbooks."""

import zipfile
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from pim.imports.readers import ReaderOptions, ReadError, open_table, sample
from pim.imports.readers.xlsx_reader import cell_text


def workbook(tmp_path, *rows, name="products.xlsx", title="Products", more_sheets=()):
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for extra in more_sheets:
        book.create_sheet(extra).append(["other", "sheet"])
    path = tmp_path / name
    book.save(path)
    return path


def read_all(path, **options):
    with open_table(path, ReaderOptions(**options), display_name="supplier.xlsx") as reader:
        return reader.columns, list(reader)


def error_of(path, **options) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_all(path, **options)
    return caught.value


def test_cells_become_text(tmp_path):
    path = workbook(
        tmp_path,
        ["sku", "qty", "price", "weight", "launch", "updated", "active", "double"],
        ["TS-1", 12, 12.5, 0.1, datetime(2024, 3, 1), datetime(2024, 3, 1, 14, 30), True, "=B2*2"],
        ["TS-2", None, 1e-7, 3.0, date(2024, 1, 2), None, False, "+33 6 12"],
    )
    columns, rows = read_all(path)
    assert columns == ["sku", "qty", "price", "weight", "launch", "updated", "active", "double"]
    assert [row.cells for row in rows] == [
        {
            "sku": "TS-1",
            "qty": "12",
            "price": "12.5",
            "weight": "0.1",
            "launch": "2024-03-01",
            "updated": "2024-03-01T14:30:00",
            "active": "1",
            "double": "=B2*2",
        },
        {
            "sku": "TS-2",
            "qty": "",
            "price": "0.0000001",
            "weight": "3",
            "launch": "2024-01-02",
            "updated": "",
            "active": "0",
            "double": "+33 6 12",
        },
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12.0, "12"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1234.5678, "1234.5678"),
        (2.5e-8, "0.000000025"),
        (1e20, "100000000000000000000"),
        (7, "7"),
        (True, "1"),
        (False, "0"),
        (datetime(2024, 5, 6, 0, 0), "2024-05-06"),
        (datetime(2024, 5, 6, 0, 0, 1), "2024-05-06T00:00:01"),
        (time(9, 30), "09:30:00"),
        ("=SUM(A1:A3)", "=SUM(A1:A3)"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_header_is_the_first_non_empty_row_and_lines_are_sheet_rows(tmp_path):
    path = workbook(tmp_path, [], [None, None], ["sku", "size"], ["TS-1", "M"], [], ["TS-2", "L"])
    with open_table(path) as reader:
        assert reader.columns == ["sku", "size"]
        assert [(row.line, row.cells) for row in reader] == [
            (4, {"sku": "TS-1", "size": "M"}),
            (6, {"sku": "TS-2", "size": "L"}),
        ]


def test_trailing_empty_rows_and_formatted_empty_columns_are_ignored(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["sku", "size"])
    sheet.append(["TS-1"])
    for row in range(3, 40):
        sheet.cell(row=row, column=5).font = Font(bold=True)  # styled, no value
    sheet.cell(row=1, column=5).font = Font(bold=True)
    path = tmp_path / "styled.xlsx"
    book.save(path)
    columns, rows = read_all(path)
    assert columns == ["sku", "size"]
    assert [(row.line, row.cells, row.problems) for row in rows] == [
        (2, {"sku": "TS-1", "size": ""}, ())
    ]


def test_values_beyond_the_header_are_a_row_problem(tmp_path):
    path = workbook(tmp_path, ["sku", "size"], ["TS-1", "M", None, "stray"], ["TS-2", "L"])
    _, rows = read_all(path)
    assert [(p.column, p.value, p.reason) for p in rows[0].problems] == [
        (None, "stray", "cell D2 has a value but its column has no name in the header row")
    ]
    assert rows[0].cells == {"sku": "TS-1", "size": "M"}
    assert rows[1].problems == ()


def test_a_cell_over_the_limit_is_a_row_problem(tmp_path):
    path = workbook(tmp_path, ["sku", "description"], ["TS-1", "x" * 300], ["TS-2", "ok"])
    _, rows = read_all(path, max_cell_chars=100)
    assert rows[0].problems[0].column == "description"
    assert rows[0].problems[0].reason == "is 300 characters long, more than the limit of 100"
    assert len(rows[0].problems[0].value) == 201
    assert rows[1].problems == ()


def test_duplicate_and_empty_header_names_are_refused(tmp_path):
    error = error_of(workbook(tmp_path, ["sku", "name", "sku"], ["1", "2", "3"]))
    assert str(error) == (
        'The file "supplier.xlsx" (line 1) repeats column names: "sku" (column A and '
        "column C). Every column needs a unique name."
    )
    error = error_of(workbook(tmp_path, [], ["sku", None, "name"], name="gap.xlsx"))
    assert str(error) == (
        'The file "supplier.xlsx" (line 2) has no name for column B. Every column needs a '
        "name in the header."
    )


def test_empty_sheet_has_no_header(tmp_path):
    error = error_of(workbook(tmp_path))
    assert (
        str(error) == 'The file "supplier.xlsx" has no header line: the sheet "Products" is empty.'
    )


def test_named_sheet(tmp_path):
    path = workbook(tmp_path, ["sku"], ["TS-1"], more_sheets=["Prices"])
    assert read_all(path, sheet="Prices")[0] == ["other", "sheet"]
    assert read_all(path)[0] == ["sku"]
    error = error_of(path, sheet="Stock")
    assert str(error) == (
        'The file "supplier.xlsx" has no sheet named "Stock"; its sheets are "Products", "Prices".'
    )


def test_openpyxl_warnings_do_not_escape(tmp_path):
    path = workbook(tmp_path, ["sku"], ["TS-1"])
    unstyled = tmp_path / "unstyled.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(unstyled, "w") as target:
        for entry in source.infolist():
            if entry.filename != "xl/styles.xml":  # openpyxl warns: no default style
                target.writestr(entry, source.read(entry))
    columns, rows = read_all(unstyled)  # warnings are errors in this test suite
    assert (columns, [row.cells for row in rows]) == (["sku"], [{"sku": "TS-1"}])


def test_sample_and_progress(tmp_path):
    path = workbook(tmp_path, ["sku"], *[[f"TS-{n}"] for n in range(50)])
    columns, rows = sample(path, rows=5)
    assert columns == ["sku"]
    assert [row.line for row in rows] == [2, 3, 4, 5, 6]
    with open_table(path) as reader:
        next(reader)
        assert 0 < reader.progress() < 0.1
        list(reader)
        assert reader.progress() == 1.0


# --- files that are not workbooks, or hostile ones ------------------------------------


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "products.xlsx"
    path.write_text("sku,name\n1,2\n")
    error = error_of(path, format="xlsx")
    assert str(error) == (
        'The file "supplier.xlsx" is not a valid XLSX file (File is not a zip file). Open it in '
        "Excel and save it as an Excel Workbook (.xlsx), then upload it again."
    )


def test_truncated_workbook_is_refused(tmp_path):
    path = workbook(tmp_path, ["sku"], *[[f"TS-{n}"] for n in range(500)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "is not a valid XLSX file (" in str(error_of(path))


def test_legacy_xls_is_explained(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "it is an older Excel .xls file or a password-protected workbook" in str(error_of(path))


def test_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.txt", "not a workbook")
    assert "it is a zip archive but not a workbook" in str(error_of(path))


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """A workbook-looking zip whose sheet unpacks to 256 MiB of zeros (about 250 KB)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    block = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(256):
                sheet.write(block)
    return path


def test_zip_bomb_by_compression_ratio(zip_bomb):
    assert zip_bomb.stat().st_size < 1024 * 1024
    error = error_of(zip_bomb)
    assert str(error).startswith(
        'The file "supplier.xlsx" looks like a zip bomb: its part "xl/worksheets/sheet1.xml" is '
        "compressed "
    )
    assert "more than the limit of 200" in str(error)


def test_zip_bomb_by_total_size(zip_bomb, tmp_path):
    error = error_of(zip_bomb, max_compression_ratio=10_000, max_uncompressed_bytes=100 << 20)
    assert str(error) == (
        'The file "supplier.xlsx" looks like a zip bomb: it would unpack to 268435464 bytes, '
        "more than the limit of 104857600."
    )
    small = workbook(tmp_path, ["sku"], ["TS-1"])
    error = error_of(small, max_uncompressed_bytes=1000)
    assert "looks like a zip bomb: it would unpack to" in str(error)
    assert "more than the limit of 1000." in str(error)


def test_dtd_inside_a_workbook_part_is_refused(tmp_path):
    path = workbook(tmp_path, ["sku"], ["TS-1"])
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(hostile, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
                data = data.replace(b"<worksheet", doctype + b"<worksheet", 1)
            target.writestr(entry, data)
    assert str(error_of(hostile)) == (
        'The file "supplier.xlsx" has a DTD in its part "xl/worksheets/sheet1.xml"; DTDs and '
        "entity declarations are not accepted. Open it in Excel and save it as an Excel "
        "Workbook (.xlsx), then upload it again."
    )
