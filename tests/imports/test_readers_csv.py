"""CSV import reader: encodings, delimiters, quoting, line numbers and hostile input."""

import csv
import pickle
import tracemalloc

import pytest

from pim.imports.readers import ReaderOptions, ReadError, open_table, sample


def write(tmp_path, data: bytes | str, name="products.csv"):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read_all(path, **options):
    with open_table(path, ReaderOptions(**options), display_name="supplier.csv") as reader:
        return reader.columns, list(reader)


def error_of(path, **options) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_all(path, **options)
    return caught.value


# --- encodings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "sku,name\nTS-1,Été\n".encode(),
        b"\xef\xbb\xbf" + "sku,name\nTS-1,Été\n".encode(),
        "sku,name\nTS-1,Été\n".encode("utf-16"),  # with its byte-order mark
        "sku,name\nTS-1,Été\n".encode("utf-16-be").join([b"\xfe\xff", b""]),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_unicode_files_are_detected(tmp_path, data):
    columns, rows = read_all(write(tmp_path, data))
    assert columns == ["sku", "name"]
    assert [(row.line, row.cells, row.problems) for row in rows] == [
        (2, {"sku": "TS-1", "name": "Été"}, ())
    ]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_declared_single_byte_encodings(tmp_path, encoding):
    text = "sku;name;price\nTS-1;Été;9 €\n" if encoding == "cp1252" else "sku;name\nTS-1;Été\n"
    _, rows = read_all(write(tmp_path, text.encode(encoding)), encoding=encoding)
    assert rows[0].cells["name"] == "Été"
    if encoding == "cp1252":
        assert rows[0].cells["price"] == "9 €"


def test_undeclared_non_utf8_file_is_refused_before_any_row(tmp_path):
    data = "sku,name\nTS-1,plain\nTS-2,Été\n".encode("cp1252")
    error = error_of(write(tmp_path, data))
    assert error.line == 3
    assert str(error) == (
        'The file "supplier.csv" (line 3) is not valid UTF-8: the byte 0xC9 at byte offset 25 '
        "cannot be decoded. If the file was saved in another encoding, declare it in the "
        'import profile, for example "cp1252" (Excel on Windows) or "latin-1".'
    )


def test_bad_byte_far_into_the_file_is_located_across_chunks(tmp_path):
    good = "sku,name\r\n" + "".join(f"TS-{n},name {n}\r" for n in range(20_000))
    data = good.encode() + b"TS-X,caf\xe9\n"
    error = error_of(write(tmp_path, data))
    assert error.line == 20_002
    assert f"byte offset {len(good.encode()) + 8}" in str(error)


def test_truncated_multibyte_character_at_the_end_is_refused(tmp_path):
    error = error_of(write(tmp_path, "sku\nTS-1\né".encode()[:-1]))
    assert error.line == 3
    assert "not valid UTF-8" in str(error)


def test_declared_encoding_that_does_not_fit_is_refused(tmp_path):
    error = error_of(write(tmp_path, b"sku,name\nTS-1,\x81\n"), encoding="cp1252")
    assert error.line == 2
    assert 'is not valid in the encoding "cp1252"' in str(error)
    assert "Check the encoding declared in the import profile" in str(error)


def test_unknown_declared_encoding_is_refused(tmp_path):
    error = error_of(write(tmp_path, "sku\n1\n"), encoding="klingon")
    assert str(error) == (
        'The file "supplier.csv" declares an unknown encoding "klingon" in the import profile.'
    )


def test_utf16_without_bom_is_explained(tmp_path):
    error = error_of(write(tmp_path, "sku,name\nTS-1,x\n".encode("utf-16-le")))
    assert error.line == 1
    assert 'declare the encoding "utf-16"' in str(error)


# --- delimiters, quoting, lines --------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed_from_the_header_line(tmp_path, delimiter):
    text = f'sku{delimiter}name{delimiter}"a,b;c"\nTS-1{delimiter}Tee{delimiter}x\n'
    columns, rows = read_all(write(tmp_path, text))
    assert columns == ["sku", "name", "a,b;c"]
    assert rows[0].cells == {"sku": "TS-1", "name": "Tee", "a,b;c": "x"}


def test_declared_delimiter_wins(tmp_path):
    columns, rows = read_all(write(tmp_path, "sku;name,size\nTS-1;Tee,M\n"), delimiter=";")
    assert columns == ["sku", "name,size"]
    assert rows[0].cells == {"sku": "TS-1", "name,size": "Tee,M"}


def test_quoted_fields_with_delimiters_and_newlines_keep_line_numbers(tmp_path):
    text = (
        "sku,description,size\n"
        'TS-1,"Soft, light\nand ""airy""\r\ncotton",M\n'
        "TS-2,Plain,L\n"
        'TS-3,"a\rb",S\n'
        "TS-4,End,XL\n"
    )
    _, rows = read_all(write(tmp_path, text))
    assert [(row.line, row.cells["sku"]) for row in rows] == [
        (2, "TS-1"),
        (5, "TS-2"),
        (6, "TS-3"),
        (8, "TS-4"),
    ]
    assert rows[0].cells["description"] == 'Soft, light\nand "airy"\r\ncotton'
    assert rows[2].cells["description"] == "a\rb"
    assert all(not row.problems for row in rows)


def test_mixed_line_endings(tmp_path):
    _, rows = read_all(write(tmp_path, b"sku,size\r\nTS-1,M\nTS-2,L\rTS-3,S\r\nTS-4,XL"))
    assert [(row.line, row.cells["sku"], row.cells["size"]) for row in rows] == [
        (2, "TS-1", "M"),
        (3, "TS-2", "L"),
        (4, "TS-3", "S"),
        (5, "TS-4", "XL"),
    ]


def test_blank_lines_are_skipped(tmp_path):
    _, rows = read_all(write(tmp_path, "\n\nsku,size\n\nTS-1,M\n\r\n,\nTS-2,L\n\n"))
    assert [(row.line, row.cells["sku"]) for row in rows] == [(5, "TS-1"), (8, "TS-2")]


def test_ragged_rows_are_reported_not_repaired(tmp_path):
    _, rows = read_all(write(tmp_path, "sku,name,size\nTS-1,Tee\nTS-2,Tee,M,extra\nTS-3,Tee,L\n"))
    short, long, fine = rows
    assert short.line == 2
    assert [(p.column, p.value, p.reason) for p in short.problems] == [
        (None, "TS-1,Tee", "has 2 cells but the header line has 3 columns")
    ]
    assert [(p.column, p.value, p.reason) for p in long.problems] == [
        (None, "TS-2,Tee,M,extra", "has 4 cells but the header line has 3 columns")
    ]
    assert fine.problems == ()


def test_unclosed_or_misplaced_quotes_are_row_problems(tmp_path):
    _, rows = read_all(write(tmp_path, 'sku,name\nTS-1,"Tee"shirt\nTS-2,ok\nTS-3,"never closed\n'))
    assert [(row.line, row.cells["sku"]) for row in rows] == [(2, ""), (3, "TS-2"), (4, "")]
    assert "badly placed quotes" in rows[0].problems[0].reason
    assert rows[1].problems == ()
    assert rows[2].problems[0].reason == (
        'has a quote (") that is never closed before the end of the file'
    )


# --- header --------------------------------------------------------------------------


def test_duplicate_column_names_are_refused(tmp_path):
    error = error_of(write(tmp_path, "sku,name,Size,name,sku\n1,2,3,4,5\n"))
    assert str(error) == (
        'The file "supplier.csv" (line 1) repeats column names: "sku" (column 1 and column 5), '
        '"name" (column 2 and column 4). Every column needs a unique name.'
    )


def test_empty_column_names_are_refused(tmp_path):
    error = error_of(write(tmp_path, "\nsku, ,name,\n1,2,3,4\n"))
    assert str(error) == (
        'The file "supplier.csv" (line 2) has no name for column 2, column 4. Every column '
        "needs a name in the header."
    )


def test_empty_file_has_no_header(tmp_path):
    for data in (b"", b"\n\r\n  \n", b"\xef\xbb\xbf"):
        error = error_of(write(tmp_path, data))
        assert str(error) == (
            'The file "supplier.csv" has no header line; the first line must name the columns.'
        )


def test_header_only_file_has_columns_and_no_rows(tmp_path):
    assert read_all(write(tmp_path, " sku ;name\n")) == (["sku", "name"], [])


# --- cells -------------------------------------------------------------------------


def test_a_one_megabyte_cell_is_read_and_the_csv_limit_is_restored(tmp_path):
    big = "x" * (1024 * 1024)
    limit_before = csv.field_size_limit()
    _, rows = read_all(write(tmp_path, f"sku,description\nTS-1,{big}\nTS-2,small\n"))
    assert rows[0].cells["description"] == big
    assert [row.problems for row in rows] == [(), ()]
    assert csv.field_size_limit() == limit_before


def test_a_cell_over_the_limit_is_a_row_problem(tmp_path):
    text = f'sku,description\nTS-1,{"x" * 5000}\nTS-2,"{"y" * 5000}"\nTS-3,ok\n'
    _, rows = read_all(write(tmp_path, text), max_cell_chars=1000)
    assert [(row.line, row.cells["sku"]) for row in rows] == [(2, ""), (3, ""), (4, "TS-3")]
    for row in rows[:2]:
        assert "has a cell longer than the limit of 1000 characters" in row.problems[0].reason
    assert rows[2].problems == ()


def test_an_endless_line_is_cut_and_reported(tmp_path):
    cell = "x" * 300_000  # within the cell limit, but five of them make a line too long
    text = f"a,b,c,d,e\n{','.join([cell] * 5)}\nTS-2,,,,ok\n"
    _, rows = read_all(write(tmp_path, text), max_cell_chars=600_000)
    assert [(row.line, row.cells["e"]) for row in rows] == [(2, ""), (3, "ok")]
    assert [p.reason for p in rows[0].problems] == [
        "line 2 is longer than 1200000 characters; the rest of it was skipped"
    ]
    assert rows[1].problems == ()


def test_nul_bytes_are_a_problem_of_their_cell(tmp_path):
    _, rows = read_all(write(tmp_path, b"sku,name\nTS-1,Te\x00e\nTS-2,Tee\n"))
    assert rows[0].problems[0].column == "name"
    assert rows[0].problems[0].reason == "contains a NUL byte"
    assert rows[0].problems[0].value == "Te\\x00e"
    assert (rows[1].cells, rows[1].problems) == ({"sku": "TS-2", "name": "Tee"}, ())


def test_formula_looking_cells_are_returned_as_given(tmp_path):
    text = 'sku,a,b,c,d,e\nTS-1,=1+1,+33 6 12 34 56 78,-5,@SUM(A1),"\t=cmd"\n'
    _, rows = read_all(write(tmp_path, text))
    assert rows[0].cells == {
        "sku": "TS-1",
        "a": "=1+1",
        "b": "+33 6 12 34 56 78",
        "c": "-5",
        "d": "@SUM(A1)",
        "e": "\t=cmd",
    }


# --- streaming -----------------------------------------------------------------------


def test_ten_thousand_rows_stream_in_flat_memory(tmp_path):
    lines = ["sku,name,description,price"]
    lines += [f"TS-{n},Tee {n},{'Soft cotton tee ' * 8},{n}.99" for n in range(10_000)]
    lines[5001] = "TS-5000,Tee 5000,ragged"
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert path.stat().st_size > 1_500_000

    tracemalloc.start()
    try:
        with open_table(path) as reader:
            ragged = [(row.line, row.problems) for row in reader if row.problems]
            assert reader.progress() == 1.0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 600_000  # far below the 1.6 MB file: rows are never accumulated
    assert [line for line, _ in ragged] == [5002]
    assert ragged[0][1][0].reason == "has 3 cells but the header line has 4 columns"


def test_progress_and_sample(tmp_path):
    path = write(tmp_path, "sku\n" + "".join(f"TS-{n}\n" for n in range(10_000)))
    with open_table(path) as reader:
        assert reader.progress() < 0.5
        rows = list(reader)
        assert reader.progress() == 1.0
    assert len(rows) == 10_000
    columns, first = sample(path, rows=3)
    assert columns == ["sku"]
    assert [row.cells["sku"] for row in first] == ["TS-0", "TS-1", "TS-2"]


def test_missing_file_is_a_read_error(tmp_path):
    error = error_of(tmp_path / "gone.csv")
    assert str(error).startswith('The file "supplier.csv" cannot be opened (')


def test_read_error_survives_pickling(tmp_path):
    error = error_of(write(tmp_path, "sku,sku\n"))
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copy.file, copy.line, copy.column, copy.reason) == (
        error.file,
        error.line,
        error.column,
        error.reason,
    )
    assert str(copy) == str(error)


def test_unknown_format_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="unknown import format 'pdf'"):
        open_table(write(tmp_path, "sku\n"), ReaderOptions(format="pdf"))
